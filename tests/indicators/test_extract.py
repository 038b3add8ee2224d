"""End to end: recruitment posts and alerts in each language the network reads, through the
registry's identifier types. Each found span must be the exact original text."""

from __future__ import annotations

import pytest

from csnet.indicators.base import Hint
from csnet.indicators.extract import Extraction, extract

TRON = "TNFNeRegyscaqRC9U9mYFh6tL4BQo5CWVg"
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"

POSTS = {
    "urdu": (
        "PK",
        "ڈنکی یورپ! یونان گیم کے لیے ایجنٹ سے رابطہ: ۰۳۰۰-۱۲۳۴۵۶۷ یا واٹس ایپ "
        "https://wa.me/923001234567?utm_source=facebook&utm_medium=post۔ پاسپورٹ PAK AB1234567",
        [
            ("phone", "+923001234567", "۰۳۰۰-۱۲۳۴۵۶۷"),
            (
                "whatsapp",
                "+923001234567",
                "https://wa.me/923001234567?utm_source=facebook&utm_medium=post",
            ),
            ("document", "PAK:P:AB1234567", "AB1234567"),
        ],
    ),
    "arabic": (
        "LY",
        "رحلة حرقة إلى إيطاليا من طرابلس، الدفع عند الوصول. واتساب: \u200f+٢١٨ ٩١ ٢٣٤ ٥٦٧٨ "
        "أو تيليجرام @harraga_libya، جواز سفر SYR N01234567",
        [
            ("phone", "+218912345678", "+٢١٨ ٩١ ٢٣٤ ٥٦٧٨"),
            ("telegram", "harraga_libya", "@harraga_libya"),
            ("document", "SYR:P:N01234567", "N01234567"),
        ],
    ),
    "persian": (
        "IR",
        "قاچاقبر مطمئن، ترکیه به یونان. تماس: ۰۰۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹ کانال تلگرام "
        "https://t.me/rahbalad_europe?utm_campaign=winter",
        [
            ("phone", "+989123456789", "۰۰۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹"),
            ("telegram", "rahbalad_europe", "https://t.me/rahbalad_europe?utm_campaign=winter"),
        ],
    ),
    "pashto": (
        "AF",
        "قاچاقبر له کابل نه ترکیې ته. اړیکه: ۰۷۰.۱۲۳.۴۵۶۷ پاسپورټ AFG P01234567",
        [
            ("phone", "+93701234567", "۰۷۰.۱۲۳.۴۵۶۷"),
            ("document", "AFG:P:P01234567", "P01234567"),
        ],
    ),
    "english": (
        None,
        "Game to Italy from Velika Kladuša, 3500 EUR, pay on arrival. Call +30 694 123 4567 or "
        "join https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv?fbclid=IwAR0abc. "
        f"USDT TRC-20: {TRON}. Boat IMO 9074729.",
        [
            ("phone", "+306941234567", "+30 694 123 4567"),
            (
                "whatsapp",
                "group:AbCdEfGhIjKlMnOpQrStUv",
                "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv?fbclid=IwAR0abc",
            ),
            ("wallet", TRON, TRON),
            ("vessel", "imo:9074729", "IMO 9074729"),
        ],
    ),
    "greek": (
        "GR",
        "Ταξίδι Τουρκία–Ελλάδα με σκάφος. Τηλέφωνο 694.123.4567, πληρωμή στο IBAN "
        "GR16 0110 1250 0000 0001 2300 695. Πινακίδα ΙΚΧ-1234",
        [
            ("phone", "+306941234567", "694.123.4567"),
            ("iban", "GR1601101250000000012300695", "GR16 0110 1250 0000 0001 2300 695"),
            ("plate", "GR:IKX1234", "ΙΚΧ-1234"),
        ],
    ),
    "italian": (
        "IT",
        "Viaggio garantito Libia-Italia, contatto 312 345 6789 (WhatsApp), pagamento IBAN "
        "IT60 X054 2811 1010 0000 0123 456. Targa AB 123 CD",
        [
            ("phone", "+393123456789", "312 345 6789"),
            ("iban", "IT60X0542811101000000123456", "IT60 X054 2811 1010 0000 0123 456"),
            ("plate", "IT:AB123CD", "AB 123 CD"),
        ],
    ),
    "french": (
        "FR",
        "Boza! Passage garanti vers l'Espagne, appelez le 06 12 34 56 78 ou écrivez à "
        "contact.passage@gmail.com, passeport N° 18AB12345 (FRA)",
        [
            ("phone", "+33612345678", "06 12 34 56 78"),
            ("email", "contact.passage@gmail.com", "contact.passage@gmail.com"),
            ("document", "FRA:P:18AB12345", "18AB12345"),
        ],
    ),
    "turkish": (
        "TR",
        f"Kaçak geçiş Yunanistan'a garantili. WhatsApp: 0532 123 45 67, ödeme: {BECH32}. "
        "Instagram @yunanistan.gecis https://www.instagram.com/yunanistan.gecis/?igshid=abc123",
        [
            ("phone", "+905321234567", "0532 123 45 67"),
            ("wallet", BECH32, BECH32),
            # the profile link names the same account: one indicator, its first mention
            ("social", "instagram:yunanistan.gecis", "@yunanistan.gecis"),
        ],
    ),
}


def _found(result: Extraction) -> list[tuple[str, str, str]]:
    return [(f.indicator.type, f.indicator.value, f.text) for f in result.found]


@pytest.mark.parametrize("language", sorted(POSTS))
def test_each_language(language: str) -> None:
    country, text, expected = POSTS[language]
    result = extract(text, Hint(country=country))
    assert _found(result) == expected
    assert all(text[f.start : f.end] == f.text for f in result.found)
    assert result.rejected == []


def test_arabic_indic_and_persian_digit_forms_give_the_same_number() -> None:
    forms = ["+٩٢ ٣٠٠ ١٢٣٤٥٦٧", "+۹۲ ۳۰۰ ۱۲۳۴۵۶۷", "+92-300-123.4567", "(+92) 300 1234567"]
    for form in forms:
        (found,) = extract(f"رابطہ {form} ۔").found
        assert (found.indicator.value, found.text) == ("+923001234567", form)


def test_without_a_country_only_international_numbers_are_phones() -> None:
    assert _found(extract("0300 1234567 or 0092 300 7654321")) == [
        ("phone", "+923007654321", "0092 300 7654321")
    ]


def test_a_wa_me_link_is_whatsapp_only_not_also_a_url_or_a_phone() -> None:
    result = extract("wa.me/923001234567", Hint(country="PK"))
    assert _found(result) == [("whatsapp", "+923001234567", "wa.me/923001234567")]


def test_tracking_parameters_leave_the_canonical_url() -> None:
    text = "details: https://example.com/offer?utm_source=fb&id=7&fbclid=IwAR0x."
    assert _found(extract(text)) == [
        (
            "url",
            "https://example.com/offer?id=7",
            "https://example.com/offer?utm_source=fb&id=7&fbclid=IwAR0x",
        )
    ]


def test_the_same_indicator_twice_is_reported_once_at_its_first_span() -> None:
    text = "Call +92 300 1234567. Again: 0092-300-1234567"
    (found,) = extract(text).found
    assert (found.start, found.end) == (5, 20)


def test_a_wallet_with_a_wrong_checksum_is_rejected_with_the_reason() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 test vector
    text = f"ETH {good[:-1]}D and {good}"  # the first has one letter in the wrong case
    result = extract(text)
    assert _found(result) == [("wallet", good, good)]
    (rejected,) = result.rejected
    assert (rejected.type, rejected.start, rejected.end) == ("wallet", 4, 46)
    assert rejected.text == text[4:46]
    assert "EIP-55" in rejected.reason


def test_an_iban_with_wrong_check_digits_is_rejected() -> None:
    result = extract("IBAN GR17 0110 1250 0000 0001 2300 695")
    assert result.found == []
    assert [(r.type, r.text) for r in result.rejected] == [
        ("iban", "GR17 0110 1250 0000 0001 2300 695")
    ]


def test_a_passport_without_an_issuing_state_is_rejected_not_guessed() -> None:
    result = extract("passport no. P1234567", Hint(country="GR"))
    assert result.found == []
    assert [(r.type, r.text) for r in result.rejected] == [("document", "P1234567")]


def test_numbers_that_are_not_phones_are_not_reported() -> None:
    result = extract("3500 EUR, 12.05.2026, 1500000 PKR", Hint(country="PK"))
    assert result.found == [] and result.rejected == []
