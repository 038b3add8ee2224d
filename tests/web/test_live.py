"""The live stream through the app: SSE and WebSocket, filtered by policy for each member."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from csnet.bus import Event
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.items.envelope import Audience, Envelope, ItemDraft
from csnet.items.keys import NodeKey
from csnet.items.signing import seal
from csnet.live import feed
from csnet.node import Node
from csnet.store import item_store
from tests.factories import PASSWORD, add_member, alert_body, api, token_for, totp_now

FOREIGN = NodeKey.from_seed(bytes(range(32)))
ELSEWHERE = NodeKey.from_seed(bytes(range(1, 33))).node_id
FOREIGN_SEQ = count(1)
QUICK = 0.5  # seconds a test stream stays open: replayed events come at once


@pytest.fixture
def poster(node: Node) -> Any:
    member, _ = add_member(node, "poster", Role.OFFICER)
    return api(node, token_for(node, member))


@pytest.fixture
def reader_token(node: Node) -> str:
    member, _ = add_member(node, "reader", Role.ANALYST)
    return token_for(node, member)


@pytest.fixture
def reader(node: Node, reader_token: str) -> Any:
    return api(node, reader_token)


def _post(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/alerts", json={"body": alert_body(), **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def parse_sse(text: str) -> list[dict[str, str]]:
    """Events with data (comments and retry-only blocks skipped), as field dicts."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(
            line.partition(": ")[::2] for line in block.splitlines() if not line.startswith(":")
        )
        if "data" in fields:
            events.append(fields)
    return events


def read_stream(client: Any, headers: dict[str, str] | None = None, **params: Any) -> str:
    params.setdefault("max_seconds", QUICK)
    with client.stream("GET", "/api/v1/stream", params=params, headers=headers or {}) as resp:
        assert resp.status_code == 200, resp.read()
        assert resp.headers["content-type"].startswith("text/event-stream")
        return "".join(resp.iter_text())


def items(client: Any, **kwargs: Any) -> list[dict[str, str]]:
    return [e for e in parse_sse(read_stream(client, **kwargs)) if e["event"] != "gap"]


def receive_foreign(node: Node, nodes: tuple[str, ...]) -> Envelope:
    """Store an item sealed by another node (as federation will) and announce it."""
    draft = ItemDraft(
        kind="alert",
        author="m_remote",
        audience=Audience(nodes=nodes),
        markings=Markings(tlp=TLP.AMBER),
        body=alert_body(title=f"for {nodes}"),
    )
    env = seal(draft, FOREIGN, origin=FOREIGN.node_id, seq=next(FOREIGN_SEQ), created=node.now())
    with node.store.write() as conn:
        item_store.insert_items(conn, [(env, env.to_bytes())], node.now())
    node.bus.publish([Event.item(env.id, env.origin, env.kind, env.created)])
    return env


def test_alert_from_one_member_reaches_anothers_stream(poster: Any, reader: Any) -> None:
    posted = _post(poster)
    events = items(reader, after=0)
    assert [e["event"] for e in events] == ["alert"]
    data = json.loads(events[0]["data"])
    assert data["id"] == posted["id"] and data["restricted"] is False
    assert data["envelope"]["body"]["title"] == alert_body()["title"]
    assert int(events[0]["id"]) > 0


def test_last_event_id_resumes_after_it(poster: Any, reader: Any) -> None:
    ids = [_post(poster)["id"] for _ in range(3)]
    first = items(reader, after=0)
    assert [e["data"] for e in first] and len(first) == 3
    resumed = items(reader, headers={"Last-Event-ID": first[0]["id"]})
    assert [json_id(e) for e in resumed] == ids[1:]
    by_query = items(reader, after=int(first[1]["id"]))
    assert [json_id(e) for e in by_query] == ids[2:]


def json_id(event: dict[str, str]) -> str:
    return str(json.loads(event["data"])["id"])


def test_items_the_member_may_not_read_never_appear(node: Node, reader: Any) -> None:
    elsewhere = receive_foreign(node, (ELSEWHERE,))
    ours = receive_foreign(node, (node.node_id,))
    text = read_stream(reader, after=0)
    assert elsewhere.id not in text and ELSEWHERE not in text
    assert [json_id(e) for e in items(reader, after=0)] == [ours.id]


def test_personal_data_arrives_restricted(poster: Any, reader: Any) -> None:
    body = alert_body(persons=[{"name": "Tariq A.", "category": "suspect"}])
    response = poster.post(
        "/api/v1/alerts", json={"body": body, "markings": {"subjects": ["suspect"]}}
    )
    assert response.status_code == 201, response.text
    text = read_stream(reader, after=0)
    assert "Tariq" not in text
    (event,) = items(reader, after=0)
    data = json.loads(event["data"])
    assert data["restricted"] is True and data["envelope"] is None


def test_heartbeat_when_quiet(reader: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "HEARTBEAT_SECONDS", 0.05)
    assert ": heartbeat" in read_stream(reader)


def test_stream_needs_authentication_and_valid_params(node: Node, reader: Any) -> None:
    assert api(node).get("/api/v1/stream", params={"max_seconds": QUICK}).status_code == 401
    assert reader.get("/api/v1/stream", params={"after": -1}).status_code == 422
    assert reader.get("/api/v1/stream", params={"max_seconds": 99999}).status_code == 422


def test_websocket_with_authorization_header(node: Node, poster: Any, reader_token: str) -> None:
    client = api(node)
    headers = {"Authorization": f"Bearer {reader_token}"}
    with client.websocket_connect("/api/v1/ws", headers=headers) as ws:
        ws.send_json({"max_seconds": 10})
        assert ws.receive_json()["event"] == "ready"
        posted = _post(poster)  # published while the socket is open: live, not replayed
        message = ws.receive_json()
        assert message["event"] == "alert" and message["data"]["id"] == posted["id"]
        assert isinstance(message["id"], int)


def test_websocket_with_token_in_first_message_and_resume(
    node: Node, poster: Any, reader_token: str
) -> None:
    ids = [_post(poster)["id"] for _ in range(2)]
    with api(node).websocket_connect("/api/v1/ws") as ws:
        ws.send_json({"token": reader_token, "after": 0, "max_seconds": QUICK})
        assert ws.receive_json()["event"] == "ready"
        got = []
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                message = ws.receive_json()
                if message["event"] != "gap":
                    got.append(message["data"]["id"])
        assert closed.value.code == 1000  # closed after max_seconds
    assert got == ids


def test_websocket_refuses_without_credentials(node: Node) -> None:
    with api(node).websocket_connect("/api/v1/ws") as ws:
        ws.send_json({})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008


def test_websocket_refuses_a_binary_hello(node: Node) -> None:
    with api(node).websocket_connect("/api/v1/ws") as ws:
        ws.send_bytes(b'{"max_seconds": 1}')
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008
    assert "text" in str(closed.value.reason)


def _session_client(node: Node) -> Any:
    _member, secret = add_member(node, "sessioned", Role.OFFICER)
    client = api(node)
    login = {"username": "sessioned", "password": PASSWORD, "totp": totp_now(secret)}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    return client


def test_websocket_session_cookie_only_from_the_same_origin(node: Node) -> None:
    client = _session_client(node)
    same = {"Origin": "http://testserver"}
    with client.websocket_connect("/api/v1/ws", headers=same) as ws:
        ws.send_json({"max_seconds": QUICK})
        assert ws.receive_json()["event"] == "ready"
    other = {"Origin": "https://evil.example"}
    with client.websocket_connect("/api/v1/ws", headers=other) as ws:
        ws.send_json({})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008
