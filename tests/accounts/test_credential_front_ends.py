"""Tokens and passwords change through one service each: whether the API, the account page or
the CLI acts, the audit entry reads the same, apart from who acted ("host:<user>" for the CLI on
the node's host; `csnet login` and `csnet password` go through the API as the member)."""

from __future__ import annotations

import getpass
from typing import Any

import pytest

from csnet.accounts import token_ops
from csnet.accounts.members import Member
from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.cli.main import run as cli_main
from csnet.handling.roles import Role
from csnet.node import Node
from tests.cli.conftest import route_cli_to
from tests.cli.test_cli_admin import run
from tests.factories import PASSWORD, add_member, api, token_for, totp_now
from tests.web.pages.conftest import Browser, log_in

URL = "http://node.test"
NEW_PASSWORD = "a different, longer passphrase"
MADE_BY = ("api", "api-login", "page", "cli")
REVOKED_BY = ("api", "page", "cli")
CHANGED_BY = ("api", "page", "cli")


def _member(front: str, node: Node) -> tuple[Member, Browser | None, str]:
    """The member acting, their browser on the page front-end, and their TOTP secret."""
    if front == "page":
        browser = log_in(node)
        return browser.member, browser, browser.secret
    member, secret = add_member(node, "amina", Role.OFFICER)
    return member, None, secret


def _entries(node: Node, action: AuditAction) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter(action=action))


def _actor(front: str, member: Member) -> str:
    return f"host:{getpass.getuser()}" if front == "cli" else f"member:{member.id}"


def _data_dir(node: Node) -> list[str]:
    return ["--data-dir", str(node.settings.data_dir)]


def _make(front: str, node: Node, member: Member, browser: Browser | None, secret: str) -> None:
    if front == "api":
        made = api(node, token_for(node, member)).post(
            "/api/v1/tokens", json={"name": "laptop", "scopes": ["read"]}
        )
        assert made.status_code == 201, made.text
    elif front == "api-login":
        body = {"username": "amina", "password": PASSWORD, "totp": totp_now(secret)}
        made = api(node).post(
            "/api/v1/auth/token", json={**body, "token_name": "laptop", "scopes": ["read"]}
        )
        assert made.status_code == 201, made.text
    elif front == "page":
        assert browser is not None
        form = {"name": "laptop", "scopes": "read", "days": str(node.settings.token_days)}
        assert _post(browser, "/account/tokens", form).status_code == 200
    else:
        flags = ["--name", "laptop", "--scope", "read", *_data_dir(node)]
        code, out = run("token", "create", "amina", *flags)
        assert code == 0, out


def _post(browser: Browser, path: str, data: dict[str, str] | None = None) -> Any:
    form = {"csrf_token": browser.csrf, **(data or {})}
    return browser.client.post(path, data=form, follow_redirects=False)


@pytest.mark.parametrize("front", MADE_BY)
def test_making_a_token_is_audited_alike_by_every_front_end(front: str, node: Node) -> None:
    member, browser, secret = _member(front, node)
    _make(front, node, member, browser, secret)
    [made] = [t for t in token_ops.list_of(node, member.id) if t.name == "laptop"]
    [entry] = _entries(node, AuditAction.TOKEN_CHANGE)
    assert entry["actor"] == _actor(front, member)
    assert entry["details"] == {
        "member": member.id,
        "token": made.id,
        "change": "created",
        "scopes": ["read"],
    }


@pytest.mark.parametrize("front", REVOKED_BY)
def test_revoking_a_token_is_audited_alike_by_every_front_end(front: str, node: Node) -> None:
    member, browser, _secret = _member(front, node)
    token_for(node, member)  # why: made without the service, so the log holds only the revocation
    [target] = token_ops.list_of(node, member.id)
    if front == "api":
        done = api(node, token_for(node, member)).delete(f"/api/v1/tokens/{target.id}")
        assert done.status_code == 204, done.text
    elif front == "page":
        assert browser is not None
        assert _post(browser, f"/account/tokens/{target.id}/revoke").status_code == 303
    else:
        code, out = run("token", "revoke", target.id, *_data_dir(node))
        assert code == 0, out
    [entry] = _entries(node, AuditAction.TOKEN_CHANGE)
    assert entry["actor"] == _actor(front, member)
    assert entry["details"] == {"member": member.id, "token": target.id, "change": "revoked"}


@pytest.mark.parametrize("front", CHANGED_BY)
def test_changing_the_password_is_audited_alike_by_every_front_end(
    front: str, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    member, browser, _secret = _member(front, node)
    token = token_for(node, member)  # every front-end revokes this one token
    if front == "api":
        body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        done = api(node, token).post("/api/v1/auth/password", json=body)
        assert done.status_code == 200, done.text
    elif front == "page":
        assert browser is not None
        form = {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        }
        assert _post(browser, "/account/password", form).status_code == 303
    else:
        route_cli_to(node, URL, monkeypatch)
        answers = iter((PASSWORD, NEW_PASSWORD))
        monkeypatch.setattr("typer.prompt", lambda *_a, **_k: next(answers))
        assert cli_main(["password", "--url", URL, "--token", token]) == 0
    [entry] = _entries(node, AuditAction.MEMBER_CHANGE)
    assert entry["actor"] == f"member:{member.id}"  # the CLI changes it through the API
    assert entry["details"] == {
        "member": member.id,
        "change": "password changed",
        "tokens": "1 revoked",
    }
