"""A node whose API the CLI reaches in-process (httpx.request is routed to the app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from csnet.node import Node
from tests.databases import Databases
from tests.factories import api, make_node

SERVED_URL = "http://node.test"


def route_cli_to(node: Node, base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's requests to `base_url` go to `node`'s app in-process (no sockets)."""
    app = api(node)

    def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.pop("timeout", None)
        answer = app.request(method, url.removeprefix(base_url), **kwargs)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    monkeypatch.setattr(httpx, "request", request)


@pytest.fixture
def served_node(
    tmp_path: Path, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Node]:
    made = make_node(tmp_path / "served", databases)
    route_cli_to(made, SERVED_URL, monkeypatch)
    yield made
    made.close()
