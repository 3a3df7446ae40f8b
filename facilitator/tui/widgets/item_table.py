"""A table of items, one row each, with keys to add, edit, delete or keep one (measures, roles,
tasks, actions, decisions): the pane that owns the items hears `ItemTable.Command` and acts."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from facilitator.tui.widgets.plain_table import PlainTable

MIN_FLEX = 20  # the narrowest the main column of an ItemTable may be before other columns go


class ItemTable(PlainTable):
    """A row-per-item table. Its keys post `ItemTable.Command` ("add", "edit", "delete") for the pane
    that owns the items; Enter or a click on the chosen row edits it."""

    DEFAULT_CSS = """
    ItemTable {
        height: 1fr;
        border: tall $panel;
    }
    ItemTable:focus {
        border: tall $accent;
    }
    """

    BINDINGS = [
        Binding("n,N", "command('add')", "New"),
        Binding("e,E", "command('edit')", "Edit"),
        Binding("delete", "command('delete')", "Delete", key_display="del"),
        Binding("k,K", "command('keep')", "Keep suggestion"),
    ]

    class Command(Message):
        def __init__(self, table: ItemTable, command: str, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.command = command
            self.key = key

        @property
        def control(self) -> ItemTable:
            return self.table

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._columns_spec: list[tuple[str, int | None]] = []
        self._rows_spec: list[tuple[str, tuple]] = []
        self._keepable: frozenset[str] = frozenset()  # rows the app suggested: K keeps one

    def current_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # noqa: BLE001 - a stale cursor after a clear
            return None
        return row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command" and parameters and parameters[0] == "keep":
            if not self._keepable:
                return False  # no suggestion in this table: not in the footer at all
            return True if self.current_key() in self._keepable else None
        if action == "command" and parameters and parameters[0] in ("edit", "delete", "toggle"):
            return True if self.row_count else None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self and self._keepable:
            self.refresh_bindings()  # "Keep suggestion" applies to some rows only

    def action_command(self, command: str) -> None:
        key = self.current_key()
        if command != "add" and key is None:
            return
        self.post_message(self.Command(self, command, key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self:
            event.stop()
            self.post_message(self.Command(self, "edit", event.row_key.value))

    def show(
        self,
        columns: list[tuple[str, int | None]],
        rows: list[tuple[str, tuple]],
        select: str | None = None,
        keepable: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Fill the table: `columns` as (label, width); one width None takes the rest of the room.
        `rows` as (item id, cells). The cursor stays on the same item, or moves to `select`.
        `keepable`: the ids of rows the app only suggested, which K keeps."""
        self._columns_spec = list(columns)
        self._rows_spec = list(rows)
        self._keepable = frozenset(keepable)
        keep = select or self.current_key()
        self._fill(keep)

    def _fill(self, keep: str | None) -> None:
        old_row = self.cursor_row
        self.clear(columns=True)
        # Columns after the first are dropped from the end while the flexible one would be too
        # narrow to read: the most important columns come first.
        columns = list(self._columns_spec)
        width = self.scrollable_content_region.width or self.size.width
        room = width - 2  # the vertical scrollbar

        def flex_width(cols: list[tuple[str, int | None]]) -> int:
            return room - sum((w or 0) + 2 for _label, w in cols)

        while len(columns) > 2 and flex_width(columns) < MIN_FLEX and columns[-1][1] is not None:
            columns.pop()
        for label, w in columns:
            self.add_column(label, width=w if w is not None else max(MIN_FLEX, flex_width(columns)))
        for key, cells in self._rows_spec:
            self.add_row(*cells[: len(columns)], key=key, height=None)
        if not self._rows_spec:
            return
        keys = [key for key, _cells in self._rows_spec]
        row = keys.index(keep) if keep in keys else min(old_row, len(keys) - 1)
        self.move_cursor(row=row, animate=False)
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self._columns_spec:
            self._fill(self.current_key())


class ActionTable(ItemTable):
    """The action items, one row each: space or x marks the chosen one done (or open again)."""

    # Edit and Delete are on the buttons under the table (and in Help): the footer keeps its room
    # for the step's and the meeting's keys.
    BINDINGS = [
        Binding("n,N", "command('add')", "New"),
        Binding("e,E", "command('edit')", "Edit", show=False),
        Binding("space,x", "command('toggle')", "Done", key_display="space"),
        Binding("delete", "command('delete')", "Delete", key_display="del", show=False),
    ]
