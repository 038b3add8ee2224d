"""Who this node's items can reach: sharing-group membership and the active peers with their
groups, read as one view, cached by the Node (csnet/store/views.py) and reloaded only when a
write to peers, sharing_groups or group_members (by any process) moved its stamp."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from csnet.federation import groups
from csnet.federation.peers import PeerStatus, list_peers
from csnet.items import relay
from csnet.store.views import FEDERATION, ViewCache


@dataclass(frozen=True)
class Reach:
    membership: groups.Membership  # shared by every reader: never updated in place
    targets: tuple[relay.Target, ...]  # the active peers, with their groups


def active_targets(conn: Connection, view: groups.Membership) -> list[relay.Target]:
    """Active peers, with the sharing groups this node's view puts them in."""
    return [
        relay.Target(p.node_id, p.identity.country, view.of(p.node_id))
        for p in list_peers(conn)
        if p.status is PeerStatus.ACTIVE
    ]


def load(conn: Connection) -> Reach:
    """The plain path: read from the tables."""
    view = groups.load(conn)
    return Reach(view, tuple(active_targets(conn, view)))


def cached(views: ViewCache, conn: Connection) -> Reach:
    """The view as `conn`'s transaction sees it, from the cache unless its stamp moved."""
    return views.get(conn, FEDERATION, load)


def membership(views: ViewCache, conn: Connection) -> groups.Membership:
    """A copy of the cached membership, for a caller that updates it while judging a batch."""
    return groups.Membership(dict(cached(views, conn).membership.groups))
