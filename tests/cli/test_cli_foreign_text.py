"""Other people's words (a peer's name, a group's name, a consent's purpose, a token's name, an
identifier an item holds …) are printed by the CLI as plain text: `[/]` neither crashes the
command nor disappears, and `[bold red]x[/]` prints as typed instead of restyling the terminal.
Each command runs without catching exceptions, so a markup error would fail the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from csnet.cli.main import run as cli_run
from csnet.node import Node, open_node
from csnet.settings import load_settings
from csnet.store.tables import peers
from tests.cli import test_hit_cmds
from tests.cli.test_hit_cmds import URL, post
from tests.federation import test_cli_peer
from tests.federation.test_cli_consent import _h2_item, _peer
from tests.federation.test_cli_peer import peers_of, run

dirs = test_cli_peer.dirs  # the fixture: two data directories, peered in-process
served = test_hit_cmds.served  # the fixture: the CLI reaches the node in-process

CLOSE, STYLED = "[/]", "[bold red]x[/]"
WORDS = f"{CLOSE} and {STYLED}"


def shows_literally(code: int, out: str, *wanted: str) -> None:
    assert code == 0, out
    assert "Traceback" not in out
    for text in wanted:
        assert text in out, out


def test_a_peers_name_is_printed_as_text(dirs: tuple[Path, Path]) -> None:
    a, b = dirs
    a_id = _peer(a, b)
    held = open_node(load_settings(b, environ={}))
    try:
        with held.store.write() as conn:  # as if A had named itself so at the handshake
            conn.execute(update(peers).where(peers.c.node_id == a_id).values(name=WORDS))
    finally:
        held.close()
    assert peers_of(b)[0]["name"] == WORDS
    shows_literally(*run("peer", "list", "--data-dir", str(b)), CLOSE, "[bold")
    shows_literally(*run("peer", "suspend", a_id, "--data-dir", str(b)), WORDS)


def test_a_groups_name_is_printed_as_text(dirs: tuple[Path, Path]) -> None:
    a, _b = dirs
    shows_literally(*run("group", "create", WORDS, "--data-dir", str(a)), WORDS)
    shows_literally(*run("group", "list", "--data-dir", str(a)), CLOSE, "[bold")


def test_a_consents_purpose_is_printed_as_text(dirs: tuple[Path, Path]) -> None:
    a, b = dirs
    a_id = _peer(a, b)
    item = _h2_item(b, a_id)
    args = ["consent", "grant", item[:12], "--relay-to", a_id, "--purpose", WORDS]
    shows_literally(*run(*args, "--data-dir", str(b)), WORDS)


def test_a_members_and_token_names_are_printed_as_text(dirs: tuple[Path, Path]) -> None:
    a, _b = dirs
    add = ["member", "add", "amina", "--role", "officer", "--password", "a long enough password"]
    shows_literally(*run(*add, "--name", WORDS, "--data-dir", str(a)), "amina")
    shows_literally(*run("member", "list", "--data-dir", str(a)), CLOSE, "[bold")
    shows_literally(*run("token", "create", "amina", "--name", WORDS, "--data-dir", str(a)))
    shows_literally(*run("token", "list", "amina", "--data-dir", str(a)), CLOSE, "[bold")


def test_an_identifier_in_hits_and_indicators_is_printed_as_text(
    node: Node,
    served: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    link = f"https://evil.test/{CLOSE}/[red]x[/]"
    post(node, f"Payments at {link}")
    post(node, f"Seen again: {link}")
    token = ["--url", URL, "--token", served]
    assert cli_run(["hits", *token]) == 0
    shows_literally(0, capsys.readouterr().out, link)
    assert cli_run(["indicator", "show", "url", link, *token, "--justification", "case"]) == 0
    shows_literally(0, capsys.readouterr().out, link)
