"""PSI's scalar multiplications across worker processes: one element costs a multiplication on
each side, so a large query is CPU-bound and split in chunks over the cores.

Results come back in input order and equal the single-process functions of `psi` exactly; below
PARALLEL_MIN elements, or without a pool (the node's `workers`), everything runs here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TypeGuard, TypeVar

from csnet.correlation import psi
from csnet.items.pools import WorkerPool

PARALLEL_MIN = 2048  # below this, shipping chunks to workers costs more than it saves
_CHUNKS_PER_WORKER = 4
_T = TypeVar("_T")


def _spread_over(pool: WorkerPool | None, items: Sequence[object]) -> TypeGuard[WorkerPool]:
    return pool is not None and pool.workers > 1 and len(items) >= PARALLEL_MIN


def _chunks(count: int, parts: int) -> list[tuple[int, int]]:
    size = max(1, -(-count // parts))
    return [(a, min(count, a + size)) for a in range(0, count, size)]


def _spread(
    items: Sequence[_T],
    work: Callable[[list[_T], bytes], list[bytes] | int],
    scalar: bytes,
    pool: WorkerPool,
    what: str = "point",
) -> list[bytes]:
    """`work(chunk, scalar)` per chunk in the pool, results in input order; an int result is
    the index, within its chunk, of a point that failed, reported with its index in the whole
    input (an exception raised in a worker would lose its details on the way back)."""
    bounds = _chunks(len(items), pool.workers * _CHUNKS_PER_WORKER)
    results = pool.run_each(work, [(list(items[a:b]), scalar) for a, b in bounds])
    if results is None:
        # why: a dead worker (or a closed pool) must not lose the query; do it here, in one chunk
        bounds, results = [(0, len(items))], [work(list(items), scalar)]
    out: list[bytes] = []
    for (first, _), result in zip(bounds, results, strict=True):
        if isinstance(result, int):
            index = first + result
            raise psi.InvalidPoint(
                f"{what}: point {index} is not a valid group element", details={"index": index}
            )
        out.extend(result)
    return out


def _exponentiate_chunk(points: list[bytes], scalar: bytes) -> list[bytes] | int:
    try:
        return psi.exponentiate(points, psi.Key(scalar))
    except psi.InvalidPoint as exc:
        return int(exc.details["index"])


def _blind_chunk(type_name: str, values: list[str], scalar: bytes) -> list[bytes] | int:
    return psi.blind(type_name, values, psi.Key(scalar))


def exponentiate(
    points: Sequence[bytes], key: psi.Key, pool: WorkerPool | None = None
) -> list[bytes]:
    """psi.exponentiate over the pool's workers."""
    if not _spread_over(pool, points):
        return psi.exponentiate(points, key)
    return _spread(points, _exponentiate_chunk, key.scalar, pool)


def blind(
    type_name: str, values: Sequence[str], key: psi.Key, pool: WorkerPool | None = None
) -> list[bytes]:
    """psi.blind over the pool's workers."""
    if not _spread_over(pool, values):
        return psi.blind(type_name, values, key)
    psi.type_tag(type_name)  # refuse an unknown type here, not in a worker
    return _spread(values, functools.partial(_blind_chunk, type_name), key.scalar, pool)


def ask(
    type_name: str,
    values: Iterable[str],
    pool: WorkerPool | None = None,
    limit: int = psi.MAX_QUERY_POINTS,
) -> psi.Query:
    """psi.ask, blinding over the pool's workers."""
    distinct, key = psi.query_values(values, limit), psi.Key.generate()
    points = blind(type_name, distinct, key, pool)
    return psi.Query(type_name, tuple(distinct), tuple(points), key)


def answer(
    type_name: str,
    asked: Sequence[bytes],
    held: Iterable[str],
    pool: WorkerPool | None = None,
    limit: int = psi.MAX_QUERY_POINTS,
) -> psi.Answer:
    """psi.answer (with a fresh key) over the pool's workers."""
    key = psi.Key.generate()
    psi.check_points(asked, limit, "asked")
    answered = exponentiate(asked, key, pool)
    own = blind(type_name, list(dict.fromkeys(held)), key, pool)
    return psi.Answer(tuple(answered), tuple(psi.shuffled(own)))


def intersect(
    query: psi.Query,
    reply: psi.Answer,
    pool: WorkerPool | None = None,
    limit: int = psi.MAX_HOLDER_POINTS,
) -> list[str]:
    """psi.intersect, raising the holder's points over the pool's workers."""
    psi.check_points(reply.holder, limit, "holder")
    holder_ab = set(exponentiate(reply.holder, query.key, pool))
    psi.check_answered(query, reply.answered)
    check_valid(reply.answered, "answered", pool)
    return psi.select(query, reply.answered, holder_ab)


def _valid_chunk(points: list[bytes], _scalar: bytes) -> list[bytes] | int:
    try:
        psi.check_valid(points, "answered")
    except psi.InvalidPoint as exc:
        return int(exc.details["index"])
    return []


def check_valid(points: Sequence[bytes], what: str, pool: WorkerPool | None = None) -> None:
    """psi.check_valid over the pool's workers."""
    if not _spread_over(pool, points):
        psi.check_valid(points, what)
        return
    _spread(points, _valid_chunk, b"", pool, what)
