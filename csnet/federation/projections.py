"""Federation's projections of stored items: sharing-group membership, and the outbox rows
(with the consents they depend on) that carry each item on to the peers that may receive it."""

from __future__ import annotations

from collections.abc import Sequence

from csnet.bus import Event
from csnet.federation import groups, outbox, reach
from csnet.pipeline.projections import Applying, projection


@projection("groups", 10, every_kind=False)
def apply_groups(applying: Applying) -> Sequence[Event]:
    # why: before the outbox, which resolves an item's groups to peers
    groups.apply_items(applying.conn, applying.stored, applying.node.now())
    return ()


@projection("outbox", 100)
def enqueue(applying: Applying) -> Sequence[Event]:
    # why: in the item's transaction, so an acknowledged item is never missing from the outbox
    node, conn = applying.node, applying.conn
    # why: read after the groups projection, whose writes in this transaction move the stamp
    known = reach.cached(node.views, conn)
    outbox.enqueue(conn, node.node_id, applying.stored, node.now(), applying.source.peer, known)
    return ()
