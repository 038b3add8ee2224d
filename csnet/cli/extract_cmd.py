"""`csnet extract`: the indicators in a text (a file or stdin), with their spans. Pure text
processing: no node, no data directory, nothing stored."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from csnet.cli.common import JsonFlag, cells, console, fail, print_json
from csnet.indicators.base import Hint
from csnet.indicators.extract import Extraction, extract

FileArg = Annotated[
    str | None, typer.Argument(help="Text file to read (UTF-8); stdin when absent or '-'.")
]
CountryOpt = Annotated[
    str | None,
    typer.Option(
        "--country", help="Country the text comes from (ISO 3166 alpha-2), for local numbers."
    ),
]
COUNTRY = re.compile(r"[A-Za-z]{2}")
BAD_INPUT_EXIT = 2


def extract_command(
    file: FileArg = None, country: CountryOpt = None, as_json: JsonFlag = False
) -> None:
    """Print the phones, links, handles, wallets, IBANs, documents … in a text."""
    if country is not None and not COUNTRY.fullmatch(country):
        raise fail(f"--country takes a two-letter code such as PK, not {country!r}", BAD_INPUT_EXIT)
    hint = Hint(country=country.upper() if country else None)
    result = extract(_read(file), hint)
    if as_json:
        print_json(result.as_dict())
    else:
        _print_tables(result)


def _read(file: str | None) -> str:
    if file is None or file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text("utf-8")
    except FileNotFoundError:
        raise fail(f"no such file: {file}", BAD_INPUT_EXIT) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise fail(f"cannot read {file}: {reason}", BAD_INPUT_EXIT) from None


def _print_tables(result: Extraction) -> None:
    if not result.found and not result.rejected:
        console.print("no indicators found")
        return
    if result.found:
        table = Table("type", "value", "text", "span", title="found")
        for f in result.found:
            # cells(), not str: a link or handle must never be read as rich markup.
            span = f"{f.start}-{f.end}"
            table.add_row(*cells(f.indicator.type, f.indicator.value, f.text, span))
        console.print(table)
    if result.rejected:
        table = Table("type", "text", "span", "reason", title="looks like one, but invalid")
        for r in result.rejected:
            table.add_row(*cells(r.type, r.text, f"{r.start}-{r.end}", r.reason))
        console.print(table)
