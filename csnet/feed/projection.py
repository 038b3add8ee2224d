"""The feed projection: the feed facts of every current feed item, in tables `feed_items` and
`feed_tags` (migration 0015), written by the item pipeline in the transaction that stores the
items (registered as projection "feed").

Supersession and erasure are followed here and by the schema: a stored correction takes the
version it corrects out of the feed, a version whose correction is already held never enters
it, and erasure deletes the item's row (the store deletes erased items; the rows cascade).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select

from csnet.bus import Event
from csnet.feed.facts import FeedFacts, feed_facts
from csnet.items.envelope import Envelope
from csnet.pipeline.projections import Applying, projection
from csnet.store import driver_rows
from csnet.store.tables import feed_items, feed_tags, items


@projection("feed", 45)
def project_feed(applying: Applying) -> Sequence[Event]:
    """The pipeline's registration: every stored item, local or received."""
    project(applying.conn, applying.stored)
    return ()


def project(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    """Project newly stored items (items already projected, or no longer held, are left out)."""
    _drop_corrected(conn, envelopes)
    facts = {env.id: f for env in envelopes if (f := feed_facts(env)) is not None}
    if not facts:
        return
    fresh = [facts[item_id] for item_id in _current_unprojected(conn, list(facts))]
    if not fresh:
        return
    driver_rows.insert_rows(conn, feed_items, [f.row() for f in fresh])
    driver_rows.insert_rows(conn, feed_tags, [row for f in fresh for row in f.tag_rows()])


# Built once: building it costs more than SQLite running it, on every stored batch.
_CURRENT_UNPROJECTED = (
    select(items.c.id)
    .outerjoin(feed_items, feed_items.c.item_id == items.c.id)
    .where(items.c.id.in_(bindparam("ids", expanding=True)), items.c.superseded_by.is_(None))
    .where(feed_items.c.item_id.is_(None))
)


def _current_unprojected(conn: Connection, ids: list[str]) -> list[str]:
    """One statement: held, not superseded, not projected yet (an item erased on arrival is not
    held, and a correction held before its target has already superseded it)."""
    return sorted(conn.execute(_CURRENT_UNPROJECTED, {"ids": ids}).scalars())


def _drop_corrected(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    targets = [env.supersedes for env in envelopes if env.supersedes is not None]
    if not targets:
        return  # why: no statement at all for the common batch, which corrects nothing
    superseded = select(items.c.id).where(
        items.c.id.in_(targets), items.c.superseded_by.is_not(None)
    )
    conn.execute(feed_items.delete().where(feed_items.c.item_id.in_(superseded)))


__all__ = ["FeedFacts", "project", "project_feed"]
