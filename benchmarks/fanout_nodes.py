"""The csnet nodes bench_fanout.py runs: real `csnet serve` processes on 127.0.0.1, each with
an officer and a token; peering by invitation and handshake over HTTP; SSE listeners that note
when each item is first read; posting one alert at a time and timing it to every listener.

Only loopback traffic; every loop is bounded; every process started here is stopped by its PID.
"""

from __future__ import annotations

import json
import math
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from common import alert_body, officer_with_token

from csnet.federation import handshake, invite_ops
from csnet.node import init_node, open_node
from csnet.settings import load_settings, write_config
from csnet.web.peer_transport import HttpPeerTransport

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ("GR", "IT", "ES", "MT", "CY", "HR", "PT", "FR", "DE", "NL")
WAIT_S = 10.0  # an alert not seen within this is counted lost
GAP_S = 0.02  # pause before each post, as in the Synapse harness (GAP_MS=20)
WARMUP = 20  # first posts of each path not counted, as in the Synapse harness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float | None:
    """Nearest rank, as the Synapse harness computes it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def stats(values: list[float]) -> dict[str, float | None]:
    out = {f"p{int(q * 100)}": percentile(values, q) for q in (0.5, 0.9, 0.99)}
    out["max"] = max(values) if values else None
    return {k: round(v, 2) if v is not None else None for k, v in out.items()}


class Server:
    """One node: its data directory, port, officer token and (while running) its process."""

    def __init__(self, root: Path, index: int) -> None:
        self.dir = root / f"node{index}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        name, country = f"BENCH-{index}", COUNTRIES[index % len(COUNTRIES)]
        node = init_node(self.dir, name=name, country=country, agency=f"Bench agency {index}")
        self.node_id = node.node_id
        config = {"node_name": name, "country": country, "agency": f"Bench agency {index}"}
        write_config(self.dir, {**config, "port": self.port, "log_level": "warning"})
        caller, self.token = officer_with_token(node)
        self.member = caller.member
        node.close()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.dir / "serve.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "csnet.cli.main", "serve", "--data-dir", str(self.dir)],
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd=ROOT,
            )

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise SystemExit(f"node {self.dir.name} died:\n{self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=3).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"node {self.dir.name} did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def count_from(self, origin: str) -> int:
        """Items of `origin` held, read straight from the SQLite file (read-only)."""
        with sqlite3.connect(f"file:{self.dir / 'csnet.db'}?mode=ro", uri=True, timeout=10) as db:
            return count_from_origin(db, origin)


def count_from_origin(db: sqlite3.Connection, origin: str) -> int:
    return int(db.execute("SELECT count(*) FROM items WHERE origin = ?", (origin,)).fetchone()[0])


@contextmanager
def running(servers: list[Server]) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield
    finally:
        for server in servers:
            server.stop()


def peer(inviter: Server, acceptor: Server, transport: HttpPeerTransport) -> None:
    """Invitation on the inviter's store, handshake by the acceptor over HTTP (both serving)."""
    node = open_node(load_settings(inviter.dir, environ={}))
    try:
        invitation = invite_ops.issue(node, "host:bench", hours=1, url=inviter.url)
    finally:
        node.close()
    node = open_node(load_settings(acceptor.dir, environ={}))
    try:
        handshake.accept(node, transport, invitation.token(), "host:bench")
    finally:
        node.close()


class Listener(threading.Thread):
    """A member's SSE stream: records when each item id is first read."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.seen, self.cond = server, {}, threading.Condition()
        self.ready, self.stopping = threading.Event(), False
        self.seen: dict[str, float]
        self.last_id: str | None = None

    def run(self) -> None:
        with self.server.client() as client:
            while not self.stopping:  # bounded streams: reconnect with Last-Event-ID
                headers = {"Last-Event-ID": self.last_id} if self.last_id else {}
                try:
                    self._stream(client, headers)
                except httpx.HTTPError:
                    if self.stopping:
                        return
                    time.sleep(0.2)

    def _stream(self, client: httpx.Client, headers: dict[str, str]) -> None:
        params = {"max_seconds": 3600}
        timeout = httpx.Timeout(30, read=60)
        with client.stream(
            "GET", "/api/v1/stream", params=params, headers=headers, timeout=timeout
        ) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if self.stopping:
                    return
                if line.startswith("retry:"):
                    self.ready.set()
                elif line.startswith("id: "):
                    self.last_id = line[4:]
                elif line.startswith("data: {"):
                    now = time.perf_counter()
                    item_id = json.loads(line[6:]).get("id")
                    if item_id:
                        with self.cond:
                            self.seen.setdefault(item_id, now)
                            self.cond.notify_all()

    def wait_for(self, item_id: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: item_id in self.seen, timeout)
            return self.seen.get(item_id)


def post_and_wait(
    client: httpx.Client, audience: list[str], listeners: list[Listener], tag: str
) -> tuple[list[float | None], float]:
    """Post one alert; the latency (ms) to each listener (None: lost) and the POST's own RTT."""
    time.sleep(GAP_S)
    t0 = time.perf_counter()
    response = client.post(
        "/api/v1/alerts",
        json={
            "body": alert_body(tag),
            "markings": {"tlp": "TLP:AMBER"},
            "audience": {"nodes": audience},
        },
    )
    t_ack = time.perf_counter()
    if response.status_code != 201:
        raise SystemExit(f"post refused: {response.status_code} {response.text}")
    item_id = response.json()["id"]
    out: list[float | None] = []
    for listener in listeners:
        t1 = listener.wait_for(item_id, WAIT_S)
        out.append(None if t1 is None else (t1 - t0) * 1000)
    return out, (t_ack - t0) * 1000


def measure(
    origin: Server, targets: list[Server], listeners: list[Listener], n: int, label: str
) -> dict[str, Any]:
    lat: list[float] = []
    rtt: list[float] = []
    lost = 0
    audience = [t.node_id for t in targets if t is not origin]
    with origin.client() as client:
        for i in range(WARMUP + n):
            got, ack = post_and_wait(client, audience, listeners, f"{label}-{i}")
            lost += sum(1 for x in got if x is None)
            if i >= WARMUP:
                lat += [x for x in got if x is not None]
                rtt.append(ack)
    return {"ms": stats(lat), "post_rtt_ms": stats(rtt), "receipts": len(lat), "lost": lost}


def start_listeners(servers: list[Server]) -> list[Listener]:
    listeners = [Listener(s) for s in servers]
    for listener in listeners:
        listener.start()
    for listener in listeners:
        if not listener.ready.wait(30):
            raise SystemExit(f"no stream from {listener.server.dir.name}")
    return listeners


def stop_listeners(listeners: list[Listener]) -> None:
    for listener in listeners:
        listener.stopping = True  # the stream ends when its server stops (daemon threads)


@contextmanager
def peer_transport() -> Iterator[HttpPeerTransport]:
    transport = HttpPeerTransport()
    try:
        yield transport
    finally:
        transport.close()
