"""Peers, groups, consents and disclosure answers through every front-end that offers them:
whichever acts, the service writes the same audit entry; only who acted differs."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from csnet.audit import AuditAction
from csnet.cli import group_cmds, peer_cmds
from csnet.cli.main import run as cli_main
from csnet.correlation import disclosure_ops
from csnet.federation import group_ops
from csnet.handling.markings import TLP, Handling, HandlingCode
from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, api, token_for
from tests.federation.audited import entries
from tests.federation.conftest import URL_B, Pair
from tests.federation.test_cli_disclosure import served
from tests.federation.test_cli_peer import run
from tests.federation.test_delivery import post
from tests.federation.test_disclosures import ask, hold, peered
from tests.federation.test_handshake import peer_up
from tests.web.pages.conftest import Browser, log_in

HOST = f"host:{getpass.getuser()}"
ELSEWHERE = "csn" + "c" * 24
NAME = "Eastern Med"


@pytest.fixture
def cli_transport(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> Pair:
    """A and B peered on the real clock (logins check TOTP codes against it); the CLI's own
    node pushes through the pair's in-process transport."""
    pair.clock.current = datetime.now(UTC)
    peer_up(pair)
    monkeypatch.setattr(peer_cmds, "make_transport", lambda _node: pair.transport)
    monkeypatch.setattr(group_cmds, "make_transport", lambda _node: pair.transport)
    return pair


def _dir(node: Node) -> list[str]:
    return ["--data-dir", str(Path(node.settings.data_dir))]


def _cli(*args: str) -> str:
    code, out = run(*args)
    assert code == 0, out
    return out


def _admin(node: Node, front: str) -> tuple[str, Any]:
    """The actor a front-end acts as, and its client (a browser, an API client, or none)."""
    if front == "cli":
        return HOST, None
    browser = log_in(node, "root", Role.ADMIN)
    if front == "page":
        return f"member:{browser.member.id}", browser
    token = token_for(node, browser.member, ("read", "write", "admin"))
    return f"member:{browser.member.id}", api(node, token)


def _changes(node: Node, since: int) -> list[dict[str, Any]]:
    return entries(node, AuditAction.PEER_CHANGE)[since:]


@pytest.mark.parametrize("front", ["page", "cli"])
def test_suspending_a_peer_is_audited_alike(front: str, cli_transport: Pair) -> None:
    a, b_id = cli_transport.a, cli_transport.b.node_id
    actor, client = _admin(a, front)
    before = len(_changes(a, 0))
    if isinstance(client, Browser):
        done = client.client.post(
            f"/admin/peers/{b_id}/suspend", data={"csrf_token": client.csrf}, follow_redirects=False
        )
        assert done.status_code == 303, done.text
    else:
        assert "suspended" in _cli("peer", "suspend", b_id, *_dir(a))
    assert _changes(a, before) == [
        {
            "actor": actor,
            "action": "peer_change",
            "item_id": None,
            "justification": None,
            "recipients": [],
            "details": {"peer": b_id, "change": "suspended"},
        }
    ]


def _create_and_add(front: str, client: Any, a: Node, b_id: str) -> str:
    if front == "api":
        made = client.post("/api/v1/groups", json={"name": NAME})
        assert made.status_code == 201, made.text
        gid: str = made.json()["id"]
        added = client.post(f"/api/v1/groups/{gid}/members", json={"node": b_id})
        assert added.status_code == 200, added.text
    elif front == "page":
        assert client.post("/admin/groups", {"name": NAME}).status_code in (200, 303)
        [group] = group_ops.joined(a)
        gid = group.id
        assert client.post(f"/admin/groups/{gid}/members", {"member": b_id}).status_code == 200
    else:
        gid = json.loads(_cli("group", "create", NAME, "--json", *_dir(a)))["id"]
        _cli("group", "add", gid, b_id, *_dir(a))
    return gid


@pytest.mark.parametrize("front", ["api", "page", "cli"])
def test_creating_a_group_and_adding_a_member_is_audited_alike(
    front: str, cli_transport: Pair
) -> None:
    a, b_id = cli_transport.a, cli_transport.b.node_id
    actor, client = _admin(a, front)
    before = len(_changes(a, 0))
    gid = _create_and_add(front, client, a, b_id)
    created, added = _changes(a, before)
    said = {"actor": actor, "action": "peer_change", "justification": None}
    assert created == {
        **said,
        "item_id": created["item_id"],
        "recipients": [f"node:{a.node_id}"],
        "details": {"change": "group created", "group": gid, "name": NAME},
    }
    assert added == {
        **said,
        "item_id": added["item_id"],
        "recipients": sorted([f"node:{a.node_id}", f"node:{b_id}"]),
        "details": {"change": f"added {b_id}", "group": gid, "name": NAME},
    }


def _consent(front: str, node: Node, item_id: str) -> str:
    """Grant, then withdraw; the actor who did."""
    if front == "cli":
        onward = ["--relay-to", ELSEWHERE, "--purpose", "JIT-7"]
        _cli("consent", "grant", item_id, *onward, *_dir(node))
        _cli("consent", "withdraw", item_id, *_dir(node))
        return HOST
    boss, _ = add_member(node, "boss", Role.SUPERVISOR)
    client = api(node, token_for(node, boss))
    body = {"item": item_id, "relay_to_nodes": [ELSEWHERE], "purpose": "JIT-7"}
    assert client.post("/api/v1/consents", json=body).status_code == 201
    assert client.delete(f"/api/v1/consents/{item_id}").status_code == 200
    return f"member:{boss.id}"


@pytest.mark.parametrize("front", ["api", "cli"])
def test_granting_and_withdrawing_a_consent_is_audited_alike(
    front: str, cli_transport: Pair
) -> None:
    a, b = cli_transport.a, cli_transport.b
    h2 = Handling(code=HandlingCode.H2)
    (item,) = post(a, to=(b.node_id,), tlp=TLP.GREEN, handling=h2, network_wide=True)
    actor = _consent(front, a, item.id)
    said = [
        {k: v for k, v in e.items() if k != "item_id"}
        for e in entries(a, AuditAction.COLLECTION)
        if "consent" in e["details"]
    ]
    common = {"actor": actor, "action": "collection", "justification": None}
    assert said == [
        {
            **common,
            "recipients": [f"node:{ELSEWHERE}"],
            "details": {"kind": "consent", "consent": "granted", "item": item.id},
        },
        {
            **common,
            "recipients": [],
            "details": {"kind": "consent", "consent": "withdrawn", "item": item.id},
        },
    ]


def _approve(front: str, node: Node, request_id: str) -> str:
    """A supervisor of `node` approves through `front`; the actor they are audited as."""
    if front == "page":
        browser = log_in(node, "boss", Role.SUPERVISOR)
        done = browser.client.post(
            f"/disclosures/{request_id}/approve",
            data={"csrf_token": browser.csrf, "reason": "Agreed"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        return f"member:{browser.member.id}"
    boss, _ = add_member(node, "boss", Role.SUPERVISOR)
    token = token_for(node, boss)
    if front == "cli":
        who = ["--url", URL_B, "--token", token]
        assert cli_main(["disclosure", "approve", request_id, "--reason", "Agreed", *who]) == 0
    else:
        client = api(node, token)
        done = client.post(f"/api/v1/disclosures/{request_id}/approve", json={"reason": "Agreed"})
        assert done.status_code == 200, done.text
    return f"member:{boss.id}"


__all__ = ["peered", "served"]  # the fixtures, used by name


@pytest.mark.parametrize("front", ["api", "page", "cli"])
def test_approving_a_disclosure_is_audited_alike(front: str, served: Pair) -> None:
    b = served.b
    served.clock.current = datetime.now(UTC)  # why: logins check TOTP codes against it
    held = hold(b)
    request = ask(served)
    before = len(entries(b))
    actor = _approve(front, b, request.id)
    since = [e for e in entries(b)[before:] if e["action"] != "login"]  # the page's login
    answer_id = disclosure_ops.after_action(b, request.id).request.disclosure_id
    assert answer_id is not None
    said = sorted((e["actor"], e["action"], e["item_id"], e["justification"]) for e in since)
    assert said == [
        (actor, "collection", answer_id, "Agreed"),
        (actor, "disclosure", held, "Agreed"),
    ]
