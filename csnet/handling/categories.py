"""LED Art 6 categories of data subjects; migrants and victims are protected persons.

Smuggling Protocol Art 5 and 16: a smuggled migrant is never treated as a suspect for having been
smuggled; in csnet such a person is category (c) or (d), never (a).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from csnet.safe_text import MultiLine, OneLine


class Basis(StrEnum):
    """LED Art 7(1): data based on facts vs data based on personal assessments."""

    FACT = "fact"
    ASSESSMENT = "assessment"


class DataSubjectCategory(StrEnum):
    SUSPECT = "suspect"  # Art 6(a)
    CONVICTED = "convicted"  # Art 6(b)
    VICTIM = "victim"  # Art 6(c)
    SMUGGLED_MIGRANT = "smuggled_migrant"  # Art 6(c)/(d), protected by the Smuggling Protocol
    WITNESS_CONTACT = "witness_contact"  # Art 6(d)

    @property
    def protected(self) -> bool:
        """Victims and smuggled migrants are protected persons."""
        return self in PROTECTED_CATEGORIES


PROTECTED_CATEGORIES = frozenset({DataSubjectCategory.VICTIM, DataSubjectCategory.SMUGGLED_MIGRANT})


class PersonalDatum(BaseModel):
    """One person mentioned in an item: every personal datum carries its LED Art 6 category."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: OneLine = Field(min_length=1, max_length=300)
    category: DataSubjectCategory
    basis: Basis = Basis.FACT
    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$")
    year_of_birth: int | None = Field(default=None, ge=1900, le=2100)
    note: MultiLine | None = Field(default=None, max_length=2000)
