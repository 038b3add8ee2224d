"""Links, e-mail addresses, @handles and bare domains in the working copy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from csnet.indicators.finders.base import STOP, Candidate, Reading, single

# Hosts that recruiters post without a scheme ("wa.me/92300…", "t.me/+AbC…").
BARE_HOSTS = (
    r"wa\.me|(?:chat|api)\.whatsapp\.com|t\.me|telegram\.(?:me|dog)|"
    r"(?:m\.|web\.)?facebook\.com|fb\.(?:com|me)|instagram\.com|(?:vm\.)?tiktok\.com|"
    r"x\.com|twitter\.com|(?:m\.)?youtube\.com|youtu\.be"
)
# The letters a link can start with (http, www. and the bare hosts): Python's re has no prefix
# scan for a case-insensitive alternation, so this gate spares trying every host at every position.
LINK_FIRST_LETTERS = "acfhimtvwxy"
LINK = re.compile(
    rf"(?=(?i:[{LINK_FIRST_LETTERS}]))"
    rf"(?:\b(?i:https?)://|(?<![\w.@/-])(?i:www\.|(?:{BARE_HOSTS})/))[^{STOP}]+",
)
EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])"
)
# Instagram and TikTok handles may hold dots; a dot that ends the sentence is not part of one.
HANDLE = re.compile(
    r"(?<![\w.@/])@([A-Za-z][A-Za-z0-9_]{0,31}(?:\.[A-Za-z0-9_]+)*)(?![A-Za-z0-9_@])"
)
# The lookahead (a dot ends the word's first label) spares the backtracking on every plain word.
DOMAIN = re.compile(
    r"(?<![\w.@/-])(?=[A-Za-z0-9-]*\.)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
    r"(?![\w@-]|\.\w)"
)
TRAILING = ".,;:!?*"
PAIRS = {")": "(", "]": "["}

# Link host -> the identifier type that says more than "a URL" (then "url" as a fallback).
HOST_TYPES = {
    "wa.me": "whatsapp",
    "chat.whatsapp.com": "whatsapp",
    "api.whatsapp.com": "whatsapp",
    "whatsapp.com": "whatsapp",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    **dict.fromkeys(
        (
            "facebook.com",
            "fb.com",
            "fb.me",
            "instagram.com",
            "tiktok.com",
            "vm.tiktok.com",
            "x.com",
            "twitter.com",
            "youtube.com",
            "youtu.be",
        ),
        "social",
    ),
}
HOST_PREFIXES = ("www.", "m.", "web.", "mobile.")

# Words near an @handle naming the platform it is on; a bare @handle is Telegram's, the habit
# of the recruitment channels this network sees. Several scripts write each name.
PLATFORM_WORDS: dict[str, tuple[str, ...]] = {
    "telegram": ("telegram", "تلگرام", "ٹیلیگرام", "ٹیلی گرام", "تيليجرام", "تلغرام", "تيليغرام"),
    "instagram": ("instagram", "insta", "اینستاگرام", "انستغرام", "انستقرام", "انسٹاگرام"),
    "tiktok": ("tiktok", "tik tok", "تیک تاک", "تيك توك", "ٹک ٹاک"),
    "x": ("twitter", "تويتر", "توییتر"),
}
CONTEXT_CHARS = 40


def find(text: str) -> Iterator[Candidate]:
    yield from _links(text)
    yield from _emails(text)
    yield from _handles(text)
    yield from _domains(text)


def trim_link(link: str) -> str:
    """The link without the punctuation of the sentence around it; a closing bracket stays
    when the link opened one (Wikipedia-style paths)."""
    while link:
        last = link[-1]
        if last in TRAILING or (last in PAIRS and link.count(PAIRS[last]) < link.count(last)):
            link = link[:-1]
        else:
            break
    return link


def link_host(link: str) -> str:
    """The host, lower case, without www./m. prefixes ('' when there is none)."""
    with_scheme = link if "://" in link else "https://" + link
    try:
        host = (urlsplit(with_scheme).hostname or "").lower()
    except ValueError:  # an unbalanced IPv6 bracket, say
        return ""
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host


def link_readings(link: str) -> list[tuple[str, str]]:
    """(type, value) pairs to try: a platform's own type first, on the link as written and
    then without its query (a messenger invite or profile lives in the path; "?fbclid=…"
    is tracking), and plain "url" last."""
    kind = HOST_TYPES.get(link_host(link))
    if kind is None:
        return [("url", link)]
    bare = re.split(r"[?#]", link, maxsplit=1)[0]
    return [(kind, link), *([(kind, bare)] if bare != link else []), ("url", link)]


def _links(text: str) -> Iterator[Candidate]:
    for match in LINK.finditer(text):
        link = trim_link(match.group())
        start, end = match.start(), match.start() + len(link)
        if "." not in link:
            continue
        readings = [Reading(kind, value, start, end) for kind, value in link_readings(link)]
        yield Candidate(tuple(readings), strong=True)


def _emails(text: str) -> Iterator[Candidate]:
    if "@" not in text:  # why: a scan for nothing
        return
    for match in EMAIL.finditer(text):
        yield single("email", match.group(), match.start(), match.end(), strong=True)


def handle_platform(text: str, at: int) -> str:
    """The platform named nearest before position `at` on the same line ('telegram' if none)."""
    line_start = text.rfind("\n", 0, at) + 1
    before = text[max(line_start, at - CONTEXT_CHARS) : at].lower()
    best, best_at = "telegram", -1
    for platform, words in PLATFORM_WORDS.items():
        seen = max(before.rfind(word) for word in words)
        if seen > best_at:
            best, best_at = platform, seen
    return best


def _handles(text: str) -> Iterator[Candidate]:
    if "@" not in text:  # why: a scan for nothing
        return
    for match in HANDLE.finditer(text):
        platform, start, end = handle_platform(text, match.start()), match.start(), match.end()
        if platform == "telegram":
            yield single("telegram", match.group(), start, end, strong=False)
        else:  # the social type reads "platform:handle"
            yield single("social", f"{platform}:{match.group(1)}", start, end, strong=False)


def _domains(text: str) -> Iterator[Candidate]:
    # Weak: "file.txt" is shaped like a domain too; the domain type's list of suffixes decides.
    for match in DOMAIN.finditer(text):
        yield single("domain", match.group(), match.start(), match.end(), strong=False)
