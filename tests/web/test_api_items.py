"""The item API end to end through the app: post, list, show, reply, ack, correct, erase."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, alert_body, api, token_for


@pytest.fixture
def officer(node: Node) -> Any:
    member, _ = add_member(node, "officer", Role.OFFICER)
    return api(node, token_for(node, member))


def _post(client: Any, **markings: Any) -> dict[str, Any]:
    response = client.post("/api/v1/alerts", json={"body": alert_body(), "markings": markings})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_post_alert_returns_signed_envelope(node: Node, officer: Any) -> None:
    item = _post(officer, tlp="TLP:AMBER")
    env = item["envelope"]
    assert item["kind"] == "alert" and env["origin"] == node.node_id
    assert env["seq"] == 1 and env["sig"] and env["id"] == item["id"]
    assert env["body"]["urgency"] == "FLASH"
    assert env["markings"]["tlp"] == "TLP:AMBER"
    assert node.node_id in env["audience"]["nodes"]


def test_list_is_newest_first_and_pages(officer: Any) -> None:
    ids = [_post(officer)["id"] for _ in range(5)]
    first = officer.get("/api/v1/alerts", params={"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    second = officer.get("/api/v1/alerts", params={"limit": 2, "before": first["next_before"]})
    assert [i["id"] for i in second.json()["items"]] == ids[::-1][2:4]


def test_empty_list(officer: Any) -> None:
    page = officer.get("/api/v1/alerts").json()
    assert page == {"items": [], "next_before": None}


def test_show_with_replies_and_acks(officer: Any) -> None:
    item_id = _post(officer)["id"]
    reply = officer.post(f"/api/v1/items/{item_id}/replies", json={"text": "Assets tasked."})
    assert reply.status_code == 201
    ack = officer.post(f"/api/v1/items/{item_id}/acks", json={"state": "actioned"})
    assert ack.status_code == 201
    detail = officer.get(f"/api/v1/items/{item_id}").json()
    assert [r["envelope"]["body"]["text"] for r in detail["replies"]] == ["Assets tasked."]
    assert [a["state"] for a in detail["acks"]] == ["actioned"]
    assert detail["replies"][0]["envelope"]["replies_to"] == item_id


def test_correction_supersedes(officer: Any) -> None:
    item_id = _post(officer)["id"]
    fixed = alert_body(title="Corrected: vessel south-west of Crete")
    response = officer.post(f"/api/v1/items/{item_id}/corrections", json={"body": fixed})
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]
    listed = [i["id"] for i in officer.get("/api/v1/alerts").json()["items"]]
    assert listed == [new_id]
    assert officer.get(f"/api/v1/items/{item_id}").json()["item"]["superseded_by"] == new_id


def test_erase_leaves_a_tombstone(officer: Any) -> None:
    item_id = _post(officer)["id"]
    response = officer.post(
        f"/api/v1/items/{item_id}/erase",
        json={"reason": "entered in error", "legal_basis": "LED Art 16"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "tombstone"
    assert officer.get(f"/api/v1/items/{item_id}").status_code == 404
    assert officer.get("/api/v1/alerts").json()["items"] == []


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"body": alert_body(urgency="SOON")}, 422),
        ({"body": alert_body(title="")}, 422),
        ({"body": alert_body(place={"name": "x", "lat": 95, "lon": 1})}, 422),
        ({"body": alert_body(), "markings": {"tlp": "TLP:BLUE"}}, 422),
        ({"body": alert_body(), "markings": {"handling": {"code": "H3"}}}, 422),
        (
            {
                "body": alert_body(),
                "grading": {"scheme": "admiralty", "source": "X", "information": "1"},
            },
            422,
        ),
        ({"body": alert_body(), "surprise": 1}, 422),
    ],
)
def test_bad_input_is_a_clear_4xx_and_nothing_is_stored(
    officer: Any, payload: dict[str, Any], status: int
) -> None:
    response = officer.post("/api/v1/alerts", json=payload)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert officer.get("/api/v1/alerts").json()["items"] == []


def test_unknown_item_is_404(officer: Any) -> None:
    response = officer.get("/api/v1/items/" + "0" * 64)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_personal_data_needs_justification(node: Node, officer: Any) -> None:
    body = alert_body(persons=[{"name": "Tariq A.", "category": "suspect"}])
    created = officer.post(
        "/api/v1/alerts", json={"body": body, "markings": {"subjects": ["suspect"]}}
    )
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    bare = officer.get(f"/api/v1/items/{item_id}")
    assert bare.status_code == 403
    assert bare.json()["error"]["code"] == "justification_required"
    listed = officer.get("/api/v1/alerts").json()["items"]
    assert listed[0]["restricted"] is True and listed[0]["envelope"] is None
    justified = officer.get(
        f"/api/v1/items/{item_id}", headers={"X-Justification": "case 2026/114, boat interception"}
    )
    assert justified.status_code == 200
    assert justified.json()["item"]["envelope"]["body"]["persons"][0]["name"] == "Tariq A."


def test_person_category_must_be_declared_in_markings(officer: Any) -> None:
    body = alert_body(persons=[{"name": "A. Khan", "category": "victim"}])
    response = officer.post("/api/v1/alerts", json={"body": body})
    assert response.status_code == 422


def test_notes(officer: Any) -> None:
    note = {
        "title": "Hawala release messages",
        "text": "Paid after an 'OK' voice note.",
        "topic": "financial",
        "tags": ["hawala"],
    }
    assert officer.post("/api/v1/notes", json={"body": note}).status_code == 201
    items = officer.get("/api/v1/notes").json()["items"]
    assert items[0]["envelope"]["body"]["topic"] == "financial"
    assert officer.get("/api/v1/alerts").json()["items"] == []


def test_admin_cannot_publish(node: Node) -> None:
    admin, _ = add_member(node, "root", Role.ADMIN)
    client = api(node, token_for(node, admin))
    response = client.post("/api/v1/alerts", json={"body": alert_body()})
    assert response.status_code == 403


def test_read_only_token_cannot_post(node: Node) -> None:
    member, _ = add_member(node, "reader", Role.ANALYST)
    client = api(node, token_for(node, member, ("read",)))
    assert client.get("/api/v1/alerts").status_code == 200
    response = client.post("/api/v1/alerts", json={"body": alert_body()})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_denied"


def test_only_author_or_supervisor_corrects(node: Node, officer: Any) -> None:
    item_id = _post(officer)["id"]
    other, _ = add_member(node, "other", Role.OFFICER)
    boss, _ = add_member(node, "boss", Role.SUPERVISOR)
    fixed = {"body": alert_body(title="changed")}
    denied = api(node, token_for(node, other)).post(
        f"/api/v1/items/{item_id}/corrections", json=fixed
    )
    assert denied.status_code == 403
    allowed = api(node, token_for(node, boss)).post(
        f"/api/v1/items/{item_id}/corrections", json=fixed
    )
    assert allowed.status_code == 201


def test_erasure_removes_every_version(node: Node, officer: Any) -> None:
    first = _post(officer)["id"]
    second = officer.post(
        f"/api/v1/items/{first}/corrections", json={"body": alert_body(title="v2")}
    ).json()["id"]
    erased = officer.post(f"/api/v1/items/{second}/erase", json={"reason": "wrong person"})
    assert erased.status_code == 201
    assert officer.get(f"/api/v1/items/{first}").status_code == 404
    assert officer.get(f"/api/v1/items/{second}").status_code == 404
    with node.store.read() as conn:
        from csnet.store import item_store

        assert item_store.get_item(conn, first) is None
        assert item_store.get_item(conn, second) is None


def test_person_fields_are_strict(officer: Any) -> None:
    body = alert_body(persons=[{"name": "A. Khan", "category": "suspect", "year_of_birth": "1980"}])
    response = officer.post(
        "/api/v1/alerts", json={"body": body, "markings": {"subjects": ["suspect"]}}
    )
    assert response.status_code == 422


def test_oversized_item_is_refused_before_storing(officer: Any) -> None:
    persons = [{"name": "ن" * 300, "category": "suspect", "note": "ب" * 2000} for _ in range(100)]
    body = alert_body(persons=persons)
    response = officer.post(
        "/api/v1/alerts", json={"body": body, "markings": {"subjects": ["suspect"]}}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "item_too_large"


def test_short_id_prefix_finds_the_item(officer: Any) -> None:
    item_id = _post(officer)["id"]
    found = officer.get(f"/api/v1/items/{item_id[:12]}")
    assert found.status_code == 200 and found.json()["item"]["id"] == item_id
    assert officer.get("/api/v1/items/abc").status_code == 422
