"""Member commands over the API: disclosure requests, the follow-up of a hit.

`request` asks a peer to release what it holds on one value; at the holder a supervisor
`approve`s (one of the node's own items goes to the asker, with its markings) or `decline`s.
"""

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

disclosure_app = typer.Typer(
    help="Disclosure requests: ask a peer to release what it holds; approve or decline.",
    no_args_is_help=True,
)
IdArg = Annotated[str, typer.Argument(help="Request id (or a unique prefix of 8+).")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (sent to the asker, logged).")]


def _print_one(row: dict[str, Any]) -> None:
    value = "(personal data: use --justification)" if row["restricted"] else row["value"]
    peer = row["holder"] if row["direction"] == "outgoing" else row["asker"]
    status, rest = foreign(row["status"]), foreign(f"{row['direction']} {row['request_id']}")
    console.print(f"[bold]{status}[/] {rest}", highlight=False)
    asked = f"  peer {peer}, asked {row['requested_at'][:19]} by {row['requested_by']}"
    say(asked)
    say(f"  {row['value_type']}: {value}")
    if row["justification"]:
        say(f"  justification: {row['justification']}")
    if row["decided_at"]:
        when = f"{row['decided_at'][:19]} by {row['decided_by']}"
        say(f"  {row['status']} {when}: {row['reason']}")
    if row["disclosure_id"]:
        say(f"  answer: item {row['disclosure_id']}")


@disclosure_app.command("list")
def disclosure_list(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="pending, approved or declined.",
            parser=choice(("pending", "approved", "declined"), str.lower),
        ),
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option(
            "--direction",
            help="incoming (asked of this node) or outgoing.",
            parser=choice(("incoming", "outgoing"), str.lower),
        ),
    ] = None,
    limit: LimitOpt = 50,
    before: BeforeOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Requests to and from this node, newest first (values with --justification)."""
    params = {
        **page_params(limit, before),
        **({"status": status} if status else {}),
        **({"direction": direction} if direction else {}),
    }
    page = Client(url, token, justification).call("GET", "/disclosures", params=params)
    if as_json:
        print_json(page)
        return
    if not page["disclosures"]:
        console.print("No disclosure requests.")
        return
    table = Table("id", "status", "direction", "type", "value", "asked")
    for row in page["disclosures"]:
        value = "(restricted)" if row["restricted"] else row["value"]
        table.add_row(
            *cells(
                row["request_id"][:12],
                row["status"],
                row["direction"],
                row["value_type"],
                value,
                row["requested_at"][:16].replace("T", " "),
            )
        )
    console.print(table)
    if any(row["restricted"] for row in page["disclosures"]):
        console.print("Values are personal data: use --justification to see them.")
    if page.get("next_before"):
        console.print(f"More: --before {page['next_before']}")


@disclosure_app.command("show")
def disclosure_show(
    request_id: IdArg,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """One request and its answer."""
    row = Client(url, token, justification).call("GET", f"/disclosures/{request_id}")
    print_json(row) if as_json else _print_one(row)


@disclosure_app.command("request")
def disclosure_request(
    value: Annotated[str, typer.Argument(help="The identifier, written any way.")],
    peer: Annotated[str, typer.Option("--peer", help="The holder's node id.")],
    type_name: Annotated[str, typer.Option("--type", help="Identifier type (phone, wallet …).")],
    justification: Annotated[
        str, typer.Option("--justification", help="Why you need it (sent to the holder, logged).")
    ],
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask a peer to disclose what it holds on VALUE (typically after a hitcheck hit)."""
    body = {"peer": peer, "value_type": type_name, "value": value, "justification": justification}
    row = Client(url, token).call("POST", "/disclosures", json=body)
    if as_json:
        print_json(row)
        return
    say(f"Asked {peer}: request {row['request_id']}")


@disclosure_app.command("approve")
def disclosure_approve(
    request_id: IdArg,
    reason: ReasonOpt,
    item: Annotated[
        str | None,
        typer.Option("--item", help="Item of this node to disclose; else the newest holding it."),
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Release one of this node's items, with its markings, to the asking node."""
    body = {"reason": reason, **({"item": item} if item else {})}
    row = Client(url, token).call("POST", f"/disclosures/{request_id}/approve", json=body)
    _answered(row, as_json)


@disclosure_app.command("decline")
def disclosure_decline(
    request_id: IdArg,
    reason: ReasonOpt,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Decline a request; the asker receives the reason."""
    row = Client(url, token).call(
        "POST", f"/disclosures/{request_id}/decline", json={"reason": reason}
    )
    _answered(row, as_json)


def _answered(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(row)
        return
    answered = f"request {row['request_id']}: answer {row['disclosure_id']}"
    say(f"{row['status'].capitalize()} {answered}")
