"""What every EventBus does, on the in-process bus and on NATS JetStream alike: seqs, order,
resume, gaps, slow subscribers, publishers in threads."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from csnet.bus import Event, Gap, Subscription
from csnet.bus.queued import QueuedSubscription
from tests.bus.conftest import MakeBus

WHEN = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
WAIT = 5.0  # bounded waits: a failure shows as None, never as a hang


def item(n: int) -> Event:
    return Event.item(f"id{n}", "node-a", "alert", WHEN)


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(body())  # type: ignore[arg-type]


async def take(sub: Subscription, count: int) -> list[Event | Gap]:
    got: list[Event | Gap] = []
    for _ in range(count):
        update = await sub.get(timeout=WAIT)
        assert update is not None, f"only {len(got)} of {count} arrived"
        got.append(update)
    return got


async def until_dropped(sub: Subscription) -> None:
    assert isinstance(sub, QueuedSubscription)
    deadline = time.monotonic() + WAIT
    while not sub.dropped:
        assert time.monotonic() < deadline, "the slow subscriber was never dropped"
        await asyncio.sleep(0.01)


def seqs(updates: list[Event | Gap]) -> list[int]:
    return [u.seq for u in updates if isinstance(u, Event)]


def test_publish_assigns_consecutive_seqs(make_bus: MakeBus) -> None:
    bus = make_bus()
    assert bus.latest_seq == 0
    assert bus.publish([item(1), item(2)]) == [1, 2]
    assert bus.publish([item(3)]) == [3]
    assert bus.latest_seq == 3
    bus.close()


def test_live_subscriber_gets_events_in_order(make_bus: MakeBus) -> None:
    async def body() -> None:
        bus = make_bus()
        bus.publish([item(0)])  # before subscribing: not for a live-only subscriber
        sub = await bus.subscribe()
        bus.publish([item(1), item(2)])
        bus.publish([item(3)])
        got = await take(sub, 3)
        assert seqs(got) == [2, 3, 4]
        assert [e.item_id for e in got if isinstance(e, Event)] == ["id1", "id2", "id3"]
        assert await sub.get(timeout=0.05) is None
        sub.close()
        assert sub.ended
        bus.close()

    run(body)


def test_resume_after_seq_replays_only_later_events(make_bus: MakeBus) -> None:
    async def body() -> None:
        bus = make_bus()
        bus.publish([item(n) for n in range(5)])
        sub = await bus.subscribe(after_seq=3)
        bus.publish([item(5)])
        assert seqs(await take(sub, 3)) == [4, 5, 6]
        sub.close()
        bus.close()

    run(body)


def test_gap_when_resuming_from_beyond_the_buffer(make_bus: MakeBus) -> None:
    async def body() -> None:
        bus = make_bus(buffer=3)
        bus.publish([item(n) for n in range(6)])  # 1..6; the buffer keeps 4..6
        sub = await bus.subscribe(after_seq=1)
        got = await take(sub, 4)
        assert got[0] == Gap(after=1, resume_from=4, reason="behind")
        assert seqs(got) == [4, 5, 6]
        sub.close()
        inside = await bus.subscribe(after_seq=3)  # nothing lost: no gap
        assert seqs(await take(inside, 3)) == [4, 5, 6]
        inside.close()
        bus.close()

    run(body)


def test_unknown_seq_is_a_gap_then_live_events_follow(make_bus: MakeBus) -> None:
    async def body() -> None:
        bus = make_bus()
        bus.publish([item(1)])
        sub = await bus.subscribe(after_seq=99)
        assert await sub.get(timeout=WAIT) == Gap(after=99, resume_from=2, reason="unknown")
        bus.publish([item(2)])
        assert seqs(await take(sub, 1)) == [2]
        sub.close()
        bus.close()

    run(body)


def test_slow_subscriber_is_dropped_with_a_gap(make_bus: MakeBus) -> None:
    async def body() -> None:
        bus = make_bus(queue=2)
        slow = await bus.subscribe()
        keeping_up = await bus.subscribe()
        bus.publish([item(1), item(2)])
        assert seqs(await take(keeping_up, 2)) == [1, 2]
        bus.publish([item(3)])  # the slow one still holds 1 and 2: over its bound
        assert seqs(await take(keeping_up, 1)) == [3]
        # Each subscriber has its own delivery (its own consumer on NATS): wait for the slow
        # one to take event 3 before reading, or reading first would make room for it.
        await until_dropped(slow)
        got = await take(slow, 3)
        assert seqs(got) == [1, 2] and got[2] == Gap(after=2, resume_from=3, reason="slow")
        assert await slow.get(timeout=0.05) is None and slow.ended
        bus.publish([item(4)])  # the dropped subscriber is gone; the other goes on
        assert seqs(await take(keeping_up, 1)) == [4]
        keeping_up.close()
        # Resuming from the last event seen gets what was missed from the buffer.
        again = await bus.subscribe(after_seq=2)
        assert seqs(await take(again, 2)) == [3, 4]
        again.close()
        bus.close()

    run(body)


def test_publish_from_threads_is_ordered_and_complete(make_bus: MakeBus) -> None:
    threads, per_thread = 8, 100

    async def body() -> None:
        bus = make_bus(buffer=threads * per_thread, queue=threads * per_thread)
        sub = await bus.subscribe()
        start = threading.Barrier(threads)

        def publisher(t: int) -> None:
            start.wait()
            for n in range(per_thread):
                bus.publish([Event.item(f"t{t}-{n}", "node-a", "alert", WHEN)])

        workers = [threading.Thread(target=publisher, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        got = await take(sub, threads * per_thread)
        for worker in workers:
            await asyncio.to_thread(worker.join, WAIT)
        assert seqs(got) == list(range(1, threads * per_thread + 1))
        for t in range(threads):  # each publisher's own events keep their order
            mine = [
                e.item_id for e in got if isinstance(e, Event) and e.item_id.startswith(f"t{t}-")
            ]
            assert mine == [f"t{t}-{n}" for n in range(per_thread)]
        sub.close()
        bus.close()

    run(body)


def test_async_iteration_ends_when_the_bus_closes(make_bus: MakeBus) -> None:
    async def body() -> None:
        bus = make_bus()
        sub = await bus.subscribe()
        bus.publish([item(1), item(2)])
        seen: list[int] = []
        async for update in sub:
            assert isinstance(update, Event)
            seen.append(update.seq)
            if update.seq == 2:
                bus.close()
        assert seen == [1, 2] and sub.ended
        with pytest.raises(RuntimeError):
            bus.publish([item(3)])
        with pytest.raises(RuntimeError):
            await bus.subscribe()

    run(body)


def test_publish_after_the_subscribers_loop_closed_drops_it(make_bus: MakeBus) -> None:
    bus = make_bus()

    async def subscribe() -> Subscription:
        return await bus.subscribe()

    sub = asyncio.run(subscribe())  # the loop is closed when run returns
    bus.publish([item(1)])
    for _ in range(100):  # NATS delivers from its own thread: give it a moment
        if sub.ended:
            break
        time.sleep(0.02)
    assert sub.ended
    bus.publish([item(2)])  # no error: nobody is listening
    bus.close()
