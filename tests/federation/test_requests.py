"""Request signing is pure: round trip, every signed part tampered, freshness."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csnet.errors import Unauthenticated
from csnet.federation import requests as rq
from csnet.items.keys import NodeKey

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
KEY = NodeKey.from_seed(bytes(range(32)))
OTHER = NodeKey.from_seed(bytes(range(1, 33)))
URL = "https://gr-hcg.example/api/v1/federation/ping?x=1"
BODY = b'{"a":1}'


def _signed() -> dict[str, str]:
    return rq.sign_request(
        KEY,
        origin=KEY.node_id,
        destination=OTHER.node_id,
        method="POST",
        url=URL,
        body=BODY,
        now=NOW,
        nonce="n" * 22,
    )


def _ok(
    headers: dict[str, str],
    method: str = "POST",
    target: str = "/api/v1/federation/ping?x=1",
    body: bytes = BODY,
) -> bool:
    return rq.signature_valid(KEY.public_key, rq.parse_headers(headers), method, target, body)


def test_round_trip() -> None:
    headers = _signed()
    assert set(headers) == {rq.ORIGIN, rq.DESTINATION, rq.TIME, rq.NONCE, rq.SIGNATURE}
    assert headers[rq.TIME] == str(int(NOW.timestamp()))
    assert _ok(headers)
    # Header names are case-insensitive, as in HTTP.
    assert _ok({k.lower(): v for k, v in headers.items()})


def test_signing_string_is_the_documented_one() -> None:
    auth = rq.parse_headers(_signed())
    text = rq.signing_string("post", "/p?q", auth, b"").decode()
    assert text.split("\n") == [
        "csnet-request-v1",
        "POST",
        "/p?q",
        KEY.node_id,
        OTHER.node_id,
        str(int(NOW.timestamp())),
        "n" * 22,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("PUT", "/api/v1/federation/ping?x=1", BODY),
        ("POST", "/api/v1/federation/ping?x=2", BODY),
        ("POST", "/api/v1/federation/ping", BODY),
        ("POST", "/api/v1/federation/ping?x=1", b'{"a":2}'),
    ],
)
def test_tampered_request_fails(method: str, target: str, body: bytes) -> None:
    assert not _ok(_signed(), method, target, body)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (rq.TIME, str(int(NOW.timestamp()) + 1)),
        (rq.NONCE, "m" * 22),
        (rq.DESTINATION, KEY.node_id),
        (rq.ORIGIN, OTHER.node_id),
    ],
)
def test_tampered_header_fails(header: str, value: str) -> None:
    assert not _ok({**_signed(), header: value})


def test_other_key_fails() -> None:
    auth = rq.parse_headers(_signed())
    signing = rq.signing_string("POST", "/api/v1/federation/ping?x=1", auth, BODY)
    assert not rq.signature_valid(OTHER.public_key, auth, "POST", "/x", BODY)
    assert rq.signature_valid(KEY.public_key, auth, "POST", "/api/v1/federation/ping?x=1", BODY)
    assert KEY.sign(signing) == auth.signature


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (rq.ORIGIN, "someone"),
        (rq.DESTINATION, ""),
        (rq.TIME, "soon"),
        (rq.TIME, "-5"),
        (rq.NONCE, "short"),
        (rq.NONCE, "bad nonce with spaces!!"),
        (rq.SIGNATURE, "not base64 !"),
        (rq.SIGNATURE, "QUJD="),
    ],
)
def test_malformed_headers_are_refused(header: str, value: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        rq.parse_headers({**_signed(), header: value})
    assert caught.value.error_code == "bad_request_signature"


def test_missing_headers_are_refused() -> None:
    with pytest.raises(Unauthenticated):
        rq.parse_headers({})


@pytest.mark.parametrize("seconds", [-300, 0, 299, 300])
def test_fresh_within_window(seconds: int) -> None:
    auth = rq.parse_headers(_signed())
    assert rq.is_fresh(auth, NOW + timedelta(seconds=seconds))


@pytest.mark.parametrize("seconds", [-301, 301, 86400])
def test_stale_outside_window(seconds: int) -> None:
    auth = rq.parse_headers(_signed())
    assert not rq.is_fresh(auth, NOW + timedelta(seconds=seconds))


def test_nonces_are_random_by_default() -> None:
    one = rq.sign_request(
        KEY, origin="o", destination="d", method="GET", url=URL, body=b"", now=NOW
    )
    two = rq.sign_request(
        KEY, origin="o", destination="d", method="GET", url=URL, body=b"", now=NOW
    )
    assert one[rq.NONCE] != two[rq.NONCE]
    assert replace(rq.parse_headers(_signed()), nonce="x").nonce == "x"


def test_request_target() -> None:
    assert rq.request_target("https://h.example") == "/"
    assert rq.request_target("https://h.example/a/b?c=d&e") == "/a/b?c=d&e"
