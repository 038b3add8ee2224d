"""A small API client for member commands: CSNET_URL and CSNET_TOKEN, errors as CsnetError."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import httpx
import typer

from csnet.errors import BadInput, CsnetError

UrlOpt = Annotated[
    str | None, typer.Option("--url", help="Node URL (else CSNET_URL, else http://127.0.0.1:8080).")
]
TokenOpt = Annotated[str | None, typer.Option("--token", help="API token (else CSNET_TOKEN).")]
LimitOpt = Annotated[int, typer.Option(min=1, max=200, help="How many, at most.")]
BeforeOpt = Annotated[str | None, typer.Option(help="Cursor from the previous page.")]


def page_params(limit: int, before: str | None) -> dict[str, Any]:
    """Query parameters of a paged list: the page size, and the cursor when one is given."""
    return {"limit": limit, **({"before": before} if before else {})}


JustOpt = Annotated[
    str | None,
    typer.Option("--justification", "-j", help="Why you consult personal data (LED Art 25)."),
]


class RemoteError(CsnetError):
    """An error body answered by the node, carried to the CLI as it came."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.http_status = status


class Client:
    def __init__(self, url: str | None, token: str | None, justification: str | None = None):
        self.url = (url or os.environ.get("CSNET_URL") or "http://127.0.0.1:8080").rstrip("/")
        self.token = token or os.environ.get("CSNET_TOKEN")
        self.justification = justification

    def _headers(self, auth: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        if auth:
            if not self.token:
                raise CsnetError(
                    "no API token: run `csnet login` or set CSNET_TOKEN", code="unauthenticated"
                )
            headers["Authorization"] = f"Bearer {self.token}"
        if self.justification:
            headers["X-Justification"] = self.justification
        return headers

    def call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        headers = self._headers(auth)
        if "json" in kwargs:
            kwargs["content"] = json_bytes(kwargs.pop("json"))
            headers["Content-Type"] = "application/json"
        try:
            response = httpx.request(
                method, self.url + "/api/v1" + path, headers=headers, timeout=30, **kwargs
            )
        except httpx.HTTPError as exc:
            raise CsnetError(f"cannot reach {self.url}: {exc}", code="connection_failed") from None
        if response.status_code >= 400:
            raise _remote_error(response)
        return None if response.status_code == 204 else response.json()


def json_bytes(value: Any) -> bytes:
    """The request body; BadInput (exit 2) for text that is not Unicode, e.g. a lone surrogate
    that a terminal or a file in another encoding let through."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ascii(exc.object[exc.start : exc.end])
        raise BadInput(
            f"the input is not valid Unicode text: {bad} at position {exc.start} of a value"
        ) from None


def _remote_error(response: httpx.Response) -> RemoteError:
    try:
        error = response.json()["error"]
        return RemoteError(response.status_code, str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return RemoteError(response.status_code, "http_error", f"HTTP {response.status_code}")
