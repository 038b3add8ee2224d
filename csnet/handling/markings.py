"""Handling markings: TLP 2.0, Europol handling codes, releasability, LED review dates.

Sources: FIRST TLP 2.0; Europol handling codes H0-H3; LED (EU) 2016/680 Art 5, 6, 7.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from csnet.handling.categories import Basis, DataSubjectCategory
from csnet.handling.countries import is_country_code

COUNTRY_PATTERN = r"^[A-Z]{2}$"


class TLP(StrEnum):
    """Traffic Light Protocol 2.0 labels, written as FIRST writes them."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"

    @classmethod
    def parse(cls, text: str) -> TLP:
        """Accept 'TLP:AMBER', 'amber', 'amber+strict'; map the old WHITE to CLEAR."""
        label = text.strip().upper().removeprefix("TLP:")
        label = "CLEAR" if label == "WHITE" else label
        try:
            return cls("TLP:" + label)
        except ValueError:
            raise ValueError(f"unknown TLP label {text!r}") from None


class HandlingCode(StrEnum):
    """Europol handling codes."""

    H0 = "H0"  # only for preventing and combating crime
    H1 = "H1"  # not to be used as evidence without the provider's permission
    H2 = "H2"  # not to be disseminated without the provider's permission
    H3 = "H3"  # other restrictions, stated in text


class Handling(BaseModel):
    """A Europol handling code; H3 carries its restriction as text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: HandlingCode = HandlingCode.H0
    text: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _h3_needs_text(self) -> Self:
        if self.code is HandlingCode.H3 and not (self.text and self.text.strip()):
            raise ValueError("handling code H3 needs the restriction as text")
        if self.code is not HandlingCode.H3 and self.text:
            raise ValueError("only handling code H3 carries text")
        return self


class Releasability(BaseModel):
    """Which countries and agencies (node ids) may receive the item.

    Empty allow-lists mean "no restriction beyond the audience"; exclusions always win.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_countries: tuple[str, ...] = ()
    exclude_countries: tuple[str, ...] = ()
    allow_nodes: tuple[str, ...] = ()
    exclude_nodes: tuple[str, ...] = ()

    @field_validator("allow_countries", "exclude_countries")
    @classmethod
    def _iso_countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if len(code) != 2 or not code.isascii() or not code.isupper() or not code.isalpha():
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        return tuple(sorted(set(value)))

    @field_validator("allow_nodes", "exclude_nodes")
    @classmethod
    def _sorted_nodes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    def unassigned_countries(self) -> tuple[str, ...]:
        """Codes of the right shape that name no country (UK, EL, EU, XX): sorted, distinct.

        Kept out of the validators because items stored before this rule must still parse;
        new and received items are checked by the item rules (items/kinds.py).
        """
        codes = set(self.allow_countries) | set(self.exclude_countries)
        return tuple(sorted(c for c in codes if not is_country_code(c)))

    def permits(self, country: str | None, node_id: str) -> bool:
        """True when a recipient in this country with this node id may receive the item."""
        if node_id in self.exclude_nodes:
            return False
        if country is not None and country in self.exclude_countries:
            return False
        if self.allow_nodes and node_id in self.allow_nodes:
            return True
        if self.allow_countries:
            return country is not None and country in self.allow_countries
        return not self.allow_nodes


class Markings(BaseModel):
    """Everything that says how an item may be handled; travels with every transmission."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tlp: TLP = TLP.AMBER
    handling: Handling = Handling()
    releasability: Releasability = Releasability()
    basis: Basis = Basis.FACT
    review_by: date | None = None
    network_wide: bool = False  # TLP:GREEN community is the whole network, not the audience groups
    subjects: tuple[DataSubjectCategory, ...] = ()  # categories of persons whose data it carries

    @field_validator("subjects")
    @classmethod
    def _sorted_subjects(
        cls, value: tuple[DataSubjectCategory, ...]
    ) -> tuple[DataSubjectCategory, ...]:
        return tuple(sorted(set(value)))

    @property
    def has_personal_data(self) -> bool:
        return bool(self.subjects)
