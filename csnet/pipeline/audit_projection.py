"""The audit projection: one entry per item stored or erased on arrival, shaped by its source.

A member's item is a collection (or an alteration, or an erasure) by that member, with the
recipients it was addressed to; the node's own item the same, by the node; a received item a
collection by the peer that sent it (an erasure if a tombstone held already erased it).
"""

from __future__ import annotations

from collections.abc import Sequence

from csnet.audit import AuditAction, AuditEntry, append_many
from csnet.bus import Event
from csnet.items.envelope import Envelope
from csnet.pipeline.projections import Applying, projection
from csnet.pipeline.source import Source

ORDER = 90  # after the projections of content, before the outbox


@projection("audit", ORDER)
def audit_items(applying: Applying) -> Sequence[Event]:
    source = applying.source
    if not source.audit:
        return ()
    entries = [_entry(source, env) for env in applying.stored]
    entries += [_erased_entry(source, env) for env in applying.erased]
    append_many(applying.conn, entries, applying.node.now())
    return ()


def action_for(env: Envelope) -> AuditAction:
    if env.kind == "tombstone":
        return AuditAction.ERASURE
    if env.supersedes:
        return AuditAction.ALTERATION
    return AuditAction.COLLECTION


def _entry(source: Source, env: Envelope) -> AuditEntry:
    if source.received:
        return AuditEntry(
            actor=source.actor,
            action=AuditAction.COLLECTION,
            item_id=env.id,
            details={"kind": env.kind, "origin": env.origin, "seq": env.seq, "via": "federation"},
        )
    return AuditEntry(
        actor=source.actor,
        action=action_for(env),
        item_id=env.id,
        justification=source.justification,
        recipients=tuple(f"node:{n}" for n in env.audience.nodes)
        + tuple(f"group:{g}" for g in env.audience.groups)
        + tuple(f"member:{m}" for m in env.audience.members),
        details={"kind": env.kind, "seq": env.seq},
        personal_data=False,
    )


def _erased_entry(source: Source, env: Envelope) -> AuditEntry:
    return AuditEntry(
        actor=source.actor,
        action=AuditAction.ERASURE,
        item_id=env.id,
        details={
            "kind": env.kind,
            "origin": env.origin,
            "seq": env.seq,
            "via": "federation",
            "erased_on_arrival": True,
        },
    )
