"""The order in which a peer's window of pushed batches is applied (docs/federation.md §6).

A sender keeps several batches in flight; each names its place in the sender's stream (a
random stream id chosen per flush run and a batch counter from 0). Their signatures are
checked side by side, but each is judged and stored only after its predecessor was: batch n
waits here, a bounded time, for batch n-1. A batch whose predecessor never comes (lost, refused
as a whole, or failed to store) is answered `batch_out_of_order`, and the sender sends its
items again from the outbox under a new stream. Never a wrong order, never a loss.

The gate lives in this process: one serving process per node is assumed for the window (with
several, a batch served by another process than its predecessor times out and is resent).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from csnet.errors import BadInput, Conflict

WAIT_SECONDS = 5.0  # how long batch n waits for n-1 before it is answered 409
STREAMS_PER_PEER = 4  # a peer's newest streams kept; an older one's next batch gets 409
WAITING_PER_PEER = 16  # batches of one peer waiting at once; more are answered 409 at once
MAX_BATCH_NUMBER = 2**31
_STREAM = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_NUMBER = re.compile(r"^[0-9]{1,10}$")


@dataclass(frozen=True)
class Place:
    """A pushed batch's place in its sender's stream."""

    stream: str
    number: int


def parse_place(stream: str | None, number: str | None) -> Place | None:
    """The place named by a request (both or neither given), or bad_batch_place."""
    if stream is None and number is None:
        return None
    if stream is None or not _STREAM.match(stream) or number is None:
        raise _bad_place()
    if not _NUMBER.match(number) or int(number) >= MAX_BATCH_NUMBER:
        raise _bad_place()
    return Place(stream, int(number))


def _bad_place() -> BadInput:
    return BadInput(
        "a batch's place is stream=<8-64 url-safe characters>&batch=<0 to 2^31-1>",
        code="bad_batch_place",
    )


def out_of_order(why: str) -> Conflict:
    return Conflict(f"batch not applied: {why}; send it again", code="batch_out_of_order")


class OrderGate:
    """Per (peer, stream): the number of the batch to apply next, or None once the stream is
    broken (a batch of it failed: those after it must not be applied without it)."""

    def __init__(self, wait_seconds: float | None = None) -> None:
        self.wait_seconds = wait_seconds  # None: WAIT_SECONDS, read when a batch waits
        self._turn = threading.Condition()
        self._streams: dict[str, OrderedDict[str, int | None]] = {}
        self._waiting: dict[str, int] = {}

    @contextmanager
    def turn(self, peer: str, place: Place | None) -> Iterator[None]:
        """Run the body when `place` is next in its stream; the stream moves on if it succeeds
        and breaks if it raises. A batch without a place goes at once (older senders)."""
        if place is None:
            yield
            return
        self._await(peer, place)
        try:
            yield
        except BaseException:
            self.abandon(peer, place)
            raise
        with self._turn:
            streams = self._streams_of(peer)
            streams[place.stream] = place.number + 1
            streams.move_to_end(place.stream)  # why: the stream in use is the last evicted
            self._turn.notify_all()

    def abandon(self, peer: str, place: Place | None) -> None:
        """Batch `place` will not be applied: the batches after it are answered 409 at once."""
        if place is None:
            return
        with self._turn:
            self._streams_of(peer)[place.stream] = None
            self._turn.notify_all()

    def _await(self, peer: str, place: Place) -> None:
        wait = WAIT_SECONDS if self.wait_seconds is None else self.wait_seconds
        deadline = time.monotonic() + wait
        with self._turn:
            if self._waiting.get(peer, 0) >= WAITING_PER_PEER:
                raise out_of_order("too many batches of this peer wait for their turn")
            self._waiting[peer] = self._waiting.get(peer, 0) + 1
            try:
                while (due := self._due(peer, place)) is False:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise out_of_order(f"batch {place.number - 1} of its stream never came")
                    self._turn.wait(left)
            finally:
                self._waiting[peer] -= 1
            if due is None:
                raise out_of_order("a batch before it in its stream was not applied")

    def _due(self, peer: str, place: Place) -> bool | None:
        """True: its turn; False: not yet; None: never (stream broken or number passed)."""
        streams = self._streams_of(peer)
        if place.stream not in streams:
            streams[place.stream] = 0
            while len(streams) > STREAMS_PER_PEER:
                streams.popitem(last=False)  # why: bounded memory; the oldest stream is done
        expected = streams[place.stream]
        if expected is None or place.number < expected:
            return None
        return place.number == expected

    def _streams_of(self, peer: str) -> OrderedDict[str, int | None]:
        return self._streams.setdefault(peer, OrderedDict())


_gates: dict[str, OrderGate] = {}
_gates_lock = threading.Lock()


def gate_of(node_id: str) -> OrderGate:
    """The gate of this process's node `node_id` (see the module's note on one process)."""
    with _gates_lock:
        return _gates.setdefault(node_id, OrderGate())
