"""The one registry of identifier types: each type registers once, by name.

The types live in `csnet.indicators.types` and register themselves on import; `get`, `types` and
`parse` import that package on first use, so callers need only this module (and the types'
modules can import `register` from here without an import cycle).
"""

from __future__ import annotations

import importlib
from functools import cache

from csnet.errors import BadInput
from csnet.indicators.base import NO_HINT, Hint, IdentifierType, Indicator

_TYPES: dict[str, IdentifierType] = {}


def register(kind: IdentifierType) -> IdentifierType:
    if kind.name in _TYPES:
        raise ValueError(f"identifier type {kind.name!r} is registered twice")
    _TYPES[kind.name] = kind
    return kind


@cache  # why: importing once is enough, and extraction asks once per candidate
def _load() -> None:
    # Importing the package runs each type module's register() once (Python caches modules).
    importlib.import_module("csnet.indicators.types")


def get(name: str) -> IdentifierType:
    _load()
    try:
        return _TYPES[name]
    except KeyError:
        known = ", ".join(sorted(_TYPES))
        raise BadInput(f"unknown identifier type {name!r}; known: {known}") from None


def types() -> list[IdentifierType]:
    _load()
    return [_TYPES[name] for name in sorted(_TYPES)]


def parse(name: str, text: str, hint: Hint = NO_HINT) -> Indicator:
    """The canonical indicator for `text` read as type `name` (InvalidIdentifier if it is not)."""
    return get(name).normalize(text, hint)
