"""One exception tree for csnet, mapped once to HTTP and to the CLI.

CsnetError(status, code, message, details)
├── BadInput            422  invalid_input      input that fails validation
├── Unauthenticated     401  unauthenticated    missing, wrong or expired credentials
├── Forbidden           403  forbidden          authenticated but not allowed (policy, role)
├── NotFound            404  not_found          no such record (or not visible to the caller)
├── Conflict            409  conflict           duplicate or state conflict
├── TooLarge            413  too_large          body or item over a size/depth limit
├── RateLimited         429  rate_limited       too many attempts (e.g. login lockout)
└── IntegrityFailure    422  integrity_failure  signature, hash or chain does not verify
"""

from __future__ import annotations

from typing import Any, ClassVar


class CsnetError(Exception):
    """Base of every error csnet raises on purpose; never a 500."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = code or self.code
        self.details: dict[str, Any] = details or {}

    def body(self) -> dict[str, Any]:
        """The project's one error body."""
        return {
            "error": {"code": self.error_code, "message": self.message, "details": self.details}
        }


class BadInput(CsnetError):
    status = 422
    code = "invalid_input"


class Unauthenticated(CsnetError):
    status = 401
    code = "unauthenticated"


class Forbidden(CsnetError):
    status = 403
    code = "forbidden"


class NotFound(CsnetError):
    status = 404
    code = "not_found"


class Conflict(CsnetError):
    status = 409
    code = "conflict"


class TooLarge(CsnetError):
    status = 413
    code = "too_large"


class RateLimited(CsnetError):
    status = 429
    code = "rate_limited"


class IntegrityFailure(CsnetError):
    status = 422
    code = "integrity_failure"


def retry_after(exc: CsnetError) -> dict[str, str] | None:
    """A throttled request says when to come back (RFC 9110 Retry-After, in seconds)."""
    wait = exc.details.get("retry_after") if isinstance(exc, RateLimited) else None
    return {"Retry-After": str(wait)} if isinstance(wait, int) else None


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the error body for errors that do not come from a CsnetError (framework errors)."""
    return {"error": {"code": code, "message": message, "details": details or {}}}
