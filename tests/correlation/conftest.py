from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csnet.node import Node
from csnet.store.engine import Store
from tests.factories import make_node


@pytest.fixture
def node(tmp_path: Path, store: Store) -> Iterator[Node]:
    url = "" if store.is_sqlite else store.url
    made = make_node(tmp_path / "node", url)
    yield made
    made.close()
