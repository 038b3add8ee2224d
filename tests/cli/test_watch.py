"""`csnet watch` against a real node process: one posted alert arrives, Ctrl-C exits cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from typing import IO

import httpx
import pytest

from csnet.cli.watch_cmd import line_for, sse_events
from tests.cli.test_e2e_serve import served  # noqa: F401 (the node process fixture)
from tests.factories import PASSWORD, alert_body, totp_now

pytestmark = pytest.mark.e2e
WAIT = 30.0


def _token(url: str, username: str, secret: str) -> str:
    login = {"username": username, "password": PASSWORD, "totp": totp_now(secret)}
    response = httpx.post(url + "/api/v1/auth/token", json={**login, "token_name": "t"})
    assert response.status_code in (200, 201), response.text
    return str(response.json()["secret"])


class Lines:
    """Lines read in a thread, so each wait for one can be bounded."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream, self.lines = stream, queue.Queue[str]()
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        for line in self.stream:
            self.lines.put(line)

    def get(self) -> str:
        return self.lines.get(timeout=WAIT)

    def close(self) -> None:
        self.thread.join(WAIT)  # the process is gone: the pipe is at its end
        self.stream.close()


def _watch(url: str, token: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "csnet.cli.main", "watch", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CSNET_URL": url, "CSNET_TOKEN": token},
    )


def test_watch_prints_a_posted_alert_and_stops_on_ctrl_c(
    served: tuple[str, str, str],  # noqa: F811
) -> None:
    url, watcher_secret, poster_secret = served
    process = _watch(url, _token(url, "eleni", watcher_secret))
    assert process.stdout is not None and process.stderr is not None
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        assert "watching" in err.get()  # subscribed: what is posted now arrives
        poster = {"Authorization": f"Bearer {_token(url, 'nikos', poster_secret)}"}
        posted = httpx.post(url + "/api/v1/alerts", json={"body": alert_body()}, headers=poster)
        assert posted.status_code == 201, posted.text
        event = json.loads(out.get())
        assert event["event"] == "alert" and event["data"]["id"] == posted.json()["id"]
        assert event["data"]["envelope"]["body"]["title"] == alert_body()["title"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=WAIT)
        out.close()
        err.close()


def test_sse_parsing_and_one_line_format() -> None:
    lines = [
        "retry: 3000",
        "",
        ": heartbeat",
        "",
        "id: 7",
        "event: alert",
        'data: {"a":',
        "data: 1}",
        "",
    ]
    assert list(sse_events(iter(lines))) == [{"id": "7", "event": "alert", "data": '{"a":\n1}'}]
    item = {
        "id": "abcdef0123456789",
        "kind": "alert",
        "origin": "csnexample",
        "created": "2026-11-28T09:30:00Z",
        "restricted": False,
        "envelope": {"body": {"urgency": "FLASH", "title": "Vessel off Pylos"}},
    }
    assert (
        line_for(item)
        == "2026-11-28 09:30:00  FLASH      Vessel off Pylos  [csnexample] abcdef012345"
    )


def test_an_indicator_item_shows_its_value() -> None:
    item = {
        "id": "abcdef0123456789",
        "kind": "indicator",
        "origin": "csnexample",
        "created": "2026-11-28T09:30:00Z",
        "restricted": False,
        "envelope": {"body": {"value_type": "phone", "value": "+923001234567", "context": "x"}},
    }
    assert (
        line_for(item) == "2026-11-28 09:30:00  indicator  +923001234567  [csnexample] abcdef012345"
    )
