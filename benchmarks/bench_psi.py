"""Hit/no-hit: Diffie-Hellman PSI of N values against N values between two in-process parties.

End to end: the asker hashes and blinds its values, the messages are written and read as the
JSON of `POST /api/v1/federation/psi` (bytes on the wire counted), the holder raises the asked
points and hashes and blinds its own set, the asker raises the holder's points and matches.
Both parties use the same worker processes (one per core). With --nodes-n, also between two
`csnet serve` processes on 127.0.0.1: the holder's values stored as sightings, the query a
signed HTTP request to `POST /api/v1/federation/psi` (split into queries that fit the body
limit), the asker's side run by `hitcheck`. In the same run it measures the primitive,
libsodium's X25519 (crypto_scalarmult) on one core (and Ed25519's noclamp multiplication, the
group csnet used before, for context), and reports the ratio. Prints a few readable lines
and, as its last line, one JSON object.
Usage: python benchmarks/bench_psi.py [--n 1000000] [--overlap 0.1] [--workers 2]
       [--nodes-n 20000] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_fanout import Server, peer, running
from common import alert_body, machine, record
from nacl.bindings import (
    crypto_core_ed25519_from_uniform,
    crypto_core_ed25519_scalar_reduce,
    crypto_scalarmult,
    crypto_scalarmult_ed25519_noclamp,
)
from sqlalchemy import insert

from csnet.access import Caller
from csnet.correlation import psi, psi_federation, psi_pool, psi_wire
from csnet.handling.markings import TLP, Markings
from csnet.items.pools import WorkerPool
from csnet.node import open_node
from csnet.publishing import NewItem, publish
from csnet.settings import load_settings
from csnet.store.tables import indicator_values, sightings
from csnet.transport import PeerResponse
from csnet.web.peer_transport import HttpPeerTransport


def primitive_rate(
    mul: Callable[[bytes, bytes], bytes], montgomery: bool, seconds: float = 2.0
) -> float:
    """Scalar multiplications per second on one core, a fresh point each time (Ed25519
    points, or their X25519 u-coordinates)."""
    scalar = crypto_core_ed25519_scalar_reduce(os.urandom(64))
    points = [crypto_core_ed25519_from_uniform(os.urandom(32)) for _ in range(200)]
    if montgomery:
        points = psi.to_montgomery(points)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for point in points:
            mul(scalar, point)
        count += len(points)
    return count / (time.perf_counter() - start)


def phone_sets(n: int, overlap: float, seed: int = 7) -> tuple[list[str], list[str]]:
    """Two sets of n canonical E.164 numbers sharing `overlap` of them."""
    rng = random.Random(seed)
    numbers = [f"+3069{x:08d}" for x in rng.sample(range(10**8), 2 * n - int(n * overlap))]
    shared = int(n * overlap)
    return numbers[:n], numbers[n - shared : 2 * n - shared]


def wire(payload: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The message as the other side reads it, and its size in bytes."""
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return json.loads(body), len(body)


def one_query(asked: list[str], held: list[str], pool: WorkerPool) -> tuple[list[str], int]:
    """One PSI query end to end; returns the values found and the bytes both ways.

    One query of all N values: the endpoint's per-query limit (psi.MAX_QUERY_POINTS) is a
    policy on what one peer may ask at once, not part of the protocol's cost."""
    limit = max(len(asked), psi.MAX_QUERY_POINTS)
    query = psi_pool.ask("phone", asked, pool, limit)
    request, sent = wire(
        {
            "type": "phone",
            "points": psi_wire.encode_points(query.points),
            "justification": "benchmark",
        }
    )
    points = psi_wire.decode_points(request["points"], "asked", limit)
    reply = psi_pool.answer(request["type"], points, held, pool, limit)
    response, received = wire(psi_wire.answer_json(reply))
    answer = psi_wire.answer_from_json(response, len(query.points), psi.MAX_HOLDER_POINTS)
    return psi_pool.intersect(query, answer, pool), sent + received


def run_psi(asked: list[str], held: list[str], pool: WorkerPool) -> dict[str, float]:
    """PSI of `asked` against `held` in one query, timed end to end."""
    start = time.perf_counter()
    found, wire_bytes = one_query(asked, held, pool)
    wall = time.perf_counter() - start
    assert sorted(found) == sorted(set(asked) & set(held)), "wrong intersection"
    elements = len(asked) + len(held)
    cores = pool.workers if len(asked) >= psi_pool.PARALLEL_MIN else 1  # small runs stay in-process
    return {
        "wall_s": wall,
        "elements": elements,
        "hits": len(found),
        "elements_per_s": elements / wall,
        "elements_per_s_per_core": elements / wall / cores,
        "wire_bytes": wire_bytes,
        "wire_bytes_per_element": wire_bytes / elements,
    }


class CountingTransport(HttpPeerTransport):
    """HTTP to the peer, counting request and response body bytes."""

    wire_bytes = 0

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        response = super().send(method, url, headers, body)
        self.wire_bytes += len(body) + len(response.body)
        return response


def store_held(server: Server, values: list[str]) -> None:
    """The holder's values as sightings of one stored alert (as the correlator writes them)."""
    node = open_node(load_settings(server.dir, environ={}))
    try:
        env = publish(
            node,
            Caller(server.member),
            NewItem("alert", alert_body("held"), Markings(tlp=TLP.AMBER)),
        )
        now = node.now()
        rows = [
            {
                "id": i + 1,
                "type": "phone",
                "value": v,
                "first_seen": now,
                "items": 1,
                "noisy": False,
            }
            for i, v in enumerate(values)
        ]
        seen = [
            {"value_id": r["id"], "item_id": env.id, "origin": node.node_id, "created": now}
            for r in rows
        ]
        with node.store.write() as conn:
            conn.execute(insert(indicator_values), rows)
            conn.execute(insert(sightings), [{**s, "protected": False} for s in seen])
    finally:
        node.close()


def bench_nodes(n: int, overlap: float) -> dict[str, float]:
    """PSI of n against n between two `csnet serve` processes, A asking B."""
    asked, held = phone_sets(n, overlap, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Server(Path(tmp), 0), Server(Path(tmp), 1)
        store_held(b, held)
        with running([a, b]):
            node = open_node(load_settings(a.dir, environ={}))
            transport = CountingTransport()
            node.transport = transport
            try:
                peer(b, a, transport)
                # why: the first large query starts both nodes' worker processes; not timed
                warm = [f"+3079{i:08d}" for i in range(psi_pool.PARALLEL_MIN)]
                psi_federation.hitcheck(node, b.node_id, "phone", warm, "warm-up", "host:bench")
                transport.wire_bytes = 0
                start = time.perf_counter()
                result = psi_federation.hitcheck(
                    node, b.node_id, "phone", asked, "benchmark", "host:bench"
                )
                wall = time.perf_counter() - start
            finally:
                transport.close()
                node.close()
    assert sorted(result.hits) == sorted(set(asked) & set(held)), "wrong intersection"
    return {
        "nodes_n": n,
        "nodes_queries": result.queries,
        "nodes_wall_s": wall,
        "nodes_elements_per_s_per_core": 2 * n / wall / (os.cpu_count() or 1),
        "nodes_wire_bytes": transport.wire_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="values on each side")
    parser.add_argument("--overlap", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nodes-n", type=int, default=0, help="also between two node processes")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    figures: dict[str, Any] = {"machine": machine(), "n": args.n, "workers": args.workers}
    figures["x25519_mults_per_s_1core"] = primitive_rate(crypto_scalarmult, True)
    figures["noclamp_mults_per_s_1core"] = primitive_rate(crypto_scalarmult_ed25519_noclamp, False)
    print(
        f"primitive on 1 core: X25519 {figures['x25519_mults_per_s_1core']:.0f}/s "
        f"(ed25519 noclamp {figures['noclamp_mults_per_s_1core']:.0f}/s)"
    )
    asked, held = phone_sets(args.n, args.overlap)
    pool = WorkerPool(args.workers)
    psi_pool.ask("phone", asked[:4096], pool)  # start the worker processes
    figures |= run_psi(asked, held, pool)
    pool.close()
    # Each element costs one multiplication on each side: the ceiling is half the primitive.
    figures["ratio_to_primitive_1core"] = (
        figures["elements_per_s_per_core"] / figures["x25519_mults_per_s_1core"]
    )
    print(
        f"PSI {args.n} x {args.n}: {figures['wall_s']:.1f} s, "
        f"{figures['elements_per_s_per_core']:.0f} elements/s per core "
        f"({figures['ratio_to_primitive_1core']:.2f} of the primitive; ceiling 0.5, target 0.33), "
        f"{figures['wire_bytes'] / 1e6:.1f} MB on the wire, {figures['hits']} hits"
    )
    if args.nodes_n:
        figures |= bench_nodes(args.nodes_n, args.overlap)
        print(
            f"two nodes, PSI {args.nodes_n} x {args.nodes_n} over HTTP: "
            f"{figures['nodes_wall_s']:.1f} s in {figures['nodes_queries']} queries, "
            f"{figures['nodes_elements_per_s_per_core']:.0f} elements/s per core, "
            f"{figures['nodes_wire_bytes'] / 1e6:.1f} MB on the wire"
        )
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    if args.record:
        record(
            "bench_psi.py", result["machine"], [(k, v) for k, v in result.items() if k != "machine"]
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
