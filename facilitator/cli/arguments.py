"""The command line's grammar: each command's arguments, built only for the command named."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from facilitator import __version__


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
    sub.add_argument("--kind", type=str.casefold, choices=["kickoff", "review"], default=None)
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
    found.add_argument("--kind", type=str.casefold, choices=("kickoff", "review"), default="", help="kickoff or review")
    found.add_argument("--since", metavar="DATE", default="", help="held on or after DATE (YYYY-MM-DD)")
    found.add_argument("--until", metavar="DATE", default="", help="held on or before DATE (YYYY-MM-DD)")
    found.add_argument(
        "--status",
        type=str.casefold,
        choices=("ok", "damaged"),
        default="",
        help="ok, or damaged: files that cannot be opened",
    )


def _session_argument(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID")


# The formats `export --format` offers: the documents' (facilitator.reports.formats.DOCUMENT_FORMATS,
# named here so that parsing imports no converter); add a format by adding its name and its branch
# in commands.cmd_export.
EXPORT_FORMATS = ("md", "html", "pdf", "docx", "ics", "csv")


def _export_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("session", metavar="ID")
    sub.add_argument(
        "--document",
        choices=["agreement", "scorecard", "pack"],
        default="agreement",
        help="pack: both documents in every format into the folder -o names",
    )
    sub.add_argument(
        "--format",
        dest="export_format",
        choices=EXPORT_FORMATS,
        help="md (the default), html, pdf or docx: the document; ics: the sponsor meetings, action due "
        "dates and next meeting as a calendar; csv: the action plan (both ignore --document)",
    )
    sub.add_argument(
        "--reference-doc",
        metavar="FILE",
        help="docx: a Word file whose styles to use (default: reference.docx in the templates folder, else ours)",
    )
    sub.add_argument("--templates", dest="export_templates", metavar="DIR", help="folder of customised templates")
    sub.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (a folder for pack) instead of standard output"
    )
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
    "export": ("the agreement or scorecard as Markdown, HTML, PDF or Word", _export_arguments),
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
