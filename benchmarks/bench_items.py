"""Items: create, sign, store and audit alerts through the service layer; verify signatures.

Prints a few readable lines and, as its last line, one JSON object with the figures.
Usage: python benchmarks/bench_items.py [--items 20000] [--batch 100] [--single 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from common import alert_body, machine, officer, record
from nacl.signing import SigningKey

from csnet.access import Caller
from csnet.handling.markings import TLP, Markings
from csnet.items.batch import check_signatures, verify_many
from csnet.items.pools import close_pools
from csnet.items.signing import verify_envelope
from csnet.node import Node, init_node
from csnet.publishing import NewItem, publish, publish_many
from csnet.store import item_store


def alert(i: int) -> NewItem:
    return NewItem("alert", alert_body(f"#{i}"), Markings(tlp=TLP.AMBER))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_store(node: Node, caller: Caller, total: int, batch: int) -> dict[str, float]:
    start = time.perf_counter()
    for first in range(0, total, batch):
        publish_many(node, caller, [alert(i) for i in range(first, min(total, first + batch))])
    elapsed = time.perf_counter() - start
    return {"stored_items_per_s": total / elapsed, "batch": batch, "stored_items": total}


def bench_single(node: Node, caller: Caller, count: int) -> dict[str, float]:
    latencies = []
    for i in range(count):
        start = time.perf_counter()
        publish(node, caller, alert(i))
        latencies.append((time.perf_counter() - start) * 1000)
    return {
        "single_p50_ms": statistics.median(latencies),
        "single_p99_ms": percentile(latencies, 0.99),
        "single_items_per_s": count / (sum(latencies) / 1000),
    }


def _rate(count: int, started: float) -> float:
    return count / (time.perf_counter() - started)


def bench_verify(node: Node, count: int) -> dict[str, float]:
    """Signatures alone (limits, parse, id, Ed25519) and full verification (plus models)."""
    with node.store.read() as conn:
        raws = [h.raw for h in item_store.list_items(conn, kinds=["alert"], limit=count)]
    keys = {node.node_id: node.identity.public_key}
    sample = raws[:3000]
    started = time.perf_counter()
    assert not any(check_signatures(sample, keys.get, workers=1))
    signatures_1 = _rate(len(sample), started)
    check_signatures(raws[:512], keys.get, workers=2)  # start the worker processes
    started = time.perf_counter()
    assert not any(check_signatures(raws, keys.get, workers=2))
    signatures_2 = _rate(len(raws), started)
    started = time.perf_counter()
    for raw in sample:
        verify_envelope(raw, keys.get)
    full_1 = _rate(len(sample), started)
    started = time.perf_counter()
    assert verify_many(raws, keys.get, workers=2).ok
    full_2 = _rate(len(raws), started)
    close_pools()
    return {
        "signatures_per_s_1core": signatures_1,
        "signatures_per_s_2cores": signatures_2,
        "verify_and_parse_per_s_1core": full_1,
        "verify_and_parse_per_s_2cores": full_2,
        "item_bytes_mean": statistics.mean(len(r) for r in raws),
    }


def bench_libsodium(size: int, seconds: float = 2.0) -> float:
    key = SigningKey.generate()
    signed = key.sign(os.urandom(size))
    verify = key.verify_key.verify
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            verify(signed)
        count += 200
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single", type=int, default=1000)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(Path(tmp) / "bench", name="PK-FIA", country="PK", agency="FIA")
        caller = officer(node)
        figures: dict[str, Any] = {"machine": machine()}
        figures |= bench_store(node, caller, args.items, args.batch)
        print(
            f"stored {args.items} alerts in batches of {args.batch}: "
            f"{figures['stored_items_per_s']:.0f} items/s"
        )
        figures |= bench_single(node, caller, args.single)
        print(
            f"single publish: p50 {figures['single_p50_ms']:.2f} ms, "
            f"p99 {figures['single_p99_ms']:.2f} ms"
        )
        figures |= bench_verify(node, args.items)
        figures["libsodium_verify_per_s_1core"] = bench_libsodium(int(figures["item_bytes_mean"]))
        figures["signatures_ratio_to_libsodium_1core"] = (
            figures["signatures_per_s_2cores"] / figures["libsodium_verify_per_s_1core"]
        )
        print(
            f"signatures: {figures['signatures_per_s_1core']:.0f}/s on 1 core, "
            f"{figures['signatures_per_s_2cores']:.0f}/s on 2 cores; libsodium alone "
            f"{figures['libsodium_verify_per_s_1core']:.0f}/s on 1 core"
        )
        print(
            f"verify and parse: {figures['verify_and_parse_per_s_1core']:.0f}/s on 1 core, "
            f"{figures['verify_and_parse_per_s_2cores']:.0f}/s on 2 cores"
        )
        node.close()
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    if args.record:
        record(
            "bench_items.py",
            result["machine"],
            [(k, v) for k, v in result.items() if k != "machine"],
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
