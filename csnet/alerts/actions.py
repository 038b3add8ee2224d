"""Replies, acknowledgements, corrections and erasure, built on `publish`.

Replies and acknowledgements inherit the audience and TLP of what they answer, so they reach
everyone who saw the original and nobody else; acknowledgements always go back to the originator.
"""

from __future__ import annotations

from typing import Any, Literal

from csnet.alerts.access import Caller
from csnet.alerts.service import NewItem, get_visible, publish
from csnet.handling.markings import Markings
from csnet.items.envelope import Envelope
from csnet.node import Node


def _answer_markings(original: Envelope) -> Markings:
    return Markings(
        tlp=original.markings.tlp,
        handling=original.markings.handling,
        releasability=original.markings.releasability,
    )


def reply(node: Node, caller: Caller, item_id: str, text: str) -> Envelope:
    original = get_visible(node, caller, item_id).envelope
    return publish(
        node,
        caller,
        NewItem(
            kind="reply",
            body={"text": text},
            markings=_answer_markings(original),
            audience_nodes=(original.origin, *original.audience.nodes),
            audience_groups=original.audience.groups,
            replies_to=original.id,
        ),
    )


def acknowledge(
    node: Node,
    caller: Caller,
    item_id: str,
    state: Literal["seen", "actioned"],
    comment: str | None = None,
) -> Envelope:
    original = get_visible(node, caller, item_id).envelope
    body: dict[str, Any] = {"state": state, "at": node.now().isoformat()}
    if comment:
        body["comment"] = comment
    return publish(
        node,
        caller,
        NewItem(
            kind="ack",
            body=body,
            markings=_answer_markings(original),
            audience_nodes=(original.origin, *original.audience.nodes),
            audience_groups=original.audience.groups,
            refers_to=original.id,
        ),
    )


def correct(node: Node, caller: Caller, item_id: str, new: NewItem) -> Envelope:
    """Publish a corrected version that supersedes the original (LED Art 7(3))."""
    original = get_visible(node, caller, item_id).envelope
    return publish(
        node,
        caller,
        NewItem(
            kind=original.kind,
            body=new.body,
            markings=new.markings,
            grading=new.grading,
            audience_nodes=new.audience_nodes or original.audience.nodes,
            audience_groups=new.audience_groups or original.audience.groups,
            supersedes=original.id,
            replies_to=original.replies_to,
            refers_to=original.refers_to,
        ),
    )


def erase(
    node: Node, caller: Caller, item_id: str, reason: str, legal_basis: str | None
) -> Envelope:
    """A signed tombstone that every holder applies (LED Art 16)."""
    original = get_visible(node, caller, item_id).envelope
    body: dict[str, Any] = {"reason": reason}
    if legal_basis:
        body["legal_basis"] = legal_basis
    return publish(
        node,
        caller,
        NewItem(
            kind="tombstone",
            body=body,
            markings=_answer_markings(original),
            audience_nodes=original.audience.nodes,
            audience_groups=original.audience.groups,
            supersedes=original.id,
            refers_to=original.id,
        ),
    )
