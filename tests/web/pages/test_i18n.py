"""Every language's catalogue translates every message of the web app, keeps its placeholders,
and the pages come out in that language and direction (user content is never translated)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from csnet.node import Node
from csnet.web.pages import i18n
from tests.factories import api

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "csnet" / "web"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


def _messages() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


MESSAGES = _messages()


def test_extraction_finds_the_templates_messages() -> None:
    assert "Skip to content" in MESSAGES and "Log in" in MESSAGES


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_translates_every_message(code: str) -> None:
    po_path = WEB / "locale" / code / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    missing = []
    for text in sorted(MESSAGES):
        entry = catalog.get(text)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(text)
            continue
        translated = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(text)), text
    assert not missing, f"{code}: {len(missing)} untranslated, run `make i18n`: {missing[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_login_page_comes_out_in_the_language(node: Node, code: str) -> None:
    page = api(node).get(f"/login?lang={code}").text
    expected = i18n.translations(code).gettext("Log in to csnet")
    assert expected != "Log in to csnet"
    assert expected in page
    direction = "rtl" if i18n.LANGUAGES[code].rtl else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in page


def test_dates_and_numbers_are_localised() -> None:
    assert i18n.format_number(12345, "fr") != i18n.format_number(12345, "en")
    assert i18n.from_accept_language("ur-PK,ur;q=0.9,en;q=0.5") == "ur"
    assert i18n.from_accept_language("de, ja;q=0.5") is None
    assert i18n.choose(None, None, "el", "fr") == "el"
    assert i18n.choose("ar", "fr", "el", "fr") == "ar"
