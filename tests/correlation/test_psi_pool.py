"""PSI across worker processes gives exactly what one process gives, errors included."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

import pytest

from csnet.correlation import psi, psi_pool
from csnet.items.pools import WorkerPool

VALUES = [f"+3069{n:08d}" for n in range(64)]
ORDER_2 = (psi.FIELD_PRIME - 1).to_bytes(32, "little")  # u = -1: a point of small order


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psi_pool, "PARALLEL_MIN", 8)  # why: use the workers on small inputs


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(2)
    yield workers
    workers.close()


def test_parallel_blind_and_exponentiate_equal_one_process(pool: WorkerPool) -> None:
    key = psi.Key.generate()
    points = psi_pool.blind("phone", VALUES, key, pool)
    assert points == psi.blind("phone", VALUES, key)
    assert psi_pool.exponentiate(points, key, pool) == psi.exponentiate(points, key)


def test_parallel_round_trip(pool: WorkerPool) -> None:
    query = psi_pool.ask("phone", VALUES[:40], pool)
    reply = psi_pool.answer("phone", list(query.points), VALUES[30:], pool)
    assert sorted(psi_pool.intersect(query, reply, pool)) == VALUES[30:40]


def test_invalid_point_is_named_by_its_index_in_the_whole_input(pool: WorkerPool) -> None:
    points = psi.blind("phone", VALUES, psi.Key.generate())
    points[37] = ORDER_2
    with pytest.raises(psi.InvalidPoint) as refused:
        psi_pool.exponentiate(points, psi.Key.generate(), pool)
    assert refused.value.details == {"index": 37}


def test_parallel_intersect_refuses_an_invalid_answered_point(pool: WorkerPool) -> None:
    query = psi_pool.ask("phone", VALUES[:20], pool)
    reply = psi_pool.answer("phone", list(query.points), VALUES, pool)
    answered = (*reply.answered[:11], ORDER_2, *reply.answered[12:])
    with pytest.raises(psi.InvalidPoint) as refused:
        psi_pool.intersect(query, psi.Answer(answered, reply.holder), pool)
    assert refused.value.details == {"index": 11}


class _BrokenPool:
    def submit(self, *_args: object) -> None:
        raise BrokenProcessPool("a worker died")

    def shutdown(self, **_options: object) -> None:
        return None


def test_a_dead_worker_pool_falls_back_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = WorkerPool(2)
    monkeypatch.setattr(broken, "_executor", _BrokenPool())
    key = psi.Key.generate()
    assert psi_pool.blind("phone", VALUES, key, broken) == psi.blind("phone", VALUES, key)
    assert broken._executor is None  # why: the next use starts a fresh pool
