"""A subscriber's bounded queue, shared by every bus: fed from any thread, read in one loop.

Whoever feeds it (the in-process bus under its lock, the NATS client in its own thread) pushes
events in seq order; the subscriber's loop is woken with call_soon_threadsafe. Over its bound the
queue takes a "slow" Gap and nothing more, so one stalled reader never holds back a publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator
from typing import Protocol

from csnet.bus.interface import Event, Gap


class Feeder(Protocol):
    def remove(self, sub: QueuedSubscription) -> None:
        """Stop feeding `sub` (called once it is closed)."""
        ...


class QueuedSubscription:
    """A bounded queue fed by a bus; over its bound it ends with a "slow" Gap."""

    def __init__(
        self,
        feeder: Feeder,
        loop: asyncio.AbstractEventLoop,
        limit: int,
        start: int,
        backlog: list[Event | Gap],
    ) -> None:
        self._feeder, self._loop, self._limit = feeder, loop, limit
        self._lock = threading.Lock()
        self._pending: deque[Event | Gap] = deque(backlog)
        self._last = start  # the seq of the newest event queued
        self._wake = asyncio.Event()
        self._dropped = False  # no more events will be queued
        self._closed = False

    @property
    def ended(self) -> bool:
        with self._lock:
            return self._closed or (self._dropped and not self._pending)

    @property
    def dropped(self) -> bool:
        """Over its bound: its "slow" Gap is queued and nothing more will be."""
        with self._lock:
            return self._dropped

    def push(self, events: list[Event], gap: Gap | None = None) -> bool:
        """Queue events (after `gap`, if the feeder saw some go missing); False: drop this
        subscriber, it will take no more."""
        with self._lock:
            if self._dropped or self._closed:
                return False
            if len(self._pending) + len(events) > self._limit:
                # Whatever is queued still goes out; then the Gap says where to resume from.
                self._pending.append(Gap(self._last, events[0].seq, "slow"))
                self._dropped = True
            else:
                self._pending.extend([gap, *events] if gap else events)
                self._last = events[-1].seq
        return self._signal() and not self._dropped

    def _signal(self) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the subscriber's loop is closed: nobody is listening
            self.end()
            return False
        return True

    async def get(self, timeout: float | None = None) -> Event | Gap | None:
        while True:
            with self._lock:
                if self._pending and not self._closed:
                    return self._pending.popleft()
                if self._closed or self._dropped:
                    return None
                # Cleared under the lock before waiting: a later push sets it again.
                self._wake.clear()
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                return None

    async def __aiter__(self) -> AsyncIterator[Event | Gap]:
        while (item := await self.get()) is not None:
            yield item

    def end(self) -> None:
        """Stop delivering (the bus closed, or the loop went away)."""
        with self._lock:
            self._closed = True
            self._pending.clear()
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits on it
            self._loop.call_soon_threadsafe(self._wake.set)

    def close(self) -> None:
        self._feeder.remove(self)
        self.end()
