"""What each command does, once its arguments are parsed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.base.errors import FacilitatorError, InvalidInput
from facilitator.base.terminal_text import json_shown, shown

if TYPE_CHECKING:
    from facilitator.domain.history import Timeline
    from facilitator.domain.model import Session
    from facilitator.domain.roster import PartnerEntry
    from facilitator.reports.formats import Output
    from facilitator.storage.session_query import SessionFilter
    from facilitator.storage.store import SessionStore

from facilitator.cli.console import EXIT_OK, OpenWorkspace, is_terminal, print_utf8, run_tui, short_lived, table


def cmd_new(store: SessionStore, args: argparse.Namespace) -> int:
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
            first = (attribute, id(entry)) not in named  # named here: these replace the people carried over
            named.add((attribute, id(entry)))
            if attribute == "sponsors":
                entry.sponsors = [*([] if first else entry.sponsors), *names]
            else:
                entry.participants = [*([] if first else entry.participants), *names]
    if session is None:
        session = create_session(
            args.alliance, entries, date=args.date, kind=args.kind or "kickoff", facilitator=args.facilitator
        )
    else:
        apply_roster(session, entries)  # the same checks as everywhere partners are named
    with store.create(session) as opened:
        print(opened.id)
    return EXIT_OK


def _check_carried_over(previous: Session, args: argparse.Namespace) -> None:
    """--alliance and --partner beside --follows may only repeat what carries over."""
    from facilitator.domain.validation import name_key  # names that read the same are the same

    if args.alliance and name_key(args.alliance) != name_key(previous.alliance):
        raise InvalidInput(
            f"--follows {previous.id} reviews {previous.alliance!r}: leave out --alliance "
            f"(the alliance carries over), or give that name."
        )
    names = [p.name for p in previous.partners]
    if args.partner and {name_key(p) for p in args.partner} != {name_key(n) for n in names}:
        raise InvalidInput(
            f"--follows {previous.id} carries its partners over ({', '.join(names)}): leave out "
            "--partner, and change partners in the meeting's welcome step (p) if they changed."
        )


def _people_of(entries: list[PartnerEntry], option: str, value: str) -> tuple[PartnerEntry, list[str]]:
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


def wanted_sessions(args: argparse.Namespace) -> SessionFilter | None:
    """The sessions `list` was asked for (a SessionFilter), checked: a wrong date is refused."""
    options = ("alliance", "partner", "sponsor", "facilitator", "kind", "since", "until", "status")
    given = {option: vars(args)[option] for option in options}
    if not any(given.values()):
        return None  # a plain listing: the filter's module (and dataclasses) not even imported
    from facilitator.storage.session_query import SessionFilter

    return SessionFilter(**given).checked()


def cmd_list(store: SessionStore, as_json: bool, wanted: SessionFilter | None = None) -> int:
    short_lived()
    if as_json:
        if wanted:
            from facilitator.storage.summaries import summaries_json

            print(json_shown(summaries_json(store.summaries(wanted))))
        else:
            # json.dumps(..., indent=2)'s text, terminal controls escaped, as the store keeps it (UTF-8).
            print_utf8(store.listing_parts())
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

    rows: list[tuple[str, ...]] = [("ID", "ALLIANCE", "KIND", "DATE", "PARTNERS", "INDEX", "SAVED")]
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
    print(table(rows))
    if problems:
        print("\nFiles that cannot be opened (left untouched):")
        print("\n".join(problems))
    print(f"\nData folder: {shown(str(store.data_dir))}")
    return EXIT_OK


def _point_to_earlier_folder(store: SessionStore) -> None:
    from facilitator.storage.data_folder import earlier_default_folder

    folder = earlier_default_folder(store.data_dir)
    if folder is not None:
        earlier = shown(str(folder))
        print(
            f"Sessions saved by an earlier version are in {earlier}: "
            f"open them with `facilitator --data-dir {earlier}`, or move them to {shown(str(store.data_dir))}."
        )


def cmd_show(store: SessionStore, session_id: str) -> int:
    from facilitator.reports.summary_text import session_summary_text

    print(shown(session_summary_text(store.load(session_id)), lines=True))
    return EXIT_OK


def cmd_export(
    store: SessionStore,
    session_id: str,
    document: str,
    templates: Path | None,
    output: str | None,
    changes_since: bool = False,
    *,
    fmt: str | None = None,
    reference_doc: str | None = None,
) -> int:
    short_lived()
    if document == "pack" or (fmt or "md") != "md":
        return _export_converted(store, session_id, document, templates, output, changes_since, fmt, reference_doc)
    changes = True if changes_since else None
    from facilitator.reports.render import export, render

    session = store.load(session_id)
    history = _document_history(store, session, document, templates, changes)
    if output:
        path = Path(output).expanduser()
        store.check_output_path(path)
        export(session, document, path, templates, changes_since=changes, history=history, private=store.holds(path))
        print(shown(f"Wrote the {document} of {session.id} to {path}"), file=sys.stderr)
    else:
        text = render(session, document, templates, changes_since=changes, history=history)
        # On a terminal the document is read, not kept: nothing in it may act on the terminal. Sent
        # to a pipe or a file it is the document itself, byte for byte.
        sys.stdout.write(shown(text, lines=True) if is_terminal(sys.stdout) else text)
        sys.stdout.flush()
    return EXIT_OK


def _document_history(
    store: SessionStore, session: Session, document: str, templates: Path | None, changes: bool | None
) -> Timeline | None:
    """The session's own line (`load_lineage`) if `document` uses it (`needs_history`), else None.

    The version, the trend and the agreement changes need the sessions it follows; a damaged or
    missing one is reported in the document, and the export goes ahead without it."""
    from facilitator.reports.render import needs_history

    if not needs_history(document, templates, changes):
        return None
    from facilitator.domain.history.lineage import load_lineage

    return load_lineage(store, session)


def cmd_export_data(store: SessionStore, session_id: str, export_format: str, output: str | None) -> int:
    """`export --format ics|csv`: the session's dates as a calendar, or its action plan as CSV."""
    short_lived()
    import datetime

    from facilitator.base.errors import ReportError
    from facilitator.domain import content
    from facilitator.reports.context import build_context
    from facilitator.storage.atomic import PRIVATE_FILE, SHARED_FILE, atomic_write_bytes

    session = store.load(session_id)
    try:
        checklist = content.load_checklist(session.checklist_version)
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    context = build_context(session, checklist, with_history=False, today=datetime.date.today().isoformat())
    if export_format == "ics":
        from facilitator.reports.calendar import session_calendar

        text, what = session_calendar(session, context), "calendar"
    else:
        from facilitator.reports.action_plan_csv import action_plan_csv

        text, what = action_plan_csv(context), "action plan"
    if not output:
        sys.stdout.write(shown(text, lines=True) if is_terminal(sys.stdout) else text)
        sys.stdout.flush()
        return EXIT_OK
    path = Path(output).expanduser()
    store.check_output_path(path)
    # A CSV file starts with a byte-order mark: spreadsheets then read its names as UTF-8.
    data = ("\ufeff" + text if export_format == "csv" else text).encode("utf-8")
    try:
        atomic_write_bytes(path, data, mode=PRIVATE_FILE if store.holds(path) else None, new_mode=SHARED_FILE)
    except OSError as error:
        raise ReportError(f"Cannot write the {what} to {path}: {error.strerror or error}.") from None
    print(shown(f"Wrote the {what} of {session.id} to {path}"), file=sys.stderr)
    return EXIT_OK


def _export_converted(
    store: SessionStore,
    session_id: str,
    document: str,
    templates: Path | None,
    output: str | None,
    changes_since: bool,
    fmt: str | None,
    reference_doc: str | None,
) -> int:
    """`export --format html|pdf|docx`, and `--document pack`: both documents in every format.

    Everything is rendered and converted before anything is written, so a failed conversion
    leaves the earlier files as they were.
    """
    from facilitator.reports.formats import BINARY, NAMES, SUFFIXES, Output

    if document == "pack":
        if fmt is not None:
            raise InvalidInput("--document pack writes every format: leave out --format.")
        if not output:
            raise InvalidInput("--document pack writes several files: name a folder with -o DIR.")
    fmt = fmt or "md"
    if not output and fmt in BINARY and is_terminal(sys.stdout):
        raise InvalidInput(f"A {NAMES[fmt]} is not for the terminal: write it to a file with -o FILE.")
    from facilitator.reports.formats.pack import PACK_DOCUMENTS, converted_documents, pack_folder, pack_outputs

    session = store.load(session_id)
    documents = PACK_DOCUMENTS if document == "pack" else (document,)
    formats = tuple(SUFFIXES) if document == "pack" else (fmt,)
    reference = _reference_doc(reference_doc, templates, formats)
    changes = True if changes_since else None
    items = converted_documents(
        session,
        documents,
        formats,
        lambda name: _document_history(store, session, name, templates, changes),
        templates=templates,
        changes_since=changes_since,
        reference_doc=reference,
    )
    if not output:
        sys.stdout.flush()
        sys.stdout.buffer.write(items[0].data)
        sys.stdout.buffer.flush()
        return EXIT_OK
    if document == "pack":
        folder = Path(output).expanduser()
        # The folder itself, before it is made: not a name the data folder owns (a session's lock,
        # a session file, the trash), not a link to somewhere else.
        store.check_output_path(folder)
        with pack_folder(folder) as made:
            outputs = pack_outputs(made, session.id, items)
            paths = _checked_and_written(store, outputs)
    else:
        paths = _checked_and_written(store, [Output(Path(output).expanduser(), items[0].data, items[0].figures)])
    where = paths[0].parent if document == "pack" else paths[0]
    print(shown(f"Wrote the {document} of {session.id} to {where}"), file=sys.stderr)
    return EXIT_OK


def _checked_and_written(store: SessionStore, outputs: list[Output]) -> list[Path]:
    """Each output written once none is a name the data folder owns (`check_output_path`);
    private (0600) inside the data folder."""
    from facilitator.reports.formats import written

    for each in outputs:
        store.check_output_path(each.path)
    return written(outputs, private=store.holds(outputs[0].path))


def _reference_doc(given: str | None, templates: Path | None, formats: tuple[str, ...]) -> Path | None:
    if "docx" not in formats:
        if given:
            raise InvalidInput("--reference-doc is for Word documents: add --format docx.")
        return None
    from facilitator.reports.formats.docx import reference_doc

    return reference_doc(Path(given) if given else None, templates)


def cmd_history(store: SessionStore, target: str, as_json: bool) -> int:
    short_lived()
    from facilitator.domain.history import load_timeline
    from facilitator.reports.history_text import history_json, history_text

    timeline = load_timeline(store, target)
    if as_json:
        print(json_shown(json.dumps(history_json(timeline), ensure_ascii=False, indent=2)))
    else:
        print(shown(history_text(timeline), lines=True))
    return EXIT_OK


def cmd_dump(store: SessionStore, session_id: str, output: str | None) -> int:
    from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_text

    session = store.load(session_id)
    # Controls JSON leaves raw (C1, bidi) are written as escapes: the same data for `load`.
    text = json_shown(json.dumps(session.to_dict(), ensure_ascii=False, indent=2)) + "\n"
    if output:
        store.check_output_path(output)
        try:
            path = Path(output).expanduser()
            # New, a dump is private (0600); in the data folder, where the sessions are private, it
            # is private even over a file that was not.
            atomic_write_text(path, text, mode=PRIVATE_FILE if store.holds(path) else None)
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


def cmd_load(store: SessionStore, file: str, replace: bool) -> int:
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


def cmd_demo(
    store: SessionStore, templates: Path | None, open_it: bool, open_workspace: OpenWorkspace | None = None
) -> int:
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
    return run_tui(open_workspace, store, templates, open_id=session_id)
