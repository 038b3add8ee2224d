"""Where the time of one `POST /api/v1/alerts` goes, in process (no socket, no server).

Times, one request at a time on a fresh SQLite node:
- `service`: the same alert published through the service layer (`publish`), the work itself;
- `http`: the POST through the whole ASGI app (middleware, dependencies, authentication, thread
  hand-off, validation, serialisation) with httpx's ASGITransport;
- `read_1`: `GET /api/v1/alerts?limit=1`, an authenticated read of one item.

Besides wall-clock percentiles (which a busy machine inflates), each phase reports what load
does not change: CPU time per request (all threads of the process), and per request the
hand-offs to a worker thread and the SQL statements executed.

`--profile FILE` also writes a cProfile of the `http` phase (sorted by cumulative time, the
first 70 lines printed); the thread hand-off is then done inline, since cProfile sees only one
thread, so the profile shows the work and the timing phases show the hand-off's cost.
Usage: python benchmarks/profile_http.py [--n 300] [--profile out.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
from common import FAST_HASHER, alert_body, machine, officer_with_token
from sqlalchemy import event

from csnet.access import Caller
from csnet.handling.markings import TLP, Markings
from csnet.node import Node, init_node
from csnet.publishing import NewItem, publish
from csnet.web.app import create_app

WARMUP = 20


def _officer(node: Node) -> tuple[Caller, str]:
    return officer_with_token(node, token_days=1)


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
        "n": len(ordered),
    }


class Counts:
    """CPU time, worker-thread hand-offs and SQL statements since `start`."""

    def __init__(self, node: Node) -> None:
        self.hops = self.statements = 0
        self.cpu = 0.0
        self.inline = False  # run in the loop's thread, so that cProfile sees the work
        event.listen(node.store.engine, "before_cursor_execute", self._statement)
        original = anyio.to_thread.run_sync

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.hops += 1
            if self.inline:
                return args[0](*args[1:])
            return await original(*args, **kwargs)

        anyio.to_thread.run_sync = counted  # type: ignore[assignment]

    def _statement(self, *_args: Any) -> None:
        self.statements += 1

    def start(self) -> None:
        self.hops = self.statements = 0
        self.cpu = time.process_time()

    def per_request(self, n: int) -> dict[str, float]:
        return {
            "cpu_ms": round((time.process_time() - self.cpu) * 1000 / n, 3),
            "hops": round(self.hops / n, 2),
            "statements": round(self.statements / n, 2),
        }


def _time_service(node: Node, caller: Caller, n: int, counts: Counts) -> dict[str, Any]:
    spent = []
    for i in range(WARMUP + n):
        new = NewItem("alert", alert_body(f"svc {i}"), Markings(tlp=TLP.AMBER))
        if i == WARMUP:
            counts.start()
        t0 = time.perf_counter()
        publish(node, caller, new)
        if i >= WARMUP:
            spent.append((time.perf_counter() - t0) * 1000)
    return {**_summary(spent), **counts.per_request(n)}


async def _time_requests(
    n: int, request: Callable[[int], Awaitable[httpx.Response]], counts: Counts
) -> dict[str, Any]:
    spent = []
    for i in range(WARMUP + n):
        if i == WARMUP:
            counts.start()
        t0 = time.perf_counter()
        response = await request(i)
        if response.status_code >= 300:
            raise SystemExit(f"{response.status_code}: {response.text}")
        if i >= WARMUP:
            spent.append((time.perf_counter() - t0) * 1000)
    return {**_summary(spent), **counts.per_request(n)}


async def _http_phases(
    node: Node, secret: str, n: int, profile: Path | None, counts: Counts
) -> dict[str, Any]:
    app = create_app(node)
    headers = {"Authorization": f"Bearer {secret}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://csnet", headers=headers
    ) as c:

        def post(i: int) -> Awaitable[httpx.Response]:
            body = {"body": alert_body(f"http {i}"), "markings": {"tlp": "TLP:AMBER"}}
            return c.post("/api/v1/alerts", json=body)

        def bare(_i: int) -> Awaitable[httpx.Response]:
            return c.get("/api/v1/alerts", params={"limit": 1})

        result = {
            "http_ms": await _time_requests(n, post, counts),
            "read_1_ms": await _time_requests(n, bare, counts),
        }
        if profile is not None:
            counts.inline = True
            profiler = cProfile.Profile()
            profiler.enable()
            await _time_requests(n, post, counts)
            profiler.disable()
            _write_profile(profiler, profile)
    return result


def _write_profile(profiler: cProfile.Profile, path: Path) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(120)
    path.write_text(out.getvalue(), encoding="utf-8")
    print("\n".join(out.getvalue().splitlines()[:70]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the POST phase here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csnet-profile-") as tmp:
        node = init_node(
            Path(tmp), name="PROFILE", country="GR", agency="Bench", hasher=FAST_HASHER
        )
        try:
            caller, secret = _officer(node)
            figures: dict[str, Any] = {"machine": machine(), "load_avg_1m": os.getloadavg()[0]}
            counts = Counts(node)
            figures["service_ms"] = _time_service(node, caller, args.n, counts)
            http = _http_phases(node, secret, args.n, args.profile, counts)
            figures.update(asyncio.run(http))
        finally:
            node.close()
    for key in ("p50", "cpu_ms"):
        spent = figures["http_ms"][key] - figures["service_ms"][key]
        figures[f"http_over_service_{key}"] = round(spent, 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
