"""Entry point of the `csnet` command: every failure is one readable line and an exit code."""

from __future__ import annotations

import sys

import typer

# typer carries its own copy of click; its exceptions are what a command line raises
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from csnet.cli import (
    admin_cmds,
    consent_cmds,
    demo,
    disclosure_cmds,
    doc_cmds,
    extract_cmd,
    group_cmds,
    hit_cmds,
    hitcheck_cmd,
    item_cmds,
    node_cmds,
    peer_cmds,
    watch_cmd,
)
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
app.command()(item_cmds.password)
app.command()(watch_cmd.watch)
app.command()(demo.demo)
app.command("demo-code")(demo.demo_code)
app.command("extract")(extract_cmd.extract_command)
app.command("hitcheck")(hitcheck_cmd.hitcheck_command)
app.command("hits")(hit_cmds.hits)
app.add_typer(hit_cmds.indicator_app, name="indicator")
app.add_typer(admin_cmds.member_app, name="member")
app.add_typer(admin_cmds.token_app, name="token")
app.add_typer(admin_cmds.audit_app, name="audit")
app.add_typer(item_cmds.alert_app, name="alert")
app.add_typer(item_cmds.note_app, name="note")
app.add_typer(peer_cmds.peer_app, name="peer")
app.add_typer(group_cmds.group_app, name="group")
app.add_typer(consent_cmds.consent_app, name="consent")
app.add_typer(disclosure_cmds.disclosure_app, name="disclosure")
app.add_typer(doc_cmds.doc_app, name="doc")

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130


def run(args: list[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting (tests call this)."""
    try:
        result = app(args=args, standalone_mode=False, prog_name="csnet")
    except CsnetError as exc:
        return int(fail(exc.message, exit_code_for(exc)).exit_code)
    except NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else "csnet --help")
        return USAGE_EXIT
    except UsageError as exc:
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
        return int(fail(f"{exc.format_message()}{hint}", USAGE_EXIT).exit_code)
    except ClickException as exc:
        return int(fail(exc.format_message(), exc.exit_code).exit_code)
    except (ValueError, UnicodeError) as exc:  # bad input that reached past the option types
        return int(fail(f"invalid input: {exc}", USAGE_EXIT).exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return int(fail("interrupted", INTERRUPTED_EXIT).exit_code)
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
