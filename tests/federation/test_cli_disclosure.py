"""`csnet disclosure` over the API of two peered nodes (both apps served in-process)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from csnet.cli.main import run
from csnet.federation.delivery import Delivery
from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, token_for
from tests.federation.conftest import URL_A, URL_B, Pair
from tests.federation.test_disclosures import CANONICAL, hold, peered

__all__ = ["peered"]  # the fixture, used by name


@pytest.fixture
def served(peered: Pair, monkeypatch: pytest.MonkeyPatch) -> Pair:
    """The CLI's requests go to the app whose URL they name."""
    apps = peered.transport.apps

    def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.pop("timeout", None)
        base = URL_A if url.startswith(URL_A) else URL_B
        answer = apps[base].request(method, url.removeprefix(base), **kwargs)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    monkeypatch.setattr(httpx, "request", request)
    return peered


def as_member(node: Node, url: str, role: Role) -> list[str]:
    member, _ = add_member(node, f"cli{role.value[:8]}{node.identity.name.lower()[:2]}", role)
    return ["--url", url, "--token", token_for(node, member)]


def out_json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_request_approve_and_list(served: Pair, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = served.a, served.b
    item = hold(b)
    analyst = as_member(a, URL_A, Role.ANALYST)
    ask = ["disclosure", "request", "0300 1234567", "--peer", b.node_id, "--type", "phone"]
    assert run([*ask, "--justification", "PSI hit, case 7", "--json", *analyst]) == 0
    asked = out_json(capsys)
    assert (asked["status"], asked["value"], asked["direction"]) == (
        "pending",
        CANONICAL,
        "outgoing",
    )
    Delivery(a).flush(b.node_id)
    boss = as_member(b, URL_B, Role.SUPERVISOR)
    assert run(["disclosure", "list", "--direction", "incoming", *boss]) == 0
    listed = capsys.readouterr().out
    assert asked["request_id"][:12] in listed and "use --justification" in listed
    prefix = asked["request_id"][:12]
    assert run(["disclosure", "approve", prefix, "--reason", "Agreed", "--item", item, *boss]) == 0
    assert "Approved request" in capsys.readouterr().out
    Delivery(b).flush(a.node_id)
    assert run(["disclosure", "show", prefix, "-j", "case 7", "--json", *analyst]) == 0
    shown = out_json(capsys)
    assert (shown["status"], shown["reason"], shown["value"]) == ("approved", "Agreed", CANONICAL)
    assert run(["disclosure", "list", "--status", "approved", "--json", *analyst]) == 0
    assert [d["request_id"] for d in out_json(capsys)["disclosures"]] == [asked["request_id"]]


def test_errors_are_one_line_and_an_exit_code(
    served: Pair, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = served.a, served.b
    analyst = as_member(a, URL_A, Role.ANALYST)
    ask = ["disclosure", "request", "12", "--peer", b.node_id, "--type", "phone"]
    assert run([*ask, "--justification", "case 7", *analyst]) == 2
    assert "error:" in capsys.readouterr().err
    assert run(["disclosure", "decline", "0" * 64, "--reason", "no", *analyst]) == 3
    assert "supervisors" in capsys.readouterr().err
    boss = as_member(b, URL_B, Role.SUPERVISOR)
    assert run(["disclosure", "decline", "0" * 64, "--reason", "no", *boss]) == 4
    assert run(["disclosure", "list", "--status", "maybe", *boss]) == 2
