"""The NATS JetStream bus: several worker processes of one node share one stream of live events.

Each node has its own stream (`NatsNames`), so nodes sharing a nats-server never mix. The stream
keeps the replay buffer (limits retention: at most `max_msgs` events, none older than `max_age`);
its sequence numbers are the event seqs. A subscription is an ordered push consumer that starts at
`after_seq + 1` and feeds a `QueuedSubscription` in the subscriber's own loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.js import api

from csnet.bus.interface import Event, Gap
from csnet.bus.memory import DEFAULT_QUEUE, clock_seq
from csnet.bus.natslink import CALL_SECONDS, BusUnreachable, NatsLink
from csnet.bus.queued import QueuedSubscription

log = logging.getLogger(__name__)
DEFAULT_MAX_MSGS = 100_000  # the replay buffer: a reconnecting feed resumes within it
DEFAULT_MAX_AGE = 24 * 3600.0  # seconds; older events are gone (a resume gets a "behind" Gap)
PUBLISH_SECONDS = 2.0  # a request handler waits at most this long for NATS to take its events
STREAM_IN_USE = 10058  # JetStream: "stream name already in use with a different configuration"


@dataclass(frozen=True)
class NatsNames:
    """Where one node's traffic lives on a shared nats-server (all derived from the node id)."""

    stream: str
    events: str  # JetStream subject of the live events
    wake: str  # core-NATS subject: "items were queued for peers"
    leases: str  # KV bucket: which worker sends to which peer

    @classmethod
    def for_node(cls, node_id: str) -> NatsNames:
        token = "".join(c for c in node_id.lower() if c.isalnum() or c in "-_")
        if not token:
            raise ValueError(f"node id {node_id!r} gives no NATS name")
        base = f"csnet-{token}"
        return cls(base, f"csnet.{token}.events", f"csnet.{token}.wake", f"{base}-leases")


class NatsBus:
    """EventBus on a JetStream stream. Publishing never fails a request: if NATS cannot take the
    events within PUBLISH_SECONDS they are dropped with a warning and [] is returned (the commit
    they announce stands; lists and pull stay authoritative)."""

    def __init__(
        self,
        link: NatsLink,
        names: NatsNames,
        *,
        max_msgs: int = DEFAULT_MAX_MSGS,
        max_age: float = DEFAULT_MAX_AGE,
        queue: int = DEFAULT_QUEUE,
        first_seq: int | None = None,
    ) -> None:
        if max_msgs < 1 or queue < 1:
            raise ValueError("max_msgs and queue must hold at least one event")
        self._link, self._names, self._queue = link, names, queue
        self._publishing = threading.Lock()  # orders this process's publishes
        # Guards feeds and closed, never held while waiting for NATS: the client's loop takes it.
        self._guard = threading.Lock()
        self._feeds: dict[QueuedSubscription, _Feed] = {}
        self._closed = False
        config = api.StreamConfig(
            name=names.stream,
            subjects=[names.events],
            retention=api.RetentionPolicy.LIMITS,
            discard=api.DiscardPolicy.OLD,
            max_msgs=max_msgs,
            max_age=max_age,
            storage=api.StorageType.FILE,
            num_replicas=1,
            # why: like MemoryBus, a new stream numbers above any seq a client may still hold
            first_seq=clock_seq() if first_seq is None else first_seq,
        )
        info = link.run(self._ensure_stream(config))
        self._latest = info.state.last_seq
        link.hold()

    async def _ensure_stream(self, config: api.StreamConfig) -> api.StreamInfo:
        js, name = self._link.js, self._names.stream
        try:
            return await js.stream_info(name)
        except nats.js.errors.NotFoundError:
            pass
        try:
            return await js.add_stream(config)
        except nats.js.errors.BadRequestError as exc:
            if exc.err_code != STREAM_IN_USE:
                raise
            return await js.stream_info(name)  # another worker created it meanwhile

    @property
    def names(self) -> NatsNames:
        return self._names

    @property
    def latest_seq(self) -> int:
        try:
            info = self._link.run(self._link.js.stream_info(self._names.stream), CALL_SECONDS)
        except (TimeoutError, RuntimeError, nats.errors.Error) as exc:
            log.warning("event bus: latest seq unknown (%s); using the last one seen", exc)
            return self._latest
        self._latest = max(self._latest, info.state.last_seq)
        return self._latest

    def publish(self, events: Sequence[Event]) -> list[int]:
        # why: one batch after another, so seqs follow the order of the calls
        with self._publishing:
            if self._closed:
                raise RuntimeError("the event bus is closed")
            if not events:
                return []
            if not self._link.connected:
                log.warning("event bus unreachable: %d live event(s) dropped", len(events))
                return []
            payloads = [json.dumps(e.to_json()).encode() for e in events]
            try:
                seqs = self._link.run(self._publish(payloads), PUBLISH_SECONDS + 1)
            except (TimeoutError, RuntimeError, nats.errors.Error) as exc:
                log.warning("event bus: %d live event(s) dropped (%s)", len(events), exc)
                return []
            self._latest = max(self._latest, seqs[-1])
            return seqs

    async def _publish(self, payloads: list[bytes]) -> list[int]:
        js, names = self._link.js, self._names
        # Pipelined on one connection: the stream numbers them in the order they were sent.
        acks = [await js.publish_async(names.events, p, stream=names.stream) for p in payloads]
        async with asyncio.timeout(PUBLISH_SECONDS):
            return [ack.seq for ack in await asyncio.gather(*acks)]

    async def subscribe(self, after_seq: int | None = None) -> QueuedSubscription:
        """As EventBus.subscribe; BusUnreachable (503) while NATS cannot be reached."""
        loop = asyncio.get_running_loop()
        if self._closed:
            raise RuntimeError("the event bus is closed")
        if not self._link.connected:
            raise BusUnreachable("live events are unavailable: the event bus is unreachable")
        try:
            async with asyncio.timeout(CALL_SECONDS * 2):
                return await asyncio.wrap_future(self._link.call(self._subscribe(loop, after_seq)))
        except (TimeoutError, nats.errors.Error) as exc:
            raise BusUnreachable(f"live events are unavailable: {exc}") from None

    async def _subscribe(
        self, loop: asyncio.AbstractEventLoop, after: int | None
    ) -> QueuedSubscription:
        state = (await self._link.js.stream_info(self._names.stream)).state
        start, backlog = _start(after, state.first_seq, state.last_seq)
        sub = QueuedSubscription(self, loop, self._queue, start, backlog)
        feed = _Feed(sub, start)
        feed.psub = await self._link.js.subscribe(
            self._names.events,
            stream=self._names.stream,
            cb=feed.on_msg,
            ordered_consumer=True,
            config=api.ConsumerConfig(
                deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start + 1
            ),
        )
        with self._guard:
            closed = self._closed
            if not closed:
                self._feeds[sub] = feed
        if closed:  # closed while this subscription was being set up
            await feed.stop()
            raise RuntimeError("the event bus is closed")
        return sub

    def remove(self, sub: QueuedSubscription) -> None:
        with self._guard:
            feed = self._feeds.pop(sub, None)
        if feed is not None:
            self._link.spawn(feed.stop())

    def close(self) -> None:
        with self._publishing, self._guard:
            if self._closed:
                return
            self._closed = True
            feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            feed.sub.end()
        try:
            self._link.run(_stop_all(feeds))
        except (TimeoutError, RuntimeError) as exc:
            log.warning("event bus: subscriptions not stopped cleanly (%s)", exc)
        self._link.release()


def _start(after: int | None, first: int, last: int) -> tuple[int, list[Event | Gap]]:
    """Where a subscriber from `after` starts (the seq before the first one it gets) and the Gap
    it is told first, if any. JetStream's first_seq is last + 1 once everything expired."""
    if after is None:
        return last, []
    if after > last:
        return last, [Gap(after, last + 1, "unknown")]
    if after + 1 < first:
        return first - 1, [Gap(after, first, "behind")]
    return after, []


class _Feed:
    """Turns one ordered consumer's messages into events for one subscriber (on the NATS loop)."""

    def __init__(self, sub: QueuedSubscription, start: int) -> None:
        self.sub = sub
        self.last = start
        self.psub: nats.js.JetStreamContext.PushSubscription | None = None
        self._stopping: asyncio.Task[None] | None = None

    async def on_msg(self, msg: Msg) -> None:
        seq = msg.metadata.sequence.stream
        if seq <= self.last:
            return  # delivered again after the consumer was recreated
        try:
            event = Event.from_json(json.loads(msg.data)).numbered(seq)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("event bus: skipped malformed event %d (%s)", seq, exc)
            return
        # A jump means events expired between the stream lookup and the consumer's start.
        gap = Gap(self.last, seq, "behind") if seq > self.last + 1 else None
        self.last = seq
        if not self.sub.push([event], gap) and self._stopping is None:
            # Not awaited here: unsubscribing cancels the task this callback runs in.
            self._stopping = asyncio.create_task(self.stop())

    async def stop(self) -> None:
        psub, self.psub = self.psub, None
        if psub is None:
            return
        try:
            await psub.unsubscribe()
        except nats.errors.Error as exc:  # closed or reconnecting: the server drops it anyway
            log.debug("event bus: unsubscribe failed (%s)", exc)


async def _stop_all(feeds: list[_Feed]) -> None:
    await asyncio.gather(*(feed.stop() for feed in feeds))
