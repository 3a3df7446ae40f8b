"""A DataTable that shows text as typed.

Textual's DataTable reads a `str` cell, row label or column label as Rich markup: a partner called
"Mallory [/x]" raises MarkupError and ends the meeting, and "[TBD]" silently vanishes. Every table
that can hold the room's words is a `PlainTable`, so no caller has to remember to wrap them. A cell
shows at most `CELL_LONGEST` characters of its value.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

# Characters a cell shows at most: the forms take 200 for an action or a name. A file someone shared
# could hold 200,000 in each of 2,000 rows, and the table wraps and measures every cell it is given:
# a minute per key on such a file. The rest of a longer value is cut to "…" (the value is kept).
CELL_LONGEST = 200


def clipped(text: str, longest: int = CELL_LONGEST) -> str:
    """`text`, cut to `longest` characters with "…" when it is longer."""
    return text if len(text) <= longest else text[: longest - 1] + "…"


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return Text(clipped(value))
    if isinstance(value, Text) and len(value) > CELL_LONGEST:
        value = value.copy()
        value.right_crop(len(value) - CELL_LONGEST + 1)
        value.append("…")
    return value


class PlainTable(DataTable):
    """A DataTable whose `str` labels and cells are literal text, never markup."""

    def add_column(self, label: Any, *args: Any, **kwargs: Any):  # type: ignore[override]
        return super().add_column(_plain(label), *args, **kwargs)

    def add_row(self, *cells: Any, label: Any = None, **kwargs: Any):  # type: ignore[override]
        return super().add_row(*(_plain(cell) for cell in cells), label=_plain(label), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().update_cell(row_key, column_key, _plain(value), **kwargs)

    def update_cell_at(self, coordinate: Any, value: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().update_cell_at(coordinate, _plain(value), **kwargs)
