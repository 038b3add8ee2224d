"""Bad input to any command is one readable line on stderr and exit 2, never a traceback; the
line names the field and, for a choice, the values allowed (the node's 422 answers included)."""

from __future__ import annotations

import json

import pytest

from csnet.cli.main import run
from csnet.handling.roles import Role
from csnet.node import Node
from tests.cli.conftest import SERVED_URL
from tests.factories import add_member, api, token_for

POST = ["alert", "post", "--title", "Boat", "--text", "40 people"]
NOWHERE = ["--url", "http://127.0.0.1:9", "--token", "csn_x"]


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in err, err
    return err


def test_unknown_tlp_names_the_option_and_the_labels(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*POST, "--tlp", "PURPLE", *NOWHERE]) == 2
    err = _one_line(capsys)
    assert "--tlp" in err and "PURPLE" in err and "AMBER+STRICT" in err and "RED" in err


def test_unknown_urgency_names_the_option_and_the_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run([*POST, "--urgency", "URGENT", *NOWHERE]) == 2
    err = _one_line(capsys)
    assert "--urgency" in err and "URGENT" in err and "FLASH" in err and "ROUTINE" in err


def test_text_that_is_not_unicode_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["alert", "post", "--title", "Boat \ud800", "--text", "x", *NOWHERE]
    assert run(args) == 2
    assert "Unicode" in _one_line(capsys)


def test_a_value_error_anywhere_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("bad [red]value[/red]")

    monkeypatch.setattr("csnet.cli.item_cmds.sharing", broken)
    assert run([*POST, *NOWHERE]) == 2
    assert "bad [red]value[/red]" in _one_line(capsys)  # printed as given, not as markup


def test_the_nodes_422_is_shown_with_its_pattern_intact(
    served_node: Node, capsys: pytest.CaptureFixture[str]
) -> None:
    member, _ = add_member(served_node, "amina", Role.OFFICER)
    args = [
        *POST,
        "--to",
        "notanode",
        "--url",
        SERVED_URL,
        "--token",
        token_for(served_node, member),
    ]
    assert run(args) == 2
    err = _one_line(capsys)
    assert "audience.nodes" in err and "^csn[a-z2-7]{24}$" in err


def test_the_api_names_the_body_field_and_the_values_allowed(served_node: Node) -> None:
    member, _ = add_member(served_node, "amina", Role.OFFICER)
    body = {"title": "Boat", "text": "40 people", "urgency": "URGENT"}
    answer = api(served_node, token_for(served_node, member)).post(
        "/api/v1/alerts", json={"body": body}
    )
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert "urgency" in message and "'FLASH'" in message and "'ROUTINE'" in message


def test_anyones_words_are_shown_as_text_not_markup(
    served_node: Node, capsys: pytest.CaptureFixture[str]
) -> None:
    member, _ = add_member(served_node, "amina", Role.OFFICER)
    token = ["--url", SERVED_URL, "--token", token_for(served_node, member)]
    args = ["alert", "post", "--title", "[/] closing tag", "--text", "[bold]not bold[/bold]"]
    assert run([*args, *token, "--json"]) == 0
    item_id = json.loads(capsys.readouterr().out)["id"]
    assert run(["alert", "show", item_id, *token]) == 0
    shown = capsys.readouterr().out
    assert "[/] closing tag" in shown and "[bold]not bold[/bold]" in shown
    assert run(["alert", "list", *token]) == 0
    assert "[/] closing" in capsys.readouterr().out


def test_a_red_alert_names_the_members_who_read_it(
    served_node: Node, capsys: pytest.CaptureFixture[str]
) -> None:
    author, _ = add_member(served_node, "amina", Role.OFFICER)
    named, _ = add_member(served_node, "bilal", Role.ANALYST)
    other, _ = add_member(served_node, "chen", Role.SUPERVISOR)
    token = ["--url", SERVED_URL, "--token", token_for(served_node, author)]
    args = [*POST, "--tlp", "RED", "--member", named.id, *token, "--json"]
    assert run(args) == 0
    item_id = json.loads(capsys.readouterr().out)["id"]
    path = f"/api/v1/items/{item_id}"
    assert api(served_node, token_for(served_node, named)).get(path).status_code == 200
    assert api(served_node, token_for(served_node, other)).get(path).status_code == 404
