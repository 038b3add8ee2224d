"""`indicator add`: an identifier seen in the field, published as a signed `indicator` item
through the normal path, so it is federated per its markings and correlated like any item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from csnet.access import Caller
from csnet.correlation.hits import HitView, hits_with
from csnet.indicators import registry
from csnet.indicators.base import Hint
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.reading import audit_consultation


@dataclass(frozen=True)
class Added:
    envelope: Envelope
    hits: list[HitView]  # the hits the new item made that its author may see


def indicator_body(
    node: Node,
    type_name: str,
    text: str,
    context: str,
    *,
    country: str | None = None,
    tags: Sequence[str] = (),
    persons: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The body, with `text` read as `type_name` where it was seen (`country`, else this node's):
    an unknown type or an invalid value is refused with its reason before anything is stored."""
    hint = Hint(country=country or node.identity.country or None)
    indicator = registry.parse(type_name, text, hint)
    return {
        "value_type": indicator.type,
        "value": indicator.value,
        "context": context,
        "tags": list(tags),
        "persons": list(persons),
    }


def add(node: Node, caller: Caller, new: NewItem) -> Added:
    """Publish the item and answer the hits it made. Its author's own item is echoed, not
    consulted; the other side of a hit shown in full with personal data is audited."""
    env = publish(node, caller, new)
    shown = hits_with(node, caller, item_id=env.id)
    others = [e for e in shown.personal if e.id != env.id]
    audit_consultation(node, caller, others, via="indicator add")
    return Added(env, shown.hits)
