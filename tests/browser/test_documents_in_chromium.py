"""The documents page in the browser: a rendered passport page uploaded as a large, grainy
photo is scaled down by the page to fit the node's request limit and gives its
decoded fields; a zone with a failing check digit is marked in place and fits a 360-px phone,
in English and right to left in Arabic, with the zone itself kept left to right; and the
fraud report is one click away. The check works from the keyboard alone."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from csnet.ocr import tesseract
from tests.browser.conftest import (
    PHONE,
    Network,
    accessibility_violations,
    log_in,
    new_context,
    overflowing,
    screenshot,
)
from tests.ocr.pages import page as passport_page

ZONE = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
BAD_DIGIT = "\n".join([ZONE[0], ZONE[1].replace("L898902C36", "L898902C35")])
PHOTO_MS = 60_000  # reading a photo takes seconds, more on a busy machine


def _fill_justification(page: Page) -> None:
    page.get_by_label(re.compile("^Justification")).fill("Case 2026/114: gate 4")


def _big_photo() -> bytes:
    """A passport page as a phone might give it: 3,000 px wide, grainy, several MB of PNG."""
    clean = Image.open(io.BytesIO(passport_page(ZONE, width=3000, fmt="PNG"))).convert("RGB")
    grainy = Image.blend(clean, Image.effect_noise(clean.size, 40).convert("RGB"), 0.12)
    out = io.BytesIO()
    grainy.save(out, format="PNG")
    assert out.tell() > 2_000_000
    return out.getvalue()


def _check_by_keyboard(page: Page) -> None:
    """The zone (focused on arrival), the photo, the justification, the button: Tab and Enter."""
    assert page.evaluate("document.activeElement.id") == "zone"
    page.keyboard.type(BAD_DIGIT)
    for expected in ("photo", "justification"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == expected
    page.keyboard.type("Case 2026/114: gate 4")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check"
    page.keyboard.press("Enter")


def test_a_large_photo_of_a_passport_page_shows_its_decoded_fields(
    browser: Browser, network: Network
) -> None:
    if not tesseract.available():
        pytest.skip("tesseract-ocr is not installed")
    context = new_context(browser)
    page = context.new_page()
    log_in(page, network.officer_a)
    page.get_by_role("link", name="Documents").click()
    photo = page.get_by_label("Or a photo of the data page")
    photo.set_input_files({"name": "page.png", "mimeType": "image/png", "buffer": _big_photo()})
    # the page scales a photo this large down before sending it (the node takes 1 MiB)
    page.wait_for_function("() => document.getElementById('photo').files[0].name === 'photo.jpg'")
    _fill_justification(page)
    page.get_by_role("button", name="Check").click()
    fields = page.locator("dl.doc-fields")
    expect(fields).to_contain_text("ERIKSSON", timeout=PHOTO_MS)
    for shown in ("ANNA MARIA", "L898902C3", "1974-08-12", "female"):
        expect(fields).to_contain_text(shown)
    expect(page.locator("#zone")).to_have_value("\n".join(ZONE))
    screenshot(page, "documents-photo-desktop")
    context.close()


def test_a_failing_digit_is_marked_and_the_page_fits_a_phone(
    browser: Browser, network: Network
) -> None:
    context = new_context(browser, PHONE, audit=True)
    page = context.new_page()
    log_in(page, network.officer_a)
    problems: list[str] = []
    for lang in ("en", "ar"):
        page.goto(f"{network.a.endpoint.url}/documents?lang={lang}")
        page.locator("#zone").fill(BAD_DIGIT)
        page.locator("#justification").fill("Case 2026/114: gate 4")
        page.locator("form.doc-form button[type=submit]").click()
        marked = page.locator("pre.mrz-zone mark.mrz-error").first
        expect(marked).to_have_text("5")
        zone = page.locator("pre.mrz-zone")
        expect(zone).to_have_attribute("dir", "ltr")
        assert page.evaluate("getComputedStyle(document.querySelector('#zone')).direction") == (
            "ltr"
        )
        wide = overflowing(page)
        assert not wide, f"/documents ({lang}) overflows at 360 px: {wide}"
        screenshot(page, f"documents-check-{lang}-phone")
        problems += [f"/documents ({lang}): {v}" for v in accessibility_violations(page)]
    page.goto(f"{network.a.endpoint.url}/documents?lang=en")
    _check_by_keyboard(page)
    expect(page.locator("pre.mrz-zone mark.mrz-error").first).to_have_text("5")
    page.get_by_role("button", name="File a fraud report on this document").click()
    expect(page.locator("#number")).to_have_value("L898902C3")
    expect(page.locator("#point-mrz_check_digit")).to_be_checked()
    assert not overflowing(page), "the fraud report form overflows at 360 px"
    screenshot(page, "documents-fraud-form-phone")
    problems += [f"fraud form: {v}" for v in accessibility_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)
