"""The gap board: all ten points by partner as a coloured matrix, to choose what to discuss first.

Only revealed points show their scores (the board is on the shared screen too). S sorts by gap,
Enter opens the point in the health check.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from facilitator.domain.formatting import format_agreed, format_index, format_mean, format_spread
from facilitator.domain.scoring import all_point_stats, joint_index, partner_indexes, vote_spreads
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.plain_table import PlainTable
from facilitator.tui.widgets.score_board import score_text


class GapTable(PlainTable):
    """The board's table. Enter on a row opens that point in the health check; said in the footer
    and in Help (a DataTable's own Enter is a hidden "select")."""

    BINDINGS = [Binding("enter", "select_cursor", "Open in health check")]


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
        Binding("s,S", "toggle_sort", "Sort by gap"),
    ]

    def __init__(self, context, **kwargs) -> None:
        super().__init__(context, **kwargs)
        self.sort_by_gap = False
        self._planned_for = 0  # the table width the columns were last planned for

    def compose(self) -> ComposeResult:
        yield Static("", id="gap-indexes")
        yield GapTable(id="gap-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="gap-help")

    def on_mount(self) -> None:
        self.refresh_from_session()

    def on_resize(self) -> None:
        # The columns are planned for the width (see `plan_columns`): shown, or the window resized.
        if self._planned_for != self._table_width():
            self.call_after_refresh(self.refresh_from_session)

    def _table_width(self) -> int:
        """The width the table's cells can use: the table's own, less a scrollbar when the rows
        need one (before the first layout, the screen's less the rail's and the pane's padding)."""
        table = self.query_one(DataTable)
        width, height = table.size
        if not width:
            rail = 12 if self.app.size.width < 120 else 28
            width = self.app.size.width - rail - 4
        rows = len(self.checklist.points) + 1  # and the header
        return max(width - (2 if height and rows > height else 0), 20)

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()

    def action_toggle_sort(self) -> None:
        self.sort_by_gap = not self.sort_by_gap
        self.refresh_from_session()
        self.query_one(DataTable).move_cursor(row=0)  # the first thing to discuss

    def refresh_from_session(self) -> None:
        session, checklist = self.session, self.checklist
        rows = list(zip(checklist.points, all_point_stats(session, checklist)))
        if self.sort_by_gap:
            rows.sort(
                key=lambda pair: (
                    -(pair[1].spread or -1) if session.point(pair[0].key).revealed else 1,
                    pair[1].value if pair[1].value is not None else 5,
                )
            )
        lines = [self._row_cells(point, stats) for point, stats in rows]
        hidden = sum(1 for point, _ in rows if not session.point(point.key).revealed)

        # The room's agreed scores get a column of their own, beside the partners' mean, once the
        # room has agreed one: an agreed score never passes for a mean.
        with_agreed = any(agreed for (_mean, _spread, agreed), _, _ in lines)
        summary_columns = SUMMARY_COLUMNS + (AGREED_COLUMN,) if with_agreed else SUMMARY_COLUMNS

        # The columns are sized from what they hold, so that Mean, Spread and Flag stay on screen.
        self._planned_for = self._table_width()
        summaries = [(mean, spread, flag, agreed) for (mean, spread, agreed), _, flag in lines]
        widest = [max((cell_len(str(row[i])) for row in summaries), default=0) for i in range(len(summary_columns))]
        plan = plan_columns(
            [p.name for p in session.partners],
            self._planned_for,
            widest_score=max((cell_len(str(c)) for _, cells, _ in lines for c in cells), default=3),
            summary_width=sum(max(w, len(label)) for w, label in zip(widest, summary_columns)),
            summary_count=len(summary_columns),
        )
        self._show_indexes(plan)

        table = self.query_one(DataTable)
        cursor_key = self._cursor_point()
        table.clear(columns=True)
        table.fixed_columns = 0 if plan.fits else 2  # scrolling sideways keeps the point in view
        table.add_column("#", key="number")
        table.add_column("Point", key="title", width=plan.title_width)
        for partner, label in zip(session.partners, plan.partner_labels):
            table.add_column(label, key=f"partner-{partner.key}")
        for label in summary_columns:
            table.add_column(label, key=label.lower())
        for (point, _), (summary, cells, flag) in zip(rows, lines):
            mean, spread, agreed = summary
            table.add_row(
                str(point.number),
                _short(point.title, plan.title_width),
                *cells,
                mean,
                spread,
                flag,
                *([agreed] if with_agreed else []),
                key=point.key,
            )
        if cursor_key is not None:
            try:
                table.move_cursor(row=table.get_row_index(cursor_key))
            except Exception:  # noqa: BLE001 - the row may be gone after a re-sort; keep the top
                pass
        order = "sorted by gap (widest first)" if self.sort_by_gap else "in checklist order"
        note = f"{hidden} point(s) not revealed yet, shown as ●. " if hidden else ""
        if not plan.fits:
            note = "More columns to the right: → and ← scroll the table. " + note
        voted = any(point.votes for point in session.points.values())
        inside_note = (
            (
                " Where several people of a partner scored from their devices, the cell shows their "
                "mean and, when they differ, their range (1-4)."
            )
            if voted
            else ""
        )
        self.query_one("#gap-help", Static).update(
            f"{note}Rows {order}. A spread of 2 or more is a perception gap: the most useful thing to discuss."
            + (
                " Agreed: the score the room settled on; the joint index uses it instead of the mean."
                if with_agreed
                else ""
            )
            + inside_note
        )

    def _row_cells(self, point, stats) -> tuple[tuple[str, str, str], list[Text], Text]:
        """A point's (mean, spread, agreed score), its partner cells, and its flag, as the board shows them."""
        session = self.session
        revealed = session.point(point.key).revealed
        inside = vote_spreads(session, point.key) if revealed else {}
        cells = []
        for partner in session.partners:
            value = stats.scores.get(partner.key)
            if value is None:
                cells.append(Text(" · ", style="dim"))
            elif not revealed:
                cells.append(Text(" ● ", style="dim"))
            else:
                cells.append(_with_inside_spread(score_text(value), inside.get(partner.key)))
        if not revealed:
            return ("", "", ""), cells, Text("hidden", style="dim italic")
        flag = (
            Text(" GAP ", style="bold white on #b3261e")
            if stats.discuss
            else Text("weak", style="bold #f28c28")
            if stats.weak
            else Text("")
        )
        agreed = "" if stats.agreed is None else format_agreed(stats.agreed)
        return (format_mean(stats.mean), format_spread(stats.spread), agreed), cells, flag

    def _show_indexes(self, plan: ColumnPlan) -> None:
        session, checklist = self.session, self.checklist
        indexes = partner_indexes(session, checklist)
        header = Text()
        header.append("Joint health index ", style="bold")
        header.append(f" {format_index(joint_index(session, checklist))} ", style="bold reverse")
        for partner, label in zip(session.partners, plan.partner_labels):
            header.append("   ")
            if plan.abbreviated:  # the header is the legend of the table's short partner names
                header.append(f"{label} ", style="bold")
            header.append(f"{partner.name} {format_index(indexes[partner.key])}")
        self.query_one("#gap-indexes", Static).update(header)

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


SUMMARY_COLUMNS = ("Mean", "Spread", "Flag")
AGREED_COLUMN = "Agreed"  # shown once the room has agreed a score for a revealed point
CELL_PADDING = 2  # a DataTable cell's padding, one cell on both sides
NUMBER_WIDTH = 2  # "10"
TITLE_WIDTH, TITLE_GOOD, TITLE_MIN = 21, 18, 12
PARTNER_WIDTH = 10  # a partner's name in its column's header, at most


@dataclass(frozen=True)
class ColumnPlan:
    title_width: int
    partner_labels: list[str]
    abbreviated: bool  # partners shown by their initials (the header above the table says whose)
    fits: bool  # every column on screen; else the table scrolls sideways, and says so


def plan_columns(
    partners: list[str],
    width: int,
    widest_score: int = 3,
    summary_width: int = 4 + 6 + 6,
    summary_count: int = len(SUMMARY_COLUMNS),
) -> ColumnPlan:
    """Point titles and partner names sized so that every column fits `width` cells, Mean, Spread
    and Flag (`summary_width` together) included: titles a little shorter first, then partners by
    their initials, then (many partners on a narrow screen) a table that scrolls sideways."""
    columns = 2 + len(partners) + summary_count
    room = width - NUMBER_WIDTH - summary_width - CELL_PADDING * columns

    def partner_cells(labels: list[str]) -> int:
        return sum(max(len(label), widest_score) for label in labels)

    full = [_short(name, PARTNER_WIDTH) for name in partners]
    short = initials(partners)
    # Names cut to "Harbourli…" read worse than initials with a legend, unless titles keep their room.
    for labels, abbreviated, least in ((full, False, TITLE_GOOD), (short, True, TITLE_MIN)):
        title = min(TITLE_WIDTH, room - partner_cells(labels))
        if title >= least:
            return ColumnPlan(title, labels, abbreviated, True)
    return ColumnPlan(TITLE_MIN, short, True, False)


def initials(names: list[str]) -> list[str]:
    """Short, distinct labels: 'Northwind Logistics' NL, 'Meridian Data Systems' MDS, 'Acme' Acm."""
    labels = []
    for name in names:
        words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
        label = "".join(w[0] for w in words)[:3].upper() if len(words) > 1 else name.strip()[:3]
        labels.append(label or "?")
    taken = list(labels)
    seen: dict[str, int] = {}
    for i, label in enumerate(taken):
        if taken.count(label) > 1:
            seen[label] = seen.get(label, 0) + 1
            labels[i] = f"{label}{seen[label]}"
    return labels


def _with_inside_spread(chip: Text, spread) -> Text:
    """A partner's score, with the range of its people's votes when they did not agree."""
    if spread is None or not spread.spread:
        return chip
    chip.append(f" {spread.low}-{spread.high}", style="italic")
    return chip


def _short(name: str, width: int = 14) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
