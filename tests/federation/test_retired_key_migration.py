"""Migration 0013: peer_keys.last_seq. A key retired before it gets the highest seq of the items
of its origin received before the retirement; the downgrade drops the column."""

from __future__ import annotations

from datetime import datetime, timedelta

from alembic import command
from sqlalchemy import inspect

from csnet.federation.peers import key_history
from csnet.items.keys import KeyHistory, NodeKey, b64url
from csnet.store.engine import Store
from csnet.store.migrate import alembic_config
from csnet.store.tables import items, peer_keys, peers

ORIGIN = "csn" + "a" * 24


def _migrate(store: Store, revision: str, *, down: bool = False) -> None:
    config = alembic_config(store.url)
    with store.write() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _item(seq: int, received: datetime) -> dict[str, object]:
    return {
        "id": f"{seq:064x}",
        "origin": ORIGIN,
        "seq": seq,
        "kind": "alert",
        "author": "officer",
        "created": received,
        "tlp": "TLP:CLEAR",
        "envelope": b"{}",
        "tombstoned": False,
        "received": received,
    }


def _columns(store: Store) -> set[str]:
    with store.read() as conn:
        return {str(c["name"]) for c in inspect(conn).get_columns("peer_keys")}


def test_keys_retired_before_0013_get_the_last_seq_received_before(
    store: Store, now: datetime
) -> None:
    first, second, third = (NodeKey.generate().public_key for _ in range(3))
    _migrate(store, "0012", down=True)
    assert "last_seq" not in _columns(store)
    peer = {"node_id": ORIGIN, "name": "PK-FIA", "country": "PK", "agency": "FIA"}
    peer |= {"url": "http://pk.test", "status": "active", "added": now, "updated": now}
    later = now + timedelta(days=1)
    with store.write() as conn:
        conn.execute(peers.insert().values(**peer, public_key=b64url(third)))
        conn.execute(
            peer_keys.insert(),
            [
                {"node_id": ORIGIN, "public_key": b64url(first), "added": now, "retired": now},
                {"node_id": ORIGIN, "public_key": b64url(second), "added": now, "retired": later},
                {"node_id": ORIGIN, "public_key": b64url(third), "added": later, "retired": None},
            ],
        )
        conn.execute(items.insert(), [_item(1, now), _item(2, later), _item(3, later)])
        conn.execute(items.insert(), [_item(4, later + timedelta(hours=1))])
    _migrate(store, "head")
    with store.read() as conn:
        history = key_history(conn, ORIGIN)
    assert history == KeyHistory(third, ((second, 3), (first, 1)))
    _migrate(store, "0012", down=True)
    assert "last_seq" not in _columns(store)
