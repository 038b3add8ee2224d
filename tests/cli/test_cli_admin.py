"""Host-side commands: init, member, token, audit — with --json and meaningful exit codes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from csnet.cli.main import app
from csnet.errors import CsnetError
from csnet.node import open_node
from csnet.settings import load_settings
from csnet.store.tables import audit_log
from tests.databases import Databases
from tests.factories import init_options

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    from csnet.cli.main import main  # noqa: F401  (same app the entry point runs)

    try:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    except CsnetError as exc:  # what main() turns into one line and an exit code
        from csnet.cli.common import exit_code_for

        return exit_code_for(exc), exc.message
    return result.exit_code, result.output


@pytest.fixture
def data_dir(tmp_path: Path, databases: Databases) -> Path:
    directory = tmp_path / "pk"
    code, out = run(
        "init",
        "--name",
        "PK-FIA",
        "--country",
        "PK",
        "--agency",
        "Federal Investigation Agency",
        *init_options(databases, directory),
    )
    assert code == 0, out
    return directory


def test_init_creates_identity_with_private_key_0600(data_dir: Path, databases: Databases) -> None:
    key = data_dir / "node.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    config = (data_dir / "config.toml").read_text()
    assert config.count("PK-FIA") == 1
    # the embedded database in the data directory, unless init was given a PostgreSQL URL
    assert ("database_url" in config) is databases.on_postgres
    assert (data_dir / "csnet.db").exists() is not databases.on_postgres


def test_init_twice_is_refused(data_dir: Path) -> None:
    code, out = run(
        "init",
        "--name",
        "PK-FIA",
        "--country",
        "PK",
        "--agency",
        "FIA",
        "--data-dir",
        str(data_dir),
    )
    assert code == 5 and "already" in out


@pytest.mark.parametrize(
    ("name", "country"), [("pk fia", "PK"), ("PK-FIA", "Pakistan"), ("X", "PK")]
)
def test_init_refuses_bad_identity(tmp_path: Path, name: str, country: str) -> None:
    code, _ = run(
        "init",
        "--name",
        name,
        "--country",
        country,
        "--agency",
        "FIA",
        "--data-dir",
        str(tmp_path / "n"),
    )
    assert code == 2
    assert not (tmp_path / "n" / "node.key").exists()


def test_member_add_list_disable(data_dir: Path) -> None:
    code, out = run(
        "member",
        "add",
        "amina",
        "--role",
        "officer",
        "--password",
        "a long enough password",
        "--data-dir",
        str(data_dir),
        "--json",
    )
    assert code == 0, out
    added = json.loads(out)
    assert added["member"]["role"] == "officer" and added["totp_uri"].startswith("otpauth://")
    code, out = run("member", "list", "--data-dir", str(data_dir), "--json")
    assert [m["username"] for m in json.loads(out)] == ["amina"]
    assert run("member", "disable", "amina", "--data-dir", str(data_dir))[0] == 0
    code, out = run("member", "list", "--data-dir", str(data_dir), "--json")
    assert json.loads(out) == []


def test_member_add_bad_role_and_short_password(data_dir: Path) -> None:
    code, _ = run(
        "member",
        "add",
        "x1",
        "--role",
        "king",
        "--password",
        "a long enough one",
        "--data-dir",
        str(data_dir),
    )
    assert code == 2
    code, _ = run(
        "member",
        "add",
        "x2",
        "--role",
        "officer",
        "--password",
        "short",
        "--data-dir",
        str(data_dir),
    )
    assert code == 2


def test_member_disable_unknown_is_not_found(data_dir: Path) -> None:
    assert run("member", "disable", "ghost", "--data-dir", str(data_dir))[0] == 4


def test_token_create_and_revoke(data_dir: Path) -> None:
    run(
        "member",
        "add",
        "bilal",
        "--role",
        "analyst",
        "--password",
        "a long enough password",
        "--data-dir",
        str(data_dir),
    )
    code, out = run("token", "create", "bilal", "--data-dir", str(data_dir), "--json")
    assert code == 0, out
    token = json.loads(out)
    assert token["secret"].startswith("csn_")
    code, out = run("token", "list", "bilal", "--data-dir", str(data_dir), "--json")
    assert [t["id"] for t in json.loads(out)] == [token["id"]]
    assert "secret" not in out
    assert run("token", "revoke", token["id"], "--data-dir", str(data_dir))[0] == 0
    code, out = run("token", "list", "bilal", "--data-dir", str(data_dir), "--json")
    assert json.loads(out)[0]["revoked"] is not None
    code, _ = run("token", "create", "bilal", "--scope", "admin", "--data-dir", str(data_dir))
    assert code == 3  # refused (scope_denied), by the same rule as the API


def test_audit_verify_and_export(data_dir: Path, tmp_path: Path) -> None:
    run(
        "member",
        "add",
        "chen",
        "--role",
        "officer",
        "--password",
        "a long enough password",
        "--data-dir",
        str(data_dir),
    )
    code, out = run("audit", "verify", "--data-dir", str(data_dir), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    target = tmp_path / "audit.jsonl"
    assert run("audit", "export", "-o", str(target), "--data-dir", str(data_dir))[0] == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert rows and {"seq", "hash", "prev_hash", "action"} <= set(rows[0])


def test_audit_verify_names_a_tampered_row(data_dir: Path) -> None:
    run(
        "member",
        "add",
        "dana",
        "--role",
        "officer",
        "--password",
        "a long enough password",
        "--data-dir",
        str(data_dir),
    )
    run(
        "member",
        "add",
        "eve",
        "--role",
        "officer",
        "--password",
        "a long enough password",
        "--data-dir",
        str(data_dir),
    )
    node = open_node(load_settings(data_dir, environ={}))  # the database init chose, either kind
    try:
        with node.store.write() as conn:
            conn.execute(update(audit_log).where(audit_log.c.seq == 1).values(actor="host:mallory"))
    finally:
        node.close()
    code, out = run("audit", "verify", "--data-dir", str(data_dir), "--json")
    assert code == 6
    problems = json.loads(out)["problems"]
    assert problems[0]["seq"] == 1 and problems[0]["kind"] == "altered"


def test_commands_without_a_node_fail_clearly(tmp_path: Path) -> None:
    code, out = run("member", "list", "--data-dir", str(tmp_path / "none"))
    assert code == 4 and "csnet init" in out


def test_audit_export_time_window(data_dir: Path, tmp_path: Path) -> None:
    run(
        "member",
        "add",
        "farah",
        "--role",
        "officer",
        "--password",
        "a long enough password",
        "--data-dir",
        str(data_dir),
    )
    target = tmp_path / "window.jsonl"
    code, out = run(
        "audit",
        "export",
        "--since",
        "2000-01-01T00:00:00",
        "--until",
        "2000-01-02T00:00:00",
        "-o",
        str(target),
        "--data-dir",
        str(data_dir),
    )
    assert code == 0, out
    assert target.read_text() == ""
    code, out = run(
        "audit", "export", "--since", "2000-01-01T00:00:00", "--data-dir", str(data_dir)
    )
    assert code == 0 and '"member_change"' in out


def test_serve_reads_the_client_address_from_the_connection_not_from_headers(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lockouts count, and the audit log records, the client's address: X-Forwarded-For, which
    any local client can send, must not choose it."""
    import uvicorn

    given: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: given.update(options))
    code, out = run("serve", "--port", "0", "--data-dir", str(data_dir))
    assert code == 0, out
    assert given["proxy_headers"] is False
