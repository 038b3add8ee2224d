"""Machine-readable zones from photos: tesseract with the shipped MRZ model, then csnet.mrz.

`read_photo(data, today)` finds and reads the zone of a passport page, card or visa photo. The
reading is validated and repaired by the check digits exactly as typed text is (docs/mrz.md).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from csnet import mrz
from csnet.ocr import images, tesseract, zone


@dataclass(frozen=True)
class PhotoReading:
    reading: mrz.Reading | None  # None: no zone found
    ocr_text: str  # what tesseract read in the view the zone was found in
    seconds: float
    zone_text: str | None = None  # the zone as read, before repairs: what to check again


def read_photo(data: bytes, today: date) -> PhotoReading:
    """The zone in the photo `data` (BadInput for a file that is no image, OcrUnavailable when
    this node cannot run tesseract)."""
    started = time.perf_counter()
    image = images.load(data)
    best: tuple[mrz.Reading, str, str] | None = None
    with tempfile.TemporaryDirectory(prefix="csnet-ocr-") as folder:
        for index, view in enumerate(images.views(image)):
            text = tesseract.read_text(images.save(view, Path(folder), f"view{index}"), psm=6)
            found = zone.best_run(text, today)
            if found is not None and (best is None or zone.rank(found[0]) < zone.rank(best[0])):
                best = (found[0], text, found[1])
            if found is not None and found[0].valid:
                break  # why: each further view costs a tesseract run
    seconds = time.perf_counter() - started
    if best is None:
        return PhotoReading(None, "", seconds)
    return PhotoReading(best[0], best[1], seconds, best[2])


def read_line(path: Path) -> str:
    """One line image, read as one line (for measuring the model on line images)."""
    return tesseract.read_text(path, psm=7).strip()


__all__ = ["PhotoReading", "read_line", "read_photo"]
