"""Host-side administration: members, tokens and the audit log, straight on the node's store."""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from csnet.accounts import member_ops, members, token_ops
from csnet.accounts.totp import provisioning_uri
from csnet.audit import reading
from csnet.cli.common import (
    DataDir,
    JsonFlag,
    cells,
    console,
    fail,
    foreign,
    local_node,
    print_json,
    say,
)
from csnet.handling.roles import Role

member_app = typer.Typer(help="Members of this node.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for the CLI and scripts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log (LED Art 25).", no_args_is_help=True)


def _host_actor() -> str:
    return f"host:{getpass.getuser()}"


def _password(given: str | None) -> str:
    if given:
        return given
    from_env = os.environ.get("CSNET_PASSWORD")
    if from_env:
        return from_env
    return str(typer.prompt("Password (12+ characters)", hide_input=True, confirmation_prompt=True))


@member_app.command("add")
def member_add(
    username: Annotated[str, typer.Argument(help="Login name: a-z, 0-9, . _ -")],
    role: Annotated[Role, typer.Option(help="Role on this node.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Password (else CSNET_PASSWORD, else prompted).")
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a member; prints the TOTP secret once, for their authenticator app."""
    with local_node(data_dir) as node:
        member, secret = member_ops.add(
            node,
            _host_actor(),
            username=username,
            display_name=name or username,
            role=role,
            password=_password(password),
        )
        uri = provisioning_uri(secret, username, f"csnet {node.identity.name}")
    if as_json:
        print_json({"member": _member_dict(member), "totp_secret": secret, "totp_uri": uri})
        return
    console.print(f"Added [bold]{foreign(username)}[/] ({role}) as {member.id}", highlight=False)
    console.print(f"TOTP secret: [bold]{secret}[/]  (add it to an authenticator app)")
    console.print(f"TOTP URI:    {foreign(uri)}", highlight=False)


def _member_dict(member: members.Member) -> dict[str, object]:
    return {k: (v.value if isinstance(v, Role) else v) for k, v in asdict(member).items()}


@member_app.command("list")
def member_list(
    include_disabled: Annotated[bool, typer.Option("--all", help="Include disabled.")] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """List members."""
    with local_node(data_dir) as node:
        found = member_ops.listing(node, include_disabled=include_disabled)
    if as_json:
        print_json([_member_dict(m) for m in found])
        return
    if not found:
        console.print("No members yet: add one with `csnet member add USERNAME --role admin`.")
        return
    table = Table("id", "username", "name", "role", "status")
    for m in found:
        status = "disabled" if m.disabled else "active"
        table.add_row(*cells(m.id, m.username, m.display_name, m.role.value, status))
    console.print(table)


@member_app.command("disable")
def member_disable(
    username: Annotated[str, typer.Argument(help="Login name of the member.")],
    keep_tokens: Annotated[
        bool, typer.Option("--keep-tokens", help="Do not revoke the member's API tokens.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Disable a member: their sessions end and their API tokens are revoked."""
    with local_node(data_dir) as node:
        member = member_ops.find(node, username)
        _member, ended = member_ops.disable(
            node, _host_actor(), member.id, revoke_tokens=not keep_tokens
        )
    revoked = f"Disabled {username}; {ended.tokens_revoked} API token(s) revoked."
    say(revoked)


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="Member the token acts for.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    scope: Annotated[list[str] | None, typer.Option(help="read, write, admin (repeat).")] = None,
    days: Annotated[
        int | None, typer.Option(min=1, max=365, help="Lifetime in days (CSNET_TOKEN_DAYS).")
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an API token; the secret is printed once and kept only as a hash."""
    scopes = scope or ["read", "write"]
    with local_node(data_dir) as node:
        member = member_ops.find(node, username)
        info, secret = token_ops.create(
            node, _host_actor(), member.id, name=name, scopes=scopes, days=days
        )
    if as_json:
        print_json(
            {"id": info.id, "secret": secret, "scopes": scopes, "expires": info.expires.isoformat()}
        )
        return
    made = f"Token {info.id} for {username} ({', '.join(scopes)}), expires {info.expires:%Y-%m-%d}"
    say(made)
    console.print(f"export CSNET_TOKEN={secret}", highlight=False)


@token_app.command("list")
def token_list(
    username: Annotated[str, typer.Argument(help="Member whose tokens to list.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """List a member's tokens (never their secrets)."""
    with local_node(data_dir) as node:
        found = token_ops.list_of(node, member_ops.find(node, username).id)
    rows = [
        {
            "id": t.id,
            "name": t.name,
            "scopes": list(t.scopes),
            "created": t.created.isoformat(),
            "expires": t.expires.isoformat(),
            "revoked": t.revoked.isoformat() if t.revoked else None,
        }
        for t in found
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say(f"{username} has no tokens.")
        return
    table = Table("id", "name", "scopes", "expires", "status")
    for t in found:
        status = "revoked" if t.revoked else "active"
        table.add_row(*cells(t.id, t.name, ", ".join(t.scopes), f"{t.expires:%Y-%m-%d}", status))
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="Token id (not the secret).")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a token at once."""
    with local_node(data_dir) as node:
        token_ops.revoke(node, _host_actor(), token_id)
    say(f"Revoked {token_id}.")


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Check the hash chain; names every altered, removed or inserted row. Exit 6 if broken."""
    with local_node(data_dir) as node:
        report = reading.check_chain(node)
    if as_json:
        print_json(
            {"ok": report.ok, "rows": report.rows, "problems": [asdict(p) for p in report.problems]}
        )
    elif report.ok:
        console.print(f"[green]Audit log intact[/]: {report.rows} rows verified.")
    else:
        for problem in report.problems:
            kind, message = foreign(problem.kind), foreign(problem.message)
            console.print(f"[red]{kind}[/]: {message}", highlight=False)
    if not report.ok:
        raise (
            typer.Exit(6)
            if as_json
            else fail(f"audit log broken: {len(report.problems)} problem(s)", 6)
        )


def _utc(value: datetime | None) -> datetime | None:
    """Command-line times without a zone are read as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@audit_app.command("export")
def audit_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (else stdout).")
    ] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Up to this time (UTC).")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor, e.g. member:m_…")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export the log as JSON lines for a supervisory authority (with hashes to re-verify)."""
    with local_node(data_dir) as node:
        rows = reading.export_rows(node, since=_utc(since), until=_utc(until), actor=actor)
    lines = [json.dumps(row, ensure_ascii=False, default=str) for row in rows]
    text = "\n".join(lines) + ("\n" if lines else "")
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")
        say(f"Wrote {len(lines)} rows to {output}.")
