"""An indicator in an alert on node A and the same value in a note on node B produce a live hit
on both nodes' streams; a protected person's number produces no suspect hit on either.

Two real `csnet serve` processes (processes.py), peered over HTTP; each member's SSE stream is
read from before anything is posted, in a thread, until the expected hit arrives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from csnet.cli.demo_network import node_id_of, opened
from csnet.handling.roles import Role
from tests.factories import add_member, token_for
from tests.federation.processes import Served, wait_for
from tests.web.test_live import parse_sse

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 60.0  # generous: delivery between the nodes and the hit, on a busy machine
NUMBER = "+92 300 1234567"  # the suspect's number, written on A as "0300 1234567"
MIGRANT_NUMBER = "+92 301 7654321"  # a smuggled migrant's number
MIGRANT = {"name": "R. K.", "category": "smuggled_migrant", "note": f"on {MIGRANT_NUMBER}"}


class LiveFeed:
    """A member's live stream of one node, read in a thread until a hit showing `display`."""

    def __init__(self, url: str, token: str, display: str) -> None:
        self.url, self.token, self.display = url, token, display
        self.events: list[dict[str, str]] = []
        self.subscribed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def hits(self) -> list[dict[str, Any]]:
        return [json.loads(e["data"]) for e in self.events if e["event"] == "hit"]

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        params = {"max_seconds": 2 * WAIT_SECONDS}  # why: the stream ends by itself if no hit
        try:
            with (
                httpx.Client(base_url=self.url, headers=headers, timeout=30) as client,
                client.stream("GET", "/api/v1/stream", params=params) as response,
            ):
                self._take(response)
        except httpx.HTTPError:
            return  # the node stopped: the assertions on what was read will say what is missing

    def _take(self, response: httpx.Response) -> None:
        text = ""
        for chunk in response.iter_text():
            text += chunk
            self.subscribed.set()  # why: the stream's first frame (retry:) follows the subscription
            self.events = parse_sse(text)
            if any(hit["display"] == self.display for hit in self.hits()):
                return


def _api(served: Served, token: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}", "X-Justification": "case 2026/114"}
    return httpx.Client(base_url=served.endpoint.url + "/api/v1", headers=headers, timeout=10)


def _member_token(served: Served, username: str, role: Role) -> str:
    with opened(served.endpoint) as node:
        member, _secret = add_member(node, username, role)
        return token_for(node, member)


def _post(client: httpx.Client, path: str, body: dict[str, Any], **sharing: Any) -> str:
    response = client.post(path, json={"body": body, **sharing})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _held(client: httpx.Client, *item_ids: str) -> Callable[[], bool]:
    return lambda: all(client.get(f"/items/{i}").status_code == 200 for i in item_ids)


def _alert(text: str, **extra: Any) -> dict[str, Any]:
    return {"title": "Crossings advertised", "text": text, "urgency": "PRIORITY", **extra}


def _note(text: str) -> dict[str, Any]:
    return {"title": "Recruitment", "text": text, "topic": "digital"}


def test_an_alert_on_a_and_a_note_on_b_make_a_live_hit_on_both(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    a, b, a_token = two_nodes()
    a_id, b_id = node_id_of(a.endpoint), node_id_of(b.endpoint)
    b_token = _member_token(b, "analyst", Role.ANALYST)
    feeds = [LiveFeed(a.endpoint.url, a_token, NUMBER), LiveFeed(b.endpoint.url, b_token, NUMBER)]
    assert all(feed.subscribed.wait(WAIT_SECONDS) for feed in feeds)
    a_api, b_api = _api(a, a_token), _api(b, b_token)

    to_b = {"audience": {"nodes": [b_id]}}
    protected = {"markings": {"tlp": "TLP:AMBER", "subjects": ["smuggled_migrant"]}, **to_b}
    migrant = _post(a_api, "/alerts", _alert("Boat left Zuwara.", persons=[MIGRANT]), **protected)
    alert = _post(a_api, "/alerts", _alert("The facilitator answers on 0300 1234567."), **to_b)
    wait_for(_held(b_api, migrant, alert), WAIT_SECONDS)
    to_a = {"audience": {"nodes": [a_id]}}
    used = _post(b_api, "/notes", _note(f"Crossings sold on {MIGRANT_NUMBER}."), **to_a)
    note = _post(b_api, "/notes", _note("Recruiter on +92-300-123-4567 again."), **to_a)

    for feed in feeds:
        feed.thread.join(WAIT_SECONDS)
        (hit,) = feed.hits()  # the migrant's number made none (it came first on both nodes)
        assert {hit["item_id"], hit["other_id"]} == {alert, note}
        assert (hit["purpose"], hit["display"]) == ("suspect", NUMBER)
    wait_for(_held(a_api, used, note), WAIT_SECONDS)
    for client in (a_api, b_api):
        listed = client.get("/hits").json()["hits"]
        assert [{h["item_id"], h["other_id"]} for h in listed] == [{alert, note}]
        client.close()
    with _api(b, _member_token(b, "guard", Role.PROTECTION_OFFICER)) as guard:
        seen = guard.get("/hits").json()["hits"]  # why: the number was correlated, as protection
    assert {(h["purpose"], h["item_id"], h["other_id"]) for h in seen} == {
        ("suspect", note, alert),
        ("protection", used, migrant),
    }
