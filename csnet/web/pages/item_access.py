"""Reading one item for its page: the full item, or only its header while a justification is
missing (LED Art 25), or nothing at all (404, never a hint that it exists)."""

from __future__ import annotations

import re

from csnet.alerts.access import ask, needs_justification_only
from csnet.errors import NotFound
from csnet.handling.roles import Action
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store import item_store
from csnet.web.pages.auth import PageUser

_ID = re.compile(r"^[0-9a-f]{8,64}$")


def checked_id(item_id: str) -> str:
    """An item id or a unique prefix of 8+; anything else is simply not an item."""
    if not _ID.fullmatch(item_id):
        raise NotFound("no such item")
    return item_id


def restricted_header(node: Node, user: PageUser, item_id: str) -> Envelope:
    """The envelope of an item the member may read once a justification is given; its body is
    not shown (the page shows only what the feed shows of it: markings, kind, origin, time)."""
    with node.store.read() as conn:
        full_id = item_store.resolve_id(conn, item_id)
        held = None if full_id is None else item_store.get_item(conn, full_id)
    if held is None or held.tombstoned:
        raise NotFound(f"no item {item_id}")
    if not needs_justification_only(ask(node, user.caller, Action.READ, held.envelope)):
        raise NotFound(f"no item {item_id}")
    return held.envelope
