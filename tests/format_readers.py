"""Reading the exported HTML, PDF and Word documents back with real readers (html.parser, pypdf,
python-docx), for tests/test_formats.py and the hostile-text property."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

from markdown_it import MarkdownIt


class HtmlFacts(HTMLParser):
    """What an HTML page could do: scripts, links and their targets, images and their sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.img_srcs: list[str] = []
        self.handlers: list[str] = []  # on* attributes
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(name)
            if name == "href":
                self.hrefs.append(value or "")
            if tag == "img" and name == "src":
                self.img_srcs.append(value or "")

    def handle_data(self, data):
        self.text.append(data)


def html_facts(data: bytes) -> HtmlFacts:
    facts = HtmlFacts()
    facts.feed(data.decode("utf-8"))
    return facts


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def docx_document(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def docx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels"))}


def field_codes(data: bytes) -> list[str]:
    """Every field instruction in the Word file, simple fields and complex ones."""
    found = []
    for text in docx_parts(data).values():
        found += re.findall(r'w:instr="([^"]*)"', text)
        found += re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", text)
    return [code.strip() for code in found]


def docx_hyperlink_targets(data: bytes) -> list[str]:
    rels = docx_parts(data).get("word/_rels/document.xml.rels", "")
    return re.findall(r'Target="([^"]*)"[^>]*TargetMode="External"', rels)


def markdown_headings(markdown: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return [
        (int(tokens[i].tag[1]), tokens[i + 1].content) for i in range(len(tokens)) if tokens[i].type == "heading_open"
    ]


def markdown_table_rows(markdown: str) -> list[int]:
    """Rows of each table (its head included), in order."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows, current = [], None
    for token in tokens:
        if token.type == "table_open":
            current = 0
        elif token.type == "tr_open" and current is not None:
            current += 1
        elif token.type == "table_close":
            rows.append(current)
            current = None
    return rows
