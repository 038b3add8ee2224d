"""Correlation at scale: load millions of indicator sightings, then correlate new items on ingest.

Usage: python benchmarks/bench_correlation.py [--n 10000000] [--items-probe 2000] [--batch 1000]
       [--database-url postgresql+psycopg://csnet@127.0.0.1:5432/postgres] [--only sqlite,postgres]
       [--record]
SQLite runs in a temporary directory; PostgreSQL (with --database-url, a role that may create
databases) in a fresh database csnet_bench_<hex>, dropped afterwards.

What is generated: items carrying 1-8 distinct identifiers each (mean about 3.4), drawn from a
realistic mix of types (phones about 40%, WhatsApp, Telegram, social accounts, e-mails, URLs,
domains, Bitcoin/Ethereum/TRON wallets, IBANs, travel documents, vessels, plates). Values are
generated directly in the canonical form the indicators registry produces (a sample is parsed
back through the registry before the run; tests/correlation/test_bench_correlation.py checks
more). Most values appear once; one occurrence in five repeats a value of a recurring pool
(a tenth of --n) with 1/rank odds, so a few values recur in thousands of items and pass the
node's noisy cap (setting correlation_noisy_after, 50): counted, no longer sighted.

What is timed
- Load: csnet.correlation.sightings.store, the storing half of what publishing and receiving
  items run (values looked up or created, sightings written, counts and the noisy cap kept,
  hits found), one write transaction per batch of --batch items, as publish_many and the inbox
  do. The item rows the sightings reference are inserted just before each batch, untimed:
  sealing and signing millions of items is bench_items.py's subject. Text extraction is not in
  the load (it is in the probe). indicators/s = identifiers processed per second (stored as a
  sighting, or counted for a noisy value); sightings/s = rows stored per second.
- Correlation on ingest: after the load, --items-probe alerts are published one by one through
  csnet.publishing.publish; each carries 3 identifiers in its free text, in three alerts
  of four one value already held (below the cap), so the alert hits its earlier items. Timed
  per alert: the correlation step (sightings.observe: extraction from the text, sightings and
  hits), within it the storing half alone (sightings.store), and, for context, the whole
  publish (sealing, signing, storing, audit, outbox). PostgreSQL is ANALYZEd after the load,
  as autovacuum would have done on a running server.
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
import math
import random
import secrets
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import base58
from common import alert_body, machine, officer, record
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url

from csnet.access import Caller
from csnet.correlation import sightings
from csnet.handling.markings import TLP, Markings
from csnet.indicators import registry
from csnet.indicators.base import InvalidIdentifier
from csnet.indicators.types.bech32 import encode_segwit
from csnet.indicators.types.mid import MID_COUNTRY
from csnet.indicators.types.vessels import imo_check_digit
from csnet.indicators.types.wallets import eip55
from csnet.items import item_indicators
from csnet.node import Node, init_node
from csnet.publishing import NewItem, publish
from csnet.store.tables import indicator_values, items
from csnet.store.tables import sightings as sightings_table

REPEAT_SHARE = 0.2  # share of occurrences that repeat a value of the recurring pool
POOL_SHARE = 0.1  # size of the recurring pool, as a share of --n
ORIGINS = 40  # nodes the items come from
PROTECTED_SHARE = 0.05  # items about a victim or smuggled migrant
ITEM_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
ITEM_SIZE_WEIGHTS = (20, 22, 18, 14, 10, 7, 5, 4)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# Values: value number i (an int) → one canonical value, injective per type, valid for its type.


def _digits(j: int, width: int) -> str:
    """j scrambled over `width` digits by an affine map mod 10**width: a bijection (the factor
    is coprime with 10), so distinct j < 10**width give distinct numbers that look random."""
    modulus = 10**width
    if j >= modulus:
        raise ValueError(f"value number {j} beyond {modulus}: too many values of one kind")
    return str((j * 7_919_113 + 1_234_567) % modulus).zfill(width)


def _base36(j: int) -> str:
    alphabet = string.digits + string.ascii_lowercase
    out = ""
    while True:
        j, r = divmod(j, 36)
        out = alphabet[r] + out
        if j == 0:
            return out


def _bytes20(i: int, kind: str) -> bytes:
    return hashlib.blake2b(f"{kind}:{i}".encode(), digest_size=20).digest()


# (prefix, free digits): mobile ranges of the countries on the routes, valid in libphonenumber
PHONE_RANGES = (
    ("+9230", 8),  # Pakistan
    ("+9234", 8),
    ("+21891", 7),  # Libya
    ("+21892", 7),
    ("+90532", 7),  # Turkey
    ("+90555", 7),
    ("+30694", 7),  # Greece
    ("+30697", 7),
    ("+39347", 7),  # Italy
    ("+39333", 7),
    ("+2010", 8),  # Egypt
    ("+2012", 8),
    ("+9370", 7),  # Afghanistan
    ("+88017", 8),  # Bangladesh
    ("+96279", 7),  # Jordan
)


def phone(i: int) -> str:
    prefix, width = PHONE_RANGES[i % len(PHONE_RANGES)]
    return prefix + _digits(i // len(PHONE_RANGES), width)


def whatsapp(i: int) -> str:
    return phone(i)  # the canonical WhatsApp value of a number is its E.164 form


def telegram(i: int) -> str:
    return f"id:-100{_digits(i, 10)}" if i % 5 == 0 else f"user_{_base36(i * 7_919 + 50_000)}"


SOCIAL_PLATFORMS = ("facebook", "tiktok", "instagram", "x")


def social(i: int) -> str:
    platform = SOCIAL_PLATFORMS[i % len(SOCIAL_PLATFORMS)]
    return f"{platform}:acct{_base36(i).zfill(4)}"  # fits every platform's rule (5-15 chars)


MAIL_PROVIDERS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "mail.ru", "proton.me")


def email(i: int) -> str:
    return f"agent.{_base36(i)}@{MAIL_PROVIDERS[i % len(MAIL_PROVIDERS)]}"


def domain(i: int) -> str:
    return f"travel-{_base36(i)}.com"


def url(i: int) -> str:
    return f"https://visa-{_base36(i // 4)}.net/offer/{i % 4}"


def wallet(i: int) -> str:
    chain = i % 4
    raw = _bytes20(i, "wallet")
    if chain == 0:
        return encode_segwit("bc", 0, raw)
    if chain == 1:
        return base58.b58encode_check(b"\x00" + raw).decode()
    if chain == 2:
        return eip55("0x" + raw.hex())
    return base58.b58encode_check(b"\x41" + raw).decode()  # TRON


def _iban(country: str, bban: str) -> str:
    # ISO 13616 check digits: 98 - (BBAN + country letters as numbers + "00") mod 97
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def iban(i: int) -> str:
    if i % 2:
        return _iban("TR", "00061" + "0" + _digits(i // 2, 16))
    return _iban("LT", "10000" + _digits(i // 2, 11))


DOCUMENT_STATES = ("PAK", "AFG", "SYR", "EGY", "BGD", "LBY", "TUR", "IRQ")


def document(i: int) -> str:
    state = DOCUMENT_STATES[i % len(DOCUMENT_STATES)]
    kind = "P" if i % 10 else "I"
    return f"{state}:{kind}:A{_digits(i // len(DOCUMENT_STATES), 8)}"


MIDS = sorted(k for k in MID_COUNTRY if k[0] in "234567")  # ship stations: MID first


def vessel(i: int) -> str:
    if i % 4 == 0 and i // 4 < 900_000:
        six = str(100_000 + (i // 4))
        return f"imo:{six}{imo_check_digit(six)}"
    return f"mmsi:{MIDS[i % len(MIDS)]}{_digits(i // len(MIDS), 6)}"


PLATE_COUNTRIES = ("GR", "IT", "TR", "BG", "MK", "RS", "HU", "AT")


def plate(i: int) -> str:
    country = PLATE_COUNTRIES[i % len(PLATE_COUNTRIES)]
    j = i // len(PLATE_COUNTRIES)
    letters = "".join(string.ascii_uppercase[(j // 26**k) % 26] for k in range(3))
    return f"{country}:{letters}{_digits(j // 26**3, 4)}"


@dataclass(frozen=True)
class Kind:
    type: str
    weight: float
    make: Callable[[int], str]


MIX = (
    Kind("phone", 40, phone),
    Kind("whatsapp", 8, whatsapp),
    Kind("telegram", 7, telegram),
    Kind("social", 5, social),
    Kind("email", 8, email),
    Kind("url", 4, url),
    Kind("domain", 3, domain),
    Kind("wallet", 8, wallet),
    Kind("iban", 5, iban),
    Kind("document", 6, document),
    Kind("vessel", 2, vessel),
    Kind("plate", 4, plate),
)
_CUMULATIVE = list(accumulate(k.weight for k in MIX))


def value_of(number: int) -> tuple[str, str]:
    """(type, canonical value) of value number `number`: its type by a hash of the number (so
    the mix holds for any range of numbers), its value from the number itself (injective)."""
    point = int.from_bytes(hashlib.blake2b(number.to_bytes(8), digest_size=4).digest())
    target = point / 2**32 * _CUMULATIVE[-1]
    for kind, bound in zip(MIX, _CUMULATIVE, strict=True):
        if target < bound:
            return kind.type, kind.make(number)
    return MIX[-1].type, MIX[-1].make(number)


def check_canonical_value(kind: str, value: str) -> str | None:
    """Why `value` is not what the registry stores for it as `kind`, or None."""
    try:
        parsed = registry.parse(kind, value)
    except InvalidIdentifier as exc:
        return f"{kind}:{value}: {exc}"
    if (parsed.type, parsed.value) != (kind, value):
        return f"{kind}:{value} → {parsed.type}:{parsed.value}"
    return None


def check_canonical(numbers: Iterable[int]) -> list[str]:
    """The problems of the values of these value numbers (none: all parse to themselves)."""
    problems = (check_canonical_value(*value_of(number)) for number in numbers)
    return [problem for problem in problems if problem]


# ---------------------------------------------------------------------------------------------
# Items: which value numbers each item carries.


@dataclass
class Workload:
    """The items of a load: fresh values appear once; pool values recur with 1/rank odds."""

    n: int
    seed: int = 7
    pool: int = 0
    counts: Counter[int] = field(default_factory=Counter)  # pool value number → occurrences

    def __post_init__(self) -> None:
        self.pool = max(10, int(self.n * POOL_SHARE))

    def items(self) -> Iterator[list[int]]:
        """Value numbers per item, distinct within an item, n occurrences in all."""
        rng = random.Random(self.seed)
        fresh, left = 0, self.n
        log_pool = math.log(self.pool + 1)
        while left > 0:
            size = min(left, rng.choices(ITEM_SIZES, ITEM_SIZE_WEIGHTS)[0])
            numbers: list[int] = []
            while len(numbers) < size:
                if rng.random() < REPEAT_SHARE:
                    rank = int(math.exp(rng.random() * log_pool))  # P(rank) ∝ 1/rank
                    number = self.n + min(rank, self.pool) - 1
                    if number in numbers:
                        continue
                    self.counts[number] += 1
                else:
                    number, fresh = fresh, fresh + 1
                numbers.append(number)
            left -= size
            yield numbers

    def pairs(self, cap: int | None = None) -> int:
        """Rows a pairwise design stores: pairs of items sharing a value (fresh values, seen
        once, share with nobody); with `cap`, only among the first `cap` items of a value."""
        return sum(math.comb(min(c, cap or c), 2) for c in self.counts.values())


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
class LoadResult:
    indicators: int = 0
    items: int = 0
    seconds: float = 0.0
    generate_seconds: float = 0.0
    items_seconds: float = 0.0
    hits: int = 0


def load(node: Node, work: Workload, batch: int) -> LoadResult:
    """Store the workload's sightings; only `sightings.store` is inside the timed section."""
    cap = int(node.settings.correlation_noisy_after)
    result = LoadResult()
    now = node.now()
    report = Progress("load", work.n)
    started = time.perf_counter()
    for chunk in batches(work, batch, now):
        generated = time.perf_counter()
        with node.store.write() as conn:
            conn.execute(items.insert(), chunk.item_rows)
        stored_items = time.perf_counter()
        with node.store.write() as conn:
            result.hits += len(sightings.store(conn, chunk.news, now, cap=cap))
        done = time.perf_counter()
        result.generate_seconds += generated - started
        result.items_seconds += stored_items - generated
        result.seconds += done - stored_items
        result.items += len(chunk.news)
        result.indicators += sum(len(n.keys) for n in chunk.news)
        report.show(result.indicators, result.indicators / result.seconds)
        started = time.perf_counter()
    return result


class Progress:
    """A line every 5% of a long phase, with the rate so far."""

    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.next = what, total, total / 20

    def show(self, done: int, rate: float) -> None:
        if done >= self.next or done == self.total:
            print(f"  {self.what}: {done:,}/{self.total:,} ({rate:,.0f}/s)", flush=True)
            self.next += self.total / 20


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
# Correlation on ingest.

PROBE_TYPES = ("email", "iban", "wallet", "phone")  # written plainly in free text
PROBE_MAKERS = (email, iban, wallet)


def probe_values(work: Workload, cap: int, count: int) -> list[tuple[str, str]]:
    """Held values a new item may carry: recurring, below the cap, of types found in text."""
    held = []
    for number, seen in work.counts.items():
        if 1 <= seen < cap - 1:
            kind, value = value_of(number)
            if kind in PROBE_TYPES:
                held.append((kind, value))
        if len(held) >= count:
            break
    return held


def _written(kind: str, value: str) -> str:
    return registry.get(kind).format(value)


def probe_text(
    i: int, first_unused: int, held: Sequence[tuple[str, str]], rng: random.Random
) -> str:
    """An alert's text with 3 identifiers: one held value in 3 of 4 items (the share that
    hits), the others new."""
    above = first_unused + i * 3  # why: value numbers the load never used are new values
    chosen = [("phone", phone(above)), (PROBE_TYPES[i % 3], PROBE_MAKERS[i % 3](above + 1))]
    if held and i % 4:
        chosen.append(rng.choice(held))
    else:
        chosen.append(("phone", phone(above + 2)))
    said = ", ".join(_written(k, v) for k, v in chosen)
    return f"Smuggler contact details seen in a seized phone: {said}. Check with partners."


@dataclass
class ProbeResult:
    correlation_ms: list[float] = field(default_factory=list)  # sightings.observe
    store_ms: list[float] = field(default_factory=list)  # sightings.store, within it
    publish_ms: list[float] = field(default_factory=list)
    hits: int = 0
    sighted: int = 0


def _timing(result: ProbeResult) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """observe and store, timed into `result` (service.publish and record call both by module
    attribute, so these stand in for them)."""
    observe, store = sightings.observe, sightings.store

    def timed_observe(*args: Any, **kwargs: Any) -> list[sightings.Hit]:
        started = time.perf_counter()
        hits = observe(*args, **kwargs)
        result.correlation_ms.append((time.perf_counter() - started) * 1000)
        result.hits += len(hits)
        return hits

    def timed_store(*args: Any, **kwargs: Any) -> list[sightings.Hit]:
        started = time.perf_counter()
        hits = store(*args, **kwargs)
        result.store_ms.append((time.perf_counter() - started) * 1000)
        return hits

    return timed_observe, timed_store


def probe(node: Node, caller: Caller, work: Workload, count: int) -> ProbeResult:
    """Publish `count` alerts one by one, timing the correlation step inside each publish."""
    cap = int(node.settings.correlation_noisy_after)
    held = probe_values(work, cap, 5_000)
    rng = random.Random(work.seed + 2)
    result = ProbeResult()
    real = sightings.observe, sightings.store
    sightings.observe, sightings.store = _timing(result)
    report = Progress("probe", count)
    try:
        for i in range(count):
            body = alert_body(f"#{i}") | {"text": probe_text(i, work.n + work.pool, held, rng)}
            started = time.perf_counter()
            env = publish(node, caller, NewItem("alert", body, Markings(tlp=TLP.AMBER)))
            result.publish_ms.append((time.perf_counter() - started) * 1000)
            result.sighted += len(item_indicators.indicators_of(env))
            report.show(i + 1, (i + 1) / (sum(result.publish_ms) / 1000))
    finally:
        sightings.observe, sightings.store = real
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------------------------------------
# One database.


def bench_database(node: Node, label: str, args: argparse.Namespace) -> dict[str, Any]:
    caller = officer(node)
    work = Workload(args.n)
    print(f"{label}: loading {args.n:,} indicators in batches of {args.batch} items", flush=True)
    loaded = load(node, work, args.batch)
    if not node.store.is_sqlite:
        # why: the planner statistics autovacuum keeps on a running server; without them,
        # tables that grew from empty in minutes are planned as if still empty
        with node.store.write() as conn:
            conn.execute(text("ANALYZE"))
    sighted_bytes, value_bytes = storage_bytes(node)
    with node.store.read() as conn:
        values, seen = table_rows(conn)
    cap = int(node.settings.correlation_noisy_after)
    figures: dict[str, Any] = {
        "indicators": loaded.indicators,
        "items": loaded.items,
        "load_indicators_per_s": loaded.indicators / loaded.seconds,
        "load_sightings_per_s": seen / loaded.seconds,
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
        f"{label}: {figures['load_indicators_per_s']:,.0f} indicators/s "
        f"({seen:,} sightings of {values:,} values stored in {loaded.seconds:.1f} s; "
        f"untimed: generating {loaded.generate_seconds:.1f} s, item rows "
        f"{loaded.items_seconds:.1f} s)",
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
    figures |= probe_figures(node, caller, work, args.items_probe, label)
    return {f"{label}_{k}": v for k, v in figures.items()}


def probe_figures(
    node: Node, caller: Caller, work: Workload, count: int, label: str
) -> dict[str, Any]:
    print(f"{label}: publishing {count:,} alerts with correlation", flush=True)
    probed = probe(node, caller, work, count)
    figures = {
        "correlation_p50_ms": statistics.median(probed.correlation_ms),
        "correlation_p99_ms": percentile(probed.correlation_ms, 0.99),
        "correlation_store_p50_ms": statistics.median(probed.store_ms),
        "correlation_store_p99_ms": percentile(probed.store_ms, 0.99),
        "publish_p50_ms": statistics.median(probed.publish_ms),
        "publish_p99_ms": percentile(probed.publish_ms, 0.99),
        "probe_hits_per_item": probed.hits / count,
        "probe_indicators_per_item": probed.sighted / count,
    }
    print(
        f"{label}: correlation on ingest p50 {figures['correlation_p50_ms']:.3f} ms, "
        f"p99 {figures['correlation_p99_ms']:.3f} ms (storing and hits alone: p50 "
        f"{figures['correlation_store_p50_ms']:.3f} ms, p99 "
        f"{figures['correlation_store_p99_ms']:.3f} ms); whole publish p50 "
        f"{figures['publish_p50_ms']:.2f} ms, p99 {figures['publish_p99_ms']:.2f} ms; "
        f"{figures['probe_hits_per_item']:.2f} hits per item",
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
    parser.add_argument("--batch", type=int, default=1000, help="items per load transaction")
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
    if "sqlite" in wanted:
        figures |= run_sqlite(args)
    if "postgres" in wanted:
        figures |= run_postgres(args)
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
