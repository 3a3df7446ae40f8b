"""Read what the app left on disk as a reader would: the session file's JSON, the exported Markdown
parsed with markdown-it-py (texts, headings and table rows, escapes resolved)."""

from __future__ import annotations

import json
from pathlib import Path

from markdown_it import MarkdownIt


def saved_session(data_dir: Path, session_id: str) -> dict:
    """The session document in its TinyDB file, as the app last saved it."""
    path = data_dir / f"{session_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))["session"]["1"]


class Document:
    """An exported Markdown document, parsed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))

    @property
    def texts(self) -> list[str]:
        """Every paragraph, heading and cell as plain text."""
        return [_plain(token) for token in self.tokens if token.type == "inline"]

    @property
    def headings(self) -> list[str]:
        return [
            _plain(self.tokens[index + 1]) for index, token in enumerate(self.tokens) if token.type == "heading_open"
        ]

    def contains(self, text: str) -> bool:
        return any(text in line for line in self.texts)

    def table_rows(self) -> list[list[str]]:
        """Every row of every table, header rows included, one list of cell texts per row."""
        rows, row = [], None
        for token in self.tokens:
            if token.type == "tr_open":
                row = []
            elif token.type == "inline" and row is not None:
                row.append(_plain(token))
            elif token.type == "tr_close":
                rows.append(row)
                row = None
        return rows

    def row_starting(self, *cells: str) -> list[str]:
        """The first table row whose leading cells are `cells`; fails with the rows if none is."""
        for row in self.table_rows():
            if row[: len(cells)] == list(cells):
                return row
        raise AssertionError(f"no table row starts with {cells} in {self.path.name}: {self.table_rows()}")

    def has_html(self) -> bool:
        return any(token.type in ("html_block", "html_inline") for token in self.tokens)


def _plain(inline) -> str:
    """What a reader sees of an inline token: its text, escapes resolved, breaks as spaces."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
