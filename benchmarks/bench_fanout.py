"""Fan-out and catch-up between real `csnet serve` processes on 127.0.0.1 (issue 3).

1. Two nodes peered over HTTP (invitation + handshake): a member of A posts alerts addressed to B
   through A's API, one at a time; latency = just before the POST is sent → the event read from
   B's SSE stream by a member of B. Also, as a reference, B's own post → B's stream (local).
2. Ten nodes in full mesh: one origin posts to the nine others; one SSE listener per receiver.
3. Catch-up: B stopped while A (stopped too) stores `--catchup` alerts addressed to B through the
   service layer (publish_many, which queues the outbox); then both start and we poll B's store
   until it holds them all.
4. The Matrix Synapse harness (shared/peers/synapse, next to the repository) in the same run.

Only loopback traffic; every loop is bounded; every process started here is stopped by its PID.
Prints a few readable lines and, as its last line, one JSON object with the figures.
Usage: python benchmarks/bench_fanout.py [--n 500] [--mesh-n 100] [--catchup 100000]
       [--skip-synapse] [--synapse-dir DIR] [--synapse-venv DIR] [--record]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from common import alert_body, machine, record

from csnet.access import Caller
from csnet.accounts import members, tokens
from csnet.federation import handshake, invite_ops
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.node import init_node, open_node
from csnet.publishing import NewItem, publish_many
from csnet.settings import load_settings, write_config
from csnet.web.peer_transport import HttpPeerTransport

ROOT = Path(__file__).resolve().parents[1]
SYNAPSE_DIR = Path(__file__).resolve().parents[2] / "shared" / "peers" / "synapse"
COUNTRIES = ("GR", "IT", "ES", "MT", "CY", "HR", "PT", "FR", "DE", "NL")
WAIT_S = 10.0  # an alert not seen within this is counted lost
GAP_S = 0.02  # pause before each post, as in the Synapse harness (GAP_MS=20)
WARMUP = 20  # first posts of each path not counted, as in the Synapse harness
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


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
        with node.store.write() as conn:
            member, _totp = members.add_member(
                conn,
                username="officer",
                display_name="Officer",
                role=Role.OFFICER,
                password="benchmark password",
                now=node.now(),
                hasher=FAST_HASHER,
            )
            _info, self.token = tokens.create_token(
                conn, member.id, "bench", ["read", "write"], node.now(), 30
            )
        self.member = member
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
            return _count(db, origin)


def _count(db: sqlite3.Connection, origin: str) -> int:
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


def bench_two(a: Server, b: Server, n: int) -> dict[str, Any]:
    with running([a, b]):
        with _transport() as transport:
            peer(a, b, transport)
        listeners = start_listeners([b])
        two = measure(a, [b], listeners, n, "two")
        local = measure(b, [b], listeners, max(100, n // 5), "local")
        stop_listeners(listeners)
    return {"two_node": two, "local": local}


@contextmanager
def _transport() -> Iterator[HttpPeerTransport]:
    transport = HttpPeerTransport()
    try:
        yield transport
    finally:
        transport.close()


def bench_mesh(root: Path, size: int, n: int) -> dict[str, Any]:
    servers = [Server(root, 10 + i) for i in range(size)]
    with running(servers), _transport() as transport:
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
            held = _count(db, a.node_id)
            while held < expected and time.perf_counter() - t0 < deadline_s:
                time.sleep(0.25)
                held = _count(db, a.node_id)
            elapsed = time.perf_counter() - t0
        finally:
            db.close()
    got = held - before
    return {
        "items": total,
        "received": got,
        "seconds": round(elapsed, 2),
        "items_per_s": round(got / elapsed, 1),
        "stored_on_a_items_per_s": round(total / stored_s, 1),
        "startup_s": round(ready_s, 2),
        "items_per_s_after_startup": round(got / max(1e-9, elapsed - ready_s), 1),
        "complete": held >= expected,
    }


def bench_synapse(directory: Path, n: int, venv: str | None) -> dict[str, Any]:
    if not (directory / "run.sh").is_file():
        print(f"  Synapse harness not found in {directory}: comparison skipped")
        return {"skipped": f"no harness in {directory.name}"}
    env = {**os.environ, "N": str(n)}
    if venv:
        env["VENV"] = venv
    run = subprocess.run(
        ["bash", str(directory / "run.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    try:
        result = json.loads(last)
    except json.JSONDecodeError:
        print(f"  Synapse harness failed (rc {run.returncode}): {run.stderr[-800:]}")
        return {"skipped": f"harness failed, rc {run.returncode}"}
    for line in run.stdout.splitlines()[:-1]:
        if line.strip():
            print("  " + line.strip())
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500, help="2-node alerts (after 20 warm-up)")
    parser.add_argument("--mesh-n", type=int, default=100, help="alerts to the 10-node mesh")
    parser.add_argument("--mesh-size", type=int, default=10)
    parser.add_argument("--catchup", type=int, default=100000, help="items queued while B is down")
    parser.add_argument("--skip-synapse", action="store_true")
    parser.add_argument("--synapse-n", type=int, default=200)
    parser.add_argument("--synapse-dir", type=Path, default=SYNAPSE_DIR)
    parser.add_argument("--synapse-venv", help="venv for Synapse (run.sh's default otherwise)")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument(
        "--only", default="two,mesh,catchup", help="phases to run, comma-separated (default all)"
    )
    args = parser.parse_args()
    phases = set(args.only.split(","))
    if not phases <= {"two", "mesh", "catchup"}:
        parser.error("--only takes two, mesh and catchup")
    figures: dict[str, Any] = {"machine": machine(), "load_avg_1m_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="csnet-fanout-") as tmp:
        root = Path(tmp)
        a, b = Server(root, 0), Server(root, 1)
        if "two" in phases:
            figures.update(phase_two(a, b, args))
        else:
            with running([a, b]), _transport() as transport:
                peer(a, b, transport)
        if "mesh" in phases:
            figures.update(phase_mesh(root, args))
        if "catchup" in phases:
            catchup = bench_catchup(a, b, args.catchup)
            figures["catchup"] = catchup
            print(
                f"catch-up: {catchup['received']}/{catchup['items']} items on B in "
                f"{catchup['seconds']} s from start: {catchup['items_per_s']} items/s"
            )
    figures["load_avg_1m_end"] = os.getloadavg()[0]
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    if args.record:
        record_run(result)
    print(json.dumps(result))


def phase_two(a: Server, b: Server, args: argparse.Namespace) -> dict[str, Any]:
    """2 nodes, then Synapse in the same run; the figures and their ratio."""
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
    if args.skip_synapse:
        figures["synapse"] = {"skipped": "--skip-synapse"}
    else:
        figures["synapse"] = bench_synapse(args.synapse_dir, args.synapse_n, args.synapse_venv)
    syn_p50 = (figures["synapse"].get("federated_ms") or {}).get("p50")
    if syn_p50:
        figures["ratio_two_node_p50_to_synapse_p50"] = round(
            figures["two_node_ms"]["p50"] / syn_p50, 3
        )
        print(
            f"Synapse federated p50 {syn_p50} ms; csnet/Synapse p50 ratio "
            f"{figures['ratio_two_node_p50_to_synapse_p50']} (target <= 0.1)"
        )
    return figures


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
