"""The registry and the interface every type shares: one registration per type, errors that
map to HTTP 422, canonical values that read back as themselves, specificity in [0, 1]."""

from __future__ import annotations

import pytest

from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import Hint, Indicator, InvalidIdentifier

EXAMPLES = [  # (type, text, hint): one or more of every form each type canonicalises
    ("phone", "0300 1234567", Hint(country="PK")),
    ("whatsapp", "https://wa.me/923001234567", Hint()),
    ("whatsapp", "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", Hint()),
    ("telegram", "https://t.me/Dunki_Agent", Hint()),
    ("telegram", "https://t.me/+AbCdEfGhIjKlMnOp", Hint()),
    ("telegram", "https://t.me/+923001234567", Hint()),
    ("telegram", "https://t.me/c/1234567890/15", Hint()),
    ("social", "https://m.facebook.com/profile.php?id=100012345678901", Hint()),
    ("social", "https://web.facebook.com/groups/EuropeDunki/", Hint()),
    ("social", "https://youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw", Hint()),
    ("social", "https://www.youtube.com/@DunkiRoutes", Hint()),
    ("social", "https://www.youtube.com/user/DunkiRoutes", Hint()),
    ("social", "https://www.tiktok.com/@Dunki.Game", Hint()),
    ("email", "Ali.Khan@Bücher.de", Hint()),
    ("url", "HTTPS://Example.COM:443/a?utm_source=x&b=2&a=1#frag", Hint()),
    ("domain", "München.DE.", Hint()),
    ("wallet", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", Hint()),
    ("wallet", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", Hint()),
    ("wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Hint()),
    ("iban", "gr16 0110 1250 0000 0001 2300 695", Hint()),
    ("document", "pak passport ab1234567", Hint()),
    ("vessel", "IMO 9074729", Hint()),
    ("vessel", "MMSI 237123456", Hint()),
    ("plate", "GR:ΙΚΑ-1234", Hint()),
]


def test_every_type_is_registered_once_by_name() -> None:
    names = [kind.name for kind in registry.types()]
    assert names == sorted(
        [
            "document",
            "domain",
            "email",
            "iban",
            "phone",
            "plate",
            "social",
            "telegram",
            "url",
            "vessel",
            "wallet",
            "whatsapp",
        ]
    )
    assert all(registry.get(name).name == name for name in names)
    assert all(kind.label for kind in registry.types())


def test_registering_a_name_twice_is_a_bug() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.get("phone"))


def test_an_unknown_type_is_bad_input_naming_the_known_ones() -> None:
    with pytest.raises(BadInput, match="unknown identifier type 'fax'; known: document"):
        registry.get("fax")


def test_a_refusal_is_a_422_with_its_own_code() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("vessel", "IMO 9074723")
    error = caught.value
    assert isinstance(error, BadInput)
    assert error.status == 422
    assert error.body() == {
        "error": {
            "code": "invalid_identifier",
            "message": "IMO check digit is 3, expected 9",
            "details": {},
        }
    }


@pytest.mark.parametrize("name", ["phone", "wallet", "iban", "url", "plate"])
@pytest.mark.parametrize("text", ["", "   ", "\u200b"])
def test_empty_values_are_refused(name: str, text: str) -> None:
    with pytest.raises(InvalidIdentifier, match="empty"):
        registry.parse(name, text)


@pytest.mark.parametrize(("name", "text", "hint"), EXAMPLES, ids=lambda v: str(v)[:40])
def test_canonical_values_read_back_as_themselves(name: str, text: str, hint: Hint) -> None:
    first = registry.parse(name, text, hint)
    again = registry.parse(name, first.value)
    assert again == first
    assert isinstance(first, Indicator)
    assert first.key == f"{name}:{first.value}"


@pytest.mark.parametrize(("name", "text", "hint"), EXAMPLES, ids=lambda v: str(v)[:40])
def test_specificity_is_a_pure_function_of_the_value(name: str, text: str, hint: Hint) -> None:
    indicator = registry.parse(name, text, hint)
    kind = registry.get(name)
    assert 0.0 <= indicator.specificity <= 1.0
    assert kind.specificity(indicator.value) == indicator.specificity
    assert kind.format(indicator.value) == indicator.display


@pytest.mark.parametrize(("name", "text", "hint"), EXAMPLES, ids=lambda v: str(v)[:40])
def test_validate_accepts_what_normalize_accepts(name: str, text: str, hint: Hint) -> None:
    kind = registry.get(name)
    kind.validate(text, hint)
    assert kind.clean(kind.clean(text, hint), hint) == kind.clean(text, hint)


def test_validate_raises_the_same_reason_as_normalize() -> None:
    with pytest.raises(InvalidIdentifier, match="IMO check digit is 3, expected 9"):
        registry.get("vessel").validate("IMO 9074723")
