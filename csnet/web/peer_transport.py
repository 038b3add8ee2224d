"""The real PeerTransport: HTTP(S) with httpx. Federation code only sees the Protocol.

Peers are reached over https with the certificate checked (chain and host name) against the
operator's CA bundle (peer_ca_file) or, without one, the system's trust store. Which URLs may be
plain http is decided before sending, in csnet/federation/peer_urls.py.
"""

from __future__ import annotations

import ssl

import httpx

from csnet.errors import BadInput, CsnetError
from csnet.settings import Settings
from csnet.transport import PeerResponse

TIMEOUT_SECONDS = 30.0
MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # the default of the peer_response_max_bytes setting


class ResponseTooLarge(CsnetError):
    """A peer answered more than this node reads: it stopped reading (a hostile or broken peer
    must not exhaust the asker's memory)."""

    status = 502
    code = "peer_response_too_large"


def peer_tls_context(ca_file: str = "") -> ssl.SSLContext:
    """Verify peers against `ca_file` only when given (a federation's own CA), else the system."""
    try:
        context = ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise BadInput(
            f"peer_ca_file {ca_file}: cannot read a PEM CA bundle ({exc})", code="bad_tls_config"
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class HttpPeerTransport:
    """Synchronous httpx client; certificate checks stay on, redirects are not followed.
    Answers are streamed and read up to `max_response_bytes`, never further."""

    def __init__(
        self, client: httpx.Client | None = None, *, max_response_bytes: int = MAX_RESPONSE_BYTES
    ) -> None:
        self._client = client or _client(peer_tls_context())
        self.max_response_bytes = max_response_bytes

    @classmethod
    def for_settings(cls, settings: Settings) -> HttpPeerTransport:
        """The transport with the node's trust (peer_ca_file) and its cap on answers."""
        return cls(
            _client(peer_tls_context(str(settings.peer_ca_file))),
            max_response_bytes=int(settings.peer_response_max_bytes),
        )

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


def _client(context: ssl.SSLContext) -> httpx.Client:
    # why: an explicit context, so SSL_CERT_FILE and the like cannot swap the trust configured
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, verify=context)
