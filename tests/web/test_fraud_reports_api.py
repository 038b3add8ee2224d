"""POST and GET /documents/fraud-reports: a report is an item, correlated by its document."""

from __future__ import annotations

from typing import Any

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, alert_body, api, token_for
from tests.items.test_document_bodies import fraud_body

PATH = "/api/v1/documents/fraud-reports"


def client(node: Node, username: str, role: Role = Role.OFFICER) -> Any:
    member, _ = add_member(node, username, role)
    return api(node, token_for(node, member))


def file_report(officer: Any, **body: Any) -> dict[str, Any]:
    payload = {"body": fraud_body(**body), "markings": {"tlp": "TLP:AMBER"}}
    response = officer.post(PATH, json=payload)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_report_is_filed_signed_and_listed(node: Node) -> None:
    officer = client(node, "officer")
    created = file_report(officer)
    assert created["kind"] == "document_fraud"
    assert created["envelope"]["body"]["document"]["number"] == "L898902C3"
    listed = client(node, "analyst", Role.ANALYST).get(PATH).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_a_report_hits_a_later_alert_naming_the_same_document(node: Node) -> None:
    officer = client(node, "officer")
    report = file_report(officer)
    text = "Traveller held at gate 4, passport L898902C36 (UTO), ticket to Bari"
    alert = officer.post("/api/v1/alerts", json={"body": alert_body(text=text)})
    assert alert.status_code == 201, alert.text
    hits = client(node, "analyst", Role.ANALYST).get("/api/v1/hits").json()["hits"]
    pairs = {(h["item_id"], h["other_id"]) for h in hits}
    assert (alert.json()["id"], report["id"]) in pairs


def test_a_bad_report_is_refused_with_the_error_body_and_nothing_stored(node: Node) -> None:
    officer = client(node, "officer")
    bad = {"body": fraud_body(fraud_type="fake"), "markings": {"tlp": "TLP:AMBER"}}
    response = officer.post(PATH, json=bad)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_body"
    assert officer.get(PATH).json()["items"] == []


def test_a_holder_must_be_declared_in_the_markings(node: Node) -> None:
    officer = client(node, "officer")
    holder = [{"name": "R. K.", "category": "smuggled_migrant"}]
    undeclared = {"body": fraud_body(persons=holder), "markings": {"tlp": "TLP:AMBER"}}
    response = officer.post(PATH, json=undeclared)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "undeclared_subjects"


def test_reports_need_a_token(node: Node) -> None:
    response = api(node).get(PATH)
    assert response.status_code == 401
    assert response.json()["error"]["code"]
