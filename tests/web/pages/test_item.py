"""The item page: banner, facts, thread, acknowledgements, hits, history, retraction, and the
justification asked before personal data is shown (LED Art 25)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from csnet.access import Caller
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.grading import AdmiraltyGrade
from csnet.handling.markings import TLP, Handling, HandlingCode, Markings
from csnet.handling.roles import Role
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store import item_store
from csnet.store.tables import audit_log
from tests.factories import alert_body
from tests.web.pages.conftest import Browser, log_in

SHA = "ab" * 32


def _alert(node: Node, browser: Browser, **body: Any) -> Envelope:
    marks: dict[str, Any] = {
        "tlp": TLP.RED,
        "handling": Handling(code=HandlingCode.H1),
    }
    if body.get("persons"):
        marks["subjects"] = tuple({DataSubjectCategory(p["category"]) for p in body["persons"]})
    new = NewItem(
        "alert",
        alert_body(**body),
        Markings(**marks),
        grading=AdmiraltyGrade(source="B", information="2"),
        audience_nodes=(node.node_id,),  # TLP:RED: this node named, so its members read it
    )
    return publish(node, Caller(browser.member), new)


def test_item_page_shows_banner_facts_and_empty_states(node: Node) -> None:
    amina = log_in(node)
    env = _alert(node, amina, evidence=[{"name": "photo.jpg", "sha256": SHA}])
    response = amina.client.get(f"/items/{env.id}")
    assert response.status_code == 200
    html = response.text
    assert 'class="markings-banner tlp-red"' in html and "TLP:RED" in html
    assert ">H1<" in html and "Grading: B2" in html
    assert "Admiralty B2: source usually reliable" in html
    assert "Overloaded fishing vessel south of Crete" in html and 'dir="auto"' in html
    assert 'data-map-point data-lat="34.2" data-lon="24.1"' in html
    assert "Central Mediterranean" in html and node.node_id[:12] in html and "PK-FIA" in html
    assert f"SHA-256 {SHA}" in html and "photo.jpg" in html
    assert "No replies yet" in html and "Nobody has acknowledged it yet" in html
    assert "No hits yet" in html and "Not corrected" in html
    assert "Retract" in html  # the author's own item


def test_unknown_and_malformed_ids_are_404(node: Node) -> None:
    client = log_in(node).client
    assert client.get(f"/items/{'0' * 64}").status_code == 404
    assert client.get("/items/not-an-id").status_code == 404


def test_reply_and_acknowledgements_appear_in_the_thread(node: Node) -> None:
    amina = log_in(node)
    bilal = log_in(node, "bilal")
    env = _alert(node, amina)
    reply = bilal.post(f"/items/{env.id}/reply", {"text": "Our patrol boat is on its way."})
    assert reply.status_code == 200  # type: ignore[attr-defined]  # followed the 303
    seen = bilal.post(f"/items/{env.id}/ack", {"state": "actioned"}, follow_redirects=False)
    assert seen.status_code == 303  # type: ignore[attr-defined]
    html = amina.client.get(f"/items/{env.id}").text
    assert "Our patrol boat is on its way." in html
    assert 'class="ack-actioned"' in html and bilal.member.display_name in html
    empty = bilal.post(f"/items/{env.id}/reply", {"text": "  "})
    assert empty.status_code == 422 and "Write the reply." in empty.text  # type: ignore[attr-defined]


def test_post_without_csrf_token_is_refused(node: Node) -> None:
    amina = log_in(node)
    env = _alert(node, amina)
    response = amina.client.post(f"/items/{env.id}/reply", data={"text": "hello"})
    assert response.status_code == 403
    response = amina.client.post(f"/items/{env.id}/retract", data={"reason": "wrong"})
    assert response.status_code == 403


def test_author_retracts_others_cannot(node: Node) -> None:
    amina = log_in(node)
    bilal = log_in(node, "bilal")
    env = _alert(node, amina)
    assert (
        "Retract" not in bilal.client.get(f"/items/{env.id}").text.split("Corrections history")[1]
    )
    refused = bilal.post(f"/items/{env.id}/retract", {"reason": "not mine"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    no_reason = amina.post(f"/items/{env.id}/retract", {"reason": ""})
    assert no_reason.status_code == 422  # type: ignore[attr-defined]
    done = amina.post(
        f"/items/{env.id}/retract", {"reason": "sent by mistake"}, follow_redirects=False
    )
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == f"/items/{env.id}/retracted"  # type: ignore[attr-defined]
    assert "Item retracted" in amina.client.get(done.headers["location"]).text  # type: ignore[attr-defined]
    assert amina.client.get(f"/items/{env.id}").status_code == 404
    with node.store.read() as conn:
        assert item_store.get_item(conn, env.id) is None


def test_correction_through_the_compose_form_shows_history(node: Node) -> None:
    amina = log_in(node)
    env = _alert(node, amina)
    form = amina.post(f"/items/{env.id}/correct", {})
    assert form.status_code == 200  # type: ignore[attr-defined]
    html: str = form.text  # type: ignore[attr-defined]
    assert f'name="corrects" value="{env.id}"' in html
    assert 'value="Overloaded fishing vessel south of Crete"' in html
    assert 'value="TLP:RED" checked' in html and 'value="H1" checked' in html
    assert amina.client.get(f"/compose?corrects={env.id}").status_code == 200
    fields = {
        "kind": "alert",
        "corrects": env.id,
        "title": "Fishing vessel south of Gavdos",
        "text": "About 350 persons.",
        "urgency": "FLASH",
        "tlp": "TLP:RED",
        "handling": "H1",
        "basis": "fact",
        "scheme": "admiralty",
        "admiralty_source": "B",
        "admiralty_information": "1",
    }
    done = amina.post("/compose", fields, follow_redirects=False)
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    new_id = done.headers["location"].removeprefix("/items/")  # type: ignore[attr-defined]
    page = amina.client.get(f"/items/{new_id}").text
    assert "Corrections history" in page and f'href="/items/{env.id}"' in page
    old = amina.client.get(f"/items/{env.id}").text
    assert "This version was corrected." in old and f'href="/items/{new_id}"' in old


def test_personal_data_opens_only_with_a_justification_and_is_audited(node: Node) -> None:
    amina = log_in(node)
    person = {"name": "Skipper X", "category": "suspect"}
    env = _alert(node, amina, persons=[person])
    closed = amina.client.get(f"/items/{env.id}")
    assert closed.status_code == 200
    assert "Skipper X" not in closed.text and "Overloaded fishing vessel" not in closed.text
    assert f'action="/items/{env.id}/open"' in closed.text and "tlp-red" in closed.text
    empty = amina.post(f"/items/{env.id}/open", {"justification": " "})
    assert empty.status_code == 422  # type: ignore[attr-defined]
    why = "Operation Poseidon, case 2026/114"
    opened = amina.post(f"/items/{env.id}/open", {"justification": why})
    assert opened.status_code == 200  # type: ignore[attr-defined]
    assert "Skipper X" in opened.text and "suspect" in opened.text  # type: ignore[attr-defined]
    assert why in opened.text  # type: ignore[attr-defined]  # carried in hidden fields only
    with node.store.read() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.justification, audit_log.c.actor).where(
                audit_log.c.item_id == env.id, audit_log.c.action == "consultation"
            )
        ).all()
    assert rows and all(r.justification == why for r in rows)
    assert rows[0].actor == f"member:{amina.member.id}"


def test_items_outside_the_audience_are_not_found(node: Node) -> None:
    amina = log_in(node)
    env = _alert(node, amina)
    admin = log_in(node, "root", Role.ADMIN)
    assert admin.client.get(f"/items/{env.id}").status_code == 200
    person = _alert(node, amina, persons=[{"name": "Victim V", "category": "victim"}])
    # administrators never consult personal data: not found, not even a justification form
    refused = admin.client.get(f"/items/{person.id}")
    assert refused.status_code == 404 and "justification" not in refused.text.lower()
    assert admin.post(f"/items/{person.id}/open", {"justification": "x"}).status_code == 404  # type: ignore[attr-defined]


def test_related_hits_are_listed_with_their_reason(node: Node) -> None:
    amina = log_in(node)
    first = _alert(node, amina, text="Smuggler's phone +92 300 1234567")
    second = _alert(node, amina, text="Same number 0300 1234567 seen at Gwadar")
    html = amina.client.get(f"/items/{first.id}").text
    assert f'href="/items/{second.id}"' in html
    assert "first seen" in html and "+92 300 1234567" in html


def test_correcting_personal_data_needs_the_justification_too(node: Node) -> None:
    amina = log_in(node)
    env = _alert(node, amina, persons=[{"name": "Skipper X", "category": "suspect"}])
    asked = amina.client.get(f"/compose?corrects={env.id}")
    assert asked.status_code == 200 and "Skipper X" not in asked.text
    assert f'action="/items/{env.id}/correct"' in asked.text
    why = "Case 2026/114: wrong name"
    form = amina.post(f"/items/{env.id}/correct", {"justification": why})
    html: str = form.text  # type: ignore[attr-defined]
    assert 'value="Skipper X"' in html and f'name="justification" value="{why}"' in html
    fields = {
        "kind": "alert",
        "corrects": env.id,
        "justification": why,
        "title": "Overloaded fishing vessel",
        "text": "About 300 persons.",
        "urgency": "FLASH",
        "tlp": "TLP:RED",
        "handling": "H1",
        "basis": "fact",
        "person-0-name": "Skipper Z",
        "person-0-category": "suspect",
    }
    done = amina.post("/compose", fields, follow_redirects=False)
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    with node.store.read() as conn:
        old = item_store.get_item(conn, env.id)
    assert old is not None and old.superseded_by is not None
