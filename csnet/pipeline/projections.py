"""The registry of projections: what storing an item means beyond its own rows.

A projection is one registration: a name, its place in the order and a function that writes its
rows in the pipeline's transaction and may return events to announce after the commit. It
projects every kind, or (`every_kind=False`) only the kinds that name it when they are
registered (csnet/items/kinds.py, `projections=`); the pipeline refuses to store an item whose
kind names a projection nobody registered, so a missing one fails loudly.

The modules that register projections are listed in PROVIDERS and imported on first use, so
whichever entry point stores an item (web, CLI, a test) applies all of them.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from csnet.bus import Event
from csnet.items.envelope import Envelope
from csnet.items.kinds import KIND_PROJECTIONS
from csnet.pipeline.source import Source

if TYPE_CHECKING:
    from csnet.node import Node

# why: imported by name so that the core never imports the domain packages that extend it
PROVIDERS = (
    "csnet.pipeline.audit_projection",
    "csnet.federation.projections",
    "csnet.correlation.projections",
    "csnet.feed.projection",
)


@dataclass(frozen=True)
class Applying:
    """What a projection is given: the batch's newly stored items (those of its kinds)."""

    node: Node
    conn: Connection
    source: Source
    stored: Sequence[Envelope]
    erased: Sequence[Envelope]  # accepted, but erased on arrival by a tombstone held already


ProjectFn = Callable[[Applying], Sequence[Event] | None]


@dataclass(frozen=True)
class Projection:
    name: str
    order: int  # lower first; groups before the outbox resolves them, the audit near the end
    apply: ProjectFn
    every_kind: bool = True  # else only the kinds that name it (csnet/items/kinds.py)

    def wants(self, kind: str) -> bool:
        return self.every_kind or self.name in KIND_PROJECTIONS.get(kind, ())


_registry: dict[str, Projection] = {}
_providers_loaded = threading.Event()
_lock = threading.Lock()


def register(projection: Projection) -> Projection:
    """Add a projection; the same name twice is a programming error."""
    held = _registry.get(projection.name)
    if held is not None and held is not projection:
        raise ValueError(f"projection {projection.name!r} is already registered")
    _registry[projection.name] = projection
    return projection


def projection(
    name: str, order: int, *, every_kind: bool = True
) -> Callable[[ProjectFn], ProjectFn]:
    """Decorator form of `register`."""

    def wrap(fn: ProjectFn) -> ProjectFn:
        register(Projection(name, order, fn, every_kind))
        return fn

    return wrap


@contextmanager
def registered(extra: Projection) -> Iterator[Projection]:
    """A projection registered for a while (tests: a new projection applies everywhere)."""
    ordered()  # the providers first, so removing `extra` leaves them in place
    register(extra)
    try:
        yield extra
    finally:
        _registry.pop(extra.name, None)


def ordered() -> list[Projection]:
    """Every registered projection, in order, after importing the providers once."""
    if not _providers_loaded.is_set():
        with _lock:
            for module in PROVIDERS:
                importlib.import_module(module)
            _providers_loaded.set()
    return sorted(_registry.values(), key=lambda p: (p.order, p.name))


def check_kinds(envelopes: Sequence[Envelope]) -> None:
    """Every projection the items' kinds name is registered."""
    ordered()  # why: the providers first: a process's first item may be a group's (csnet group)
    for env in envelopes:
        for name in KIND_PROJECTIONS.get(env.kind, ()):
            if name not in _registry:
                raise LookupError(f"kind {env.kind!r} needs projection {name!r}: not registered")
