"""The sponsor pack: the agreement and the scorecard, each in every format, for one folder.

Used by `facilitator export --document pack -o DIR` and by the TUI's export dialog. Each document
is rendered as Markdown once and converted from it to each format; nothing is written here (see
`written`), so a failed conversion leaves every file of an earlier pack as it was.

    items = converted_documents(session, ("agreement", "scorecard"), DOCUMENT_FORMATS, history_for)
    targets = pack_paths(folder, session.id, items)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from facilitator.domain.history.timeline import Timeline
from facilitator.domain.model import Session
from facilitator.reports.figure import Figure
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
