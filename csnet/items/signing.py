"""Sealing and verifying items: hash-then-sign over the canonical wire form.

    id  = sha256(canonical_json(wire without "id" and "sig")).hexdigest()
    sig = base64url(Ed25519(node key, the 32 raw bytes of that digest))

Verifying costs one canonicalisation and one signature check, and always happens before the body
is parsed against its kind.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from csnet.errors import BadInput, IntegrityFailure, TooLarge
from csnet.items.canonical import (
    SAFE_INT,
    canonical_json,
    canonical_json_checked,
    extend_canonical,
)
from csnet.items.envelope import UNSIGNED_EXCLUDE, Envelope, ItemDraft
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
    digest = item_digest(envelope)
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


def _signed_as_received(data: dict[str, Any], public_key_for: KeyLookup) -> dict[str, Any] | None:
    """Fast path: when the item arrives already in wire form, its own bytes hash to its id.

    Then the signature is checked before any model sees the item. Returns the unsigned part, or
    None when the item is spelled differently (the normalised path decides).
    """
    item_id, sig, origin, seq = (data.get(k) for k in ("id", "sig", "origin", "seq"))
    if not (isinstance(item_id, str) and isinstance(sig, str) and isinstance(origin, str)):
        return None
    if type(seq) is not int:
        return None
    unsigned = {k: v for k, v in data.items() if k not in UNSIGNED_EXCLUDE}
    try:
        digest = hashlib.sha256(canonical_json(unsigned)).digest()
    except BadInput:
        return None
    if digest.hex() != item_id:
        return None
    _check_signature(origin, seq, digest, sig, public_key_for)
    return unsigned


_HEX = frozenset(b"0123456789abcdef")
_B64URL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_B32 = frozenset(b"abcdefghijklmnopqrstuvwxyz234567")


def _last_member(data: bytes, key: bytes, size: int, alphabet: frozenset[int]) -> tuple[int, int]:
    """Span of the last `,"key":"<size chars of alphabet>"` in data, or (-1, -1)."""
    start = data.rfind(b',"' + key + b'":"')
    if start < 0:
        return -1, -1
    value_at = start + len(key) + 5
    end = value_at + size + 1
    if data[end - 1 : end] != b'"' or not set(data[value_at : end - 1]) <= alphabet:
        return -1, -1
    return start, end


_SEQ = re.compile(rb'"seq":(0|[1-9][0-9]{0,15})[,}]')


def _last_seq(data: bytes) -> int | None:
    """The value of the last `"seq":<integer>` member (the top-level one in canonical bytes)."""
    at = data.rfind(b',"seq":')
    found = _SEQ.match(data, at + 1) if at >= 0 else None
    return int(found.group(1)) if found else None


# What the bytes check read: the id, signature, origin and seq it verified the item under.
_Read = tuple[str, str, str, int]


def _canonical_bytes_check(data: bytes, public_key_for: KeyLookup) -> _Read | None:
    """Fastest path, on the bytes as received, when they are the canonical wire form we send.

    The canonical unsigned form is then exactly these bytes without the top-level "id" and
    "sig" members, so no JSON parser is needed to check the id and the signature. Top-level
    members come last in their kind (later values are markings and scalars, and quotes inside
    strings are escaped), so the last matches are the top-level ones. Anything else — another
    spelling, a nested look-alike — fails the hash and takes the parsing path: a wrong guess
    costs time, never acceptance (the signer hashed exactly the bytes we hash, or we refuse).
    """
    id_start, id_end = _last_member(data, b"id", 64, _HEX)
    sig_start, sig_end = _last_member(data, b"sig", 86, _B64URL)
    origin_start, origin_end = _last_member(data, b"origin", 27, _B32)
    seq = _last_seq(data)
    if min(id_start, sig_start, origin_start) < 0 or not id_end < sig_start or seq is None:
        return None
    unsigned = b"".join((data[:id_start], data[id_end:sig_start], data[sig_end:]))
    digest = hashlib.sha256(unsigned).digest()
    item_id = digest.hex()
    if item_id.encode() != data[id_end - 65 : id_end - 1]:
        return None
    sig = data[sig_end - 87 : sig_end - 1].decode()
    origin = data[origin_end - 28 : origin_end - 1].decode()
    _check_signature(origin, seq, digest, sig, public_key_for)
    return item_id, sig, origin, seq


def check_signature_only(raw: Raw, public_key_for: KeyLookup) -> None:
    """Limits, id and signature — no models: the cheap first gate for a batch.

    Canonical bytes are checked without parsing; any other spelling is parsed and checked the
    normalised way. A later full verification still builds and checks the models.
    """
    data = raw_bytes(raw)
    check_limits(data)
    if _canonical_bytes_check(data, public_key_for) is not None:
        return
    parsed = parse_item(data)
    if _signed_as_received(parsed, public_key_for) is None:
        check_integrity(_shape(parsed), public_key_for)


def verify_envelope(raw: Raw, public_key_for: KeyLookup) -> Envelope:
    """Limits -> parse -> shape -> id -> origin key -> signature -> body, in that order."""
    return verify_item(raw, public_key_for)[0]


def verify_item(raw: Raw, public_key_for: KeyLookup) -> tuple[Envelope, BaseModel]:
    """As verify_envelope, also returning the validated body model."""
    envelope = verify_signed(raw, public_key_for)
    return envelope, validate_draft(envelope)


def _exact_model(data: bytes) -> Envelope | None:
    """The model of bytes whose id and signature verified, when they are exactly its canonical
    form: then the model is what was signed and nothing is left to compare. None: any doubt
    (another spelling, duplicate keys, a shape error) goes the parsing path, which says why."""
    try:
        envelope = Envelope.model_validate_json(data)
    except ValidationError:
        return None
    return envelope if envelope.to_bytes() == data else None


def _top_level(parsed: dict[str, Any]) -> tuple[Any, ...]:
    seq = parsed.get("seq")
    seq = seq if type(seq) is int else None  # why: True == 1 and 1.0 == 1 in Python
    return parsed.get("id"), parsed.get("sig"), parsed.get("origin"), seq


def verify_signed(raw: Raw, public_key_for: KeyLookup) -> Envelope:
    """Limits -> parse -> shape -> id -> origin key -> signature; the body is NOT checked yet
    (a receiver judges audience and markings first, then calls validate_draft)."""
    data = raw_bytes(raw)
    check_limits(data)
    checked = _canonical_bytes_check(data, public_key_for)
    if checked is not None and (exact := _exact_model(data)) is not None:
        return exact
    parsed = parse_item(data)
    # why: the members the bytes check read must be the top-level ones the parser sees (the
    # origin and seq chose the keys)
    unsigned: dict[str, Any] | None
    if checked is not None and _top_level(parsed) == checked:
        unsigned = {k: v for k, v in parsed.items() if k not in UNSIGNED_EXCLUDE}
    else:
        unsigned = _signed_as_received(parsed, public_key_for)
    envelope = _shape(parsed)
    # The fast paths hold only when the wire form is the normalised one that is kept and sent on.
    if unsigned is None or envelope.unsigned_wire() != unsigned:
        check_integrity(envelope, public_key_for)
    return envelope
