"""The real PeerTransport: HTTP(S) with httpx. Federation code only sees the Protocol.

Peers are reached over https with the certificate checked (chain and host name) against the
operator's CA bundle (peer_ca_file) or, without one, the system's trust store. Which URLs may be
plain http is decided before sending, in csnet/federation/peer_urls.py.
"""

from __future__ import annotations

import ssl

import httpx

from csnet.errors import BadInput, CsnetError
from csnet.federation.transport import PeerResponse
from csnet.settings import Settings

TIMEOUT_SECONDS = 30.0


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
    """Synchronous httpx client; certificate checks stay on, redirects are not followed."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client or _client(peer_tls_context())

    @classmethod
    def for_settings(cls, settings: Settings) -> HttpPeerTransport:
        return cls(_client(peer_tls_context(str(settings.peer_ca_file))))

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        try:
            response = self._client.request(method, url, headers=headers, content=body)
        except httpx.HTTPError as exc:
            raise CsnetError(f"cannot reach {url}: {exc}", code="connection_failed") from None
        return PeerResponse(response.status_code, dict(response.headers), response.content)

    def close(self) -> None:
        self._client.close()


def _client(context: ssl.SSLContext) -> httpx.Client:
    # why: an explicit context, so SSL_CERT_FILE and the like cannot swap the trust configured
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, verify=context)
