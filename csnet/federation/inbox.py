"""Receiving items from a peer (pushed batches and pulled pages) through one set of checks.

The request was already authenticated (known active peer, signature, freshness: inbound.py).
Each item is then judged on its own, in the order the design fixes: item signature and hash →
receiver in the audience → markings allow (relay rules) → body schema → links (the one link
rule, csnet/items/links.py: who may correct, erase, consent, answer …) → its (origin, seq)
names no other item (seq_claims.py). Accepted items, their
audit entries, refusal audit entries, relay outbox rows and the pull cursor are written in one
transaction; refused items are never stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, select, update

from csnet.audit import AuditAction, AuditEntry, append_many
from csnet.errors import BadInput, CsnetError, Forbidden, TooLarge, Unauthenticated
from csnet.federation import consent, framing, groups, ordering, outbox, reach, seq_claims
from csnet.federation.inbound import Nonce, claim
from csnet.federation.local import API_PREFIX, audit_refusal, peer_actor, request_details
from csnet.federation.peers import Peer, key_history
from csnet.items import links, relay, strict_json
from csnet.items.batch import Checked, verify_to_bytes
from csnet.items.envelope import Envelope
from csnet.items.keys import KeyHistory
from csnet.node import Node
from csnet.pipeline import link_facts
from csnet.pipeline.apply import announce, apply
from csnet.pipeline.source import Source, Via
from csnet.store.tables import items, sync_cursors

Lookup = Callable[[str], KeyHistory | None]
ITEMS_PATH = API_PREFIX + "/federation/items"


@dataclass(frozen=True)
class Refusal:
    index: int
    item_id: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.item_id, "code": self.code, "message": self.message}


@dataclass
class Receipt:
    accepted: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    stored: list[Envelope] = field(default_factory=list)  # newly stored (not held before)
    erased: list[Envelope] = field(default_factory=list)  # accepted, erased on arrival
    index_of: dict[str, int] = field(default_factory=dict)  # accepted id -> its place in the batch

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "refused": [r.to_json() for r in self.refused]}

    def withdraw(self, item_ids: set[str], error: CsnetError) -> None:
        """Refuse items judged acceptable after all (the write found them in conflict)."""
        self.accepted = [i for i in self.accepted if i not in item_ids]
        late = [Refusal(self.index_of[i], i, error.error_code, error.message) for i in item_ids]
        self.refused = sorted(self.refused + late, key=lambda r: r.index)


def _lookup(node: Node, conn: Connection) -> Lookup:
    cache: dict[str, KeyHistory | None] = {
        node.node_id: KeyHistory(node.signing_key(conn).public_key)
    }

    def keys(origin: str) -> KeyHistory | None:
        # why: a third node's key is known from our own peering with it; else unknown_origin.
        # Its retired keys verify only what it sealed before retiring them (keys_for).
        if origin not in cache:
            cache[origin] = key_history(conn, origin)
        return cache[origin]

    return keys


@dataclass
class Views:
    """What a batch is judged against, updated as its items are accepted: `groups`, this
    node's membership as the owners' items set it; `consents`, the originators' consents as
    this node holds them; `links`, the targets of links (items, groups, requests)."""

    groups: groups.Membership
    consents: consent.View
    links: link_facts.View

    def apply(self, env: Envelope) -> None:
        self.groups.apply(env)  # later items of the batch may be addressed to a group just joined
        self.consents.apply(env)  # and relayed under a consent (or its withdrawal) just read
        self.links.add(env)  # and link to an item of the batch


def check_item(node: Node, sender: Peer, item: Verified, views: Views) -> Envelope:
    """An item whose id and signature verified, through the remaining checks in order; its
    links last, by the one link rule (csnet/items/links.py)."""
    env = item.env
    country = node.identity.country
    view, consents = views.groups, views.consents
    mine = view.of(node.node_id)
    if not relay.may_receive(node.node_id, country, env, mine).allowed:
        raise Forbidden("this node is not in the item's audience", code="not_in_audience")
    source = relay.Target(sender.node_id, None, view.of(sender.node_id))
    scope = None if sender.node_id == env.origin else consents.scope(env, node.now())
    relayed = relay.relay_allowed(source, node.node_id, country, env, mine, scope)
    if not relayed.allowed:
        why = "; ".join(relayed.reasons)
        raise Forbidden(
            f"the markings do not let the sender pass it on: {why}", code="relay_forbidden"
        )
    if item.body_error is not None:
        raise item.body_error
    links.check(env, views.links.facts(env))
    return env


def _consents_first(
    node: Node,
    sender: Peer,
    checked: dict[int, Verified | CsnetError],
    views: Views,
    seqs: seq_claims.SeqClaims,
) -> dict[int, Envelope]:
    """The batch's consent items, judged before the rest: an H2 item relayed under a consent
    sorts before it (outbox order is (origin, seq)). One that fails here is judged again in
    batch order, where its refusal is recorded; so is one whose (origin, seq) another item has,
    which batch order decides."""
    early: dict[int, Envelope] = {}
    for index, outcome in checked.items():
        if not isinstance(outcome, Verified) or outcome.env.kind != consent.CONSENT_KIND:
            continue
        if not seqs.uncontested(outcome.env):
            continue
        try:
            env = check_item(node, sender, outcome, views)
        except CsnetError:
            continue
        early[index] = env
        views.consents.apply(env)
    return early


_TOP_ID = re.compile(rb'"id":"([0-9a-f]{64})"')


def _claimed_id(raw: Any) -> str | None:
    """The id an item says it has (not yet checked): its top-level "id"."""
    if isinstance(raw, bytes):
        # why: in canonical member order no member after "id" holds an "id" key of its own
        found = _TOP_ID.findall(raw[-4096:]) or _TOP_ID.findall(raw)
        return found[-1].decode() if found else None
    claimed = raw.get("id") if isinstance(raw, dict) else None
    return claimed if isinstance(claimed, str) and len(claimed) == 64 else None


def _held(conn: Connection, ids: Sequence[str | None]) -> set[str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(conn.execute(select(items.c.id).where(items.c.id.in_(wanted))).scalars())


class Verified(NamedTuple):
    """An item whose id and signature verified, parsed once; and, if its body failed its
    kind's schema, why (judged after audience and markings)."""

    env: Envelope
    body_error: CsnetError | None


def _verified(outcome: Checked | CsnetError) -> Verified | CsnetError:
    if isinstance(outcome, CsnetError):
        return outcome
    return Verified(Envelope.from_signed_bytes(outcome.data), outcome.body_error)


@dataclass
class Prepared:
    """A batch's order-independent part, done before its turn: the ids its items claim, and
    each item not held already verified (id, signature, limits) and parsed, by index."""

    claimed: list[str | None]
    checked: dict[int, Verified | CsnetError]


def prepare(node: Node, raws: Sequence[Any]) -> Prepared:
    """Verify a batch in the node's workers. Items already held are left out: their id is the
    hash of content we verified before (a catch-up that overlaps a push pays for each once)."""
    claimed = [_claimed_id(raw) for raw in raws]
    with node.store.read() as conn:
        held = _held(conn, claimed)
        todo = [i for i, item_id in enumerate(claimed) if item_id is None or item_id not in held]
        verdicts = verify_to_bytes([raws[i] for i in todo], _lookup(node, conn), node.workers)
    return Prepared(claimed, {i: _verified(v) for i, v in zip(todo, verdicts, strict=True)})


def _judge(node: Node, sender: Peer, prepared: Prepared) -> tuple[list[Envelope], Receipt]:
    """Verdicts in batch order, judged in one read transaction: every look-up of the batch
    (held items, groups, consents, link targets, seq claims) sees the same state."""
    with node.store.read() as conn:
        return _judge_in(node, conn, sender, prepared)


def _unheld(conn: Connection, prepared: Prepared) -> dict[int, Verified | CsnetError]:
    """The verified items still not held: one stored since it was verified (by the batch
    before it, or a pull) is accepted unchecked, like one held before."""
    checked = prepared.checked
    held = _held(conn, [v.env.id for v in checked.values() if isinstance(v, Verified)])
    return {i: v for i, v in checked.items() if not (isinstance(v, Verified) and v.env.id in held)}


def _judge_in(
    node: Node, conn: Connection, sender: Peer, prepared: Prepared
) -> tuple[list[Envelope], Receipt]:
    checked = _unheld(conn, prepared)
    envelopes = [v.env for v in checked.values() if isinstance(v, Verified)]
    seqs = seq_claims.load(conn, envelopes)
    countries = {node.node_id: node.identity.country}
    views = Views(
        reach.membership(node.views, conn),
        consent.View(conn),
        link_facts.View(conn, node.node_id, countries),
    )
    early = _consents_first(node, sender, checked, views, seqs)
    receipt = Receipt()
    chosen: dict[str, Envelope | None] = {}  # None: held already, nothing to store
    for index, item_id in enumerate(prepared.claimed):
        outcome = checked.get(index)
        if outcome is None and item_id is not None:
            chosen.setdefault(item_id, None)
            continue
        try:
            if not isinstance(outcome, Verified):
                raise outcome or BadInput("item has no id", code="malformed")
            env = early.get(index) or check_item(node, sender, outcome, views)
            if index in early:  # judged before the batch: its target may come earlier in it
                links.check(env, views.links.facts(env))
            seqs.claim(env)  # last: an item refused for another reason claims nothing
        except CsnetError as exc:
            receipt.refused.append(Refusal(index, item_id, exc.error_code, exc.message))
            continue
        chosen.setdefault(env.id, env)
        receipt.index_of.setdefault(env.id, index)
        views.apply(env)
    receipt.accepted = list(chosen)
    return [env for env in chosen.values() if env is not None], receipt


def receive_batch(
    node: Node,
    sender: Peer,
    body: bytes,
    place: ordering.Place | None = None,
    nonce: Nonce | None = None,
) -> Receipt:
    """A pushed batch `{"items": [...]}`: the batch as a whole is refused only if malformed.
    With a `place` in its sender's window, it is stored after the batch before it; the request's
    `nonce` (inbound.authenticate_deferred) is recorded in the items' transaction."""
    try:
        raws = _batch_items(body)
    except CsnetError as exc:
        ordering.gate_of(node.node_id).abandon(sender.node_id, place)
        audit_refusal(node, sender.node_id, exc.error_code, request_details("POST", ITEMS_PATH))
        raise
    return receive(node, sender, raws, place=place, nonce=nonce)


def _batch_items(body: bytes) -> list[Any]:
    """The items of a batch: their bytes when framed one per line, else parsed JSON values."""
    raws: list[Any] | None = framing.split_lines(body)
    if raws is None:
        data = strict_json.loads(body, what="batch", code="bad_batch")
        raws = data.get("items") if isinstance(data, dict) else None
        if not isinstance(raws, list) or set(data) != {"items"}:
            raise BadInput('a batch is {"items": [<item>, ...]}', code="bad_batch")
    if len(raws) > outbox.MAX_BATCH_ITEMS:
        raise TooLarge(f"at most {outbox.MAX_BATCH_ITEMS} items a batch", code="batch_too_large")
    return raws


def receive(
    node: Node,
    sender: Peer,
    raws: Sequence[Any],
    cursor: tuple[str, int] | None = None,
    place: ordering.Place | None = None,
    nonce: Nonce | None = None,
) -> Receipt:
    """Check a batch from `sender`, then store it through the one item pipeline, with the
    refusals' audit entries and the pull cursor in the same transaction; announce after.
    Verification runs at once, side by side with other batches; judging and storing wait for
    the turn of `place` (ordering.py), since they depend on what the batches before stored."""
    gate = ordering.gate_of(node.node_id)
    try:
        prepared = prepare(node, raws)
    except BaseException:
        gate.abandon(sender.node_id, place)
        raise
    with gate.turn(sender.node_id, place):
        return store(node, sender, prepared, cursor, nonce)


def store(
    node: Node,
    sender: Peer,
    prepared: Prepared,
    cursor: tuple[str, int] | None = None,
    nonce: Nonce | None = None,
) -> Receipt:
    """Judge a prepared batch against the store and write what it accepts."""
    envelopes, receipt = _judge(node, sender, prepared)
    try:
        return _write(node, sender, envelopes, receipt, cursor, nonce)
    except Unauthenticated as exc:  # a replay that raced its first copy: nothing was stored
        audit_refusal(node, sender.node_id, exc.error_code, request_details("POST", ITEMS_PATH))
        raise


def _write(
    node: Node,
    sender: Peer,
    envelopes: list[Envelope],
    receipt: Receipt,
    cursor: tuple[str, int] | None,
    nonce: Nonce | None,
) -> Receipt:
    source = Source.peer_node(sender.node_id, Via.PUSH if cursor is None else Via.PULL)
    with node.store.write() as conn:
        if nonce is not None:
            claim(node, conn, nonce)  # why: the request and its items commit together, or neither
        clashing = seq_claims.clashing(conn, envelopes)  # stored by another receipt since judging
        if clashing:
            receipt.withdraw(clashing, seq_claims.seq_conflict())
            envelopes = [e for e in envelopes if e.id not in clashing]
        applied = apply(node, conn, envelopes, source)
        receipt.stored, receipt.erased = applied.stored, applied.erased
        append_many(conn, _refusals(sender, receipt), node.now())
        if cursor is not None:
            advance_cursor(conn, sender.node_id, *cursor)
    announce(node, applied)  # only after the commit, as for local publishing
    return receipt


def _refusals(sender: Peer, receipt: Receipt) -> list[AuditEntry]:
    actor = peer_actor(sender.node_id)
    return [
        AuditEntry(
            actor=actor,
            action=AuditAction.PEER_REFUSED,
            item_id=r.item_id,
            details={"code": r.code, "origin": sender.node_id, "index": r.index, "what": "item"},
        )
        for r in receipt.refused
    ]


def cursor_of(conn: Connection, peer: str, origin: str) -> int:
    query = select(sync_cursors.c.last_seq).where(
        sync_cursors.c.peer == peer, sync_cursors.c.origin == origin
    )
    return int(conn.execute(query).scalar() or 0)


def advance_cursor(conn: Connection, peer: str, origin: str, last_seq: int) -> None:
    current = conn.execute(
        select(sync_cursors.c.last_seq).where(
            sync_cursors.c.peer == peer, sync_cursors.c.origin == origin
        )
    ).first()
    if current is None:
        conn.execute(sync_cursors.insert().values(peer=peer, origin=origin, last_seq=last_seq))
    elif last_seq > int(current[0]):
        conn.execute(
            update(sync_cursors)
            .where(sync_cursors.c.peer == peer, sync_cursors.c.origin == origin)
            .values(last_seq=last_seq)
        )
