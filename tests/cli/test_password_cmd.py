"""`csnet password`: the new password revokes every API token unless --keep-tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from csnet.cli.main import run
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.engine import Store
from tests.factories import PASSWORD, add_member, api, make_node, token_for

URL = "http://node.test"
NEW = "a different, longer passphrase"


@pytest.fixture
def node(tmp_path: Path, store: Store) -> Iterator[Node]:
    made = make_node(tmp_path / "node", "" if store.is_sqlite else store.url)
    yield made
    made.close()


@pytest.fixture
def served(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's requests go to the app in-process."""
    app = api(node)

    def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.pop("timeout", None)
        answer = app.request(method, url.removeprefix(URL), **kwargs)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    monkeypatch.setattr(httpx, "request", request)


def _answers(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    answers = iter(lines)
    monkeypatch.setattr("typer.prompt", lambda *_a, **_k: next(answers))


@pytest.mark.usefixtures("served")
def test_password_change_revokes_the_tokens(
    node: Node, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token = token_for(node, member)
    _answers(monkeypatch, PASSWORD, NEW)
    assert run(["password", "--url", URL, "--token", token]) == 0
    assert "1 API token(s) revoked" in capsys.readouterr().out
    assert api(node, token).get("/api/v1/auth/me").status_code == 401


@pytest.mark.usefixtures("served")
def test_password_change_keeps_the_tokens_when_asked(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token = token_for(node, member)
    _answers(monkeypatch, PASSWORD, NEW)
    assert run(["password", "--keep-tokens", "--url", URL, "--token", token]) == 0
    assert api(node, token).get("/api/v1/auth/me").status_code == 200
