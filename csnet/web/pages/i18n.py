"""Languages of the web app: which one a request gets, its catalogue, its direction and its
localised dates and numbers. Catalogues are gettext .po files compiled when first used; user
content is never translated."""

from __future__ import annotations

import io
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"
LANG_COOKIE = "csnet_lang"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switcher shows it
    rtl: bool


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", rtl=False),
        Language("ur", "اردو", rtl=True),
        Language("ar", "العربية", rtl=True),
        Language("fr", "Français", rtl=False),
        Language("el", "Ελληνικά", rtl=False),
    )
}

_current: ContextVar[NullTranslations] = ContextVar("csnet_translations")


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalogue of a language (English is the source text itself)."""
    po_path = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == DEFAULT or not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def known(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an Accept-Language header, by its q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        code = known(tag)
        if code is not None and weight > 0:
            ranked.append((-weight, position, code))
    return min(ranked)[2] if ranked else None


def choose(query: str | None, cookie: str | None, account: str | None, accept: str | None) -> str:
    """`?lang=` wins, then the remembered switch, then the account's language, then the browser."""
    for candidate in (known(query), known(cookie), known(account), from_accept_language(accept)):
        if candidate is not None:
            return candidate
    return DEFAULT


def activate(code: str) -> None:
    _current.set(translations(code))


def gettext(message: str) -> str:
    return _current.get(NullTranslations()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _current.get(NullTranslations()).ngettext(singular, plural, count)


def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def format_datetime(value: datetime, code: str, style: str = "medium") -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return dates.format_datetime(moment, style, tzinfo=UTC, locale=_babel_locale(code)) + " UTC"


def format_date(value: datetime, code: str) -> str:
    return dates.format_date(value, "medium", locale=_babel_locale(code))


def format_ago(value: datetime, now: datetime, code: str) -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return dates.format_timedelta(
        moment - now, add_direction=True, threshold=1.1, locale=_babel_locale(code)
    )


def format_number(value: int | float, code: str) -> str:
    return numbers.format_decimal(value, locale=_babel_locale(code))
