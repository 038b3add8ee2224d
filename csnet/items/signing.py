"""Sealing and verifying items: hash-then-sign over the canonical wire form.

    id  = sha256(canonical_json(wire without "id" and "sig")).hexdigest()
    sig = base64url(Ed25519(node key, the 32 raw bytes of that digest))

Verifying costs one canonicalisation and one signature check, and always happens before the body
is parsed against its kind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from csnet.errors import BadInput, IntegrityFailure, TooLarge
from csnet.items.canonical import (
    SAFE_INT,
    canonical_json,
    canonical_json_checked,
    encodes_to,
    extend_canonical,
    members_text,
)
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.fields import format_utc
from csnet.items.keys import (
    PUBLIC_KEY_BYTES,
    KeyHistory,
    NodeKey,
    b64url,
    b64url_decode,
    verify_signature,
)
from csnet.items.kinds import validate_draft
from csnet.items.limits import (
    MAX_DEPTH,
    MAX_ITEM_BYTES,
    MAX_KEYS,
    Raw,
    check_limits,
    parse_item,
    raw_bytes,
)

# The keys of an origin: one key, or its KeyHistory (current key, and each retired key with the
# last seq sealed under it; KeyHistory.keys_for says which may verify an item). The registry
# behind it (our own key, peers recorded by the signed handshake and signed rotations) is the
# authority on which keys an origin holds.
KeyLookup = Callable[[str], bytes | KeyHistory | None]
_PLACEHOLDER_ID = "0" * 64
_PLACEHOLDER_SIG = "A" * 86

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEM_BYTES",
    "MAX_KEYS",
    "ItemDraft",
    "KeyLookup",
    "check_integrity",
    "item_digest",
    "parse_envelope",
    "seal",
    "verify_envelope",
    "verify_item",
    "verify_signed",
    "verify_signed_plain",
]


def item_digest(envelope: Envelope) -> bytes:
    """sha256 of the canonical unsigned wire form: the raw bytes behind `envelope.id`."""
    return hashlib.sha256(canonical_json(envelope.unsigned_wire())).digest()


def seal(
    draft: ItemDraft,
    key: NodeKey,
    *,
    origin: str,
    seq: int,
    created: datetime,
    body: BaseModel | None = None,
) -> Envelope:
    """Validate a draft (unless `body` is its already validated body), then hash and sign it.

    `origin` is the node's stable id (derived from its first key); `key` is its current key.
    """
    if created.tzinfo is None:
        raise BadInput("created must be timezone-aware", code="naive_time")
    if not 1 <= seq <= SAFE_INT:
        raise BadInput("seq out of range", code="bad_seq")
    body = validate_draft(draft) if body is None else body
    created = created.astimezone(UTC)
    # why: the draft is validated already; building the wire dict directly (not a second model)
    # keeps sealing cheap on the hot path. The known-answer tests pin the result.
    unsigned = draft.model_dump(mode="json", exclude={"body"})
    unsigned |= {
        # the normalised body (defaults left out) is what every receiver re-validates
        "body": body.model_dump(mode="json", exclude_defaults=True),
        "origin": origin,
        "seq": seq,
        "created": format_utc(created),
    }
    unsigned_bytes, plain = canonical_json_checked(unsigned)
    digest = hashlib.sha256(unsigned_bytes).digest()
    item_id, sig = digest.hex(), b64url(key.sign(digest))
    signed = _signed_bytes(unsigned, unsigned_bytes, item_id, sig, plain=plain)
    if len(signed) > MAX_ITEM_BYTES:
        raise TooLarge(
            f"item would be {len(signed)} bytes; the limit is {MAX_ITEM_BYTES}",
            code="item_too_large",
        )
    fields = {name: getattr(draft, name) for name in ItemDraft.model_fields}
    fields |= {"body": unsigned["body"], "origin": origin, "seq": seq, "created": created}
    return Envelope.model_construct(id=item_id, sig=sig, **fields).with_bytes(signed)


def _signed_bytes(
    unsigned: dict[str, Any], unsigned_bytes: bytes, item_id: str, sig: str, *, plain: bool
) -> bytes:
    """The canonical bytes with "id" and "sig" added.

    When the unsigned form came straight from the stdlib encoder, the two members are spliced in
    at their sorted places: "id" just before the top-level "kind" and "sig" just before
    "supersedes", the last key. Nothing after "kind" can spell `,"kind":` (later values are
    markings, whose keys are known, and scalars; quotes inside strings are escaped), so the last
    occurrence is the top-level one. tests/items pin this against the full canonicaliser.
    """
    if not plain:
        return extend_canonical(unsigned, {"id": item_id, "sig": sig}, plain=False)
    kind_at = unsigned_bytes.rindex(b',"kind":')
    last_at = unsigned_bytes.rindex(b',"supersedes":')
    return b"".join(
        (
            unsigned_bytes[:kind_at],
            b',"id":"',
            item_id.encode(),
            b'"',
            unsigned_bytes[kind_at:last_at],
            b',"sig":"',
            sig.encode(),
            b'"',
            unsigned_bytes[last_at:],
        )
    )


def parse_envelope(raw: Raw) -> Envelope:
    """Limits, JSON parse and envelope shape only; NOT verified. Body left unparsed."""
    return _shape(parse_item(raw))


def _shape(data: dict[str, Any]) -> Envelope:
    try:
        return Envelope.model_validate(data)
    except ValidationError as exc:
        where = sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]})
        raise BadInput(
            f"not an item envelope: {exc.error_count()} error(s)",
            code="bad_envelope",
            details={"fields": where},
        ) from None


def check_integrity(envelope: Envelope, public_key_for: KeyLookup) -> None:
    """Recompute the id, find the origin's key and check the signature (IntegrityFailure)."""
    # why: hashing the parsed, normalised envelope (not the raw text) means what we keep and
    # forward (to_bytes) is exactly what was signed, however the sender spelled the JSON
    try:
        digest = item_digest(envelope)
    except UnicodeEncodeError:  # why: a lone surrogate (a "\ud800" escape) has no UTF-8 form
        raise BadInput(
            "value has no canonical JSON form: a lone surrogate", code="not_canonical"
        ) from None
    if digest.hex() != envelope.id:
        raise IntegrityFailure("item id does not match its content", code="bad_hash")
    _check_signature(envelope.origin, envelope.seq, digest, envelope.sig, public_key_for)


def _check_signature(
    origin: str, seq: int, digest: bytes, sig: str, public_key_for: KeyLookup
) -> None:
    found = public_key_for(origin)
    if found is None:
        raise IntegrityFailure(f"unknown origin {origin}", code="unknown_origin")
    history = KeyHistory(found) if isinstance(found, bytes) else found
    keys = history.keys_for(seq)
    if any(len(k) != PUBLIC_KEY_BYTES for k in keys):
        raise IntegrityFailure(
            "the key held for the origin is malformed", code="origin_key_mismatch"
        )
    try:
        signature = b64url_decode(sig)
    except BadInput:
        raise IntegrityFailure(
            "signature is not canonical base64url", code="bad_signature"
        ) from None
    if any(verify_signature(k, digest, signature) for k in keys):
        return
    # why: a stolen retired key is the threat rotation answers; say so in the refusal's audit
    if any(verify_signature(k, digest, signature) for k in history.retired_before(seq)):
        raise IntegrityFailure(
            f"signed with a key {origin} retired before seq {seq}", code="retired_key"
        )
    raise IntegrityFailure("signature does not verify", code="bad_signature")


def check_signature_only(raw: Raw, public_key_for: KeyLookup) -> None:
    """verify_signed, keeping nothing: the first gate for a batch (the body is judged later)."""
    verify_signed(raw, public_key_for)


def verify_envelope(raw: Raw, public_key_for: KeyLookup) -> Envelope:
    """Limits -> parse -> shape -> id -> origin key -> signature -> body, in that order."""
    return verify_item(raw, public_key_for)[0]


def verify_item(raw: Raw, public_key_for: KeyLookup) -> tuple[Envelope, BaseModel]:
    """As verify_envelope, also returning the validated body model."""
    envelope = verify_signed(raw, public_key_for)
    return envelope, validate_draft(envelope)


def verify_signed(raw: Raw, public_key_for: KeyLookup) -> Envelope:
    """Limits -> parse -> shape -> id -> origin key -> signature; the body is NOT checked yet
    (a receiver judges audience and markings first, then calls validate_draft).

    The one owner of the fast path: bytes that are exactly the canonical wire form of their
    own model (what every node sends) are hashed as they are, without building the unsigned
    form again. Anything else takes `verify_signed_plain`, the reference; both give the same
    answer for every input (tests/items/test_verify_differential.py).
    """
    data = raw_bytes(raw)
    exact = _exact_canonical(data, check_limits(data))
    if exact is None:
        return _plain(data, public_key_for)
    envelope, unsigned = exact
    digest = hashlib.sha256(unsigned).digest()
    if digest.hex() != envelope.id:
        raise IntegrityFailure("item id does not match its content", code="bad_hash")
    _check_signature(envelope.origin, envelope.seq, digest, envelope.sig, public_key_for)
    return envelope.with_bytes(data)


def verify_signed_plain(raw: Raw, public_key_for: KeyLookup) -> Envelope:
    """The reference path: parse the JSON, build the model, hash its canonical unsigned form,
    check the signature. Slower, and the definition of what verify_signed accepts."""
    data = raw_bytes(raw)
    check_limits(data)
    return _plain(data, public_key_for)


def _plain(data: bytes, public_key_for: KeyLookup) -> Envelope:
    envelope = _shape(parse_item(data))
    check_integrity(envelope, public_key_for)
    return envelope


def _exact_canonical(data: bytes, skeleton: bytes) -> tuple[Envelope, bytes] | None:
    """(model, unsigned canonical bytes) when `data` is exactly the canonical wire form of the
    model it parses to; None at any doubt (another spelling, duplicate keys, a shape error, a
    value the fast encoder cannot vouch for): the reference path then decides, and says why.

    Exactness is what makes hashing the bytes as received equal to hashing the model's
    unsigned form: then the unsigned form is these bytes without the top-level "id" and "sig"
    members, whose places follow from the sorted keys of the model's own wire form.
    """
    try:
        envelope = Envelope.model_validate_json(data)
    except ValidationError:
        return None
    try:
        wire = envelope.to_wire()
    except UnicodeEncodeError:  # a lone surrogate: the reference path refuses it
        return None
    if not encodes_to(wire, data, skeleton):
        return None
    return envelope, _without_id_and_sig(data, wire)


def _without_id_and_sig(data: bytes, wire: dict[str, Any]) -> bytes:
    """The canonical bytes of `wire` (which are `data`) without its "id" and "sig" members.

    JCS writes members in key order, each as it would be written alone, so the members after
    "sig", and those between "id" and "sig", are measured by encoding just them (small: the
    body sorts before "id").
    """
    names = sorted(wire)
    id_at, sig_at = names.index("id"), names.index("sig")
    after_sig = _members(wire, names[sig_at + 1 :])
    between = _members(wire, names[id_at + 1 : sig_at])
    sig_end = len(data) - 1 - len(after_sig)
    sig_start = sig_end - len(_member("sig", wire["sig"]))
    id_end = sig_start - len(between)
    id_start = id_end - len(_member("id", wire["id"]))
    return b"".join((data[:id_start], data[id_end:sig_start], data[sig_end:]))


def _members(wire: dict[str, Any], names: list[str]) -> bytes:
    """The member texts of `names`, each with its leading comma, as they stand in the whole."""
    return ("," + members_text(wire, names)).encode() if names else b""


def _member(name: str, value: str) -> bytes:
    return f',"{name}":"{value}"'.encode()
