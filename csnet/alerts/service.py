"""Publishing and reading the day-one kinds: every write is sealed, stored and audited at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection

from csnet.access import Caller, actor_of, ask, require
from csnet.accounts.members import member_exists
from csnet.audit import AuditAction, AuditEntry, append, append_many
from csnet.bus import Event
from csnet.correlation import disclosures, item_text, sightings
from csnet.errors import BadInput, Forbidden, NotFound
from csnet.federation import link_facts, outbox
from csnet.handling.actors import MemberActor
from csnet.handling.grading import AdmiraltyGrade, EuropolGrade
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Action, Role
from csnet.items import links
from csnet.items.envelope import Audience, Envelope
from csnet.items.kinds import validate_draft
from csnet.items.signing import ItemDraft, seal
from csnet.node import Node
from csnet.store import item_store
from csnet.store.item_store import StoredItem

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


def _entry(caller: Caller, env: Envelope, action: AuditAction) -> AuditEntry:
    return AuditEntry(
        actor=f"member:{caller.member.id}",
        action=action,
        item_id=env.id,
        justification=caller.justification,
        recipients=tuple(f"node:{n}" for n in env.audience.nodes)
        + tuple(f"group:{g}" for g in env.audience.groups)
        + tuple(f"member:{m}" for m in env.audience.members),
        details={"kind": env.kind, "seq": env.seq},
        personal_data=False,
    )


def _seal_all(
    node: Node, conn: Connection, drafts: Sequence[tuple[ItemDraft, BaseModel]]
) -> list[Envelope]:
    first = item_store.reserve_seqs(conn, node.node_id, len(drafts))
    key = node.signing_key(conn)  # why: the key of these seqs, even if another process rotated
    created = node.now()
    return [
        seal(draft, key, origin=node.node_id, seq=first + i, created=created, body=body)
        for i, (draft, body) in enumerate(drafts)
    ]


def publish_many(node: Node, caller: Caller, news: Sequence[NewItem]) -> list[Envelope]:
    """Seal, store and audit a batch in one transaction: all kept, or none."""
    if not news:
        return []
    if len(news) > MAX_BATCH:
        raise BadInput(f"at most {MAX_BATCH} items per batch")
    drafts = [_draft(node, caller, new) for new in news]
    with node.store.write() as conn:
        for draft, _body in drafts:
            _check_links(node, caller, conn, draft)
            _check_members(conn, draft)
        envelopes = _seal_all(node, conn, drafts)
        _judge_links(node, caller, conn, envelopes)
        item_store.insert_items(conn, [(e, e.to_bytes()) for e in envelopes], node.now())
        actions = [_action_for(e) for e in envelopes]
        append_many(
            conn,
            [_entry(caller, e, a) for e, a in zip(envelopes, actions, strict=True)],
            node.now(),
        )
        # why: in the same transaction, so an acknowledged item is never missing from the outbox
        outbox.enqueue(conn, node.node_id, envelopes, node.now())
        hits = sightings.observe(node, conn, envelopes)  # same transaction: no item unsighted
        disclosures.observe(node, conn, envelopes)  # a request and its state never part
        item_text.index(conn, envelopes)  # searchable words, stored with the item
    # Only after the commit: a live feed never announces an item that a rollback took back.
    announced = [Event.item(e.id, e.origin, e.kind, e.created) for e in envelopes]
    node.bus.publish(announced + sightings.events(hits))
    node.work.notify()  # a running delivery runner pushes to peers at once
    return envelopes


def publish(node: Node, caller: Caller, new: NewItem) -> Envelope:
    return publish_many(node, caller, [new])[0]


def _action_for(env: Envelope) -> AuditAction:
    if env.kind == "tombstone":
        return AuditAction.ERASURE
    if env.supersedes:
        return AuditAction.ALTERATION
    return AuditAction.COLLECTION


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


def _judge_links(
    node: Node, caller: Caller, conn: Connection, envelopes: Sequence[Envelope]
) -> None:
    """The one link rule (csnet/items/links.py), as receivers apply it, plus what only this
    node can check: that its member is the author or a supervisor."""
    who = links.Publisher(caller.member.id, caller.member.role is Role.SUPERVISOR)
    view = link_facts.View(conn, node.node_id, {node.node_id: node.identity.country})
    for env in envelopes:
        links.check(env, view.facts(env, who))
        view.add(env)


def _check_members(conn: Connection, draft: ItemDraft) -> None:
    """Named members must be members of this node: an unknown id would address nobody."""
    for member_id in draft.audience.members:
        if not member_exists(conn, member_id):
            raise BadInput(
                f"no member {member_id} on this node", details={"audience.members": member_id}
            )


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
    _audit_consultation(node, caller, [held.envelope])
    return held


def restricted_header(node: Node, caller: Caller, item_id: str) -> Envelope:
    """The envelope of an item the caller may read only with a justification: what a feed shows
    of it (markings, kind, origin, time), never audited as a consultation since the body is not
    shown. Any other item is NotFound, never a hint that it exists."""
    held = _held(node, item_id)
    if not ask(node, caller, Action.READ, held.envelope).needs_justification:
        raise NotFound(f"no item {item_id}")
    return held.envelope


def _audit_consultation(node: Node, caller: Caller, envelopes: Sequence[Envelope]) -> None:
    audit_consultation(node, caller, [e for e in envelopes if e.markings.subjects])


def audit_consultation(
    node: Node, caller: Caller, envelopes: Sequence[Envelope], via: str | None = None
) -> None:
    """LED Art 25: each item with personal data shown to a member, with the justification."""
    if not envelopes:
        return
    entries = [
        AuditEntry(
            actor=f"member:{caller.member.id}",
            action=AuditAction.CONSULTATION,
            item_id=env.id,
            justification=caller.justification,
            recipients=(f"member:{caller.member.id}",),
            details={
                "kind": env.kind,
                "subjects": [s.value for s in env.markings.subjects],
                **({"via": via} if via else {}),
            },
            personal_data=True,
        )
        for env in envelopes
    ]
    with node.store.write() as conn:
        append_many(conn, entries, node.now())


def audit_one(node: Node, entry: AuditEntry) -> None:
    with node.store.write() as conn:
        append(conn, entry, node.now())


@dataclass(frozen=True)
class FeedEntry:
    item: StoredItem
    restricted: bool  # personal data, shown only as a header until a justification is given


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    next_before: tuple[str, str] | None


def feed(
    node: Node,
    caller: Caller,
    kinds: Sequence[str],
    *,
    limit: int = 50,
    before: tuple[Any, str] | None = None,
) -> FeedPage:
    """Newest visible items of these kinds; unreadable ones are skipped, never hinted at."""
    entries: list[FeedEntry] = []
    cursor = before
    with node.store.read() as conn:
        actor = actor_of(node, caller.member, conn)  # once, not once per item
        while len(entries) < limit:
            batch = item_store.list_items(conn, kinds=kinds, before=cursor, limit=limit * 2)
            for held in batch:
                entry = _feed_entry(node, caller, held, actor)
                if entry is not None and len(entries) < limit:
                    entries.append(entry)
            if len(batch) < limit * 2:
                break
            last = batch[-1].envelope
            cursor = (last.created, last.id)
    _audit_consultation(node, caller, [e.item.envelope for e in entries if not e.restricted])
    last_env = entries[-1].item.envelope if len(entries) == limit else None
    next_before = (last_env.created.isoformat(), last_env.id) if last_env else None
    return FeedPage(entries, next_before)


def _feed_entry(
    node: Node, caller: Caller, held: StoredItem, actor: MemberActor
) -> FeedEntry | None:
    decision = ask(node, caller, Action.READ, held.envelope, actor=actor)
    if decision.allowed:
        return FeedEntry(held, restricted=False)
    if decision.needs_justification:
        return FeedEntry(held, restricted=True)
    return None


def thread(node: Node, caller: Caller, item_id: str) -> tuple[list[StoredItem], list[StoredItem]]:
    """Visible replies and acknowledgements of an item (by full id) the caller may read."""
    with node.store.read() as conn:
        replies = item_store.linked_items(conn, item_id, "reply")
        acks = item_store.linked_items(conn, item_id, "ack")
        actor = actor_of(node, caller.member, conn)  # once, not once per reply

    def readable(held: StoredItem) -> bool:
        return ask(node, caller, Action.READ, held.envelope, actor=actor).allowed

    return [h for h in replies if readable(h)], [h for h in acks if readable(h)]
