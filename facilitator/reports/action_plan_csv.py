"""The action plan as CSV, to load into whatever tracker the partners use: every action, as the
scorecard's action plan shows it.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a carriage
return) as a formula, so such a cell gets a leading apostrophe: text typed in the room stays text
(OWASP's advice on CSV injection). The start is read as an importer may read it: after the spaces
an import trims and the characters that show nothing (a zero-width space, a byte-order mark), and
with full-width and small forms (`＝`, `﹦`, `＋`...) folded to the plain
ones (NFKC), which some spreadsheets also take as a formula.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from facilitator.base.terminal_text import BLANK_LETTERS, without_controls

HEADER = ("Action", "Point", "Owner", "Partner", "Due", "Status", "Overdue", "Session", "Id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    """A cell's text, with a leading apostrophe where a spreadsheet would read a formula."""
    text = "" if value is None else without_controls(str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    start = unicodedata.normalize("NFKC", _first_shown(text))
    return "'" + text if start.startswith(_FORMULA_START) else text


def _first_shown(text: str) -> str:
    """The first two characters a reader would see: after spaces and the characters that show
    nothing (and an import may drop): format characters (a zero-width space, a word joiner, a
    byte-order mark) and blank letters (the blank Braille pattern, the Hangul fillers)."""
    start = 0
    while start < len(text) and (
        text[start].isspace() or text[start] in BLANK_LETTERS or unicodedata.category(text[start]) == "Cf"
    ):
        start += 1
    return text[start : start + 2]


def action_plan_csv(context: dict[str, Any]) -> str:
    """`context`: `build_context`'s (with `today` given, for the overdue column)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    session_id = context["title"]["session_id"]
    for action in context["actions"]["all"]:
        point = f"{action['point_number']}. {action['point_title']}" if action["point_number"] is not None else ""
        row = (
            action["text"],
            point,
            action["owner"],
            action["partner"],
            action["due"],
            action["status_label"],
            "yes" if action.get("overdue") else "",
            session_id,
            action["id"],
        )
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()
