"""Correlation on ingest at scale (bench_correlation.py): alerts published one by one after the
load, each with 3 identifiers in its text, the correlation step inside each publish timed."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from common import Progress, alert_body
from indicator_workload import Workload, email, iban, phone, value_of, wallet

from csnet.access import Caller
from csnet.correlation import sightings
from csnet.handling.markings import TLP, Markings
from csnet.indicators import registry
from csnet.items import item_indicators
from csnet.node import Node
from csnet.publishing import NewItem, publish

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
        f"{figures['correlation_store_p99_ms']:.3f} ms, target <= 1 ms); whole publish p50 "
        f"{figures['publish_p50_ms']:.2f} ms, p99 {figures['publish_p99_ms']:.2f} ms; "
        f"{figures['probe_hits_per_item']:.2f} hits per item",
        flush=True,
    )
    return figures
