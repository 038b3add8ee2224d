"""`csnet consent …`: this node's H2 consents, straight on the node's store (host-side)."""

from __future__ import annotations

import getpass
import re
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from csnet.cli import peer_cmds
from csnet.cli.common import DataDir, JsonFlag, cells, console, foreign, local_node, print_json
from csnet.errors import BadInput
from csnet.federation import consent_ops
from csnet.federation.delivery import Delivery
from csnet.node import Node

consent_app = typer.Typer(
    help="H2 consents: let holders pass this node's H2 items on to named nodes and groups.",
    no_args_is_help=True,
)
_DURATION = re.compile(r"^(\d{1,5})([hd])$")
DEFAULT_PURPOSE = "onward sharing agreed by the originator"


def _issuer() -> consent_ops.Issuer:
    return consent_ops.Issuer(f"host:{getpass.getuser()}")


def _push(node: Node) -> None:
    """Send the consent now; if a peer is down it stays queued for `csnet serve`."""
    node.transport = peer_cmds.make_transport(node)
    Delivery(node).flush_all()


def parse_expiry(text: str | None, now: datetime) -> datetime | None:
    """An RFC 3339 time with its zone, or a duration from now: '72h', '30d'."""
    if text is None:
        return None
    found = _DURATION.match(text.strip())
    if found:
        amount, unit = int(found[1]), found[2]
        return now + (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise BadInput("--expires: an RFC 3339 time with its zone, or 72h / 30d", code="bad_expiry")
    return when


def _show(grant: dict[str, Any]) -> None:
    state, item = foreign(grant["state"]), foreign(grant["item"])
    console.print(f"[bold]consent {state}[/] for item {item}", highlight=False)
    lines = (
        ("consent", grant["consent"]),
        ("nodes", ", ".join(grant["relay_to_nodes"]) or "-"),
        ("groups", ", ".join(grant["relay_to_groups"]) or "-"),
        ("expires", grant["expires"] or "never"),
        ("purpose", grant["purpose"]),
    )
    for label, value in lines:
        console.print(f"  {label:<8} {foreign(value)}", highlight=False)


@consent_app.command("grant")
def grant(
    item: Annotated[str, typer.Argument(help="The H2 item's id (or a unique prefix).")],
    relay_to: Annotated[
        list[str] | None, typer.Option("--relay-to", help="A node that may receive it onward.")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="A sharing group whose members may.")
    ] = None,
    purpose: Annotated[str, typer.Option(help="Why, in a few words.")] = DEFAULT_PURPOSE,
    expires: Annotated[
        str | None, typer.Option(help="RFC 3339 time with zone, or a duration: 72h, 30d.")
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Consent to holders passing this node's H2 item on; replaces any earlier consent."""
    with local_node(data_dir) as node:
        request = consent_ops.Request(
            frozenset(relay_to or ()),
            frozenset(group or ()),
            purpose,
            parse_expiry(expires, node.now()),
        )
        granted = consent_ops.grant(node, item, request, _issuer()).to_json(node.now())
        _push(node)
    print_json(granted) if as_json else _show(granted)


@consent_app.command("withdraw")
def withdraw(
    ident: Annotated[str, typer.Argument(help="The item's id, or the consent's.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Withdraw the consent for an item; every node it reached is told."""
    with local_node(data_dir) as node:
        item_id = consent_ops.item_of(node, ident)
        withdrawn = consent_ops.withdraw(node, item_id, _issuer()).to_json(node.now())
        _push(node)
    print_json(withdrawn) if as_json else _show(withdrawn)


@consent_app.command("list")
def list_(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Every consent this node holds: its own, and those other origins sent it."""
    with local_node(data_dir) as node:
        found = consent_ops.list_consents(node)
    if as_json:
        print_json(found)
        return
    table = Table("item", "origin", "state", "nodes", "groups", "expires")
    for g in found:
        origin = "this node" if g["mine"] else str(g["origin"])
        nodes, groups = len(g["relay_to_nodes"]), len(g["relay_to_groups"])
        table.add_row(*cells(str(g["item"])[:12], origin, g["state"], nodes, groups, g["expires"]))
    console.print(table)
