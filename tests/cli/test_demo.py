"""The demo network's data: three nodes, seeded members and items, and demo TOTP codes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from typer.testing import CliRunner

from csnet.access import Caller
from csnet.accounts import members
from csnet.cli.demo_seed import MEMBERS, NODES
from csnet.cli.main import app
from csnet.feed.engine import read_page
from csnet.handling.markings import TLP, Markings
from csnet.node import open_node
from csnet.publishing import NewItem, publish
from csnet.settings import load_settings
from csnet.store import item_store
from tests.databases import Databases
from tests.factories import alert_body

runner = CliRunner()


@pytest.fixture
def embedded_only(databases: Databases) -> None:
    """The demo network runs on its own SQLite files: a store test that PostgreSQL skips."""
    if databases.on_postgres:
        pytest.skip("the demo network runs on embedded SQLite only")


@pytest.mark.usefixtures("embedded_only")
def test_demo_seeds_three_nodes(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--dir", str(root), "--seed-only"])
    assert result.exit_code == 0, result.output
    logins = json.loads((root / "logins.json").read_text())
    assert set(logins) == {n.slug for n in NODES}
    for spec in NODES:
        node = open_node(load_settings(root / spec.slug, environ={}))
        try:
            assert node.identity.name == spec.name
            from csnet.accounts.members import get_by_username, list_members

            with node.store.read() as conn:
                assert {m.username for m in list_members(conn)} == {u for u, _r, _t in MEMBERS}
                officer = get_by_username(conn, "officer")
            alerts = read_page(node, Caller(officer), kinds=("alert",)).entries
            assert alerts, f"{spec.name} has no alerts"
        finally:
            node.close()
    code = runner.invoke(app, ["demo-code", "officer@gr-hcg", "--dir", str(root)])
    assert code.exit_code == 0
    assert pyotp.TOTP(logins["gr-hcg"]["officer"]).verify(code.output.strip())


def test_demo_code_for_unknown_login(tmp_path: Path) -> None:
    from csnet.errors import NotFound

    try:
        runner.invoke(
            app, ["demo-code", "ghost@pk-fia", "--dir", str(tmp_path)], catch_exceptions=False
        )
    except NotFound as exc:
        assert "make demo" in exc.message
    else:
        raise AssertionError("expected NotFound")


@pytest.mark.e2e
@pytest.mark.usefixtures("embedded_only")
def test_demo_nodes_form_a_full_mesh_over_http(tmp_path: Path) -> None:
    from csnet.cli.demo_network import Endpoint, form_group, form_mesh, is_peered, node_id_of
    from csnet.web.peer_transport import HttpPeerTransport
    from tests.federation.processes import Served, free_port

    root = tmp_path / "demo"
    assert runner.invoke(app, ["demo", "--dir", str(root), "--seed-only"]).exit_code == 0
    nodes = []
    for spec in NODES:
        port = free_port()
        endpoint = Endpoint(root / spec.slug, f"http://127.0.0.1:{port}")
        nodes.append(Served(endpoint, port, {}, tmp_path / f"{spec.slug}.log"))
    transport = HttpPeerTransport()
    try:
        for served in nodes:
            served.start()
        endpoints = [s.endpoint for s in nodes]
        assert form_mesh(endpoints, transport) == 3
        assert form_mesh(endpoints, transport) == 0  # a second run peers nothing again
        ids = [node_id_of(e) for e in endpoints]
        for endpoint, own in zip(endpoints, ids, strict=True):
            assert all(is_peered(endpoint, other) for other in ids if other != own)
        gid = form_group(endpoints[-1], "Eastern Mediterranean", ids[:-1])
        item_id = _post_to_group(endpoints[0], gid)  # a member posts to the whole group
        assert _arrives(endpoints[1:], item_id), "the group's alert did not reach every member"
    finally:
        transport.close()
        for served in nodes:
            served.stop()


def _post_to_group(endpoint: Any, gid: str) -> str:
    from csnet.cli.demo_network import opened

    deadline = time.monotonic() + 30
    with opened(endpoint) as node:
        # why: the owner's membership items reach this node by push before it may address it
        while gid not in groups_of_node(node) and time.monotonic() < deadline:
            time.sleep(0.2)
        with node.store.read() as conn:
            officer = members.get_by_username(conn, "officer")
        new = NewItem("alert", alert_body(), Markings(tlp=TLP.AMBER), audience_groups=(gid,))
        return publish(node, Caller(officer), new).id


def groups_of_node(node: Any) -> frozenset[str]:
    from csnet.federation import groups

    with node.store.read() as conn:
        return groups.groups_of(conn, node.node_id)


def _arrives(endpoints: list[Any], item_id: str) -> bool:
    from csnet.cli.demo_network import opened

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        held = []
        for endpoint in endpoints:
            with opened(endpoint) as node, node.store.read() as conn:
                held.append(item_store.get_item(conn, item_id) is not None)
        if all(held):
            return True
        time.sleep(0.2)
    return False


def test_demo_refuses_a_taken_port_before_starting_anything(tmp_path: Path) -> None:
    import errno
    import socket
    import subprocess
    import sys

    taken = NODES[1].port
    with socket.socket() as holder:
        try:
            holder.bind(("127.0.0.1", taken))
            holder.listen()
        except OSError as exc:  # another program holds it already: the same case for the demo
            assert exc.errno == errno.EADDRINUSE
        where = ["--dir", str(tmp_path / "demo"), "--no-open"]
        result = subprocess.run(
            [sys.executable, "-m", "csnet.cli.main", "demo", *where],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {taken}" in lines[0] and "taken" in lines[0], result.stderr
    assert "bad_invitation" not in result.stderr + result.stdout
    assert not (tmp_path / "demo").exists()  # nothing seeded, no node started
