"""The history of an alliance: its sessions over time, trends per point and partner, the sponsor
meeting cadence (point 6), and what changed in the agreement since the session before.

The timeline is read and computed by a thread worker (`facilitator.domain.history` does the work; it
tolerates damaged or missing sessions, which show as gaps). Choosing a session in the timeline
makes it the one every comparison is seen from: the change column, "Since last time", the
agreement changes and the cadence.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Sparkline, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from facilitator.base.errors import FacilitatorError
from facilitator.domain import formatting
from facilitator.domain import history as hist
from facilitator.domain.agreement_checks import check_triggers, hit_lines
from facilitator.domain.formatting import format_agreed, format_index, format_mean
from facilitator.domain.model import Session
from facilitator.tui.screens.history_text import delta_text, diff_text, index_delta
from facilitator.tui.textual_compat import recheck_scrollbars
from facilitator.tui.widgets.plain_table import PlainTable

LOADING = "Reading the alliance's sessions…"
SPARK_LONGEST = 8  # sessions in a trend's chart, at most
NUMBER_WIDTH = 2  # a point's number, 1 to 10
TREND_TITLE_MIN = 18  # a point's title in the trends table: the charts get shorter first
TABS = {"trends": "Trends", "since": "Since last time", "changes": "Agreement changes", "meetings": "Sponsor meetings"}
SECTION_MARKS = {"changed": "~", "new": "+", "removed": "−", "unchanged": " ", "empty": " "}


class HistoryScreen(Screen[None]):
    """The sessions of one alliance over time."""

    CSS_PATH = "history.tcss"
    HELP_NAME = "alliance history"
    AUTO_FOCUS = "#timeline"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("t", "show_tab('trends')", "Trends"),
        Binding("l", "show_tab('since')", "Last time"),
        Binding("a", "show_tab('changes')", "Agreement"),
        Binding("m", "show_tab('meetings')", "Meetings"),
    ]

    class Loaded(Message):
        """The worker read the timeline and computed its history (or failed, with a message)."""

        def __init__(self, history: hist.SessionHistory | None, error: str = "") -> None:
            super().__init__()
            self.history = history
            self.error = error

    def __init__(self, target: str, current: Session | None = None) -> None:
        """`target`: a session id or an alliance name. `current`: the copy of a session open in a
        meeting, newer than its file; it is copied, so the meeting can go on editing its own."""
        super().__init__()
        self.target = target
        self.current = copy.deepcopy(current) if current is not None else None
        self.history: hist.SessionHistory | None = None
        self.error = ""
        self._rows: list[int | None] = []  # timeline row -> session index (None for a gap row)
        self._section_keys: list[str] = []

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="history-top"):
            yield Static("Alliance history", id="history-title")
            yield Static("", id="history-subtitle")
        yield Static(LOADING, id="history-status")
        yield PlainTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-gaps")
        with Horizontal(id="joint-row"):
            yield Static("Joint index", id="joint-label")
            yield Sparkline([], id="joint-spark")
            yield Static("", id="joint-values")
        yield Static("", id="cadence")
        yield Static("", id="triggers")
        with TabbedContent(id="history-tabs", initial="tab-trends"):
            with TabPane(TABS["trends"], id="tab-trends"):
                yield PlainTable(id="trends", cursor_type="row", zebra_stripes=True)
                yield Static("", id="point-detail")
            with TabPane(TABS["since"], id="tab-since"):
                with VerticalScroll(id="since-scroll"):
                    yield Static("", id="since")
            with TabPane(TABS["changes"], id="tab-changes"):
                with Horizontal(id="changes-body"):
                    yield OptionList(id="sections")
                    with VerticalScroll(id="diff-scroll"):
                        yield Static("", id="diff")
            with TabPane(TABS["meetings"], id="tab-meetings"):
                with VerticalScroll(id="meetings-scroll"):
                    yield Static("", id="meetings")
        yield Footer()

    def on_mount(self) -> None:
        self._show_loaded(False)
        self._load(self.target, self.current)

    def _show_loaded(self, loaded: bool) -> None:
        for selector in ("#timeline", "#joint-row", "#cadence", "#history-tabs"):
            self.query_one(selector).display = loaded
        self.query_one("#triggers").display = loaded and bool(self.history and self.history.session.terms.triggers)
        self.query_one("#history-gaps").display = loaded and bool(self.history and self.history.timeline.gaps)
        self.query_one("#history-status").display = not loaded

    # -- loading ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="history-load")
    def _load(self, target: str, current: Session | None) -> None:
        try:
            timeline = hist.load_timeline(self.app.store, target, current=current)
            seen = hist.history_at(timeline)
        except FacilitatorError as error:
            self.post_message(self.Loaded(None, str(error)))
        except OSError as error:
            self.post_message(self.Loaded(None, f"Cannot read the data folder: {error.strerror or error}."))
        else:
            self.post_message(self.Loaded(seen))

    def on_history_screen_loaded(self, message: Loaded) -> None:
        if message.history is None:
            self.error = message.error
            status = self.query_one("#history-status", Static)
            status.update(Text(f"No history to show: {message.error}\nEscape goes back."))
            status.add_class("-error")
            self.notify(message.error, title="Cannot show the history", severity="error", timeout=8, markup=False)
            return
        self.history = message.history
        timeline = message.history.timeline
        self.query_one("#history-title", Static).update(Text(f"History — {timeline.alliance}"))
        self.sub_title = timeline.alliance
        self._fill_timeline()
        self._fill_joint()
        self._fill_gaps()
        self._show_loaded(True)
        self._show_focus()
        self.query_one("#timeline", DataTable).focus()
        self._measure_timeline_again()

    # -- the timeline -------------------------------------------------------------------------

    def _fill_timeline(self) -> None:
        seen = self.history
        assert seen is not None
        table = self.query_one("#timeline", DataTable)
        table.clear(columns=True)
        partners = seen.trends.partners
        with_triggers = any(s.terms.triggers for s in seen.timeline.sessions)
        partner_width = 10 if with_triggers else 12  # the triggers' column takes its room from them
        width = (self.size.width or 100) - 4  # the screen's padding and a scrollbar
        used = 10 + 7 + 5 + 6 + partner_width * len(partners) + 2 * (5 + len(partners)) + (9 if with_triggers else 0)
        table.add_column("Date", width=10)
        table.add_column("Kind", width=7)
        table.add_column("Joint", width=5)
        table.add_column("Change", width=6)
        if with_triggers:  # before the partners: seen on a narrow screen too
            table.add_column("Triggers", width=8)
        for partner in partners:
            table.add_column(Text(partner.name, overflow="ellipsis", no_wrap=True), width=partner_width)
        table.add_column("Session", width=max(12, width - used))
        self._rows = []
        for i, session in enumerate(seen.timeline.sessions):
            for gap in seen.timeline.gaps_before(session.id):
                table.add_row(
                    Text("⚠ gap", style="bold yellow"),
                    Text(gap.label, style="yellow"),
                    "",
                    "",
                    *([""] if with_triggers else []),
                    *[""] * len(partners),
                    Text(gap.id, style="yellow", no_wrap=True, overflow="ellipsis"),
                )
                self._rows.append(None)
            joint = seen.trends.joint
            table.add_row(
                session.date,
                session.kind,
                format_index(joint.values[i]),
                delta_text(index_delta(joint.change(i)), 0) if i else "",
                *([_triggers_cell(session, seen.timeline)] if with_triggers else []),
                *[format_index(p.values[i]) for p in partners],
                Text(session.id, no_wrap=True, overflow="ellipsis"),
                key=session.id,
            )
            self._rows.append(i)
        table.move_cursor(row=self._rows.index(seen.index), animate=False)

    def _fill_joint(self) -> None:
        seen = self.history
        assert seen is not None
        values = [v for v in seen.trends.joint.values if v is not None]
        self.query_one("#joint-spark", Sparkline).data = values
        shown = " → ".join(format_index(v) for v in seen.trends.joint.values)
        self.query_one("#joint-values", Static).update(Text(f"{shown}   (0-100, oldest first)"))

    def _fill_gaps(self) -> None:
        seen = self.history
        assert seen is not None
        gaps = seen.timeline.gaps
        widget = self.query_one("#history-gaps", Static)
        widget.update(Text("\n".join(f"⚠ {g.describe()}" for g in gaps)))

    @on(DataTable.RowHighlighted, "#timeline")
    def _timeline_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.history is None or not 0 <= event.cursor_row < len(self._rows):
            return
        index = self._rows[event.cursor_row]
        if index is None or index == self.history.index:
            return
        self.history = hist.seen_from(self.history, index)
        self._show_focus()

    def on_resize(self) -> None:
        if self.history is not None:  # column widths follow the terminal's width
            self._fill_timeline()
            self._fill_trends()
            self._measure_timeline_again()

    def _measure_timeline_again(self) -> None:
        """A height-auto table can keep a height it had before it was filled: filled while hidden,
        its rows were never drawn (seen once in a full run); refilled for a narrower terminal, it
        kept the row of the horizontal scrollbar its wider columns had needed, a blank line under
        the timeline. It is measured again once the screen has been drawn."""
        self.call_after_refresh(recheck_scrollbars, self.query_one("#timeline", DataTable))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_show_tab(self, tab: str) -> None:
        if self.history is not None:
            self.query_one("#history-tabs", TabbedContent).active = f"tab-{tab}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab":
            return True if self.history is not None else None
        return True

    # -- what one session shows ---------------------------------------------------------------

    def _show_focus(self) -> None:
        seen = self.history
        assert seen is not None
        timeline = seen.timeline
        sessions = timeline.sessions
        previous = seen.previous
        compare = (
            f"{seen.session.date} compared with {previous.date}"
            if previous
            else f"{seen.session.date}: the first session, nothing to compare with"
        )
        count = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
        span = f"{sessions[0].date} to {sessions[-1].date}" if len(sessions) > 1 else sessions[0].date
        self.query_one("#history-subtitle", Static).update(Text(f"{count}, {span} · {compare}"))
        self._fill_cadence()
        self._fill_triggers()
        self._fill_trends()
        self._fill_since()
        self._fill_sections()
        self._fill_meetings()

    def _fill_triggers(self) -> None:
        """The exit and renegotiation triggers of the chosen session's agreement, as checked then."""
        seen = self.history
        widget = self.query_one("#triggers", Static)
        checks = check_triggers(seen.session, seen.timeline) if seen else []
        widget.display = bool(checks)
        if not checks:
            return
        hit = [c for c in checks if c.hit]
        widget.set_class(bool(hit), "-hit")
        if not hit:
            checkable = [c for c in checks if c.hit is not None]
            if not checkable:
                widget.update(Text(f"… Exit triggers: none of {len(checks)} checkable yet at this session."))
            else:
                unchecked = len(checks) - len(checkable)
                rest = f" ({unchecked} not checkable yet)" if unchecked else ""
                widget.update(Text(f"✓ Exit triggers: none of {len(checks)} hit at this session{rest}."))
            return
        text = Text(f"⚠ Exit triggers hit at this session ({len(hit)} of {len(checks)}):", style="bold")
        for line in hit_lines(checks):
            text.append(f"\n  • {line}", style="")
        widget.update(text)

    def _fill_cadence(self) -> None:
        cadence = self.history.cadence
        widget = self.query_one("#cadence", Static)
        verdict = "✓ Point 6 met" if cadence.met else "✗ Point 6 not met"
        widget.update(Text(f"{verdict}: {cadence.short()}"))
        widget.set_class(cadence.met, "-met")
        widget.set_class(not cadence.met, "-not-met")

    def _fill_trends(self) -> None:
        seen = self.history
        table = self.query_one("#trends", DataTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        # The table spans the screen's content (its tab pane has no padding). Measured on the screen,
        # not the table: the table's own width is 0 until it is first laid out, so the columns came
        # out 6 cells narrower or not depending on how soon this ran (the snapshot differed in CI).
        width = max(60, self.size.width or 100)
        # Every figure whole ("▲+0.5", not "▲+"): the columns are as wide as what they hold, the
        # charts shorter when the point titles would get too little room.
        spark_len = min(len(seen.trends), SPARK_LONGEST)
        while True:
            rows = self._trend_rows(spark_len)
            # A partner's name gives way ("Aldgate Cli…"); "Joint" and "Flag" are short.
            widths = [
                max([len(label) if isinstance(label, str) else 6] + [cell_len(str(row[c])) for row in rows])
                for c, label in enumerate(self._trend_labels(), start=2)
            ]
            # The room left for the title: less a scrollbar, the "#" column and every column's padding.
            title = width - 2 - NUMBER_WIDTH - sum(widths) - 2 * (len(widths) + 2)
            if title >= TREND_TITLE_MIN or spark_len <= 2:
                break
            spark_len -= 1
        table.add_column("#", width=NUMBER_WIDTH)
        table.add_column("Point", width=max(TREND_TITLE_MIN, title))
        for label, column_width in zip(self._trend_labels(), widths):
            table.add_column(label, width=column_width)
        for row, point in zip(rows, seen.trends.points):
            table.add_row(*row, key=point.key)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        self._show_point_detail()

    def _trend_labels(self) -> list:
        names = [Text(p.name, overflow="ellipsis", no_wrap=True) for p in self.history.trends.partners]
        return [*names, "Joint", "Flag"]

    def _trend_rows(self, spark_len: int) -> list[list]:
        """One row per point: number, title, a chart and the score with its change per partner and
        jointly, and the gap flag, as seen from the chosen session."""
        seen = self.history
        i = seen.index
        rows = []
        for point in seen.trends.points:
            cells = []
            for series in point.partners:
                text = Text(hist.spark(series.numeric[: i + 1][-spark_len:]), style="cyan")
                raw = series.scores[i]
                text.append(f" {'-' if raw is None else raw} ")
                text.append_text(delta_text(series.change(i).delta) if i else Text(""))
                cells.append(text)
            joint = Text(hist.spark(point.values[: i + 1][-spark_len:]), style="cyan")
            joint.append(f" {formatting.format_score(None if point.values[i] is None else round(point.values[i], 1))} ")
            joint.append_text(delta_text(point.change(i).delta) if i else Text(""))
            run = point.gap_run(i)
            if run >= 2:
                flag_text = Text(f"persistent ×{run}", style="bold yellow")
            elif point.gaps[i]:
                flag_text = Text("gap", style="yellow")
            elif any(b < i for _a, b in point.gap_runs):
                flag_text = Text("gap closed", style="dim")
            else:
                flag_text = Text("")
            rows.append(
                [str(point.number), Text(point.title, no_wrap=True, overflow="ellipsis"), *cells, joint, flag_text]
            )
        return rows

    @on(DataTable.RowHighlighted, "#trends")
    def _point_highlighted(self) -> None:
        self._show_point_detail()

    def _show_point_detail(self) -> None:
        seen = self.history
        if seen is None:
            return
        table = self.query_one("#trends", DataTable)
        row = table.cursor_row if table.row_count else 0
        points = seen.trends.points
        if not 0 <= row < len(points):
            return
        point = points[row]
        i = seen.index
        parts = [f"{point.number}. {point.title}: "]
        parts.append(
            " · ".join(
                f"{s.name} " + " → ".join("-" if v is None else str(v) for v in s.scores[: i + 1])
                for s in point.partners
            )
        )
        if i < len(point.agreed) and point.agreed[i] is not None:
            # The joint column shows the agreed score here, not the mean: say so.
            parts.append(
                f" · joint {format_agreed(point.agreed[i])} is the room's agreed score "
                f"(partners' mean {format_mean(point.means[i])})"
            )
        run = point.gap_run(i)
        if run >= 2:
            parts.append(f" · a perception gap in {run} sessions running")
        elif point.gaps[i]:
            parts.append(" · a perception gap in this session")
        self.query_one("#point-detail", Static).update(Text("".join(parts)))

    def _fill_since(self) -> None:
        seen = self.history
        text = Text()
        previous = seen.previous
        for gap in seen.gaps:
            text.append(f"⚠ {gap.describe()}\n", style="yellow")
        if previous is None:
            text.append("This is the first readable session of the alliance: there is nothing earlier to compare with.")
            self.query_one("#since", Static).update(text)
            return
        text.append(
            f"{seen.session.kind.capitalize()} of {seen.session.date} compared with the "
            f"{previous.kind} of {previous.date}\n\n",
            style="bold",
        )
        indexes = [seen.trends.joint] + list(seen.trends.partners)
        for series in indexes:
            change = series.change(seen.index)
            text.append(f"  {series.name} index {format_index(change.before)} → {format_index(change.after)} ")
            text.append_text(delta_text(index_delta(change), 0))
            text.append("\n")
        callouts = seen.callouts
        groups = (
            ("improved", "Improved", "green"),
            ("regressed", "Regressed", "red"),
            ("persistent gap", "Persistent perception gaps", "yellow"),
            ("gap closed", "Gaps closed", "green"),
        )
        for kind, label, style in groups:
            found = [c for c in callouts if c.kind == kind]
            if found:
                text.append(f"\n{label}\n", style=f"bold {style}")
                for c in found:
                    text.append(f"  • {c.describe()}\n")
        if not callouts:
            text.append("\nNo score moved by 1 or more, and no perception gap persists.\n", style="dim")
        if seen.changes is not None:
            changed = [c for c in seen.changes if c.changed]
            text.append(f"\nAgreement: {len(changed)} of {len(seen.changes)} sections changed", style="bold")
            if changed:
                text.append(" (" + ", ".join(f"{c.number}. {c.title}" for c in changed) + ")")
            text.append(" — press a to see the changes.\n")
        self.query_one("#since", Static).update(text)

    def _fill_sections(self) -> None:
        seen = self.history
        options = self.query_one("#sections", OptionList)
        keep = options.highlighted
        options.clear_options()
        self._section_keys = []
        if seen.changes is None:
            self.query_one("#diff", Static).update(
                Text("The first readable session of the alliance: there is no earlier agreement to compare with.")
            )
            return
        for change in seen.changes:
            label = Text()
            mark = SECTION_MARKS.get(change.status, " ")
            style = {"changed": "yellow", "new": "green", "removed": "red"}.get(change.status, "dim")
            label.append(f"{mark} ", style=f"bold {style}")
            label.append(f"{change.number}. {change.title}", style="" if change.changed else "dim")
            options.add_option(Option(label, id=change.key))
            self._section_keys.append(change.key)
        first_changed = next((k for k, c in enumerate(seen.changes) if c.changed), 0)
        options.highlighted = keep if keep is not None and keep < len(seen.changes) else first_changed
        self._show_diff()

    @on(OptionList.OptionHighlighted, "#sections")
    def _section_highlighted(self) -> None:
        self._show_diff()

    def _show_diff(self) -> None:
        seen = self.history
        if seen is None or seen.changes is None or seen.previous is None:
            return
        index = self.query_one("#sections", OptionList).highlighted
        if index is None or not 0 <= index < len(seen.changes):
            return
        self.query_one("#diff", Static).update(diff_text(seen.changes[index], seen.previous.date))

    def _fill_meetings(self) -> None:
        cadence = self.history.cadence
        text = Text()
        text.append(f"{'On track' if cadence.met else 'Not met'}: ", style="bold green" if cadence.met else "bold red")
        text.append(cadence.summary() + "\n\n")
        text.append(f"In the 12 months from {cadence.window_start} to {cadence.reference}\n", style="bold")
        rows = [("In person", [m.date for m in cadence.in_person]), ("Remote", [m.date for m in cadence.remote])]
        for label, dates in rows:
            text.append(f"  {label}: {', '.join(dates) if dates else 'none'}\n")
        for missed in cadence.missed:
            text.append(f"  Missed: {missed.describe()}\n", style="red")
        if cadence.planned:
            text.append("  Planned: " + ", ".join(f"{m.date} ({m.mode})" for m in cadence.planned) + "\n")
        if cadence.sessions_without_record:
            text.append(
                "  Sessions with no sponsor meeting recorded on their day: "
                + ", ".join(cadence.sessions_without_record)
                + " (if the sponsors met face to face there, add it in the agreement's Governance section)\n",
                style="yellow",
            )
        text.append(f"\n{hist.CADENCE_BASIS}\n", style="dim")
        self.query_one("#meetings", Static).update(text)

    # -- command palette ----------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.history is not None:
            for key, title in TABS.items():
                yield SystemCommand(
                    f"History: {title}",
                    f"Show the {title.lower()} tab of the alliance history",
                    lambda key=key: self.action_show_tab(key),
                )
        yield SystemCommand("Back", "Leave the alliance history", self.action_back)


def _triggers_cell(session: Session, timeline: hist.Timeline) -> Text:
    """How many triggers of the session's agreement were hit at it, with a mark (not colour alone)."""
    checks = check_triggers(session, timeline)
    hit = sum(1 for check in checks if check.hit)
    if hit:
        return Text(f"⚠ {hit} hit", style="bold red")
    return Text("none hit" if checks else "—", style="dim")
