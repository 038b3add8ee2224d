"""Authentication over HTTP: health is open, everything else needs a token or a session."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import PASSWORD, add_member, alert_body, api, token_for, totp_now


def _login(client: Any, username: str, secret: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "totp": totp_now(secret)},
    )


def test_health_needs_no_authentication(node: Node) -> None:
    body = api(node).get("/api/v1/health").json()
    assert body["status"] == "ok" and body["node_id"] == node.node_id and body["name"] == "PK-FIA"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/alerts"),
        ("POST", "/api/v1/alerts"),
        ("GET", "/api/v1/node"),
        ("GET", "/api/v1/members"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/tokens"),
        ("GET", "/api/v1/auth/me"),
    ],
)
def test_everything_else_needs_authentication(node: Node, method: str, path: str) -> None:
    response = api(node).request(method, path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_bad_token_is_401(node: Node) -> None:
    client = api(node, "csn_not-a-real-token")
    assert client.get("/api/v1/alerts").status_code == 401
    odd = api(node, Authorization="Basic abc")
    assert odd.get("/api/v1/alerts").status_code == 401


def test_session_login_with_totp_and_csrf(node: Node) -> None:
    _member, secret = add_member(node, "amina", Role.OFFICER)
    client = api(node)
    response = _login(client, "amina", secret)
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = response.json()["csrf_token"]
    assert client.get("/api/v1/auth/me").json()["username"] == "amina"
    no_csrf = client.post("/api/v1/alerts", json={"body": alert_body()})
    assert no_csrf.status_code == 403
    assert no_csrf.json()["error"]["code"] == "csrf_failed"
    ok = client.post("/api/v1/alerts", json={"body": alert_body()}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_wrong_totp_or_password_is_401_and_locks_out(node: Node) -> None:
    _member, secret = add_member(node, "bilal", Role.OFFICER)
    client = api(node)
    wrong = client.post(
        "/api/v1/auth/login", json={"username": "bilal", "password": PASSWORD, "totp": "000000"}
    )
    assert wrong.status_code == 401
    for _ in range(int(node.settings.lockout_threshold)):
        _login(client, "bilal", secret, password="wrong password!!")
    locked = _login(client, "bilal", secret)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "rate_limited"


def test_unknown_user_gets_the_same_answer(node: Node) -> None:
    response = api(node).post(
        "/api/v1/auth/login", json={"username": "nobody", "password": PASSWORD, "totp": "123456"}
    )
    assert response.status_code == 401


def test_token_login_for_the_cli(node: Node) -> None:
    _member, secret = add_member(node, "chen", Role.ANALYST)
    response = api(node).post(
        "/api/v1/auth/token",
        json={
            "username": "chen",
            "password": PASSWORD,
            "totp": totp_now(secret),
            "token_name": "cli",
        },
    )
    assert response.status_code == 201, response.text
    token = response.json()["secret"]
    assert api(node, token).get("/api/v1/auth/me").json()["role"] == "analyst"


def test_token_lifecycle(node: Node) -> None:
    member, _ = add_member(node, "dana", Role.SUPERVISOR)
    client = api(node, token_for(node, member))
    created = client.post("/api/v1/tokens", json={"name": "script", "scopes": ["read"]})
    assert created.status_code == 201
    new = created.json()
    assert api(node, new["secret"]).get("/api/v1/alerts").status_code == 200
    listed = client.get("/api/v1/tokens").json()
    assert new["token"]["id"] in {t["id"] for t in listed}
    assert all("secret" not in t for t in listed)
    assert client.delete(f"/api/v1/tokens/{new['token']['id']}").status_code == 204
    assert api(node, new["secret"]).get("/api/v1/alerts").status_code == 401


def test_token_cannot_escalate(node: Node) -> None:
    member, _ = add_member(node, "eve", Role.OFFICER)
    client = api(node, token_for(node, member))
    response = client.post("/api/v1/tokens", json={"name": "x", "scopes": ["admin"]})
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ANALYST, Role.SUPERVISOR])
def test_token_login_cannot_mint_the_admin_scope(node: Node, role: Role) -> None:
    _member, secret = add_member(node, "analyst", role)
    response = api(node).post(
        "/api/v1/auth/token",
        json={
            "username": "analyst",
            "password": PASSWORD,
            "totp": totp_now(secret),
            "scopes": ["admin", "read", "write"],
        },
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "scope_denied"


def test_token_login_defaults_to_30_days(node: Node) -> None:
    _member, secret = add_member(node, "kofi", Role.ANALYST)
    login = {"username": "kofi", "password": PASSWORD, "totp": totp_now(secret)}
    created = api(node).post("/api/v1/auth/token", json=login).json()["token"]
    from datetime import datetime

    lifetime = datetime.fromisoformat(created["expires"]) - datetime.fromisoformat(
        created["created"]
    )
    assert lifetime.days == 30


def test_admin_gets_the_admin_scope_by_token_login(node: Node) -> None:
    _member, secret = add_member(node, "root", Role.ADMIN)
    login = {"username": "root", "password": PASSWORD, "totp": totp_now(secret)}
    response = api(node).post("/api/v1/auth/token", json={**login, "scopes": ["admin"]})
    assert response.status_code == 201, response.text
    assert response.json()["token"]["scopes"] == ["admin"]


def test_admin_manages_members(node: Node) -> None:
    admin, _ = add_member(node, "root", Role.ADMIN)
    client = api(node, token_for(node, admin, ("read", "write", "admin")))
    created = client.post(
        "/api/v1/members",
        json={
            "username": "fatima",
            "display_name": "Fatima",
            "role": "protection_officer",
            "password": "a long enough password",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["totp_uri"].startswith("otpauth://totp/")
    duplicate = client.post(
        "/api/v1/members",
        json={
            "username": "fatima",
            "display_name": "F",
            "role": "officer",
            "password": "a long enough password",
        },
    )
    assert duplicate.status_code == 409
    member_id = created.json()["member"]["id"]
    assert client.post(f"/api/v1/members/{member_id}/disable").json()["disabled"] is True
    names = [m["username"] for m in client.get("/api/v1/members").json()]
    assert "fatima" not in names


def test_non_admin_cannot_manage_members(node: Node) -> None:
    member, _ = add_member(node, "gul", Role.SUPERVISOR)
    assert api(node, token_for(node, member)).get("/api/v1/members").status_code == 403


def test_disabled_member_token_stops_working(node: Node) -> None:
    member, _ = add_member(node, "hamid", Role.OFFICER)
    token = token_for(node, member)
    admin, _ = add_member(node, "root", Role.ADMIN)
    admin_client = api(node, token_for(node, admin, ("read", "write", "admin")))
    admin_client.post(f"/api/v1/members/{member.id}/disable")
    assert api(node, token).get("/api/v1/alerts").status_code == 401


def test_read_only_token_cannot_manage_tokens(node: Node) -> None:
    member, _ = add_member(node, "ines", Role.ANALYST)
    writer = api(node, token_for(node, member))
    created = writer.post("/api/v1/tokens", json={"name": "other", "scopes": ["read"]}).json()
    reader = api(node, token_for(node, member, ("read",)))
    assert reader.get("/api/v1/tokens").status_code == 200
    assert reader.delete(f"/api/v1/tokens/{created['token']['id']}").status_code == 403
    assert reader.post("/api/v1/tokens", json={"name": "x", "scopes": ["read"]}).status_code == 403


def test_token_lifetime_defaults_to_the_setting(node: Node) -> None:
    member, _ = add_member(node, "jamal", Role.ANALYST)
    created = (
        api(node, token_for(node, member))
        .post("/api/v1/tokens", json={"name": "x", "scopes": ["read"]})
        .json()["token"]
    )
    from datetime import datetime

    lifetime = datetime.fromisoformat(created["expires"]) - datetime.fromisoformat(
        created["created"]
    )
    assert lifetime.days == int(node.settings.token_days)
