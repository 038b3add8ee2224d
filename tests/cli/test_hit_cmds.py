"""`csnet indicator search/add/show` and `csnet hits` over the API (the app in-process)."""

from __future__ import annotations

import json
from itertools import count

import pytest

from csnet.access import Caller
from csnet.cli.main import run
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish
from tests.cli.conftest import route_cli_to
from tests.factories import add_member, alert_body, token_for

URL = "https://node.test"
AUTHORS = count(1)


@pytest.fixture
def served(node: Node, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's requests go to the app in-process; returns an analyst's token."""
    route_cli_to(node, URL, monkeypatch)
    member, _ = add_member(node, "analyst", Role.ANALYST)
    return token_for(node, member)


def post(node: Node, text: str) -> str:
    officer, _ = add_member(node, f"officer{next(AUTHORS)}", Role.OFFICER)
    return publish(node, Caller(officer), NewItem("alert", alert_body(text=text))).id


def test_indicator_search_finds_the_item(
    node: Node, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    item = post(node, "phone +92 300 1234567")
    args = ["indicator", "search", "0300-1234567", "--type", "phone", "--json"]
    assert run([*args, "--url", URL, "--token", served]) == 0
    (match,) = json.loads(capsys.readouterr().out)["matches"]
    assert match["value"] == "+923001234567" and match["items"][0]["item"]["id"] == item
    assert run(["indicator", "search", "0300-1234567", "--url", URL, "--token", served]) == 0
    assert item[:12] in capsys.readouterr().out


def test_hits_lists_why(node: Node, served: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = post(node, "phone +92 300 1234567")
    second = post(node, "again 0300 1234567")
    assert run(["hits", "--json", "--url", URL, "--token", served]) == 0
    (hit,) = json.loads(capsys.readouterr().out)["hits"]
    assert (hit["item_id"], hit["other_id"]) == (second, first)
    assert run(["hits", "--url", URL, "--token", served]) == 0
    assert "+92 300 1234567" in capsys.readouterr().out


def test_a_bad_identifier_exits_2(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["indicator", "search", "+92 12", "--type", "phone", "--url", URL, "--token", served]
    assert run(args) == 2
    assert "phone" in capsys.readouterr().err.lower()


def test_indicator_add_records_it_and_prints_its_hits(
    node: Node, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    alert = post(node, "phone +92 300 1234567")
    args = ["indicator", "add", "0300 1234567", "--type", "phone", "--country", "pk"]
    seen = ["--context", "recruitment post", "--subject", "suspect", "--to", node.node_id]
    assert run([*args, *seen, "--json", "--url", URL, "--token", served]) == 0
    added = json.loads(capsys.readouterr().out)
    envelope = added["item"]["envelope"]
    assert envelope["body"]["value"] == "+923001234567"
    assert envelope["markings"]["subjects"] == ["suspect"]
    assert [h["other_id"] for h in added["hits"]] == [alert]
    assert run([*args, "--context", "again", "--url", URL, "--token", served]) == 0
    out = capsys.readouterr().out
    assert "Recorded phone +923001234567 as item" in out and alert[:12] in out


def test_indicator_add_refuses_a_bad_checksum(
    served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["indicator", "add", "IMO 9074723", "--type", "vessel", "--context", "off Zuwara"]
    assert run([*args, "--url", URL, "--token", served]) == 2
    assert "check digit" in capsys.readouterr().err


def test_indicator_show_needs_a_justification_and_shows_the_value(
    node: Node, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    item = post(node, "phone +92 300 1234567")
    where = ["--url", URL, "--token", served]
    assert run(["indicator", "show", "phone", "0300-1234567", *where]) == 3
    assert "justification" in capsys.readouterr().err
    assert run(["indicator", "show", "phone", "0300-1234567", "-j", "case 7", *where]) == 0
    out = capsys.readouterr().out
    assert "Phone number · canonical +923001234567 · specificity 0.9" in out
    assert item[:12] in out and "No hits." in out
    assert run(["indicator", "show", "+92 300 1234567", "-j", "case 7", "--json", *where]) == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["item"]["id"] == item


def test_indicator_show_says_when_nothing_is_held(
    served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["indicator", "show", "+30 210 123 4567", "-j", "case 7", "--url", URL]
    assert run([*args, "--token", served]) == 0
    assert "canonical +302101234567 · specificity 0.9 · never seen on this node" in (
        capsys.readouterr().out
    )
