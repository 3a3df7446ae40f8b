"""A DataTable that shows text as typed.

Textual's DataTable reads a `str` cell, row label or column label as Rich markup: a partner called
"Mallory [/x]" raises MarkupError and ends the meeting, and "[TBD]" silently vanishes. Every table
that can hold the room's words is a `PlainTable`, so no caller has to remember to wrap them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable


def _plain(value: Any) -> Any:
    return Text(value) if isinstance(value, str) else value


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
