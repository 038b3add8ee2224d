"""Register entries from a CSV file: explicit columns, every refused row with its line and reason,
duplicates within the file and against the register, unknown columns named, never guessed.

Columns (header names case-insensitive; spaces, dashes and dots count as underscores; a UTF-8
byte-order mark is ignored): state, type, number and status are required; check_digit,
reported (YYYY-MM-DD), authority and note are optional (the authority may come from the import's
default instead). The delimiter is the one of comma, semicolon and tab that the header line uses
most. Rows are imported in chunks of CHUNK, each chunk in its own transaction with its audit
entry: a failed chunk stops the import and leaves the earlier chunks stored; run the file again
and they are reported as already in the register (docs/documents.md).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from csnet.documents import register
from csnet.documents.entries import NewEntry, document_of, new_entry
from csnet.errors import BadInput, CsnetError
from csnet.node import Node

CHUNK = 1000
SPELLINGS = {
    "state": ("state", "issuing_state", "issuing_country", "issuer", "country", "country_code"),
    "type": ("type", "document_type", "doc_type", "doctype", "document_code", "kind"),
    "number": ("number", "document_number", "doc_number", "document_no", "doc_no", "no"),
    "check_digit": ("check_digit", "checkdigit", "check"),
    "status": ("status", "document_status"),
    "reported": ("reported", "date_reported", "reported_on", "reported_date", "report_date"),
    "authority": ("authority", "reporting_authority", "reported_by", "agency"),
    "note": ("note", "notes", "comment", "comments", "remarks"),
}
REQUIRED = ("state", "type", "number", "status")
_COLUMN_OF = {spelling: name for name, many in SPELLINGS.items() for spelling in many}
_HEADER_SEPARATORS = re.compile(r"[\s\-.]+")


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str


@dataclass(frozen=True)
class Duplicate:
    line: int
    document: str
    first_line: int | None  # None: already in the register


@dataclass
class Parsed:
    entries: list[tuple[int, NewEntry]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class Report:
    parsed: Parsed
    imported: int = 0
    stopped: Refused | None = None  # the chunk that failed: its first line and why

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "refused": [{"line": r.line, "reason": r.reason} for r in self.parsed.refused],
            "duplicates": [
                {"line": d.line, "document": d.document, "first_line": d.first_line}
                for d in self.parsed.duplicates
            ],
            "unknown_columns": self.parsed.unknown_columns,
            "stopped": None
            if self.stopped is None
            else {"line": self.stopped.line, "reason": self.stopped.reason},
        }


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the file is not UTF-8 text (byte {exc.start})") from None


def _delimiter(header_line: str) -> str:
    return max(",;\t", key=header_line.count)


def header_of(names: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column positions by field name, and the names of the columns not understood."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, raw in enumerate(names):
        spelled = _HEADER_SEPARATORS.sub("_", raw.strip().lower()).strip("_")
        name = _COLUMN_OF.get(spelled)
        if name is None:
            unknown.append(raw.strip())
        elif name in columns:
            raise BadInput(f"two columns give the {name}: {names[columns[name]]!r} and {raw!r}")
        else:
            columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise BadInput(
            f"missing column(s): {', '.join(missing)} (the header is {', '.join(names)})",
            code="missing_columns",
        )
    return columns, unknown


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted field may span lines)."""
    first_line = text.split("\n", 1)[0]
    # why: newline="" hands csv the line breaks as written (quoted fields keep theirs)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BadInput(f"line {reader.line_num}: not CSV: {exc}") from None


def parse(text: str, today: date, default_authority: str = "") -> Parsed:
    """Every row read: the entries to import, and the refused and duplicate rows."""
    records = _records(text.removeprefix("\ufeff"))
    first = next(records, None)
    if first is None:
        raise BadInput("the file is empty: a header line is needed", code="missing_columns")
    columns, unknown = header_of(first[1])
    parsed = Parsed(unknown_columns=unknown)
    seen: dict[str, int] = {}
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        try:
            entry = _entry(record, len(first[1]), columns, today, default_authority)
        except CsnetError as exc:
            parsed.refused.append(Refused(line, exc.message))
            continue
        if entry.document in seen:
            parsed.duplicates.append(Duplicate(line, entry.document, seen[entry.document]))
            continue
        seen[entry.document] = line
        parsed.entries.append((line, entry))
    return parsed


def _entry(
    record: list[str], width: int, columns: dict[str, int], today: date, default_authority: str
) -> NewEntry:
    if len(record) > width:
        raise BadInput(f"{len(record)} fields, the header has {width}")

    def cell(name: str) -> str:
        index = columns.get(name)
        return record[index] if index is not None and index < len(record) else ""

    document = document_of(cell("state"), cell("type"), cell("number"), cell("check_digit"))
    authority = cell("authority").strip() or default_authority
    return new_entry(document, cell("status"), cell("reported"), authority, cell("note"), today)


def import_parsed(
    node: Node, actor: str, parsed: Parsed, progress: Callable[[int], None] | None = None
) -> Report:
    """Store the parsed entries chunk by chunk; `progress` hears how many rows each chunk did."""
    report = Report(parsed)
    for first in range(0, len(parsed.entries), CHUNK):
        chunk = parsed.entries[first : first + CHUNK]
        try:
            added, present = register.add_chunk(node, actor, chunk)
        except (CsnetError, SQLAlchemyError) as exc:
            reason = exc.message if isinstance(exc, CsnetError) else type(exc).__name__
            report.stopped = Refused(chunk[0][0], f"chunk not stored: {reason}")
            break
        report.imported += added
        parsed.duplicates.extend(Duplicate(line, e.document, None) for line, e in present)
        if progress is not None:
            progress(len(chunk))
    parsed.duplicates.sort(key=lambda d: d.line)
    return report
