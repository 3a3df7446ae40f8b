"""The gap board: all ten points by partner as a coloured matrix, to choose what to discuss first.

Only revealed points show their scores (the board is on the shared screen too). S sorts by gap,
Enter opens the point in the health check.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ..scoring import (all_point_stats, format_index, format_mean, format_score, joint_index, partner_indexes,
                       vote_spreads)
from .pane import MeetingPane
from .score_board import score_text


class GapBoardPane(MeetingPane):
    DEFAULT_CSS = """
    GapBoardPane {
        padding: 0 2;
    }
    GapBoardPane #gap-indexes {
        height: auto;
        margin: 0 0 1 0;
    }
    GapBoardPane DataTable {
        height: 1fr;
    }
    GapBoardPane #gap-help {
        height: auto;
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    BINDINGS = [
        Binding("s", "toggle_sort", "Sort by gap"),
        Binding("enter", "open_point", "Open point", show=True),
    ]

    def __init__(self, context, **kwargs) -> None:
        super().__init__(context, **kwargs)
        self.sort_by_gap = False

    def compose(self) -> ComposeResult:
        yield Static("", id="gap-indexes")
        yield DataTable(id="gap-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="gap-help")

    def on_mount(self) -> None:
        self.refresh_from_session()

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()

    def action_toggle_sort(self) -> None:
        self.sort_by_gap = not self.sort_by_gap
        self.refresh_from_session()
        self.query_one(DataTable).move_cursor(row=0)  # the first thing to discuss

    def refresh_from_session(self) -> None:
        session, checklist = self.session, self.checklist
        indexes = partner_indexes(session, checklist)
        header = Text()
        header.append("Joint health index ", style="bold")
        header.append(f" {format_index(joint_index(session, checklist))} ", style="bold reverse")
        for partner in session.partners:
            header.append(f"   {partner.name} {format_index(indexes[partner.key])}")
        self.query_one("#gap-indexes", Static).update(header)

        table = self.query_one(DataTable)
        cursor_key = self._cursor_point()
        table.clear(columns=True)
        table.add_column("#", key="number")
        table.add_column("Point", key="title")
        for partner in session.partners:
            table.add_column(_short(partner.name, 10), key=f"partner-{partner.key}")
        for label in ("Mean", "Spread", "Flag"):
            table.add_column(label, key=label.lower())

        rows = list(zip(checklist.points, all_point_stats(session, checklist)))
        if self.sort_by_gap:
            rows.sort(key=lambda pair: (-(pair[1].spread or -1) if session.point(pair[0].key).revealed else 1,
                                        pair[1].value if pair[1].value is not None else 5))
        hidden = 0
        for point, stats in rows:
            revealed = session.point(point.key).revealed
            if not revealed:
                hidden += 1
            cells = []
            inside = vote_spreads(session, point.key) if revealed else {}
            for partner in session.partners:
                value = stats.scores.get(partner.key)
                if value is None:
                    cells.append(Text(" · ", style="dim"))
                elif not revealed:
                    cells.append(Text(" ● ", style="dim"))
                else:
                    cells.append(_with_inside_spread(score_text(value), inside.get(partner.key)))
            if revealed:
                flag = (Text(" GAP ", style="bold white on #b3261e") if stats.discuss
                        else Text("weak", style="bold #f28c28") if stats.weak else Text(""))
                mean = format_mean(stats.value)
                spread = "-" if stats.spread is None else format_score(stats.spread)
            else:
                flag, mean, spread = Text("hidden", style="dim italic"), "", ""
            table.add_row(str(point.number), _short(point.title, 21), *cells, mean, spread, flag, key=point.key)
        if cursor_key is not None:
            try:
                table.move_cursor(row=table.get_row_index(cursor_key))
            except Exception:  # noqa: BLE001 - the row may be gone after a re-sort; keep the top
                pass
        order = "sorted by gap (widest first)" if self.sort_by_gap else "in checklist order"
        note = f"{hidden} point(s) not revealed yet, shown as ●. " if hidden else ""
        voted = any(point.votes for point in session.points.values())
        inside_note = (" Where several people of a partner scored from their devices, the cell shows their "
                       "mean and, when they differ, their range (1-4).") if voted else ""
        self.query_one("#gap-help", Static).update(
            f"{note}Rows {order}. A spread of 2 or more is a perception gap: the most useful thing to discuss."
            + inside_note
        )

    def _cursor_point(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001
            return None

    def action_open_point(self) -> None:
        key = self._cursor_point()
        keys = [p.key for p in self.checklist.points]
        if key in keys:
            self.post_message(self.GoToStep("health-check", point=keys.index(key)))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_point()


def _with_inside_spread(chip: Text, spread) -> Text:
    """A partner's score, with the range of its people's votes when they did not agree."""
    if spread is None or not spread.spread:
        return chip
    chip.append(f" {spread.low}-{spread.high}", style="italic")
    return chip


def _short(name: str, width: int = 14) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
