"""Phone numbers, WhatsApp, Telegram, social accounts, e-mail, URLs and domains: canonical
values, details, specificity, and each refusal with its reason."""

from __future__ import annotations

import pytest

from csnet.indicators import registry
from csnet.indicators.base import Hint, InvalidIdentifier


@pytest.mark.parametrize(
    ("text", "country", "value", "region"),
    [
        ("+92 300 1234567", None, "+923001234567", "PK"),
        ("0300-1234567", "PK", "+923001234567", "PK"),
        ("٠٣٠٠١٢٣٤٥٦٧", "PK", "+923001234567", "PK"),  # Arabic-Indic digits
        ("+30 210 123 4567", None, "+302101234567", "GR"),
        ("210 123 4567", "GR", "+302101234567", "GR"),
        ("0030 210 123 4567", None, "+302101234567", "GR"),
        ("06 12345678", "IT", "+390612345678", "IT"),
        ("+39 333 123 4567", None, "+393331234567", "IT"),
        ("091-234-5678", "LY", "+218912345678", "LY"),
        ("+90 532 123 45 67", None, "+905321234567", "TR"),
        ("0532 123 45 67", "TR", "+905321234567", "TR"),
        ("+93 70 123 4567", None, "+93701234567", "AF"),
        ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "IR", "+989123456789", "IR"),  # Persian digits
        ("tel:+989123456789", None, "+989123456789", "IR"),
    ],
)
def test_phone_numbers_become_e164(text: str, country: str | None, value: str, region: str) -> None:
    indicator = registry.parse("phone", text, Hint(country=country))
    assert indicator.value == value
    assert indicator.details == {"country": region}
    assert indicator.specificity == 0.9


@pytest.mark.parametrize(
    ("text", "country", "reason"),
    [
        ("0300 1234567", None, "has no country code"),
        ("+92 300", None, "not a valid PK phone number: it is too short"),
        ("+999 1234567", None, "its country code does not exist"),
        ("+30 210 123", None, "not a valid GR phone number"),
        ("call me", "GR", "not a phone number"),
    ],
)
def test_phone_refusals(text: str, country: str | None, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("phone", text, Hint(country=country))
    assert reason in caught.value.message


def test_phone_display_and_shared_numbers() -> None:
    phone = registry.get("phone")
    assert registry.parse("phone", "+302101234567").display == "+30 21 0123 4567"
    assert phone.specificity("+18002752273") == 0.5  # US toll-free


@pytest.mark.parametrize(
    ("text", "value", "details"),
    [
        ("https://wa.me/923001234567", "+923001234567", {"kind": "number", "country": "PK"}),
        ("wa.me/+30 210 123 4567?text=hi", "+302101234567", {"kind": "number", "country": "GR"}),
        (
            "https://api.whatsapp.com/send?phone=393331234567&text=x",
            "+393331234567",
            {"kind": "number", "country": "IT"},
        ),
        (
            "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv",
            "group:AbCdEfGhIjKlMnOpQrStUv",
            {"kind": "group"},
        ),
        (
            "chat.whatsapp.com/invite/AbCdEfGhIjKlMnOpQrStUv/",
            "group:AbCdEfGhIjKlMnOpQrStUv",
            {"kind": "group"},
        ),
        ("+90 532 123 45 67", "+905321234567", {"kind": "number", "country": "TR"}),
    ],
)
def test_whatsapp(text: str, value: str, details: dict[str, str]) -> None:
    indicator = registry.parse("whatsapp", text)
    assert indicator.value == value
    assert dict(indicator.details) == details
    assert indicator.specificity == (1.0 if value.startswith("group:") else 0.9)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://chat.whatsapp.com/abc", "invite code has 3 characters, expected 22"),
        ("https://wa.me/", "has no phone number"),
        ("https://wa.me/92300", "not a valid PK phone number"),
    ],
)
def test_whatsapp_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        registry.parse("whatsapp", text)


@pytest.mark.parametrize(
    ("text", "value", "kind", "specificity"),
    [
        ("@Dunki_Agent", "dunki_agent", "handle", 0.8),
        ("https://t.me/Dunki_Agent", "dunki_agent", "handle", 0.8),
        ("t.me/s/EuropeRoutes/123", "europeroutes", "handle", 0.8),
        ("https://telegram.me/europeroutes/45?single", "europeroutes", "handle", 0.8),
        ("tg://resolve?domain=EuropeRoutes", "europeroutes", "handle", 0.8),
        ("https://t.me/+AbCdEfGhIjKlMnOp", "invite:AbCdEfGhIjKlMnOp", "invite", 0.9),
        ("t.me/joinchat/AbCdEfGh-IjKlMnOp", "invite:AbCdEfGh-IjKlMnOp", "invite", 0.9),
        ("https://t.me/c/1234567890/15", "id:-1001234567890", "channel", 0.9),
        ("-1001234567890", "id:-1001234567890", "channel", 0.9),
        ("id:123456789", "id:123456789", "user", 0.9),
        ("https://t.me/+923001234567", "+923001234567", "phone", 0.8),
    ],
)
def test_telegram(text: str, value: str, kind: str, specificity: float) -> None:
    indicator = registry.parse("telegram", text)
    assert indicator.value == value
    assert indicator.details["kind"] == kind
    assert indicator.specificity == specificity


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("@ab", "Telegram username 'ab' is not valid"),
        ("@1agent", "starting with a letter"),
        ("@agent_", "not ending with an underscore"),
        ("https://t.me/", "names no account"),
        ("https://t.me/share/url?url=x", "t.me/share links name no account"),
        ("https://t.me/+ab", "no valid invite code"),
    ],
)
def test_telegram_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        registry.parse("telegram", text)


@pytest.mark.parametrize(
    ("text", "value", "specificity"),
    [
        ("https://www.facebook.com/Europe.Travel.Agency/", "facebook:europe.travel.agency", 0.8),
        (
            "https://m.facebook.com/profile.php?id=100012345678901",
            "facebook:id:100012345678901",
            0.9,
        ),
        (
            "https://web.facebook.com/groups/EuropeDunki/?ref=share",
            "facebook:group:europedunki",
            0.8,
        ),
        ("https://www.tiktok.com/@Dunki.Game/video/7301234567890", "tiktok:dunki.game", 0.8),
        ("https://instagram.com/Visa_Europe?igshid=abc", "instagram:visa_europe", 0.8),
        ("https://twitter.com/SomeAgent/status/1234", "x:someagent", 0.8),
        ("x.com/SomeAgent", "x:someagent", 0.8),
        ("https://www.youtube.com/@DunkiRoutes", "youtube:@dunkiroutes", 0.8),
        (
            "https://youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw",
            "youtube:channel:UC_x5XG1OV2P6uZZ5FSM9Ttw",
            0.9,
        ),
        ("tiktok:@Dunki.Game", "tiktok:dunki.game", 0.8),
        ("IG:visa_europe", "instagram:visa_europe", 0.8),
    ],
)
def test_social_accounts(text: str, value: str, specificity: float) -> None:
    indicator = registry.parse("social", text)
    assert indicator.value == value
    assert indicator.details["platform"] == value.split(":", maxsplit=1)[0]
    assert indicator.specificity == specificity


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://vm.tiktok.com/ZMabc/", "short link"),
        ("https://example.com/agent", "not a Facebook, TikTok, Instagram, X or YouTube link"),
        ("https://www.instagram.com/p/Cx123/", "a post or page of the platform"),
        ("https://youtube.com/channel/abc", "UC followed by 22 characters"),
        ("myspace:agent", "unknown platform 'myspace'"),
        ("x:this_handle_is_too_long", "x account 'this_handle_is_too_long' is not valid"),
    ],
)
def test_social_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        registry.parse("social", text)


@pytest.mark.parametrize(
    ("name", "text", "value", "specificity"),
    [
        ("email", "Ali.Khan@Example.COM", "ali.khan@example.com", 0.8),
        ("email", "mailto:<ali+visa@bücher.de>", "ali+visa@xn--bcher-kva.de", 0.8),
        ("email", "info@euro-visa.example", "info@euro-visa.example", 0.5),
        ("domain", "Euro-Visa.Example.", "euro-visa.example", 0.4),
        ("domain", "münchen.de", "xn--mnchen-3ya.de", 0.4),
        ("domain", "https://www.Facebook.com/x", "www.facebook.com", 0.05),
        (
            "url",
            "HTTPS://Example.COM:443/a?utm_source=x&b=2&a=1#frag",
            "https://example.com/a?a=1&b=2",
            0.6,
        ),
        ("url", "example.com/path?fbclid=abc&gclid=d&si=e&q=1", "http://example.com/path?q=1", 0.6),
        ("url", "http://user:pw@example.com:8080", "http://example.com:8080/", 0.6),
        ("url", "https://www.facebook.com/?igshid=x", "https://www.facebook.com/", 0.05),
        ("url", "http://[2001:DB8::1]/x", "http://[2001:db8::1]/x", 0.6),
    ],
)
def test_web_identifiers(name: str, text: str, value: str, specificity: float) -> None:
    indicator = registry.parse(name, text)
    assert indicator.value == value
    assert indicator.specificity == specificity


def test_domains_are_shown_in_unicode() -> None:
    assert registry.parse("domain", "xn--mnchen-3ya.de").display == "münchen.de"


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("email", "no-at-sign.example.com", "local-part@domain"),
        ("email", "a b@example.com", "local part 'a b' is not valid"),
        ("email", "a@b", "domain 'b' has no top-level domain"),
        ("domain", "localhost", "has no top-level domain"),
        ("domain", "-bad-.example", "not a valid domain name"),
        ("domain", "192.168.1.1", "all-numeric top-level domain"),
        ("url", "javascript:alert(1)", "URL scheme 'javascript' is not http, https or ftp"),
        ("url", "http://example.com:99999/", "URL port is not a number"),
    ],
)
def test_web_refusals(name: str, text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        registry.parse(name, text)
