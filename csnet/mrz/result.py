"""What reading an MRZ gives: decoded fields, and every error, warning and repair with its place."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """An error or a warning about one field, at 1-based line and columns (None: the whole zone)."""

    field: str
    message: str
    line: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Repair:
    """One character read as `found` and taken as `used`; `confirmed_by` names the check digit
    that holds only with the repair, or is None where nothing can confirm it (names, codes)."""

    field: str
    line: int
    column: int
    found: str
    used: str
    confirmed_by: str | None


@dataclass
class Reading:
    format: str | None
    lines: list[str]
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    expired: bool | None = None

    @property
    def valid(self) -> bool:
        """Well formed, known codes and every check digit holding (after the reported repairs);
        expiry is reported apart."""
        return self.format is not None and not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "format": self.format,
            "expired": self.expired,
            "lines": self.lines,
            "fields": self.fields,
            "errors": [asdict(f) for f in self.errors],
            "warnings": [asdict(f) for f in self.warnings],
            "repairs": [asdict(r) for r in self.repairs],
        }
