"""Vehicle registration plates: country + plate.

Input: "<country>:<plate>" (or "<country> <plate>" when the first word is a country code), or the
plate alone with the country as `Hint(country=…)`. Country: ISO 3166-1 alpha-2 or alpha-3
(canonical alpha-2). Plate: upper case, spaces, dashes, dots and middle dots removed; Greek and
Cyrillic letters that plates share with Latin ones (Α→A, Β→B, Е→E, К→K …) are written in Latin,
because the same plate is typed either way; Arabic-Indic and Persian digits become ASCII.

Canonical value: "<country>:<plate>" ("GR:IKA1234"). Specificity 0.8 (plates are cloned,
swapped and reissued).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pycountry

from csnet.indicators.base import Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse

# Greek and Cyrillic capitals that EU and Balkan plates use because they look like Latin ones.
_LOOKALIKES = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧАВЕКМНОРСТУХ", "ABEZHIKMNOPTYXABEKMHOPCTYX")
_SEPARATORS = re.compile(r"[\s\-.·•_/]")


def iso_country(code: str) -> str:
    """ISO alpha-2 for an alpha-2 or alpha-3 code (InvalidIdentifier otherwise)."""
    code = code.strip().upper()
    country = None
    if len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise refuse(f"plate country {code!r} is not an ISO 3166 country code")
    return str(country.alpha_2)


def plate_text(text: str) -> str:
    plate = _SEPARATORS.sub("", text.upper()).translate(_LOOKALIKES)
    if not 2 <= len(plate) <= 12 or not plate.isalnum():
        raise refuse(f"plate {text!r} is not 2–12 letters and digits")
    return plate


def _split(text: str, hint: Hint) -> tuple[str, str]:
    if ":" in text:
        country, _, plate = text.partition(":")
        return country, plate
    first, _, rest = text.partition(" ")
    if rest and len(first) in {2, 3} and first.isalpha() and not hint.country:
        return first, rest
    if hint.country:
        return hint.country, text
    raise refuse("a plate needs its country: write COUNTRY:PLATE or give the country")


class Plate(IdentifierKind):
    name = "plate"
    label = "Vehicle plate"

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        country, plate = _split(text, hint)
        code = iso_country(country)
        return f"{code}:{plate_text(plate)}", {"country": code}

    def specificity(self, value: str) -> float:
        return 0.8


register(Plate())
