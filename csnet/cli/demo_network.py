"""Peer served nodes with each other over HTTP, with the real invitation and handshake code.

Used by `csnet demo` (a full mesh of its three nodes) and by tests that start node processes.
Each step opens the node's store from this process while `csnet serve` runs on it: both SQLite
(WAL, one writer at a time) and PostgreSQL allow that, and the server reads peers from the store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from csnet.federation import group_ops, handshake, invite_ops, peer_ops
from csnet.federation.local import federation_id
from csnet.federation.peers import PeerStatus
from csnet.node import Node, open_node
from csnet.settings import load_settings
from csnet.transport import PeerTransport

ACTOR = "host:csnet-demo"
INVITATION_HOURS = 1  # why: used at once; a leftover token should not stay valid for long


@dataclass(frozen=True)
class Endpoint:
    """A served node: its data directory and the base URL its peers reach it at."""

    directory: Path
    url: str


@contextmanager
def opened(endpoint: Endpoint) -> Iterator[Node]:
    # why: the identity sent in the handshake must carry the URL the node is served at
    settings = load_settings(endpoint.directory, public_url=endpoint.url)
    node = open_node(settings, migrate=False)
    try:
        yield node
    finally:
        node.close()


def node_id_of(endpoint: Endpoint) -> str:
    with opened(endpoint) as node:
        return federation_id(node)


def is_peered(endpoint: Endpoint, other_id: str) -> bool:
    with opened(endpoint) as node:
        peer = peer_ops.find(node, other_id)
    return peer is not None and peer.status is PeerStatus.ACTIVE


def invite(endpoint: Endpoint) -> str:
    """A one-time invitation token from `endpoint` (as `csnet peer invite` makes it)."""
    with opened(endpoint) as node:
        invitation = invite_ops.issue(node, ACTOR, hours=INVITATION_HOURS, url=endpoint.url)
    return invitation.token()


def peer_pair(inviter: Endpoint, acceptor: Endpoint, transport: PeerTransport) -> None:
    """Invite on `inviter`, then accept from `acceptor`: the handshake goes over `transport`."""
    token = invite(inviter)
    with opened(acceptor) as node:
        handshake.accept(node, transport, token, ACTOR)


def form_mesh(endpoints: Sequence[Endpoint], transport: PeerTransport) -> int:
    """Peer every pair not yet peered; returns how many pairs were newly peered."""
    ids = [node_id_of(e) for e in endpoints]
    formed = 0
    for (a, a_id), (b, b_id) in itertools.combinations(zip(endpoints, ids, strict=True), 2):
        if is_peered(a, b_id) and is_peered(b, a_id):
            continue  # why: `make demo` runs again on existing data; peer only once
        peer_pair(a, b, transport)
        formed += 1
    return formed


def form_group(owner: Endpoint, name: str, member_ids: Sequence[str]) -> str:
    """A sharing group owned by `owner` with the given peers in it; returns its id.

    The signed membership items are queued for the members, and the running node pushes them.
    """
    with opened(owner) as node:
        group = group_ops.create(node, name, ACTOR)
        for member in member_ids:
            group_ops.add(node, group.id, member, ACTOR)
    return group.id
