"""Signed requests between nodes (pure: no I/O), in the manner of Matrix's X-Matrix.

The sender signs, with its node key, the UTF-8 bytes of these lines joined by "\\n":

    csnet-request-v1
    <METHOD, upper case>
    <request target: path and, if any, "?" + query, exactly as sent>
    <origin node id>
    <destination node id>
    <time: unix seconds, decimal>
    <nonce>
    <sha256 of the body, lower-case hex (of the empty string when there is no body)>

and sends the five X-Csnet-* headers below. docs/federation.md is the normative description.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from csnet.errors import BadInput, Unauthenticated
from csnet.items.keys import NODE_ID_PATTERN, NodeKey, b64url, b64url_decode, verify_signature

ORIGIN = "X-Csnet-Origin"
DESTINATION = "X-Csnet-Destination"
TIME = "X-Csnet-Time"
NONCE = "X-Csnet-Nonce"
SIGNATURE = "X-Csnet-Signature"
VERSION = "csnet-request-v1"
WINDOW_SECONDS = 300
_NODE_ID = re.compile(NODE_ID_PATTERN)
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TIME = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True)
class RequestAuth:
    """The signature headers of one request, parsed."""

    origin: str
    destination: str
    time: int
    nonce: str
    signature: bytes


def is_node_id(text: str | None) -> bool:
    return text is not None and bool(_NODE_ID.match(text))


def request_target(url: str) -> str:
    """Path and query of a URL, as they appear in the HTTP request line."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def signing_string(method: str, target: str, auth: RequestAuth, body: bytes) -> bytes:
    lines = (
        VERSION,
        method.upper(),
        target,
        auth.origin,
        auth.destination,
        str(auth.time),
        auth.nonce,
        hashlib.sha256(body).hexdigest(),
    )
    return "\n".join(lines).encode("utf-8")


def sign_request(
    key: NodeKey,
    *,
    origin: str,
    destination: str,
    method: str,
    url: str,
    body: bytes,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, str]:
    """The five headers that authenticate a request from `origin` to `destination`."""
    unsigned = RequestAuth(
        origin, destination, int(now.timestamp()), nonce or secrets.token_urlsafe(16), b""
    )
    signature = key.sign(signing_string(method, request_target(url), unsigned, body))
    return {
        ORIGIN: origin,
        DESTINATION: destination,
        TIME: str(unsigned.time),
        NONCE: unsigned.nonce,
        SIGNATURE: b64url(signature),
    }


def parse_headers(headers: Mapping[str, str]) -> RequestAuth:
    """Parse the signature headers; anything missing or malformed is bad_request_signature."""
    lowered = {k.lower(): v for k, v in headers.items()}
    values = [lowered.get(name.lower(), "") for name in (ORIGIN, DESTINATION, TIME, NONCE)]
    origin, destination, time, nonce = values
    well_formed = (
        is_node_id(origin) and is_node_id(destination) and _TIME.match(time) and _NONCE.match(nonce)
    )
    if not well_formed:
        raise Unauthenticated(
            "missing or malformed X-Csnet-* headers", code="bad_request_signature"
        )
    try:
        signature = b64url_decode(lowered.get(SIGNATURE.lower(), ""))
    except BadInput:
        raise Unauthenticated("malformed X-Csnet-Signature", code="bad_request_signature") from None
    return RequestAuth(origin, destination, int(time), nonce, signature)


def signature_valid(
    public_key: bytes, auth: RequestAuth, method: str, target: str, body: bytes
) -> bool:
    return verify_signature(public_key, signing_string(method, target, auth, body), auth.signature)


def is_fresh(auth: RequestAuth, now: datetime, window: int = WINDOW_SECONDS) -> bool:
    """Within `window` seconds of our clock, either way (clocks drift; NTP is assumed)."""
    return abs(now.timestamp() - auth.time) <= window
