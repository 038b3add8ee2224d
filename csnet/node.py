"""A node is one explicit object: settings, store, identity key, clock. Built once, passed down.

Two nodes can live in one process (federation tests wire them together), so nothing here is global.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Connection, select

from csnet.bus import EventBus, LocalWork, MemoryBus, OutboxWork, connect_bus
from csnet.errors import BadInput, Conflict, NotFound
from csnet.items.keys import NodeKey, key_fingerprint, node_id_for
from csnet.items.pools import WorkerPool
from csnet.node_keys import KEY_FILE, key_on_disk, name_key, named_key
from csnet.password_hashing import production_hasher
from csnet.settings import Settings, load_settings, write_config
from csnet.store import tables
from csnet.store.engine import Store, sqlite_url
from csnet.store.migrate import upgrade
from csnet.store.views import ViewCache
from csnet.transport import PeerTransport

SESSION_SECRET_FILE = "session.secret"  # noqa: S105 (a file name)
NODE_NAME = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Identity:
    node_id: str
    name: str
    country: str
    agency: str
    public_key: bytes

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)


@dataclass
class Node:
    settings: Settings
    store: Store
    key: NodeKey
    identity: Identity
    session_secret: bytes
    clock: Clock = field(default=utc_now)
    # Cheap in tests, production_hasher() everywhere else (tests/accounts/test_node_hasher.py).
    hasher: PasswordHasher = field(default_factory=production_hasher)
    # Wake-ups when items were queued for peers, and who sends to which peer (csnet/bus/work.py).
    work: OutboxWork = field(default_factory=LocalWork)
    bus: EventBus = field(default_factory=MemoryBus)
    # How federation reaches peers; None: the CLI/web layer supplies real HTTP (httpx).
    transport: PeerTransport | None = None
    # Worker processes for signature checks and PSI: started on first use, ended by close().
    workers: WorkerPool = field(default_factory=WorkerPool)
    # Views of rarely written tables (peers, groups), valid across processes by their stamps.
    views: ViewCache = field(default_factory=ViewCache)

    @property
    def node_id(self) -> str:
        return self.identity.node_id

    def now(self) -> datetime:
        return self.clock()

    def signing_key(self, conn: Connection | None = None) -> NodeKey:
        """The key to sign with now: the one the database names, which another process of this
        node may have rotated (csnet/node_keys.py). Sealing passes the transaction that
        allocated the item's seq, so the key always agrees with the last_seq a rotation
        announces; a request signature reads it in a transaction of its own."""
        if conn is None:
            with self.store.read() as own:
                return self.signing_key(own)
        named = named_key(conn)
        if named is not None and named != self.key.public_key:
            self.key = key_on_disk(self.settings.data_path, named)
            self.identity = replace(self.identity, public_key=self.key.public_key)
        return self.key

    def close(self) -> None:
        self.workers.close()
        self.work.close()
        self.bus.close()
        self.store.dispose()


def _write_secret(path: Path, data: bytes) -> None:
    """Create a secret file readable by its owner only (mode 0600), never overwriting one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _database_url(settings: Settings) -> str:
    return str(settings.database_url) or sqlite_url(settings.data_path)


def validate_identity_fields(name: str, country: str, agency: str) -> None:
    if not NODE_NAME.match(name):
        raise BadInput(f"node name {name!r}: use 2-32 capitals, digits and dashes, e.g. PK-FIA")
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise BadInput(f"country {country!r} is not an ISO 3166-1 alpha-2 code, e.g. PK")
    if not agency.strip() or len(agency) > 200:
        raise BadInput("agency must be 1-200 characters")


def init_node(
    data_dir: Path,
    *,
    name: str,
    country: str,
    agency: str,
    database_url: str = "",
    bus_url: str = "",
    hasher: PasswordHasher | None = None,
) -> Node:
    """Create a data directory with identity, config and a migrated database."""
    validate_identity_fields(name, country, agency)
    if (data_dir / KEY_FILE).exists():
        raise Conflict(f"{data_dir} already holds a node; use another --data-dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    key = NodeKey.generate()
    _write_secret(data_dir / KEY_FILE, key.seed)
    _write_secret(data_dir / SESSION_SECRET_FILE, secrets.token_bytes(32))
    config: dict[str, str] = {"node_name": name, "country": country, "agency": agency}
    if database_url:
        config["database_url"] = database_url
    if bus_url:
        config["bus_url"] = bus_url
    write_config(data_dir, config)
    node = _open(load_settings(data_dir), utc_now, migrate=True, hasher=hasher)
    _record_identity(node)  # why: before the bus, which may fail and leave a node to open later
    _connect_bus(node)
    return node


def _record_identity(node: Node) -> None:
    values = {
        "node_id": node.identity.node_id,
        "name": node.identity.name,
        "country": node.identity.country,
        "agency": node.identity.agency,
    }
    with node.store.write() as conn:
        conn.execute(tables.node_meta.delete().where(tables.node_meta.c.key.in_(values)))
        conn.execute(tables.node_meta.insert(), [{"key": k, "value": v} for k, v in values.items()])
        name_key(conn, node.key.public_key)


def open_node(
    settings: Settings,
    clock: Clock = utc_now,
    *,
    migrate: bool = True,
    hasher: PasswordHasher | None = None,
) -> Node:
    """Open an initialised data directory (migrating the database to the newest schema); the
    password hasher is production_hasher() unless a test passes a cheaper one."""
    node = _open(settings, clock, migrate=migrate, hasher=hasher)
    _connect_bus(node)
    return node


def _open(
    settings: Settings, clock: Clock, *, migrate: bool, hasher: PasswordHasher | None
) -> Node:
    directory = settings.data_path
    key_path = directory / KEY_FILE
    if not key_path.is_file():
        raise NotFound(f"no node in {directory}; run `csnet init` first")
    key = NodeKey.from_seed(key_path.read_bytes())
    store = Store(_database_url(settings))
    if migrate:
        upgrade(store)
    with store.read() as conn:
        named = named_key(conn)
    if named is not None and named != key.public_key:
        key = key_on_disk(directory, named)  # why: opened between a rotation's commit and move
    identity = Identity(
        # why: the id is derived from the node's first key and survives key rotations
        node_id=stored_node_id(store) or node_id_for(key.public_key),
        name=str(settings.node_name),
        country=str(settings.country),
        agency=str(settings.agency),
        public_key=key.public_key,
    )
    secret = (directory / SESSION_SECRET_FILE).read_bytes()
    return Node(settings, store, key, identity, secret, clock, hasher or production_hasher())


def _connect_bus(node: Node) -> None:
    """The in-process bus stays unless bus_url names NATS (raises BusUnreachable)."""
    if not node.settings.bus_url:
        return
    try:
        # why: names on a shared nats-server derive from the node id, so nodes never mix
        node.bus, node.work = connect_bus(str(node.settings.bus_url), node.node_id)
    except BaseException:
        node.close()
        raise


def stored_node_id(store: Store) -> str | None:
    with store.read() as conn:
        row = conn.execute(
            select(tables.node_meta.c.value).where(tables.node_meta.c.key == "node_id")
        ).first()
    return None if row is None else str(row[0])
