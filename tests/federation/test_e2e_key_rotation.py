"""`csnet peer rotate-key` while the node serves: the running `csnet serve` process signs its
requests and seals its items with the new key at once, and its peer accepts them, no restart."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from csnet.cli.demo_network import Endpoint, node_id_of, opened
from csnet.items.keys import NodeKey
from csnet.items.signing import verify_envelope
from csnet.store.tables import audit_log, items
from tests.federation.processes import Served, wait_for

pytestmark = pytest.mark.e2e


def _held(endpoint: Endpoint, item_id: str) -> bytes | None:
    with opened(endpoint) as node, node.store.read() as conn:
        raw = conn.execute(select(items.c.envelope).where(items.c.id == item_id)).scalar()
    return None if raw is None else bytes(raw)


def _refusals(endpoint: Endpoint) -> list[str]:
    with opened(endpoint) as node, node.store.read() as conn:
        rows = conn.execute(select(audit_log.c.details).where(audit_log.c.action == "peer_refused"))
        return [json.loads(details)["code"] for (details,) in rows]


def test_rotate_key_reaches_the_serving_node_without_a_restart(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    a, b, token = two_nodes()
    b_id = node_id_of(b.endpoint)
    cli = [sys.executable, "-m", "csnet.cli.main", "peer", "rotate-key", "--json"]
    rotated = subprocess.run(
        [*cli, "--data-dir", str(a.endpoint.directory)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert rotated.returncode == 0, rotated.stderr
    answer = json.loads(rotated.stdout)
    assert [d["error"] for d in answer["deliveries"]] == [None]
    new_key = NodeKey.from_seed((a.endpoint.directory / "node.key").read_bytes())

    with httpx.Client(base_url=a.endpoint.url, timeout=10) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        body = {"title": "Vessel sighted", "text": "Heading north.", "urgency": "PRIORITY"}
        posted = client.post("/api/v1/alerts", json={"body": body, "audience": {"nodes": [b_id]}})
    assert posted.status_code == 201, posted.text
    item_id = posted.json()["id"]
    wait_for(lambda: _held(b.endpoint, item_id) is not None, 30)  # pushed under the new key
    raw = _held(b.endpoint, item_id)
    assert raw is not None
    assert verify_envelope(raw, lambda _origin: new_key.public_key).id == item_id
    assert "bad_request_signature" not in _refusals(b.endpoint)
    b.stop()
    a.stop()
