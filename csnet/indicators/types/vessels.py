"""Vessels: IMO ship numbers and MMSIs.

- IMO number: 7 digits, the last a check digit (the first six weighted 7,6,5,4,3,2, sum mod 10;
  IMO resolution A.1117(30)). Canonical "imo:<7 digits>". Specificity 1.0: it never changes
  through renaming, reflagging or sale.
- MMSI: 9 digits (ITU-R M.585). Ship stations start with the MID (first digit 2–7); coast stations
  00MID…, group calls 0MID…, SAR aircraft 111MID…, AIS aids to navigation 99MID…, craft with a
  parent ship 98MID…; 970/972/974 are SART, MOB and EPIRB-AIS devices with no country.
  Canonical "mmsi:<9 digits>", details: station kind, MID and country (ISO alpha-2, from the ITU
  MID table in `mid.py`). An MID that ITU has not allocated is refused. Specificity 0.9 (an MMSI
  changes when the ship is reflagged, and is sometimes spoofed); 0.3 for the distress devices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from csnet.indicators.base import NO_HINT, Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse
from csnet.indicators.types.mid import MID_COUNTRY

_DEVICES = {"970": "sart", "972": "mob", "974": "epirb"}
# (prefix, station kind, offset of the MID) in the order they must be tried.
_LAYOUTS = (
    ("111", "sar_aircraft", 3),
    ("00", "coast", 2),
    ("0", "group", 1),
    ("99", "aid_to_navigation", 2),
    ("98", "craft_with_parent", 2),
)


def imo_check_digit(six: str) -> int:
    return sum(int(d) * w for d, w in zip(six, (7, 6, 5, 4, 3, 2), strict=True)) % 10


def imo(digits: str) -> tuple[str, Mapping[str, str]]:
    expected = imo_check_digit(digits[:6])
    if int(digits[6]) != expected:
        raise refuse(f"IMO check digit is {digits[6]}, expected {expected}")
    return f"imo:{digits}", {"kind": "imo"}


def mmsi(digits: str) -> tuple[str, Mapping[str, str]]:
    if digits[:3] in _DEVICES:
        return f"mmsi:{digits}", {"kind": _DEVICES[digits[:3]]}
    kind, offset = "ship", 0
    for prefix, name, start in _LAYOUTS:
        if digits.startswith(prefix):
            kind, offset = name, start
            break
    mid = digits[offset : offset + 3]
    if mid not in MID_COUNTRY:
        raise refuse(f"MMSI {digits} has MID {mid}, which ITU has not allocated to any country")
    return f"mmsi:{digits}", {"kind": kind, "mid": mid, "country": MID_COUNTRY[mid]}


class Vessel(IdentifierKind):
    name = "vessel"
    label = "Vessel (IMO / MMSI)"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        return re.sub(r"[\s.:#-]", "", super().clean(text)).lower()

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        scheme = next((s for s in ("imo", "mmsi") if text.startswith(s)), "")
        digits = text.removeprefix(scheme)
        if not digits.isdigit():
            raise refuse("a vessel number is digits only (IMO: 7, MMSI: 9)")
        if scheme != "mmsi" and len(digits) == 7:
            return imo(digits)
        if scheme != "imo" and len(digits) == 9:
            return mmsi(digits)
        expected = {"imo": "7", "mmsi": "9"}.get(scheme, "7 (IMO) or 9 (MMSI)")
        raise refuse(f"vessel number has {len(digits)} digits, expected {expected}")

    def specificity(self, value: str) -> float:
        if value.startswith("imo:"):
            return 1.0
        return 0.3 if value[5:8] in _DEVICES else 0.9


register(Vessel())
