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

from pydantic import BaseModel, ValidationError

from csnet.errors import BadInput, IntegrityFailure
from csnet.items.canonical import canonical_json
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.keys import (
    PUBLIC_KEY_BYTES,
    NodeKey,
    b64url,
    b64url_decode,
    node_id_for,
    verify_signature,
)
from csnet.items.kinds import validate_draft
from csnet.items.limits import MAX_DEPTH, MAX_ITEM_BYTES, MAX_KEYS, Raw, parse_item

KeyLookup = Callable[[str], bytes | None]
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
]


def item_digest(envelope: Envelope) -> bytes:
    """sha256 of the canonical unsigned wire form: the raw bytes behind `envelope.id`."""
    return hashlib.sha256(canonical_json(envelope.unsigned_wire())).digest()


def seal(draft: ItemDraft, key: NodeKey, *, origin: str, seq: int, created: datetime) -> Envelope:
    """Validate a draft, then hash and sign it as item number `seq` of `origin`."""
    if origin != key.node_id:
        raise BadInput("origin must be the node id of the signing key", code="wrong_origin")
    if created.tzinfo is None:
        raise BadInput("created must be timezone-aware", code="naive_time")
    body = validate_draft(draft)
    fields = {name: getattr(draft, name) for name in ItemDraft.model_fields if name != "body"}
    fields |= {
        # why: the normalised body (defaults left out) is what every receiver re-validates
        "body": body.model_dump(mode="json", exclude_defaults=True),
        "origin": origin,
        "seq": seq,
        "created": created.astimezone(UTC),
    }
    try:
        proto = Envelope(id=_PLACEHOLDER_ID, sig=_PLACEHOLDER_SIG, **fields)
    except ValidationError as exc:
        raise BadInput(f"cannot seal: {exc.error_count()} invalid field(s)") from None
    digest = item_digest(proto)
    return proto.model_copy(update={"id": digest.hex(), "sig": b64url(key.sign(digest))})


def parse_envelope(raw: Raw) -> Envelope:
    """Limits, JSON parse and envelope shape only; NOT verified. Body left unparsed."""
    data = parse_item(raw)
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
    public_key = public_key_for(envelope.origin)
    if public_key is None:
        raise IntegrityFailure(f"unknown origin {envelope.origin}", code="unknown_origin")
    if len(public_key) != PUBLIC_KEY_BYTES or node_id_for(public_key) != envelope.origin:
        raise IntegrityFailure("origin key does not match the node id", code="origin_key_mismatch")
    try:
        signature = b64url_decode(envelope.sig)
    except BadInput:
        raise IntegrityFailure(
            "signature is not canonical base64url", code="bad_signature"
        ) from None
    if not verify_signature(public_key, digest, signature):
        raise IntegrityFailure("signature does not verify", code="bad_signature")


def verify_envelope(raw: Raw, public_key_for: KeyLookup) -> Envelope:
    """Limits -> parse -> shape -> id -> origin key -> signature -> body, in that order."""
    return verify_item(raw, public_key_for)[0]


def verify_item(raw: Raw, public_key_for: KeyLookup) -> tuple[Envelope, BaseModel]:
    """As verify_envelope, also returning the validated body model."""
    envelope = parse_envelope(raw)
    check_integrity(envelope, public_key_for)
    return envelope, validate_draft(envelope)
