"""`csnet group …`: sharing groups on this host's node (host-side, like `csnet peer`), through the
same services as /admin/groups and the groups API."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from csnet.cli.common import DataDir, JsonFlag, cells, console, foreign, local_node, print_json
from csnet.cli.peer_cmds import make_transport
from csnet.federation import group_ops, groups
from csnet.federation.delivery import Delivery
from csnet.node import Node

group_app = typer.Typer(
    help="Sharing groups: create, invite peered nodes, remove, list, rekey.", no_args_is_help=True
)
GroupArg = Annotated[str, typer.Argument(help="The group id (grp-…).")]
NodeArg = Annotated[str, typer.Argument(help="The peer's node id.")]


def _actor() -> str:
    return f"host:{getpass.getuser()}"


def _push(node: Node) -> None:
    """Send the membership item now; if a peer is down it stays queued for `csnet serve`."""
    node.transport = make_transport(node)
    Delivery(node).flush_all()


def _show(group: groups.Group) -> None:
    console.print(f"[bold]{foreign(group.name)}[/] {foreign(group.id)}", highlight=False)
    console.print(f"  members  {foreign(', '.join(sorted(group.members)))}", highlight=False)


@group_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Display name, e.g. 'Eastern Mediterranean'.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a group owned by this node (its only member until you add peers)."""
    with local_node(data_dir) as node:
        group = group_ops.create(node, name, _actor())
    print_json(group.to_json()) if as_json else _show(group)


@group_app.command("add")
def add(group_id: GroupArg, node_id: NodeArg, data_dir: DataDir = None) -> None:
    """Invite a peered node into a group this node owns; every member is told."""
    with local_node(data_dir) as node:
        group = group_ops.add(node, group_id, node_id, _actor())
        _push(node)
    _show(group)


@group_app.command("remove")
def remove(group_id: GroupArg, node_id: NodeArg, data_dir: DataDir = None) -> None:
    """Take a node out of a group this node owns; it is told too."""
    with local_node(data_dir) as node:
        group = group_ops.remove(node, group_id, node_id, _actor())
        _push(node)
    _show(group)


@group_app.command("rekey")
def rekey(group_id: GroupArg, data_dir: DataDir = None) -> None:
    """Send the members of a group this node owns a fresh pre-screen key (prescreen_bloom on)."""
    with local_node(data_dir) as node:
        group = group_ops.rekey(node, group_id, _actor())
        _push(node)
    _show(group)


@group_app.command("list")
def list_(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """The groups this node knows of: owned, joined, or left."""
    with local_node(data_dir) as node:
        found = group_ops.known(node)
        self_id = node.node_id
    if as_json:
        print_json([{**g.to_json(), "member": self_id in g.members} for g in found])
        return
    table = Table("id", "name", "owner", "members", "member")
    for g in found:
        owner = "this node" if g.owner == self_id else g.owner
        mine = "yes" if self_id in g.members else "no"
        table.add_row(*cells(g.id, g.name, owner, len(g.members), mine))
    console.print(table)
