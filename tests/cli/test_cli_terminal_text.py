"""Words from items reach the terminal without acting on it: ESC, BEL, the C1 controls and (in
one-line places) newlines are printed as visible `\\xNN`, in tables, in `alert show`, in
`csnet watch` and in JSON, while rich markup stays escaped. Items stored before the character
rule, or sent by a hostile peer, may still hold them, so the CLI never trusts the server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from csnet.cli import item_cmds
from csnet.cli.common import cells, foreign, terminal_text
from csnet.cli.main import run
from csnet.cli.watch_cmd import line_for

HOSTILE_TITLE = "Boat\x1b[2J\x07\x9b31m\nFLASH  fake row"
HOSTILE_TEXT = "Line one\r\nline\ttwo\x1b]0;pwned\x07 [bold red]x[/] \x85end"
# anything a terminal acts on: C0 but TAB and LF, DEL, C1
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

ITEM: dict[str, Any] = {
    "id": "ab" * 32,
    "kind": "alert",
    "created": "2026-12-01T10:00:00Z",
    "origin": "csnexample\x1b[1A",
    "tlp": "TLP:AMBER",
    "restricted": False,
    "envelope": {
        "kind": "alert",
        "body": {"title": HOSTILE_TITLE, "text": HOSTILE_TEXT, "urgency": "FLASH"},
        "markings": {"tlp": "TLP:AMBER", "handling": {"code": "H0"}},
    },
}
DETAIL = {
    "item": ITEM,
    "replies": [{"envelope": {"body": {"text": "ok\x1b[2Jdone"}}}],
    "acks": [{"state": "seen", "member": "m\x9b2J", "node": "n", "at": "t"}],
}


class _Server:
    """Stands in for a node (or a hostile one) answering the CLI's calls."""

    def __init__(self, *_args: Any) -> None:
        pass

    def call(self, method: str, path: str, **_kwargs: Any) -> Any:
        return DETAIL if path.startswith("/items/") else {"items": [ITEM], "next_before": None}


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_cmds, "Client", _Server)


def test_terminal_text_shows_every_control_character() -> None:
    assert terminal_text(HOSTILE_TITLE) == ("Boat\\x1b[2J\\x07\\x9b31m\\x0aFLASH  fake row")
    assert terminal_text("a\r\nb\tc\x1bd", lines=True) == "a\nb\tc\\x1bd"
    assert terminal_text("Σκάφος قارب\u00a0ok") == "Σκάφος قارب\u00a0ok"


def test_markup_stays_escaped_after_the_controls_are_shown() -> None:
    assert foreign("[bold]x[/]\x1b") == "\\[bold]x\\[/]\\x1b"
    assert [c.plain for c in cells("a\nb", "\x9b")] == ["a\\x0ab", "\\x9b"]


def test_alert_list_prints_one_row_per_item_and_no_escape(
    hostile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["alert", "list", "--token", "t"]) == 0
    out = capsys.readouterr().out
    assert not ACTIVE.search(out), repr(out)
    assert "fake row" in out
    assert not any(line.lstrip("│ ").startswith("FLASH  fake") for line in out.splitlines())


def test_alert_show_keeps_the_texts_lines_but_no_escape(
    hostile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["alert", "show", "ab" * 32, "--token", "t"]) == 0
    out = capsys.readouterr().out
    assert not ACTIVE.search(out), repr(out)
    assert "Line one\nline" in out and "\\x1b]0;pwned\\x07" in out
    assert "[bold red]x[/]" in out  # markup printed as typed
    assert "ok\\x1b[2Jdone" in out and "m\\x9b2J" in out


def test_alert_show_json_escapes_c1_and_stays_json(
    hostile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["alert", "show", "ab" * 32, "--token", "t", "--json"]) == 0
    out = capsys.readouterr().out
    assert not ACTIVE.search(out), repr(out)
    assert json.loads(out)["item"]["envelope"]["body"]["text"] == HOSTILE_TEXT


def test_watch_prints_one_line_without_escapes() -> None:
    line = line_for(ITEM)
    assert "\n" not in line and not ACTIVE.search(line)
    assert "Boat\\x1b[2J" in line and "[csnexample\\x1b[1A]" in line
