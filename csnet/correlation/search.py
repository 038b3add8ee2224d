"""Type-aware indicator search: any writing of an identifier finds its canonical value, and
the items holding it that the caller may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from csnet.access import Caller, ask
from csnet.correlation.hits import ValueRow
from csnet.errors import BadInput
from csnet.handling.roles import Action
from csnet.indicators import registry
from csnet.indicators.base import Hint, Indicator
from csnet.indicators.extract import extract
from csnet.items.envelope import Envelope
from csnet.items.item_indicators import is_protected
from csnet.node import Node
from csnet.reading import audit_consultation
from csnet.store import item_store
from csnet.store.item_store import StoredItem
from csnet.store.tables import indicator_values, sightings

MAX_QUERY = 500


@dataclass(frozen=True)
class Holding:
    item: StoredItem
    restricted: bool  # personal data: a header only until a justification is given
    protected: bool  # a victim's or smuggled migrant's data: never a suspect lead


@dataclass(frozen=True)
class Match:
    indicator: Indicator
    value: ValueRow | None  # None: never seen on this node
    items: list[Holding]


def read_query(text: str, type_name: str | None, hint: Hint) -> list[Indicator]:
    """The identifiers `text` can be read as: as `type_name` only when given (its refusal is the
    answer), else what extraction finds in it (why not every type that accepts the whole text:
    almost any word is a valid plate, so only the finders' shapes and labels are trusted)."""
    if not text.strip() or len(text) > MAX_QUERY:
        raise BadInput(f"q: give an identifier (1-{MAX_QUERY} characters)", code="bad_query")
    if type_name:
        return [registry.parse(type_name, text, hint)]
    found = [f.indicator for f in extract(text, hint).found]
    if not found:
        raise BadInput(
            f"q: no identifier found in {text[:60]!r}; give its type", code="no_identifier"
        )
    return found


def _values(conn: Connection, indicators: list[Indicator]) -> dict[tuple[str, str], ValueRow]:
    v = indicator_values
    by_type: dict[str, set[str]] = {}
    for i in indicators:
        by_type.setdefault(i.type, set()).add(i.value)
    # why: one `type = ? AND value IN (...)` per type uses the unique index; SQLite answers a
    # (type, value) IN (...) of row values with a scan of the whole table.
    found: dict[tuple[str, str], ValueRow] = {}
    for type_name, values in by_type.items():
        query = select(v.c.id, v.c.type, v.c.value, v.c.first_seen, v.c["items"], v.c.noisy)
        query = query.where(v.c.type == type_name, v.c.value.in_(sorted(values)))
        found.update({(row.type, row.value): ValueRow(*row) for row in conn.execute(query)})
    return found


def _holders(conn: Connection, value_id: int) -> list[StoredItem]:
    """The current items holding the value, newest first."""
    query = select(sightings.c.item_id).where(sightings.c.value_id == value_id)
    held = [item_store.get_item(conn, i) for i in conn.execute(query).scalars()]
    current = [h for h in held if h is not None and not h.tombstoned and not h.superseded_by]
    return sorted(current, key=lambda h: (h.envelope.created, h.envelope.id), reverse=True)


def _holding(node: Node, caller: Caller, held: StoredItem) -> Holding | None:
    decision = ask(node, caller, Action.SEARCH, held.envelope)
    protected = is_protected(held.envelope)
    if decision.allowed:
        return Holding(held, restricted=False, protected=protected)
    if decision.needs_justification:
        return Holding(held, restricted=True, protected=protected)
    return None


def matches_of(node: Node, caller: Caller, indicators: list[Indicator]) -> list[Match]:
    """Each indicator with its value (if seen here) and the items holding it that the caller
    may see; nothing audited yet (see `consulted`)."""
    matches: list[Match] = []
    with node.store.read() as conn:
        values = _values(conn, indicators)
        for indicator in indicators:
            value = values.get((indicator.type, indicator.value))
            holders = [] if value is None else _holders(conn, value.id)
            seen = [h for h in (_holding(node, caller, held) for held in holders) if h is not None]
            matches.append(Match(indicator, value, seen))
    return matches


def consulted(matches: list[Match]) -> list[Envelope]:
    """The items with personal data that the matches show in full: a consultation to audit."""
    shown = [h.item.envelope for m in matches for h in m.items if not h.restricted]
    return [e for e in shown if e.markings.subjects or is_protected(e)]


def search(node: Node, caller: Caller, text: str, type_name: str | None = None) -> list[Match]:
    """Each reading of `text`, with the items holding it that the caller may see; the
    consultation of personal data (with its justification) is audited."""
    indicators = read_query(text, type_name, Hint(country=node.identity.country or None))
    matches = matches_of(node, caller, indicators)
    audit_consultation(node, caller, consulted(matches), via="indicator search")
    return matches
