"""How a node reaches its peers: an injected transport, so no HTTP client is imported here (the
Node holds one; federation uses it; neither needs the other's package for it).

The real implementation (httpx) lives in csnet/web/peer_transport.py; tests plug in one that
calls another node's app in-process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from csnet.errors import CsnetError
from csnet.items import strict_json


@dataclass(frozen=True)
class PeerResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        try:
            return strict_json.loads(self.body, what="peer answer")
        except CsnetError:
            raise PeerError(self.status, "bad_peer_response", "peer answered non-JSON") from None


class PeerTransport(Protocol):
    def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        """Send one request; raise CsnetError(code="connection_failed") if it cannot be sent."""
        ...


class PeerError(CsnetError):
    """A peer refused or failed a request; carries the peer's own error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"peer answered {status} {code}: {message}", code=code)
        self.http_status = status


def raise_for_status(response: PeerResponse) -> None:
    if response.status < 400:
        return
    try:
        error = strict_json.loads(response.body, what="peer answer")["error"]
        code, message = str(error["code"]), str(error["message"])
    except (CsnetError, KeyError, TypeError):
        code, message = "http_error", f"HTTP {response.status}"
    raise PeerError(response.status, code, message)
