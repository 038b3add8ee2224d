"""TOTP second factor (RFC 6238: SHA-1, 30 s, 6 digits), one step of clock drift either way.

A code is accepted only for a time step later than the last one used, so an observed code cannot
be replayed within its validity window (RFC 6238 §5.2).
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
from itsdangerous import BadSignature, URLSafeTimedSerializer

from csnet.accounts._util import require_aware

INTERVAL = 30
DIGITS = 6
VALID_WINDOW = 1


def new_secret() -> str:
    """160 random bits, base32 (32 characters), as authenticator apps expect."""
    return str(pyotp.random_base32())


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI to show as a QR code when enrolling."""
    return str(
        pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
            name=username, issuer_name=issuer
        )
    )


def time_step(now: datetime) -> int:
    return int(require_aware(now).timestamp()) // INTERVAL


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator shows at `now` (for enrolment checks, demos and tests)."""
    return str(pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(time_step(now)))


def match_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, or None if it is wrong, too old or already used."""
    if not isinstance(code, str):
        return None
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    otp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = time_step(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue  # replay of a used code, or an older one
        if hmac.compare_digest(str(otp.generate_otp(step)), code):
            return step
    return None


PENDING_SALT = "csnet.totp-enrol"  # separates these signatures from session cookies
PENDING_SECONDS = 600


def seal_pending(key: str | bytes, member_id: str, secret: str) -> str:
    """A new secret waiting for its first code, signed and bound to the member (for a form)."""
    return str(URLSafeTimedSerializer(key, salt=PENDING_SALT).dumps([member_id, secret]))


def open_pending(key: str | bytes, sealed: str, member_id: str) -> str | None:
    """The pending secret, if `sealed` is genuine, this member's and under ten minutes old."""
    try:
        value = URLSafeTimedSerializer(key, salt=PENDING_SALT).loads(
            sealed, max_age=PENDING_SECONDS
        )
    except BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 2 or value[0] != member_id:
        return None
    return value[1] if isinstance(value[1], str) else None
