"""One identifier in full: its canonical value, the items holding it and the hits it makes, as
this member may see them. Opening an identifier is a consultation of personal data: it needs a
justification, and the items with personal data it shows are audited (as `indicator search`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from csnet.access import Caller
from csnet.correlation.hits import HitsShown, HitView, hits_with
from csnet.correlation.search import Match, consulted, matches_of, read_query
from csnet.errors import BadInput, Forbidden
from csnet.indicators.base import Hint, Indicator
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.reading import audit_consultation


@dataclass(frozen=True)
class Shown:
    match: Match  # the value (None: never seen here) and the items holding it
    hits: list[HitView]


def one_reading(text: str, type_name: str | None, hint: Hint) -> Indicator:
    """`text` as exactly one identifier: typed, or the only one extraction finds in it."""
    found = read_query(text, type_name, hint)
    if len(found) > 1:
        raise BadInput(
            f"q holds {len(found)} identifiers; give one, or its type", code="ambiguous_query"
        )
    return found[0]


def show(node: Node, caller: Caller, text: str, type_name: str | None = None) -> Shown:
    if caller.justification is None:
        raise Forbidden(
            "showing an identifier consults personal data: give a justification "
            "(X-Justification header)",
            code="justification_required",
        )
    indicator = one_reading(text, type_name, Hint(country=node.identity.country or None))
    (match,) = matches_of(node, caller, [indicator])
    value = match.value
    hits = HitsShown([], []) if value is None else hits_with(node, caller, value_id=value.id)
    audit_consultation(
        node, caller, _distinct([*consulted([match]), *hits.personal]), via="indicator show"
    )
    return Shown(match, hits.hits)


def _distinct(envelopes: Sequence[Envelope]) -> list[Envelope]:
    """One consultation per item, though it is both listed and in a hit."""
    return list({env.id: env for env in envelopes}.values())
