"""The documents in other formats, made from the Markdown our templates render (the single source).

`convert(markdown, fmt, meta, figures)` gives a document's bytes in one of `DOCUMENT_FORMATS`:

- `md`: the Markdown as rendered;
- `html`: one self-contained page (`html.py`, its body by cmark-gfm in this process);
- `pdf`: through pandoc's Typst writer and Typst (`pdf.py`, which says why not WeasyPrint);
- `docx`: through pandoc with a reference document for the house style (`docx.py`).

Every page of the PDF and the Word document carries the alliance, the title, the version, DRAFT
while the agreement is not final, and "Page x of y" (`document_meta.DocumentMeta`); the HTML
shows the same header and prints it on every page.

The converters (pandoc from `pypandoc-binary`, Typst from `typst`) are the optional extra
`facilitator[documents]`, imported only inside the functions that run them; without it, asking
for pdf or docx raises `DocumentsExtraMissing`, one line naming the extra. The HTML needs neither:
cmark-gfm writes it (`html_body`).

`written(...)` writes what was converted: everything is converted first, then each file is
replaced atomically, so a failed conversion leaves every earlier file as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from facilitator.base.errors import ReportError
from facilitator.reports.document_meta import DocumentMeta
from facilitator.reports.figure import Figure

DOCUMENT_FORMATS = ("md", "html", "pdf", "docx")
SUFFIXES = {"md": ".md", "html": ".html", "pdf": ".pdf", "docx": ".docx"}
NAMES = {"md": "Markdown", "html": "HTML", "pdf": "PDF", "docx": "Word document"}
BINARY = frozenset({"pdf", "docx"})  # never printed to a terminal


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class Conversion(NamedTuple):
    markdown: str
    meta: DocumentMeta
    figures: tuple[Figure, ...] = ()
    reference_doc: Path | None = None  # docx only: the house style; None for ours


def _md(job: Conversion) -> bytes:
    return job.markdown.encode("utf-8")


def _html(job: Conversion) -> bytes:
    from facilitator.reports.formats.html import to_html

    return to_html(job.markdown, job.meta, job.figures)


def _pdf(job: Conversion) -> bytes:
    from facilitator.reports.formats.pdf import to_pdf

    return to_pdf(job.markdown, job.meta, job.figures)


def _docx(job: Conversion) -> bytes:
    from facilitator.reports.formats.docx import to_docx

    return to_docx(job.markdown, job.meta, job.figures, job.reference_doc)


CONVERTERS: dict[str, Callable[[Conversion], bytes]] = {"md": _md, "html": _html, "pdf": _pdf, "docx": _docx}


def convert(
    markdown: str,
    fmt: str,
    meta: DocumentMeta,
    figures: Sequence[Figure] = (),
    reference_doc: Path | None = None,
) -> bytes:
    """The document in `fmt`, as bytes. ReportError (one line) on any failure."""
    converter = CONVERTERS.get(fmt)
    if converter is None:
        raise ReportError(f"Unknown format '{fmt}': choose one of {', '.join(DOCUMENT_FORMATS)}.")
    return converter(Conversion(markdown, meta, tuple(figures), reference_doc))


class Output(NamedTuple):
    path: Path
    data: bytes
    figures: tuple[Figure, ...] = ()  # SVG files to write beside it (a Markdown export links them)


def written(outputs: Sequence[Output], *, private: bool = False) -> list[Path]:
    """Write every output (the figures of each into `figures/` beside it) as one: the paths.

    Called once everything is converted: nothing is written for a conversion that failed. Then
    every file is written beside the one it replaces before any is replaced (`atomic_write_all`),
    so a pack that cannot be written whole (a disk full, a `figures` link) replaces nothing.
    """
    from facilitator.reports.formats.figures_out import svg_files
    from facilitator.storage.atomic import PRIVATE_FILE, SHARED_FILE, NewFile, atomic_write_all

    for output in outputs:
        path = output.path
        if path.is_dir():
            raise ReportError(f"Cannot write {path}: that is a folder; give a file name.")
        if not path.parent.is_dir():
            raise ReportError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    mode = PRIVATE_FILE if private else None
    files = []
    for output in outputs:
        files.append(NewFile(output.path, output.data, mode, SHARED_FILE))
        files += svg_files(output.path.parent, output.figures, private=private)
    try:
        atomic_write_all(files)
    except OSError as error:
        where = error.filename or (outputs[0].path.parent if outputs else "")
        reason = "permission denied" if isinstance(error, PermissionError) else (error.strerror or str(error))
        done = len(getattr(error, "replaced", []))
        after = f"{done} of the {len(files)} files were replaced before it; write them again." if done else ""
        raise ReportError(f"Cannot write {where}: {reason}. {after or 'Nothing was replaced.'}") from None
    return [file.path for file in files]
