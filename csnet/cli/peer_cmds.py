"""`csnet peer …`: invitations, handshakes and the peer registry, on this host's node (host-side:
no API token), through the same services as /admin/peers."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from rich.table import Table

from csnet.cli.common import DataDir, JsonFlag, cells, console, foreign, local_node, print_json, say
from csnet.errors import CsnetError
from csnet.federation import handshake, invite_ops, peer_ops, rotation
from csnet.federation.client import call_peer
from csnet.federation.peers import Peer, PeerStatus
from csnet.node import Node
from csnet.transport import PeerTransport

peer_app = typer.Typer(
    help="Peer nodes: invitations, handshakes, suspension, keys.", no_args_is_help=True
)
NodeArg = Annotated[str, typer.Argument(help="The peer's node id.")]


def make_transport(node: Node) -> PeerTransport:
    """The seam tests replace: real HTTP unless the node already carries a transport."""
    if node.transport is not None:
        return node.transport
    from csnet.web.peer_transport import HttpPeerTransport

    return HttpPeerTransport.for_settings(node.settings)


def _actor() -> str:
    return f"host:{getpass.getuser()}"


def _peer_dict(peer: Peer) -> dict[str, Any]:
    return {
        **peer.identity.to_json(),
        "status": peer.status.value,
        "fingerprint": peer.identity.fingerprint,
        "added": peer.added.isoformat(),
    }


@peer_app.command("invite")
def invite(
    hours: Annotated[int, typer.Option(help="Hours until the invitation expires.")] = 24,
    url: Annotated[
        str | None, typer.Option(help="URL peers reach us at (else public_url).")
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a one-time invitation; hand it to the other agency out of band."""
    with local_node(data_dir) as node:
        invitation = invite_ops.issue(node, _actor(), hours=hours, url=url)
    public = {k: v for k, v in invitation.to_json().items() if k != "secret"}
    if as_json:
        print_json({**public, "token": invitation.token()})
        return
    for key, value in public.items():
        console.print(f"  {key:<12} {foreign(value)}", highlight=False)
    console.print("Invitation (use once):", highlight=False)
    typer.echo(invitation.token())


@peer_app.command("accept")
def accept(
    token: Annotated[str, typer.Argument(help="The invitation token.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the signed handshake with the inviting node and record it as a peer."""
    with local_node(data_dir) as node:
        peer = handshake.accept(node, make_transport(node), token, _actor())
    if as_json:
        print_json(_peer_dict(peer))
        return
    name, node_id = foreign(peer.identity.name), foreign(peer.node_id)
    console.print(f"Peered with [bold]{name}[/] ({node_id})", highlight=False)
    console.print(f"  fingerprint  {foreign(peer.identity.fingerprint)}", highlight=False)


def _check(node: Node, peer: Peer) -> str:
    if peer.status is not PeerStatus.ACTIVE:
        return "-"
    try:
        call_peer(node, peer, "GET", "/federation/ping")
    except CsnetError as exc:
        return f"error: {exc.error_code}"
    return "ok"


@peer_app.command("list")
def list_(
    check: Annotated[bool, typer.Option("--check", help="Ping each active peer.")] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """List peers; --check sends each active one a signed ping."""
    with local_node(data_dir) as node:
        found = peer_ops.list_peers(node)
        if check:
            node.transport = make_transport(node)
        rows = [{**_peer_dict(p), **({"check": _check(node, p)} if check else {})} for p in found]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "node id", "country", "status", "url", *(["check"] if check else []))
    for row in rows:
        extra = [row["check"]] if check else []
        table.add_row(
            *cells(row["name"], row["node_id"], row["country"], row["status"], row["url"], *extra)
        )
    console.print(table)


def _set_status(node_id: str, status: PeerStatus, data_dir: DataDir) -> None:
    with local_node(data_dir) as node:
        peer = peer_ops.set_status(node, _actor(), node_id, status)
    say(f"{peer.identity.name} ({node_id}) is now {status.value}")


@peer_app.command("suspend")
def suspend(node_id: NodeArg, data_dir: DataDir = None) -> None:
    """Refuse the peer's requests until resumed."""
    _set_status(node_id, PeerStatus.SUSPENDED, data_dir)


@peer_app.command("resume")
def resume(node_id: NodeArg, data_dir: DataDir = None) -> None:
    """Lift a suspension."""
    _set_status(node_id, PeerStatus.ACTIVE, data_dir)


@peer_app.command("revoke")
def revoke(node_id: NodeArg, data_dir: DataDir = None) -> None:
    """End the peering for good (the peer must be invited again)."""
    _set_status(node_id, PeerStatus.REVOKED, data_dir)


@peer_app.command("rotate-key")
def rotate_key(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Make a new node key, announce it to every active peer, and switch to it."""
    with local_node(data_dir) as node:
        node.transport = make_transport(node)
        deliveries = rotation.rotate_own_key(node, _actor())
        fingerprint = node.identity.fingerprint
    if as_json:
        print_json({"fingerprint": fingerprint, "deliveries": [d.__dict__ for d in deliveries]})
        return
    console.print(f"New key fingerprint: {fingerprint}")
    for delivery in deliveries:
        console.print(
            f"  {foreign(delivery.peer)}: {foreign(delivery.error or 'ok')}", highlight=False
        )
