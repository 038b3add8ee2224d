"""Correlation at scale: load millions of indicator sightings, then correlate new items on ingest.

Usage: python benchmarks/bench_correlation.py [--n 10000000] [--items-probe 2000] [--batch 1000]
       [--store-tail 200000] [--extract-runs 2000]
       [--database-url postgresql+psycopg://csnet@127.0.0.1:5432/postgres] [--only sqlite,postgres]
       [--record]
SQLite runs in a temporary directory; PostgreSQL (with --database-url, a role that may create
databases) in a fresh database csnet_bench_<hex>, dropped afterwards.

What is generated (indicator_workload.py): items carrying 1-8 distinct identifiers each (mean
about 3.4), drawn from a realistic mix of types (phones about 40%, WhatsApp, Telegram, social
accounts, e-mails, URLs, domains, Bitcoin/Ethereum/TRON wallets, IBANs, travel documents,
vessels, plates), in the canonical form the indicators registry produces (a sample is parsed
back through the registry before the run). Most values appear once; one occurrence in five
repeats a value of a recurring pool (a tenth of --n) with 1/rank odds, so a few values recur in
thousands of items and pass the node's noisy cap (setting correlation_noisy_after, 50).

What is timed
- Extraction: csnet.indicators.extract on a 1 KB chat export (extraction_text.py), p50 and p99.
- Bulk load: csnet.correlation.bulk_sightings.load, the path for large loads (values looked up
  or created, sightings written, counts and the noisy cap kept; no hits read), about 50,000
  identifiers a write transaction, for all but the last --store-tail identifiers.
  bulk_load_per_s = identifiers processed per second.
- Load through the one-item path: csnet.correlation.sightings.store for the last --store-tail
  identifiers, at the full size of the store, one write transaction per --batch items as
  publish_many and the inbox do (it also finds the hits). load_indicators_per_s.
  In both, the item rows the sightings reference are inserted just before, untimed: sealing
  and signing millions of items is bench_items.py's subject.
- Correlation on ingest: after the load, --items-probe alerts are published one by one through
  csnet.publishing.publish; each carries 3 identifiers in its free text, in three alerts
  of four one value already held (below the cap), so the alert hits its earlier items. Timed
  per alert: the correlation step (sightings.observe: extraction from the text, sightings and
  hits), within it the storing half alone (sightings.store: correlation_store_p99_ms, target
  1 ms), and, for context, the whole publish. PostgreSQL is ANALYZEd after the load, as
  autovacuum would have done on a running server.
- Storage: the bytes of the sightings and indicator_values tables with their indexes (SQLite:
  dbstat; PostgreSQL: pg_total_relation_size) per stored sighting, and the rows stored against
  those a pairwise design would store (pairs of items sharing a value, with and without the
  cap): the store grows with values, not with pairs.

Prints readable lines while running and, as its last line, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from common import Progress, machine, officer, record
from correlation_probe import probe_figures
from extraction_text import bench_extraction
from indicator_workload import (
    EPOCH,
    ORIGINS,
    PROTECTED_SHARE,
    Workload,
    check_canonical,
    value_of,
)
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url

from csnet.correlation import bulk_sightings, sightings
from csnet.node import Node, init_node
from csnet.store.tables import indicator_values, items
from csnet.store.tables import sightings as sightings_table

# ---------------------------------------------------------------------------------------------
# The load.


def _item_id(origin: int, seq: int) -> str:
    return hashlib.sha256(f"bench:{origin}:{seq}".encode()).hexdigest()


def _origin_ids() -> list[str]:
    return [hashlib.sha256(f"origin:{k}".encode()).hexdigest()[:40] for k in range(ORIGINS)]


@dataclass
class LoadBatch:
    item_rows: list[dict[str, Any]]
    news: list[sightings.Sighted]


def batches(work: Workload, batch: int, now: datetime) -> Iterator[LoadBatch]:
    """The load in batches: item rows (stored untimed) and what `sightings.store` is given."""
    rng = random.Random(work.seed + 1)
    origins = _origin_ids()
    rows: list[dict[str, Any]] = []
    news: list[sightings.Sighted] = []
    for seq, numbers in enumerate(work.items(), start=1):
        origin = seq % ORIGINS
        item_id = _item_id(origin, seq)
        created = EPOCH + timedelta(seconds=seq * 7)
        rows.append(_item_row(item_id, origins[origin], seq, created, now))
        new = sightings.Sighted(
            item_id=item_id,
            origin=origins[origin],
            created=created,
            protected=rng.random() < PROTECTED_SHARE,
            linked=frozenset(),
            keys=tuple(value_of(n) for n in numbers),
        )
        news.append(new)
        if len(news) == batch:
            yield LoadBatch(rows, news)
            rows, news = [], []
    if news:
        yield LoadBatch(rows, news)


def _item_row(
    item_id: str, origin: str, seq: int, created: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "id": item_id,
        "origin": origin,
        "seq": seq,
        "kind": "alert",
        "author": "bench",
        "created": created,
        "tlp": "amber",
        "envelope": b"{}",  # why: never read by the load; the sightings only reference the id
        "tombstoned": False,
        "received": now,
    }


@dataclass
class Timed:
    """Identifiers stored by one path, and the seconds inside its call."""

    indicators: int = 0
    seconds: float = 0.0

    def rate(self) -> float:
        return self.indicators / self.seconds if self.seconds else 0.0


@dataclass
class LoadResult:
    indicators: int = 0
    items: int = 0
    bulk: Timed = field(default_factory=Timed)  # bulk_sightings.load
    store: Timed = field(default_factory=Timed)  # sightings.store, per --batch items
    generate_seconds: float = 0.0
    items_seconds: float = 0.0
    hits: int = 0  # found by the store path

    @property
    def seconds(self) -> float:
        return self.bulk.seconds + self.store.seconds


def load(node: Node, work: Workload, batch: int, store_tail: int) -> LoadResult:
    """Store the workload's sightings: all but the last `store_tail` identifiers through the
    bulk path (bulk_sightings.load, about BATCH_INDICATORS a transaction), the rest through
    sightings.store, one transaction per `batch` items as publish_many and the inbox do. Only
    those two calls are timed; the item rows they reference are inserted just before."""
    result = LoadResult()
    now = node.now()
    report = Progress("load", work.n)
    pending: list[LoadBatch] = []
    pending_size = 0
    started = time.perf_counter()
    for chunk in batches(work, batch, now):
        result.generate_seconds += time.perf_counter() - started
        size = sum(len(n.keys) for n in chunk.news)
        if result.indicators + size <= work.n - store_tail:
            pending.append(chunk)
            pending_size += size
            if pending_size >= bulk_sightings.BATCH_INDICATORS:
                _load_bulk(node, pending, result)
                pending, pending_size = [], 0
        else:
            _load_bulk(node, pending, result)
            pending, pending_size = [], 0
            _load_store(node, chunk, now, result)
        result.items += len(chunk.news)
        result.indicators += size
        report.show(result.indicators, result.indicators / max(result.seconds, 1e-9))
        started = time.perf_counter()
    _load_bulk(node, pending, result)
    return result


def _insert_items(node: Node, chunks: Sequence[LoadBatch], result: LoadResult) -> None:
    started = time.perf_counter()
    with node.store.write() as conn:
        conn.execute(items.insert(), [row for chunk in chunks for row in chunk.item_rows])
    result.items_seconds += time.perf_counter() - started


def _load_bulk(node: Node, chunks: Sequence[LoadBatch], result: LoadResult) -> None:
    if not chunks:
        return
    _insert_items(node, chunks, result)
    news = [new for chunk in chunks for new in chunk.news]
    started = time.perf_counter()
    loaded = bulk_sightings.load(node, news)
    result.bulk.seconds += time.perf_counter() - started
    result.bulk.indicators += loaded.indicators


def _load_store(node: Node, chunk: LoadBatch, now: datetime, result: LoadResult) -> None:
    _insert_items(node, [chunk], result)
    cap = int(node.settings.correlation_noisy_after)
    started = time.perf_counter()
    with node.store.write() as conn:
        result.hits += len(sightings.store(conn, chunk.news, now, cap=cap))
    result.store.seconds += time.perf_counter() - started
    result.store.indicators += sum(len(n.keys) for n in chunk.news)


# ---------------------------------------------------------------------------------------------
# Storage.


def storage_bytes(node: Node) -> tuple[int, int]:
    """Bytes of (sightings, indicator_values), each with its indexes: SQLite's dbstat (the
    pages of each table and index), PostgreSQL's pg_total_relation_size (indexes and TOAST)."""
    if node.store.is_sqlite:
        return _sqlite_bytes(node)
    query = text(
        "SELECT pg_total_relation_size('sightings'), pg_total_relation_size('indicator_values')"
    )
    with node.store.read() as conn:
        sighted, values = conn.execute(query).one()
    return int(sighted), int(values)


SQLITE_BYTES = (
    "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat AS d JOIN sqlite_master AS m ON m.name = d.name"
    " WHERE m.tbl_name IN ('sightings', 'indicator_values') GROUP BY m.tbl_name"
)


def _sqlite_bytes(node: Node) -> tuple[int, int]:
    # why: a checkpoint needs a connection outside any transaction, so the DB-API one
    raw = node.store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL's pages into the file
        cursor.execute(SQLITE_BYTES)  # dbstat: in the SQLite that Python ships on Linux
        sizes = {str(name): int(size) for name, size in cursor.fetchall()}
        cursor.close()
    finally:
        raw.close()
    return sizes.get("sightings", 0), sizes.get("indicator_values", 0)


def table_rows(conn: Connection) -> tuple[int, int]:
    values = conn.execute(select(func.count()).select_from(indicator_values)).scalar_one()
    seen = conn.execute(select(func.count()).select_from(sightings_table)).scalar_one()
    return int(values), int(seen)


# ---------------------------------------------------------------------------------------------
# One database.


def bench_database(node: Node, label: str, args: argparse.Namespace) -> dict[str, Any]:
    caller = officer(node)
    work = Workload(args.n)
    tail = min(args.store_tail, args.n // 2)
    print(
        f"{label}: loading {args.n:,} indicators: the bulk path, then the last {tail:,} "
        f"through sightings.store in batches of {args.batch} items",
        flush=True,
    )
    loaded = load(node, work, args.batch, tail)
    if not node.store.is_sqlite:
        # why: the planner statistics autovacuum keeps on a running server; without them,
        # tables that grew from empty in minutes are planned as if still empty
        with node.store.write() as conn:
            conn.execute(text("ANALYZE"))
    figures = load_figures(node, work, loaded, label)
    figures |= probe_figures(node, caller, work, args.items_probe, label)
    return {f"{label}_{k}": v for k, v in figures.items()}


def load_figures(node: Node, work: Workload, loaded: LoadResult, label: str) -> dict[str, Any]:
    sighted_bytes, value_bytes = storage_bytes(node)
    with node.store.read() as conn:
        values, seen = table_rows(conn)
    cap = int(node.settings.correlation_noisy_after)
    figures: dict[str, Any] = {
        "indicators": loaded.indicators,
        "items": loaded.items,
        "bulk_load_per_s": loaded.bulk.rate(),
        "bulk_load_indicators": loaded.bulk.indicators,
        "load_indicators_per_s": loaded.store.rate(),  # sightings.store, at the full size
        "load_store_indicators": loaded.store.indicators,
        "load_seconds": loaded.seconds,
        "load_hits": loaded.hits,
        "values_rows": values,
        "sightings_rows": seen,
        "pairwise_rows": work.pairs(),
        "pairwise_rows_capped": work.pairs(cap),
        "bytes_per_sighting": (sighted_bytes + value_bytes) / seen,
        "bytes_per_sighting_row": sighted_bytes / seen,
        "bytes_per_value_row": value_bytes / values,
        "bytes_sightings_and_values": sighted_bytes + value_bytes,
    }
    print(
        f"{label}: bulk load {figures['bulk_load_per_s']:,.0f} indicators/s over "
        f"{loaded.bulk.indicators:,} (target >= 50,000); sightings.store "
        f"{figures['load_indicators_per_s']:,.0f} indicators/s over the last "
        f"{loaded.store.indicators:,} ({seen:,} sightings of {values:,} values stored in "
        f"{loaded.seconds:.1f} s; untimed: generating {loaded.generate_seconds:.1f} s, item "
        f"rows {loaded.items_seconds:.1f} s)",
        flush=True,
    )
    print(
        f"{label}: {figures['bytes_per_sighting']:.0f} bytes per sighting, values included "
        f"(a sighting row with its indexes {figures['bytes_per_sighting_row']:.0f}, a value "
        f"row {figures['bytes_per_value_row']:.0f}); rows: {seen:,} "
        f"sightings + {values:,} values, where pairs of items sharing a value would be "
        f"{figures['pairwise_rows']:,} ({figures['pairwise_rows_capped']:,} below the cap)",
        flush=True,
    )
    return figures


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(Path(tmp) / "bench", name="GR-HP", country="GR", agency="HP")
        try:
            return bench_database(node, "sqlite", args)
        finally:
            node.close()


def run_postgres(args: argparse.Namespace) -> dict[str, Any]:
    """In a fresh database `csnet_bench_<hex>` made with the URL's role, dropped afterwards."""
    name = f"csnet_bench_{secrets.token_hex(6)}"  # only [a-z0-9_]: safe to splice into DDL
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            node = init_node(
                Path(tmp) / "bench", name="GR-HP", country="GR", agency="HP", database_url=url
            )
            try:
                return bench_database(node, "postgres", args)
            finally:
                node.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000, help="indicators to load")
    parser.add_argument("--items-probe", type=int, default=2000, help="alerts published after")
    parser.add_argument("--batch", type=int, default=1000, help="items per sightings.store call")
    parser.add_argument(
        "--store-tail",
        type=int,
        default=200_000,
        help="last identifiers of the load stored through sightings.store, not the bulk path",
    )
    parser.add_argument("--extract-runs", type=int, default=2000, help="extractions of 1 KB")
    parser.add_argument("--database-url", default="", help="PostgreSQL (a role with CREATEDB)")
    parser.add_argument("--only", default="", help="sqlite, postgres or both (default: all given)")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else {"sqlite", "postgres"}
    if "postgres" in wanted and not args.database_url:
        if args.only:
            sys.exit("--only postgres needs --database-url")
        wanted.discard("postgres")
    wrong = check_canonical(range(0, args.n + 2000, max(1, args.n // 2000)))
    if wrong:
        sys.exit(f"generated values not canonical: {wrong[:5]}")
    figures: dict[str, Any] = {"machine": machine(), "n": args.n, "batch": args.batch}
    figures["load_avg_1m_start"] = os.getloadavg()[0]
    figures |= bench_extraction(args.extract_runs)
    if "sqlite" in wanted:
        figures |= run_sqlite(args)
    if "postgres" in wanted:
        figures |= run_postgres(args)
    figures["load_avg_1m_end"] = os.getloadavg()[0]
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    if args.record:
        record(
            "bench_correlation.py",
            str(result["machine"]),
            [(k, v) for k, v in result.items() if k != "machine"],
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
