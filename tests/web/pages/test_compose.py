"""The compose page: pickers that explain themselves, publishing, and errors shown inline."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.federation import group_ops
from csnet.federation.peers import PeerIdentity, add_peer
from csnet.items.keys import NodeKey
from csnet.node import Node
from csnet.store import item_store
from csnet.store.tables import items
from csnet.web.pages import compose
from tests.web.pages.conftest import Browser, log_in

SHA = "0f" * 32


def _peer(node: Node) -> str:
    key = NodeKey.from_seed(bytes(range(1, 33)))
    identity = PeerIdentity(
        key.node_id, "Hellenic Coast Guard", "GR", "HCG", "https://hcg.example", key.public_key
    )
    with node.store.write() as conn:
        add_peer(conn, identity, node.now())
    return key.node_id


def _count(node: Node) -> int:
    with node.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(items)).scalar_one())


def _alert_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": "alert",
        "title": "Rubber boat leaving Zuwara tonight",
        "text": "About 40 people, departure around 02:00.",
        "urgency": "FLASH",
        "tags": "boat, night",
        "route": "Central Mediterranean",
        "place_name": "Zuwara",
        "lat": "32.93",
        "lon": "12.08",
        "tlp": "TLP:AMBER+STRICT",
        "handling": "H2",
        "basis": "assessment",
        "scheme": "europol_4x4",
        "europol_4x4_source": "B",
        "europol_4x4_information": "2",
        "person-0-name": "Skipper X",
        "person-0-category": "suspect",
        "person-0-nationality": "ly",
        "person-0-year_of_birth": "1985",
        "person-1-name": "Passenger Y",
        "person-1-category": "smuggled_migrant",
        "person-1-nationality": "",
        "person-1-year_of_birth": "",
        "evidence-0-name": "photo.jpg",
        "evidence-0-sha256": SHA.upper(),
        "evidence-0-description": "Boat at the beach",
    }
    form.update(overrides)
    return form


def test_compose_renders_every_picker_with_its_meaning(node: Node) -> None:
    gid = group_ops.create(node, "Central Med", "host:test").id
    peer = _peer(node)
    page = log_in(node).client.get("/compose")
    assert page.status_code == 200
    html = page.text
    assert 'aria-current="page"' in html and 'name="csrf_token"' in html
    for label in ("TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"):
        assert f'value="{label}"' in html
    assert "only within their own organisation" in html  # what AMBER+STRICT allows
    assert "H2: not to be disseminated further" in html
    assert "Mostly reliable" in html  # Europol B
    assert "Known personally to the source but not to the official passing it on" in html
    assert "Usually reliable" in html and "Truth cannot be judged" in html  # Admiralty
    assert "Lives at risk now" in html  # FLASH explained
    assert f'value="{gid}"' in html and "Central Med" in html
    assert f'value="{peer}"' in html and "Hellenic Coast Guard" in html
    assert "it stays on this node only" in html
    assert "data-map-picker" in html and "leaflet.js" in html
    assert 'name="person-0-name"' in html and 'name="person-1-name"' in html
    assert 'hx-get="/compose/person-row?i=2"' in html
    assert "never treated as suspects" in html and "smuggled migrant (protected)" in html
    assert 'data-hash-into="evidence-0-sha256"' in html
    assert '<option value="Central Mediterranean">' in html


def test_note_form_has_topics_and_no_urgency(node: Node) -> None:
    html = log_in(node).client.get("/compose?kind=note").text
    assert 'name="topic"' in html and "Modus operandi" in html
    assert 'name="urgency"' not in html and "data-map-picker" not in html


def test_publishing_an_alert_stores_what_was_chosen(node: Node) -> None:
    gid = group_ops.create(node, "Central Med", "host:test").id
    peer = _peer(node)
    browser = log_in(node)
    form = _alert_form(groups=[gid], nodes=[peer])
    response = browser.post("/compose", form, follow_redirects=False)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    item_id = response.headers["location"].removeprefix("/items/")  # type: ignore[attr-defined]
    with node.store.read() as conn:
        held = item_store.get_item(conn, item_id)
    assert held is not None
    env = held.envelope
    assert env.kind == "alert" and env.author == browser.member.id
    assert env.audience.groups == (gid,) and set(env.audience.nodes) == {node.node_id, peer}
    assert env.markings.tlp.value == "TLP:AMBER+STRICT"
    assert env.markings.handling.code.value == "H2"
    assert env.markings.basis.value == "assessment"
    assert [s.value for s in env.markings.subjects] == ["smuggled_migrant", "suspect"]
    assert env.grading is not None and env.grading.label == "B2"
    assert env.grading.scheme == "europol_4x4"
    body = env.body
    assert body["urgency"] == "FLASH" and body["tags"] == ["boat", "night"]
    assert body["place"] == {"name": "Zuwara", "lat": 32.93, "lon": 12.08}
    assert body["persons"][0] == {
        "name": "Skipper X",
        "category": "suspect",
        "nationality": "LY",
        "year_of_birth": 1985,
    }
    assert body["persons"][1]["category"] == "smuggled_migrant"
    assert body["evidence"] == [
        {"name": "photo.jpg", "sha256": SHA, "description": "Boat at the beach"}
    ]


def test_publishing_runs_off_the_event_loop(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing and committing block: they run in a worker thread, never on the event loop."""
    on_loop: list[bool] = []

    def publish(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop in this thread: a worker thread
            on_loop.append(False)
        else:
            on_loop.append(True)
        return real(*args, **kwargs)

    real = compose.publish
    monkeypatch.setattr(compose, "publish", publish)
    response = log_in(node).post("/compose", _alert_form(), follow_redirects=False)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert on_loop == [False]


def test_a_note_without_persons_declares_no_subjects(node: Node) -> None:
    browser = log_in(node)
    form = {
        "kind": "note",
        "title": "False floors in vans",
        "text": "Compartments under the floor.",
        "topic": "concealment",
        "tlp": "TLP:GREEN",
        "handling": "H0",
        "basis": "fact",
        "person-0-name": "",
        "person-0-category": "suspect",
    }
    response = browser.post("/compose", form, follow_redirects=False)
    assert response.status_code == 303  # type: ignore[attr-defined]
    with node.store.read() as conn:
        (held,) = item_store.list_items(conn, kinds=["note"])
    assert held.envelope.markings.subjects == () and "persons" not in held.envelope.body
    assert held.envelope.audience.nodes == (node.node_id,)  # no audience: this node only
    assert held.envelope.grading is None


def _invalid(browser: Browser, node: Node, **overrides: Any) -> str:
    before = _count(node)
    response = browser.post("/compose", _alert_form(**overrides))
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert _count(node) == before  # nothing stored
    html: str = response.text  # type: ignore[attr-defined]
    assert 'class="form-errors"' in html
    return html


def test_invalid_input_is_shown_inline_and_every_value_kept(node: Node) -> None:
    browser = log_in(node)
    html = _invalid(browser, node, title="  ", **{"evidence-0-sha256": "abc123"})
    assert 'id="title-error"' in html and "Give a title" in html
    assert 'id="evidence-0-sha256-error"' in html and "64 hexadecimal" in html
    # what was typed is still there, persons and evidence included
    assert 'value="abc123"' in html and 'value="Skipper X"' in html
    assert 'value="Passenger Y"' in html and 'value="Boat at the beach"' in html
    assert 'value="smuggled_migrant" selected' in html
    assert 'value="TLP:AMBER+STRICT" checked' in html and 'value="H2" checked' in html
    assert 'id="europol_4x4-source-B" name="europol_4x4_source" value="B" checked' in html
    assert "About 40 people" in html


def test_lat_without_lon_is_refused(node: Node) -> None:
    html = _invalid(log_in(node), node, lon="")
    assert 'id="place-error"' in html and "both latitude and longitude" in html
    assert 'value="32.93"' in html


def test_h3_without_its_text_and_a_bad_person_are_refused(node: Node) -> None:
    html = _invalid(log_in(node), node, handling="H3", **{"person-1-year_of_birth": "1850"})
    assert 'id="handling-error"' in html and "H3 needs the restriction" in html
    assert 'id="person-1-year_of_birth-error"' in html


def test_a_named_person_needs_a_category(node: Node) -> None:
    html = _invalid(log_in(node), node, **{"person-0-category": ""})
    assert 'id="person-0-category-error"' in html and "Choose the person&#39;s category" in html
    assert '<option value="" selected>' in html


def test_alert_without_urgency_or_grade_letter_is_refused(node: Node) -> None:
    html = _invalid(log_in(node), node, urgency="", europol_4x4_information="")
    assert 'id="urgency-error"' in html and 'id="grading-error"' in html


def test_audience_outside_the_offer_is_refused(node: Node) -> None:
    html = _invalid(log_in(node), node, groups=["grp-00000000000000000000"])
    assert 'id="audience-error"' in html


def test_post_without_csrf_token_is_refused(node: Node) -> None:
    browser = log_in(node)
    response = browser.client.post("/compose", data=_alert_form())
    assert response.status_code == 403
    assert _count(node) == 0


def test_add_person_without_javascript_keeps_the_form(node: Node) -> None:
    browser = log_in(node)
    response = browser.post("/compose", _alert_form(add_person="1"))
    assert response.status_code == 200  # type: ignore[attr-defined]
    html: str = response.text  # type: ignore[attr-defined]
    assert 'name="person-2-name"' in html and 'value="Skipper X"' in html
    assert 'hx-get="/compose/person-row?i=3"' in html
    assert _count(node) == 0


def test_person_row_fragment_for_htmx(node: Node) -> None:
    response = log_in(node).client.get("/compose/person-row?i=4")
    assert response.status_code == 200
    assert 'name="person-4-name"' in response.text and "<html" not in response.text
    assert 'hx-swap-oob="true"' in response.text and "person-row?i=5" in response.text


def test_tags_split_on_latin_and_arabic_commas() -> None:
    from csnet.web.pages.compose_build import split_list

    assert split_list("قارب، ليبيا,boat") == ["قارب", " ليبيا", "boat"]


def test_a_red_alert_names_the_members_of_this_node_who_read_it(node: Node) -> None:
    author = log_in(node)
    named = log_in(node, "bilal")
    other = log_in(node, "chen")
    assert named.member.display_name in author.client.get("/compose").text
    form = _alert_form(tlp="TLP:RED", members=[named.member.id])
    response = author.post("/compose", form, follow_redirects=False)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    item_id = response.headers["location"].removeprefix("/items/")  # type: ignore[attr-defined]
    with node.store.read() as conn:
        held = item_store.get_item(conn, item_id)
    assert held is not None
    assert held.envelope.audience.members == (named.member.id,)
    assert node.node_id not in held.envelope.audience.nodes
    path = f"/items/{item_id}"
    assert named.client.get(path, follow_redirects=False).status_code == 200
    assert other.client.get(path, follow_redirects=False).status_code == 404


def test_a_member_of_no_node_of_ours_cannot_be_named(node: Node) -> None:
    html = _invalid(log_in(node), node, tlp="TLP:RED", members=["m_not_a_member"])
    assert 'id="audience-error"' in html
