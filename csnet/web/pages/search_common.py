"""What the search, hits and disclosure pages share: node names for origins, the peers a
disclosure can be asked of, identifier type labels, keyset cursors as opaque form values."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csnet import safe_text
from csnet.errors import BadInput, CsnetError
from csnet.federation import peer_ops
from csnet.federation.peers import PeerStatus
from csnet.indicators import registry
from csnet.items import strict_json
from csnet.node import Node
from csnet.web.pages.compose_messages import character_message
from csnet.web.pages.i18n import gettext as _

MAX_JUSTIFICATION = 2000


@dataclass(frozen=True)
class NodeName:
    node_id: str
    name: str
    active: bool  # a peer a request can go to (never this node)


def node_names(node: Node) -> dict[str, NodeName]:
    """This node and its peers, by node id: origins are shown by name, not by key hash."""
    names = {
        p.node_id: NodeName(p.node_id, p.identity.name, p.status is PeerStatus.ACTIVE)
        for p in peer_ops.list_peers(node)
    }
    names[node.node_id] = NodeName(node.node_id, node.identity.name, False)
    return names


def type_labels() -> dict[str, str]:
    return {kind.name: kind.label for kind in registry.types()}


def label_of(type_name: str) -> str:
    try:
        return registry.get(type_name).label
    except CsnetError:  # why: a type only a newer node knows is still named
        return type_name


def encode_cursor(values: list[Any] | tuple[Any, ...] | None) -> str:
    """Datetimes as ISO text; the rest as is. Empty: no more pages."""
    if values is None:
        return ""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def decode_cursor(text: str | None, shape: tuple[type, ...]) -> list[Any] | None:
    """A cursor from `encode_cursor` with values of these types, or BadInput."""
    if not text:
        return None
    try:
        raw = strict_json.loads(base64.urlsafe_b64decode(text.encode()), what="cursor")
        if not isinstance(raw, list) or len(raw) != len(shape):
            raise ValueError("shape")
        return [
            datetime.fromisoformat(v) if kind is datetime else kind(v)
            for v, kind in zip(raw, shape, strict=True)
        ]
    except (CsnetError, ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadInput(
            _("This page link is out of date; start again."), code="bad_cursor"
        ) from None


def justification_error(text: str) -> str | None:
    if len(text) > MAX_JUSTIFICATION:
        return _("The justification is too long (at most 2000 characters).")
    return character_error(text)


def character_error(text: str) -> str | None:
    """The form message when typed text holds a NUL (csnet/safe_text.py)."""
    return character_message() if safe_text.text_problem(text) else None
