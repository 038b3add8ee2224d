"""The fast extraction path against the plain reference path (tests/indicators/reference): for
generated multilingual texts and every string in this folder's tests, the same working copy, the
same candidates and the same extraction (found and rejected: types, values, spans)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from csnet.indicators import registry
from csnet.indicators import text as text_module
from csnet.indicators.base import Hint
from csnet.indicators.extract import extract
from csnet.indicators.finders import find_candidates, labelled, links
from csnet.indicators.text import working_copy
from csnet.indicators.types._common import fold
from tests.conftest import examples
from tests.indicators.reference import common as reference_common
from tests.indicators.reference import extract as reference
from tests.indicators.reference import text as reference_text

HERE = Path(__file__).parent
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
LABELS = [
    *labelled.PASSPORT_LABELS.split("|"),
    *labelled.ID_LABELS.split("|"),
    "number plate", "license plate", "licence plate", "plate", "registration", "reg. no",
    "نمبر پلیٹ", "گاڑی نمبر", "رقم اللوحة", "لوحة", "پلاک", "targa", "plaque",
    "immatriculation", "πινακίδα", "πινακίδες", "αριθμός κυκλοφορίας", "plaka",
]  # fmt: skip
FILLERS = ["no.", "No", "nr", "n°", "nº", "number", "numéro", "numarası", "αριθμός", "رقم", "نمبر"]
WORDS = [
    "call", "contact", "the", "driver", "boat", "IMO", "imo no.", "MMSI", "IBAN", "USDT",
    "ڈنکی", "رابطہ", "واٹس ایپ", "تلگرام", "Telegram", "instagram", "TikTok", "twitter",
    "رحلة", "واتساب", "Τηλέφωνο", "Ταξίδι", "Πινακίδα", "ΙΚΧ", "KİMLİK", "kımlık", "PASSPORT",
    "Paſſport", "ﬁle", "½", "①", "x²", "SYR", "PAK", "(FRA)", "AB", "CD", "N01234567",
]  # fmt: skip
SNIPPETS = [
    "https://wa.me/923001234567?utm_source=fb", "wa.me/923001234567", "t.me/+AbCdEf",
    "https://t.me/rahbalad_europe", "www.facebook.com/some.page/", "HTTP://Example.COM/a_(b)",
    "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", "x.com/handle", "youtu.be/abc",
    "agent.evros@gmail.com", "@harraga_libya", "@yunanistan.gecis", "example.co.uk",
    "TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "GR16 0110 1250 0000 0001 2300 695", "IT60X0542811101000000123456", "IMO 9074729",
    "+92 300 1234567", "(+92) 300 1234567", "0092-300-1234567", "۹۲۳۰۰۱۲۳۴۵۶۷+",
    "+٢١٨ ٩١ ٢٣٤ ٥٦٧٨", "۰۳۰۰-۱۲۳۴۵۶۷", "06 12 34 56 78", "694.123.4567", "12.05.2026",
]  # fmt: skip
SEPARATORS = [" ", " ", "  ", "\n", "\t", ": ", ", ", "-", ".", "/", "(", ")", "+", "#", "،",
              "؛", "۔", "\u200f", "\u200e", "\u0640", "\u00a0", "–"]  # fmt: skip
DIGITS = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "０１２３４５６７８９"]
NATIONALITIES = [*labelled.NATIONALITIES, "Pakistani", "AFGHAN", "Syrian"]


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """A digit group in one script, as phones, documents and plates write them."""
    script = draw(st.sampled_from(DIGITS))
    return "".join(draw(st.lists(st.sampled_from(script), min_size=1, max_size=12)))


CODES = st.text(alphabet="ABCDEFGHJKLMNPRSTXYZ0123456789-", min_size=1, max_size=12)
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", ""])


@st.composite
def labelled_values(draw: st.DrawFn) -> str:
    """[nationality] label [fillers] [state] value [(state)]: what the labelled finders read."""
    parts = [
        draw(st.sampled_from(["", *NATIONALITIES])),
        draw(SPACES),
        draw(st.sampled_from(LABELS)),
        *draw(st.lists(st.sampled_from([*FILLERS, ":", " ", "#", "-"]), max_size=3)),
        draw(st.sampled_from(["", "PAK ", "SYR: ", "AFG-", "GR"])),
        draw(st.one_of(CODES, numbers())),
        draw(st.sampled_from(["", " (SYR)", "(FRA)", " ΙΚΧ", "-1234"])),
    ]
    return "".join(parts)


PIECES = st.one_of(
    labelled_values(),
    st.sampled_from(LABELS),
    st.sampled_from(LABELS).map(str.upper),
    st.sampled_from(NATIONALITIES),
    st.sampled_from(FILLERS),
    st.sampled_from(WORDS),
    st.sampled_from(SNIPPETS),
    st.sampled_from(SEPARATORS),
    numbers(),
    CODES,
    st.text(max_size=4),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)
HINTS = st.sampled_from([Hint(), Hint(country="PK"), Hint(country="GR"), Hint(country="IT")])


def outcome(run: Any, text: str, hint: Hint) -> Any:
    """The extraction as plain data, or the error it raised."""
    try:
        return run(text, hint).as_dict()
    except Exception as exc:  # why: both paths must fail alike, too
        return ("raised", type(exc).__name__)


def assert_same(text: str, hint: Hint) -> None:
    fast, plain = working_copy(text), reference_text.working_copy(text)
    assert (fast.text, fast.origin) == (plain.text, plain.origin)
    assert find_candidates(fast.text) == reference.find_candidates(fast.text)
    assert outcome(extract, text, hint) == outcome(reference.extract, text, hint)


@settings(max_examples=examples(400))
@given(TEXTS, HINTS)
@example("Pakistani  passport no. PAK AB1234567 plate ΙΚΧ-1234", Hint(country="GR"))
@example("xsyrian\tjawaz passeport: N-0123456 (SYR) kimlik 12345678901", Hint())
@example("ﬁle\u200f+۹۲ ۳۰۰ ۱۲۳۴۵۶۷ ½ licence plate AB 123 CD", Hint(country="IT"))
@example(f"{ETH} x{ETH} 0{ETH}", Hint())
@example("a1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", Hint())
@example("TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg 9TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg", Hint())
@example(f"x{BECH32} {BECH32.upper()} Ltc1{BECH32[3:]}", Hint())
@example("aGR16 0110 1250 0000 0001 2300 695 GR1601101250000000012300695 9IT60X054", Hint())
def test_generated_texts_read_the_same_on_both_paths(text: str, hint: Hint) -> None:
    assert_same(text, hint)


def test_strings_in_the_indicator_tests_read_the_same_on_both_paths() -> None:
    strings = sorted(
        {
            node.value
            for path in HERE.glob("test_*.py")
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
    )
    assert len(strings) > 100  # the vectors were read
    for text in strings:
        for country in (None, "PK", "GR"):
            assert_same(text, Hint(country=country))


def test_every_label_starts_with_two_plain_letters_of_the_gate() -> None:
    # why: the gate is made of the first characters; a regex construct there would break it
    assert all(label[:2].isalpha() for label in labelled.ALL_LABELS.split("|"))


def test_every_link_host_starts_with_a_letter_of_the_gate() -> None:
    starts = [*links.HOST_TYPES, "http://", "https://", "www."]
    assert all(start[0] in links.LINK_FIRST_LETTERS for start in starts)


@given(st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127)), TEXTS))
@example(" \t+92 300\x0b\x1c ")
def test_fold_reads_the_same_as_its_reference(text: str) -> None:
    assert fold(text) == reference_common.fold(text)


@pytest.mark.parametrize("number", ["+923001234567", "+18002345678", "+447911123456", "+3906123"])
def test_a_phone_is_described_as_format_and_specificity_describe_it(number: str) -> None:
    phone = registry.get("phone")
    assert phone.describe(number) == (phone.format(number), phone.specificity(number))


def test_the_fold_table_stays_bounded_on_texts_of_rare_characters() -> None:
    rare = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 2 * text_module.TABLE_LIMIT))
    assert working_copy(rare).text == reference_text.working_copy(rare).text
    assert len(text_module._FOLDED) <= text_module.TABLE_LIMIT


@pytest.mark.parametrize("word", ["PAKİSTANİ", "pakıstanı", "Pakistani"])
def test_a_turkish_capital_in_a_nationality_names_the_state(word: str) -> None:
    found = extract(f"Broker holds {word} passport AB1234567 at the port").found
    assert [f.indicator.value for f in found] == ["PAK:P:AB1234567"]
