"""The session list's table: a header, one line per session, a row cursor.

Drawn with Textual's line API: only the lines on screen are made, each the first time it is shown,
so a list of 10,000 sessions costs no more to show than a list of 20. (Textual's DataTable measures
and wraps every cell of every row it is given and draws each cell through Rich: at start-up that
was a third of the time to the first screen.)

Rows are given as a sequence of items and a function that makes an item's cells, called when the
row is first drawn. Keys: up/down, page up/down, home/end, enter; a click moves the cursor, a click
on the cursor's row selects it (as in a DataTable).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

CELL_PADDING = 1  # spaces on each side of a cell


class Cell:
    """A cell's text fitted to its column (cut with an ellipsis), and an optional Rich style."""

    __slots__ = ("text", "style")

    def __init__(self, value: str, width: int, style: str = "") -> None:
        value = strip_control_codes(value)
        if not value.isprintable():  # a line break or tab (in a file's name, say) would break the row
            value = "".join(char if char.isprintable() else " " for char in value)
        if cell_len(value) > width:
            fitted = Text(value, end="")
            fitted.truncate(width, overflow="ellipsis")
            value = fitted.plain
        self.text = value
        self.style = Style.parse(style) if style else None

    def __str__(self) -> str:
        return self.text


class SessionTable(ScrollView, can_focus=True):
    """Rows of cells under a fixed header, with a row cursor."""

    ALLOW_SELECT = False  # a drag would select text and scroll the list away from the cursor

    BINDINGS = [
        Binding("enter", "select_cursor", "Open"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES = {
        "session-table--header",
        "session-table--even-row",
        "session-table--cursor",
    }

    DEFAULT_CSS = """
    SessionTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .session-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .session-table--header {
                background-tint: $foreground 5%;
            }
        }
        & > .session-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .session-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .session-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .session-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, init=False)

    class _RowMessage(Message):
        def __init__(self, table: SessionTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> SessionTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to `row`."""

    class RowSelected(_RowMessage):
        """Enter was pressed, or the cursor's row clicked."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._columns: tuple[tuple[str, int], ...] = ()
        self._items: Sequence[Any] = ()
        self._make_cells: Callable[[Any], Sequence[Cell]] = lambda item: ()
        self._cells: dict[int, Sequence[Cell]] = {}  # made on first draw, until the rows change

    # -- what it shows --------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._items)

    def set_columns(self, columns: Sequence[tuple[str, int]]) -> None:
        """The columns' labels and widths (in cells, without the padding)."""
        self._columns = tuple(columns)
        self._cells.clear()
        self.refresh()

    def show(self, items: Sequence[Any], make_cells: Callable[[Any], Sequence[Cell]], cursor: int = 0) -> None:
        """Show one row per item; `make_cells(item)` is called when its row is first drawn."""
        self._items = items
        self._make_cells = make_cells
        self._cells.clear()
        self.virtual_size = Size(0, len(items) + 1)  # and the header
        self.move_cursor(row=cursor)
        self.refresh()

    def get_row_at(self, row: int) -> Sequence[Cell]:
        """The cells of a row (made now if it was not drawn yet)."""
        if not 0 <= row < len(self._items):
            raise IndexError(row)
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = self._make_cells(self._items[row])
        return cells

    # -- the cursor -----------------------------------------------------------------------------

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        """Put the cursor on `row` (kept within the rows) and scroll it into view."""
        row = max(0, min(row, len(self._items) - 1))
        if row == self.cursor_row:
            self.scroll_to_cursor()
        self.cursor_row = row

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.scroll_to_cursor()
        self.refresh()
        if self._items:
            self.post_message(self.RowHighlighted(self, new))

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def scroll_to_cursor(self) -> None:
        page = self._page()
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + page:
            self.scroll_to(y=self.cursor_row - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._items) - 1)

    def action_select_cursor(self) -> None:
        if self._items:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return bool(self._items)  # "Open" is offered only with a session to open
        return True

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return  # the header
        row = round(self.scroll_y) + event.y - 1
        if not 0 <= row < len(self._items):
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    # -- drawing --------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("session-table--header")
            return self._strip([Cell(label, w) for label, w in self._columns], style, None, width)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._items):
            return Strip.blank(width, base)
        if row == self.cursor_row:
            return self._strip(
                self.get_row_at(row), base, self.get_component_rich_style("session-table--cursor"), width
            )
        # Stripes on the even rows (the first row is row 0), as in the app's DataTables.
        style = base if row % 2 else base + self.get_component_rich_style("session-table--even-row")
        return self._strip(self.get_row_at(row), style, None, width)

    def _strip(self, cells: Sequence[Cell], style: Style, over: Style | None, width: int) -> Strip:
        """One line: each cell padded to its column; `over` (the cursor) is laid over every cell."""
        pad = " " * CELL_PADDING
        segments = []
        for cell, (_, column_width) in zip(cells, self._columns):
            cell_style = style + cell.style if cell.style else style
            if over is not None:
                cell_style += over
            text = cell.text + " " * max(0, column_width - cell_len(cell.text))
            segments.append(Segment(pad + text + pad, cell_style))
        filler = style + over if over is not None else style
        return Strip(segments).adjust_cell_length(width, filler)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cells.clear()  # a damaged row's colours come from the theme (ctrl+t)
        self.refresh()
