"""Migration 0011: sightings keep their rows, lose the creation-time index, and on SQLite
become one B-tree (WITHOUT ROWID); the downgrade puts the index back."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Connection, inspect, text

from csnet.store.engine import Store
from csnet.store.migrate import alembic_config
from csnet.store.tables import indicator_values, items, sightings


def _migrate(store: Store, revision: str, *, down: bool = False) -> None:
    config = alembic_config(store.url)
    with store.write() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _item_row(item_id: str, now: datetime) -> dict[str, object]:
    return {
        "id": item_id,
        "origin": "PK-FIA",
        "seq": 1,
        "kind": "alert",
        "author": "officer",
        "created": now,
        "tlp": "TLP:AMBER",
        "envelope": b"{}",
        "tombstoned": False,
        "received": now,
    }


def _sighting(
    conn: Connection, value_id: int, phone: str, item_id: str, now: datetime, *, protected: bool
) -> None:
    """One item of PK-FIA holding one phone number, as stored before or after 0011."""
    conn.execute(items.insert(), _item_row(item_id, now))
    conn.execute(
        indicator_values.insert(),
        {"id": value_id, "type": "phone", "value": phone, "first_seen": now}
        | {"items": 1, "noisy": False},
    )
    conn.execute(
        sightings.insert(),
        {"value_id": value_id, "item_id": item_id, "origin": "PK-FIA", "created": now}
        | {"protected": protected},
    )


def _sighting_indexes(store: Store) -> set[str]:
    with store.read() as conn:
        return {str(ix["name"]) for ix in inspect(conn).get_indexes("sightings")}


def test_sightings_survive_the_upgrade_in_one_btree(store: Store, now: datetime) -> None:
    _migrate(store, "0010", down=True)
    assert "ix_sightings_created" in _sighting_indexes(store)
    with store.write() as conn:
        _sighting(conn, 7, "+923001234567", "item-1", now, protected=True)
    _migrate(store, "head")
    with store.read() as conn:
        rows = conn.execute(sightings.select()).all()
    assert [(r.value_id, r.item_id, r.origin, r.protected) for r in rows] == [
        (7, "item-1", "PK-FIA", True)
    ]
    created = rows[0].created  # SQLite hands back the UTC time without its zone
    assert (created if created.tzinfo else created.replace(tzinfo=UTC)) == now
    assert _sighting_indexes(store) == {"ix_sightings_item_id"}
    if store.is_sqlite:
        with store.read() as conn:
            ddl = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'sightings'")
            ).scalar_one()
        assert "WITHOUT ROWID" in ddl


def test_erasing_an_item_still_removes_its_sightings(store: Store, now: datetime) -> None:
    with store.write() as conn:
        _sighting(conn, 9, "+302101234567", "item-2", now, protected=False)
        conn.execute(items.delete().where(items.c.id == "item-2"))
    with store.read() as conn:
        assert conn.execute(sightings.select()).all() == []


def test_the_downgrade_puts_the_creation_time_index_back(store: Store) -> None:
    _migrate(store, "0010", down=True)
    assert _sighting_indexes(store) == {"ix_sightings_item_id", "ix_sightings_created"}
