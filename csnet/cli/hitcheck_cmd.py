"""`csnet hitcheck`: which of a file's identifiers a peer node also holds, by private set
intersection (host-side, on this node's store and key). The peer learns how many values were
asked, never which; this node learns which of its values the peer holds and how many it holds."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from csnet.cli import peer_cmds
from csnet.cli.common import DataDir, JsonFlag, console, err_console, local_node, print_json
from csnet.cli.extract_cmd import COUNTRY, CountryOpt, FileArg, _read
from csnet.correlation import psi_federation
from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import Hint, Indicator, InvalidIdentifier
from csnet.indicators.extract import extract


@dataclass(frozen=True)
class Refused:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Parsed:
    found: list[tuple[int, Indicator]]
    refused: list[Refused]


def read_line(text: str, type_name: str | None, hint: Hint) -> Indicator:
    """The one identifier on a line: read as `type_name`, or recognised when no type is given."""
    if type_name is not None:
        return registry.parse(type_name, text, hint)
    result = extract(text, hint)
    if len(result.found) == 1 and result.found[0].text.strip() == text:
        return result.found[0].indicator
    if result.rejected:
        raise InvalidIdentifier(result.rejected[0].reason)
    raise InvalidIdentifier("not recognised as one identifier; give its type with --type")


def parse_lines(text: str, type_name: str | None, hint: Hint) -> Parsed:
    """Each non-blank line through the registry; invalid ones refused with their reason."""
    found: list[tuple[int, Indicator]] = []
    refused: list[Refused] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, read_line(line.strip(), type_name, hint)))
        except InvalidIdentifier as exc:
            refused.append(Refused(number, line.strip(), exc.message))
    return Parsed(found, refused)


def _hint(country: str | None) -> Hint:
    if country is not None and not COUNTRY.fullmatch(country):
        raise BadInput(f"--country takes a two-letter code such as PK, not {country!r}")
    return Hint(country=country.upper() if country else None)


def hitcheck_command(
    file: FileArg,
    peer: Annotated[str, typer.Option("--peer", help="The peer's node id.")],
    justification: Annotated[
        str, typer.Option("--justification", help="Why this check is needed (logged both sides).")
    ],
    type_name: Annotated[
        str | None, typer.Option("--type", help="Identifier type of every line (else recognised).")
    ] = None,
    country: CountryOpt = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask a peer which of the identifiers in FILE (one per line) it also holds."""
    if type_name is not None:
        registry.get(type_name)  # an unknown type is bad input before anything is read
    parsed = parse_lines(_read(file), type_name, _hint(country))
    if not parsed.found:
        _show_refused(parsed.refused)
        raise BadInput("no valid identifier to check", code="nothing_to_check")
    hits = _run(parsed, peer, justification, data_dir)
    report = _report(peer, parsed, hits)
    if as_json:
        print_json(report)
    else:
        _show(report)
        _show_refused(parsed.refused)


def _run(parsed: Parsed, peer: str, justification: str, data_dir: Any) -> set[tuple[str, str]]:
    """One PSI check per identifier type; the (type, value) pairs the peer holds."""
    by_type: dict[str, list[str]] = {}
    for _, indicator in parsed.found:
        by_type.setdefault(indicator.type, []).append(indicator.value)
    hits: set[tuple[str, str]] = set()
    with local_node(data_dir) as node:
        node.transport = peer_cmds.make_transport(node)
        actor = f"host:{getpass.getuser()}"
        for type_name, values in sorted(by_type.items()):
            result = psi_federation.hitcheck(node, peer, type_name, values, justification, actor)
            hits.update((type_name, v) for v in result.hits)
    return hits


def _report(peer: str, parsed: Parsed, hits: set[tuple[str, str]]) -> dict[str, Any]:
    found = [
        {"line": n, "type": i.type, "value": i.value, "held": (i.type, i.value) in hits}
        for n, i in parsed.found
    ]
    return {
        "peer": peer,
        "asked": len({(i.type, i.value) for _, i in parsed.found}),
        "hits": sum(1 for f in found if f["held"]),
        "values": found,
        "refused": [{"line": r.line, "text": r.text, "reason": r.reason} for r in parsed.refused],
    }


def _show(report: dict[str, Any]) -> None:
    console.print(
        f"peer {report['peer']} holds {report['hits']} of {report['asked']} values asked",
        highlight=False,
    )
    held = [v for v in report["values"] if v["held"]]
    if held:
        table = Table("line", "type", "value")
        for v in held:
            table.add_row(str(v["line"]), v["type"], Text(v["value"]))
        console.print(table)


def _show_refused(refused: list[Refused]) -> None:
    for r in refused:
        err_console.print(f"line {r.line}: refused: {r.reason}", markup=False, highlight=False)
