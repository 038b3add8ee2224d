"""One item per (origin, seq): an origin's sequence number names a single item.

Only the origin's key, or one of its retired keys for the seqs it was valid for, can sign a
second item under a seq: a forgery by whoever holds that key, or an origin that lost track of
its sequence. Either way the receiver cannot tell which one is genuine, so the item it holds (or
accepted first in the batch) stays, and the other is refused on its own as `seq_conflict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection

from csnet.errors import Conflict
from csnet.items.envelope import Envelope
from csnet.store import item_store
from csnet.store.item_store import SeqKey

CODE = "seq_conflict"
MESSAGE = "another item is held under this origin and seq"


def key_of(env: Envelope) -> SeqKey:
    return (env.origin, env.seq)


def seq_conflict() -> Conflict:
    return Conflict(MESSAGE, code=CODE)


class SeqClaims:
    """Which item has each (origin, seq) of a batch being judged: the held ones, then the
    batch's items in the order they are accepted."""

    def __init__(self, held: Mapping[SeqKey, str], batch: Iterable[Envelope]) -> None:
        self._holder = dict(held)
        self._in_batch: dict[SeqKey, set[str]] = {}
        for env in batch:
            self._in_batch.setdefault(key_of(env), set()).add(env.id)

    def uncontested(self, env: Envelope) -> bool:
        """No other item, held or in the batch, has `env`'s (origin, seq)."""
        key = key_of(env)
        return self._holder.get(key, env.id) == env.id and self._in_batch.get(key) == {env.id}

    def claim(self, env: Envelope) -> None:
        """Take `env`'s (origin, seq) for it; seq_conflict if another item has it already."""
        if self._holder.setdefault(key_of(env), env.id) != env.id:
            raise seq_conflict()


def load(conn: Connection, batch: Sequence[Envelope]) -> SeqClaims:
    """The claims for a batch, from one set-based look-up of what is held."""
    return SeqClaims(item_store.seq_holders(conn, map(key_of, batch)), batch)


def clashing(conn: Connection, envelopes: Sequence[Envelope]) -> set[str]:
    """Ids of `envelopes` whose (origin, seq) another held item has: asked again inside the
    write transaction, since a concurrent receipt may have stored one after judging."""
    held = item_store.seq_holders(conn, map(key_of, envelopes))
    return {env.id for env in envelopes if held.get(key_of(env), env.id) != env.id}
