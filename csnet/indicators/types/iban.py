"""IBANs, checked by `schwifty` (ISO 13616 structure per country, the mod-97 check digits, and the
national BBAN check digits where schwifty knows the algorithm).

Canonical value: compact upper case ("GR1601101250000000012300695"); shown grouped by four.
`details`: country and bank code; "national_check": "unverified" where the country has national
check digits that schwifty cannot verify. Specificity 1.0 (one account).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    NationalChecksumNotVerified,
    SchwiftyException,
)

from csnet.indicators.base import NO_HINT, Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse

_REASONS: dict[type[SchwiftyException], str] = {
    InvalidChecksumDigits: "IBAN check digits do not match (ISO 7064 mod 97-10)",
    InvalidBBANChecksum: "IBAN national check digits do not match (the account number has a typo)",
    InvalidCountryCode: "IBAN country code is not a country that uses IBANs",
    InvalidLength: "IBAN length is wrong for its country",
}


def read_iban(text: str) -> tuple[IBAN, bool]:
    """The IBAN, and whether its national check digits were verified."""
    # schwifty reports unverifiable national check digits as a warning; record it instead of
    # letting it escape (warnings are errors in the tests and noise in a server log).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NationalChecksumNotVerified)
        try:
            iban = IBAN(text, validate_bban=True)
        except SchwiftyException as exc:
            reason = _REASONS.get(type(exc), f"IBAN structure is wrong for its country ({exc})")
            raise refuse(reason) from None
    verified = not any(issubclass(w.category, NationalChecksumNotVerified) for w in caught)
    return iban, verified


class Iban(IdentifierKind):
    name = "iban"
    label = "IBAN"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        text = super().clean(text).upper().removeprefix("IBAN").strip(" :")
        return "".join(c for c in text if c not in " -.")

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        iban, verified = read_iban(text)
        details = {"country": iban.country_code, "bank": iban.bank_code}
        if not verified:
            details["national_check"] = "unverified"
        return iban.compact, details

    def format(self, value: str) -> str:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))

    def specificity(self, value: str) -> float:
        return 1.0


register(Iban())
