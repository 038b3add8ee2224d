"""Every command-line failure is one readable line on stderr and a meaningful exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from csnet.cli.main import run
from tests.databases import Databases
from tests.factories import init_options


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["alert", "post"], 2, "Missing option '--title'"),
        (["member", "add", "x1", "--role", "king"], 2, "'king' is not one of"),
        (["nosuch"], 2, "No such command"),
        (["token", "create"], 2, "Missing argument"),
    ],
)
def test_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], code: int, fragment: str
) -> None:
    assert run(args) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and fragment in err
    assert "\n" not in err


def test_domain_errors_map_to_exit_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["member", "list", "--data-dir", str(tmp_path / "none")]) == 4
    err = capsys.readouterr().err.strip()
    assert err == f"error: no node in {tmp_path / 'none'}; run `csnet init` first"


def test_success_is_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, databases: Databases
) -> None:
    """`csnet init` on an empty database migrates it from nothing."""
    args = [
        "init",
        "--name",
        "GR-HCG",
        "--country",
        "GR",
        "--agency",
        "Hellenic Coast Guard",
        *init_options(databases, tmp_path / "gr", migrated=False),
    ]
    assert run(args) == 0
    assert "GR-HCG" in capsys.readouterr().out


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([]) == 2
    assert "Usage" in capsys.readouterr().out
