"""`csnet peer …` end to end between two data directories, with the in-process transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csnet.cli import peer_cmds
from csnet.cli.common import exit_code_for
from csnet.cli.main import app
from csnet.cli.main import run as cli_run
from csnet.errors import CsnetError
from csnet.federation import invitations
from csnet.node import Node, open_node
from csnet.settings import load_settings
from tests.databases import Databases
from tests.factories import init_options
from tests.federation.conftest import InProcessTransport

runner = CliRunner()
URL_A, URL_B = "https://a.test", "https://b.test"


def run(*args: str) -> tuple[int, str]:
    try:
        result = runner.invoke(app, list(args), catch_exceptions=False)
    except CsnetError as exc:  # what main() turns into one line and an exit code
        return exit_code_for(exc), exc.message
    return result.exit_code, result.output


def init(directory: Path, name: str, country: str, databases: Databases) -> None:
    code, out = run(
        "init",
        "--name",
        name,
        "--country",
        country,
        "--agency",
        "Agency",
        *init_options(databases, directory),
    )
    assert code == 0, out


@pytest.fixture
def dirs(
    tmp_path: Path, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Path]]:
    a, b = tmp_path / "a", tmp_path / "b"
    init(a, "PK-FIA", "PK", databases)
    init(b, "GR-HCG", "GR", databases)
    served: list[Node] = []
    transport = InProcessTransport()
    for url, directory in ((URL_A, a), (URL_B, b)):
        node = open_node(load_settings(directory, environ={}))
        node.settings = node.settings.replace(public_url=url)
        served.append(node)
        transport.add(url, node)
    monkeypatch.setattr(peer_cmds, "make_transport", lambda _node: transport)
    yield a, b
    transport.close()
    for node in served:
        node.close()


def peers_of(directory: Path) -> list[dict[str, str]]:
    code, out = run("peer", "list", "--json", "--data-dir", str(directory))
    assert code == 0, out
    result: list[dict[str, str]] = json.loads(out)
    return result


def test_invite_accept_list_suspend_revoke(dirs: tuple[Path, Path]) -> None:
    a, b = dirs
    code, out = run(
        "peer", "invite", "--hours", "2", "--url", URL_A, "--json", "--data-dir", str(a)
    )
    assert code == 0, out
    invitation = json.loads(out)
    assert "secret" not in invitation and invitation["url"] == URL_A
    code, out = run("peer", "accept", invitation["token"], "--data-dir", str(b))
    assert code == 0 and "PK-FIA" in out, out
    code, out = run("peer", "accept", invitation["token"], "--data-dir", str(b))
    assert code == 3 and "invitation_used" in out
    [a_at_b] = peers_of(b)
    [b_at_a] = peers_of(a)
    assert a_at_b["name"] == "PK-FIA" and b_at_a["name"] == "GR-HCG"
    assert a_at_b["status"] == b_at_a["status"] == "active"
    code, out = run("peer", "list", "--check", "--json", "--data-dir", str(b))
    assert json.loads(out)[0]["check"] == "ok", out
    code, out = run("peer", "rotate-key", "--json", "--data-dir", str(b))
    assert code == 0 and json.loads(out)["deliveries"][0]["error"] is None, out
    code, out = run("peer", "list", "--check", "--json", "--data-dir", str(b))
    assert json.loads(out)[0]["check"] == "ok", out  # same node id, new key
    code, out = run("peer", "suspend", b_at_a["node_id"], "--data-dir", str(a))
    assert code == 0 and "suspended" in out
    code, out = run("peer", "list", "--check", "--json", "--data-dir", str(b))
    assert json.loads(out)[0]["check"] == "error: peer_suspended"
    code, out = run("peer", "revoke", b_at_a["node_id"], "--data-dir", str(a))
    assert code == 0 and peers_of(a)[0]["status"] == "revoked"
    code, out = run("peer", "resume", b_at_a["node_id"], "--data-dir", str(a))
    assert code == 5 and "final" in out


def test_unknown_peer_and_bad_token(dirs: tuple[Path, Path]) -> None:
    a, _b = dirs
    code, out = run("peer", "suspend", "csn" + "a" * 24, "--data-dir", str(a))
    assert code == 4
    code, out = run("peer", "accept", "not-a-token", "--data-dir", str(a))
    assert code == 2 and "invitation" in out
    code, out = run("peer", "list", "--data-dir", str(a))
    assert code == 0


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def _token_to(directory: Path, url: str) -> str:
    node = open_node(load_settings(directory, environ={}))
    try:
        with node.store.write() as conn:
            invitation = invitations.create_invitation(
                conn,
                url=url,
                node_id=node.node_id,
                fingerprint=node.identity.fingerprint,
                now=node.now(),
                hours=1,
            )
    finally:
        node.close()
    return invitation.token()


def test_plain_http_peer_urls_are_refused_in_one_line(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = dirs
    invite = ["peer", "invite", "--url", "http://10.0.0.1:8080", "--data-dir", str(a)]
    assert cli_run(invite) == 2
    assert "refusing peer URL http://10.0.0.1:8080" in _one_line(capsys)
    assert cli_run(["peer", "accept", _token_to(a, "http://10.0.0.1"), "--data-dir", str(b)]) == 2
    assert "must be reached over https" in _one_line(capsys)
    assert peers_of(b) == []
