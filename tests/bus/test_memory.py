"""The in-process bus: seqs, order, resume, gaps, slow subscribers, publishers in threads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from csnet.bus import Event, Gap, MemoryBus
from csnet.bus.memory import MemorySubscription

WHEN = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
WAIT = 5.0  # bounded waits: a failure shows as None, never as a hang


def item(n: int) -> Event:
    return Event.item(f"id{n}", "node-a", "alert", WHEN)


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(body())  # type: ignore[arg-type]


async def take(sub: MemorySubscription, count: int) -> list[Event | Gap]:
    got: list[Event | Gap] = []
    for _ in range(count):
        update = await sub.get(timeout=WAIT)
        assert update is not None, f"only {len(got)} of {count} arrived"
        got.append(update)
    return got


def seqs(updates: list[Event | Gap]) -> list[int]:
    return [u.seq for u in updates if isinstance(u, Event)]


def test_publish_assigns_consecutive_seqs() -> None:
    bus = MemoryBus(first_seq=1)
    assert bus.latest_seq == 0
    assert bus.publish([item(1), item(2)]) == [1, 2]
    assert bus.publish([item(3)]) == [3]
    assert bus.latest_seq == 3


def test_default_first_seq_continues_above_an_earlier_process() -> None:
    earlier = MemoryBus()
    earlier.publish([item(1)])
    later = MemoryBus()
    assert later.publish([item(2)])[0] > earlier.latest_seq


def test_live_subscriber_gets_events_in_order() -> None:
    async def body() -> None:
        bus = MemoryBus(first_seq=1)
        bus.publish([item(0)])  # before subscribing: not for a live-only subscriber
        sub = await bus.subscribe()
        bus.publish([item(1), item(2)])
        bus.publish([item(3)])
        got = await take(sub, 3)
        assert seqs(got) == [2, 3, 4]
        assert [e.item_id for e in got if isinstance(e, Event)] == ["id1", "id2", "id3"]
        assert await sub.get(timeout=0.01) is None
        sub.close()
        assert sub.ended

    run(body)


def test_resume_after_seq_replays_only_later_events() -> None:
    async def body() -> None:
        bus = MemoryBus(first_seq=1)
        bus.publish([item(n) for n in range(5)])
        sub = await bus.subscribe(after_seq=3)
        bus.publish([item(5)])
        assert seqs(await take(sub, 3)) == [4, 5, 6]
        sub.close()

    run(body)


def test_gap_when_resuming_from_beyond_the_buffer() -> None:
    async def body() -> None:
        bus = MemoryBus(buffer=3, first_seq=1)
        bus.publish([item(n) for n in range(6)])  # 1..6; the buffer keeps 4..6
        sub = await bus.subscribe(after_seq=1)
        got = await take(sub, 4)
        assert got[0] == Gap(after=1, resume_from=4, reason="behind")
        assert seqs(got) == [4, 5, 6]
        sub.close()
        inside = await bus.subscribe(after_seq=3)  # nothing lost: no gap
        assert seqs(await take(inside, 3)) == [4, 5, 6]
        inside.close()

    run(body)


def test_unknown_seq_is_a_gap() -> None:
    async def body() -> None:
        bus = MemoryBus(first_seq=1)
        bus.publish([item(1)])
        sub = await bus.subscribe(after_seq=99)
        assert await sub.get(timeout=WAIT) == Gap(after=99, resume_from=2, reason="unknown")
        sub.close()

    run(body)


def test_slow_subscriber_is_dropped_with_a_gap() -> None:
    async def body() -> None:
        bus = MemoryBus(queue=2, first_seq=1)
        slow = await bus.subscribe()
        keeping_up = await bus.subscribe()
        bus.publish([item(1), item(2)])
        assert seqs(await take(keeping_up, 2)) == [1, 2]
        bus.publish([item(3)])  # the slow one still holds 1 and 2: over its bound
        assert seqs(await take(keeping_up, 1)) == [3]
        got = await take(slow, 3)
        assert seqs(got) == [1, 2] and got[2] == Gap(after=2, resume_from=3, reason="slow")
        assert await slow.get(timeout=0.01) is None and slow.ended
        bus.publish([item(4)])  # the dropped subscriber is gone; the other goes on
        assert seqs(await take(keeping_up, 1)) == [4]
        keeping_up.close()
        # Resuming from the last event seen gets what was missed from the buffer.
        again = await bus.subscribe(after_seq=2)
        assert seqs(await take(again, 2)) == [3, 4]
        again.close()

    run(body)


def test_publish_from_threads_is_ordered_and_complete() -> None:
    threads, per_thread = 8, 200

    async def body() -> None:
        bus = MemoryBus(buffer=threads * per_thread, queue=threads * per_thread, first_seq=1)
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

    run(body)


def test_async_iteration_ends_when_the_bus_closes() -> None:
    async def body() -> None:
        bus = MemoryBus(first_seq=1)
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

    run(body)


def test_publish_after_the_subscribers_loop_closed_drops_it() -> None:
    bus = MemoryBus(first_seq=1)

    async def subscribe() -> MemorySubscription:
        return await bus.subscribe()

    sub = asyncio.run(subscribe())  # the loop is closed when run returns
    bus.publish([item(1)])
    assert sub.ended
    bus.publish([item(2)])  # no error: nobody is listening


def test_event_json_round_trip() -> None:
    event = item(1).numbered(7)
    assert Event.from_json(event.to_json()) == event
