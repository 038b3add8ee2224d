"""Audit entries (LED Art 25) and the canonical hash that chains them.

A row's hash is sha256 (hex) of the RFC 8785 canonical JSON of
{seq, at, actor, action, item_id, justification, recipients, details, prev_hash}, where recipients
is a sorted list and details an object. The table stores recipients and details as exactly that
canonical text, so anyone holding an exported row can recompute the hash with any RFC 8785 library.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from csnet import safe_text
from csnet.errors import BadInput
from csnet.items.canonical import canonical_json

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "item_id",
    "justification",
    "recipients",
    "details",
    "prev_hash",
)
Row: TypeAlias = Mapping[Any, Any]  # a stored row: a SQLAlchemy RowMapping or a plain dict
_ACTOR = re.compile(r"^(system|[a-z_]+:\S{1,110})$")
MAX_JUSTIFICATION = 4000
MAX_RECIPIENTS = 1000
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 8785 numbers are IEEE 754 doubles


class AuditAction(StrEnum):
    # LED Art 25(1): the processing operations that must be logged.
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    # Security events, kept distinct so that a lawfulness check can filter them out.
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    MEMBER_CHANGE = "member_change"
    TOKEN_CHANGE = "token_change"  # noqa: S105 (an action name, not a secret)
    PEER_CHANGE = "peer_change"  # peered, suspended, resumed, revoked, key rotated
    PEER_REFUSED = "peer_refused"  # a peer (or would-be peer) request refused


LED_ACTIONS = frozenset(
    {
        AuditAction.COLLECTION,
        AuditAction.ALTERATION,
        AuditAction.CONSULTATION,
        AuditAction.DISCLOSURE,
        AuditAction.COMBINATION,
        AuditAction.ERASURE,
    }
)
# LED Art 25(1): logs of consultation and disclosure must show the justification.
JUSTIFIED_ACTIONS = frozenset({AuditAction.CONSULTATION, AuditAction.DISCLOSURE})


@dataclass(frozen=True)
class AuditEntry:
    """One event to log. `personal_data` only decides whether a justification is required."""

    actor: str  # "member:<id>", "peer:<node id>" or "system"
    action: AuditAction
    item_id: str | None = None
    justification: str | None = None
    recipients: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    personal_data: bool = False


def format_at(now: datetime) -> str:
    """RFC 3339 UTC with fixed-width microseconds, so text order is time order."""
    if now.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_text(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


def chain_hash(content: Mapping[str, Any]) -> str:
    """The hash as a re-verifier computes it: recipients as a list and details as an object."""
    canonical = canonical_json({name: content[name] for name in HASHED_FIELDS})
    return hashlib.sha256(canonical).hexdigest()


def row_hash(row: Row) -> str:
    """The hash of a stored row, whose recipients and details are already canonical text.

    Same bytes as `chain_hash` of the parsed row (a property test pins it), without parsing:
    altering the JSON text in any way, even to an equivalent form, changes the hash.
    """
    seq = row["seq"]
    if not isinstance(seq, int) or abs(seq) > MAX_SAFE_INTEGER:
        raise ValueError("seq out of the range RFC 8785 can represent")
    text = (
        f'{{"action":{_string(row["action"])},"actor":{_string(row["actor"])},'
        f'"at":{_string(row["at"])},"details":{row["details"]},'
        f'"item_id":{_string(row["item_id"])},"justification":{_string(row["justification"])},'
        f'"prev_hash":{_string(row["prev_hash"])},"recipients":{row["recipients"]},"seq":{seq}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _string(value: str | None) -> str:
    # For strings, Python's encoder without ASCII escaping writes exactly RFC 8785's form
    # (short escapes for \b \f \n \r \t, lower-case \u00xx for other controls).
    if value is None:
        return "null"
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return json.dumps(value, ensure_ascii=False)


def normalise(entry: AuditEntry) -> dict[str, Any]:
    """Validate an entry; returns its stored fields except seq, at, prev_hash and hash."""
    action = _action(entry.action)
    if not isinstance(entry.actor, str) or not _ACTOR.match(entry.actor):
        raise BadInput(
            "audit actor must be 'system' or '<kind>:<id>'", details={"actor": "invalid"}
        )
    if entry.item_id is not None and not (0 < len(entry.item_id) <= 64):
        raise BadInput("audit item_id must be 1 to 64 characters")
    fields = {
        "actor": entry.actor,
        "action": action.value,
        "item_id": entry.item_id,
        "justification": _justification(entry, action),
        "recipients": canonical_text(_recipients(entry, action)),
        "details": _details(entry.details),
    }
    _require_utf8(fields)
    return fields


def _require_utf8(fields: Mapping[str, Any]) -> None:
    # Lone surrogates cannot be stored or hashed as UTF-8.
    try:
        for value in fields.values():
            if value is not None:
                value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput("audit entry text is not valid Unicode") from None


def _action(value: str) -> AuditAction:
    try:
        return AuditAction(value)
    except ValueError:
        raise BadInput(f"unknown audit action {value!r}") from None


def _justification(entry: AuditEntry, action: AuditAction) -> str | None:
    text = (entry.justification or "").strip()
    if len(text) > MAX_JUSTIFICATION:
        raise BadInput(f"justification is longer than {MAX_JUSTIFICATION} characters")
    problem = safe_text.text_problem(text)
    if problem is not None:
        raise BadInput(f"justification: {problem}", details={"justification": "invalid"})
    if not text and entry.personal_data and action in JUSTIFIED_ACTIONS:
        raise BadInput(
            f"a justification is required to log {action.value} of personal data (LED Art 25)",
            details={"justification": "required"},
        )
    return text or None


def _recipients(entry: AuditEntry, action: AuditAction) -> list[str]:
    names = set(entry.recipients)
    if any(not isinstance(n, str) or not n.strip() or len(n) > 200 for n in names):
        raise BadInput("audit recipients must be non-empty names of at most 200 characters")
    if len(names) > MAX_RECIPIENTS:
        raise BadInput(f"at most {MAX_RECIPIENTS} recipients per audit entry")
    if action is AuditAction.DISCLOSURE and not names:
        # LED Art 25(1): a disclosure log shows its recipients; without them it says nothing.
        raise BadInput("a disclosure must name its recipients", details={"recipients": "required"})
    return sorted(names)


def _details(details: object) -> str:
    if not isinstance(details, dict) or not all(isinstance(k, str) for k in details):
        raise BadInput("audit details must be a JSON object")
    try:
        return canonical_text(details)
    except BadInput as exc:
        raise BadInput(f"audit details are not canonical JSON: {exc.message}") from None


def build_row(fields: Mapping[str, Any], seq: int, at: str, prev_hash: str) -> dict[str, Any]:
    """The table row for normalised `fields` at `seq`, chained to `prev_hash`."""
    row = {**fields, "seq": seq, "at": at, "prev_hash": prev_hash}
    row["hash"] = row_hash(row)
    return row


def stored_hash(row: Row, seq: int) -> str | None:
    """The hash of a stored row as if it had `seq`; None when its columns cannot be hashed."""
    try:
        return row_hash({**row, "seq": seq})
    except (TypeError, ValueError, UnicodeEncodeError):
        return None
