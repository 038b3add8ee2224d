"""The real PeerTransport: HTTP(S) with httpx. Federation code only sees the Protocol."""

from __future__ import annotations

import httpx

from csnet.errors import CsnetError
from csnet.federation.transport import PeerResponse
from csnet.settings import Settings

TIMEOUT_SECONDS = 30.0
MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # the default of the peer_response_max_bytes setting


class ResponseTooLarge(CsnetError):
    """A peer answered more than this node reads: it stopped reading (a hostile or broken peer
    must not exhaust the asker's memory)."""

    status = 502
    code = "peer_response_too_large"


class HttpPeerTransport:
    """Synchronous httpx client; certificate checks stay on (peers are reached over HTTPS).
    Answers are streamed and read up to `max_response_bytes`, never further."""

    def __init__(
        self, client: httpx.Client | None = None, *, max_response_bytes: int = MAX_RESPONSE_BYTES
    ) -> None:
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self.max_response_bytes = max_response_bytes

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        try:
            with self._client.stream(method, url, headers=headers, content=body) as response:
                content = self._read(response, url)
        except httpx.HTTPError as exc:
            raise CsnetError(f"cannot reach {url}: {exc}", code="connection_failed") from None
        return PeerResponse(response.status_code, dict(response.headers), content)

    def _read(self, response: httpx.Response, url: str) -> bytes:
        limit = self.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large(url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # decoded: a compressed bomb counts as it expands
            size += len(chunk)
            if size > limit:
                raise self._too_large(url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"{url} answered more than {self.max_response_bytes} bytes "
            "(peer_response_max_bytes); stopped reading"
        )

    def close(self) -> None:
        self._client.close()


def transport_for(settings: Settings) -> HttpPeerTransport:
    """The transport with the node's own cap on answers."""
    return HttpPeerTransport(max_response_bytes=int(settings.peer_response_max_bytes))
