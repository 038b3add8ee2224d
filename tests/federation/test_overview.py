"""The federation's figures on the administration overview."""

from __future__ import annotations

from csnet.federation import peers
from csnet.federation.overview import FederationCounts, counts
from csnet.federation.peers import PeerStatus
from tests.federation.conftest import Pair
from tests.federation.test_handshake import peer_up


def test_counts_peers_the_active_ones_and_groups(pair: Pair) -> None:
    assert counts(pair.a) == FederationCounts(peers=0, active_peers=0, groups=0)
    peer_up(pair)
    assert counts(pair.a) == FederationCounts(peers=1, active_peers=1, groups=0)
    with pair.a.store.write() as conn:
        peers.set_status(conn, pair.b.node_id, PeerStatus.SUSPENDED, pair.a.now())
    assert counts(pair.a) == FederationCounts(peers=1, active_peers=0, groups=0)
