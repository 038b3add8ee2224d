"""The identifier types. Importing this package registers every one of them once
(`csnet.indicators.registry` does so on first use)."""

from csnet.indicators.types import (
    documents,
    iban,
    messaging,
    phone,
    plates,
    social,
    vessels,
    wallets,
    web,
)

__all__ = [
    "documents",
    "iban",
    "messaging",
    "phone",
    "plates",
    "social",
    "vessels",
    "wallets",
    "web",
]
