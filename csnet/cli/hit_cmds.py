"""Member commands over the API: correlation hits and the indicator search."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from csnet.cli.client import (
    BeforeOpt,
    Client,
    JustOpt,
    LimitOpt,
    TokenOpt,
    UrlOpt,
    page_params,
)
from csnet.cli.common import JsonFlag, console, print_json

indicator_app = typer.Typer(
    help="Indicators: find an identifier in the items.", no_args_is_help=True
)


@indicator_app.command("search")
def indicator_search(
    text: Annotated[str, typer.Argument(help="The identifier, written any way (0300-1234567).")],
    type_name: Annotated[
        str | None, typer.Option("--type", help="Read TEXT as this type (phone, iban, wallet …).")
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """The items holding an identifier that you may see."""
    params = {"q": text, **({"type": type_name} if type_name else {})}
    found = Client(url, token, justification).call("GET", "/indicators", params=params)
    if as_json:
        print_json(found)
        return
    for match in found["matches"]:
        _print_match(match)


def _print_match(match: dict[str, Any]) -> None:
    noisy = " (noisy: only the first items are kept)" if match["noisy"] else ""
    console.print(f"[bold]{match['type']}[/] {match['display']}{noisy}", highlight=False)
    if not match["items"]:
        console.print("  not seen on this node")
        return
    table = Table("id", "kind", "origin", "created", "note")
    for held in match["items"]:
        item = held["item"]
        note = "personal data: use --justification" if item["restricted"] else ""
        if held["protected"]:
            note = "protected person (never a suspect)" + (f"; {note}" if note else "")
        table.add_row(
            item["id"][:12], item["kind"], item["origin"][:12], item["created"][:19], note
        )
    console.print(table)


def hits(
    limit: LimitOpt = 50,
    before: BeforeOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Correlation hits you may see, newest first: two items sharing an identifier, and why."""
    page = Client(url, token, justification).call("GET", "/hits", params=page_params(limit, before))
    if as_json:
        print_json(page)
        return
    if not page["hits"]:
        console.print("No hits.")
        return
    for hit in page["hits"]:
        mark = "[bold]protection[/] " if hit["purpose"] == "protection" else ""
        console.print(f"{hit['created'][:19]} {mark}{hit['reason']}", highlight=False)
    if page.get("next_before"):
        console.print(f"More: --before {page['next_before']}")
