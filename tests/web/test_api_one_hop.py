"""The hot endpoints check credentials in the worker thread that does their work, with nothing
cached between requests: whatever changes a token or its member applies to the next request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.accounts import members, tokens
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import api_tokens, items
from tests.factories import add_member, alert_body, api, token_for

POST = "/api/v1/alerts"


def _post(client: Any, **headers: str) -> Any:
    return client.post(POST, json={"body": alert_body()}, headers=headers)


def _held(node: Node) -> int:
    with node.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(items)).scalar_one())


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_revoked_token_is_refused_on_the_next_request(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    client = api(node, token_for(node, member))
    assert _post(client).status_code == 201
    with node.store.write() as conn:  # as the CLI would, from another process
        token_id = conn.execute(select(api_tokens.c.id)).scalar_one()
        tokens.revoke_token(conn, token_id, node.now())
    held = _held(node)
    assert _error(_post(client)) == (401, "unauthenticated")
    assert _error(client.get(POST)) == (401, "unauthenticated")
    assert _held(node) == held


def test_a_disabled_member_is_refused_on_the_next_request(node: Node) -> None:
    member, _ = add_member(node, "bilal", Role.OFFICER)
    client = api(node, token_for(node, member))
    assert client.get(POST).status_code == 200
    with node.store.write() as conn:
        members.disable_member(conn, member.id)
    assert _error(_post(client)) == (401, "unauthenticated")


def test_a_role_change_applies_to_the_next_request(node: Node) -> None:
    member, _ = add_member(node, "chen", Role.OFFICER)
    client = api(node, token_for(node, member))
    assert _post(client).status_code == 201
    with node.store.write() as conn:
        members.set_role(conn, member.id, Role.ADMIN)
    held = _held(node)
    assert _post(client).status_code == 403
    assert _held(node) == held


def test_a_read_only_token_cannot_post_and_nothing_is_stored(node: Node) -> None:
    member, _ = add_member(node, "dana", Role.OFFICER)
    client = api(node, token_for(node, member, ("read",)))
    assert client.get(POST).status_code == 200
    assert _error(_post(client)) == (403, "scope_denied")
    assert _held(node) == 0


@pytest.mark.parametrize("body", [{"body": "not an object"}, {"nope": 1}, {}])
def test_no_credentials_is_401_before_the_body_is_judged(node: Node, body: Any) -> None:
    assert _error(api(node).post(POST, json=body)) == (401, "unauthenticated")


def test_a_bad_token_is_401_before_the_justification_is_judged(node: Node) -> None:
    bad = api(node, "csn_not-a-real-token")
    assert _error(_post(bad, **{"X-Justification": "tab\tinside"})) == (401, "unauthenticated")
    member, _ = add_member(node, "emil", Role.OFFICER)
    good = api(node, token_for(node, member))
    assert _error(_post(good, **{"X-Justification": "tab\tinside"})) == (422, "invalid_input")


def test_the_answer_is_the_item_as_published(node: Node) -> None:
    member, _ = add_member(node, "fatima", Role.OFFICER)
    client = api(node, token_for(node, member))
    created = _post(client)
    assert created.status_code == 201 and created.headers["content-type"] == "application/json"
    item = created.json()
    shown = client.get(f"/api/v1/items/{item['id']}").json()["item"]
    assert item == shown
