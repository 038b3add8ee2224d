"""The API, the admin pages and the CLI administer members through one service: whichever of
them acts, the audit log reads the same, apart from who acted."""

from __future__ import annotations

import getpass
from typing import Any

import pytest

from csnet.accounts.members import Member, get_by_username
from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.handling.roles import Role
from csnet.node import Node
from tests.cli.test_cli_admin import run
from tests.factories import PASSWORD, add_member, api, token_for
from tests.web.pages.conftest import Browser, log_in

FRONT_ENDS = ("api", "page", "cli")
NEW = {"username": "yusuf", "display_name": "Yusuf", "role": "officer", "password": PASSWORD}


def _api(node: Node, admin: Browser) -> Any:
    return api(node, token_for(node, admin.member, ("read", "write", "admin")))


def _add(front: str, node: Node, admin: Browser) -> None:
    if front == "api":
        assert _api(node, admin).post("/api/v1/members", json=NEW).status_code == 201
    elif front == "page":
        assert _form(admin, "/admin/members", NEW).status_code == 200
    else:
        flags = ["--role", NEW["role"], "--name", NEW["display_name"], "--password", PASSWORD]
        code, out = run("member", "add", NEW["username"], *flags, *_data_dir(node))
        assert code == 0, out


def _disable(front: str, node: Node, admin: Browser, member: Member) -> None:
    if front == "api":
        done = _api(node, admin).post(f"/api/v1/members/{member.id}/disable")
        assert done.status_code == 200, done.text
    elif front == "page":
        assert _form(admin, f"/admin/members/{member.id}/disable").status_code == 303
    else:
        code, out = run("member", "disable", member.username, *_data_dir(node))
        assert code == 0, out


def _form(admin: Browser, path: str, data: dict[str, str] | None = None) -> Any:
    form = {"csrf_token": admin.csrf, **(data or {})}
    return admin.client.post(path, data=form, follow_redirects=False)


def _data_dir(node: Node) -> list[str]:
    return ["--data-dir", str(node.settings.data_dir)]


def _actor(front: str, admin: Browser) -> str:
    return f"host:{getpass.getuser()}" if front == "cli" else f"member:{admin.member.id}"


def _entries_about(node: Node, member_id: str) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        found = list_entries(conn, AuditFilter(action=AuditAction.MEMBER_CHANGE))
    return [e for e in found if e["details"].get("member") == member_id]


@pytest.mark.parametrize("front", FRONT_ENDS)
def test_adding_a_member_is_audited_alike_by_every_front_end(front: str, node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    _add(front, node, admin)
    with node.store.read() as conn:
        added = get_by_username(conn, "yusuf")
    [entry] = _entries_about(node, added.id)
    assert (entry["actor"], entry["action"]) == (_actor(front, admin), "member_change")
    assert entry["details"] == {"member": added.id, "change": "added as officer"}


@pytest.mark.parametrize("front", FRONT_ENDS)
def test_disabling_a_member_is_audited_alike_by_every_front_end(front: str, node: Node) -> None:
    admin = log_in(node, "root", Role.ADMIN)
    officer, _ = add_member(node, "amina", Role.OFFICER)
    token_for(node, officer)
    _disable(front, node, admin, officer)
    [entry] = _entries_about(node, officer.id)
    assert (entry["actor"], entry["action"]) == (_actor(front, admin), "member_change")
    assert entry["details"] == {"member": officer.id, "change": "disabled", "tokens": "1 revoked"}
