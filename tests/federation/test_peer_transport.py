"""The HTTP peer transport reads at most `peer_response_max_bytes` of an answer: a hostile peer
cannot exhaust the asker's memory with an endless or huge response."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from csnet.errors import CsnetError
from csnet.web.peer_transport import HttpPeerTransport


class _Endless(httpx.SyncByteStream):
    """An answer that never ends, as a hostile peer would send it."""

    def __init__(self) -> None:
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.sent += 65536
            yield b"x" * 65536


def _transport(body: httpx.SyncByteStream | bytes, limit: int) -> HttpPeerTransport:
    def answer(_request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(200, content=body)
        return httpx.Response(200, stream=body)

    client = httpx.Client(transport=httpx.MockTransport(answer))
    return HttpPeerTransport(client, max_response_bytes=limit)


def test_an_answer_within_the_cap_is_read_whole() -> None:
    response = _transport(b"y" * 1000, 1000).send("GET", "http://127.0.0.1/x", {}, b"")
    assert response.status == 200 and response.body == b"y" * 1000


def test_an_endless_answer_stops_past_the_cap() -> None:
    endless = _Endless()
    with pytest.raises(CsnetError) as caught:
        _transport(endless, 1_000_000).send("GET", "http://127.0.0.1/x", {}, b"")
    assert caught.value.error_code == "peer_response_too_large"
    assert "1000000" in caught.value.message
    assert endless.sent < 1_000_000 + 2 * 65536  # stopped reading, did not buffer it all


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    with pytest.raises(CsnetError) as caught:
        _transport(b"z" * 5000, 4096).send("GET", "http://127.0.0.1/x", {}, b"")
    assert caught.value.error_code == "peer_response_too_large"
