"""Reading a zone from a photo: tesseract with the shipped MRZ model, then the check digits.

Pages are rendered here (tests/ocr/pages.py) in Debian's OCR-B font; the tests need Debian's
tesseract-ocr and fonts-ocr-b (`.ci/run` installs both) and are skipped without them.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from csnet.errors import BadInput, TooLarge
from csnet.ocr import images, read_photo, tesseract
from tests.ocr.pages import OCR_B, page

pytestmark = pytest.mark.skipif(
    not (tesseract.available() and OCR_B.is_file()),
    reason="reading photos needs Debian's tesseract-ocr and fonts-ocr-b",
)
TODAY = date(2026, 12, 8)
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = ["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2",
       "STEVENSON<<PETER<JOHN<<<<<<<<<"]  # fmt: skip


@pytest.mark.parametrize("lines", [TD3, TD1], ids=["passport", "identity card"])
def test_a_rendered_page_is_read_and_validated(lines: list[str]) -> None:
    found = read_photo(page(lines), TODAY)
    assert found.reading is not None
    assert found.reading.valid, found.reading.errors
    assert found.reading.lines == lines


def test_an_upside_down_page_is_read() -> None:
    found = read_photo(page(TD3, rotate=180, fmt="PNG"), TODAY)
    assert found.reading is not None and found.reading.lines == TD3


def test_a_photo_without_a_zone_reads_none() -> None:
    blank = io.BytesIO()
    Image.new("RGB", (900, 600), (250, 250, 250)).save(blank, format="PNG")
    assert read_photo(blank.getvalue(), TODAY).reading is None


def test_what_is_no_image_is_refused_with_a_reason() -> None:
    with pytest.raises(BadInput) as raised:
        read_photo(b"%PDF-1.7 not a photo", TODAY)
    assert raised.value.error_code == "bad_image"


def test_a_canvas_too_large_is_refused_before_it_is_decoded() -> None:
    huge = io.BytesIO()
    Image.new("1", (9000, 5000)).save(huge, format="PNG")  # small file, 45 M pixels
    with pytest.raises(TooLarge):
        images.load(huge.getvalue())
