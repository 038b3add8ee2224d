"""What every command shares: the data-dir option, JSON output, one-line errors with exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from csnet.errors import CsnetError
from csnet.node import Node, open_node
from csnet.settings import load_settings

console = Console()
err_console = Console(stderr=True)

# Exit codes mean something, so scripts can branch on them.
EXIT_CODES: dict[str, int] = {
    "invalid_input": 2,
    "unauthenticated": 3,
    "forbidden": 3,
    "not_found": 4,
    "conflict": 5,
    "integrity_failure": 6,
    "connection_failed": 7,
    "bus_unreachable": 7,
    "too_large": 2,
    "rate_limited": 3,
}
EXIT_BY_STATUS = {401: 3, 403: 3, 404: 4, 409: 5, 413: 2, 422: 2, 429: 3}

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Node data directory (else CSNET_DATA_DIR, else ./csnet-data)."
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def exit_code_for(error: CsnetError) -> int:
    status = int(getattr(error, "http_status", error.status))
    return EXIT_CODES.get(error.error_code, EXIT_BY_STATUS.get(status, 1))


def fail(message: str, code: int = 1) -> typer.Exit:
    # why: messages quote input and patterns ("[a-z2-7]"); printed as markup, rich would eat them
    line = " ".join(message.split())
    err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def foreign(value: object) -> str:
    """Someone else's words (a title, a reason, a peer's name or agency, a username, a token
    name …) for a line printed as rich markup: escaped, so `[/]` prints as typed instead of
    raising, and `[red]` cannot restyle the terminal. Control characters never reach the
    terminal either (rich strips them from whatever it prints)."""
    return escape(str(value))


def say(line: object, **options: Any) -> None:
    """Print a line holding someone else's words, as plain text (never markup)."""
    console.print(Text(str(line)), **options)


def cells(*values: object) -> list[Text]:
    """A table row: rich reads every str cell as markup, so each cell is plain text."""
    return [Text(str(value)) for value in values]


def choice(allowed: Iterable[str], parse: Callable[[str], str] = str) -> Callable[[str], str]:
    """An option type that accepts only these values (after `parse`, e.g. upper-casing), so a
    wrong one is a usage error naming the option and the values allowed."""
    values = tuple(allowed)

    def check(given: str) -> str:
        try:
            value = parse(given.strip())
        except ValueError:
            value = None
        if value not in values:
            raise typer.BadParameter(f"{given!r} is not one of {', '.join(values)}")
        return value

    return check


@contextmanager
def local_node(data_dir: Path | None) -> Iterator[Node]:
    node = open_node(load_settings(data_dir))
    try:
        yield node
    finally:
        node.close()


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")
