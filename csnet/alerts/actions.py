"""Replies, acknowledgements, corrections and erasure, built on `publish`.

Replies and acknowledgements inherit the audience and TLP of what they answer, so they reach
everyone who saw the original and nobody else; acknowledgements always go back to the originator.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from csnet.access import Caller
from csnet.handling.markings import TLP, Markings
from csnet.items.envelope import Audience, Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.reading import get_visible


def _answer_markings(original: Envelope) -> Markings:
    return Markings(
        tlp=original.markings.tlp,
        handling=original.markings.handling,
        releasability=original.markings.releasability,
    )


def _answer_audience(node: Node, original: Envelope) -> Audience:
    """Everyone who may read the original, and the originator: under TLP:RED the author and the
    named members take the place of the originating node as a whole."""
    audience = original.audience
    if original.markings.tlp is TLP.RED and original.origin == node.node_id:
        return Audience(nodes=audience.nodes, members=(original.author, *audience.members))
    return Audience(nodes=(original.origin, *audience.nodes), groups=audience.groups)


def _answer(kind: str, body: dict[str, Any], node: Node, original: Envelope) -> NewItem:
    audience = _answer_audience(node, original)
    return NewItem(
        kind=kind,
        body=body,
        markings=_answer_markings(original),
        audience_nodes=audience.nodes,
        audience_groups=audience.groups,
        audience_members=audience.members,
    )


def reply(node: Node, caller: Caller, item_id: str, text: str) -> Envelope:
    original = get_visible(node, caller, item_id).envelope
    return publish(
        node,
        caller,
        replace(_answer("reply", {"text": text}, node, original), replies_to=original.id),
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
        replace(_answer("ack", body, node, original), refers_to=original.id),
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
            audience_members=new.audience_members or original.audience.members,
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
            audience_members=original.audience.members,
            supersedes=original.id,
            refers_to=original.id,
        ),
    )
