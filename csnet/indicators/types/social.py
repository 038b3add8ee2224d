"""Social-media accounts from profile URLs (or "platform:handle"): Facebook, TikTok, Instagram,
X (Twitter) and YouTube.

Canonical value: "<platform>:<handle>", lower case where the platform ignores case (all of these
for handles). Special forms: "facebook:id:<n>" (profile.php?id=), "facebook:group:<name or id>",
"youtube:@<handle>", "youtube:channel:<UC…>" (channel ids are case-sensitive), "youtube:user:<n>"
and "youtube:c:<n>" (legacy names). Links to a post keep only the account they belong to.
Specificity 0.8 (accounts are renamed, and a handle is reused after deletion); numeric
Facebook ids and YouTube channel ids, which never change, 0.9.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from csnet.indicators.base import Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse, words

_HOSTS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "m.facebook.com": "facebook",
    "web.facebook.com": "facebook",
    "mbasic.facebook.com": "facebook",
    "tiktok.com": "tiktok",
    "m.tiktok.com": "tiktok",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "x.com": "x",
    "twitter.com": "x",
    "mobile.twitter.com": "x",
    "mobile.x.com": "x",
    "youtube.com": "youtube",
    "m.youtube.com": "youtube",
}
# Short links hide the account until they are opened, which is I/O this module does not do.
_SHORT = words("vm.tiktok.com vt.tiktok.com fb.me on.fb.me t.co youtu.be")
_ALIASES = {"fb": "facebook", "ig": "instagram", "twitter": "x", "yt": "youtube"}
_NAME = re.compile(r"[a-z0-9._-]{1,100}")
_HANDLES = {
    "facebook": re.compile(r"[a-z0-9.]{5,50}"),
    "instagram": re.compile(r"[a-z0-9._]{1,30}"),
    "tiktok": re.compile(r"[a-z0-9._]{2,24}"),
    "x": re.compile(r"[a-z0-9_]{1,15}"),
    "youtube": re.compile(r"@[a-z0-9._-]{3,30}"),
}
# First path segments that are pages of the platform, not accounts.
_RESERVED = words(
    """
    p reel reels explore stories tv watch home search i intent hashtag share sharer login
    events marketplace pages story.php photo.php permalink.php settings tag discover music
    shorts results
    """
)


def _segments(text: str) -> tuple[str, list[str], dict[str, list[str]]]:
    parts = urlsplit(text if "//" in text else "//" + text)
    host = (parts.hostname or "").removeprefix("www.")
    if host in _SHORT:
        raise refuse(f"{host} is a short link: open it and give the account it leads to")
    if host not in _HOSTS:
        raise refuse(f"{host or text!r} is not a Facebook, TikTok, Instagram, X or YouTube link")
    return _HOSTS[host], [s for s in parts.path.split("/") if s], parse_qs(parts.query)


def _facebook(path: list[str], query: dict[str, list[str]]) -> str:
    if path and path[0] == "profile.php" and query.get("id", [""])[0].isdigit():
        return "id:" + query["id"][0]
    if path and path[0] == "profile.php":
        raise refuse("Facebook profile id must be digits")
    if len(path) > 1 and path[0] == "groups":
        return "group:" + _check("facebook group", path[1].lower(), _NAME)
    if len(path) > 1 and path[0] == "people":  # facebook.com/people/<name>/<id>
        return "id:" + path[-1] if path[-1].isdigit() else _bad("facebook")
    return _first(path)


def _youtube(path: list[str], query: dict[str, list[str]]) -> str:
    if path and path[0].startswith("@"):
        return path[0].lower()
    if len(path) > 1 and path[0] == "channel":
        if not re.fullmatch(r"UC[A-Za-z0-9_-]{22}", path[1]):
            raise refuse("YouTube channel id is UC followed by 22 characters")
        return "channel:" + path[1]
    if len(path) > 1 and path[0] in {"user", "c"}:
        return f"{path[0]}:" + _check("YouTube name", path[1].lower(), _NAME)
    return _bad("youtube")


def _first(path: list[str]) -> str:
    if not path or path[0].lower() in _RESERVED:
        raise refuse("link is to a post or page of the platform, not to an account")
    return path[0].lower()


def _check(what: str, value: str, pattern: re.Pattern[str]) -> str:
    if not pattern.fullmatch(value):
        raise refuse(f"{what} {value!r} is not valid")
    return value


def _bad(platform: str) -> str:
    raise refuse(f"{platform} link names no account")


_READERS: dict[str, Callable[[list[str], dict[str, list[str]]], str]] = {
    "facebook": _facebook,
    "youtube": _youtube,
    "tiktok": lambda path, _q: _first(path).removeprefix("@"),
    "instagram": lambda path, _q: _first(path),
    "x": lambda path, _q: _first(path).removeprefix("@"),
}


def _written(platform: str, handle: str) -> str:
    """A handle written as "platform:handle" (canonical values included): the special forms go
    through the same readers as the links they come from."""
    kind, colon, ident = handle.partition(":")
    if platform == "facebook" and colon and kind == "id":
        return _facebook(["profile.php"], {"id": [ident]})
    if platform == "facebook" and colon and kind == "group":
        return _facebook(["groups", ident], {})
    if platform == "youtube" and colon:
        return _youtube([kind, ident], {})
    if platform == "youtube":
        return "@" + handle.removeprefix("@").lower()
    return handle.lower()


def _validate(platform: str, handle: str) -> str:
    if ":" in handle:  # the special forms were checked where they were read
        return handle
    return _check(f"{platform} account", handle, _HANDLES[platform])


class Social(IdentifierKind):
    name = "social"
    label = "Social-media account"

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        prefix = re.fullmatch(r"([A-Za-z]+):@?([^/]+)", text)
        if prefix:
            platform = _ALIASES.get(prefix.group(1).lower(), prefix.group(1).lower())
            if platform not in _HANDLES:
                raise refuse(f"unknown platform {platform!r}; known: {', '.join(sorted(_HANDLES))}")
            handle = _written(platform, prefix.group(2))
        else:
            platform, path, query = _segments(text)
            handle = _READERS[platform](path, query)
        return f"{platform}:{_validate(platform, handle)}", {"platform": platform}

    def specificity(self, value: str) -> float:
        special = value.startswith(("facebook:id:", "youtube:channel:"))
        return 0.9 if special else 0.8


register(Social())
