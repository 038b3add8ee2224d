"""Storing a batch of judged items: their rows, then every registered projection, all in the
caller's transaction; `announce` tells the bus and the delivery runner after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from csnet.bus import Event
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.pipeline import projections
from csnet.pipeline.source import Source
from csnet.store import item_store


@dataclass
class Applied:
    stored: list[Envelope] = field(default_factory=list)  # newly stored
    erased: list[Envelope] = field(default_factory=list)  # accepted, erased on arrival
    events: list[Event] = field(default_factory=list)  # what the projections announce


def apply(node: Node, conn: Connection, envelopes: Sequence[Envelope], source: Source) -> Applied:
    """Store the items not held yet and project them, in `conn`'s transaction. Items held
    already are left as they are: nothing is projected, audited or queued twice."""
    projections.check_kinds(envelopes)
    inserted = item_store.store_items(conn, [(e, e.to_bytes()) for e in envelopes], node.now())
    stored, erased = inserted.stored, inserted.erased
    applied = Applied(stored, erased)
    for projection in projections.ordered():
        mine = [e for e in stored if projection.wants(e.kind)]
        gone = [e for e in erased if projection.wants(e.kind)]
        if not mine and not gone:
            continue
        events = projection.apply(projections.Applying(node, conn, source, mine, gone))
        applied.events.extend(events or ())
    return applied


def announce(node: Node, applied: Applied) -> None:
    """After the commit only: a live feed never announces an item a rollback took back."""
    if not applied.stored and not applied.events:
        return
    items = [Event.item(e.id, e.origin, e.kind, e.created) for e in applied.stored]
    node.bus.publish(items + applied.events)
    node.work.notify()  # a running delivery runner pushes to peers at once
