"""The password hasher a Node carries (as it carries its clock): a module of its own, beneath both
the node and the accounts that use it."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY


def production_hasher() -> PasswordHasher:
    """argon2id with RFC 9106's low-memory profile (t=3, m=64 MiB, p=4): argon2-cffi's default."""
    return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
