"""Changing one's credentials: the password (the service behind the API, the account page and
the CLI) and the second factor (the account page).

A new password ends every session of the member and, unless the member asks to keep them,
revokes every API token too: a password is changed because it may be known to someone else, and
a token minted with it would outlive the change. A wrong current password counts like a failed
login (a stolen session or token must not become a password oracle); at the threshold the
account is locked and its sessions end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from csnet.accounts import members, sessions, tokens
from csnet.accounts.login import count_wrong_password
from csnet.accounts.members import Member
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import BadInput, RateLimited
from csnet.node import Node


@dataclass(frozen=True)
class Revoked:
    """What a password change (or a disable) ended."""

    sessions_ended: int
    tokens_revoked: int


def change_password(
    node: Node, member_id: str, current: str, new: str, *, keep_tokens: bool = False
) -> Revoked:
    """Replace the password; BadInput if refused, RateLimited when wrong ones lock the account."""
    try:
        with node.store.write() as conn:
            members.change_password(conn, member_id, current, new, hasher=node.hasher)
            ended = sessions.end_member_sessions(conn, member_id)
            revoked = 0 if keep_tokens else tokens.revoke_member_tokens(conn, member_id, node.now())
            details = {
                "member": member_id,
                "change": "password changed",
                "tokens": "kept" if keep_tokens else f"{revoked} revoked",
            }
            append(conn, _entry(member_id, AuditAction.MEMBER_CHANGE, details), node.now())
    except BadInput as exc:
        if exc.details.get("current_password"):
            _count_wrong_current(node, member_id)
        raise
    return Revoked(sessions_ended=ended, tokens_revoked=revoked)


def re_enrol_totp(node: Node, member_id: str, secret: str, code: str) -> Member:
    """Switch to a new TOTP secret once a current code from it verifies (BadInput otherwise)."""
    with node.store.write() as conn:
        member = members.replace_totp_secret(conn, member_id, secret, code, node.now())
        details = {"member": member_id, "change": "second factor re-enrolled"}
        append(conn, _entry(member_id, AuditAction.MEMBER_CHANGE, details), node.now())
    return member


def disable_member(
    conn: Connection, member_id: str, now: datetime, *, revoke_tokens: bool = True
) -> tuple[Member, Revoked]:
    """Disable a member (in the caller's transaction): sessions end, and API tokens are revoked
    unless asked to keep them, so that enabling the member again does not bring back a token
    that may be in someone else's hands."""
    member = members.disable_member(conn, member_id)
    ended = sessions.end_member_sessions(conn, member_id)
    revoked = tokens.revoke_member_tokens(conn, member_id, now) if revoke_tokens else 0
    return member, Revoked(sessions_ended=ended, tokens_revoked=revoked)


def _count_wrong_current(node: Node, member_id: str) -> None:
    settings = node.settings
    with node.store.write() as conn:
        locked_until = count_wrong_password(
            conn,
            member_id,
            node.now(),
            int(settings.lockout_threshold),
            int(settings.lockout_minutes),
        )
        append(
            conn,
            _entry(member_id, AuditAction.LOGIN_FAILED, {"via": "password change"}),
            node.now(),
        )
        if locked_until is not None:
            sessions.end_member_sessions(conn, member_id)
    if locked_until is not None:
        wait = int((locked_until - node.now()).total_seconds())
        raise RateLimited(
            f"account locked until {locked_until.isoformat()}",
            details={"locked_until": locked_until.isoformat(), "retry_after": max(1, wait)},
        )


def _entry(member_id: str, action: AuditAction, details: dict[str, str]) -> AuditEntry:
    return AuditEntry(actor=f"member:{member_id}", action=action, details=details)
