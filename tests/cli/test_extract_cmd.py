"""`csnet extract`: text from stdin or a file, a table or JSON, no node needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csnet.cli.main import app, run

runner = CliRunner()
POST = (
    "ایجنٹ: ۰۳۰۰-۱۲۳۴۵۶۷ https://wa.me/923001234567?utm_source=fb "
    "ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
)


@pytest.fixture(autouse=True)
def no_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data directory that does not exist: extraction must not need one."""
    monkeypatch.setenv("CSNET_DATA_DIR", str(tmp_path / "no-node"))


def test_json_from_stdin() -> None:
    result = runner.invoke(app, ["extract", "--country", "pk", "--json"], input=POST)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [(f["type"], f["value"], f["text"]) for f in body["found"]] == [
        ("phone", "+923001234567", "۰۳۰۰-۱۲۳۴۵۶۷"),
        ("whatsapp", "+923001234567", "https://wa.me/923001234567?utm_source=fb"),
    ]
    assert all(POST[f["start"] : f["end"]] == f["text"] for f in body["found"])
    (rejected,) = body["rejected"]
    assert rejected["type"] == "wallet" and "EIP-55" in rejected["reason"]


def test_table_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text(POST, "utf-8")
    result = runner.invoke(app, ["extract", str(path), "--country", "PK"])
    assert result.exit_code == 0, result.output
    assert "+923001234567" in result.stdout and "۰۳۰۰-۱۲۳۴۵۶۷" in result.stdout
    assert "EIP-55" in result.stdout
    assert not (tmp_path / "no-node").exists()


def test_dash_reads_stdin() -> None:
    result = runner.invoke(app, ["extract", "-", "--json"], input="+30 694 123 4567")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["found"][0]["value"] == "+306941234567"


def test_nothing_found_says_so() -> None:
    result = runner.invoke(app, ["extract"], input="no identifiers here")
    assert result.exit_code == 0
    assert "no indicators found" in result.stdout


def test_a_missing_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.txt"
    assert run(["extract", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: no such file: {missing}"


def test_a_bad_country_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["extract", "--country", "Pakistan", "/dev/null"]) == 2
    assert "two-letter code" in capsys.readouterr().err
