"""The `facilitator` command.

With no command (or `open ID`, or `demo`) it opens the meeting workspace, which the caller hands
in (`facilitator.command`): this layer sits below the TUI and never imports it, nor Textual, so
scripts start fast. Exit codes: 0 done, 1 a problem explained in one
line on standard error, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from facilitator.base.errors import FacilitatorError
from facilitator.base.terminal_text import shown
from facilitator.cli.arguments import COMMANDS, build_parser, command_named
from facilitator.cli.commands import (
    cmd_demo,
    cmd_dump,
    cmd_export,
    cmd_export_data,
    cmd_history,
    cmd_list,
    cmd_load,
    cmd_new,
    cmd_show,
    wanted_sessions,
)
from facilitator.cli.console import (
    EXIT_ERROR,
    EXIT_OK,
    OpenWorkspace,
    fail,
    long_lived,
    quiet_stdout,
    run_tui,
    templates_folder,
    tolerant_stdout,
)

__all__ = ["COMMANDS", "OpenWorkspace", "command_named", "main"]


def main(argv: Sequence[str] | None = None, open_workspace: OpenWorkspace | None = None) -> int:
    tolerant_stdout()
    parser = build_parser(only=command_named(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if args.command == "new" and not args.follows and not (args.alliance and args.partner):
        missing = " and ".join(
            what
            for what, given in (("--alliance NAME", args.alliance), ("two or more --partner NAME", args.partner))
            if not given
        )
        args.command_parser.error(
            f"give {missing}, or --follows ID to review an earlier session (its alliance and partners carry over)."
        )
    args.open_workspace = open_workspace
    try:
        return run(args)
    except FacilitatorError as error:
        fail(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        fail("interrupted.")
        return 130
    except BrokenPipeError:
        # The reader (for example `| head`) went away: not an error worth a message.
        quiet_stdout()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("FACILITATOR_DEBUG"):
            raise
        fail(f"unexpected error ({type(error).__name__}: {error}). Set FACILITATOR_DEBUG=1 for details.")
        return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    from facilitator.storage.data_folder import resolve_data_dir
    from facilitator.storage.store import SessionStore

    store = SessionStore(resolve_data_dir(args.data_dir))
    templates = templates_folder(vars(args).get("export_templates") or args.templates)
    command = args.command
    if command is None:
        return run_tui(args.open_workspace, store, templates)
    if command == "open":
        return run_tui(args.open_workspace, store, templates, open_id=store.resolve(args.session))
    if command == "new":
        return cmd_new(store, args)
    if command == "list":
        return cmd_list(store, args.json, wanted_sessions(args))
    if command == "show":
        return cmd_show(store, args.session)
    if command == "export":
        if args.export_format in ("ics", "csv"):
            return cmd_export_data(store, args.session, args.export_format, args.output)
        return cmd_export(
            store,
            args.session,
            args.document,
            templates,
            args.output,
            args.changes_since,
            fmt=args.export_format,
            reference_doc=args.reference_doc,
        )
    if command == "history":
        return cmd_history(store, args.target, args.json)
    if command == "dump":
        return cmd_dump(store, args.session, args.output)
    if command == "load":
        return cmd_load(store, args.file, args.replace)
    if command == "delete":
        target = store.delete(args.session)
        print(shown(f"Moved to {target}"))
        return EXIT_OK
    if command == "serve":
        from facilitator.remote.serve import cmd_serve  # aiohttp and textual-serve only; never Textual itself

        long_lived()
        return cmd_serve(store, args.session, args.host, args.port, args.public_url, args.trusted_proxy)
    if command == "demo":
        return cmd_demo(store, templates, open_it=not args.no_open, open_workspace=args.open_workspace)
    raise AssertionError(command)
