"""Sending the outbox: a window of batches in flight per peer, stored by the peer in order;
capped backoff, and a background runner.

Push is attempted at once on commit (the runner is woken); pull by cursor runs on reconnect and
every `federation_pull_seconds`, so a lost push only delays an item, never loses it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any, TypeVar

from csnet.audit import append_many
from csnet.errors import CsnetError
from csnet.federation import framing, outbox, pull
from csnet.federation.client import send_to_peer
from csnet.federation.local import API_PREFIX, federation_id
from csnet.federation.ordering import Place
from csnet.federation.peers import Peer, PeerStatus, get_peer
from csnet.federation.requests import sign_request
from csnet.items.envelope import Envelope
from csnet.node import Node

log = logging.getLogger(__name__)
T = TypeVar("T")
Batch = list[tuple[str, bytes]]  # (item id, signed bytes), in (origin, seq) order
Answer = tuple[set[str], set[str]] | CsnetError  # (accepted, refused for good), or why not
Post = Callable[[Peer, Batch, Place | None], Answer]
MAX_PARALLEL_PEERS = 16  # HTTP pushes in parallel; the store still has one writer
ITEMS_PATH = "/federation/items"
PIPELINED_FROM = 100  # items in a batch from which batches go in a window, not one by one
WINDOW = 3  # pushed batches in flight per peer (catch-up): the receiver verifies the next ones
# while it stores the oldest; more would only queue at its single writer


class Delivery:
    """Pushes queued items to peers and pulls from them; safe to call from several threads."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failed: set[str] = set()  # peers whose last attempt failed: pull them on reconnect
        self._pull_failures: dict[str, tuple[int, float]] = {}  # peer: (failures, retry at)

    def flush(self, peer_id: str) -> int:
        """Send every queued item for one peer, batch after batch; returns how many went (0 when
        another worker of this node holds the peer's send lease: it sends them)."""
        # why: one sender (one window) per peer, across all workers, keeps order and load sane
        with self.node.work.lease(peer_id) as held:
            if not held:
                return 0
            peer = self._active(peer_id)
            if peer is None:
                return 0
            with ExitStack() as stack:
                return self._pipeline(peer, stack)

    def _pipeline(self, peer: Peer, stack: ExitStack) -> int:
        """Up to WINDOW batches in flight, each read while the others travel, answers taken
        and recorded in batch order. The peer stores them in order (their place in a stream,
        csnet/federation/ordering.py). Small batches (live traffic) go one at a time, without
        a thread to start, until a large one opens the window."""
        window = _Window(peer, stack)
        while True:
            while window.has_room():
                batch = self._next_batch(peer.node_id, window.ids())
                if not batch:
                    break
                window.send(self._post_batch, batch)
            answered = window.take()
            if answered is None:
                break
            batch, answer = answered
            if isinstance(answer, tuple):
                window.sent += self._recorded(peer, batch, *answer)
        if window.failure is not None:
            self._failed(peer.node_id, window.failure)
        return window.sent

    def _recorded(
        self, peer: Peer, batch: Sequence[tuple[str, bytes]], accepted: set[str], refused: set[str]
    ) -> int:
        """Record an answered batch; back after an outage, pull what the peer sent meanwhile."""
        self._record(peer, batch, accepted, refused)
        self._recovered(peer)
        return sum(1 for item_id, _ in batch if item_id in accepted or item_id in refused)

    def _next_batch(self, peer_id: str, in_flight: Sequence[str]) -> list[tuple[str, bytes]]:
        """The next batch after those in flight; rows of items erased since are dropped."""
        limit = self._max_bytes()
        with self.node.store.read() as conn:
            batch, gone = outbox.load_batch(conn, peer_id, max_bytes=limit, skip=in_flight)
        if gone:
            with self.node.store.write() as conn:
                outbox.remove(conn, peer_id, gone)  # erased since: nothing to send
        return batch

    def _active(self, peer_id: str) -> Peer | None:
        with self.node.store.read() as conn:
            peer = get_peer(conn, peer_id)
        return peer if peer is not None and peer.status is PeerStatus.ACTIVE else None

    def _max_bytes(self) -> int:
        # why: a peer refuses bodies over its max_request_bytes; assume it matches ours
        return min(outbox.MAX_BATCH_BYTES, int(self.node.settings.max_request_bytes))

    def _post_batch(self, peer: Peer, batch: Batch, place: Place | None) -> Answer:
        """POST one batch: the ids accepted and refused for good, or why it failed."""
        body = framing.join_lines([raw for _, raw in batch])
        try:
            return _answered(self._post(peer, body, place))
        except CsnetError as exc:
            return exc

    def _record(
        self,
        peer: Peer,
        batch: Sequence[tuple[str, bytes]],
        accepted: set[str],
        refused: set[str],
    ) -> None:
        """Drop the rows of a batch the peer answered for, and audit what it accepted."""
        done = [item_id for item_id, _ in batch if item_id in accepted or item_id in refused]
        sent = [e for e in _envelopes(batch) if e.id in accepted]
        with self.node.store.write() as conn:
            outbox.remove(conn, peer.node_id, done)
            append_many(conn, pull.disclosures(peer.node_id, sent, "push"), self.node.now())
        if refused:
            log.warning("peer %s refused %d item(s): %s", peer.node_id, len(refused), refused)

    def _post(self, peer: Peer, body: bytes, place: Place | None) -> Any:
        node = self.node
        url = peer.identity.url + API_PREFIX + ITEMS_PATH
        if place is not None:  # why: in the signed target, so its place cannot be altered
            url += f"?stream={place.stream}&batch={place.number}"
        headers = sign_request(
            node.signing_key(),
            origin=federation_id(node),
            destination=peer.node_id,
            method="POST",
            url=url,
            body=body,
            now=node.now(),
        )
        headers["Content-Type"] = "application/json"
        return send_to_peer(node, "POST", url, headers, body).json()

    def _failed(self, peer_id: str, exc: CsnetError) -> None:
        with self.node.store.write() as conn:
            attempts = outbox.attempts_of(conn, peer_id) + 1
            outbox.defer(conn, peer_id, attempts, outbox.backoff_seconds(attempts), self.node.now())
        self.failed.add(peer_id)
        log.info("delivery to %s failed (%s); attempt %d", peer_id, exc.error_code, attempts)

    def _recovered(self, peer: Peer) -> None:
        """Back after an outage: catch up on what the peer sent meanwhile."""
        if peer.node_id in self.failed:
            self.failed.discard(peer.node_id)
            self.pull(peer)

    def flush_all(self) -> int:
        """Flush every peer with queued rows that are due, peers side by side.

        One window stays in flight per peer (the per-peer lease), but peers do not wait for each
        other: with nine peers the ninth is not served after eight round trips.
        """
        with self.node.store.read() as conn:
            due = outbox.pending_peers(conn, self.node.now())
        if len(due) <= 1:
            return sum(self.flush(peer) for peer in due)
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_PEERS, len(due))) as pool:
            return sum(pool.map(self.flush, due))

    def pull(self, peer: Peer) -> int:
        # why: the node's workers share one cursor per peer; one of them pulling is enough
        with self.node.work.lease(f"pull.{peer.node_id}") as held:
            return self._pull(peer) if held else 0

    def _pull(self, peer: Peer) -> int:
        try:
            stored = pull.pull_peer(self.node, peer)
        except CsnetError as exc:
            failures = self._pull_failures.get(peer.node_id, (0, 0.0))[0] + 1
            retry_at = time.monotonic() + outbox.backoff_seconds(failures)
            self._pull_failures[peer.node_id] = (failures, retry_at)
            log.info("pull from %s failed (%s)", peer.node_id, exc.error_code)
            return 0
        self._pull_failures.pop(peer.node_id, None)
        return stored

    def pull_all(self) -> int:
        return sum(self.pull(peer) for peer in pull.active_peers(self.node))

    def pull_retries(self) -> int:
        """Pull again, on the push backoff schedule, from peers whose last pull failed: a peer
        that was down when this node started is caught up within seconds of coming back, not
        at the next periodic pull."""
        now = time.monotonic()
        due = {peer for peer, (_, at) in self._pull_failures.items() if at <= now}
        if not due:
            return 0
        return sum(self.pull(peer) for peer in pull.active_peers(self.node) if peer.node_id in due)

    def wake(self) -> None:
        self.node.work.notify()

    def start(self, pull_seconds: float) -> None:
        """Run push and periodic pull in a background thread until stop()."""
        self._thread = threading.Thread(
            target=self._run, args=(pull_seconds,), name="csnet-delivery", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.node.work.notify()  # wakes this runner at once (and, harmlessly, the node's others)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self, pull_seconds: float) -> None:
        next_pull = time.monotonic()
        while not self._stop.is_set():
            self._step(time.monotonic() >= next_pull)
            if time.monotonic() >= next_pull:
                next_pull = time.monotonic() + pull_seconds
            # why: wake on commit; otherwise poll often enough to honour backoff times
            self.node.work.wait(timeout=min(1.0, pull_seconds))
            self.node.work.clear()

    def _step(self, pull_now: bool) -> None:
        try:
            self.flush_all()
            if pull_now:
                self.pull_all()
            else:
                self.pull_retries()
        except Exception:  # why: the runner must outlive any one failure (logged, retried)
            log.exception("delivery step failed")


class _Window:
    """The batches in flight to one peer, oldest first, and the stream they are placed in."""

    def __init__(self, peer: Peer, stack: ExitStack) -> None:
        self.peer = peer
        self.sent = 0
        self.failure: CsnetError | None = None  # why the run ended early, once settled
        self._stack = stack
        self._pool: ThreadPoolExecutor | None = None
        self._flight: deque[tuple[Batch, Future[Answer]]] = deque()
        self._stream, self._number = secrets.token_urlsafe(12), 0
        self._windowed = True  # until the order gate refused a batch of this run
        self._failures: list[CsnetError] = []  # since the last settling

    def has_room(self) -> bool:
        limit = WINDOW if self._placing() else 1
        if self._failures or self.failure is not None or len(self._flight) >= limit:
            return False
        # why: a failure is taken in batch order, but known as soon as it came
        return not any(f.done() and isinstance(f.result(), CsnetError) for _, f in self._flight)

    def ids(self) -> list[str]:
        """The ids in flight, whose outbox rows stay until their answer is recorded."""
        return [item_id for batch, _ in self._flight for item_id, _ in batch]

    def send(self, post: Post, batch: Batch) -> None:
        if self._pool is None and self._windowed and len(batch) >= PIPELINED_FROM:
            self._pool = self._stack.enter_context(ThreadPoolExecutor(WINDOW, "csnet-push"))
        if self._pool is None or not self._windowed:
            self._flight.append((batch, _at_once(post, self.peer, batch, None)))
            return
        place = Place(self._stream, self._number)
        self._number += 1
        self._flight.append((batch, self._pool.submit(post, self.peer, batch, place)))

    def take(self) -> tuple[Batch, Answer] | None:
        """The oldest batch in flight and its answer, once it came; None when none is left."""
        if not self._flight:
            return None
        batch, future = self._flight.popleft()
        answer = future.result()
        if isinstance(answer, CsnetError):
            self._failures.append(answer)
        if self._failures and not self._flight:
            self._settle()
        return batch, answer

    def _settle(self) -> None:
        """After a failure, once the window drained: if only the order gate refused batches
        (one was lost on the way, or the peer serves from several processes, whose gates do
        not meet), the rest goes one batch at a time, without a place; otherwise the run
        ends, to back off."""
        if all(_out_of_order(e) for e in self._failures):
            self._windowed, self._failures = False, []
        else:
            self.failure = self._failures[0]

    def _placing(self) -> bool:
        return self._pool is not None and self._windowed


def _out_of_order(error: CsnetError) -> bool:
    return error.error_code == "batch_out_of_order"


def _answered(data: Any) -> tuple[set[str], set[str]]:
    ok = isinstance(data, dict) and isinstance(data.get("accepted"), list)
    refused = data.get("refused") if ok else None
    if not ok or not isinstance(refused, list):
        raise CsnetError("peer answered a malformed receipt", code="bad_peer_response")
    codes = {r.get("id") for r in refused if isinstance(r, dict)}
    return {i for i in data["accepted"] if isinstance(i, str)}, {i for i in codes if i}


def _at_once(work: Callable[..., T], *args: Any) -> Future[T]:
    """`work` done now, as a finished future (the helper's interface, without a thread)."""
    done: Future[T] = Future()
    try:
        done.set_result(work(*args))
    except Exception as exc:  # why: raised where the result is asked for, as from the helper
        done.set_exception(exc)
    return done


def _envelopes(batch: Sequence[tuple[str, bytes]]) -> list[Envelope]:
    return [Envelope.from_signed_bytes(raw) for _, raw in batch]
