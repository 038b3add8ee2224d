"""The working copy and the candidate finders, on their own: no identifier type is consulted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from csnet.indicators.base import Hint
from csnet.indicators.finders import Candidate, find_candidates
from csnet.indicators.finders.links import handle_platform, link_readings, trim_link
from csnet.indicators.finders.numbers import iban_prefixes
from csnet.indicators.text import fold_char, working_copy


def _readings(text: str) -> list[tuple[str, str, str]]:
    """(type, value, original text) of every reading of every candidate in `text`."""
    work = working_copy(text)
    found: list[tuple[str, str, str]] = []
    for candidate in find_candidates(work.text):
        for r in candidate.readings:
            start, end = work.span(r.start, r.end)
            found.append((r.type, r.value, text[start:end]))
    return found


def _candidates(text: str, kind: str) -> list[Candidate]:
    work = working_copy(text)
    return [c for c in find_candidates(work.text) if c.readings[0].type == kind]


def test_arabic_indic_and_persian_digits_become_ascii() -> None:
    assert working_copy("٠١٢٣٤٥٦٧٨٩").text == "0123456789"
    assert working_copy("۰۱۲۳۴۵۶۷۸۹").text == "0123456789"
    assert working_copy("＋９２").text == "+92"  # full-width, as some phone keyboards type


def test_invisible_marks_and_tatweel_are_dropped_and_spans_map_back() -> None:
    original = "رقم\u0640\u0640: \u200f+۹۲\u200e ۳۰۰\u200d"
    work = working_copy(original)
    assert work.text == "رقم: +92 300"
    start = work.text.index("+")
    begin, end = work.span(start, len(work.text))
    assert original[begin:end] == "+۹۲\u200e ۳۰۰"


def test_dashes_and_spaces_are_folded_but_superscripts_kept() -> None:
    assert working_copy("0300–123\u00a04567").text == "0300-123 4567"
    assert working_copy("10²").text == "10²"  # "102" would forge a number


def test_phone_candidates_keep_groups_and_original_digits() -> None:
    text = "تماس: ۰۰۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹ یا 0300-1234567 یا 694.123.4567"
    assert [r for r in _readings(text) if r[0] == "phone"] == [
        ("phone", "0098 912 345 6789", "۰۰۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹"),
        ("phone", "0300-1234567", "0300-1234567"),
        ("phone", "694.123.4567", "694.123.4567"),
    ]


def test_international_phones_are_strong_local_ones_weak() -> None:
    strong = {
        c.readings[0].value: c.strong for c in _candidates("+30 694 1234567, 0300 1234567", "phone")
    }
    assert strong == {"+30 694 1234567": True, "0300 1234567": False}


def test_a_trailing_plus_from_right_to_left_text_leads_the_number() -> None:
    assert [r for r in _readings("واتساب ٢١٨٩١٢٣٤٥٦٧٨+") if r[0] == "phone"] == [
        ("phone", "+218912345678", "٢١٨٩١٢٣٤٥٦٧٨+")
    ]


def test_short_numbers_prices_and_years_are_not_phones() -> None:
    assert [r for r in _readings("3500 EUR in 2026, 15 lakh") if r[0] == "phone"] == []


def test_links_lose_sentence_punctuation_and_keep_tracking_parameters() -> None:
    text = (
        "واٹس ایپ https://wa.me/923001234567?utm_source=fb۔ (see www.example.com/a_(b)), t.me/x_y."
    )
    links = [r[2] for r in _readings(text) if r[0] in {"whatsapp", "url", "telegram"}]
    assert "https://wa.me/923001234567?utm_source=fb" in links
    assert "www.example.com/a_(b)" in links
    assert "t.me/x_y" in links
    assert trim_link("https://x.org/a).") == "https://x.org/a"


def test_platform_links_are_read_by_their_type_then_as_urls() -> None:
    assert link_readings("https://chat.whatsapp.com/AbC?fbclid=1") == [
        ("whatsapp", "https://chat.whatsapp.com/AbC?fbclid=1"),
        ("whatsapp", "https://chat.whatsapp.com/AbC"),
        ("url", "https://chat.whatsapp.com/AbC?fbclid=1"),
    ]
    assert link_readings("https://m.facebook.com/groups/x")[0] == (
        "social",
        "https://m.facebook.com/groups/x",
    )
    assert link_readings("https://example.org/") == [("url", "https://example.org/")]


def test_handles_belong_to_the_platform_named_before_them() -> None:
    text = "ٹیلیگرام @dunki_agent ، اینستاگرام @rahbalad.eu ، tiktok @game.bihac and @harraga_boss"
    assert [r for r in _readings(text) if r[0] in {"telegram", "social"}] == [
        ("telegram", "@dunki_agent", "@dunki_agent"),
        ("social", "instagram:rahbalad.eu", "@rahbalad.eu"),
        ("social", "tiktok:game.bihac", "@game.bihac"),
        ("social", "tiktok:harraga_boss", "@harraga_boss"),
    ]
    assert handle_platform("nothing here\n@x", 13) == "telegram"


def test_an_email_address_is_one_candidate_not_a_handle() -> None:
    kinds = {r[0] for r in _readings("écrivez à contact.passage@gmail.com")}
    assert "telegram" not in kinds and "email" in kinds


def test_iban_readings_try_shorter_groups_after_the_longest() -> None:
    text = "IBAN PK36 SCBL 0000 0011 2345 6702 BANK"
    (candidate,) = _candidates(text, "iban")
    assert [r.value for r in candidate.readings][:2] == [
        "PK36 SCBL 0000 0011 2345 6702 BANK",
        "PK36 SCBL 0000 0011 2345 6702",
    ]
    assert iban_prefixes("NO9386011117947", 0, 15) == [(0, 15)]


def test_wallet_shapes_are_strong_candidates() -> None:
    text = (
        "USDT TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg, BTC 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 "
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    )
    wallets = _candidates(text, "wallet")
    assert len(wallets) == 4 and all(c.strong for c in wallets)
    assert _candidates("order 1234567890123456789012345678", "wallet") == []


def test_vessel_numbers_need_their_label() -> None:
    assert [
        r for r in _readings("IMO no. 9074729, MMSI: 237012345, 9074729") if r[0] == "vessel"
    ] == [
        ("vessel", "IMO 9074729", "IMO no. 9074729"),
        ("vessel", "MMSI 237012345", "MMSI: 237012345"),
    ]


def test_documents_need_a_label_and_take_a_written_issuing_state() -> None:
    text = (
        "پاسپورٹ PAK AB1234567، جواز سفر رقم N01234567 (SYR), Afghan passport P01234567, "
        "διαβατήριο αριθμός AE1234567, kimlik no: 12345678901, ref AB7654321"
    )
    documents = _candidates(text, "document")
    assert [(c.readings[0].value, c.readings[0].hint) for c in documents] == [
        ("PAK:P:AB1234567", Hint()),
        ("SYR:P:N01234567", Hint()),
        ("AFG:P:P01234567", Hint()),
        ("P:AE1234567", Hint()),
        ("I:12345678901", Hint()),
    ]


def test_plates_need_a_label() -> None:
    text = "Πινακίδα ΙΚΧ-1234 heading north; targa AB 123 CD; plaka 34 ABC 123. Ref XYZ-9999"
    assert [r[2] for r in _readings(text) if r[0] == "plate"] == [
        "ΙΚΧ-1234",
        "AB 123 CD",
        "34 ABC 123",
    ]


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_is_copied_as_each_character_would_fold(text: str) -> None:
    working = working_copy(text)
    assert working.text == "".join(fold_char(c) for c in text)
    assert working.origin == tuple(range(len(text)))


def test_a_tab_becomes_a_space_and_arabic_indic_digits_fold() -> None:
    assert working_copy("a\tb").text == "a b"
    assert working_copy("٠٣٠٠\t۱۲۳").text == "0300 123"
