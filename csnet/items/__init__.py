"""Signed items: canonical JSON, node keys, the envelope, sign/verify and the kinds registry.

Pure code: no I/O, no database, no web. Services build an `ItemDraft`, call `validate_draft`
(seal calls it again) and `seal`; inbound items go through `verify_envelope` / `verify_many`.
"""

from csnet.items.batch import BatchResult, verify_many
from csnet.items.bodies import (
    FRONTEX_ROUTES,
    Ack,
    AckState,
    Alert,
    Note,
    Place,
    Reply,
    Tombstone,
    Topic,
    Urgency,
)
from csnet.items.canonical import canonical_json
from csnet.items.envelope import Audience, Envelope, ItemDraft
from csnet.items.keys import NodeKey, key_fingerprint, node_id_for, verify_signature
from csnet.items.kinds import (
    KINDS,
    body_model,
    check_links,
    check_subjects,
    persons_in,
    register_kind,
    validate_body,
    validate_draft,
)
from csnet.items.limits import MAX_DEPTH, MAX_ITEM_BYTES, MAX_KEYS
from csnet.items.signing import (
    KeyLookup,
    check_integrity,
    item_digest,
    parse_envelope,
    seal,
    verify_envelope,
    verify_item,
)

__all__ = [
    "FRONTEX_ROUTES",
    "KINDS",
    "MAX_DEPTH",
    "MAX_ITEM_BYTES",
    "MAX_KEYS",
    "Ack",
    "AckState",
    "Alert",
    "Audience",
    "BatchResult",
    "Envelope",
    "ItemDraft",
    "KeyLookup",
    "NodeKey",
    "Note",
    "Place",
    "Reply",
    "Tombstone",
    "Topic",
    "Urgency",
    "body_model",
    "canonical_json",
    "check_integrity",
    "check_links",
    "check_subjects",
    "item_digest",
    "key_fingerprint",
    "node_id_for",
    "parse_envelope",
    "persons_in",
    "register_kind",
    "seal",
    "validate_body",
    "validate_draft",
    "verify_envelope",
    "verify_item",
    "verify_many",
    "verify_signature",
]
