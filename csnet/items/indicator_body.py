"""Body of the `indicator` kind: one typed identifier seen in the field, without a whole alert.

The value is stored canonical (csnet/indicators: `parse(t, canonical) == canonical`), so every
node reads it the same way and correlates it directly, without extraction from text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import Field, model_validator

from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import Indicator
from csnet.items.bodies import Body, Persons, Tags
from csnet.items.fields import Line, LongText

INDICATOR_KIND = "indicator"
MAX_VALUE = 500  # as csnet.correlation.search.MAX_QUERY: the longest identifier one can write


class IndicatorBody(Body):
    """`value` is the canonical value of registry type `value_type`; `context` says where and
    how it was seen."""

    value_type: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")  # a registry name: phone …
    value: Line = Field(min_length=1, max_length=MAX_VALUE)
    context: LongText
    tags: Tags = ()
    persons: Persons = ()

    @model_validator(mode="after")
    def _canonical(self) -> Self:
        try:
            canonical = registry.parse(self.value_type, self.value).value
        except BadInput as exc:  # an unknown type or an invalid value: its reason
            raise ValueError(exc.message) from None
        if canonical != self.value:
            raise ValueError(f"value is not canonical: write it as {canonical!r}")
        return self


def indicator_stated(body: Mapping[str, Any]) -> list[Indicator]:
    """The typed value an `indicator` item states. A body that no longer reads (a type this
    version lacks) states nothing rather than stopping correlation."""
    try:
        return [registry.parse(str(body.get("value_type")), str(body.get("value")))]
    except BadInput:
        return []
