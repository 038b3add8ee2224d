"""The real PeerTransport: HTTP(S) with httpx. Federation code only sees the Protocol."""

from __future__ import annotations

import httpx

from csnet.errors import CsnetError
from csnet.federation.transport import PeerResponse

TIMEOUT_SECONDS = 30.0


class HttpPeerTransport:
    """Synchronous httpx client; certificate checks stay on (peers are reached over HTTPS)."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        try:
            response = self._client.request(method, url, headers=headers, content=body)
        except httpx.HTTPError as exc:
            raise CsnetError(f"cannot reach {url}: {exc}", code="connection_failed") from None
        return PeerResponse(response.status_code, dict(response.headers), response.content)

    def close(self) -> None:
        self._client.close()
