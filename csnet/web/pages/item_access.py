"""Item ids as the item pages accept them: anything else is simply not an item (404)."""

from __future__ import annotations

import re

from csnet.errors import NotFound

_ID = re.compile(r"^[0-9a-f]{8,64}$")


def checked_id(item_id: str) -> str:
    """An item id or a unique prefix of 8+; anything else is simply not an item."""
    if not _ID.fullmatch(item_id):
        raise NotFound("no such item")
    return item_id
