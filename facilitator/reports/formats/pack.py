"""The sponsor pack: the agreement and the scorecard, each in every format, for one folder.

Used by `facilitator export --document pack -o DIR` and by the TUI's export dialog. Each document
is rendered as Markdown once and converted from it to each format; nothing is written here (see
`written`), so a failed conversion leaves every file of an earlier pack as it was.

    items = converted_documents(session, ("agreement", "scorecard"), DOCUMENT_FORMATS, history_for)
    targets = pack_paths(folder, session.id, items)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple

from facilitator.base.errors import ReportError
from facilitator.domain.history.timeline import Timeline
from facilitator.domain.model import Session
from facilitator.reports.figure import FIGURES_FOLDER, Figure
from facilitator.reports.formats import SUFFIXES, Output, convert

PACK_DOCUMENTS = ("agreement", "scorecard")


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class Converted(NamedTuple):
    """One document in one format, and the figures a Markdown file links beside it."""

    document: str
    fmt: str
    data: bytes
    figures: tuple[Figure, ...] = ()


def converted_documents(
    session: Session,
    documents: Sequence[str],
    formats: Sequence[str],
    history_for: Callable[[str], Timeline | None],
    *,
    templates: Path | None = None,
    changes_since: bool = False,
    reference_doc: Path | None = None,
) -> list[Converted]:
    """Every document in every format. `history_for(document)` gives the alliance's timeline
    when the document uses it (else None); ReportError, one line, on any failure."""
    from facilitator.reports.document_meta import document_meta
    from facilitator.reports.render import render_with_figures

    changes = True if changes_since else None
    items: list[Converted] = []
    for document in documents:
        history = history_for(document)
        markdown, figures = render_with_figures(session, document, templates, changes_since=changes, history=history)
        meta = document_meta(session, document, history)
        for fmt in formats:
            data = convert(markdown, fmt, meta, figures, reference_doc)
            items.append(Converted(document, fmt, data, tuple(figures) if fmt == "md" else ()))
    return items


def pack_file(folder: Path, session_id: str, document: str, fmt: str) -> Path:
    """Where a pack puts one document in one format: named after the session and the document."""
    return folder / f"{session_id}-{document}{SUFFIXES[fmt]}"


def pack_outputs(folder: Path, session_id: str, items: Sequence[Converted]) -> list[Output]:
    return [Output(pack_file(folder, session_id, i.document, i.fmt), i.data, i.figures) for i in items]


def pack_folder_problem(folder: Path) -> str:
    """Why the pack cannot go into `folder` (made or not yet), in one sentence; "" when it can.

    Not a link (the documents would go wherever it points), not a file, and, on a shared machine,
    not a folder someone else made first (in /tmp, say): its owner could read or swap the files.
    """
    if folder.is_symlink():
        return f"{folder} is a link: write the pack into a folder of your own."
    if not folder.exists():
        return "" if folder.parent.is_dir() else f"The folder {folder.parent} does not exist."
    if not folder.is_dir():
        return f"{folder} is a file: the pack is written into a folder."
    if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
        return f"{folder} belongs to another user: write the pack into a folder of your own."
    return ""


def made_pack_folder(folder: Path) -> Path:
    """`folder`, made if need be, once `pack_folder_problem` finds nothing: ReportError if not."""
    problem = pack_folder_problem(folder)
    if not problem:
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            problem = f"Cannot make the folder {folder}: {error.strerror or error}."
        else:
            problem = pack_folder_problem(folder)  # made meanwhile by someone else, or a link
    if problem:
        raise ReportError(problem)
    return folder


@contextmanager
def pack_folder(folder: Path) -> Iterator[Path]:
    """`folder`, made if need be (`made_pack_folder`), for the writing of the pack in the `with`
    block. What a failure (a full disk, a refused path) leaves of it empty and new, the folder or
    its figures/, is removed again: a failed pack leaves nothing behind."""
    made_here = [path for path in (folder, folder / FIGURES_FOLDER) if not path.exists()]
    made = made_pack_folder(folder)
    try:
        yield made
    except BaseException:
        for path in reversed(made_here):
            with suppress(OSError):  # rmdir removes only an empty folder: a file in it keeps it
                path.rmdir()
        raise
