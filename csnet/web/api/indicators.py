"""Indicators recorded from the field (`POST /indicators`) and one identifier in full
(`GET /indicators/show`); the search is `GET /indicators` (api/hits.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from csnet.correlation.indicator_item import add, indicator_body
from csnet.correlation.show import Shown, show
from csnet.handling.markings import COUNTRY_PATTERN
from csnet.indicators import registry
from csnet.items.bodies import MAX_PERSONS, MAX_TAGS
from csnet.items.indicator_body import INDICATOR_KIND, MAX_VALUE
from csnet.web.api.hits import Text, TypeName, hit_out, match_out
from csnet.web.api.items import created_out, new_item
from csnet.web.deps import CallerDep, NodeDep
from csnet.web.schemas import HitOut, IndicatorMatch, ItemIn, ItemOut

router = APIRouter(tags=["correlation"])


class IndicatorIn(ItemIn):
    """One identifier seen in the field, with the markings and audience of any item."""

    type: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,31}$", description="identifier type: phone, wallet, iban …"
    )
    value: str = Field(min_length=1, max_length=MAX_VALUE, description="as written, any way")
    country: str | None = Field(
        default=None,
        pattern=COUNTRY_PATTERN,
        description="where it was seen (ISO 3166 alpha-2): reads numbers written without +CC; "
        "default: this node's country",
    )
    context: str = Field(
        min_length=1, max_length=20000, description="where and how it was seen, in words"
    )
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    persons: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_PERSONS,
        description="the persons it belongs to, as in alerts (docs/items.md, Person)",
    )


class IndicatorAdded(BaseModel):
    item: ItemOut
    hits: list[HitOut] = Field(description="the hits the new item made that you may see")


class IndicatorShown(IndicatorMatch):
    label: str = Field(description="the type for people, e.g. Phone number")
    specificity: float = Field(description="0-1: how strongly sharing the value links two items")
    hits: list[HitOut] = Field(description="hits between the items holding it, newest first")


@router.post("/indicators", response_model=IndicatorAdded, status_code=201)
def add_indicator(body: IndicatorIn, node: NodeDep, who: CallerDep) -> IndicatorAdded:
    """Record an identifier seen in the field as a signed `indicator` item; a value that is
    not valid for its type is refused with the reason (422 invalid_identifier)."""
    payload = indicator_body(
        node,
        body.type,
        body.value,
        body.context,
        country=body.country,
        tags=body.tags,
        persons=body.persons,
    )
    added = add(node, who, new_item(INDICATOR_KIND, body, payload))
    return IndicatorAdded(item=created_out(added.envelope), hits=[hit_out(h) for h in added.hits])


def _shown_out(shown: Shown) -> IndicatorShown:
    indicator = shown.match.indicator
    return IndicatorShown(
        **dict(match_out(shown.match)),
        label=registry.get(indicator.type).label,
        specificity=indicator.specificity,
        hits=[hit_out(h) for h in shown.hits],
    )


@router.get("/indicators/show", response_model=IndicatorShown)
def show_indicator(node: NodeDep, who: CallerDep, q: Text, type: TypeName = None) -> IndicatorShown:
    """One identifier (any writing of it): the items holding it and the hits it makes. A
    consultation of personal data: needs X-Justification, and is audited."""
    return _shown_out(show(node, who, q, type))
