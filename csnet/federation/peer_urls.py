"""Which peer URLs a node may talk to: https, or plain http only on this host's loopback.

Signatures protect what an item says, not who can read it: an item with personal data sent over
plain HTTP is readable by anyone on the path. So a node refuses to invite with, accept an
invitation to, answer a handshake from, push to or pull from a plain-http URL off loopback,
before any connection is made, unless the operator allows it (allow_plain_http_peers).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from csnet.errors import BadInput
from csnet.node import Node

INSECURE = "insecure_peer_url"
LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_peer_url(url: str, *, allow_plain_http: bool) -> None:
    """Refuse (BadInput, insecure_peer_url) a URL that would carry items readable on the path."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise BadInput(f"{url!r} is not a URL", code="bad_peer_url") from None
    scheme = parts.scheme.lower()
    if scheme == "https" and host:
        return
    if scheme == "http" and host and (is_loopback(host) or allow_plain_http):
        return
    raise BadInput(
        f"refusing peer URL {url}: peers must be reached over https (plain http only on "
        "loopback, unless CSNET_ALLOW_PLAIN_HTTP_PEERS is true)",
        code=INSECURE,
        details={"url": url},
    )


def require_secure(node: Node, url: str) -> None:
    check_peer_url(url, allow_plain_http=bool(node.settings.allow_plain_http_peers))
