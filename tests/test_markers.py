"""Markers come from fixtures (tests/conftest.py): a test cannot touch a store unmarked."""

from __future__ import annotations

from pathlib import Path

import pytest

from csnet.store.engine import Store


def test_a_test_with_a_store_is_marked_store(request: pytest.FixtureRequest, store: Store) -> None:
    assert request.node.get_closest_marker("store") is not None
    assert request.node.get_closest_marker("bus") is None


def test_a_test_on_the_bus_under_test_is_marked_bus(
    request: pytest.FixtureRequest, bus_url: str
) -> None:
    assert request.node.get_closest_marker("bus") is not None
    assert request.node.get_closest_marker("store") is None


def test_a_test_without_the_databases_fixture_cannot_open_a_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert request.node.get_closest_marker("store") is None
    with pytest.raises(pytest.fail.Exception, match="without the databases fixture"):
        Store(f"sqlite:///{tmp_path / 'csnet.db'}")
    assert not (tmp_path / "csnet.db").exists()
