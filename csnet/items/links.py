"""Who may link one item to another: the one rule for every item-to-item link.

Every link (a correction's `supersedes`, a tombstone's `refers_to`, a consent's item, a group
change, a pre-screen key's group, a disclosure's request …) is judged here, for items this node
publishes and for items it receives alike (docs/federation.md, "Links between items"). The rule
is pure: the caller hands over the facts of the targets as this node holds them (`Facts`).

A signature proves who made an item, not that its maker may touch the item it points at: a
correction or erasure comes from the target's origin, a group change from the group's owner, a
consent from the item's originator, a disclosure from the node the request was addressed to and
holds the asked value. Replies and acknowledgements may come from anyone in the audience and
never change their target. A refused link raises with a stable code; the item is not stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from csnet.errors import BadInput, Conflict, Forbidden, NotFound
from csnet.items.envelope import Envelope

TOMBSTONE, GROUP, CONSENT, PRESCREEN_KEY = "tombstone", "group", "consent", "prescreen_key"
ACK = "ack"
REQUEST, ANSWER, APPROVED = "disclosure_request", "disclosure", "approved"

# Refusal codes (stable: peers and clients read them).
NOT_ORIGIN = "not_origin"  # a correction, erasure or consent from another node than the target's
NOT_AUTHOR = "not_author"  # a local correction or erasure by neither the author nor a supervisor
NOT_OWNER = "not_owner"  # a group change or pre-screen key from another node than the owner
NOT_HOLDER = "not_holder"  # a disclosure from another node than the one asked
VALUE_NOT_HELD = "value_not_held"  # an approved disclosure that does not hold the asked value
WRONG_KIND = "wrong_kind"  # a correction of another kind than its target
LINK_MISMATCH = "link_mismatch"  # a tombstone whose supersedes and refers_to differ
ALREADY_SUPERSEDED = "already_superseded"  # a local correction of a version already corrected
ALREADY_DECIDED = "already_decided"  # a disclosure for a request no longer pending
NOT_ADDRESSED = "disclosure_not_addressed"  # a disclosure request that does not name this node
NOT_A_READER = "not_a_reader"  # a reply or ack from a node the target's markings do not reach


@dataclass(frozen=True)
class Target:
    """An item a link points at, as this node holds it."""

    id: str
    origin: str
    author: str
    kind: str
    superseded_by: str | None = None


@dataclass(frozen=True)
class Asked:
    """A disclosure request as this node holds it."""

    request_id: str
    asker: str
    holder: str
    value_type: str
    value: str
    pending: bool


@dataclass(frozen=True)
class Publisher:
    """The member publishing on this node. Only a local publish has one: a receiver cannot
    check another node's members and roles, and trusts the origin about its own members."""

    member: str
    supervisor: bool


@dataclass(frozen=True)
class Facts:
    """What this node holds of the things an item links to (absent: not held, or not yet)."""

    receiver: str
    targets: Mapping[str, Target] = field(default_factory=dict)
    group_owners: Mapping[str, str] = field(default_factory=dict)
    request: Asked | None = None
    values: frozenset[tuple[str, str]] = frozenset()  # (type, value) an answer holds
    publisher: Publisher | None = None
    # A reply's or ack's origin may read the item it answers, by policy (None: not held here)
    origin_reads_target: bool | None = None


def group_id(owner: str, name: str, created: str) -> str:
    """A sharing group's id commits to its owner node (so any receiver can check it)."""
    digest = hashlib.sha256(f"{owner}\n{name}\n{created}".encode()).hexdigest()
    return f"grp-{digest[:20]}"


def target_ids(item: Envelope) -> set[str]:
    """The held items whose facts `check` needs for this item."""
    wanted = {item.supersedes} if item.supersedes else set()
    if item.kind == TOMBSTONE and item.refers_to:
        wanted.add(item.refers_to)
    if item.kind == CONSENT:
        wanted.add(str(item.body["item"]))
    return wanted


def group_ids(item: Envelope) -> set[str]:
    """The groups whose owner `check` needs for this item."""
    return {str(item.body["group_id"])} if item.kind == PRESCREEN_KEY else set()


def answered(item: Envelope) -> str | None:
    """The item a reply or an acknowledgement answers (it never changes that item)."""
    if item.replies_to:
        return item.replies_to
    return item.refers_to if item.kind == ACK else None


def check(item: Envelope, facts: Facts) -> None:
    """Refuse (raise, with the rule's code) an item whose links its origin may not make."""
    if item.kind == TOMBSTONE:
        _check_erasure(item, facts)
    elif item.supersedes:
        _check_correction(item, facts)
    if item.kind == GROUP:
        _check_group_change(item)
    elif item.kind == PRESCREEN_KEY:
        _check_group_key(item, facts)
    elif item.kind == CONSENT:
        _check_consent(item, facts)
    elif item.kind == ANSWER:
        _check_answer(item, facts)
    elif item.kind == REQUEST and facts.receiver not in item.audience.nodes:
        raise Forbidden("a disclosure request must name this node", code=NOT_ADDRESSED)
    if facts.origin_reads_target is False:
        # why: an item id that leaked must not let a node outside the audience join its thread
        raise Forbidden(
            f"{item.origin} may not read item {answered(item)}, so it cannot answer it",
            code=NOT_A_READER,
        )


def takes_effect(origin: str, target: Target) -> bool:
    """Whether a correction or erasure (held, or arriving now) applies to `target`: only one
    from the target's own origin ever does, whichever of the two arrived first."""
    return origin == target.origin


def corrects(origin: str, kind: str, target: Target) -> bool:
    """Whether an item held or arriving with `supersedes` marks `target` superseded: only a
    correction of the target's own origin and kind (a tombstone erases instead, see
    `takes_effect`); the kind is checked here too, since a correction held before its target
    was never judged against the target's kind."""
    return takes_effect(origin, target) and kind == target.kind


def require_value(asked: Asked, values: Collection[tuple[str, str]]) -> None:
    """An approval releases only an item that holds the value asked about."""
    if (asked.value_type, asked.value) not in values:
        raise Forbidden(
            f"the disclosed content does not hold the {asked.value_type} asked about",
            code=VALUE_NOT_HELD,
        )


def _held_target(item: Envelope, target_id: str, facts: Facts) -> Target | None:
    """The target, or None when it is not held: a received link is then kept, and applied
    on the target's arrival only if `takes_effect`; a local one must name a held item."""
    target = facts.targets.get(target_id)
    if target is None and facts.publisher is not None:
        raise NotFound(f"no item {target_id}")
    return target


def _require_origin(item: Envelope, target: Target, what: str) -> None:
    if not takes_effect(item.origin, target):
        raise Forbidden(
            f"only the originating node ({target.origin}) may {what} item {target.id}",
            code=NOT_ORIGIN,
        )


def _require_author(target: Target, facts: Facts, what: str) -> None:
    who = facts.publisher
    if who is not None and who.member != target.author and not who.supervisor:
        raise Forbidden(f"only the author or a supervisor may {what} an item", code=NOT_AUTHOR)


def _check_correction(item: Envelope, facts: Facts) -> None:
    assert item.supersedes is not None
    target = _held_target(item, item.supersedes, facts)
    if target is None:
        return
    _require_origin(item, target, "correct")
    _require_author(target, facts, "correct")
    if item.kind != target.kind:
        raise BadInput(f"a correction of a {target.kind} must be a {target.kind}", code=WRONG_KIND)
    if facts.publisher is not None and target.superseded_by:
        raise BadInput(
            f"item {target.id} was already corrected by {target.superseded_by}",
            code=ALREADY_SUPERSEDED,
        )


def _check_erasure(item: Envelope, facts: Facts) -> None:
    assert item.refers_to is not None  # required of the kind (kinds.check_links)
    if item.supersedes is not None and item.supersedes != item.refers_to:
        raise BadInput("a tombstone supersedes the item it erases", code=LINK_MISMATCH)
    target = _held_target(item, item.refers_to, facts)
    if target is None:
        return
    _require_origin(item, target, "erase")
    _require_author(target, facts, "erase")


def _check_group_change(item: Envelope) -> None:
    body = item.body
    owner_made = group_id(item.origin, body["name"], body["created"]) == body["group_id"]
    if not owner_made or item.origin not in body["members"]:
        raise Forbidden("only a group's owner node changes its membership", code=NOT_OWNER)


def _check_group_key(item: Envelope, facts: Facts) -> None:
    # why: a group this node does not know yet is checked on use (prescreen_keys.keys_of)
    owner = facts.group_owners.get(str(item.body["group_id"]))
    if owner is not None and owner != item.origin:
        raise Forbidden("only a group's owner node issues its pre-screen keys", code=NOT_OWNER)


def _check_consent(item: Envelope, facts: Facts) -> None:
    # why: one about an item not held is kept; consents are looked up by (item, origin),
    # so it could only ever apply to an item of its own origin
    target = _held_target(item, str(item.body["item"]), facts)
    if target is not None and target.origin != item.origin:
        raise Forbidden(
            "only the item's originating node may consent to passing it on", code=NOT_ORIGIN
        )


def _check_answer(item: Envelope, facts: Facts) -> None:
    asked = facts.request
    mine = asked is not None and (facts.publisher is not None or asked.asker == facts.receiver)
    if asked is None or not mine or asked.holder != item.origin:
        raise Forbidden(
            "a disclosure answers only a request addressed to its origin", code=NOT_HOLDER
        )
    if not asked.pending:
        raise Conflict(f"request {asked.request_id} is already decided", code=ALREADY_DECIDED)
    if item.body["decision"] == APPROVED:
        require_value(asked, facts.values)
