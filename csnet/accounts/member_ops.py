"""Member administration: the one service behind the API, the admin pages and the CLI.

Each action runs in a transaction of its own with its audit entry, so a refused change leaves
neither a row nor a log line behind. The entry reads the same whichever front-end acted: only
the actor differs ("member:<id>" for an administrator on the web, "host:<user>" for the CLI).
The node keeps at least one enabled administrator (members.py refuses the last one's disabling
or demotion).
"""

from __future__ import annotations

from sqlalchemy import Connection

from csnet.accounts import credentials, members
from csnet.accounts.credentials import Revoked
from csnet.accounts.members import Member
from csnet.audit import AuditAction, AuditEntry, append
from csnet.handling.roles import Role
from csnet.node import Node


def member_actor(member_id: str) -> str:
    """The audit actor of a member acting through the web (API or pages)."""
    return f"member:{member_id}"


def add(
    node: Node,
    actor: str,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
) -> tuple[Member, str]:
    """Create a member; returns it with the TOTP secret to enrol (shown once, never again)."""
    with node.store.write() as conn:
        member, secret = members.add_member(
            conn,
            username=username,
            display_name=display_name,
            role=role,
            password=password,
            now=node.now(),
            hasher=node.hasher,
        )
        _audit(node, conn, actor, member.id, change=f"added as {member.role.value}")
    return member, secret


def disable(
    node: Node, actor: str, member_id: str, *, revoke_tokens: bool = True
) -> tuple[Member, Revoked]:
    """Disable a member: their sessions end, and their API tokens are revoked unless kept."""
    with node.store.write() as conn:
        member, ended = credentials.disable_member(
            conn, member_id, node.now(), revoke_tokens=revoke_tokens
        )
        # why: "kept" and "0 revoked" differ: the first leaves live tokens behind
        kept = "kept" if not revoke_tokens else f"{ended.tokens_revoked} revoked"
        _audit(node, conn, actor, member_id, change="disabled", tokens=kept)
    return member, ended


def enable(node: Node, actor: str, member_id: str) -> Member:
    """Let a disabled (or locked-out) member log in again."""
    with node.store.write() as conn:
        member = members.enable_member(conn, member_id)
        _audit(node, conn, actor, member_id, change="enabled")
    return member


def set_role(node: Node, actor: str, member_id: str, role: Role | str) -> Member:
    """Give a member another role (never demoting the last enabled administrator)."""
    with node.store.write() as conn:
        member = members.set_role(conn, member_id, role)
        _audit(node, conn, actor, member_id, change=f"role set to {member.role.value}")
    return member


def listing(node: Node, *, include_disabled: bool = False) -> list[Member]:
    """The members, by user name; the disabled ones too when asked."""
    with node.store.read() as conn:
        return members.list_members(conn, include_disabled=include_disabled)


def find(node: Node, username: str) -> Member:
    """The member with this user name (NotFound otherwise)."""
    with node.store.read() as conn:
        return members.get_by_username(conn, username)


def _audit(node: Node, conn: Connection, actor: str, member_id: str, **details: str) -> None:
    entry = AuditEntry(
        actor=actor, action=AuditAction.MEMBER_CHANGE, details={"member": member_id, **details}
    )
    append(conn, entry, node.now())
