"""Verifying many items at once, across processes when the batch is worth it.

Key lookups usually touch a database, so they stay in the calling process: origins are read off
the raw items up front, their keys travel to the workers, and any item whose origin was missed is
finished here with the caller's own lookup. Results always come back in input order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias, TypeVar

from csnet.errors import CsnetError
from csnet.items.envelope import Envelope
from csnet.items.keys import KeyHistory
from csnet.items.kinds import validate_draft
from csnet.items.limits import MAX_ITEM_BYTES, Raw
from csnet.items.pools import WorkerPool
from csnet.items.signing import (
    KeyLookup,
    check_signature_only,
    verify_envelope,
    verify_signed,
)

_T = TypeVar("_T")
PARALLEL_MIN = 256  # below this, starting work in other processes costs more than it saves
_CHUNKS_PER_WORKER = 4
_ORIGINS_PER_ITEM = 4
_ORIGIN = re.compile(rb'"origin"\s*:\s*"(csn[a-z2-7]{24})"')


@dataclass(frozen=True)
class BatchResult:
    """`envelopes[i]` is item i verified, or None; `failures[i]` says why item i was refused."""

    envelopes: tuple[Envelope | None, ...]
    failures: Mapping[int, CsnetError]

    @property
    def ok(self) -> bool:
        return not self.failures

    def verified(self) -> list[Envelope]:
        return [env for env in self.envelopes if env is not None]


def verify_many(
    raws: Sequence[Raw], public_key_for: KeyLookup, pool: WorkerPool | None = None
) -> BatchResult:
    """verify_envelope for each item; in the `pool`'s workers for batches >= PARALLEL_MIN
    (without a pool, in this process)."""
    items = list(raws)
    if _spread(pool, items):
        outcomes = _parallel(items, public_key_for, pool)
    else:
        outcomes = [_outcome(raw, public_key_for) for raw in items]
    envelopes = tuple(o if isinstance(o, Envelope) else None for o in outcomes)
    failures = {i: o for i, o in enumerate(outcomes) if isinstance(o, CsnetError)}
    return BatchResult(envelopes, failures)


def _spread(pool: WorkerPool | None, items: list[Raw]) -> bool:
    return pool is not None and pool.workers > 1 and len(items) >= PARALLEL_MIN


def check_signatures(
    raws: Sequence[Raw], public_key_for: KeyLookup, pool: WorkerPool | None = None
) -> list[CsnetError | None]:
    """Only ids and signatures, in the `pool`'s workers: None where item i is authentic.

    The cheap first gate for a large batch (catch-up after days offline): the models are then
    built only for items that passed.
    """
    items = list(raws)

    def here(raw: Raw) -> CsnetError | None:
        return _signature_outcome(raw, public_key_for)

    if not _spread(pool, items):
        return [here(raw) for raw in items]
    flat = _in_workers(items, public_key_for, pool, _check_chunk)
    if flat is None:
        return [here(raw) for raw in items]
    return [
        here(raw) if outcome is False else _revived(outcome)
        for outcome, raw in zip(flat, items, strict=True)
    ]


def _in_workers(
    items: list[Raw],
    public_key_for: KeyLookup,
    pool: WorkerPool | None,
    chunk: Callable[..., list[_T]],
) -> list[_T] | None:
    """`chunk(items[a:b], keys)` in the worker processes, results in input order; None if the
    pool could not do it (the caller then redoes the batch here)."""
    if pool is None:
        return None
    keys = {origin: public_key_for(origin) for origin in _origins(items)}
    bounds = _chunk_bounds(len(items), pool.workers * _CHUNKS_PER_WORKER)
    results = pool.run_each(chunk, [(items[a:b], keys) for a, b in bounds])
    return None if results is None else [outcome for part in results for outcome in part]


class Checked(NamedTuple):
    """An item whose id and signature verified: its canonical bytes (what is stored and sent
    on) and, if its body failed its kind's schema, why (judged after audience and markings)."""

    data: bytes
    body_error: CsnetError | None


def verify_to_bytes(
    raws: Sequence[Raw], public_key_for: KeyLookup, pool: WorkerPool | None = None
) -> list[Checked | CsnetError]:
    """Verify each item (limits, id, signature, shape, then body), in the `pool`'s workers for
    batches >= PARALLEL_MIN (without a pool, in this process).

    For receipt of large batches: the parent rebuilds each model once from bytes known to be
    valid (`Envelope.from_signed_bytes`) instead of parsing and re-serialising it.
    """
    items = list(raws)
    if not _spread(pool, items):
        return [_checked(raw, public_key_for) for raw in items]
    flat = _in_workers(items, public_key_for, pool, _checked_chunk)
    if flat is None:
        return [_checked(raw, public_key_for) for raw in items]
    return [
        _checked(raw, public_key_for) if outcome is None else _checked_revived(outcome)
        for outcome, raw in zip(flat, items, strict=True)
    ]


def _checked(raw: Raw, public_key_for: KeyLookup) -> Checked | CsnetError:
    try:
        envelope = verify_signed(raw, public_key_for)
    except CsnetError as exc:
        return exc
    try:
        validate_draft(envelope)
    except CsnetError as exc:
        return Checked(envelope.to_bytes(), exc)
    return Checked(envelope.to_bytes(), None)


def _checked_chunk(raws: list[Raw], keys: KeyTable) -> list[_Pickled]:
    """Runs in a worker process; None: the origin's key must come from the parent."""
    table = _KeyTable(keys)
    out: list[_Pickled] = []
    for raw in raws:
        try:
            outcome = _checked(raw, table.lookup)
        except _NeedsKey:
            out.append(None)
            continue
        if isinstance(outcome, CsnetError):
            out.append(_Failure.of(outcome))
        else:
            error = outcome.body_error
            out.append((outcome.data, None if error is None else _Failure.of(error)))
    return out


def _checked_revived(outcome: _Pickled) -> Checked | CsnetError:
    if isinstance(outcome, _Failure):
        return outcome.revive()
    assert outcome is not None  # why: None outcomes are redone in the parent before this
    data, error = outcome
    return Checked(data, None if error is None else error.revive())


def _revived(outcome: _Failure | bool | None) -> CsnetError | None:
    return outcome.revive() if isinstance(outcome, _Failure) else None


def _signature_outcome(raw: Raw, public_key_for: KeyLookup) -> CsnetError | None:
    try:
        check_signature_only(raw, public_key_for)
    except CsnetError as exc:
        return exc
    return None


def _check_chunk(raws: list[Raw], keys: KeyTable) -> list[_Failure | bool | None]:
    """Runs in a worker process; False: the origin's key must come from the parent."""
    table = _KeyTable(keys)
    out: list[_Failure | bool | None] = []
    for raw in raws:
        try:
            check_signature_only(raw, table.lookup)
            out.append(None)
        except _NeedsKey:
            out.append(False)
        except CsnetError as exc:
            out.append(_Failure(type(exc), exc.message, exc.error_code, exc.details))
    return out


def _outcome(raw: Raw, public_key_for: KeyLookup) -> Envelope | CsnetError:
    try:
        return verify_envelope(raw, public_key_for)
    except CsnetError as exc:
        return exc


class _Failure(NamedTuple):
    """A CsnetError in picklable form (its keyword-only code/details do not survive pickling)."""

    kind: type[CsnetError]
    message: str
    code: str
    details: dict[str, Any]

    @classmethod
    def of(cls, exc: CsnetError) -> _Failure:
        return cls(type(exc), exc.message, exc.error_code, exc.details)

    def revive(self) -> CsnetError:
        return self.kind(self.message, code=self.code, details=self.details)


# A worker's answer for one item: (bytes, body failure), a failure, or None (key needed).
_Pickled: TypeAlias = tuple[bytes, _Failure | None] | _Failure | None


class _NeedsKey(Exception):
    """The worker was not given this origin's key; the parent finishes the item."""


KeyTable = Mapping[str, bytes | KeyHistory | None]


class _KeyTable:
    def __init__(self, keys: KeyTable) -> None:
        self.keys = keys

    def lookup(self, origin: str) -> bytes | KeyHistory | None:
        if origin not in self.keys:
            raise _NeedsKey(origin)
        return self.keys[origin]


# Verified items come back as wire dicts: pickling those and re-validating them here costs a
# third of pickling pydantic models, and to_wire() round-trips exactly.
_Outcome = dict[str, Any] | _Failure | None  # None: origin key needed from the parent


def _verify_chunk(raws: list[Raw], keys: KeyTable) -> list[_Outcome]:
    """Runs in a worker process."""
    table = _KeyTable(keys)
    out: list[_Outcome] = []
    for raw in raws:
        try:
            out.append(verify_envelope(raw, table.lookup).to_wire())
        except _NeedsKey:
            out.append(None)
        except CsnetError as exc:
            out.append(_Failure(type(exc), exc.message, exc.error_code, exc.details))
    return out


def _parallel(items: list[Raw], public_key_for: KeyLookup, pool: WorkerPool | None) -> list[Any]:
    flat = _in_workers(items, public_key_for, pool, _verify_chunk)
    if flat is None:
        return [_outcome(raw, public_key_for) for raw in items]
    return [_finish(outcome, raw, public_key_for) for outcome, raw in zip(flat, items, strict=True)]


def _finish(outcome: _Outcome, raw: Raw, public_key_for: KeyLookup) -> Envelope | CsnetError:
    if outcome is None:
        return _outcome(raw, public_key_for)
    if isinstance(outcome, _Failure):
        return outcome.revive()
    return Envelope.from_wire(outcome)


def _origins(items: list[Raw]) -> set[str]:
    """Origins named by the items, read cheaply; a miss only costs a lookup in the parent later."""
    found: set[str] = set()
    for raw in items:
        if isinstance(raw, dict):
            origin = raw.get("origin")
            found.update([origin] if isinstance(origin, str) else [])
        elif isinstance(raw, bytes | str) and len(raw) <= MAX_ITEM_BYTES:
            data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
            # why: the top-level origin is the last one in canonical bytes; cheap to find
            at = data.rfind(b'"origin":"csn')
            if at >= 0 and data[at + 34 : at + 35] == b'"':
                found.add(data[at + 10 : at + 34].decode("ascii", "replace"))
            else:
                matches = _ORIGIN.findall(data)[:_ORIGINS_PER_ITEM]
                found.update(m.decode("ascii") for m in matches)
    return found


def _chunk_bounds(total: int, chunks: int) -> list[tuple[int, int]]:
    size = -(-total // chunks)
    return [(start, min(start + size, total)) for start in range(0, total, size)]
