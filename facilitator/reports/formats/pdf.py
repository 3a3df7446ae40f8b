"""The document as PDF: pandoc's Typst writer, then Typst (the `typst` package) to PDF.

Why Typst rather than WeasyPrint: WeasyPrint needs the system's Pango and its fonts (apt or brew,
not pip), while Typst comes as a wheel with its fonts inside, compiles in a fraction of a second and
does page headers, footers and "page x of y" counters natively. pandoc writes the body; the page
set-up is ours (`PREAMBLE`): the running header with the alliance, title, version and DRAFT, a DRAFT
mark behind every page of a draft, and "Page x of y" in the footer. The header's texts reach Typst
as `sys.inputs`, plain strings shown as text, so a typed name can never be Typst markup.

Typst reads only the figures' SVG files, from a private folder given as its root (it cannot read
outside the root, nor fetch anything: it has no network access but its package registry, and no
`#import` of a package can reach it from our escaped text).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from facilitator.base.errors import ReportError
from facilitator.reports.document_meta import DocumentMeta
from facilitator.reports.figure import Figure
from facilitator.reports.formats.figures_out import write_svg_files
from facilitator.reports.formats.pandoc import missing_extra, run_pandoc

PREAMBLE = r"""
#let meta = sys.inputs
#let draft = meta.at("draft") == "yes"
#set document(title: meta.at("heading"))
#set text(font: ("Libertinus Serif", "DejaVu Sans", "Noto Sans", "Noto Color Emoji"), size: 10.5pt, lang: "en")
#set par(justify: false, leading: 0.62em)
#set page(
  paper: "a4",
  margin: (x: 2cm, top: 2.5cm, bottom: 2.3cm),
  header: context {
    set text(8.5pt, fill: luma(70))
    grid(columns: (1fr, auto), meta.at("heading"), if draft { strong(text(tracking: 0.1em)[DRAFT]) } else [])
    v(-0.45em)
    line(length: 100%, stroke: 0.5pt + luma(140))
  },
  footer: context {
    set text(8.5pt, fill: luma(70))
    grid(columns: (1fr, auto),
      meta.at("date") + if draft [ · draft: not yet agreed and endorsed in full] else [],
      [Page #counter(page).display() of #counter(page).final().first()])
  },
  background: if draft { rotate(-40deg, text(96pt, fill: luma(238), weight: "bold")[DRAFT]) },
)
#show heading: set text(font: ("DejaVu Sans", "Libertinus Serif"), weight: "bold")
#show heading.where(level: 1): set text(18pt)
#show heading.where(level: 2): it => block(above: 1.6em, below: 0.8em, text(13pt, it))
#show heading.where(level: 3): set text(11pt)
#set table(inset: 5pt, stroke: 0.5pt + luma(150))
#show table.cell.where(y: 0): strong
#show table: set text(9pt, hyphenate: true)  // a long word in a narrow column breaks, never overflows
// pandoc's cells are aligned `auto`: left, not the centre of the figure around the table.
#show table: it => { set align(left); it }
#show figure.where(kind: table): set block(breakable: true)
#show figure: set block(breakable: true)
#let horizontalrule = line(start: (25%, 0%), end: (75%, 0%))
#show terms.item: it => block(breakable: false)[
  #text(weight: "bold")[#it.term]
  #block(inset: (left: 1.5em, top: -0.4em))[#it.description]
]
#set smartquote(enabled: false)
"""


TYPST_TEXT = Path(__file__).with_name("typst_text.lua")  # every text a string literal: never markup
# Characters Typst takes for a line break: a literal holds them, but pandoc's own text between the
# literals is kept on its lines too. Shown as a space, as a PDF would show them anyway.
_TYPST_LINE_BREAKS = {ord(c): " " for c in "\x0b\x0c\x85\u2028\u2029"}


def to_pdf(markdown: str, meta: DocumentMeta, figures: Sequence[Figure] = ()) -> bytes:
    try:
        import typst
    except ImportError:
        raise missing_extra("PDF") from None
    body = run_pandoc(
        markdown, "typst", what="PDF", figures=[f.name for f in figures], args=[f"--lua-filter={TYPST_TEXT}"]
    ).decode("utf-8")
    body = body.translate(_TYPST_LINE_BREAKS)
    inputs = {"heading": meta.heading, "date": meta.date, "draft": "yes" if meta.draft else "no"}
    with tempfile.TemporaryDirectory(prefix="facilitator-pdf-") as folder:
        root = Path(folder)
        write_svg_files(root, figures)
        main = root / "document.typ"
        main.write_text(PREAMBLE + "\n" + body, encoding="utf-8")
        try:
            pdf = typst.compile(str(main), root=str(root), sys_inputs=inputs, format="pdf")
        except Exception as error:  # noqa: BLE001 - typst raises its own TypstError; one sentence whatever
            first = str(error).strip().splitlines()[:1] or [type(error).__name__]
            raise ReportError(f"Typst could not make the PDF: {first[0][:300]}") from None
    if not isinstance(pdf, bytes):
        raise ReportError("Typst could not make the PDF: it returned no document.")
    return pdf
