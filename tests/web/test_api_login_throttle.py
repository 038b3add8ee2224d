"""Failed logins: the answers never tell whether a username exists, one address spraying a
password over many accounts is slowed, and a stranger cannot lock the real user out."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from csnet.handling.roles import Role
from csnet.node import Node
from csnet.web.app import create_app
from tests.factories import PASSWORD, add_member, totp_now


def _from(node: Node, address: str) -> TestClient:
    return TestClient(create_app(node), raise_server_exceptions=False, client=(address, 50000))


def _wrong(client: TestClient, username: str) -> Any:
    body = {"username": username, "password": "not the password!", "totp": "123456"}
    return client.post("/api/v1/auth/login", json=body)


def test_unknown_user_gets_exactly_the_answers_of_a_known_one(node: Node) -> None:
    add_member(node, "bilal", Role.OFFICER)
    known = [_wrong(_from(node, "10.0.0.1"), "bilal").status_code for _ in range(6)]
    unknown = [_wrong(_from(node, "10.0.0.2"), "nobody").status_code for _ in range(6)]
    threshold = int(node.settings.lockout_threshold)
    assert known == [401] * (threshold - 1) + [429] * (7 - threshold)
    assert unknown == known


def test_one_address_spraying_many_accounts_is_throttled(node: Node) -> None:
    client = _from(node, "10.0.0.3")
    limit = int(node.settings.login_address_threshold)
    answers = [_wrong(client, f"user{i}").status_code for i in range(limit + 5)]
    assert answers[: limit - 1] == [401] * (limit - 1)
    assert set(answers[limit - 1 :]) == {429}
    last = _wrong(client, "someone-else")
    assert last.status_code == 429 and int(last.headers["Retry-After"]) > 0
    assert _wrong(_from(node, "10.0.0.4"), "user1").status_code == 401  # other addresses unaffected


def test_a_stranger_cannot_lock_the_real_user_out(node: Node) -> None:
    _member, secret = add_member(node, "amina", Role.OFFICER)
    stranger = _from(node, "10.0.0.5")
    for _ in range(int(node.settings.lockout_threshold)):
        _wrong(stranger, "amina")
    assert _wrong(stranger, "amina").status_code == 429
    body = {"username": "amina", "password": PASSWORD, "totp": totp_now(secret)}
    assert _from(node, "10.0.0.6").post("/api/v1/auth/login", json=body).status_code == 200


def test_the_page_login_answers_alike_for_unknown_users(node: Node) -> None:
    add_member(node, "chen", Role.ANALYST)

    def statuses(address: str, username: str) -> list[int]:
        client = _from(node, address)
        form = {"username": username, "password": "not the password!", "totp": "123456"}
        return [client.post("/login", data=form).status_code for _ in range(6)]

    assert statuses("10.0.0.7", "chen") == statuses("10.0.0.8", "nobody")
