"""`csnet doc check`: a zone or a document checked over the API (POST /documents/check), and
`csnet doc register …` (register_cmds.py) on the host.

Exit codes of `doc check`, for scripts: 0 nothing found (and the zone valid, or no zone given),
8 the zone is not valid and nothing was found, 9 something was found (a register entry, an item
here or a peer's hit; whatever the zone's validity), 2 bad input; the others as every command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from csnet.cli import register_cmds
from csnet.cli.client import Client, JustOpt, TokenOpt, UrlOpt
from csnet.cli.common import JsonFlag, cells, console, err_console, print_json, say
from csnet.errors import BadInput

doc_app = typer.Typer(
    help="Travel documents: check a zone or a number; the stolen and lost register.",
    no_args_is_help=True,
)
doc_app.add_typer(register_cmds.register_app, name="register")
INVALID_EXIT = 8
FOUND_EXIT = 9


def _text(given: str | None, image: Path | None) -> str:
    if image is not None:
        if given is not None:
            raise BadInput("give a zone or document, or --image, not both")
        return _from_photo(image)
    text = sys.stdin.read() if given == "-" else (given or "")
    if not text.strip():
        raise BadInput("nothing to check: give a zone or a document (or '-' and stdin)")
    return text


def _from_photo(image: Path) -> str:
    """The zone as read from the photo, here, before it is checked: the photo never leaves
    this machine, only the zone's text goes to the node."""
    from datetime import UTC, datetime

    from csnet.ocr import read_photo  # why: Pillow and tesseract only for this option

    try:
        data = image.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {image}: {exc.strerror or exc}") from None
    found = read_photo(data, datetime.now(UTC).date())
    if found.zone_text is None:
        raise BadInput(f"no machine-readable zone found in {image}: type the zone instead")
    err_console.print(f"zone read from the photo in {found.seconds:.1f} s")
    return found.zone_text


@doc_app.command("check")
def doc_check(
    text: Annotated[
        str | None,
        typer.Argument(help="The zone (its lines), a document (PAK:P:AB1234567), or '-'."),
    ] = None,
    image: Annotated[
        Path | None,
        typer.Option("--image", help="A photo of the page or card: its zone is read here."),
    ] = None,
    no_network: Annotated[
        bool, typer.Option("--no-network", help="Do not ask the peers (PSI hit/no-hit).")
    ] = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> int:
    """Validate a machine-readable zone and look its document up here and on the peers."""
    body = {"text": _text(text, image), "network": not no_network}
    checked = Client(url, token, justification).call("POST", "/documents/check", json=body)
    if as_json:
        print_json(checked)
    else:
        _show(checked)
    if checked["found"]:
        return FOUND_EXIT
    return INVALID_EXIT if checked["valid"] is False else 0


def _show(checked: dict[str, Any]) -> None:
    if checked["format"] is not None or checked["valid"] is not None:
        verdict = "valid" if checked["valid"] else "NOT VALID"
        expired = " (expired)" if checked["expired"] else ""
        say(f"zone: {checked['format'] or 'unreadable'}, {verdict}{expired}")
        for name, value in checked["fields"].items():
            say(f"  {name}: {value}")
        for finding in checked["errors"] + checked["warnings"]:
            say(f"  {finding['field']}: {finding['message']}")
        for repair in checked["repairs"]:
            say(f"  repaired {repair['field']}: {repair['found']} read as {repair['used']}")
    say(f"document: {checked['document'] or 'not readable from the zone'}")
    _show_register(checked["register"])
    if checked["items"]:
        say(f"items here naming it: {len(checked['items'])}")
        for item in checked["items"]:
            say(f"  {item['id'][:16]} {item['kind']} from {item['origin']}")
    _show_network(checked["network"])


def _show_register(entries: list[dict[str, Any]]) -> None:
    if not entries:
        say("register: no entry")
    for entry in entries:
        reported = f", reported {entry['reported']}" if entry["reported"] else ""
        say(f"register: {entry['status'].upper()} by {entry['authority']}{reported}")


def _show_network(answers: list[dict[str, Any]] | None) -> None:
    if answers is None:
        say("network: not asked")
        return
    hits = [a for a in answers if a["hits"]]
    say(f"network: {len(hits)} of {len(answers)} peers hold it")
    if answers:
        table = Table("peer", "node id", "register", "items", "error")
        for a in answers:
            table.add_row(*cells(a["name"], a["node"], a["register"], a["items"], a["error"] or ""))
        console.print(table)
