"""POST /indicators (an identifier seen in the field) and GET /indicators/show, through the app."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.audit.query import AuditFilter, list_entries
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import items
from tests.web.test_hits_api import NUMBER, SUSPECT, VICTIM, client, post

JUSTIFIED = {"X-Justification": "case 2026/114"}


@pytest.fixture
def poster(node: Node) -> Any:
    return client(node, "poster", Role.OFFICER)


def add(poster: Any, value: str = "0300-1234567", **fields: Any) -> dict[str, Any]:
    body = {"type": "phone", "value": value, "context": "seen on a recruitment post", **fields}
    response = poster.post("/api/v1/indicators", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def show(reader: Any, q: str = NUMBER, **params: str) -> Any:
    return reader.get("/api/v1/indicators/show", params={"q": q, **params})


def stored(node: Node) -> int:
    with node.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(items)).scalar_one())


def test_add_stores_the_canonical_value_and_answers_the_hit_it_made(
    node: Node, poster: Any
) -> None:
    alert = post(poster, f"facilitator uses {NUMBER}")
    added = add(poster, country="PK", tags=["recruitment"])
    item = added["item"]
    assert item["kind"] == "indicator"
    assert item["envelope"]["body"] == {
        "value_type": "phone",
        "value": "+923001234567",
        "context": "seen on a recruitment post",
        "tags": ["recruitment"],
    }
    (hit,) = added["hits"]
    assert (hit["item_id"], hit["other_id"], hit["display"]) == (item["id"], alert, NUMBER)
    assert hit["purpose"] == "suspect"


def test_an_alert_after_the_indicator_hits_it(node: Node, poster: Any) -> None:
    indicator = add(poster)["item"]["id"]
    alert = post(poster, f"call {NUMBER}")
    (hit,) = client(node, "reader", Role.ANALYST).get("/api/v1/hits").json()["hits"]
    assert (hit["item_id"], hit["other_id"]) == (alert, indicator)


@pytest.mark.parametrize(
    ("fields", "code", "reason"),
    [
        ({"type": "vessel", "value": "IMO 9074723"}, "invalid_identifier", "check digit"),
        ({"type": "phone", "value": "+92 12"}, "invalid_identifier", "phone"),
        ({"type": "nosuch", "value": NUMBER}, "invalid_input", "unknown identifier type"),
        ({"type": "phone", "value": NUMBER, "country": "pk"}, "invalid_input", "country"),
    ],
)
def test_add_refuses_a_bad_value_with_its_reason_and_stores_nothing(
    node: Node, poster: Any, fields: dict[str, str], code: str, reason: str
) -> None:
    response = poster.post("/api/v1/indicators", json={"context": "seen", **fields})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code and reason in error["message"].lower()
    assert stored(node) == 0


def test_a_victims_number_is_never_a_suspect_hit(node: Node, poster: Any) -> None:
    post(poster, f"facilitator uses {NUMBER}")
    marks: dict[str, Any] = {"markings": {"subjects": ["victim"]}, "persons": [VICTIM]}
    assert add(poster, **marks)["hits"] == []
    assert client(node, "reader", Role.ANALYST, **JUSTIFIED).get("/api/v1/hits").json() == {
        "hits": [],
        "next_before": None,
    }
    guard = client(node, "guard", Role.PROTECTION_OFFICER, **JUSTIFIED)
    (hit,) = guard.get("/api/v1/hits").json()["hits"]
    assert hit["purpose"] == "protection"


def test_show_needs_a_justification(node: Node, poster: Any) -> None:
    add(poster)
    response = show(client(node, "reader", Role.ANALYST), type="phone")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "justification_required"


def test_show_gives_the_value_its_items_and_hits_and_is_audited(node: Node, poster: Any) -> None:
    alert = post(poster, f"facilitator uses {NUMBER}", (SUSPECT,))
    indicator = add(poster)["item"]["id"]
    shown = show(client(node, "reader", Role.ANALYST, **JUSTIFIED), "0300 1234567", type="phone")
    assert shown.status_code == 200, shown.text
    found = shown.json()
    assert (found["type"], found["value"], found["display"]) == ("phone", "+923001234567", NUMBER)
    assert (found["label"], found["specificity"], found["noisy"]) == ("Phone number", 0.9, False)
    assert found["first_seen"] is not None
    assert [h["item"]["id"] for h in found["items"]] == [indicator, alert]
    assert [(h["item_id"], h["other_id"]) for h in found["hits"]] == [(indicator, alert)]
    with node.store.read() as conn:
        audit = list_entries(conn, AuditFilter(item_id=alert), limit=50)
    (consulted,) = [e for e in audit if e["action"] == "consultation"]
    assert consulted["justification"] == "case 2026/114"
    assert consulted["details"]["via"] == "indicator show"


def test_show_recognises_the_type_and_says_when_nothing_is_held(node: Node) -> None:
    reader = client(node, "reader", Role.ANALYST, **JUSTIFIED)
    found = show(reader, "+30 210 123 4567").json()
    assert (found["type"], found["value"]) == ("phone", "+302101234567")
    assert (found["first_seen"], found["items"], found["hits"]) == (None, [], [])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "+92 12", "type": "phone"}, "invalid_identifier"),
        ({"q": NUMBER, "type": "nosuch"}, "invalid_input"),
        ({"q": "hello there"}, "no_identifier"),
        ({"q": f"{NUMBER} or +30 210 123 4567"}, "ambiguous_query"),
    ],
)
def test_show_refuses_bad_input(node: Node, params: dict[str, str], code: str) -> None:
    response = client(node, "reader", Role.ANALYST, **JUSTIFIED).get(
        "/api/v1/indicators/show", params=params
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
