"""`csnet doc register import/add/list/remove`: this node's stolen, lost and revoked document
register, on the host (actor host:<user>), through csnet.documents.

Exit codes of `import`: 0 every row stored or already in the register, 8 some rows refused or
repeated within the file (the others stored), 1 a chunk failed and the import stopped (earlier
chunks stay stored), 2 the file itself is unusable (nothing stored).
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from csnet.cli.common import (
    DataDir,
    JsonFlag,
    cells,
    choice,
    console,
    err_console,
    local_node,
    print_json,
    say,
)
from csnet.documents import csv_import, register
from csnet.documents.entries import STATUSES, document_from_text, new_entry
from csnet.errors import BadInput

register_app = typer.Typer(
    help="The stolen, lost and revoked document register of this node.", no_args_is_help=True
)
ROWS_REFUSED_EXIT = 8
STOPPED_EXIT = 1
StatusOpt = Annotated[
    str,
    typer.Option(
        "--status",
        help="stolen, lost, revoked or stolen_blank.",
        parser=choice(STATUSES, str.lower),
    ),
]
JustificationOpt = Annotated[
    str | None,
    typer.Option("--justification", "-j", help="Why you consult the register (LED Art 25)."),
]


def _actor() -> str:
    return f"host:{getpass.getuser()}"


def _today() -> datetime:
    return datetime.now(UTC)


@register_app.command("import")
def register_import(
    file: Annotated[Path, typer.Argument(help="CSV: state, type, number, status … (docs).")],
    authority: Annotated[
        str, typer.Option("--authority", help="Reporting authority of rows that name none.")
    ] = "",
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> int:
    """Import register entries from a CSV file, reporting every refused and duplicate row."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
    parsed = csv_import.parse(csv_import.decode(data), _today().date(), authority)
    with local_node(data_dir) as node, _bar(len(parsed.entries), as_json) as progress:
        task = progress.add_task("importing", total=len(parsed.entries))
        report = csv_import.import_parsed(
            node, _actor(), parsed, lambda done: progress.advance(task, done)
        )
    if as_json:
        print_json(report.to_json())
    else:
        _show_report(report)
    if report.stopped is not None:
        return STOPPED_EXIT
    within_file = any(d.first_line is not None for d in parsed.duplicates)
    return ROWS_REFUSED_EXIT if parsed.refused or within_file else 0


def _bar(total: int, quiet: bool) -> Progress:
    # why: on stderr, so that --json output stays one JSON document on stdout
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=quiet or total == 0,
        transient=True,
    )


def _show_report(report: csv_import.Report) -> None:
    parsed = report.parsed
    say(f"imported {report.imported} entries")
    if parsed.unknown_columns:
        say(f"columns not understood (ignored): {', '.join(parsed.unknown_columns)}")
    for refused in parsed.refused:
        say(f"line {refused.line}: refused: {refused.reason}")
    for dup in parsed.duplicates:
        where = "in the register already" if dup.first_line is None else f"as line {dup.first_line}"
        say(f"line {dup.line}: duplicate: {dup.document} {where}")
    if report.stopped is not None:
        say(
            f"stopped at line {report.stopped.line}: {report.stopped.reason}; "
            "the rows before it are stored"
        )


@register_app.command("add")
def register_add(
    document: Annotated[str, typer.Argument(help="The document: PAK:P:AB1234567.")],
    status: StatusOpt,
    authority: Annotated[str, typer.Option("--authority", help="Who reported it.")],
    reported: Annotated[str, typer.Option("--reported", help="When: YYYY-MM-DD.")] = "",
    note: Annotated[str, typer.Option("--note", help="Free text.")] = "",
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Add one document to the register."""
    entry = new_entry(
        document_from_text(document), status, reported, authority, note, _today().date()
    )
    with local_node(data_dir) as node:
        added = register.add(node, _actor(), entry)
    if as_json:
        print_json(added.to_json())
    else:
        say(f"added {added.document} ({added.status})")


@register_app.command("list")
def register_list(
    justification: JustificationOpt = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status.", parser=choice(STATUSES, str.lower)),
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """The newest entries of the register (a consultation: needs --justification)."""
    with local_node(data_dir) as node:
        listed, total = register.entries(node, _actor(), justification, status)
    if as_json:
        print_json({"total": total, "entries": [e.to_json() for e in listed]})
        return
    say(f"{total} entries" + (f", the newest {len(listed)} shown" if len(listed) < total else ""))
    table = Table("document", "status", "reported", "authority", "note")
    for e in listed:
        table.add_row(*cells(e.document, e.status, e.reported or "", e.authority, e.note))
    console.print(table)


@register_app.command("remove")
def register_remove(
    document: Annotated[str, typer.Argument(help="The document: PAK:P:AB1234567.")],
    reason: Annotated[str, typer.Option("--reason", help="Why: found again, entered by mistake …")],
    data_dir: DataDir = None,
) -> None:
    """Take a document off the register."""
    with local_node(data_dir) as node:
        removed = register.remove(node, _actor(), document_from_text(document), reason)
    say(f"removed {removed.document}")
