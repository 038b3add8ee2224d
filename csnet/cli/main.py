"""Entry point of the `csnet` command."""

from __future__ import annotations

import sys

import typer

from csnet.cli import admin_cmds, demo, item_cmds, node_cmds
from csnet.cli.common import exit_code_for, fail
from csnet.errors import CsnetError

app = typer.Typer(
    help="csnet: a node of the Peer-to-Peer Practitioner Network against migrant smuggling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(node_cmds.init)
app.command()(node_cmds.serve)
app.command()(item_cmds.login)
app.command()(demo.demo)
app.command("demo-code")(demo.demo_code)
app.add_typer(admin_cmds.member_app, name="member")
app.add_typer(admin_cmds.token_app, name="token")
app.add_typer(admin_cmds.audit_app, name="audit")
app.add_typer(item_cmds.alert_app, name="alert")
app.add_typer(item_cmds.note_app, name="note")


def main() -> None:
    try:
        app()
    except CsnetError as exc:
        raise SystemExit(fail(exc.message, exit_code_for(exc)).exit_code) from None


if __name__ == "__main__":
    main()
    sys.exit(0)
