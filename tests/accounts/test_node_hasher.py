"""The password hasher comes with the Node: production parameters unless a test passes its own."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher, Type

from csnet.node import init_node, open_node
from csnet.settings import load_settings
from tests.conftest import Databases
from tests.factories import FAST_HASHER


def _parameters(hasher: PasswordHasher) -> tuple[Type, int, int, int, int, int]:
    p = hasher._parameters  # argon2-cffi keeps them in one Parameters record
    return (p.type, p.time_cost, p.memory_cost, p.parallelism, p.hash_len, p.salt_len)


def test_a_node_opened_with_production_settings_hashes_with_rfc_9106_low_memory(
    tmp_path: Path, databases: Databases
) -> None:
    directory = tmp_path / "node"
    init_node(
        directory,
        name="PK-FIA",
        country="PK",
        agency="Federal Investigation Agency",
        database_url=databases.for_node(directory),
    ).close()
    node = open_node(load_settings(directory, environ={}))
    try:
        # RFC 9106 §4, second recommended option: argon2id, t=3, m=64 MiB, p=4, 16-byte salt
        assert _parameters(node.hasher) == (Type.ID, 3, 65536, 4, 32, 16)
        assert node.hasher.check_needs_rehash(FAST_HASHER.hash("correct horse battery staple"))
    finally:
        node.close()


def test_a_test_node_hashes_cheaply(tmp_path: Path, databases: Databases) -> None:
    directory = tmp_path / "node"
    node = init_node(
        directory,
        name="PK-FIA",
        country="PK",
        agency="Federal Investigation Agency",
        database_url=databases.for_node(directory),
        hasher=FAST_HASHER,
    )
    try:
        assert node.hasher is FAST_HASHER
    finally:
        node.close()
