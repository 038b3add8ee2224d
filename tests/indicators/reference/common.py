"""Reference copy of csnet.indicators.types._common.fold (before its ASCII fast path)."""

from __future__ import annotations

import unicodedata

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")} | {
    ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()
