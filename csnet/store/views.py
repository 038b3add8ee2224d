"""Views of rarely written tables, cached per process and reloaded only when their stamp moved.

Database triggers (migration 0016) change a view's stamp in the transaction of every write to
the tables behind it, whichever process or code path writes, so a reader pays one indexed read
of one value instead of reading the tables. The stamp is read in the reader's own transaction:
a view loaded there is what that transaction sees, and is cached under the stamp it read first
(rows that changed after that read carry a newer stamp, so they are reloaded next time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar, cast

from sqlalchemy import Connection

T = TypeVar("T")
ViewName = Literal["federation"]
FEDERATION: ViewName = "federation"  # peers, sharing_groups, group_members
FEDERATION_TABLES = ("peers", "sharing_groups", "group_members")

# why: the name is one of ViewName's literals, never input, so it is written into the SQL and the
# statement needs no parameters (whose style differs between sqlite3 and psycopg)
_STAMP_SQL = "SELECT stamp FROM view_stamps WHERE name = '{name}'"


def stamp(conn: Connection, name: ViewName) -> int | None:
    """The view's stamp; None until the first write to its tables (or after a test emptied it)."""
    row = conn.exec_driver_sql(_STAMP_SQL.format(name=name)).first()
    return None if row is None else int(row[0])


class ViewCache:
    """One process's cached views, owned by its Node. Threads may share it: two that load at
    once each store what they read under the stamp they read, so the later store is at worst
    reloaded once more."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[int | None, object]] = {}
        self.loads = 0  # how many times a view was read from its tables (tests count them)

    def get(self, conn: Connection, name: ViewName, load: Callable[[Connection], T]) -> T:
        """The view as `conn`'s transaction sees it: cached, or loaded by `load(conn)`."""
        current = stamp(conn, name)
        held = self._held.get(name)
        if held is not None and held[0] == current:
            return cast(T, held[1])
        view = load(conn)
        self.loads += 1
        self._held[name] = (current, view)
        return view
