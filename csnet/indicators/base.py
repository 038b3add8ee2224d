"""The one interface every identifier type implements, and the value it produces.

Pure: no I/O. Shaped like followthemoney's PropertyType and rigour's IdentifierFormat:
`clean` (strip what is not part of the value), `validate` (checksums, lengths, registries),
`normalize` (the one canonical string stored and matched), `format` (for people), `specificity`
(how strongly a shared value links two items: 0 for noise, 1 for a unique identifier).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from csnet.errors import BadInput


class InvalidIdentifier(BadInput):
    """A value that is not a valid identifier of its type; the message says why (bad checksum,
    wrong length, unknown country …). Never stored."""

    code = "invalid_identifier"


@dataclass(frozen=True)
class Hint:
    """Context that helps read a value: the country it was seen in (ISO 3166-1 alpha-2, for
    phone numbers and plates), the chain a wallet is on, a document's issuing state."""

    country: str | None = None
    chain: str | None = None


NO_HINT = Hint()


@dataclass(frozen=True)
class Indicator:
    """A validated identifier: `type` and the canonical `value` are what is stored and matched."""

    type: str
    value: str
    display: str
    specificity: float
    details: Mapping[str, str] = field(default_factory=dict)  # e.g. {"chain": "bitcoin"}

    @property
    def key(self) -> str:
        """`type:value`, the matching key."""
        return f"{self.type}:{self.value}"


class IdentifierType(Protocol):
    name: str  # registry key, e.g. "phone", "wallet", "iban"
    label: str  # for people, e.g. "Phone number"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        """The text without decoration (spaces, dashes, prefixes, tracking parameters)."""
        ...

    def validate(self, text: str, hint: Hint = NO_HINT) -> None:
        """Raise InvalidIdentifier with the reason when the (cleaned) text is not valid."""
        ...

    def normalize(self, text: str, hint: Hint = NO_HINT) -> Indicator:
        """clean → validate → the canonical Indicator (raises InvalidIdentifier)."""
        ...

    def format(self, value: str) -> str:
        """The canonical value as people write it."""
        ...

    def specificity(self, value: str) -> float:
        """0.0–1.0: how much sharing this value says about two items."""
        ...
