"""Member commands over the API: login, alerts and notes."""

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
from csnet.handling.markings import TLP
from csnet.items.bodies import Topic, Urgency

alert_app = typer.Typer(help="Alerts: post, list, show, reply, acknowledge.", no_args_is_help=True)
note_app = typer.Typer(help="Notes on tactics and modus operandi.", no_args_is_help=True)

TLP_LABELS = tuple(t.value.removeprefix("TLP:") for t in TLP)
TlpOpt = Annotated[
    str,
    typer.Option(
        "--tlp",
        help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED.",
        parser=choice(TLP_LABELS, lambda t: TLP.parse(t).value.removeprefix("TLP:")),
    ),
]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeat).")]
ToOpt = Annotated[
    list[str] | None,
    typer.Option("--to", help="Node id of a peer node to send it to (repeat); else local only."),
]
GroupOpt = Annotated[
    list[str] | None,
    typer.Option("--group", help="Sharing group id (grp-…) whose members receive it (repeat)."),
]
MemberOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--member",
        help="Member id of this node who may read a TLP:RED item (repeat); nobody else here "
        "reads it unless this node is named with --to.",
    ),
]


def login(
    username: Annotated[str, typer.Option(prompt=True, help="Your login name.")],
    url: UrlOpt = None,
    name: Annotated[str, typer.Option(help="Name of the token to create.")] = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Log in with password and TOTP code; prints an API token for CSNET_TOKEN."""
    password = typer.prompt("Password", hide_input=True)
    code = typer.prompt("TOTP code")
    body = {"username": username, "password": password, "totp": code.strip(), "token_name": name}
    result = Client(url, None).call("POST", "/auth/token", auth=False, json=body)
    if as_json:
        print_json(result)
        return
    token_line = f"Logged in; token {result['token']['id']} expires {result['token']['expires']}"
    say(token_line)
    console.print(f"export CSNET_TOKEN={result['secret']}", highlight=False)


def password(
    url: UrlOpt = None,
    token: TokenOpt = None,
    keep_tokens: Annotated[
        bool, typer.Option("--keep-tokens", help="Keep your API tokens (else all are revoked).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Change your password: your sessions end and your API tokens are revoked (this one too),
    unless --keep-tokens."""
    current = typer.prompt("Current password", hide_input=True)
    new = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    body = {"current_password": current, "new_password": new, "keep_tokens": keep_tokens}
    result = Client(url, token).call("POST", "/auth/password", json=body)
    if as_json:
        print_json(result)
        return
    console.print(
        f"Password changed; {result['sessions_ended']} session(s) ended, "
        f"{result['tokens_revoked']} API token(s) revoked."
    )
    if result["tokens_revoked"]:
        console.print("Run `csnet login` for a new token.")


def sharing(
    tlp: str,
    to: list[str] | None,
    group: list[str] | None,
    subjects: list[str] | None = None,
    members: list[str] | None = None,
) -> dict[str, Any]:
    """The markings and audience of an item to publish."""
    # why: the audience's nodes and groups are who the item is shared with; the node adds itself
    # (except under TLP:RED, which its author's named members and nodes only read)
    audience = {"nodes": to or [], "groups": group or [], "members": members or []}
    markings = {"tlp": TLP.parse(tlp).value, "subjects": subjects or []}
    return {"markings": markings, "audience": audience}


def _item(
    body: dict[str, Any],
    tlp: str,
    to: list[str] | None,
    group: list[str] | None,
    members: list[str] | None,
) -> dict[str, Any]:
    return {"body": body, **sharing(tlp, to, group, members=members)}


def _body(item: dict[str, Any]) -> dict[str, Any]:
    envelope = item.get("envelope") or {}
    body: dict[str, Any] = envelope.get("body") or {}
    return body


def _print_page(page: dict[str, Any], kind: str) -> None:
    items = page["items"]
    if not items:
        console.print(f"No {kind}s yet.")
        return
    table = Table("id", "created", "tlp", "urgency" if kind == "alert" else "topic", "title")
    for item in items:
        body = _body(item)
        label = body.get("urgency") if kind == "alert" else body.get("topic")
        title = "(personal data: use --justification)" if item["restricted"] else body.get("title")
        table.add_row(
            *cells(item["id"][:12], item["created"][:19], item["tlp"], label or "", title or "")
        )
    console.print(table)
    if page.get("next_before"):
        console.print(f"More: --before {page['next_before']}")


@alert_app.command("post")
def alert_post(
    title: Annotated[str, typer.Option(help="Short headline.")],
    text: Annotated[str, typer.Option(help="What happened and what to look for.")],
    urgency: Annotated[
        str,
        typer.Option(
            help="FLASH, IMMEDIATE, PRIORITY or ROUTINE.",
            parser=choice((u.value for u in Urgency), str.upper),
        ),
    ] = "PRIORITY",
    place: Annotated[str | None, typer.Option(help="Place name.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude of the place.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude of the place.")] = None,
    route: Annotated[
        str | None, typer.Option(help="Related route, e.g. Eastern Mediterranean.")
    ] = None,
    tag: TagOpt = None,
    tlp: TlpOpt = "AMBER",
    to: ToOpt = None,
    group: GroupOpt = None,
    member: MemberOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Post an alert."""
    body: dict[str, Any] = {
        "title": title,
        "text": text,
        "urgency": urgency.upper(),
        "tags": tag or [],
    }
    if place:
        body["place"] = {"name": place, "lat": lat, "lon": lon}
    if route:
        body["route"] = route
    result = Client(url, token).call("POST", "/alerts", json=_item(body, tlp, to, group, member))
    if as_json:
        print_json(result)
        return
    console.print(f"Posted alert {result['id']}")


@alert_app.command("list")
def alert_list(
    limit: LimitOpt = 50,
    before: BeforeOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """List alerts, newest first."""
    params = page_params(limit, before)
    page = Client(url, token, justification).call("GET", "/alerts", params=params)
    print_json(page) if as_json else _print_page(page, "alert")


@alert_app.command("show")
def alert_show(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Show an item with its markings, replies and acknowledgements."""
    detail = Client(url, token, justification).call("GET", f"/items/{item_id}")
    if as_json:
        print_json(detail)
        return
    env = detail["item"]["envelope"]
    body, marks = env["body"], env["markings"]
    # why: titles and texts are anyone's words: printed as text, never read as rich markup
    tlp, code = foreign(marks["tlp"]), foreign(marks["handling"]["code"])
    console.print(f"[bold]{tlp}[/] · handling {code} · {foreign(env['kind'])}")
    title, urgency = foreign(body.get("title", "")), foreign(body.get("urgency", ""))
    console.print(f"[bold]{title}[/] ({urgency})", highlight=False)
    say(body.get("text", ""))
    for reply in detail["replies"]:
        console.print(f"  ↳ {foreign(reply['envelope']['body']['text'])}", highlight=False)
    for ack in detail["acks"]:
        who = foreign(f"{ack['state']} by {ack['member']}@{ack['node']} at {ack['at']}")
        console.print(f"  ✓ {who}", highlight=False)


@alert_app.command("reply")
def alert_reply(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    text: Annotated[str, typer.Option(help="Reply text.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Reply in the item's thread."""
    result = Client(url, token).call("POST", f"/items/{item_id}/replies", json={"text": text})
    print_json(result) if as_json else console.print(f"Replied: {result['id']}")


@alert_app.command("ack")
def alert_ack(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    actioned: Annotated[bool, typer.Option("--actioned", help="Actioned, not only seen.")] = False,
    comment: Annotated[str | None, typer.Option(help="Optional comment.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Acknowledge an alert as seen or actioned."""
    body: dict[str, Any] = {"state": "actioned" if actioned else "seen"}
    if comment:
        body["comment"] = comment
    result = Client(url, token).call("POST", f"/items/{item_id}/acks", json=body)
    print_json(result) if as_json else console.print(f"Acknowledged ({body['state']}).")


@note_app.command("post")
def note_post(
    title: Annotated[str, typer.Option(help="Short title.")],
    text: Annotated[str, typer.Option(help="The tactic or modus operandi.")],
    topic: Annotated[
        str,
        typer.Option(
            help="modus_operandi, concealment, documents, digital, "
            "financial, routes, protection, legal, other",
            parser=choice((t.value for t in Topic), str.lower),
        ),
    ] = "modus_operandi",
    tag: TagOpt = None,
    tlp: TlpOpt = "GREEN",
    to: ToOpt = None,
    group: GroupOpt = None,
    member: MemberOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Share a note on tactics with practitioners."""
    body = {"title": title, "text": text, "topic": topic, "tags": tag or []}
    result = Client(url, token).call("POST", "/notes", json=_item(body, tlp, to, group, member))
    print_json(result) if as_json else console.print(f"Posted note {result['id']}")


@note_app.command("list")
def note_list(
    limit: LimitOpt = 50,
    url: UrlOpt = None,
    token: TokenOpt = None,
    justification: JustOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """List notes, newest first."""
    page = Client(url, token, justification).call("GET", "/notes", params={"limit": limit})
    print_json(page) if as_json else _print_page(page, "note")
