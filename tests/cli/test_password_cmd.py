"""`csnet password`: the new password revokes every API token unless --keep-tokens."""

from __future__ import annotations

import pytest

from csnet.cli.main import run
from csnet.handling.roles import Role
from csnet.node import Node
from tests.cli.conftest import SERVED_URL
from tests.factories import PASSWORD, add_member, api, token_for

URL = SERVED_URL
NEW = "a different, longer passphrase"


@pytest.fixture
def node(served_node: Node) -> Node:
    return served_node


def _answers(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    answers = iter(lines)
    monkeypatch.setattr("typer.prompt", lambda *_a, **_k: next(answers))


def test_password_change_revokes_the_tokens(
    node: Node, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token = token_for(node, member)
    _answers(monkeypatch, PASSWORD, NEW)
    assert run(["password", "--url", URL, "--token", token]) == 0
    assert "1 API token(s) revoked" in capsys.readouterr().out
    assert api(node, token).get("/api/v1/auth/me").status_code == 401


def test_password_change_keeps_the_tokens_when_asked(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token = token_for(node, member)
    _answers(monkeypatch, PASSWORD, NEW)
    assert run(["password", "--keep-tokens", "--url", URL, "--token", token]) == 0
    assert api(node, token).get("/api/v1/auth/me").status_code == 200
