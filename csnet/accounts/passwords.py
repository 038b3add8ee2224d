"""Password rules and argon2id hashing (argon2-cffi's RFC 9106 low-memory profile by default).

Every caller passes the `PasswordHasher` its Node holds: production_hasher() everywhere, a cheap
one in tests. A stored hash made with other parameters is upgraded on the next successful login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from csnet.errors import BadInput

MIN_LENGTH = 12
MAX_LENGTH = 1024  # bounds the work an attacker can make the hasher do per attempt


def check_password_rules(password: str) -> None:
    """Length rules only (NIST SP 800-63B): no composition rules, no forced rotation."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise BadInput(
            f"password must be at least {MIN_LENGTH} characters", details={"password": "too_short"}
        )
    if len(password) > MAX_LENGTH:
        raise BadInput(
            f"password must be at most {MAX_LENGTH} characters", details={"password": "too_long"}
        )


def hash_password(password: str, hasher: PasswordHasher) -> str:
    check_password_rules(password)
    return hasher.hash(password)


def verify_password(stored: str, password: str, hasher: PasswordHasher) -> bool:
    """True when `password` matches; never raises for a wrong password or a damaged hash."""
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, hasher: PasswordHasher) -> bool:
    return hasher.check_needs_rehash(stored)


def burn_time(password: str, hasher: PasswordHasher) -> None:
    """Spend what a verification costs, so unknown usernames answer as slowly as known ones."""
    hasher.hash(password[:MAX_LENGTH] or "-")
