"""Passport pages and cards rendered here, with their zone in OCR-B, for the OCR tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")  # Debian's fonts-ocr-b
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default(size)


def _fitting(line: str, room: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """OCR-B at the largest size whose line fits `room` pixels."""
    size = 60
    font = _font(OCR_B, size)
    while size > 8 and font.getlength(line) > room:
        size -= 1
        font = _font(OCR_B, size)
    return font


def page(lines: list[str], *, width: int = 1250, rotate: float = 0.0, fmt: str = "JPEG") -> bytes:
    """A data page: a title, a photo box, printed fields, and the zone at the bottom."""
    height = int(width * 0.7)
    image = Image.new("RGB", (width, height), (236, 240, 232))
    draw = ImageDraw.Draw(image)
    text = _font(DEJAVU, 26)
    draw.text((40, 30), "PASSPORT  PASSEPORT  REISEPASS", fill=(40, 40, 90), font=text)
    draw.rectangle((40, 90, 300, 420), outline=(90, 90, 90), width=3, fill=(200, 200, 205))
    for row, label in enumerate(("Surname / Nom", "Given names / Prénoms", "Nationality",
                                 "Date of birth", "Date of expiry")):  # fmt: skip
        draw.text((340, 100 + row * 60), label, fill=(60, 60, 60), font=_font(DEJAVU, 20))
    mrz = _fitting(lines[0], width - 80)
    top = height - 60 * len(lines) - 30
    for index, line in enumerate(lines):
        draw.text((40, top + index * 60), line, fill=(10, 10, 10), font=mrz)
    if rotate:
        image = image.rotate(rotate, expand=True, fillcolor=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()
