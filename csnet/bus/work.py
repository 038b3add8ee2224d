"""Outbox work shared by a node's workers: "items were queued" wake-ups and per-peer send leases.

One worker sends to a peer at a time, with a bounded window of batches in flight
(docs/federation.md §6). In one process a lock per peer is enough
(`LocalWork`); several worker processes of one node need a lease all of them see (`NatsWork` in
csnet/bus/nats_work.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class OutboxWork(Protocol):
    def notify(self) -> None:
        """Items were queued for peers: wake every delivery worker of this node."""
        ...

    def wait(self, timeout: float) -> bool:
        """Block until notified (True) or `timeout` seconds passed (False)."""
        ...

    def clear(self) -> None:
        """Forget notifications so far (a worker calls it before looking at the outbox)."""
        ...

    def lease(self, peer: str) -> AbstractContextManager[bool]:
        """While held (True), this worker alone sends to `peer`; False: another one does."""
        ...

    def close(self) -> None: ...


class LocalWork:
    """One process: an Event wakes the runner; a lock per peer, waited for as before."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def notify(self) -> None:
        self._ready.set()

    def wait(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def clear(self) -> None:
        self._ready.clear()

    @contextmanager
    def lease(self, peer: str) -> Iterator[bool]:
        with self._guard:
            lock = self._locks.setdefault(peer, threading.Lock())
        with lock:
            yield True

    def close(self) -> None:
        """Nothing to release in one process."""
