"""The policy's view of an envelope: what `decide` needs to know about an item, in one place."""

from __future__ import annotations

from csnet.handling.policy import ItemFacts
from csnet.items.envelope import Envelope


def item_facts(env: Envelope) -> ItemFacts:
    return ItemFacts(
        origin=env.origin,
        author=env.author,
        audience_nodes=frozenset(env.audience.nodes),
        audience_groups=frozenset(env.audience.groups),
        audience_members=frozenset(env.audience.members),
        markings=env.markings,
        subjects=frozenset(env.markings.subjects),
    )
