"""Who may receive an item from this node (pure: no I/O; policy decides every case).

Our own items go to the audience's nodes that are our peers, and to peers in its sharing groups.
Another node's item is passed on only where `decide(FORWARD)` allows it (TLP:CLEAR; TLP:GREEN
inside its audience; never AMBER or RED; H2 only to nodes the originator's consent names, which
the caller finds in its consents: csnet/federation/consent.py); it always travels as the
originator signed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from csnet.handling.actors import PeerActor
from csnet.handling.policy import Context, Decision, RelayConsent, decide
from csnet.handling.roles import Action
from csnet.items.envelope import Envelope
from csnet.items.facts import item_facts


@dataclass(frozen=True)
class Target:
    """A peer as relay rules see it."""

    node_id: str
    country: str | None
    groups: frozenset[str] = field(default=frozenset())  # its sharing groups, as we know them


def may_send(
    self_id: str,
    env: Envelope,
    target: Target,
    self_groups: frozenset[str] = frozenset(),
    consent: RelayConsent | None = None,
) -> Decision:
    """May this node (holding `env`) pass it to `target`? The originator's own item included.

    `consent` is the originator's current H2 consent for the item, if any.
    """
    if target.node_id == env.origin:
        return Decision.deny("the originating node already holds its item")
    ctx = Context(
        target_node=target.node_id,
        target_country=target.country,
        target_groups=target.groups,
        relay_consent=consent,
    )
    return decide(PeerActor(self_id, None, self_groups), Action.FORWARD, item_facts(env), ctx)


def addressed(env: Envelope, target: Target) -> bool:
    """Named in the audience, or a member of one of its sharing groups."""
    return target.node_id in env.audience.nodes or bool(target.groups & set(env.audience.groups))


def recipients(
    self_id: str,
    env: Envelope,
    peers: Iterable[Target],
    sender: str | None = None,
    self_groups: frozenset[str] = frozenset(),
    consent: RelayConsent | None = None,
) -> list[str]:
    """Peers to push `env` to: not its sender, not its origin, and only where policy allows."""
    chosen = []
    for target in peers:
        if target.node_id in (self_id, sender):
            continue
        # why: our own items go to their audience only; others' are relayed where policy says
        if env.origin == self_id and not addressed(env, target):
            continue
        if may_send(self_id, env, target, self_groups, consent).allowed:
            chosen.append(target.node_id)
    return sorted(chosen)


def may_receive(
    self_id: str, country: str | None, env: Envelope, groups: frozenset[str] = frozenset()
) -> Decision:
    """Is this node one the item's markings address (audience, TLP, releasability)?"""
    return decide(PeerActor(self_id, country, groups), Action.READ, item_facts(env))


def relay_allowed(
    sender: Target,
    self_id: str,
    country: str | None,
    env: Envelope,
    groups: frozenset[str],
    consent: RelayConsent | None = None,
) -> Decision:
    """A peer that is not the origin may hand us the item only if it was allowed to pass it on
    (under H2: only if the originator's consent, as we hold it, names us)."""
    if sender.node_id == env.origin:
        return Decision.allow("sent by its originator")
    ctx = Context(
        target_node=self_id, target_country=country, target_groups=groups, relay_consent=consent
    )
    return decide(
        PeerActor(sender.node_id, None, sender.groups), Action.FORWARD, item_facts(env), ctx
    )
