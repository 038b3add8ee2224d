"""`csnet hitcheck`: which of a file's identifiers a peer node also holds, by private set
intersection (host-side, on this node's store and key). The peer learns how many values were
asked, never which; this node learns which of its values the peer holds and how many it holds.
With a pre-screen (--prescreen, or the prescreen_bloom setting), wallets and documents first go
through the peer's keyed Bloom filter, and only those that pass are asked (docs/indicators.md)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.table import Table

from csnet.cli import peer_cmds
from csnet.cli.common import (
    DataDir,
    JsonFlag,
    cells,
    console,
    err_console,
    local_node,
    print_json,
    say,
)
from csnet.cli.extract_cmd import COUNTRY, CountryOpt, FileArg, _read
from csnet.correlation import prescreen_ops, psi_federation
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
    prescreen: Annotated[
        bool | None,
        typer.Option(
            "--prescreen/--no-prescreen",
            help="Screen wallets and documents with the peer's keyed Bloom filter before PSI "
            "(default: the prescreen_bloom setting).",
        ),
    ] = None,
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
    outcome = _run(parsed, peer, justification, prescreen, data_dir)
    report = _report(peer, parsed, outcome)
    if as_json:
        print_json(report)
    else:
        _show(report)
        _show_refused(parsed.refused)


@dataclass
class Outcome:
    """The (type, value) pairs the peer holds; how many values pre-screens kept out of PSI, and
    of how many screened (both None when no pre-screen ran)."""

    hits: set[tuple[str, str]] = field(default_factory=set)
    dropped: int | None = None
    screened: int | None = None

    def add(self, result: psi_federation.HitCheck) -> None:
        self.hits.update((result.type_name, v) for v in result.hits)
        if result.dropped is not None:
            self.dropped = (self.dropped or 0) + result.dropped
            self.screened = (self.screened or 0) + result.asked


def _run(
    parsed: Parsed, peer: str, justification: str, prescreen: bool | None, data_dir: Any
) -> Outcome:
    """One PSI check per identifier type, each pre-screened where asked and possible."""
    by_type: dict[str, list[str]] = {}
    for _, indicator in parsed.found:
        by_type.setdefault(indicator.type, []).append(indicator.value)
    outcome = Outcome()
    with local_node(data_dir) as node:
        node.transport = peer_cmds.make_transport(node)
        actor = f"host:{getpass.getuser()}"
        use = node.settings.prescreen_bloom if prescreen is None else prescreen
        for type_name, values in sorted(by_type.items()):
            screen = prescreen_ops.screener(node, type_name, justification) if use else None
            outcome.add(
                psi_federation.hitcheck(node, peer, type_name, values, justification, actor, screen)
            )
    return outcome


def _report(peer: str, parsed: Parsed, outcome: Outcome) -> dict[str, Any]:
    found = [
        {"line": n, "type": i.type, "value": i.value, "held": (i.type, i.value) in outcome.hits}
        for n, i in parsed.found
    ]
    return {
        "peer": peer,
        "asked": len({(i.type, i.value) for _, i in parsed.found}),
        "hits": sum(1 for f in found if f["held"]),
        "prescreen": {"screened": outcome.screened, "dropped": outcome.dropped},
        "values": found,
        "refused": [{"line": r.line, "text": r.text, "reason": r.reason} for r in parsed.refused],
    }


def _show(report: dict[str, Any]) -> None:
    say(
        f"peer {report['peer']} holds {report['hits']} of {report['asked']} values asked",
    )
    screen = report["prescreen"]
    if screen["dropped"] is not None:
        console.print(
            f"pre-screen: {screen['dropped']} of {screen['screened']} values screened "
            "were left out of PSI",
            highlight=False,
        )
    held = [v for v in report["values"] if v["held"]]
    if held:
        table = Table("line", "type", "value")
        for v in held:
            table.add_row(*cells(v["line"], v["type"], v["value"]))
        console.print(table)


def _show_refused(refused: list[Refused]) -> None:
    for r in refused:
        err_console.print(f"line {r.line}: refused: {r.reason}", markup=False, highlight=False)
