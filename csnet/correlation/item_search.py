"""Free-text search over the items a member may see: the words (item_text.py) find the
candidates, newest first; `decide` (SEARCH) filters them, as the feed does for reading.

Items with personal data are shown only with a justification (LED Art 25): without one they are
withheld and counted, so the page can ask for it; with one, what is shown is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from csnet.access import Caller, actor_of
from csnet.correlation.hits import facts_of
from csnet.correlation.item_text import MAX_QUERY, Filters, candidates, terms
from csnet.errors import BadInput
from csnet.handling.actors import MemberActor
from csnet.handling.policy import Context, decide
from csnet.handling.roles import Action
from csnet.items.envelope import Envelope
from csnet.items.item_indicators import is_protected
from csnet.node import Node
from csnet.reading import audit_consultation
from csnet.store.item_store import StoredItem
from csnet.store.tables import items

MAX_SCANNED = 2000  # candidates read for one page at most: a bounded answer time
Cursor = tuple[datetime, str]


@dataclass(frozen=True)
class ItemResults:
    items: list[StoredItem]
    withheld: int  # matches with personal data not shown: no justification given
    next_before: Cursor | None  # (created, id) to continue from; None: no more


def _read(node: Node, ids: Sequence[str]) -> dict[str, StoredItem]:
    t = items
    query = select(t.c.id, t.c.envelope, t.c.superseded_by, t.c.tombstoned, t.c.received)
    with node.store.read() as conn:
        rows = conn.execute(query.where(t.c.id.in_(list(ids)))).all()
    found = {}
    for item_id, raw, superseded, tombstoned, received in rows:
        env = Envelope.model_validate_json(bytes(raw))
        found[str(item_id)] = StoredItem(env, bytes(raw), superseded, bool(tombstoned), received)
    return found


def _seen(actor: MemberActor, ctx: Context, env: Envelope) -> bool | None:
    """True: shown; False: withheld until a justification is given; None: not at all."""
    decision = decide(actor, Action.SEARCH, facts_of(env), ctx)
    if decision.allowed:
        return True
    if decision.needs_justification:
        return False
    return None


def search_items(
    node: Node,
    caller: Caller,
    text: str,
    filters: Filters | None = None,
    *,
    limit: int = 25,
    before: Cursor | None = None,
) -> ItemResults:
    """The newest items whose words match every word of `text` (the last as a prefix)."""
    words = terms(text)
    if not words or len(text) > MAX_QUERY:
        raise BadInput(
            f"q: give one or more words (at most {MAX_QUERY} characters)", code="bad_query"
        )
    wanted = filters or Filters()
    actor = actor_of(node, caller.member)
    ctx = Context(justification=caller.justification, today=node.now().date())
    shown: list[StoredItem] = []
    withheld, scanned, cursor = 0, 0, before
    while len(shown) < limit and scanned < MAX_SCANNED:
        with node.store.read() as conn:
            batch = candidates(conn, words, wanted, before=cursor, limit=limit * 2)
        held = _read(node, [item_id for _, item_id in batch])
        for created, item_id in batch:
            scanned += 1
            cursor = (created, item_id)
            stored = held.get(item_id)
            seen = None if stored is None else _seen(actor, ctx, stored.envelope)
            if seen and stored is not None:
                shown.append(stored)
            elif seen is False:
                withheld += 1
            if len(shown) == limit:
                break
        if len(batch) < limit * 2 and cursor == (batch[-1] if batch else before):
            cursor = None  # why: the last candidate was read: nothing older matches
            break
    envs = [s.envelope for s in shown]
    audit_consultation(node, caller, [e for e in envs if _personal(e)], via="item search")
    return ItemResults(shown, withheld, cursor)


def _personal(env: Envelope) -> bool:
    return bool(env.markings.subjects) or is_protected(env)
