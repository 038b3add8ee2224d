"""The in-process bus: one process, a bounded replay buffer, bounded queues per subscriber.

Publishers are request handlers in worker threads; subscribers are tasks in an asyncio loop. The
bus lock orders publishes (seqs, buffer, fan-out); a subscriber's loop is woken with
call_soon_threadsafe, so nothing here blocks a loop on a thread.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Sequence

from csnet.bus.interface import Event, Gap
from csnet.bus.queued import QueuedSubscription

DEFAULT_BUFFER = 1000
DEFAULT_QUEUE = 1000


def clock_seq() -> int:
    """A first seq above any this node issued before a restart (microseconds since the epoch), so
    a Last-Event-ID from the previous process reads as "behind", never as an event yet to come."""
    return time.time_ns() // 1000


class MemoryBus:
    def __init__(
        self,
        *,
        buffer: int = DEFAULT_BUFFER,
        queue: int = DEFAULT_QUEUE,
        first_seq: int | None = None,
    ) -> None:
        if buffer < 1 or queue < 1:
            raise ValueError("buffer and queue must hold at least one event")
        self._lock = threading.Lock()
        self._latest = (clock_seq() if first_seq is None else first_seq) - 1
        self._evicted = self._latest  # the highest seq no longer in the buffer
        self._buffer: deque[Event] = deque(maxlen=buffer)
        self._subs: set[MemorySubscription] = set()
        self._queue = queue
        self._closed = False

    @property
    def latest_seq(self) -> int:
        with self._lock:
            return self._latest

    def publish(self, events: Sequence[Event]) -> list[int]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the event bus is closed")
            numbered = [self._append(event) for event in events]
            # Fan out under the lock: every subscriber sees all publishers' events in seq order.
            dropped = {sub for sub in self._subs if numbered and not sub.push(numbered)}
            self._subs -= dropped
        return [event.seq for event in numbered]

    def _append(self, event: Event) -> Event:
        self._latest += 1
        if len(self._buffer) == self._buffer.maxlen:
            self._evicted = self._buffer[0].seq
        numbered = event.numbered(self._latest)
        self._buffer.append(numbered)
        return numbered

    async def subscribe(self, after_seq: int | None = None) -> MemorySubscription:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise RuntimeError("the event bus is closed")
            start = self._latest if after_seq is None else after_seq
            sub = MemorySubscription(self, loop, self._queue, start, self._replay(after_seq))
            self._subs.add(sub)
        return sub

    def _replay(self, after: int | None) -> list[Event | Gap]:
        """What a subscriber from `after` missed: buffered events, behind a Gap if some are lost."""
        if after is None:
            return []
        if after > self._latest:
            return [Gap(after, self._latest + 1, "unknown")]
        # Buffered seqs are consecutive, so the first one wanted is found by arithmetic.
        skip = max(0, after + 1 - self._buffer[0].seq) if self._buffer else 0
        backlog: list[Event | Gap] = list(itertools.islice(self._buffer, skip, None))
        if after < self._evicted:
            return [Gap(after, self._evicted + 1, "behind"), *backlog]
        return backlog

    def remove(self, sub: QueuedSubscription) -> None:
        with self._lock:
            self._subs.discard(sub)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            subs, self._subs = self._subs, set()
        for sub in subs:
            sub.end()


class MemorySubscription(QueuedSubscription):
    """A subscriber of the in-process bus (the shared bounded queue)."""
