"""Every error answers in one body; bad input never gives a 500."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import add_member, alert_body, api, token_for


def _assert_error_body(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@pytest.fixture
def client(node: Node) -> Any:
    member, _ = add_member(node, "officer", Role.OFFICER)
    return api(node, token_for(node, member))


def test_unknown_route_404(client: Any) -> None:
    _assert_error_body(client.get("/api/v1/nowhere"), 404)


def test_wrong_method_405(client: Any) -> None:
    _assert_error_body(client.delete("/api/v1/alerts"), 405)


def test_malformed_json_422(client: Any) -> None:
    response = client.post(
        "/api/v1/alerts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    _assert_error_body(response, 422)


@pytest.mark.parametrize(
    "cursor",
    [
        "!!",
        base64.urlsafe_b64encode(b"2026-01-01|'; drop").decode(),  # well-formed, names no item
        base64.urlsafe_b64encode(b"2026-01-01|" + b"A" * 64).decode(),
    ],
)
def test_bad_cursor_422(client: Any, cursor: str) -> None:
    response = client.get("/api/v1/alerts", params={"before": cursor})
    _assert_error_body(response, 422)
    assert response.json()["error"]["code"] == "bad_cursor"


def test_bad_item_id_422(client: Any) -> None:
    _assert_error_body(client.get("/api/v1/items/not-an-id"), 422)


def test_oversized_body_413(node: Node, client: Any) -> None:
    limit = int(node.settings.max_request_bytes)
    huge = alert_body(text="x" * (limit + 10))
    _assert_error_body(client.post("/api/v1/alerts", json={"body": huge}), 413)


def test_chunked_oversized_body_413(node: Node, client: Any) -> None:
    limit = int(node.settings.max_request_bytes)

    def chunks() -> Any:
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    response = client.post(
        "/api/v1/alerts", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _assert_error_body(response, 413)


def test_unauthenticated_401(node: Node) -> None:
    _assert_error_body(api(node).get("/api/v1/alerts"), 401)


def test_deep_json_is_refused(client: Any) -> None:
    deep: Any = "x"
    for _ in range(200):
        deep = {"a": deep}
    response = client.post("/api/v1/items/" + "0" * 64 + "/corrections", json={"body": deep})
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("depth", [60, 3000, 100_000])
@pytest.mark.parametrize("path", ["/api/v1/alerts", "/api/v1/auth/login", "/api/v1/tokens"])
def test_json_nested_too_deep_is_413_too_deep(client: Any, path: str, depth: int) -> None:
    body = b'{"body": {"tags": ' + b"[" * depth + b"]" * depth + b"}}"
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    _assert_error_body(response, 413)
    assert response.json()["error"]["code"] == "too_deep"


@pytest.mark.parametrize("path", ["/api/v1/alerts", "/api/v1/auth/login", "/api/v1/tokens"])
def test_a_member_named_twice_is_422_duplicate_key(client: Any, path: str) -> None:
    """A gateway reading the first `markings` would see RED where the node kept CLEAR."""
    body = (
        b'{"body": {"title": "t", "text": "x", "urgency": "FLASH"},'
        b' "markings": {"tlp": "TLP:RED"}, "markings": {"tlp": "TLP:CLEAR"}}'
    )
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    _assert_error_body(response, 422)
    assert response.json()["error"]["code"] == "duplicate_key"


def test_deep_json_sent_to_a_web_form_is_413_too_deep(node: Node) -> None:
    from tests.web.pages.conftest import log_in

    browser = log_in(node)
    body = b"[" * 5000 + b"]" * 5000
    response = browser.client.post(
        "/compose", content=body, headers={"Content-Type": "application/json"}
    )
    _assert_error_body(response, 413)
    assert response.json()["error"]["code"] == "too_deep"


def test_nesting_inside_strings_does_not_count(client: Any) -> None:
    title = "[" * 300 + '\\"{' * 100
    response = client.post("/api/v1/alerts", json={"body": alert_body(title=title[:200])})
    assert response.status_code == 201, response.text


def test_openapi_is_published(node: Node) -> None:
    schema = api(node).get("/api/v1/openapi.json").json()
    assert "/api/v1/alerts" in schema["paths"]
    assert "ErrorBody" in schema["components"]["schemas"]


@pytest.mark.parametrize(
    "url", ["/api/v1/audit?actor=%00", "/api/v1/alerts?before=a%00b", "/api/v1/alerts/ab%00cd"]
)
def test_a_nul_character_in_the_url_is_bad_input(client: Any, url: str) -> None:
    response = client.get(url)
    _assert_error_body(response, 422)
    assert response.json()["error"]["code"] == "invalid_input"


def test_text_the_database_refuses_is_bad_input_not_a_bug(node: Node) -> None:
    from fastapi import APIRouter
    from sqlalchemy.exc import DataError

    from csnet.web.app import create_app

    class NulRefused(Exception):
        def __str__(self) -> str:
            return "PostgreSQL text fields cannot contain NUL (0x00) bytes"

    router = APIRouter()

    @router.post("/api/v1/nul-probe")
    def probe() -> None:
        raise DataError("INSERT …", {}, NulRefused())

    app = create_app(node)
    app.include_router(router)
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as probe_client:
        response = probe_client.post("/api/v1/nul-probe")
    _assert_error_body(response, 422)
    assert response.json()["error"]["code"] == "invalid_input"
