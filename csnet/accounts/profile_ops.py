"""What a member sees and sets on their own account page, beside credentials (credentials.py)
and tokens (token_ops.py): the preferred language, and what the page shows about their access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csnet.accounts import members, tokens
from csnet.accounts.members import Member
from csnet.accounts.tokens import TokenInfo
from csnet.node import Node


@dataclass(frozen=True)
class Access:
    """A member's API tokens (oldest first) and when the session looking at them ends."""

    tokens: list[TokenInfo]
    session_expires: datetime | None


def set_language(node: Node, member_id: str, language: str) -> Member:
    """The preferred language, an ISO 639 code (BadInput otherwise); not audited: it grants and
    discloses nothing."""
    with node.store.write() as conn:
        return members.set_language(conn, member_id, language)


def access(node: Node, member_id: str, session_id: str) -> Access:
    """One read for the account page: the member's tokens and this session's end."""
    with node.store.read() as conn:
        found = tokens.list_tokens(conn, member_id)
        expires = members.session_expires(conn, session_id)
    return Access(found, expires)
