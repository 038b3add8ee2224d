"""`csnet hitcheck` between two data directories peered through the CLI (in-process transport)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI

from csnet.cli import group_cmds, peer_cmds
from csnet.node import Node, open_node
from csnet.settings import load_settings
from tests.federation import test_cli_peer
from tests.federation.conftest import InProcessTransport
from tests.federation.test_cli_peer import URL_B, peers_of, run
from tests.federation.test_psi_endpoint import hold

dirs = test_cli_peer.dirs  # the fixture: two initialised data directories, A and B


def _peer(a: Path, b: Path) -> None:
    """Peer A with B; A reaches B at URL_B (A is the one asking here)."""
    code, out = run("peer", "invite", "--url", URL_B, "--json", "--data-dir", str(b))
    assert code == 0, out
    code, out = run("peer", "accept", json.loads(out)["token"], "--data-dir", str(a))
    assert code == 0, out


def _setup(a: Path, b: Path, tmp_path: Path, lines: str) -> tuple[str, Path]:
    _peer(a, b)
    node = open_node(load_settings(b, environ={}))
    try:
        hold(node, "phone", "+923001234567")
        hold(node, "vessel", "imo:9074729")
    finally:
        node.close()
    listing = tmp_path / "values.txt"
    listing.write_text(lines, "utf-8")
    return peers_of(a)[0]["node_id"], listing


def test_hitcheck_with_a_type(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = dirs
    b_id, listing = _setup(a, b, tmp_path, "0300 1234567\n+30 691 234 5678\n\n12345\n")
    code, out = run(
        "hitcheck", str(listing), "--peer", b_id, "--type", "phone", "--country", "PK",
        "--justification", "case 2026/114", "--json", "--data-dir", str(a),
    )  # fmt: skip
    assert code == 0, out
    report = json.loads(out)
    assert (report["asked"], report["hits"]) == (2, 1)
    assert [(v["line"], v["value"], v["held"]) for v in report["values"]] == [
        (1, "+923001234567", True),
        (2, "+306912345678", False),
    ]
    assert [r["line"] for r in report["refused"]] == [4]


def test_hitcheck_recognises_types(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = dirs
    b_id, listing = _setup(a, b, tmp_path, "+92 300 1234567\nIMO 9074729\nIMO 9074723\n")
    code, out = run(
        "hitcheck", str(listing), "--peer", b_id, "--justification", "case 9", "--json",
        "--data-dir", str(a),
    )  # fmt: skip
    assert code == 0, out
    report = json.loads(out)
    assert {(v["type"], v["held"]) for v in report["values"]} == {("phone", True), ("vessel", True)}
    assert report["refused"][0]["line"] == 3 and "check digit" in report["refused"][0]["reason"]


def test_hitcheck_refuses_a_file_without_valid_values(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = dirs
    b_id, listing = _setup(a, b, tmp_path, "not a number\n")
    code, out = run(
        "hitcheck", str(listing), "--peer", b_id, "--type", "phone", "--justification", "x",
        "--data-dir", str(a),
    )  # fmt: skip
    assert code == 2, out


def _served_b() -> Node:
    """Node B as the in-process transport serves it (the `dirs` fixture opened it)."""
    transport = cast(InProcessTransport, peer_cmds.make_transport(cast(Node, None)))
    node: Node = cast(FastAPI, transport.apps[URL_B].app).state.node
    return node


def test_hitcheck_pre_screens_wallets(
    dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = dirs
    b_id, listing = _setup(a, b, tmp_path, "")
    # why: group_cmds holds its own name for make_transport, which the fixture patched in peer_cmds
    monkeypatch.setattr(group_cmds, "make_transport", peer_cmds.make_transport)
    served = _served_b()
    served.settings = served.settings.replace(prescreen_bloom=True)
    hold(served, "wallet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    code, out = run("group", "create", "Wallet desk", "--json", "--data-dir", str(a))
    assert code == 0, out
    gid = json.loads(out)["id"]
    code, out = run("group", "add", gid, b_id, "--data-dir", str(a))
    assert code == 0, out
    monkeypatch.setenv("CSNET_PRESCREEN_BLOOM", "true")  # A turns pre-screens on after that
    code, out = run("group", "rekey", gid, "--data-dir", str(a))
    assert code == 0, out
    listing.write_text(
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n"
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359\n"
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n",
        "utf-8",
    )
    reports = {}
    for flag in ("--prescreen", "--no-prescreen"):
        code, out = run(
            "hitcheck", str(listing), "--peer", b_id, "--type", "wallet", flag,
            "--justification", "case 9", "--json", "--data-dir", str(a),
        )  # fmt: skip
        assert code == 0, out
        reports[flag] = json.loads(out)
    assert reports["--prescreen"]["prescreen"] == {"screened": 3, "dropped": 2}
    assert reports["--no-prescreen"]["prescreen"] == {"screened": None, "dropped": None}
    assert reports["--prescreen"]["values"] == reports["--no-prescreen"]["values"]
    assert reports["--prescreen"]["hits"] == 1
    code, out = run(
        "hitcheck", str(listing), "--peer", b_id, "--type", "wallet", "--justification", "case 9",
        "--data-dir", str(a),
    )  # fmt: skip
    assert code == 0 and "pre-screen: 2 of 3 values screened were left out of PSI" in out, out
