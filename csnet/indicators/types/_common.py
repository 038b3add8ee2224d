"""What every identifier type shares: the clean → canonical → Indicator pipeline and small text
helpers. Pure: no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from csnet.indicators.base import NO_HINT, Hint, Indicator, InvalidIdentifier

# Arabic-Indic (U+0660–0669) and Persian/Extended Arabic-Indic (U+06F0–06F9) digits are common in
# posts from Pakistan, Afghanistan, Iran and North Africa; matching needs them as ASCII.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")} | {
    ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")
}


def fold(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII) plus Arabic-Indic and Persian digits, trimmed.
    Zero-width characters are dropped: they are pasted in from chat apps and break matching."""
    if text.isascii():  # why: NFKC, the digit table and the Cf filter leave ASCII as it is
        return text.strip()
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


class IdentifierKind:
    """Base of the concrete types. Subclasses set `name` and `label` and implement `canonical`
    (cleaned text → canonical value and details, raising InvalidIdentifier with the reason) and
    `specificity`; `clean` and `format` have sensible defaults."""

    name: str
    label: str

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        return fold(text)

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        raise NotImplementedError

    def validate(self, text: str, hint: Hint = NO_HINT) -> None:
        self.canonical(self.clean(text, hint), hint)

    def normalize(self, text: str, hint: Hint = NO_HINT) -> Indicator:
        cleaned = self.clean(text, hint)
        if not cleaned:
            raise InvalidIdentifier(f"empty {self.label.lower()}")
        value, details = self.canonical(cleaned, hint)
        display, specificity = self.describe(value)
        return Indicator(
            type=self.name,
            value=value,
            display=display,
            specificity=specificity,
            details=dict(details),
        )

    def describe(self, value: str) -> tuple[str, float]:
        """`format` and `specificity` of the canonical value, for types that read it once."""
        return self.format(value), self.specificity(value)

    def format(self, value: str) -> str:
        return value

    def specificity(self, value: str) -> float:
        raise NotImplementedError


def words(text: str) -> frozenset[str]:
    """A set written as whitespace-separated words: long tables stay short and readable."""
    return frozenset(text.split())


def refuse(reason: str) -> InvalidIdentifier:
    """The error for a refused value; `raise refuse("…")` reads as what happens."""
    return InvalidIdentifier(reason)
