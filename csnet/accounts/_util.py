"""Small helpers shared by the accounts modules."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    """A random id: prefix + 20 URL-safe characters (120 bits)."""
    return prefix + secrets.token_urlsafe(15)


def sha256_hex(secret: str) -> str:
    # Bearer secrets carry 256 bits of entropy: a fast hash is enough, a slow KDF buys nothing.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def utc(value: datetime) -> datetime:
    """Aware UTC; SQLite hands back naive datetimes that were stored as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("times passed to accounts functions must be timezone-aware")
    return now.astimezone(UTC)
