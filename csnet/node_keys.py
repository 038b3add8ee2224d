"""The node's signing key on disk and which key is current, for every process of the node.

The database names the current public key (node_meta "public_key"); the data directory holds its
seed in node.key. A rotation (csnet/federation/rotation.py) stages the new seed as node.key.next,
names the new key in the single-writer transaction that also reads the last seq sealed under the
old one, and after the commit moves the seed into node.key (the old one stays as
node.key.retired-<unix s>). Every process of the node — the CLI, `csnet serve`, its workers —
reads the named key before it signs (Node.signing_key), so the commit is the one moment the node
switches keys: no restart, no message to miss. Between the commit and the move, and after a crash
there, the named seed is still found in node.key.next.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, select

from csnet.errors import Conflict
from csnet.items.keys import NodeKey, b64url, b64url_decode
from csnet.store.tables import node_meta

KEY_FILE = "node.key"
NEXT_KEY_FILE = "node.key.next"  # a rotation's new seed until it replaces node.key
LOCK_FILE = "node.key.lock"
KEY_META = "public_key"  # node_meta: the current public key, b64url
# Built once: every seal reads it, and building it costs more than SQLite running it.
_NAMED_KEY = select(node_meta.c.value).where(node_meta.c.key == KEY_META)


def named_key(conn: Connection) -> bytes | None:
    """The public key the database names as current; None for a node that never rotated under
    this version (its node.key is then the current key)."""
    row = conn.execute(_NAMED_KEY).first()
    return None if row is None else b64url_decode(str(row[0]))


def name_key(conn: Connection, public_key: bytes) -> None:
    conn.execute(node_meta.delete().where(node_meta.c.key == KEY_META))
    conn.execute(node_meta.insert().values(key=KEY_META, value=b64url(public_key)))


def read_key(path: Path) -> NodeKey | None:
    try:
        return NodeKey.from_seed(path.read_bytes())
    except FileNotFoundError:
        return None


def key_on_disk(directory: Path, public_key: bytes) -> NodeKey:
    """The seed of `public_key`: in node.key, or in node.key.next while a rotation moves it."""
    for _ in range(2):  # why: the move may happen between our two reads; then node.key has it
        for name in (KEY_FILE, NEXT_KEY_FILE):
            key = read_key(directory / name)
            if key is not None and key.public_key == public_key:
                return key
    # why: a worker on a copy of the data directory must not go on with the retired key
    raise Conflict(
        f"no key file in {directory} holds the node's current key (rotated on another host?"
        " copy its node.key here)",
        code="node_key_missing",
    )


@contextlib.contextmanager
def rotation_lock(directory: Path) -> Iterator[None]:
    """One rotation at a time per data directory (two would race on node.key.next)."""
    fd = os.open(directory / LOCK_FILE, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def settle(directory: Path, current: bytes) -> None:
    """Finish a move a crash interrupted, or drop a staged seed whose rotation never committed."""
    staged = read_key(directory / NEXT_KEY_FILE)
    if staged is None:
        return
    if staged.public_key == current:
        install(directory, "node.key.retired-interrupted")
    else:
        (directory / NEXT_KEY_FILE).unlink()


def stage(directory: Path, key: NodeKey) -> None:
    """Write the new seed as node.key.next, readable by its owner only."""
    fd = os.open(directory / NEXT_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.seed)
        handle.flush()
        os.fsync(handle.fileno())


def install(directory: Path, retired_name: str) -> None:
    """Keep node.key as `retired_name`, then move node.key.next over it in one rename, so that
    node.key always holds a key."""
    with contextlib.suppress(FileExistsError):
        os.link(directory / KEY_FILE, directory / retired_name)
    os.replace(directory / NEXT_KEY_FILE, directory / KEY_FILE)
