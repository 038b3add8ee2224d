"""Reading items one at a time: an item the caller may read (its consultation audited, LED
Art 25), the header of one it may read only with a justification, the replies and
acknowledgements of a thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from csnet.access import Caller, actor_of, ask, require
from csnet.audit import AuditAction, AuditEntry, append, append_many
from csnet.errors import NotFound
from csnet.handling.roles import Action
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store import item_store
from csnet.store.item_store import StoredItem


def _held(node: Node, item_id: str) -> StoredItem:
    """The item with this id (or unique prefix), unless erased."""
    with node.store.read() as conn:
        full_id = item_store.resolve_id(conn, item_id)
        held = None if full_id is None else item_store.get_item(conn, full_id)
    if held is None or held.tombstoned:
        raise NotFound(f"no item {item_id} (give the full id if a prefix is ambiguous)")
    return held


def get_visible(node: Node, caller: Caller, item_id: str) -> StoredItem:
    """One item the caller may read, with the consultation audited (LED Art 25)."""
    held = _held(node, item_id)
    require(node, caller, Action.READ, held.envelope)
    audit_personal(node, caller, [held.envelope])
    return held


def restricted_header(node: Node, caller: Caller, item_id: str) -> Envelope:
    """The envelope of an item the caller may read only with a justification: what a feed shows
    of it (markings, kind, origin, time), never audited as a consultation since the body is not
    shown. Any other item is NotFound, never a hint that it exists."""
    held = _held(node, item_id)
    if not ask(node, caller, Action.READ, held.envelope).needs_justification:
        raise NotFound(f"no item {item_id}")
    return held.envelope


def audit_personal(node: Node, caller: Caller, envelopes: Sequence[Envelope]) -> None:
    """The consultation of those shown items that carry personal data."""
    audit_consultation(node, caller, [e for e in envelopes if e.markings.subjects])


def audit_consultation(
    node: Node, caller: Caller, envelopes: Sequence[Envelope], via: str | None = None
) -> None:
    """LED Art 25: each item with personal data shown to a member, with the justification."""
    audit_consultations(
        node,
        caller,
        [
            (
                env.id,
                {
                    "kind": env.kind,
                    "subjects": [s.value for s in env.markings.subjects],
                    **({"via": via} if via else {}),
                },
            )
            for env in envelopes
        ],
    )


def audit_consultations(
    node: Node, caller: Caller, shown: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """One consultation entry per (item id, details) shown to the member: the one shape of a
    consultation, whatever was shown (an item, a disclosure request's value)."""
    if not shown:
        return
    entries = [
        AuditEntry(
            actor=f"member:{caller.member.id}",
            action=AuditAction.CONSULTATION,
            item_id=item_id,
            justification=caller.justification,
            recipients=(f"member:{caller.member.id}",),
            details=details,
            personal_data=True,
        )
        for item_id, details in shown
    ]
    with node.store.write() as conn:
        append_many(conn, entries, node.now())


def audit_one(node: Node, entry: AuditEntry) -> None:
    with node.store.write() as conn:
        append(conn, entry, node.now())


def thread(node: Node, caller: Caller, item_id: str) -> tuple[list[StoredItem], list[StoredItem]]:
    """Visible replies and acknowledgements of an item (by full id) the caller may read."""
    with node.store.read() as conn:
        replies = item_store.linked_items(conn, item_id, "reply")
        acks = item_store.linked_items(conn, item_id, "ack")
        actor = actor_of(node, caller.member, conn)  # once, not once per reply

    def readable(held: StoredItem) -> bool:
        return ask(node, caller, Action.READ, held.envelope, actor=actor).allowed

    return [h for h in replies if readable(h)], [h for h in acks if readable(h)]
