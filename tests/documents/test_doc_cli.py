"""`csnet doc register import/add/list/remove` on the host and `csnet doc check` over the API:
--json shapes, stdin, and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from csnet.cli.main import run
from csnet.documents import register
from csnet.documents.entries import NewEntry
from csnet.handling.roles import Role
from csnet.node import Node
from tests.cli.conftest import route_cli_to
from tests.documents.test_documents_api import ZONE
from tests.factories import add_member, token_for

URL = "https://node.test"
CSV = (
    "State,Type,Number,Status,Reported,Authority,Shelf\n"
    "PAK,P,AB1234567,stolen,2026-11-30,FIA Lahore,3\n"
    "PAK,P,AB1234567,lost,,FIA,3\n"
    "XYZ,P,CD1234567,stolen,,FIA,4\n"
)


def out_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return dict(json.loads(capsys.readouterr().out))


def test_import_reports_every_row_and_exits_8_when_rows_are_refused(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listing = tmp_path / "sltd.csv"
    listing.write_text(CSV, "utf-8")
    where = ["--data-dir", str(data_dir)]
    assert run(["doc", "register", "import", str(listing), "--json", *where]) == 8
    assert out_json(capsys) == {
        "imported": 1,
        "refused": [
            {"line": 4, "reason": "issuing state 'XYZ' is not an ICAO or ISO 3166 country code"}
        ],
        "duplicates": [{"line": 3, "document": "PAK:P:AB1234567", "first_line": 2}],
        "unknown_columns": ["Shelf"],
        "stopped": None,
    }
    listing.write_text(CSV.splitlines(keepends=True)[0] + CSV.splitlines(keepends=True)[1])
    assert run(["doc", "register", "import", str(listing), *where]) == 0  # already there
    assert "in the register already" in capsys.readouterr().out
    listing.write_text("number,status\nAB1234567,stolen\n")
    assert run(["doc", "register", "import", str(listing), *where]) == 2
    assert "missing column(s): state, type" in capsys.readouterr().err
    assert run(["doc", "register", "import", str(tmp_path / "none.csv"), *where]) == 2


def test_add_list_remove(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--data-dir", str(data_dir)]
    add = ["doc", "register", "add", "GRC P AE0123456", "--status", "lost", "--authority", "HCG"]
    assert run([*add, "--reported", "2026-12-01", "--json", *where]) == 0
    assert out_json(capsys)["document"] == "GRC:P:AE0123456"
    assert run([*add, *where]) == 5  # a duplicate is a conflict
    assert run([*add[:4], "--status", "gone", "--authority", "HCG", *where]) == 2
    capsys.readouterr()
    assert run(["doc", "register", "list", "--json", *where]) == 3  # no justification
    assert run(["doc", "register", "list", "-j", "audit", "--json", *where]) == 0
    listed = out_json(capsys)
    assert listed["total"] == 1
    assert run(["doc", "register", "remove", "GRC:P:AE0123456", "--reason", "found", *where]) == 0
    assert run(["doc", "register", "remove", "GRC:P:AE0123456", "--reason", "found", *where]) == 4


@pytest.fixture
def served(node: Node, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    route_cli_to(node, URL, monkeypatch)
    member, _ = add_member(node, "officer", Role.OFFICER)
    return ["--url", URL, "--token", token_for(node, member), "-j", "case 2026/114"]


def test_check_exit_codes_and_json(
    node: Node, served: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["doc", "check", "PAK:P:AB1234567", "--json", *served]) == 0
    checked = out_json(capsys)
    assert (checked["valid"], checked["format"], checked["network"]) == (None, None, [])
    assert checked["register"] == [] and checked["document"] == "PAK:P:AB1234567"
    broken = ZONE.replace("L898902C36", "L898902C37")
    assert run(["doc", "check", broken, "--no-network", *served]) == 8
    assert "NOT VALID" in capsys.readouterr().out
    register.add(node, "host:test", NewEntry("PAK:P:AB1234567", "stolen", None, "FIA", ""))
    assert run(["doc", "check", "passport AB1234567 PAK", *served]) == 9
    assert "STOLEN by FIA" in capsys.readouterr().out
    assert run(["doc", "check", "no such thing", *served]) == 2
    assert run(["doc", "check", "PAK:P:AB1234567", *served[:4]]) == 3  # no justification


def test_check_reads_stdin(
    served: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(ZONE + "\n"))
    assert run(["doc", "check", "-", "--json", "--no-network", *served]) == 0
    checked = out_json(capsys)
    assert (checked["valid"], checked["expired"]) == (True, True)
    assert checked["fields"]["surname"] == "ERIKSSON"
    monkeypatch.setattr("sys.stdin", io.StringIO("  \n"))
    assert run(["doc", "check", "-", *served]) == 2


def test_check_reads_the_zone_from_a_photo_here(
    node: Node, served: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from csnet.ocr import tesseract
    from tests.ocr.pages import OCR_B, page

    if not (tesseract.available() and OCR_B.is_file()):
        pytest.skip("reading photos needs Debian's tesseract-ocr and fonts-ocr-b")
    photo = tmp_path / "page.jpg"
    photo.write_bytes(page(ZONE.split("\n")))
    assert run(["doc", "check", "--image", str(photo), "--no-network", "--json", *served]) == 0
    checked = out_json(capsys)
    assert checked["valid"] is True and checked["document"] == "UTO:P:L898902C3"
    not_a_photo = tmp_path / "notes.txt"
    not_a_photo.write_text("no photo here", "utf-8")
    assert run(["doc", "check", "--image", str(not_a_photo), *served]) == 2
    assert "not an image" in capsys.readouterr().err
    assert run(["doc", "check", "PAK:P:AB1234567", "--image", str(photo), *served]) == 2
