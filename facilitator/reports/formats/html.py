"""The document as one self-contained HTML page, for a browser or to print from one.

cmark-gfm writes the body (`html_body`, in this process: no pandoc, no extra needed); the
page around it is ours: a running header (alliance, title, version,
DRAFT) shown on screen and repeated on every printed page, print CSS with "Page x of y" in the page
margin, the figures inside the file, and a Content-Security-Policy that lets the page run no script
and load nothing from anywhere, whatever a customised template wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from facilitator.reports.document_meta import DocumentMeta
from facilitator.reports.figure import Figure
from facilitator.reports.formats.html_body import html_body

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
:root { color: #1b1f24; font: 11pt/1.45 "Source Sans 3", "Segoe UI", Helvetica, Arial, sans-serif; }
body { max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
header.running { display: flex; justify-content: space-between; gap: 1rem; border-bottom: 1px solid #8a949e;
  padding: .4rem 0; margin-bottom: 1.5rem; font-size: .85rem; color: #3d4650; }
.draft { font-weight: 700; letter-spacing: .08em; border: 1.5px solid currentColor; padding: 0 .4em; }
h1 { font-size: 1.7rem; margin: .2rem 0 1rem; } h2 { font-size: 1.3rem; margin-top: 2rem;
  border-bottom: 1px solid #c9d0d6; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0 1.2rem; font-size: .92rem; }
th, td { border: 1px solid #9aa4ad; padding: .3rem .45rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #e8ecef; }
th, td:first-child { overflow-wrap: normal; } /* headings and numbers whole: no "Join t", no "1 0" */
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9rem; color: #3d4650; }
footer.running { display: none; }
@page { size: A4; margin: 22mm 18mm 20mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
@media print {
  :root { font-size: 10pt; } body { max-width: none; padding: 0; }
  header.running { position: fixed; top: -14mm; left: 0; right: 0; margin: 0; }
  h2, h3 { break-after: avoid; } tr, figure { break-inside: avoid; }
}
"""


def to_html(markdown: str, meta: DocumentMeta, figures: Sequence[Figure] = ()) -> bytes:
    body = html_body(markdown, figures)
    draft = '<span class="draft">DRAFT</span>' if meta.draft else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(meta.heading)}{" (draft)" if meta.draft else ""}</title>
<style>{STYLE}</style>
</head>
<body>
<header class="running"><span>{escape(meta.heading)}</span><span>{escape(meta.date)} {draft}</span></header>
<main>
{body}
</main>
</body>
</html>
"""
    return page.encode("utf-8")
