"""The `facilitator` command.

With no command (or `open ID`, or `demo`) it opens the meeting workspace, which the caller hands
in (`facilitator.command`): this layer sits below the TUI and never imports it, nor Textual, so
scripts start fast. Exit codes: 0 done, 1 a problem explained in one
line on standard error, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from facilitator import __version__
from facilitator.base.errors import FacilitatorError, InvalidInput
from facilitator.base.terminal_text import json_shown, shown

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _open_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID", help="session id, or a unique start of one")


def _new_arguments(sub: argparse.ArgumentParser) -> None:
    sub.description = (
        "Create a session and print its id. A kick-off names the alliance and two or more partners; "
        "a review of an earlier session needs only --follows ID (alliance, partners and their people, "
        "the agreement, measures, roles, work plan and open actions carry over)."
    )
    sub.epilog = (
        'Example: facilitator new --alliance "Tri-Port" --partner Acme --partner Beta '
        '--sponsor "Acme=Ana Ruiz, Li Wei" --member "Beta=Bo Chen"'
    )
    sub.add_argument("--alliance", metavar="NAME", help="the alliance's name (with --follows: carried over)")
    sub.add_argument(
        "--partner",
        action="append",
        metavar="NAME",
        help="a partner organisation; give two or more (with --follows: carried over)",
    )
    sub.add_argument(
        "--sponsor",
        action="append",
        default=[],
        metavar="PARTNER=NAME[, NAME]",
        help="sponsors of a partner, named as in --partner, separated by commas as in the app; "
        "repeat for each partner (with --follows: replaces that partner's sponsors)",
    )
    sub.add_argument(
        "--member",
        action="append",
        default=[],
        metavar="PARTNER=NAME[, NAME]",
        help="team members of a partner, in the same form as --sponsor",
    )
    sub.add_argument("--facilitator", default="", metavar="NAME")
    sub.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="meeting date (default: today; a review's must be later than the session it follows)",
    )
    sub.add_argument("--kind", choices=["kickoff", "review"], default=None)
    sub.add_argument(
        "--follows",
        metavar="ID",
        help="the earlier session of the alliance this one reviews (an id or a unique start of one)",
    )


def _list_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--json", action="store_true", help="print JSON for scripts")
    found = sub.add_argument_group("finding sessions (combine them: every one given must match)")
    found.add_argument("--alliance", metavar="TEXT", default="", help="alliance name contains TEXT (any case)")
    found.add_argument("--partner", metavar="TEXT", default="", help="a partner's name contains TEXT")
    found.add_argument("--sponsor", metavar="TEXT", default="", help="a sponsor's name contains TEXT")
    found.add_argument("--facilitator", metavar="TEXT", default="", help="the facilitator's name contains TEXT")
    found.add_argument("--kind", choices=("kickoff", "review"), default="", help="kickoff or review")
    found.add_argument("--since", metavar="DATE", default="", help="held on or after DATE (YYYY-MM-DD)")
    found.add_argument("--until", metavar="DATE", default="", help="held on or before DATE (YYYY-MM-DD)")
    found.add_argument(
        "--status", choices=("ok", "damaged"), default="", help="ok, or damaged: files that cannot be opened"
    )


def _session_argument(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID")


def _export_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID")
    sub.add_argument("--document", choices=["agreement", "scorecard"], default="agreement")
    sub.add_argument("--templates", dest="export_templates", metavar="DIR", help="folder of customised templates")
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    sub.add_argument(
        "--changes-since",
        action="store_true",
        help="agreement: mark each section changed or not since the previous session of the "
        "alliance, with an appendix of the changes",
    )


def _history_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "target", metavar="ALLIANCE_OR_ID", help="an alliance name (any case), or a session id or unique start of one"
    )
    sub.add_argument("--json", action="store_true", help="print JSON for scripts")


def _dump_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID")
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _load_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="FILE", help="JSON file, or - for standard input")
    sub.add_argument("--replace", action="store_true", help="overwrite a session with the same id (kept in trash/)")


def _serve_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    sub.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    sub.add_argument(
        "--public-url", metavar="URL", help="address participants type, when it differs from http://HOST:PORT (a proxy)"
    )
    sub.add_argument(
        "--trusted-proxy",
        metavar="ADDR",
        action="append",
        default=[],
        help="a reverse proxy (address or range such as 10.0.0.0/8) whose X-Forwarded-For "
        "names the browser; repeat for a chain. Without it that header is ignored",
    )


def _demo_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--no-open", action="store_true", help="only create it and print its id")


# Each command: its help line, and what adds its arguments.
COMMANDS = {
    "open": ("open a session in the meeting workspace", _open_arguments),
    "new": ("create a session and print its id", _new_arguments),
    "list": ("list saved sessions", _list_arguments),
    "show": ("print a readable summary of a session", _session_argument),
    "export": ("render the agreement or scorecard as Markdown", _export_arguments),
    "history": ("sessions of an alliance over time: trends, sponsor meetings, agreement changes", _history_arguments),
    "dump": ("write a session as JSON", _dump_arguments),
    "load": ("import a session from a JSON file made by dump", _load_arguments),
    "delete": ("move a session to the trash folder", _session_argument),
    "serve": ("let remote participants score a session from their browsers", _serve_arguments),
    "demo": ("create a sample alliance and open it", _demo_arguments),
}
_GLOBAL_OPTIONS_WITH_VALUES = ("--data-dir", "--templates")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `only`, the parser of that one command (see `command_named`)."""
    from facilitator.storage.data_folder import default_data_dir

    # The epilog is printed as written: a path must not be wrapped at its hyphens.
    parser = argparse.ArgumentParser(
        prog="facilitator",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Lead partnership health checks and draft partnership agreements.\n"
        "With no command, opens the session list.",
        epilog=f"Sessions are saved in {default_data_dir()}\n"
        "wherever facilitator is started, unless --data-dir or $FACILITATOR_DATA_DIR names another folder.",
    )
    parser.add_argument("--version", action="version", version=f"facilitator {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder of saved sessions (default: $FACILITATOR_DATA_DIR, else the per-user folder named below)",
    )
    parser.add_argument("--templates", metavar="DIR", help="folder of customised report templates")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.set_defaults(command_parser=parser)
    for name, (help_text, add_arguments) in COMMANDS.items():
        if only is None or name == only:
            sub = commands.add_parser(name, help=help_text)
            sub.set_defaults(command_parser=sub)  # so a usage error shows the command's own usage
            add_arguments(sub)
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command `argv` names after the global options; None when unsure (or asked for help).

    Scripts call `list` and `export` often: building the parsers of the ten other commands costs
    them a few milliseconds (argparse looks up translations and the terminal for each), so only
    the named command's parser is built. Anything unusual gets the whole parser, and its messages.
    """
    args = iter(argv)
    for arg in args:
        if arg in _GLOBAL_OPTIONS_WITH_VALUES:
            next(args, None)
        elif arg.startswith(tuple(f"{option}=" for option in _GLOBAL_OPTIONS_WITH_VALUES)):
            continue
        elif arg.startswith("-"):
            return None  # help, or an abbreviation argparse would expand ("--data D")
        else:
            return arg if arg in COMMANDS else None
    return None


# Opens the meeting workspace (the TUI) over a store: (store, templates folder, session id) -> exit code.
OpenWorkspace = Callable[[Any, "Path | None", "str | None"], int]


def main(argv: Sequence[str] | None = None, open_workspace: OpenWorkspace | None = None) -> int:
    _tolerant_stdout()
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
        _fail(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _fail("interrupted.")
        return 130
    except BrokenPipeError:
        # The reader (for example `| head`) went away: not an error worth a message.
        _quiet_stdout()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("FACILITATOR_DEBUG"):
            raise
        _fail(f"unexpected error ({type(error).__name__}: {error}). Set FACILITATOR_DEBUG=1 for details.")
        return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    from facilitator.storage.data_folder import resolve_data_dir
    from facilitator.storage.store import SessionStore

    store = SessionStore(resolve_data_dir(args.data_dir))
    templates = _templates(getattr(args, "export_templates", None) or args.templates)
    command = args.command
    if command is None:
        return _run_tui(args.open_workspace, store, templates)
    if command == "open":
        return _run_tui(args.open_workspace, store, templates, open_id=store.resolve(args.session))
    if command == "new":
        return cmd_new(store, args)
    if command == "list":
        return cmd_list(store, args.json, _wanted(args))
    if command == "show":
        return cmd_show(store, args.session)
    if command == "export":
        return cmd_export(store, args.session, args.document, templates, args.output, args.changes_since)
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

        return cmd_serve(store, args.session, args.host, args.port, args.public_url, args.trusted_proxy)
    if command == "demo":
        return cmd_demo(store, templates, open_it=not args.no_open, open_workspace=args.open_workspace)
    raise AssertionError(command)


# -- commands ---------------------------------------------------------------------------------


def cmd_new(store, args: argparse.Namespace) -> int:
    from facilitator.domain.roster import PartnerEntry, apply_roster
    from facilitator.domain.session_factory import create_session, follow_up_session

    if args.follows:
        previous = store.load(args.follows)
        _check_carried_over(previous, args)
        session = follow_up_session(previous, date=args.date, facilitator=args.facilitator or None)
        if args.kind:
            session.kind = args.kind
        entries = [PartnerEntry.of(partner) for partner in session.partners]
    else:
        session = None
        entries = [PartnerEntry(name) for name in args.partner]
    named: set[tuple[str, int]] = set()
    for option, values, attribute in (
        ("--sponsor", args.sponsor, "sponsors"),
        ("--member", args.member, "participants"),
    ):
        for value in values:
            entry, names = _people_of(entries, option, value)
            if (attribute, id(entry)) not in named:  # named here: these replace the people carried over
                named.add((attribute, id(entry)))
                setattr(entry, attribute, [])
            getattr(entry, attribute).extend(names)
    if session is None:
        session = create_session(
            args.alliance, entries, date=args.date, kind=args.kind or "kickoff", facilitator=args.facilitator
        )
    else:
        apply_roster(session, entries)  # the same checks as everywhere partners are named
    with store.create(session) as opened:
        print(opened.id)
    return EXIT_OK


def _check_carried_over(previous, args: argparse.Namespace) -> None:
    """--alliance and --partner beside --follows may only repeat what carries over."""
    if args.alliance and args.alliance.strip().casefold() != previous.alliance.casefold():
        raise InvalidInput(
            f"--follows {previous.id} reviews {previous.alliance!r}: leave out --alliance "
            f"(the alliance carries over), or give that name."
        )
    names = [p.name for p in previous.partners]
    if args.partner and {p.strip().casefold() for p in args.partner} != {n.casefold() for n in names}:
        raise InvalidInput(
            f"--follows {previous.id} carries its partners over ({', '.join(names)}): leave out "
            "--partner, and change partners in the meeting's welcome step (p) if they changed."
        )


def _people_of(entries, option: str, value: str):
    """The entry a PARTNER=NAME[, NAME] value names, and the names. InvalidInput when unclear."""
    from facilitator.domain.roster import split_names

    for at, char in enumerate(value):
        if char == "=":
            partner = value[:at].strip().casefold()
            entry = next((e for e in entries if e.name.strip().casefold() == partner), None)
            if entry is not None:
                return entry, split_names(value[at + 1 :])
    if "=" not in value:
        raise InvalidInput(f'{option} {value!r}: write PARTNER=NAME, for example {option} "Acme=Ana Ruiz".')
    known = ", ".join(e.name for e in entries)
    raise InvalidInput(f"{option} {value!r}: no partner of that name; the partners are {known}.")


def _wanted(args: argparse.Namespace):
    """The sessions `list` was asked for (a SessionFilter), checked: a wrong date is refused."""
    from facilitator.storage.session_query import SessionFilter

    wanted = SessionFilter(
        alliance=args.alliance,
        partner=args.partner,
        sponsor=args.sponsor,
        facilitator=args.facilitator,
        kind=args.kind,
        since=args.since,
        until=args.until,
        status=args.status,
    )
    return wanted.checked() if wanted else None  # checking imports the model: only when filtering


def cmd_list(store, as_json: bool, wanted=None) -> int:
    _short_lived()
    if as_json:
        if wanted:
            from facilitator.storage.summaries import summaries_json

            print(json_shown(summaries_json(store.summaries(wanted))))
        else:
            print(json_shown(store.listing_json()))  # the same text as json.dumps(..., indent=2)
        return EXIT_OK
    summaries = store.summaries(wanted) if wanted else store.summaries()
    if not summaries and wanted:
        print(f"No session in {shown(str(store.data_dir))} matches; `facilitator list` shows them all.")
        return EXIT_OK
    if not summaries:
        print(
            f"No sessions yet in {shown(str(store.data_dir))}. "
            "Create one with `facilitator new` or try `facilitator demo`."
        )
        _point_to_earlier_folder(store)
        return EXIT_OK
    from facilitator.domain.formatting import format_index

    rows = [("ID", "ALLIANCE", "KIND", "DATE", "PARTNERS", "INDEX", "SAVED")]
    problems = []
    for s in summaries:
        if s.ok:
            rows.append(
                (
                    s.id,
                    s.alliance,
                    s.kind,
                    s.date,
                    ", ".join(s.partners),
                    format_index(s.joint_index),
                    s.saved_at[:16].replace("T", " "),
                )
            )
        else:
            rows.append((s.id, "DAMAGED" if s.status == "damaged" else "NEWER VERSION", "", "", "", "", ""))
            problems.append(shown(f"  {s.file}: {s.problem}"))
    print(_table(rows))
    if problems:
        print("\nFiles that cannot be opened (left untouched):")
        print("\n".join(problems))
    print(f"\nData folder: {shown(str(store.data_dir))}")
    return EXIT_OK


def _point_to_earlier_folder(store) -> None:
    from facilitator.storage.data_folder import earlier_default_folder

    earlier = earlier_default_folder(store.data_dir)
    if earlier is not None:
        earlier = shown(str(earlier))
        print(
            f"Sessions saved by an earlier version are in {earlier}: "
            f"open them with `facilitator --data-dir {earlier}`, or move them to {shown(str(store.data_dir))}."
        )


def cmd_show(store, session_id: str) -> int:
    from facilitator.reports.summary_text import session_summary_text

    print(shown(session_summary_text(store.load(session_id)), lines=True))
    return EXIT_OK


def cmd_export(
    store, session_id: str, document: str, templates: Path | None, output: str | None, changes_since: bool = False
) -> int:
    _short_lived()
    from facilitator.reports.render import export, needs_history, render

    session = store.load(session_id)
    changes = True if changes_since else None
    history = None
    if needs_history(document, templates, changes):
        from facilitator.domain.history import load_timeline

        try:
            # The trend and the agreement changes need the alliance's earlier sessions; a damaged or
            # missing one is reported in the document, and the export goes ahead without it.
            history = load_timeline(store, session.id, current=session)
        except FacilitatorError:
            history = None
    if output:
        path = Path(output).expanduser()
        store.check_output_path(path)
        export(session, document, path, templates, changes_since=changes, history=history, private=store.holds(path))
        print(shown(f"Wrote the {document} of {session.id} to {path}"), file=sys.stderr)
    else:
        text = render(session, document, templates, changes_since=changes, history=history)
        # On a terminal the document is read, not kept: nothing in it may act on the terminal. Sent
        # to a pipe or a file it is the document itself, byte for byte.
        sys.stdout.write(shown(text, lines=True) if _is_terminal(sys.stdout) else text)
        sys.stdout.flush()
    return EXIT_OK


def cmd_history(store, target: str, as_json: bool) -> int:
    _short_lived()
    from facilitator.domain.history import load_timeline
    from facilitator.reports.history_text import history_json, history_text

    timeline = load_timeline(store, target)
    if as_json:
        print(json_shown(json.dumps(history_json(timeline), ensure_ascii=False, indent=2)))
    else:
        print(shown(history_text(timeline), lines=True))
    return EXIT_OK


def cmd_dump(store, session_id: str, output: str | None) -> int:
    from facilitator.storage.atomic import atomic_write_text

    session = store.load(session_id)
    # Controls JSON leaves raw (C1, bidi) are written as escapes: the same data for `load`.
    text = json_shown(json.dumps(session.to_dict(), ensure_ascii=False, indent=2)) + "\n"
    if output:
        store.check_output_path(output)
        try:
            atomic_write_text(Path(output).expanduser(), text)
        except OSError as error:
            raise FacilitatorError(f"Cannot write {output}: {error.strerror or error}.") from None
        print(shown(f"Wrote {session.id} to {output}"), file=sys.stderr)
    else:
        # A dump is UTF-8 whatever the locale says, since that is what `load` reads.
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    return EXIT_OK


MAX_IMPORT_BYTES = 64 * 1024 * 1024


def cmd_load(store, file: str, replace: bool) -> int:
    try:
        if file == "-":
            raw = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
        else:
            with open(Path(file).expanduser(), "rb") as handle:
                raw = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as error:
        raise FacilitatorError(f"Cannot read {file}: {error.strerror or error}.") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"{file} is larger than {MAX_IMPORT_BYTES // 2**20} MiB; it is not a session dump.")
    try:
        from facilitator.storage.strict_json import loads

        doc = loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{file} is not UTF-8 text; it is not a session dump.") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{file} is not valid JSON ({error.msg} at line {error.lineno}).") from None
    except RecursionError:
        raise InvalidInput(f"{file} is nested too deeply to be a session dump.") from None
    except ValueError as error:  # a number of thousands of digits, for one
        raise InvalidInput(f"{file} is not valid JSON ({error}).") from None
    session = store.import_document(doc, replace=replace)
    print(session.id)
    return EXIT_OK


def cmd_demo(store, templates: Path | None, open_it: bool, open_workspace: OpenWorkspace | None = None) -> int:
    from facilitator.domain.demo import DEMO_ALLIANCE, build_demo_session

    session = build_demo_session()
    existing = [s for s in store.summaries() if s.ok and s.alliance == DEMO_ALLIANCE and s.date == session.date]
    if existing:
        session_id = existing[0].id
    else:
        with store.create(session) as opened:
            session_id = opened.id
    if not open_it:
        print(session_id)
        return EXIT_OK
    return _run_tui(open_workspace, store, templates, open_id=session_id)


# -- helpers ----------------------------------------------------------------------------------


def _run_tui(open_workspace: OpenWorkspace | None, store, templates: Path | None, open_id: str | None = None) -> int:
    if open_workspace is None:
        raise FacilitatorError("this command line has no meeting workspace; run `facilitator` itself.")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FacilitatorError(
            "the meeting workspace needs a terminal; use `facilitator list` or `facilitator export` in scripts."
        )
    return open_workspace(store, templates, open_id)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _short_lived() -> None:
    """For a command that lists every session and then exits: no cyclic garbage collection.

    The index's 10,000 summaries are acyclic; the collector would walk them again and again (5 ms
    of `list`) to find nothing, and whatever a command leaves is freed when the process ends.
    """
    import gc

    gc.disable()


def _templates(value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise InvalidInput(f"Templates folder {value} does not exist.")
    return path


def _table(rows: list[tuple[str, ...]]) -> str:
    rows = [tuple(shown(cell) for cell in row) for row in rows]  # one line per row, nothing for the terminal
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    widths[4] = min(widths[4], 50)
    lines = []
    for row in rows:
        cells = [cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…" for i, cell in enumerate(row)]
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip())
    return "\n".join(lines)


MAX_MESSAGE = 500


def _fail(message: str) -> None:
    """One line on standard error, however long or odd the text quoted in the message."""
    message = shown(message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    print(f"facilitator: {message}", file=sys.stderr)


def _tolerant_stdout() -> None:
    """Under a non-UTF-8 locale (PYTHONUTF8=0 LC_ALL=C) print what cannot be shown as escapes."""
    try:
        if (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
