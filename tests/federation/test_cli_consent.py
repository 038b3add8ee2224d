"""`csnet consent …` on two data directories peered through the CLI (in-process transport)."""

from __future__ import annotations

import json
from pathlib import Path

from csnet.access import Caller
from csnet.handling.markings import TLP, Handling, HandlingCode, Markings
from csnet.node import open_node
from csnet.publishing import NewItem, publish
from csnet.settings import load_settings
from tests.factories import add_member, alert_body
from tests.federation import test_cli_peer
from tests.federation.test_cli_peer import URL_A, peers_of, run

dirs = test_cli_peer.dirs  # the fixture: two initialised data directories, A and B


def _peer(a: Path, b: Path) -> str:
    """Peer B with A; returns A's node id (B reaches A at URL_A: B is the originator here)."""
    code, out = run("peer", "invite", "--url", URL_A, "--json", "--data-dir", str(a))
    assert code == 0, out
    code, out = run("peer", "accept", json.loads(out)["token"], "--data-dir", str(b))
    assert code == 0, out
    return peers_of(b)[0]["node_id"]


def _h2_item(directory: Path, to: str, code: HandlingCode = HandlingCode.H2) -> str:
    node = open_node(load_settings(directory, environ={}))
    try:
        member, _ = add_member(node, f"writer{code.value.lower()}", "officer")
        marks = Markings(tlp=TLP.CLEAR, handling=Handling(code=code))
        env = publish(
            node, Caller(member), NewItem("alert", alert_body(), marks, audience_nodes=(to,))
        )
    finally:
        node.close()
    return env.id


def test_grant_list_withdraw(dirs: tuple[Path, Path]) -> None:
    a, b = dirs
    a_id = _peer(a, b)
    item = _h2_item(b, a_id)
    code, out = run(
        "consent", "grant", item[:12], "--relay-to", a_id, "--expires", "72h", "--json",
        "--data-dir", str(b),
    )  # fmt: skip
    assert code == 0, out
    granted = json.loads(out)
    assert granted["item"] == item and granted["relay_to_nodes"] == [a_id]
    assert granted["state"] == "active" and granted["expires"].endswith("Z")
    code, out = run("consent", "list", "--json", "--data-dir", str(a))
    assert code == 0, out
    assert [(c["item"], c["mine"], c["state"]) for c in json.loads(out)] == [
        (item, False, "active")
    ]
    code, out = run("consent", "withdraw", granted["consent"], "--json", "--data-dir", str(b))
    assert code == 0 and json.loads(out)["state"] == "withdrawn", out
    code, out = run("consent", "list", "--json", "--data-dir", str(a))
    assert [c["state"] for c in json.loads(out)] == ["withdrawn"]  # A was told
    code, out = run("consent", "list", "--data-dir", str(b))
    assert code == 0 and "withdrawn" in out and "this node" in out


def test_errors_have_exit_codes(dirs: tuple[Path, Path]) -> None:
    a, b = dirs
    a_id = _peer(a, b)
    plain = _h2_item(b, a_id, HandlingCode.H0)
    item = _h2_item(b, a_id)
    cases = [
        (("consent", "grant", "f" * 64, "--relay-to", a_id), 4),
        (("consent", "grant", item), 2),  # names nobody
        (("consent", "grant", plain, "--relay-to", a_id), 2),  # not H2
        (("consent", "grant", item, "--relay-to", a_id, "--expires", "soon"), 2),
        (("consent", "grant", item, "--relay-to", "nobody"), 2),  # not a node id
        (("consent", "withdraw", item), 4),  # nothing to withdraw
    ]
    for args, want in cases:
        code, out = run(*args, "--data-dir", str(b))
        assert code == want, (args, out)
    code, out = run("consent", "grant", item, "--relay-to", "csn" + "a" * 24, "--data-dir", str(a))
    assert code == 4, out  # A does not hold the item (A-B pushes do not reach A here)
