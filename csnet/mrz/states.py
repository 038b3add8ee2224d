"""Which three-letter codes may stand for an issuing state or a nationality in an MRZ.

ISO 3166-1 alpha-3 (through pycountry), plus the codes ICAO Doc 9303 Part 3 adds: D for Germany,
the British, UN, EU and Kosovo codes, the X.. codes of international organisations, XXA
stateless, XXB and XXC refugees, XXX unspecified, and UTO, the specimen state of the spec.
"""

from __future__ import annotations

from functools import cache

import pycountry

_SPECIAL = (
    "D EUE GBD GBN GBO GBP GBS RKS UNA UNK UNO UTO XBA XCC XCE XCO XDC XEC XES XIM XMP XOM XPO"
)
ICAO_SPECIAL = frozenset(f"{_SPECIAL} XXA XXB XXC XXX".split(" "))
DESCRIBED = {
    "D": "Germany",
    "UTO": "Utopia (ICAO specimen)",
    "XXA": "stateless person",
    "XXB": "refugee (1951 Convention)",
    "XXC": "refugee (other)",
    "XXX": "nationality unspecified",
    "EUE": "European Union",
    "UNO": "United Nations Organization",
    "UNA": "United Nations specialized agency",
    "UNK": "UN interim administration in Kosovo",
    "RKS": "Kosovo",
}


@cache
def state_name(code: str) -> str | None:
    """The name of an MRZ state code (fillers stripped: "D<<" is "D"), or None if unknown."""
    code = code.rstrip("<")
    if code in ICAO_SPECIAL:
        return DESCRIBED.get(code, code)
    if len(code) != 3:
        return None
    country = pycountry.countries.get(alpha_3=code)
    return None if country is None else str(country.name)
