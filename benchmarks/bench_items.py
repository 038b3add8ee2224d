"""Items: create, sign, store and audit alerts through the service layer; verify signatures.

The node's rates are set against PyNaCl's (libsodium's) Ed25519 on one core, single thread,
measured in the same run on messages of the items' mean size: stored items/s over the sign rate,
signatures verified/s (the node's two-core path, check_signatures) and items verified and parsed/s
(verify_many, two cores) over the verify rate. A ratio is steadier than a rate on a shared machine.
Prints a few readable lines, each ratio with its target, and, as its last line, one JSON object.
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

from common import alert_body, libsodium_rates, machine, officer, record

from csnet.access import Caller
from csnet.handling.markings import TLP, Markings
from csnet.items.batch import check_signatures, verify_many
from csnet.items.pools import WorkerPool
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
    assert not any(check_signatures(sample, keys.get))
    signatures_1 = _rate(len(sample), started)
    pool = WorkerPool(2)
    check_signatures(raws[:512], keys.get, pool)  # start the worker processes
    started = time.perf_counter()
    assert not any(check_signatures(raws, keys.get, pool))
    signatures_2 = _rate(len(raws), started)
    started = time.perf_counter()
    for raw in sample:
        verify_envelope(raw, keys.get)
    full_1 = _rate(len(sample), started)
    started = time.perf_counter()
    assert verify_many(raws, keys.get, pool).ok
    full_2 = _rate(len(raws), started)
    pool.close()
    return {
        "signatures_per_s_1core": signatures_1,
        "signatures_per_s_2cores": signatures_2,
        "verify_and_parse_per_s_1core": full_1,
        "verify_and_parse_per_s_2cores": full_2,
        "item_bytes_mean": statistics.mean(len(r) for r in raws),
    }


def ratios(figures: dict[str, Any]) -> dict[str, float]:
    """The issue's keys: the node's rates over libsodium's one-core rates of the same run."""
    sign, verify = figures["libsodium_sign_per_s_1core"], figures["libsodium_verify_per_s_1core"]
    return {
        "stored_per_s_ratio_to_sign_1core": figures["stored_items_per_s"] / sign,
        "verify_2core_ratio_to_verify_1core": figures["signatures_per_s_2cores"] / verify,
        "verify_parse_ratio_to_verify_1core": figures["verify_and_parse_per_s_2cores"] / verify,
        "verify_parse_1core_ratio_to_verify_1core": figures["verify_and_parse_per_s_1core"]
        / verify,
    }


TARGETS = (  # (key, what it is, the target)
    ("stored_per_s_ratio_to_sign_1core", "stored items/s / libsodium sign/s (1 core)", ">= 0.12"),
    (
        "verify_2core_ratio_to_verify_1core",
        "signatures verified/s, node's 2-core path / libsodium verify/s (1 core)",
        ">= 1.8",
    ),
    (
        "verify_parse_ratio_to_verify_1core",
        "verified and parsed/s, node's 2-core path / libsodium verify/s (1 core)",
        ">= 0.5",
    ),
)


def print_targets(figures: dict[str, Any]) -> None:
    print(
        f"libsodium alone, 1 core: sign {figures['libsodium_sign_per_s_1core']:.0f}/s, "
        f"verify {figures['libsodium_verify_per_s_1core']:.0f}/s "
        f"({figures['item_bytes_mean']:.0f}-byte items)"
    )
    for key, what, target in TARGETS:
        print(f"{key} = {figures[key]:.3f} ({what}; target {target})")


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
        figures: dict[str, Any] = {"machine": machine(), "load_avg_1m_start": os.getloadavg()[0]}
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
        print(
            f"signatures: {figures['signatures_per_s_1core']:.0f}/s on 1 core, "
            f"{figures['signatures_per_s_2cores']:.0f}/s on 2 cores; verify and parse: "
            f"{figures['verify_and_parse_per_s_1core']:.0f}/s on 1 core, "
            f"{figures['verify_and_parse_per_s_2cores']:.0f}/s on 2 cores"
        )
        node.close()
    figures |= libsodium_rates(int(figures["item_bytes_mean"]))
    figures |= ratios(figures)
    figures["load_avg_1m_end"] = os.getloadavg()[0]
    print_targets(figures)
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
