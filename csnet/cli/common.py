"""What every command shares: the data-dir option, JSON output, one-line errors with exit codes."""

from __future__ import annotations

import json
import re
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


# why: rich strips only BEL, BS, VT, FF and CR; ESC, DEL and the C1 controls (CSI U+009B, OSC
# U+009D) would reach the terminal and clear it, retitle it or fake table rows
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps TAB and LF
_JSON_CONTROLS = re.compile("[\x7f-\x9f]")  # json.dumps escapes C0 itself, not DEL or C1


def terminal_text(value: object, *, lines: bool = False) -> str:
    """Someone else's words as a terminal may show them: every control character written as a
    visible `\\xNN`, so none can act on the terminal. One line unless `lines`, which keeps line
    breaks and tabs (an alert's text); CRLF counts as a line break."""
    text = str(value)
    if lines:
        return _TEXT_CONTROLS.sub(_visible, text.replace("\r\n", "\n"))
    return _LINE_CONTROLS.sub(_visible, text)


def _visible(found: re.Match[str]) -> str:
    return f"\\x{ord(found.group()):02x}"


def fail(message: str, code: int = 1) -> typer.Exit:
    # why: messages quote input and patterns ("[a-z2-7]"); printed as markup, rich would eat them
    line = " ".join(message.split())
    err_console.print(f"[bold red]error:[/] {foreign(line)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def foreign(value: object, *, lines: bool = False) -> str:
    """Someone else's words (a title, a reason, a peer's name or agency, a username, a token
    name …) for a line printed as rich markup: control characters made visible
    (`terminal_text`), then escaped, so `[/]` prints as typed instead of raising, and `[red]`
    cannot restyle the terminal."""
    return escape(terminal_text(value, lines=lines))


def say(line: object, **options: Any) -> None:
    """Print someone else's words, line breaks kept, as plain text (never markup)."""
    console.print(Text(terminal_text(line, lines=True)), **options)


def cells(*values: object) -> list[Text]:
    """A table row: rich reads every str cell as markup, so each cell is plain text, and one
    line (a newline in a title would fake a row)."""
    return [Text(terminal_text(value)) for value in values]


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
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    # why: outside strings JSON holds no such character, so this escapes only string content
    text = _JSON_CONTROLS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    sys.stdout.write(text + "\n")
