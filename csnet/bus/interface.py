"""The event bus interface: what publishers and live feeds need, whatever carries the events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Literal, Protocol

ITEM = "item"
HIT = "hit"
GapReason = Literal["behind", "slow", "unknown"]


@dataclass(frozen=True)
class Event:
    """A notice that something changed; subscribers read the thing itself (and apply policy).

    Events carry ids, never content: the bus (perhaps a NATS cluster) holds no personal data.
    """

    kind: str  # "item" or "hit"; others later
    item_id: str  # a hit: the new item
    origin: str
    item_kind: str  # a hit: the indicator type
    created: datetime
    seq: int = 0  # assigned by the bus on publish (in JetStream: the stream sequence)
    other_id: str | None = None  # a hit: the item that already held the value
    value_id: int | None = None  # a hit: the shared value's row (an id, not the value itself)

    @classmethod
    def item(cls, item_id: str, origin: str, item_kind: str, created: datetime) -> Event:
        return cls(ITEM, item_id, origin, item_kind, created)

    @classmethod
    def hit(
        cls,
        item_id: str,
        origin: str,
        value_type: str,
        created: datetime,
        other_id: str,
        value_id: int,
    ) -> Event:
        return cls(HIT, item_id, origin, value_type, created, other_id=other_id, value_id=value_id)

    def numbered(self, seq: int) -> Event:
        return replace(self, seq=seq)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, for buses that carry bytes between processes; the hit fields only
        when set, so item events read the same as before to workers of an older version."""
        data = {**asdict(self), "created": self.created.isoformat()}
        return {k: v for k, v in data.items() if v is not None or k not in _HIT_FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(**{**data, "created": datetime.fromisoformat(str(data["created"]))})


_HIT_FIELDS = frozenset({"other_id", "value_id"})


@dataclass(frozen=True)
class Gap:
    """Events after `after` up to `resume_from` (exclusive) will never come: reload, then go on.

    reason "behind": they fell out of the replay buffer; "slow": this subscriber could not keep
    up and was dropped (the subscription ends; resubscribe from the last seq seen); "unknown":
    the seq asked for was never issued by this bus.
    """

    after: int | None
    resume_from: int
    reason: GapReason


class Subscription(Protocol):
    """Events in seq order, each once; a Gap says where the run of events was broken."""

    @property
    def ended(self) -> bool:
        """Closed, or dropped after a Gap: nothing more will come."""
        ...

    async def get(self, timeout: float | None = None) -> Event | Gap | None:
        """The next event, or None if none came within `timeout` seconds or the subscription
        ended."""
        ...

    def close(self) -> None:
        """Stop receiving (idempotent); call it from the subscriber's own event loop."""
        ...

    def __aiter__(self) -> AsyncIterator[Event | Gap]: ...


class EventBus(Protocol):
    def publish(self, events: Sequence[Event]) -> list[int]:
        """Append events in order and return their seqs; safe to call from any thread."""
        ...

    async def subscribe(self, after_seq: int | None = None) -> Subscription:
        """Events with seq > after_seq (replayed from the buffer, then live); None: live only."""
        ...

    @property
    def latest_seq(self) -> int:
        """The seq of the newest event published (first seq - 1 before any)."""
        ...

    def close(self) -> None:
        """End every subscription; publishing afterwards is an error."""
        ...
