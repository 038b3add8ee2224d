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
from csnet.cli.common import JsonFlag, cells, choice, console, foreign, print_json, say
from csnet.cli.item_cmds import GroupOpt, TagOpt, TlpOpt, ToOpt, sharing
from csnet.handling.categories import DataSubjectCategory

indicator_app = typer.Typer(
    help="Indicators: record one seen in the field, find one in the items, show one.",
    no_args_is_help=True,
)
SubjectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--subject",
        help="Category of the person it belongs to (repeat): suspect, convicted, victim, "
        "smuggled_migrant, witness_contact.",
        parser=choice((c.value for c in DataSubjectCategory), str.lower),
    ),
]


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
    _print_header(match)
    _print_items(match["items"], "not seen on this node")


def _print_header(match: dict[str, Any]) -> None:
    noisy = " (noisy: only the first items are kept)" if match["noisy"] else ""
    kind, display = foreign(match["type"]), foreign(match["display"])
    console.print(f"[bold]{kind}[/] {display}{noisy}", highlight=False)


def _print_items(holdings: list[dict[str, Any]], empty: str) -> None:
    if not holdings:
        console.print(f"  {empty}")
        return
    table = Table("id", "kind", "origin", "created", "note")
    for held in holdings:
        item = held["item"]
        note = "personal data: use --justification" if item["restricted"] else ""
        if held["protected"]:
            note = "protected person (never a suspect)" + (f"; {note}" if note else "")
        table.add_row(
            *cells(item["id"][:12], item["kind"], item["origin"][:12], item["created"][:19], note)
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
    _print_hits(page["hits"])
    if page.get("next_before"):
        console.print(f"More: --before {page['next_before']}")


def _print_hits(found: list[dict[str, Any]]) -> None:
    if not found:
        console.print("No hits.")
        return
    for hit in found:
        mark = "[bold]protection[/] " if hit["purpose"] == "protection" else ""
        when, reason = foreign(hit["created"][:19]), foreign(hit["reason"])
        console.print(f"{when} {mark}{reason}", highlight=False)


@indicator_app.command("add")
def indicator_add(
    value: Annotated[str, typer.Argument(help="The identifier, written any way.")],
    type_name: Annotated[
        str, typer.Option("--type", help="Its type: phone, whatsapp, wallet, iban, vessel …")
    ],
    context: Annotated[str, typer.Option(help="Where and how it was seen.")],
    country: Annotated[
        str | None,
        typer.Option(help="Country where seen (PK): reads numbers without +CC; else the node's."),
    ] = None,
    tag: TagOpt = None,
    tlp: TlpOpt = "AMBER",
    to: ToOpt = None,
    group: GroupOpt = None,
    subject: SubjectOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Record an identifier seen in the field, without writing a whole alert."""
    body = {
        "type": type_name,
        "value": value,
        "context": context,
        "tags": tag or [],
        **({"country": country.upper()} if country else {}),
        **sharing(tlp, to, group, subject),
    }
    added = Client(url, token, justification).call("POST", "/indicators", json=body)
    if as_json:
        print_json(added)
        return
    item = added["item"]
    stated = item["envelope"]["body"]
    what = foreign(f"{stated['value_type']} {stated['value']} as item {item['id']}")
    console.print(f"Recorded {what}", highlight=False)
    _print_hits(added["hits"])


@indicator_app.command("show")
def indicator_show(
    first: Annotated[
        str,
        typer.Argument(
            metavar="TYPE|VALUE", help="Its type (phone, wallet …), then VALUE; or VALUE alone."
        ),
    ],
    second: Annotated[
        str | None, typer.Argument(metavar="VALUE", help="The identifier, written any way.")
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """One identifier in full: the items holding it and its hits (needs -j; audited)."""
    params = {"q": first} if second is None else {"q": second, "type": first}
    shown = Client(url, token, justification).call("GET", "/indicators/show", params=params)
    if as_json:
        print_json(shown)
        return
    _print_header(shown)
    seen = shown["first_seen"]
    when = f"first seen {seen[:19]}" if seen else "never seen on this node"
    say(
        f"  {shown['label']} · canonical {shown['value']} · specificity {shown['specificity']}"
        f" · {when}",
        soft_wrap=True,  # why: one line of facts, for people and for grep
    )
    if seen is None:
        return
    _print_items(shown["items"], "held in no item you may see")
    _print_hits(shown["hits"])
