"""E-mail addresses, URLs and domain names.

Canonical values
- domain: IDNA (UTS #46, the `idna` package) A-label form, lower case, no trailing dot
  ("xn--mnchen-3ya.de"). Specificity 0.4; 0.05 for the big platforms and hosting services
  (facebook.com, t.me, bit.ly, blogspot.com …), whose bare domain links nothing.
- email: local part and domain lower case. RFC 5321 lets a server treat local parts as
  case-sensitive, but no mail service in use does, and missing "Ali.Khan@" = "ali.khan@" costs
  more than the theoretical false link. Dots and "+tags" are kept: which providers ignore them is
  provider-specific. Specificity 0.8; 0.5 for role addresses (info@, admin@ …).
- url: scheme and host lower case, default port, user info and fragment dropped, tracking
  parameters removed (utm_*, fbclid, gclid, igshid, si …), remaining query sorted, an empty path
  written "/". Specificity 0.6; 0.05 for a platform's home page.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import idna

from csnet.indicators.base import NO_HINT, Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse, words

PLATFORM_DOMAINS = words(
    """
    facebook.com fb.com m.facebook.com instagram.com tiktok.com x.com twitter.com
    youtube.com youtu.be t.me telegram.me telegram.org wa.me whatsapp.com chat.whatsapp.com
    google.com gmail.com goo.gl bit.ly tinyurl.com linktr.ee blogspot.com wordpress.com
    github.io wixsite.com sites.google.com drive.google.com docs.google.com yahoo.com
    hotmail.com outlook.com live.com icloud.com snapchat.com vk.com imo.im viber.com
    signal.me linkedin.com pinterest.com reddit.com
    """
)
_TRACKING = re.compile(
    r"utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|igsh|si|mc_cid|mc_eid|"
    r"_ga|_gl|ref_src|ref_url|s_cid|mibextid|rdid|share_id|_hsenc|_hsmi|__cft__.*|__tn__",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_ROLES = frozenset(
    {"info", "admin", "contact", "support", "office", "sales", "noreply", "no-reply"}
)


def to_domain(text: str) -> str:
    """The canonical A-label form of a host name (InvalidIdentifier with the reason otherwise)."""
    host = text.strip().rstrip(".").lower()
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise refuse(f"not a valid domain name: {exc}") from None
    labels = host.split(".")
    if len(labels) < 2:
        raise refuse(f"domain {text!r} has no top-level domain")
    if len(host) > 253:
        raise refuse("domain is longer than 253 characters")
    bad = next((label for label in labels if not _LABEL.fullmatch(label)), None)
    if bad is not None:
        raise refuse(f"domain label {bad!r} is not letters, digits and inner hyphens (1–63)")
    if labels[-1].isdigit():
        raise refuse("domain has an all-numeric top-level domain (an IP address is not a domain)")
    return host


def _host(text: str) -> str:
    """A URL's host: a domain, or an IP address in its standard form."""
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return to_domain(text)
    return f"[{address}]" if address.version == 6 else str(address)


class Domain(IdentifierKind):
    name = "domain"
    label = "Domain"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        text = super().clean(text)
        if "/" in text:  # a URL given where a domain was asked: keep its host
            text = urlsplit(text if "//" in text else "//" + text).hostname or ""
        return text

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        return to_domain(text), {}

    def format(self, value: str) -> str:
        try:
            return idna.decode(value)
        except idna.IDNAError:
            return value

    def specificity(self, value: str) -> float:
        return 0.05 if value.removeprefix("www.") in PLATFORM_DOMAINS else 0.4


class Email(IdentifierKind):
    name = "email"
    label = "E-mail address"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        return re.sub(r"^mailto:", "", super().clean(text), flags=re.IGNORECASE).strip("<>")

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        local, at, domain = text.rpartition("@")
        if not at or not local:
            raise refuse("an e-mail address is local-part@domain")
        local = local.lower()
        if len(local) > 64 or not _LOCAL.fullmatch(local):
            raise refuse(f"e-mail local part {local!r} is not valid (RFC 5322 dot-atom, ≤ 64)")
        return f"{local}@{to_domain(domain)}", {}

    def specificity(self, value: str) -> float:
        return 0.5 if value.partition("@")[0] in _ROLES else 0.8


class Url(IdentifierKind):
    name = "url"
    label = "URL"

    def clean(self, text: str, hint: Hint = NO_HINT) -> str:
        text = super().clean(text).strip("<>\"'")
        # "host:8080/…" has no scheme; "javascript:…" has one, which canonical() refuses.
        has_scheme = re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)", text)
        return text if has_scheme or not text else "http://" + text

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise refuse(f"URL scheme {scheme!r} is not http, https or ftp")
        if not parts.hostname:
            raise refuse("URL has no host")
        try:
            port = parts.port
        except ValueError:
            raise refuse("URL port is not a number from 0 to 65535") from None
        host = _host(parts.hostname)
        netloc = host if port in {None, _DEFAULT_PORTS[scheme]} else f"{host}:{port}"
        query = sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.fullmatch(k)
        )
        value = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
        return value, {"host": host}

    def specificity(self, value: str) -> float:
        parts = urlsplit(value)
        home = parts.path == "/" and not parts.query
        host = (parts.hostname or "").removeprefix("www.")
        return 0.05 if home and host in PLATFORM_DOMAINS else 0.6


register(Domain())
register(Email())
register(Url())
