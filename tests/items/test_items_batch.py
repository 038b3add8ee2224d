"""verify_many: input order kept, failures by index, parallel and serial paths agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from csnet.errors import CsnetError, IntegrityFailure, TooLarge
from csnet.items.batch import (
    BatchResult,
    Checked,
    verify_many,
    verify_to_bytes,
)
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.keys import NodeKey
from csnet.items.limits import MAX_ITEM_BYTES, Raw
from csnet.items.pools import WorkerPool
from csnet.items.signing import KeyLookup, seal

CREATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(2)
    yield workers
    workers.close()


class _Unchecked(BaseModel):
    """Stands in for a validated body, so a test can seal a body its kind would refuse."""


def _batch(draft: ItemDraft, key: NodeKey, other_key: NodeKey) -> tuple[list[Raw], dict[int, str]]:
    """600 items, every 7th broken in one of several ways; returns the expected failure codes."""
    raws: list[Raw] = []
    bad: dict[int, str] = {}
    for i in range(600):
        signer = other_key if i % 2 else key
        env = seal(draft, signer, origin=signer.node_id, seq=i + 1, created=CREATED)
        raw: Raw = env.to_bytes()
        if i % 7 == 3:
            raw, bad[i] = env.to_bytes().replace(b"about 40", b"about 50"), "bad_hash"
        elif i % 7 == 5:
            raw, bad[i] = b"{" * 10, "malformed"
        elif i % 35 == 6:
            raw, bad[i] = b" " * (MAX_ITEM_BYTES + 1), "item_too_large"
        elif i % 11 == 0:
            raw = json.loads(env.to_bytes())  # dict form is fine too
        elif i % 13 == 0:
            raw = env.to_bytes().decode()
        elif i % 17 == 0:  # origin spelled with an escape: missed by the prefetch, still found
            raw = env.to_bytes().replace(b'"origin":', b'"\\u006frigin":')
        raws.append(raw)
    return raws, bad


def _check(result: BatchResult, raws: list[Raw], bad: dict[int, str], lookup: KeyLookup) -> None:
    assert len(result.envelopes) == len(raws)
    assert {i: e.error_code for i, e in result.failures.items()} == bad
    for i, env in enumerate(result.envelopes):
        assert (env is None) == (i in bad)
        if env is not None:
            assert env.seq == i + 1
    assert len(result.verified()) == len(raws) - len(bad)
    assert not result.ok


def test_serial_batch(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey, lookup: KeyLookup
) -> None:
    raws, bad = _batch(draft, key, other_key)
    _check(verify_many(raws, lookup), raws, bad, lookup)


def test_parallel_batch_matches_serial(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey, lookup: KeyLookup, pool: WorkerPool
) -> None:
    raws, bad = _batch(draft, key, other_key)
    parallel = verify_many(raws, lookup, pool)
    _check(parallel, raws, bad, lookup)
    serial = verify_many(raws, lookup)
    assert parallel.envelopes == serial.envelopes
    assert isinstance(parallel.failures[3], IntegrityFailure)
    assert isinstance(parallel.failures[6], TooLarge)


def test_parallel_unknown_origins_are_reported(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey, pool: WorkerPool
) -> None:
    raws, _ = _batch(draft, key, other_key)
    calls: list[str] = []

    def only_key(origin: str) -> bytes | None:
        calls.append(origin)
        return key.public_key if origin == key.node_id else None

    result = verify_many(raws, only_key, pool)
    codes = {e.error_code for e in result.failures.values()}
    assert "unknown_origin" in codes
    assert all(isinstance(e, Envelope) and e.origin == key.node_id for e in result.verified())
    assert len(calls) < 100  # looked up per origin, not per item


def test_small_and_empty_batches(sealed: Envelope, lookup: KeyLookup) -> None:
    assert verify_many([], lookup).envelopes == ()
    result = verify_many([sealed.to_bytes(), b"nope"], lookup)
    assert result.envelopes[0] == sealed
    assert result.envelopes[1] is None
    assert result.failures[1].error_code == "malformed"


def test_batch_result_when_all_pass(sealed: Envelope, lookup: KeyLookup) -> None:
    result: Any = verify_many([sealed.to_bytes()] * 3, lookup)
    assert result.ok
    assert result.verified() == [sealed] * 3


@pytest.mark.parametrize("parallel", [False, True])
def test_check_signatures_agrees_with_full_verification(
    draft: ItemDraft,
    key: NodeKey,
    other_key: NodeKey,
    lookup: KeyLookup,
    pool: WorkerPool,
    parallel: bool,
) -> None:
    from csnet.items.batch import check_signatures

    raws, bad = _batch(draft, key, other_key)
    outcomes = check_signatures(raws, lookup, pool if parallel else None)
    assert len(outcomes) == len(raws)
    full = verify_many(raws, lookup)
    for i, outcome in enumerate(outcomes):
        if i in bad and bad[i] != "bad_body":
            assert outcome is not None and outcome.error_code == bad[i], i
        if outcome is None:
            assert i not in full.failures or full.failures[i].error_code == "bad_body"
        else:
            assert full.failures[i].error_code == outcome.error_code


@pytest.mark.parametrize("parallel", [False, True])
def test_verify_to_bytes_agrees_with_full_verification(
    draft: ItemDraft,
    key: NodeKey,
    other_key: NodeKey,
    lookup: KeyLookup,
    pool: WorkerPool,
    parallel: bool,
) -> None:
    raws, bad = _batch(draft, key, other_key)
    outcomes = verify_to_bytes(raws, lookup, pool if parallel else None)
    full = verify_many(raws, lookup)
    assert len(outcomes) == len(raws)
    for i, outcome in enumerate(outcomes):
        env = full.envelopes[i]
        if env is None:
            assert isinstance(outcome, CsnetError) and outcome.error_code == bad[i], i
        else:
            # the canonical bytes, whatever spelling arrived; the model rebuilt from them is equal
            assert isinstance(outcome, Checked) and outcome.body_error is None
            assert outcome.data == env.to_bytes()
            assert Envelope.from_signed_bytes(outcome.data) == env


def test_verify_to_bytes_reports_a_bad_body_after_the_signature(
    key: NodeKey, lookup: KeyLookup, pool: WorkerPool
) -> None:
    # why: a receiver judges audience and markings before the body, so the body's failure
    # travels beside the verified bytes instead of replacing them
    wrong = ItemDraft(kind="alert", author="officer-7", body={"title": "no text, no urgency"})
    env = seal(wrong, key, origin=key.node_id, seq=1, created=CREATED, body=_Unchecked())
    (outcome,) = verify_to_bytes([env.to_bytes()], lookup)
    assert isinstance(outcome, Checked) and outcome.data == env.to_bytes()
    assert outcome.body_error is not None and outcome.body_error.error_code == "bad_body"
    parallel = verify_to_bytes([env.to_bytes()] * 300, lookup, pool)
    assert all(isinstance(o, Checked) and o.body_error is not None for o in parallel)
    assert {o.body_error.error_code for o in parallel if isinstance(o, Checked) and o.body_error}
    assert verify_many([env.to_bytes()], lookup).failures[0].error_code == "bad_body"


def test_a_non_canonical_spelling_is_verified_the_parsing_way(
    sealed: Envelope, lookup: KeyLookup
) -> None:
    spaced = json.dumps(json.loads(sealed.to_bytes()), indent=1).encode()
    (outcome,) = verify_to_bytes([spaced], lookup)
    assert isinstance(outcome, Checked) and outcome.data == sealed.to_bytes()


def test_a_closed_pool_leaves_the_work_to_this_process(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey, lookup: KeyLookup
) -> None:
    raws, bad = _batch(draft, key, other_key)
    closed = WorkerPool(2)
    closed.close()
    _check(verify_many(raws, lookup, closed), raws, bad, lookup)
    assert closed.executor() is None
