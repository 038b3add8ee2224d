"""Machine-readable zones of travel documents (ICAO Doc 9303): pure rules, no I/O.

`read(text, today)` decodes and validates TD1, TD2, TD3, MRV-A and MRV-B zones, repairing OCR
confusions only where a check digit confirms them; `check_digit` is the 7-3-1 digit.
"""

from csnet.mrz.digits import check_digit
from csnet.mrz.parse import read
from csnet.mrz.result import Finding, Reading, Repair

__all__ = ["Finding", "Reading", "Repair", "check_digit", "read"]
