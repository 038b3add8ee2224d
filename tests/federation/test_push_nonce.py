"""A pushed batch records its request's nonce in the items' write transaction: one write per
batch, and a failure stores neither the items nor the nonce (issue 13, "nonce and items in one
transaction")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from csnet.federation.delivery import Delivery
from csnet.store.tables import items, request_nonces
from tests.federation.conftest import Pair
from tests.federation.test_delivery import post
from tests.federation.test_handshake import peer_up


def _count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def _counting_writes(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Write transactions B opens from here on."""
    opened: list[int] = []
    write = pair.b.store.write

    @contextmanager
    def counted() -> Iterator[Connection]:
        opened.append(1)
        with write() as conn:
            yield conn

    def factory() -> AbstractContextManager[Connection]:
        return counted()

    monkeypatch.setattr(pair.b.store, "write", factory)
    return opened


def test_a_push_commits_its_nonce_and_items_in_one_write(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer_up(pair)
    post(pair.a, to=(pair.b.node_id,))
    writes = _counting_writes(pair, monkeypatch)
    assert Delivery(pair.a).flush(pair.b.node_id) == 1
    assert len(writes) == 1
    with pair.b.store.read() as conn:
        assert (_count(conn, request_nonces), _count(conn, items) > 0) == (1, True)


def test_a_failed_store_keeps_neither_the_items_nor_the_nonce(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer_up(pair)
    with pair.b.store.read() as conn:
        nonces_before, items_before = _count(conn, request_nonces), _count(conn, items)
    (env,) = post(pair.a, to=(pair.b.node_id,))

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr("csnet.federation.inbox.apply", broken)
        assert Delivery(pair.a).flush(pair.b.node_id) == 0  # answered 500: queued for a retry
    with pair.b.store.read() as conn:
        assert (_count(conn, request_nonces), _count(conn, items)) == (nonces_before, items_before)
    pair.clock.advance(seconds=120)  # past the backoff
    assert Delivery(pair.a).flush(pair.b.node_id) == 1  # the retry, a new request, is stored
    with pair.b.store.read() as conn:
        assert conn.execute(select(items.c.id).where(items.c.id == env.id)).first() is not None
