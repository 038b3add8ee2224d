"""Publishing: a member's items of any kind checked, sealed and stored through the one item
pipeline (csnet/pipeline/), all kept or none; announced after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection

from csnet.access import Caller, require
from csnet.accounts.members import member_exists
from csnet.errors import BadInput, Forbidden, NotFound
from csnet.handling.grading import AdmiraltyGrade, EuropolGrade
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Action, Role
from csnet.items import links
from csnet.items.envelope import Audience, Envelope
from csnet.items.kinds import validate_draft
from csnet.items.signing import ItemDraft
from csnet.node import Node
from csnet.pipeline.apply import announce, apply
from csnet.pipeline.seal import judge_links, seal_batch
from csnet.pipeline.source import Source
from csnet.store import item_store

AUTHOR_ROLES = frozenset({Role.OFFICER, Role.ANALYST, Role.SUPERVISOR, Role.PROTECTION_OFFICER})
MAX_BATCH = 1000


@dataclass(frozen=True)
class NewItem:
    """What a member asks to publish; the node adds origin, seq, author, time and signature."""

    kind: str
    body: dict[str, Any]
    markings: Markings = field(default_factory=Markings)
    grading: AdmiraltyGrade | EuropolGrade | None = None
    audience_nodes: tuple[str, ...] = ()
    audience_groups: tuple[str, ...] = ()
    audience_members: tuple[str, ...] = ()  # members of this node named (TLP:RED)
    supersedes: str | None = None
    replies_to: str | None = None
    refers_to: str | None = None


def _draft(node: Node, caller: Caller, new: NewItem) -> tuple[ItemDraft, BaseModel]:
    """The draft and its validated body: all content checks happen before the writer lock."""
    if caller.member.role not in AUTHOR_ROLES:
        raise Forbidden(f"role {caller.member.role} cannot publish items", code="role_denied")
    nodes = tuple(sorted(_audience_nodes(node, new)))
    try:
        draft = _make_draft(caller, new, nodes)
    except ValidationError as exc:
        raise BadInput(f"invalid item: {exc.errors()[0]['msg']}", code="bad_item") from None
    return draft, validate_draft(draft)


def _audience_nodes(node: Node, new: NewItem) -> set[str]:
    """The originating node addresses its own members, except under TLP:RED: a RED item is for
    its author and the members or nodes named, nobody else here unless named (docs/policy.md)."""
    if new.markings.tlp is TLP.RED:
        return set(new.audience_nodes)
    return {node.node_id, *new.audience_nodes}


def _make_draft(caller: Caller, new: NewItem, nodes: tuple[str, ...]) -> ItemDraft:
    audience = Audience(
        nodes=nodes, groups=tuple(new.audience_groups), members=tuple(new.audience_members)
    )
    return ItemDraft(
        kind=new.kind,
        author=caller.member.id,
        audience=audience,
        markings=new.markings,
        grading=new.grading,
        supersedes=new.supersedes,
        replies_to=new.replies_to,
        refers_to=new.refers_to,
        body=new.body,
    )


def publish_many(node: Node, caller: Caller, news: Sequence[NewItem]) -> list[Envelope]:
    """Seal, store and audit a batch in one transaction: all kept, or none."""
    if not news:
        return []
    if len(news) > MAX_BATCH:
        raise BadInput(f"at most {MAX_BATCH} items per batch")
    drafts = [_draft(node, caller, new) for new in news]
    source = Source.member(caller.member.id, caller.justification)
    with node.store.write() as conn:
        for draft, _body in drafts:
            _check_links(node, caller, conn, draft)
            _check_members(conn, draft)
        envelopes = seal_batch(node, conn, drafts)
        publisher = links.Publisher(caller.member.id, caller.member.role is Role.SUPERVISOR)
        judge_links(node, conn, envelopes, publisher)
        applied = apply(node, conn, envelopes, source)  # rows, projections, audit, outbox
    announce(node, applied)
    return envelopes


def publish(node: Node, caller: Caller, new: NewItem) -> Envelope:
    return publish_many(node, caller, [new])[0]


def _check_links(node: Node, caller: Caller, conn: Connection, draft: ItemDraft) -> None:
    """The items a draft links to exist here and the caller may read them; who may make the
    link is the link rule's to say, once the item is sealed (`_judge_links`)."""
    for link in (draft.replies_to, draft.refers_to, draft.supersedes):
        if link is None:
            continue
        held = item_store.get_item(conn, link)
        if held is None or held.tombstoned:
            raise NotFound(f"no item {link}")
        require(node, caller, Action.READ, held.envelope, conn=conn)


def _check_members(conn: Connection, draft: ItemDraft) -> None:
    """Named members must be members of this node: an unknown id would address nobody."""
    for member_id in draft.audience.members:
        if not member_exists(conn, member_id):
            raise BadInput(
                f"no member {member_id} on this node", details={"audience.members": member_id}
            )
