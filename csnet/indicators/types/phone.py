"""Phone numbers, read with Google's libphonenumber data (`phonenumbers`).

Canonical value: E.164 ("+302101234567"). A number written without its country code needs the
country it was seen in (`Hint(country="PK")`). `details["country"]` is the region the number
belongs to. Specificity 0.9 (a number is one subscriber, but numbers are recycled); 0.5 for
toll-free, shared-cost and premium numbers, which many people share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from csnet.indicators.base import NO_HINT, Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse

_SCHEME = re.compile(r"^(tel|callto|sms):", re.IGNORECASE)
_SHARED = {PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST, PhoneNumberType.PREMIUM_RATE}
_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "its country code does not exist",
    phonenumbers.ValidationResult.TOO_SHORT: "it is too short",
    phonenumbers.ValidationResult.TOO_LONG: "it is too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "its length fits no number type of its country",
}

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "its country code does not exist",
    NumberParseException.TOO_SHORT_NSN: "it is too short",
    NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short",
    NumberParseException.TOO_LONG: "it is too long",
}


def parse_number(text: str, country: str | None) -> phonenumbers.PhoneNumber:
    """The valid number `text` denotes (InvalidIdentifier with the reason otherwise)."""
    region = country.upper() if country else None
    if not text.startswith("+") and region is None:
        raise refuse(
            "phone number has no country code: write it as +<country code> or give "
            "the country it was seen in"
        )
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        reason = _PARSE_REASONS.get(exc.error_type, "it is not a phone number")
        raise refuse(f"not a phone number: {reason}") from None
    if not phonenumbers.is_valid_number(number):
        why = _REASONS.get(phonenumbers.is_possible_number_with_reason(number))
        where = phonenumbers.region_code_for_number(number) or f"+{number.country_code}"
        raise refuse(f"not a valid {where} phone number: {why or 'no such number range'}")
    return number


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


class Phone(IdentifierKind):
    name = "phone"
    label = "Phone number"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        text = _SCHEME.sub("", super().clean(text))
        # "00" is the international prefix almost everywhere; without a country to read it
        # by, treat it as "+" (with a hint, phonenumbers applies that country's own prefix).
        if text.startswith("00") and not hint.country:
            text = "+" + text[2:]
        return text.strip()

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        number = parse_number(text, hint.country)
        return e164(number), {"country": phonenumbers.region_code_for_number(number) or ""}

    def format(self, value: str) -> str:
        return _international(phonenumbers.parse(value))

    def specificity(self, value: str) -> float:
        return _specificity(phonenumbers.parse(value))

    def describe(self, value: str) -> tuple[str, float]:
        number = phonenumbers.parse(value)  # why: once, not once for each
        return _international(number), _specificity(number)


def _international(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def _specificity(number: phonenumbers.PhoneNumber) -> float:
    return 0.5 if phonenumbers.number_type(number) in _SHARED else 0.9


register(Phone())
