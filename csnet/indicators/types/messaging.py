"""Messenger identifiers: WhatsApp (numbers from wa.me links, group invites) and Telegram (handles,
channels, invite links, numeric ids).

Canonical values
- whatsapp: "+<E.164 digits>" for a number ("+923001234567"), "group:<invite code>" for a
  chat.whatsapp.com invite (codes are case-sensitive, kept as written). Specificity 0.9 / 1.0.
- telegram: the handle in lower case without "@" (Telegram usernames are case-insensitive),
  "invite:<code>" for t.me/+… and t.me/joinchat/… links (case-sensitive), "id:<n>" for numeric
  ids (Bot API form: channels and supergroups are "-100…"; t.me/c/<n>/… links map to "-100<n>").
  A t.me/+<digits> link is a phone number and gives its E.164 form.
  Specificity: handle 0.8 (handles are renamed and reused), invite 0.9, id 0.9.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import phonenumbers

from csnet.indicators.base import Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse
from csnet.indicators.types.phone import e164, parse_number

_WA_GROUP = re.compile(
    r"(?:https?://)?chat\.whatsapp\.com/(?:invite/)?([A-Za-z0-9]+)/?", re.IGNORECASE
)
_WA_NUMBER = re.compile(
    r"(?:(?:https?://)?(?:wa\.me|(?:api\.|web\.)?whatsapp\.com/send)|whatsapp://send)[/?]?(.*)",
    re.IGNORECASE,
)
_INVITE_CODE = re.compile(r"[A-Za-z0-9]{20,24}")  # WhatsApp group codes are 22 characters
_TG_HOSTS = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/(.*)", re.IGNORECASE
)
_TG_HANDLE = re.compile(r"[a-z][a-z0-9_]{3,30}[a-z0-9]")  # 5–32 characters, Telegram's rule
_TG_INVITE = re.compile(r"[A-Za-z0-9_-]{10,64}")
_TG_ID = re.compile(r"-?\d{5,20}")
_TG_RESERVED = {"s", "share", "addstickers", "addemoji", "proxy", "socks", "iv", "login"}


class WhatsApp(IdentifierKind):
    name = "whatsapp"
    label = "WhatsApp"

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        group = _WA_GROUP.fullmatch(text) or re.fullmatch(r"group:(\S+)", text)
        if group:
            code = group.group(1)
            if not _INVITE_CODE.fullmatch(code):
                raise refuse(f"WhatsApp invite code has {len(code)} characters, expected 22")
            return f"group:{code}", {"kind": "group"}
        link = _WA_NUMBER.fullmatch(text)
        number_text = _link_number(link.group(1)) if link else text
        number = parse_number(number_text, None if link else hint.country)
        return e164(number), {"kind": "number", "country": _region(number)}

    def specificity(self, value: str) -> float:
        return 1.0 if value.startswith("group:") else 0.9


def _link_number(rest: str) -> str:
    """The number in a wa.me path or a ?phone= parameter: always international, without "+"."""
    query = parse_qs(urlsplit("x:?" + rest.split("?", 1)[-1]).query).get("phone")
    digits = re.sub(r"\D", "", query[0] if query else rest.split("?", 1)[0])
    if not digits:
        raise refuse("WhatsApp link has no phone number")
    return "+" + digits


def _region(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.region_code_for_number(number) or ""


class Telegram(IdentifierKind):
    name = "telegram"
    label = "Telegram"

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        text = re.sub(r"^tg://resolve\?domain=", "", text, flags=re.IGNORECASE)
        link = _TG_HOSTS.fullmatch(text)
        if link:
            return _telegram_path(link.group(1))
        if text.startswith(("invite:", "+")):  # canonical values read back as they are
            return _telegram_path("+" + text.removeprefix("invite:").removeprefix("+"))
        if text.lower().startswith("id:") or _TG_ID.fullmatch(text):
            return _telegram_id(text.removeprefix("id:").removeprefix("ID:"))
        return _telegram_handle(text.removeprefix("@"))

    def specificity(self, value: str) -> float:
        return 0.9 if value.startswith(("invite:", "id:")) else 0.8


def _telegram_path(path: str) -> tuple[str, Mapping[str, str]]:
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if not parts:
        raise refuse("Telegram link names no account, channel or invite")
    head = parts[0]
    if head.startswith("+") or head.lower() == "joinchat":
        code = head[1:] if head.startswith("+") else (parts[1] if len(parts) > 1 else "")
        if code.isdigit():  # t.me/+<digits> is a phone number, not an invite
            return _telegram_phone(code)
        if not _TG_INVITE.fullmatch(code):
            raise refuse("Telegram invite link has no valid invite code")
        return f"invite:{code}", {"kind": "invite"}
    if head.lower() == "c" and len(parts) > 1:
        return _telegram_id(f"-100{parts[1]}")
    if head.lower() in _TG_RESERVED:
        if len(parts) > 1 and head.lower() == "s":
            return _telegram_handle(parts[1])
        raise refuse(f"t.me/{head} links name no account or channel")
    return _telegram_handle(head)


def _telegram_phone(digits: str) -> tuple[str, Mapping[str, str]]:
    number = parse_number("+" + digits, None)
    return e164(number), {"kind": "phone", "country": _region(number)}


def _telegram_id(text: str) -> tuple[str, Mapping[str, str]]:
    if not _TG_ID.fullmatch(text):
        raise refuse("Telegram numeric id must be digits (channels: -100…)")
    kind = "channel" if text.startswith("-100") else ("group" if text.startswith("-") else "user")
    return f"id:{text}", {"kind": kind}


def _telegram_handle(text: str) -> tuple[str, Mapping[str, str]]:
    handle = text.lower()
    if not _TG_HANDLE.fullmatch(handle):
        raise refuse(
            f"Telegram username {text!r} is not valid: 5–32 letters, digits or underscores, "
            "starting with a letter and not ending with an underscore"
        )
    return handle, {"kind": "handle"}


register(WhatsApp())
register(Telegram())
