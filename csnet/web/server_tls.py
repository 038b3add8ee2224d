"""TLS of `csnet serve` itself: the certificate and key, checked before the node starts.

A missing, unreadable or mismatched file stops the start with one line naming the setting,
instead of a traceback from deep inside the server (or a node silently serving plain HTTP).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from csnet.errors import BadInput
from csnet.settings import Settings

CODE = "bad_tls_config"


@dataclass(frozen=True)
class ServerTls:
    """uvicorn's ssl_certfile and ssl_keyfile; both None: plain HTTP."""

    certfile: str | None = None
    keyfile: str | None = None


def server_tls_options(settings: Settings) -> ServerTls:
    """The checked certificate and key, or none when TLS is off; BadInput when unusable."""
    if not settings.tls_enabled:
        return ServerTls()
    cert, key = str(settings.tls_cert_file), str(settings.tls_key_file)
    if not (cert and key):
        raise BadInput("set both tls_cert_file and tls_key_file (or neither)", code=CODE)
    for name, path in (("tls_cert_file", cert), ("tls_key_file", key)):
        _readable(name, path)
    _loadable(cert, key)
    configured = str(settings.public_url).strip()
    if configured and not configured.lower().startswith("https://"):
        raise BadInput(f"public_url {configured} must be https:// when TLS is on", code=CODE)
    return ServerTls(cert, key)


def _readable(name: str, path: str) -> None:
    try:
        with Path(path).open("rb"):
            pass
    except OSError as exc:
        raise BadInput(f"{name} {path}: cannot read it ({exc.strerror})", code=CODE) from None


def _no_passphrase() -> str:
    raise BadInput("tls_key_file is encrypted: give csnet an unencrypted key", code=CODE)


def _loadable(cert: str, key: str) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key, password=_no_passphrase)
    except ssl.SSLError as exc:
        raise BadInput(
            f"tls_cert_file {cert} and tls_key_file {key} are not a PEM certificate chain and "
            f"its private key ({exc.reason or exc})",
            code=CODE,
        ) from None
