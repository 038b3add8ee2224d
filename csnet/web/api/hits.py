"""Correlation hits and the type-aware indicator search."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from csnet.correlation.hits import HitView, list_hits
from csnet.correlation.search import MAX_QUERY, Match, search
from csnet.errors import BadInput
from csnet.web.api.items import item_out
from csnet.web.deps import CallerDep, NodeDep
from csnet.web.schemas import HitOut, HitPage, IndicatorHolding, IndicatorMatch, IndicatorSearch

router = APIRouter(tags=["correlation"])
Limit = Annotated[int, Query(ge=1, le=200)]
Before = Annotated[str | None, Query(max_length=400, description="cursor from next_before")]
Text = Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description="an identifier")]
TypeName = Annotated[
    str | None, Query(max_length=32, pattern=r"^[a-z_]+$", description="read q as this type")
]


def hit_out(hit: HitView) -> HitOut:
    return HitOut(
        value_type=hit.value_type,
        display=hit.display,
        item_id=hit.item_id,
        origin=hit.origin,
        other_id=hit.other_id,
        other_origin=hit.other_origin,
        first_seen=hit.first_seen,
        created=hit.created,
        purpose=hit.purpose,
        restricted=hit.restricted,
        reason=hit.reason,
    )


def _encode(cursor: list[Any] | None) -> str | None:
    if cursor is None:
        return None
    created, new_id, old_created, old_id, value_id = cursor
    text = json.dumps([created.isoformat(), new_id, old_created.isoformat(), old_id, value_id])
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode(text: str | None) -> list[Any] | None:
    if not text:
        return None
    try:
        created, new_id, old_created, old_id, value_id = json.loads(
            base64.urlsafe_b64decode(text.encode())
        )
        when, old_when = datetime.fromisoformat(created), datetime.fromisoformat(old_created)
        return [when, str(new_id), old_when, str(old_id), int(value_id)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadInput("before: not a cursor from next_before", code="bad_cursor") from None


@router.get("/hits", response_model=HitPage)
def get_hits(node: NodeDep, who: CallerDep, limit: Limit = 50, before: Before = None) -> HitPage:
    """Hits the caller may see, newest first: two items that share an indicator value."""
    page = list_hits(node, who, limit=limit, before=_decode(before))
    return HitPage(hits=[hit_out(h) for h in page.hits], next_before=_encode(page.next_before))


def match_out(match: Match) -> IndicatorMatch:
    value = match.value
    return IndicatorMatch(
        type=match.indicator.type,
        value=match.indicator.value,
        display=match.indicator.display,
        first_seen=None if value is None else value.first_seen,
        noisy=False if value is None else value.noisy,
        items=[
            IndicatorHolding(item=item_out(h.item, h.restricted), protected=h.protected)
            for h in match.items
        ],
    )


@router.get("/indicators", response_model=IndicatorSearch)
def find_indicator(
    node: NodeDep, who: CallerDep, q: Text, type: TypeName = None
) -> IndicatorSearch:
    """Read `q` as an identifier (any writing of it) and list the items holding it."""
    return IndicatorSearch(matches=[match_out(m) for m in search(node, who, q, type)])
