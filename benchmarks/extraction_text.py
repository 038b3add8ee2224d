"""Extraction of indicators from a realistic 1 KB text, timed (bench_correlation.py).

The text is what an officer pastes into an alert: a chat export from a seized phone, with
phone numbers written several ways, a Telegram handle, a wallet, a link, an e-mail and an IBAN
among ordinary words, dates and prices that must not be read as identifiers.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from csnet.indicators.base import Hint
from csnet.indicators.extract import extract

CHAT_EXPORT = """\
[03/11/2026, 21:14] Abu Karim: boat leaves Zuwara friday night, 45 people, 3500 USD each
[03/11/2026, 21:15] Abu Karim: half before, half when you arrive. call my brother +218 91 234 5678
[03/11/2026, 21:17] Samir: ok. my cousin in Izmir says call 0532 123 45 67 for the van
[03/11/2026, 21:18] Abu Karim: no, whatsapp only: +90 555 765 43 21. telegram @sea_travel_2026
[03/11/2026, 21:20] Abu Karim: pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or bank
[03/11/2026, 21:21] Abu Karim: IBAN GB82 WEST 1234 5698 7654 32, name on card A. K.
[03/11/2026, 21:24] Samir: the visa offer? they sent https://visa-fast-europe.net/offer/17
[03/11/2026, 21:25] Abu Karim: write to bookings.europe@proton.me, say Samir sent you
[03/11/2026, 21:31] Samir: my wife has passport, the children not. 3 kids 4, 7 and 11 years
[03/11/2026, 21:33] Abu Karim: no problem. meet at the cafe near the port 22:00 thursday
[03/11/2026, 21:40] Samir: +92 300 1234567 is my number in Pakistan if this one stops
"""
HINT = Hint(country="LY")  # the seized phone's country: local numbers are read there
WARMUP = 50


def bench_extraction(runs: int) -> dict[str, Any]:
    """p50 and p99 of `extract` over `runs` runs of the 1 KB text, after a warm-up."""
    found = extract(CHAT_EXPORT, HINT).found
    for _ in range(WARMUP):
        extract(CHAT_EXPORT, HINT)
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        extract(CHAT_EXPORT, HINT)
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    figures = {
        "extract_1kb_p50_ms": statistics.median(times),
        "extract_1kb_p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "extract_1kb_bytes": len(CHAT_EXPORT.encode()),
        "extract_1kb_found": len(found),
    }
    kinds = sorted({f.indicator.type for f in found})
    print(
        f"extraction of a {figures['extract_1kb_bytes']:,}-byte chat export "
        f"({len(found)} indicators: {', '.join(kinds)}): p50 "
        f"{figures['extract_1kb_p50_ms']:.3f} ms (target <= 0.5 ms), p99 "
        f"{figures['extract_1kb_p99_ms']:.3f} ms over {runs:,} runs",
        flush=True,
    )
    return figures
