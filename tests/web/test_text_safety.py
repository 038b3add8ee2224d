"""NUL and bidirectional controls: refused where they could spoof a title, a tag or a name,
shown isolated where multi-line text keeps them; the API and the pages answer alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, alert_body, api, token_for
from tests.web.pages.conftest import log_in
from tests.web.pages.test_compose import _alert_form, _count

RLO = "\u202e"


@pytest.fixture
def officer(node: Node) -> Any:
    member, _ = add_member(node, "officer", Role.OFFICER)
    return api(node, token_for(node, member))


def _refused(response: Any, needle: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert needle in json.dumps(error, ensure_ascii=False)


@pytest.mark.parametrize(
    "change",
    [
        {"title": f"Boat {RLO}3pm.exe"},
        {"tags": ["sar", "\u2066boat\u2069"]},
        {"route": "Central\u200f Mediterranean"},
        {"place": {"name": "Zuwara\u061c"}},
    ],
)
def test_bidi_controls_in_one_line_fields_are_refused(officer: Any, change: dict[str, Any]) -> None:
    response = officer.post("/api/v1/alerts", json={"body": alert_body(**change)})
    _refused(response, "bidirectional control character")


def test_bidi_controls_in_a_person_name_are_refused(officer: Any) -> None:
    body = alert_body(persons=[{"name": f"Ali {RLO}Hassan", "category": "suspect"}])
    response = officer.post(
        "/api/v1/alerts", json={"body": body, "markings": {"subjects": ["suspect"]}}
    )
    _refused(response, "U+202E")


@pytest.mark.parametrize(
    "body", [alert_body(title="Boat\x00"), alert_body(text="About 300\x00 persons")]
)
def test_nul_is_refused_in_titles_and_text(node: Node, officer: Any, body: dict[str, Any]) -> None:
    _refused(officer.post("/api/v1/alerts", json={"body": body}), "NUL")
    assert officer.get("/api/v1/alerts").json()["items"] == []


def test_nul_escaped_in_any_json_body_is_refused(officer: Any) -> None:
    response = officer.post("/api/v1/items/" + "0" * 64 + "/replies", json={"text": "a\x00b"})
    _refused(response, "NUL")


def test_a_doubled_backslash_before_u0000_is_text_not_nul(officer: Any) -> None:
    body = alert_body(text="a path: C:\\u0000\\file")
    assert officer.post("/api/v1/alerts", json={"body": body}).status_code == 201


def test_multi_line_text_keeps_bidi_controls_and_shows_them_isolated(node: Node) -> None:
    browser = log_in(node)
    text = f"Pick-up at \u202bمحطة الحافلات{RLO} gate 4"
    created = api(node, token_for(node, browser.member)).post(
        "/api/v1/alerts", json={"body": alert_body(text=text)}
    )
    assert created.status_code == 201, created.text
    page = browser.client.get(f"/items/{created.json()['id']}").text
    assert f'dir="auto">{text}</p>' in page  # the text is its own bidi isolate


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/groups", {"name": f"ops{RLO}team"}),
        ("/api/v1/tokens", {"name": f"cli{RLO}", "scopes": ["read"]}),
        (
            "/api/v1/members",
            {
                "username": "nadia",
                "display_name": f"Nadia{RLO}",
                "role": "officer",
                "password": "a long enough password",
            },
        ),
    ],
)
def test_names_refuse_bidi_controls(node: Node, path: str, body: dict[str, Any]) -> None:
    admin, _ = add_member(node, "root", Role.ADMIN)
    client = api(node, token_for(node, admin, ("read", "write", "admin")))
    _refused(client.post(path, json=body), "bidirectional control character")


@pytest.mark.parametrize("field", ["title", "tags", "place_name", "person-0-name", "text"])
def test_the_compose_form_shows_the_refusal_on_the_form(node: Node, field: str) -> None:
    browser = log_in(node)
    value = "Zuwara\x00" if field == "text" else f"Zuwara{RLO}"
    response: Any = browser.post("/compose", _alert_form(**{field: value}))
    assert response.status_code == 422, response.text
    html = response.text
    error_id = "place_name" if field == "place_name" else field
    assert f'id="{error_id}-error"' in html
    assert "bidirectional control character" in html
    assert _count(node) == 0


def test_the_admin_group_form_shows_the_refusal_at_the_name(node: Node) -> None:
    browser = log_in(node, "root", Role.ADMIN)
    response: Any = browser.post("/admin/groups", {"name": f"ops{RLO}team"})
    assert response.status_code == 422, response.text
    assert 'id="name-error"' in response.text
    assert "bidirectional control character U+202E" in response.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/items/{item}/reply", {"text": "a\x00b"}),
        ("/items/{item}/ack", {"state": "seen", "comment": "a\x00b"}),
        ("/items/{item}/retract", {"reason": "a\x00b"}),
        ("/search", {"q": "boat\x00"}),
        ("/search", {"q": "boat", "justification": "case\x00 7"}),
        ("/hits", {"justification": "case\x00 7"}),
        ("/account/tokens", {"name": "cli\x00", "scopes": "read", "days": "30"}),
    ],
)
def test_nul_in_a_page_form_is_422(node: Node, path: str, data: dict[str, str]) -> None:
    browser = log_in(node, "sup", Role.SUPERVISOR)
    created = api(node, token_for(node, browser.member)).post(
        "/api/v1/alerts", json={"body": alert_body()}
    )
    response: Any = browser.post(path.format(item=created.json()["id"]), data)
    assert response.status_code == 422, response.text
    assert "<html" in response.text  # a page, with the problem on it, not a bare error


@pytest.mark.parametrize(
    ("releasability", "named"),
    [
        ({"exclude_countries": ["EL"]}, "EL"),
        ({"allow_countries": ["GR", "UK"]}, "UK"),
        ({"exclude_nodes": ["csnht6p4ex562c7cizlylrcolmB", "gr-hcg"]}, "gr-hcg"),
    ],
)
def test_releasability_naming_no_country_or_node_is_refused(
    officer: Any, releasability: dict[str, Any], named: str
) -> None:
    markings = {"releasability": releasability}
    response = officer.post("/api/v1/alerts", json={"body": alert_body(), "markings": markings})
    _refused(response, named)
    assert response.json()["error"]["code"] == "bad_markings"
    assert officer.get("/api/v1/alerts").json()["items"] == []


def test_the_compose_form_names_a_code_that_is_no_country(node: Node) -> None:
    browser = log_in(node)
    response: Any = browser.post("/compose", _alert_form(exclude_countries="GR, el"))
    assert response.status_code == 422, response.text
    assert 'id="releasability-error"' in response.text
    assert "EL: not a country code" in response.text
    assert _count(node) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Boat\x1b[2J"}, "title"),
        ({"title": "Boat\nFLASH  fake row"}, "title"),
        ({"tags": ["sar", "boat\x07"]}, "tags.1"),
        ({"route": "Central\tMediterranean"}, "route"),
        ({"text": "About 300\x9b2J persons"}, "text"),
        ({"persons": [{"name": "Ali\x1b]0;x", "category": "suspect"}]}, "persons.0.name"),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    officer: Any, change: dict[str, Any], field: str
) -> None:
    markings = {"subjects": ["suspect"]}
    body = alert_body(**change)
    response = officer.post("/api/v1/alerts", json={"body": body, "markings": markings})
    _refused(response, "control character U+")
    assert field in json.dumps(response.json()["error"]["details"])


def test_multi_line_text_keeps_its_line_breaks_and_tabs(officer: Any) -> None:
    body = alert_body(text="About 300 persons\r\n\ton board")
    assert officer.post("/api/v1/alerts", json={"body": body}).status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Boat\x1b[2J"), ("tags", "boat, night\x07"), ("text", "About 40\x9b2J")],
)
def test_the_compose_form_shows_a_control_character_at_its_field(
    node: Node, field: str, value: str
) -> None:
    response: Any = log_in(node).post("/compose", _alert_form(**{field: value}))
    assert response.status_code == 422, response.text
    assert f'id="{field}-error"' in response.text
    assert "Remove the control character (such as ESC" in response.text
    assert _count(node) == 0
