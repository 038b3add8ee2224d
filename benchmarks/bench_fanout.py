"""Fan-out and catch-up between real `csnet serve` processes on 127.0.0.1 (issues 3 and 13).

1. Two nodes peered over HTTP (invitation + handshake): a member of A posts alerts addressed to B
   through A's API, one at a time; latency = just before the POST is sent → the event read from
   B's SSE stream by a member of B. Also, as a reference, B's own post → B's stream (local).
   Then, in the same run, the floor of the stack (shared/peers/floor: two bare nodes of the
   same parts) and the Matrix Synapse harness (shared/peers/synapse), both next to the
   repository, measured the same way (fanout_references.py).
2. Ten nodes in full mesh: one origin posts to the nine others; one SSE listener per receiver.
3. Catch-up: B stopped while A (stopped too) stores `--catchup` alerts addressed to B through the
   service layer (publish_many, which queues the outbox); then both start and we poll B's store
   until it holds them all. Its bound: 2 × libsodium's one-core Ed25519 verify rate (PyNaCl,
   single thread, the items' mean size), measured in the same run.

The issue's keys, each a ratio of two figures of the same run, are printed with their targets
before the last line: ratio_two_node_p50_to_floor_p50, ratio_two_node_p50_to_synapse_p50,
ratio_mesh_p99_to_two_node_p99, catchup.ratio_to_bound, and A's POST alone against the floor's.

Only loopback traffic; every loop is bounded; every process started here is stopped by its PID.
Prints a few readable lines and, as its last line, one JSON object with the figures.
Usage: python benchmarks/bench_fanout.py [--n 500] [--mesh-n 100] [--catchup 100000]
       [--floor-n 200] [--floor-dir DIR] [--skip-floor]
       [--skip-synapse] [--synapse-dir DIR] [--synapse-venv DIR] [--only two,mesh,catchup]
       [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import alert_body, libsodium_rates, machine, record
from fanout_nodes import (
    Server,
    count_from_origin,
    measure,
    peer,
    peer_transport,
    running,
    start_listeners,
    stop_listeners,
)
from fanout_references import FLOOR_DIR, SYNAPSE_DIR, bench_floor, bench_synapse

from csnet.access import Caller
from csnet.accounts import members
from csnet.handling.markings import TLP, Markings
from csnet.node import open_node
from csnet.publishing import NewItem, publish_many
from csnet.settings import load_settings


def bench_two(a: Server, b: Server, n: int) -> dict[str, Any]:
    with running([a, b]):
        with peer_transport() as transport:
            peer(a, b, transport)
        listeners = start_listeners([b])
        two = measure(a, [b], listeners, n, "two")
        local = measure(b, [b], listeners, max(100, n // 5), "local")
        stop_listeners(listeners)
    return {"two_node": two, "local": local}


def bench_mesh(root: Path, size: int, n: int) -> dict[str, Any]:
    servers = [Server(root, 10 + i) for i in range(size)]
    with running(servers), peer_transport() as transport:
        started = time.perf_counter()
        for i, inviter in enumerate(servers):
            for acceptor in servers[i + 1 :]:
                peer(inviter, acceptor, transport)
        peering_s = time.perf_counter() - started
        print(
            f"  {size} nodes peered in full mesh ({size * (size - 1) // 2} handshakes) "
            f"in {peering_s:.1f} s"
        )
        listeners = start_listeners(servers[1:])
        result = measure(servers[0], servers, listeners, n, "mesh")
        stop_listeners(listeners)
    return {**result, "nodes": size, "peering_s": round(peering_s, 1)}


def bench_catchup(a: Server, b: Server, total: int, batch: int = 500) -> dict[str, Any]:
    """A and B stopped; A stores `total` alerts for B in-process; then both start."""
    node = open_node(load_settings(a.dir, environ={}))
    with node.store.read() as conn:
        member = members.get_member(conn, a.member.id)
    caller = Caller(member)
    before = b.count_from(a.node_id)
    started = time.perf_counter()
    for first in range(0, total, batch):
        news = [
            NewItem(
                "alert",
                alert_body(f"catch-up {i}"),
                Markings(tlp=TLP.AMBER),
                audience_nodes=(b.node_id,),
            )
            for i in range(first, min(total, first + batch))
        ]
        publish_many(node, caller, news)
    stored_s = time.perf_counter() - started
    node.close()
    expected = before + total
    print(f"  stored {total} alerts for B on A (B offline) in {stored_s:.1f} s")
    deadline_s = 120 + total / 200  # bounded: at worst 200 items/s
    t0 = time.perf_counter()  # from the start of both processes: their startup counts
    with running([a, b]):
        ready_s = time.perf_counter() - t0
        db = sqlite3.connect(f"file:{b.dir / 'csnet.db'}?mode=ro", uri=True, timeout=10)
        try:
            held = count_from_origin(db, a.node_id)
            while held < expected and time.perf_counter() - t0 < deadline_s:
                time.sleep(0.25)
                held = count_from_origin(db, a.node_id)
            elapsed = time.perf_counter() - t0
            item_bytes = mean_item_bytes(db, a.node_id)
        finally:
            db.close()
    got = held - before
    return {
        "item_bytes_mean": round(item_bytes, 1),
        "items": total,
        "received": got,
        "seconds": round(elapsed, 2),
        "items_per_s": round(got / elapsed, 1),
        "stored_on_a_items_per_s": round(total / stored_s, 1),
        "startup_s": round(ready_s, 2),
        "items_per_s_after_startup": round(got / max(1e-9, elapsed - ready_s), 1),
        "complete": held >= expected,
    }


def mean_item_bytes(db: sqlite3.Connection, origin: str) -> float:
    """The mean size of the signed items of `origin` held: what a verification reads."""
    query = "SELECT avg(length(envelope)) FROM items WHERE origin = ?"
    return float(db.execute(query, (origin,)).fetchone()[0] or 0)


def catchup_bound(catchup: dict[str, Any]) -> dict[str, Any]:
    """Catch-up against its bound, 2 × libsodium's one-core verify rate (measured now, single
    thread, on messages of the items' mean size): a receiver on two cores can at best verify
    that many signatures a second."""
    verify = libsodium_rates(int(catchup["item_bytes_mean"]) or 1100)[
        "libsodium_verify_per_s_1core"
    ]
    bound = 2 * verify
    return {
        "libsodium_verify_per_s_1core": round(verify, 1),
        "bound_items_per_s": round(bound, 1),
        "ratio_to_bound": round(catchup["items_per_s"] / bound, 4),
    }


def main() -> None:
    args = parse_args()
    phases = set(args.only.split(","))
    figures: dict[str, Any] = {"machine": machine(), "load_avg_1m_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="csnet-fanout-") as tmp:
        root = Path(tmp)
        a, b = Server(root, 0), Server(root, 1)
        if "two" in phases:
            figures.update(phase_two(a, b, args))
        else:
            with running([a, b]), peer_transport() as transport:
                peer(a, b, transport)
        if "mesh" in phases:
            figures.update(phase_mesh(root, args))
        if "catchup" in phases:
            figures["catchup"] = phase_catchup(a, b, args.catchup)
    figures |= mesh_ratio(figures)
    figures["load_avg_1m_end"] = os.getloadavg()[0]
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    print_targets(result)
    if args.record:
        record_run(result)
    print(json.dumps(result))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500, help="2-node alerts (after 20 warm-up)")
    parser.add_argument("--mesh-n", type=int, default=100, help="alerts to the 10-node mesh")
    parser.add_argument("--mesh-size", type=int, default=10)
    parser.add_argument("--catchup", type=int, default=100000, help="items queued while B is down")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--floor-n", type=int, default=200, help="alerts through the floor")
    parser.add_argument("--floor-dir", type=Path, default=FLOOR_DIR)
    parser.add_argument("--skip-synapse", action="store_true")
    parser.add_argument("--synapse-n", type=int, default=200)
    parser.add_argument("--synapse-dir", type=Path, default=SYNAPSE_DIR)
    parser.add_argument("--synapse-venv", help="venv for Synapse (run.sh's default otherwise)")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument(
        "--only", default="two,mesh,catchup", help="phases to run, comma-separated (default all)"
    )
    args = parser.parse_args()
    if not set(args.only.split(",")) <= {"two", "mesh", "catchup"}:
        parser.error("--only takes two, mesh and catchup")
    return args


def phase_two(a: Server, b: Server, args: argparse.Namespace) -> dict[str, Any]:
    """2 nodes, then the floor and Synapse in the same run; the figures and their ratios."""
    figures: dict[str, Any] = {}
    two = bench_two(a, b, args.n)
    figures["two_node_n"] = args.n
    figures["two_node_ms"] = two["two_node"]["ms"]
    figures["two_node_post_rtt_ms"] = two["two_node"]["post_rtt_ms"]
    figures["two_node_lost"] = two["two_node"]["lost"]
    figures["local_ms"] = two["local"]["ms"]
    print(
        f"2 nodes, A posts -> B's stream, {args.n} alerts: {_line(two['two_node'])}; "
        f"A's POST alone p50 {two['two_node']['post_rtt_ms']['p50']} ms"
    )
    print(f"  reference, B posts -> B's stream: {_line(two['local'])}")
    if args.skip_floor:
        figures["floor"] = {"skipped": "--skip-floor"}
    else:
        print(f"floor of the stack, {args.floor_n} alerts:")
        figures["floor"] = bench_floor(args.floor_dir, args.floor_n)
    if args.skip_synapse:
        figures["synapse"] = {"skipped": "--skip-synapse"}
    else:
        figures["synapse"] = bench_synapse(args.synapse_dir, args.synapse_n, args.synapse_venv)
    return figures | reference_ratios(figures)


def _p(figures: dict[str, Any], *path: str) -> float | None:
    """figures[path[0]][path[1]]…, None where any step is missing (a skipped phase)."""
    value: Any = figures
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) and value else None


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 3) if top is not None and bottom else None


def reference_ratios(figures: dict[str, Any]) -> dict[str, Any]:
    """csnet's 2-node figures over the floor's and Synapse's of the same run."""
    two_p50 = _p(figures, "two_node_ms", "p50")
    post_p50 = _p(figures, "two_node_post_rtt_ms", "p50")
    floor_post = _p(figures, "floor", "post_ms", "p50")
    out = {
        "ratio_two_node_p50_to_floor_p50": _ratio(two_p50, _p(figures, "floor", "floor_ms", "p50")),
        "ratio_two_node_p50_to_synapse_p50": _ratio(
            two_p50, _p(figures, "synapse", "federated_ms", "p50")
        ),
        "ratio_post_p50_to_floor_post_p50": _ratio(post_p50, floor_post),
    }
    print(
        f"A's POST alone p50 {post_p50} ms; the floor's whole POST (sign, store, push to its "
        f"peer) p50 {floor_post} ms; ratio {out['ratio_post_p50_to_floor_post_p50']}"
    )
    return {k: v for k, v in out.items() if v is not None}


def mesh_ratio(figures: dict[str, Any]) -> dict[str, Any]:
    """The 10-node mesh's p99 (over all its receipts) over the 2-node p99 of the same run."""
    ratio = _ratio(_p(figures, "mesh_ms", "p99"), _p(figures, "two_node_ms", "p99"))
    return {} if ratio is None else {"ratio_mesh_p99_to_two_node_p99": ratio}


def phase_catchup(a: Server, b: Server, total: int) -> dict[str, Any]:
    catchup = bench_catchup(a, b, total)
    catchup |= catchup_bound(catchup)
    print(
        f"catch-up: {catchup['received']}/{catchup['items']} items on B in "
        f"{catchup['seconds']} s from start: {catchup['items_per_s']} items/s; bound 2 x "
        f"libsodium's 1-core verify rate = {catchup['bound_items_per_s']} items/s"
    )
    return catchup


TARGETS = (  # (key, what it compares, the target)
    ("ratio_two_node_p50_to_floor_p50", "2-node p50 / the floor's p50", "<= 2.0"),
    ("ratio_two_node_p50_to_synapse_p50", "2-node p50 / Synapse's federated p50", "<= 0.2"),
    ("ratio_mesh_p99_to_two_node_p99", "{mesh}-node mesh p99 / 2-node p99", "<= 1.5"),
    ("catchup.ratio_to_bound", "catch-up items/s / (2 x libsodium verify/s, 1 core)", ">= 0.3"),
)


def print_targets(result: dict[str, Any]) -> None:
    print("issue 13's keys (ratios within this run):")
    for key, what, target in TARGETS:
        value = _p(result, *key.split("."))
        shown = "not measured (phase skipped or failed)" if value is None else f"{value:g}"
        said = what.format(mesh=result.get("mesh_nodes", "10"))
        print(f"  {key} = {shown} ({said}; target {target})")


def phase_mesh(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    mesh = bench_mesh(root, args.mesh_size, args.mesh_n)
    figures["mesh_nodes"] = mesh["nodes"]
    figures["mesh_n"] = args.mesh_n
    figures["mesh_ms"] = mesh["ms"]
    figures["mesh_post_rtt_ms"] = mesh["post_rtt_ms"]
    figures["mesh_receipts"] = mesh["receipts"]
    figures["mesh_lost"] = mesh["lost"]
    print(
        f"{mesh['nodes']} nodes, 1 origin -> {mesh['nodes'] - 1} streams, {args.mesh_n} "
        f"alerts ({mesh['receipts']} receipts): {_line(mesh)}"
    )
    return figures


def _line(result: dict[str, Any]) -> str:
    ms = result["ms"]
    return f"p50 {ms['p50']} ms, p90 {ms['p90']} ms, p99 {ms['p99']} ms (lost {result['lost']})"


def _flat(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat(f"{prefix}.{key}" if prefix else key, inner)
    else:
        yield prefix, value


def record_run(result: dict[str, Any]) -> None:
    figures = [
        (k, v)
        for k, v in _flat("", result)
        if k != "machine" and not re.match(r"synapse\.(peer|warmup)", k)
    ]
    record("bench_fanout.py", result["machine"], figures)


if __name__ == "__main__":
    main()
