"""Two real node processes on 127.0.0.1, peered over HTTP: outages and crashes lose nothing.

Each node is a `csnet serve` subprocess on its own store (SQLite, or a PostgreSQL database each
when CSNET_TEST_DATABASE_URL is set). The test reads the stores directly to compare item sets.
"""

from __future__ import annotations

import hashlib
import signal
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from csnet.access import Caller
from csnet.accounts.members import get_by_username
from csnet.cli.demo_network import Endpoint, node_id_of, opened
from csnet.publishing import NewItem, publish_many
from csnet.store.tables import items, outbox
from tests.federation.processes import Served, wait_for

pytestmark = pytest.mark.e2e

CONVERGE_SECONDS = 30.0


def _ids(endpoint: Endpoint, origin: str) -> set[str]:
    with opened(endpoint) as node, node.store.read() as conn:
        return set(conn.execute(select(items.c.id).where(items.c.origin == origin)).scalars())


def _queued(endpoint: Endpoint, peer: str) -> set[str]:
    with opened(endpoint) as node, node.store.read() as conn:
        return set(conn.execute(select(outbox.c.item_id).where(outbox.c.peer == peer)).scalars())


def _digest(ids: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _alert(n: int) -> dict[str, Any]:
    return {"title": f"Vessel {n} sighted", "text": "Heading north.", "urgency": "PRIORITY"}


def test_items_posted_while_the_peer_is_down_arrive_after_its_restart(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    a, b, token = two_nodes()
    a_id, b_id = node_id_of(a.endpoint), node_id_of(b.endpoint)
    b.stop()
    with httpx.Client(base_url=a.endpoint.url, timeout=10) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for n in range(50):
            body = {"body": _alert(n), "audience": {"nodes": [b_id]}}
            assert client.post("/api/v1/alerts", json=body).status_code == 201
    sent = _ids(a.endpoint, a_id)
    assert len(sent) == 50
    wait_for(lambda: len(_queued(a.endpoint, b_id)) == 50, 10)  # queued while B is down

    b.start()
    took = wait_for(lambda: _ids(b.endpoint, a_id) == sent, CONVERGE_SECONDS)
    assert took <= CONVERGE_SECONDS
    b.stop()
    a.stop()
    assert _digest(_ids(a.endpoint, a_id)) == _digest(_ids(b.endpoint, a_id))


def test_receiver_killed_mid_batch_loses_no_acknowledged_item(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    # why: small batches (64 KiB bodies) so that the kill lands between and inside batches
    a, b, _token = two_nodes(a_env={"CSNET_MAX_REQUEST_BYTES": "65536"})
    a_id, b_id = node_id_of(a.endpoint), node_id_of(b.endpoint)
    with opened(a.endpoint) as node:
        with node.store.read() as conn:
            officer = get_by_username(conn, "officer")
        news = [NewItem("alert", _alert(n), audience_nodes=(b_id,)) for n in range(600)]
        sent = {env.id for env in publish_many(node, Caller(officer), news)}

    wait_for(lambda: len(_queued(a.endpoint, b_id)) < 600, 20)  # a first batch acknowledged
    assert b.process is not None
    b.stop(signal.SIGKILL)
    acknowledged = sent - _queued(a.endpoint, b_id)  # rows leave the outbox only on a receipt
    assert acknowledged
    assert acknowledged <= _ids(b.endpoint, a_id)  # a receipt means stored for good

    b.start()
    wait_for(lambda: _ids(b.endpoint, a_id) == sent, CONVERGE_SECONDS)
    b.stop()
    a.stop()
    assert _digest(_ids(a.endpoint, a_id)) == _digest(sent) == _digest(_ids(b.endpoint, a_id))
