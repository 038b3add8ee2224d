"""Plain factory functions shared by tests: nodes, members, tokens, API clients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from csnet.accounts import members, tokens
from csnet.accounts.members import Member
from csnet.handling.roles import Role
from csnet.node import Node, init_node, open_node
from csnet.settings import load_settings
from csnet.web.app import create_app
from tests.databases import Databases

PASSWORD = "correct horse battery staple"
# Cheap argon2id parameters keep the suite fast; a login still verifies (and rehashes) them.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


def make_node(
    directory: Path,
    databases: Databases,
    *,
    bus_url: str = "",
    name: str = "PK-FIA",
    country: str = "PK",
    agency: str = "Federal Investigation Agency",
    clock: Callable[[], datetime] | None = None,
) -> Node:
    """A new node on a database of its own from `databases`, hashing passwords cheaply; on NATS
    when given the `bus_url` fixture's URL (its own streams: its id is new)."""
    node = init_node(
        directory,
        name=name,
        country=country,
        agency=agency,
        database_url=databases.for_node(directory),
        bus_url=bus_url,
        hasher=FAST_HASHER,
    )
    if clock is None:
        return node
    node.close()
    return open_node(load_settings(directory, environ={}), clock, hasher=FAST_HASHER)


def init_options(databases: Databases, directory: Path, *, migrated: bool = True) -> list[str]:
    """`csnet init` options for a node in `directory` on a fresh database from `databases`
    (`migrated=False`: an empty one, for init to migrate)."""
    url = databases.for_node(directory, migrated=migrated)
    return ["--data-dir", str(directory), *(["--database-url", url] if url else [])]


def add_member(node: Node, username: str, role: Role | str) -> tuple[Member, str]:
    with node.store.write() as conn:
        return members.add_member(
            conn,
            username=username,
            display_name=username.title(),
            role=Role(role),
            password=PASSWORD,
            now=node.now(),
            hasher=FAST_HASHER,
        )


def token_for(node: Node, member: Member, scopes: tuple[str, ...] = ("read", "write")) -> str:
    with node.store.write() as conn:
        _info, secret = tokens.create_token(conn, member.id, "test", list(scopes), node.now(), 30)
    return secret


def api(node: Node, token: str | None = None, **headers: str) -> TestClient:
    client = TestClient(create_app(node), raise_server_exceptions=False)
    if token:
        client.headers["Authorization"] = f"Bearer {token}"
    client.headers.update(headers)
    return client


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def alert_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Overloaded fishing vessel south of Crete",
        "text": "About 300 persons on board, heading north-west from Tobruk.",
        "urgency": "FLASH",
        "place": {"name": "South of Gavdos", "lat": 34.2, "lon": 24.1},
        "tags": ["sar", "boat"],
        "route": "Central Mediterranean",
    }
    body.update(overrides)
    return body
