"""TLP:RED through the API: the author and the recipients named read it, nobody else on the
originating node (administrators included)."""

from __future__ import annotations

from typing import Any

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, alert_body, api, token_for


def _client(node: Node, username: str, role: Role) -> tuple[str, Any]:
    member, _ = add_member(node, username, role)
    return member.id, api(node, token_for(node, member))


def _post_red(client: Any, members: list[str]) -> dict[str, Any]:
    body = {
        "body": alert_body(),
        "markings": {"tlp": "TLP:RED"},
        "audience": {"members": members},
    }
    response = client.post("/api/v1/alerts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_red_is_read_by_author_and_named_members_only(node: Node) -> None:
    _, author = _client(node, "author", Role.OFFICER)
    named_id, named = _client(node, "named", Role.ANALYST)
    _, other = _client(node, "other", Role.SUPERVISOR)
    _, admin = _client(node, "root", Role.ADMIN)
    item = _post_red(author, [named_id])
    assert node.node_id not in item["envelope"]["audience"]["nodes"]
    assert item["envelope"]["audience"]["members"] == [named_id]
    path = f"/api/v1/items/{item['id']}"
    assert author.get(path).status_code == 200
    assert named.get(path).status_code == 200
    assert other.get(path).status_code == 404
    assert admin.get(path).status_code in {403, 404}
    assert [i["id"] for i in named.get("/api/v1/alerts").json()["items"]] == [item["id"]]
    assert other.get("/api/v1/alerts").json()["items"] == []


def test_reply_to_red_stays_with_the_named(node: Node) -> None:
    named_id, named = _client(node, "named", Role.ANALYST)
    _, author = _client(node, "author", Role.OFFICER)
    _, other = _client(node, "other", Role.OFFICER)
    item = _post_red(author, [named_id])
    reply = named.post(f"/api/v1/items/{item['id']}/replies", json={"text": "seen, on it"})
    assert reply.status_code == 201, reply.text
    assert other.get(f"/api/v1/items/{reply.json()['id']}").status_code == 404
    assert author.get(f"/api/v1/items/{reply.json()['id']}").status_code == 200


def test_amber_still_reaches_the_whole_originating_node(node: Node) -> None:
    _, author = _client(node, "author", Role.OFFICER)
    _, other = _client(node, "other", Role.OFFICER)
    response = author.post("/api/v1/alerts", json={"body": alert_body()})
    assert other.get(f"/api/v1/items/{response.json()['id']}").status_code == 200
