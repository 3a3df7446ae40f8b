"""The HTML body of a document, from its Markdown, by cmark-gfm (`cmarkgfm`) in this process.

Why cmark-gfm: the CommonMark reference parser, in C, reads the largest agreement (200 KB) in
3 ms and imports in 1; markdown-it-py took 20 ms and 25 (docs/benchmarks.md), and pandoc's
start-up alone is five times the whole export. CommonMark plus tables, as every reader of our
Markdown is asked to read it (no autolinks: typed text never turns into a link). The body keeps
the same rules as pandoc's filter (`safe.lua`), the second line of defence behind the escaping
of every typed value:

- no raw HTML: cmark-gfm's safe mode leaves it out of the page (`<!-- raw HTML omitted -->`);
- no link but http(s), mailto and the document's own anchors (`#...`): any other shows its text;
- no image but the document's own figures, put in as `data:` pictures: any other shows its
  alternative text, so nothing is ever fetched;
- a picture alone in its paragraph is a `<figure>`, as pandoc writes it.

In safe mode every `<a` and `<img` tag of the page is cmark-gfm's own (typed or templated text
is escaped, raw HTML left out), written in one shape, with its attributes escaped: the rules
are applied to those tags, after the conversion.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cmarkgfm
from cmarkgfm.cmark import Options

from facilitator.reports.figure import Figure
from facilitator.reports.formats.figures_out import data_uri

SAFE_LINK = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
# cmark-gfm's shapes: <a href="H"> or <a href="H" title="T">, <img src="S" alt="A" /> (with title).
_LINK = re.compile(r'<a href="([^"]*)"(?: title="[^"]*")?>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')
_LONE_PICTURE = re.compile(r"<p>(<img [^>]*>)</p>")
_OPTIONS = Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES | Options.CMARK_OPT_VALIDATE_UTF8


def html_body(markdown: str, figures: Sequence[Figure] = ()) -> str:
    """The body of the page: `markdown` as HTML, each of `figures` (linked as `figure.link`)
    inside it as an SVG picture."""
    html = cmarkgfm.markdown_to_html_with_extensions(markdown, options=_OPTIONS, extensions=["table"])
    pictures = {figure.link: data_uri("image/svg+xml", figure.svg.encode("utf-8")) for figure in figures}
    html = _LINK.sub(lambda m: m.group(0) if SAFE_LINK.match(m.group(1)) else m.group(2), html)
    html = _IMAGE.sub(lambda m: _picture(m, pictures), html)
    return _LONE_PICTURE.sub(r"<figure>\1</figure>", html)


def _picture(match: re.Match[str], pictures: dict[str, str]) -> str:
    src, alt = match.group(1), match.group(2)
    picture = pictures.get(src)
    if picture is None:
        return alt  # escaped as an attribute, which is escaped enough for text
    return match.group(0).replace(f'src="{src}"', f'src="{picture}"', 1)
