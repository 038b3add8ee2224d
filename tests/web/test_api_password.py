"""Changing one's password through the API: sessions end, API tokens are revoked unless the
member asks to keep them, and a wrong current password counts like a failed login."""

from __future__ import annotations

from sqlalchemy import select

from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import api_tokens
from tests.factories import PASSWORD, add_member, api, token_for

NEW_PASSWORD = "a different, longer passphrase"


def _change(node: Node, token: str, current: str = PASSWORD, **extra: object) -> object:
    body = {"current_password": current, "new_password": NEW_PASSWORD, **extra}
    return api(node, token).post("/api/v1/auth/password", json=body)


def test_password_change_revokes_every_token_by_default(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    used, other = token_for(node, member), token_for(node, member)
    response = _change(node, used)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.json() == {"tokens_revoked": 2, "sessions_ended": 0}  # type: ignore[attr-defined]
    for token in (used, other):
        assert api(node, token).get("/api/v1/auth/me").status_code == 401


def test_password_change_keeps_tokens_when_asked(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token = token_for(node, member)
    response = _change(node, token, keep_tokens=True)
    assert response.json()["tokens_revoked"] == 0  # type: ignore[attr-defined]
    assert api(node, token).get("/api/v1/auth/me").status_code == 200


def test_wrong_current_password_is_refused_and_counted(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token = token_for(node, member)
    refused = _change(node, token, current="not the password at all")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert refused.json()["error"]["details"] == {"current_password": "wrong"}  # type: ignore[attr-defined]
    assert api(node, token).get("/api/v1/auth/me").status_code == 200  # nothing revoked


def test_admin_disable_revokes_tokens_unless_asked_to_keep_them(node: Node) -> None:
    admin, _ = add_member(node, "root", Role.ADMIN)
    boss = api(node, token_for(node, admin, ("read", "admin")))
    first, _ = add_member(node, "amina", Role.OFFICER)
    second, _ = add_member(node, "bilal", Role.OFFICER)
    token_for(node, first), token_for(node, second)
    assert boss.post(f"/api/v1/members/{first.id}/disable").json()["tokens_revoked"] == 1
    kept = boss.post(f"/api/v1/members/{second.id}/disable", json={"revoke_tokens": False})
    assert kept.json()["tokens_revoked"] == 0
    with node.store.read() as conn:
        revoked = {t.member_id: t.revoked for t in conn.execute(select(api_tokens))}
    assert revoked[first.id] is not None  # dead even if the member is enabled again
    assert revoked[second.id] is None
