"""Web pages: server time of the feed, search and item pages with 100,000 items in the node.

Loads a realistic mix of alerts and notes (urgencies, tags, routes, places, phone numbers in the
text) through the service layer, then requests each page many times in process and reads the
server's own time from the `Server-Timing` header (first byte, without the network's share).
Target: feed and search p95 ≤ 100 ms; the feed filtered by urgency, by route and by tag (one
index walk each, csnet/feed/index.py) p95 ≤ 1.2 × the unfiltered feed's p95, printed as
`ratio_filtered_p95_to_unfiltered_p95` per filter.

Prints a few readable lines and, as its last line, one JSON object with the figures.
Usage: python benchmarks/bench_pages.py [--items 100000] [--requests 200] [--record]
       [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import machine, officer, record
from fastapi.testclient import TestClient

from csnet.access import Caller
from csnet.accounts import sessions
from csnet.items.bodies import FRONTEX_ROUTES
from csnet.node import Node, init_node
from csnet.publishing import NewItem, publish_many
from csnet.web.app import create_app
from csnet.web.deps import SESSION_COOKIE

BATCH = 500
EPOCH = datetime(2026, 9, 1, tzinfo=UTC)
STEP = timedelta(seconds=25)  # 100,000 items span about a month
URGENCIES = ("ROUTINE",) * 70 + ("PRIORITY",) * 20 + ("IMMEDIATE",) * 8 + ("FLASH",) * 2
TAGS = ("boat", "truck", "sar", "documents", "crypto", "telegram", "facebook", "border", "ferry")
PLACES = (
    ("Zuwara", 32.93, 12.08),
    ("Gavdos", 34.84, 24.08),
    ("Quetta", 30.18, 66.99),
    ("Van", 38.49, 43.38),
    ("Evros", 41.1, 26.3),
)
PHONE_SHARE = 0.2
PROBE_PHONE = "+92 300 1234567"  # in one item; searched as "0300-123 4567"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """Item times spread over a month, one step per item, as a busy node would see them."""

    def __init__(self) -> None:
        self.now = EPOCH

    def __call__(self) -> datetime:
        self.now += STEP
        return self.now


def new_item(i: int, rng: random.Random) -> NewItem:
    phone = f" Contact +92 3{rng.randrange(10**8, 10**9)}." if rng.random() < PHONE_SHARE else ""
    if i == 0:
        phone = f" Organiser's number {PROBE_PHONE}."
    tags = rng.sample(TAGS, rng.randrange(0, 4))
    route = rng.choice(FRONTEX_ROUTES)
    if rng.random() < 0.15:
        body: dict[str, Any] = {
            "title": f"Modus operandi {i}: concealment in {rng.choice(TAGS)} transport",
            "text": "Smugglers move groups at night and switch vehicles at the border." + phone,
            "topic": "modus_operandi",
            "tags": tags,
        }
        return NewItem("note", body)
    name, lat, lon = rng.choice(PLACES)
    body = {
        "title": f"Departure expected near {name} ({i})",
        "text": f"Group of {rng.randrange(5, 300)} persons, route {route}." + phone,
        "urgency": rng.choice(URGENCIES),
        "place": {"name": name, "lat": lat, "lon": lon},
        "tags": tags,
        "route": route,
    }
    return NewItem("alert", body)


def load(node: Node, caller: Caller, total: int) -> tuple[float, str]:
    """Publish `total` items in batches; returns (items/s, id of the item holding PROBE_PHONE)."""
    rng = random.Random(7)
    timed = dataclasses.replace(node, clock=Clock())
    started = time.perf_counter()
    probe = ""
    for first in range(0, total, BATCH):
        news = [new_item(i, rng) for i in range(first, min(total, first + BATCH))]
        published = publish_many(timed, caller, news)
        probe = probe or published[0].id
        if first % 10_000 == 0:
            print(f"  loaded {first + len(news):,} items", file=sys.stderr)
    return total / (time.perf_counter() - started), probe


def logged_in(node: Node, caller: Caller) -> tuple[TestClient, str]:
    with node.store.write() as conn:
        session_id, csrf = sessions.create_session(conn, caller.member.id, node.now(), 12)
    client = TestClient(create_app(node))
    client.cookies.set(SESSION_COOKIE, sessions.sign_session_id(node.session_secret, session_id))
    return client, csrf


def server_ms(response: Any) -> float:
    header = response.headers.get("server-timing", "")
    found = re.search(r"dur=([0-9.]+)", header)
    if response.status_code >= 400 or not found:
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return float(found.group(1))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(name: str, request: Callable[[], Any], count: int) -> dict[str, float]:
    for _ in range(10):
        server_ms(request())  # warm: templates compiled, caches filled
    times = [server_ms(request()) for _ in range(count)]
    figures = {
        f"{name}_p50_ms": round(percentile(times, 0.5), 2),
        f"{name}_p95_ms": round(percentile(times, 0.95), 2),
        f"{name}_p99_ms": round(percentile(times, 0.99), 2),
    }
    print(f"{name}: p50 {figures[f'{name}_p50_ms']} ms, p95 {figures[f'{name}_p95_ms']} ms")
    return figures


def older_link(client: TestClient) -> str:
    page = client.get("/").text
    found = re.search(r'href="(/\?[^"]*before[^"]*)"', page)
    if not found:
        raise SystemExit("the feed shows no link to older items")
    return found.group(1).replace("&amp;", "&")


def pages(client: TestClient, csrf: str, probe: str) -> dict[str, Callable[[], Any]]:
    older = older_link(client)
    justification = "Benchmark of the search page"
    return {
        "feed": lambda: client.get("/"),
        "feed_older": lambda: client.get(older),
        "feed_flash": lambda: client.get("/?urgency=FLASH"),
        "feed_by_route": lambda: client.get("/?route=Western+Balkan"),
        "feed_by_tag": lambda: client.get("/?tag=ferry"),
        "feed_route": lambda: client.get("/?route=Western+Balkan&tag=ferry"),
        "search_phone": lambda: client.post(
            "/search",
            data={"csrf_token": csrf, "q": "0300-123 4567", "justification": justification},
        ),
        "search_words": lambda: client.post(
            "/search",
            data={"csrf_token": csrf, "q": "concealment ferry", "justification": justification},
        ),
        "item": lambda: client.get(f"/items/{probe}"),
    }


FILTERED = {"urgency": "feed_flash", "route": "feed_by_route", "tag": "feed_by_tag"}


def ratios(figures: dict[str, Any]) -> dict[str, float]:
    """Each filtered feed's p95 over the unfiltered feed's, from the same run."""
    unfiltered = figures["feed_p95_ms"]
    return {f: round(figures[f"{page}_p95_ms"] / unfiltered, 2) for f, page in FILTERED.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(
            Path(tmp) / "bench",
            name="PK-FIA",
            country="PK",
            agency="FIA",
            database_url=args.database_url,
        )
        caller = officer(node)
        rate, probe = load(node, caller, args.items)
        print(f"loaded {args.items:,} items: {rate:.0f} items/s")
        client, csrf = logged_in(node, caller)
        figures: dict[str, Any] = {
            "machine": machine(),
            "database": "postgresql" if args.database_url else "sqlite",
            "items": args.items,
            "load_items_per_s": round(rate),
        }
        for name, request in pages(client, csrf, probe).items():
            figures |= measure(name, request, args.requests)
        figures["ratio_filtered_p95_to_unfiltered_p95"] = ratios(figures)
        client.close()
        node.close()
    if args.record:
        record("bench_pages.py", figures["machine"], figures.items())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
