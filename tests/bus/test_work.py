"""Outbox work: wake-ups reach every worker; one worker at a time holds a peer's send lease."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from csnet.bus import LocalWork
from csnet.bus.nats_work import NatsWork, lease_key
from csnet.bus.natslink import NatsLink
from tests.bus.conftest import fresh_names

Links = Callable[[], NatsLink]
PEER = "csnpeer0001"


def test_local_notify_wait_clear() -> None:
    work = LocalWork()
    assert not work.wait(0.01)
    work.notify()
    assert work.wait(0.01)
    work.clear()
    assert not work.wait(0.01)


def test_local_lease_waits_for_the_holder() -> None:
    work = LocalWork()
    order: list[str] = []

    def second() -> None:
        with work.lease(PEER) as held:
            order.append(f"second {held}")

    with work.lease(PEER) as held:
        assert held
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.05)
        order.append("first done")
    other.join(5)
    assert order == ["first done", "second True"]
    with work.lease("another peer") as held:  # peers do not wait for each other
        assert held


def workers(links: Links, ttl: float = 30.0) -> tuple[NatsWork, NatsWork]:
    """Two worker processes of one node (one connection each)."""
    names = fresh_names()
    return NatsWork(links(), names, ttl=ttl), NatsWork(links(), names, ttl=ttl)


def test_a_lease_is_held_by_one_worker_at_a_time(links: Links) -> None:
    one, two = workers(links)
    with one.lease(PEER) as held:
        assert held
        with two.lease(PEER) as elsewhere, one.lease(PEER) as again:
            assert not elsewhere and not again  # skipped, not waited for
        with two.lease("another peer") as other:
            assert other
    with two.lease(PEER) as held:  # given back: the other worker takes it
        assert held
    one.close()
    two.close()


def test_a_crashed_workers_lease_expires(links: Links) -> None:
    one, two = workers(links, ttl=1.0)
    # Taken and never renewed nor given back: as if the process died holding it.
    one._link.run(one._kv.create(lease_key(PEER), b"crashed worker"))
    with two.lease(PEER) as held:
        assert not held
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with two.lease(PEER) as held:
            if held:
                break
        time.sleep(0.1)
    assert held and time.monotonic() < deadline
    two.close()
    one.close()


# why apart: the lease is renewed by a thread every ttl/3 of wall-clock time; a machine busy with
# other tests can starve it past the ttl, which is a slow machine, not a bug
@pytest.mark.serial
def test_a_held_lease_is_renewed_past_its_ttl(links: Links) -> None:
    one, two = workers(links, ttl=1.5)
    with one.lease(PEER) as held:
        assert held
        time.sleep(3.2)  # a send over twice as long as the ttl
        with two.lease(PEER) as elsewhere:
            assert not elsewhere
    with two.lease(PEER) as held:
        assert held
    one.close()
    two.close()


def test_notify_wakes_the_other_worker(links: Links) -> None:
    one, two = workers(links)
    two.clear()
    assert not two.wait(0.05)
    one.notify()
    assert two.wait(5)
    assert one.wait(0)  # the notifier's own process at once
    one.close()
    two.close()
