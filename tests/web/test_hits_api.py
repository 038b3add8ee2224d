"""GET /hits, GET /indicators and `event: hit` on the live stream, through the app."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csnet.audit.query import AuditFilter, list_entries
from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, alert_body, api, token_for
from tests.web.test_live import parse_sse, read_stream

NUMBER = "+92 300 1234567"
SUSPECT = {"name": "A. B.", "category": "suspect"}
VICTIM = {"name": "R. K.", "category": "victim"}


def client(node: Node, username: str, role: Role, **headers: str) -> Any:
    member, _ = add_member(node, username, role)
    return api(node, token_for(node, member), **headers)


@pytest.fixture
def poster(node: Node) -> Any:
    return client(node, "poster", Role.OFFICER)


def post(poster: Any, text: str, persons: tuple[dict[str, str], ...] = ()) -> str:
    subjects = sorted({p["category"] for p in persons})
    body = {
        "body": alert_body(text=text, persons=list(persons)),
        "markings": {"tlp": "TLP:AMBER", "subjects": subjects},
    }
    response = poster.post("/api/v1/alerts", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_hits_are_listed_newest_first_and_paged(node: Node, poster: Any) -> None:
    ids = [post(poster, f"phone {NUMBER}, case {i}") for i in range(3)]
    reader = client(node, "reader", Role.ANALYST)
    first = reader.get("/api/v1/hits", params={"limit": 2}).json()
    assert [(h["item_id"], h["other_id"]) for h in first["hits"]] == [
        (ids[2], ids[1]),
        (ids[2], ids[0]),
    ]
    rest = reader.get("/api/v1/hits", params={"limit": 2, "before": first["next_before"]})
    assert [(h["item_id"], h["other_id"]) for h in rest.json()["hits"]] == [(ids[1], ids[0])]
    assert rest.json()["next_before"] is None


def test_a_bad_cursor_is_refused(node: Node, poster: Any) -> None:
    response = poster.get("/api/v1/hits", params={"before": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_cursor"


def test_hit_reaches_the_live_stream(node: Node, poster: Any) -> None:
    first = post(poster, f"phone {NUMBER}")
    second = post(poster, "0300 1234567 again")
    reader = client(node, "reader", Role.ANALYST)
    events = parse_sse(read_stream(reader, after=0))
    hits = [json.loads(e["data"]) for e in events if e["event"] == "hit"]
    assert [(h["item_id"], h["other_id"], h["display"]) for h in hits] == [
        (second, first, "+92 300 1234567")
    ]
    assert set(hits[0]) >= {"value_type", "other_origin", "first_seen", "reason"}


def test_personal_data_hit_needs_a_justification_to_show_its_value(node: Node, poster: Any) -> None:
    post(poster, f"phone {NUMBER}", (SUSPECT,))
    post(poster, f"phone {NUMBER}")
    (hidden,) = client(node, "reader", Role.ANALYST).get("/api/v1/hits").json()["hits"]
    assert hidden["restricted"] is True and hidden["display"] is None
    assert "1234567" not in hidden["reason"]
    just = client(node, "reader2", Role.ANALYST, **{"X-Justification": "case 2026/114"})
    (shown,) = just.get("/api/v1/hits").json()["hits"]
    assert shown["display"] == "+92 300 1234567"
    with node.store.read() as conn:
        audit = list_entries(conn, AuditFilter(), limit=50)
    assert any(
        e["action"] == "consultation" and e["justification"] == "case 2026/114" for e in audit
    )


def test_victims_number_is_a_protection_hit_only(node: Node, poster: Any) -> None:
    post(poster, f"victim reachable on {NUMBER}", (VICTIM,))
    post(poster, f"facilitator uses {NUMBER}")
    headers = {"X-Justification": "case 2026/114"}
    officer = client(node, "reader", Role.OFFICER, **headers)
    assert officer.get("/api/v1/hits").json()["hits"] == []
    stream = parse_sse(read_stream(client(node, "watcher", Role.OFFICER), after=0))
    assert [e for e in stream if e["event"] == "hit"] == []
    guard = client(node, "guard", Role.PROTECTION_OFFICER, **headers)
    (hit,) = guard.get("/api/v1/hits").json()["hits"]
    assert hit["purpose"] == "protection"


def test_indicator_search_reads_any_writing_of_a_number(node: Node, poster: Any) -> None:
    item = post(poster, f"phone {NUMBER}")
    reader = client(node, "reader", Role.ANALYST)
    for q in ("0300-1234567", "+٩٢ ٣٠٠ ١٢٣٤٥٦٧", "tel:+923001234567"):
        found = reader.get("/api/v1/indicators", params={"q": q, "type": "phone"}).json()
        (match,) = found["matches"]
        assert (match["type"], match["value"]) == ("phone", "+923001234567")
        assert [h["item"]["id"] for h in match["items"]] == [item]
    untyped = reader.get("/api/v1/indicators", params={"q": "0300 1234567"}).json()
    assert item in {h["item"]["id"] for m in untyped["matches"] for h in m["items"]}


def test_indicator_search_hides_personal_data_without_justification(
    node: Node, poster: Any
) -> None:
    post(poster, f"phone {NUMBER}", (SUSPECT,))
    reader = client(node, "reader", Role.ANALYST)
    (match,) = reader.get("/api/v1/indicators", params={"q": NUMBER, "type": "phone"}).json()[
        "matches"
    ]
    (held,) = match["items"]
    assert held["item"]["restricted"] is True and held["item"]["envelope"] is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "+92 12", "type": "phone"}, "invalid_identifier"),
        ({"q": "hello there"}, "no_identifier"),
        ({"q": NUMBER, "type": "nosuch"}, "invalid_input"),
        ({"q": ""}, "invalid_input"),
    ],
)
def test_indicator_search_refuses_bad_input(poster: Any, params: dict[str, str], code: str) -> None:
    response = poster.get("/api/v1/indicators", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_websocket_sends_hits_by_kind(node: Node, poster: Any) -> None:
    member, _ = add_member(node, "socket", Role.ANALYST)
    first = post(poster, f"phone {NUMBER}")
    second = post(poster, "0300 1234567 again")
    with api(node).websocket_connect("/api/v1/ws") as ws:
        ws.send_json({"token": token_for(node, member), "after": 0, "max_seconds": 0.5})
        assert ws.receive_json()["event"] == "ready"
        received = [ws.receive_json() for _ in range(4)]
    events = [e for e in received if e["event"] != "gap"]  # after=0: from the oldest kept
    assert [e["event"] for e in events] == ["alert", "alert", "hit"]
    assert (events[2]["data"]["item_id"], events[2]["data"]["other_id"]) == (second, first)
