"""Source and information grading in two separate schemes, never converted into each other.

Admiralty/NATO (UK JWP 2-00): source A-F, information 1-6.
Europol 4x4 (Regulation (EU) 2016/794 Art 29): source A/B/C/X, information 1-4.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ADMIRALTY_SOURCE = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
ADMIRALTY_INFORMATION = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
EUROPOL_SOURCE = {
    "A": "no doubt about authenticity, trustworthiness, competence; proved reliable in all instances",  # noqa: E501
    "B": "proved reliable in most instances",
    "C": "proved unreliable in most instances",
    "X": "reliability cannot be assessed",
}
EUROPOL_INFORMATION = {
    "1": "accuracy not in doubt",
    "2": "known personally to the source but not to the official passing it on",
    "3": "not known personally to the source but corroborated by information already recorded",
    "4": "not known personally to the source and cannot be corroborated",
}


class AdmiraltyGrade(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: Literal["admiralty"] = "admiralty"
    source: Literal["A", "B", "C", "D", "E", "F"]
    information: Literal["1", "2", "3", "4", "5", "6"]

    @property
    def label(self) -> str:
        return f"{self.source}{self.information}"

    def describe(self) -> str:
        src, info = ADMIRALTY_SOURCE[self.source], ADMIRALTY_INFORMATION[self.information]
        return f"Admiralty {self.label}: source {src}; information {info}"


class EuropolGrade(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: Literal["europol_4x4"] = "europol_4x4"
    source: Literal["A", "B", "C", "X"]
    information: Literal["1", "2", "3", "4"]

    @property
    def label(self) -> str:
        return f"{self.source}{self.information}"

    def describe(self) -> str:
        src, info = EUROPOL_SOURCE[self.source], EUROPOL_INFORMATION[self.information]
        return f"Europol 4x4 {self.label}: source {src}; information {info}"


Grading = Annotated[AdmiraltyGrade | EuropolGrade, Field(discriminator="scheme")]
