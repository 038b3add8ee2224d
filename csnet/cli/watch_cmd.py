"""`csnet watch`: the member's live stream in the terminal, resumed where it broke off."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import typer

from csnet.cli.client import Client, TokenOpt, UrlOpt, _remote_error
from csnet.cli.common import JsonFlag, terminal_text
from csnet.errors import CsnetError

AfterOpt = Annotated[
    int | None, typer.Option("--after", help="Start after this event id (else: from now on).")
]
# Read timeout above the node's 15-second heartbeat: silence this long means a dead connection.
TIMEOUT = httpx.Timeout(10.0, read=45.0)
RETRY_SECONDS = 2.0


def watch(
    after: AfterOpt = None, as_json: JsonFlag = False, url: UrlOpt = None, token: TokenOpt = None
) -> None:
    """Print alerts, replies and acknowledgements as they arrive (Ctrl-C to stop)."""
    client = Client(url, token)
    if not client.token:
        raise CsnetError(
            "no API token: run `csnet login` or set CSNET_TOKEN", code="unauthenticated"
        )
    watcher = Watcher(client, after, as_json)
    try:
        watcher.run()
    except KeyboardInterrupt:
        return  # stopping is the normal way out: exit 0


class Watcher:
    def __init__(self, client: Client, after: int | None, as_json: bool) -> None:
        self.client, self.last, self.as_json = client, after, as_json
        self.connected = False

    def run(self) -> None:
        while True:
            try:
                self._follow()
            except httpx.HTTPError as exc:
                if not self.connected:  # never reached the node: a wrong URL, not a blip
                    raise CsnetError(
                        f"cannot reach {self.client.url}: {exc}", code="connection_failed"
                    ) from None
                _note(f"connection lost ({exc.__class__.__name__}); reconnecting")
                time.sleep(RETRY_SECONDS)

    def _follow(self) -> None:
        """One connection, until the node ends the stream (it bounds each one) or it breaks."""
        headers = {"Authorization": f"Bearer {self.client.token}"}
        if self.last is not None:
            headers["Last-Event-ID"] = str(self.last)
        url = self.client.url + "/api/v1/stream"
        with httpx.stream("GET", url, headers=headers, timeout=TIMEOUT) as response:
            if response.status_code >= 400:
                response.read()
                raise _remote_error(response)
            if not self.connected:
                _note(f"watching {self.client.url} (Ctrl-C to stop)")
                self.connected = True
            for event in sse_events(response.iter_lines()):
                self._show(event)

    def _show(self, event: dict[str, str]) -> None:
        if event.get("id"):
            self.last = int(event["id"])
        data = json.loads(event["data"])
        kind = event.get("event", "message")
        if self.as_json:
            seq = int(event["id"]) if event.get("id") else None
            _out(json.dumps({"id": seq, "event": kind, "data": data}))
        elif kind == "gap":
            _note("some events were missed: see `csnet alert list` for what came meanwhile")
        else:
            _out(line_for(data))


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Events of a text/event-stream (comments and data-less blocks skipped)."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if "data" in fields:
                yield fields
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        fields[name] = f"{fields[name]}\n{value}" if name == "data" and name in fields else value


def line_for(item: dict[str, Any]) -> str:
    """time, urgency (or kind), title, origin: one line per item."""
    body = (item.get("envelope") or {}).get("body") or {}
    label = body.get("urgency") or item["kind"]
    if item["restricted"]:
        title = "(personal data: open it with --justification)"
    else:
        # why: an `indicator` item has no title: its value says what it is
        shown = ("title", "text", "state", "value")
        title = next((str(body[k]) for k in shown if body.get(k)), "")
    when = str(item["created"])[:19].replace("T", " ")
    # why: every part may come from a peer; one line, no control character acting on the terminal
    return terminal_text(f"{when}  {label:<9}  {title}  [{item['origin']}] {item['id'][:12]}")


def _out(text: str) -> None:
    print(text, flush=True)  # plain print: titles must not be read as rich markup


def _note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
