"""The first screen: every saved session, a filter, and the keys to open, start, review, export or delete.

Sessions are listed by a thread worker, so the screen paints at once even over thousands of files;
the summaries come back as a message. Before that, the first screenful is read from the head of the
store's index (`cached_head`), so the very first paint already shows the newest sessions. The
table (`widgets.session_table`) draws only the rows on screen, so every session can be browsed.
Damaged files and files from a newer facilitator are listed too, marked, and explain themselves
instead of failing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date as Date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from facilitator.base.errors import FacilitatorError
from facilitator.domain.formatting import format_index
from facilitator.storage.layout import trash_dir
from facilitator.storage.session_query import matching, parse_filter_text
from facilitator.storage.summaries import SessionSummary
from facilitator.tui.widgets.literal import markup_literal
from facilitator.tui.widgets.session_table import Cell, SessionTable

FIRST_ROWS = 60  # sessions read from the index's head for the first paint (a screenful, even on a tall terminal)
EMPTY_HINT = "No sessions yet in {folder} — press n to start one, or run `facilitator demo`."
LOADING = "Loading sessions…"


def display_path(path: Path) -> str:
    """An absolute path, with the home folder shown as ~ (shorter on a projector)."""
    resolved = path.expanduser().resolve()
    try:
        return "~/" + resolved.relative_to(Path.home().resolve()).as_posix()
    except (ValueError, RuntimeError):
        return str(resolved)


def saved_label(saved_at: str, today: str) -> str:
    """'today 14:05', or the day ('2026-03-01') from an ISO timestamp."""
    if not saved_at:
        return ""
    day, _, time = saved_at.partition("T")
    return f"today {time[:5]}" if day == today else day


class SessionListScreen(Screen[None]):
    """Saved sessions of the data folder."""

    # Styles: session_list.tcss, read with the app's (see FacilitatorApp.CSS_PATH).
    HELP_NAME = "session list"
    HELP_NOTES = (
        "**Finding sessions.** Type in the filter (**/**) words that appear in the alliance, a partner, "
        "a sponsor, the facilitator, the id or the date, and any of `alliance:`, `partner:`, `sponsor:`, "
        "`facilitator:` (part of the name), `kind:kickoff` or `kind:review`, `since:2026-01-01`, "
        "`until:2026-06-30` (both included), `status:ok` or `status:damaged`: every one must match. "
        "`facilitator list` takes the same as options (`--since 2026-01-01` ...)."
    )
    AUTO_FOCUS = "#sessions"
    BINDINGS = [
        Binding("n", "new_session", "New"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("e", "export", "Export"),
        Binding("h", "history", "History"),
        Binding("d,delete", "delete", "Delete"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("slash", "focus_filter", "Filter", show=False),
        Binding("escape", "clear_filter", "Clear filter"),
    ]

    class Loaded(Message):
        """The worker read the summaries (or failed to, with a message)."""

        def __init__(
            self,
            generation: int,
            summaries: list[SessionSummary],
            error: str = "",
        ) -> None:
            super().__init__()
            self.generation = generation
            self.summaries = summaries
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[SessionSummary] | None = None  # None until the first load finishes
        self.by_id: dict[str, SessionSummary] = {}
        self.shown: list[SessionSummary] = []
        self.load_error = ""
        self._generation = 0
        self._widths: tuple[int, ...] = ()
        self._keys_state: tuple | None = (False, None)  # what the footer's keys were last refreshed for
        self._first_frame = threading.Event()  # set once the first screenful is on the terminal

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="top"):
            yield Static("facilitator — partnership sessions", id="heading")
            yield Static(Text(f"Saved in {display_path(self.app.store.data_dir)}"), id="folder")
            yield Input(placeholder="Filter: type part of an alliance, partner, id or date   ( / )", id="filter")
        table = SessionTable(id="sessions")
        table.display = False
        yield table
        yield Static(LOADING, id="hint")
        yield Static("", id="detail")
        yield Footer()

    @property
    def table(self) -> SessionTable:
        return self.query_one("#sessions", SessionTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    # -- loading ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        # The newest sessions are in the first paint (the app shows this screen after Textual's
        # start-up batch, so that paint is the first to reach the terminal, and the only one made).
        if not self._show_cached_head():
            self._first_frame.set()
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        self._first_frame.set()

    def on_screen_resume(self) -> None:
        # First shown, and again on return from a meeting or a dialog: re-read the folder.
        self.reload()

    def _show_cached_head(self) -> bool:
        """The newest sessions from the head of the index, at once; the worker then reads them all."""
        try:
            head = self.app.store.cached_head(FIRST_ROWS)  # what the first paint shows, no more
        except (FacilitatorError, OSError):
            head = None
        if not head or not head[0]:
            return False
        self.summaries = head[0]
        self.by_id = {s.id: s for s in self.summaries}
        self.populate()
        return True

    def action_refresh(self) -> None:
        self.reload()
        self.notify("Session list refreshed.", timeout=2)

    def reload(self) -> None:
        self._generation += 1
        self._load_summaries(self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-sessions")
    def _load_summaries(self, generation: int) -> None:
        # With the index's head on screen, let the first frame out before competing for the GIL.
        self._first_frame.wait(timeout=1.0)
        try:
            summaries = self.app.store.summaries()
        except FacilitatorError as error:
            self.post_message(self.Loaded(generation, [], str(error)))
        except OSError as error:
            self.post_message(self.Loaded(generation, [], f"Cannot read the data folder: {error.strerror or error}."))
        else:
            self.post_message(self.Loaded(generation, summaries))

    def on_session_list_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return  # an older load finished after a newer one started
        self.summaries = message.summaries
        self.by_id = {s.id: s for s in message.summaries}
        self.load_error = message.error
        self.populate()

    # -- showing ------------------------------------------------------------------------------

    def _empty_hint(self) -> str:
        from facilitator.storage.data_folder import earlier_default_folder

        store = self.app.store
        hint = EMPTY_HINT.format(folder=display_path(store.data_dir))
        earlier = earlier_default_folder(store.data_dir)
        if earlier is not None:
            hint += (
                f"\n\nSessions saved by an earlier version are in {display_path(earlier)}: start "
                f"`facilitator --data-dir {earlier}`, or move them to {display_path(store.data_dir)}."
            )
        return hint

    def _column_widths(self) -> tuple[int, ...]:
        # Before the first layout, the app's width less the screen's padding (what size will be).
        width = (self.size.width or (self.app.size.width - 2) or 100) - 2  # the screen's own padding
        # kind, date, index and saved have fixed widths; alliance and partners share the rest.
        fixed = 7 + 10 + 5 + 11
        padding = 6 * 2 + 2  # cell padding and the scrollbar
        rest = max(30, width - fixed - padding)
        # On a narrow screen the alliance (what the room looks for) before the partners, whose list
        # is cut anyway and shown whole under the table: 18 and 12 at 80 columns, 22 and 28 at 100.
        alliance = max(rest * 9 // 20, min(18, rest - 12))
        return (alliance, 7, 10, max(12, rest - alliance), 5, 11)

    def populate(self) -> None:
        """Fill the table from the summaries and the filter, keeping the cursor on the same session."""
        if self.summaries is None:
            return
        table = self.table
        keep = self.selected_id()
        # The same query as `facilitator list --alliance ...` runs on the index (see session_query).
        wanted, problem = parse_filter_text(self.filter_input.value)
        self.filter_input.border_subtitle = problem
        shown = matching(self.summaries, wanted)
        widths = self._column_widths()
        if shown == self.shown and widths == self._widths and table.row_count:
            # Nothing to show differs (a reload after a meeting, the full list after its head).
            self.shown = shown
            self._update_hint()
            self._refresh_keys()
            return
        self.shown = shown
        if widths != self._widths:
            self._widths = widths
            table.set_columns(zip(("Alliance", "Kind", "Date", "Partners", "Index", "Last saved"), widths))
        today = Date.today().isoformat()
        kept = next((i for i, s in enumerate(shown) if s.id == keep), 0) if keep else 0
        table.show(shown, lambda s: self._cells(s, widths, today), cursor=kept)
        self._update_hint()
        if self.shown and self.focused is None:
            table.focus()
        self._show_detail()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Refresh the footer's keys when what they depend on changed: each refresh rebuilds the
        footer (50 ms and more, during which nothing is painted)."""
        summary = self.selected() if self.is_mounted else None
        state = (bool(self.filter_input.value), None if summary is None else summary.ok)
        if state != self._keys_state:
            self._keys_state = state
            self.refresh_bindings()

    def _cells(self, s: SessionSummary, widths: tuple[int, ...], today: str) -> list[Cell]:
        cell = Cell
        if s.ok:
            values = (
                s.alliance,
                s.kind,
                s.date,
                ", ".join(s.partners),
                format_index(s.joint_index),
                saved_label(s.saved_at, today),
            )
            return [cell(v, w) for v, w in zip(values, widths)]
        label = "damaged" if s.status == "damaged" else "newer version"
        style = (
            f"bold {self.app.current_theme.error}"
            if s.status == "damaged"
            else f"bold {self.app.current_theme.warning}"
        )
        return [
            cell(f"⚠ {label}", widths[0], style),
            cell("", widths[1]),
            cell("", widths[2]),
            cell(s.file, widths[3], "italic"),
            cell("", widths[4]),
            cell("", widths[5]),
        ]

    def _update_hint(self) -> None:
        hint = self.query_one("#hint", Static)
        hint.remove_class("-error")
        if self.load_error:
            hint.update(Text(self.load_error))
            hint.add_class("-error")
        elif not self.summaries:
            hint.update(Text(self._empty_hint()))
        elif not self.shown:
            hint.update(Text(f"No session matches “{self.filter_input.value.strip()}” — escape clears the filter."))
        else:
            hint.update("")
        self.table.display = bool(self.shown)
        hint.display = not self.shown

    def row_of(self, session_id: str) -> int:
        return next(i for i, s in enumerate(self.shown) if s.id == session_id)

    def selected(self) -> SessionSummary | None:
        if not self.shown or self.summaries is None:
            return None
        row = self.table.cursor_row
        if 0 <= row < len(self.shown):
            return self.shown[row]
        return None

    def selected_id(self) -> str | None:
        summary = self.selected()
        return summary.id if summary else None

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        summary = self.selected()
        detail.remove_class("-problem")
        if summary is None:
            detail.update("")
            detail.display = False
            return
        detail.display = True
        if not summary.ok:
            what = "is damaged" if summary.status == "damaged" else "was saved by a newer facilitator"
            detail.update(
                Text(
                    f"{summary.file} {what}: {summary.problem}\n"
                    "It is left untouched on disk. Delete (d) moves it to the trash folder."
                )
            )
            detail.add_class("-problem")
            return
        parts = [f"{summary.alliance} — {summary.kind} on {summary.date}"]
        if summary.facilitator:
            parts.append(f"facilitator {summary.facilitator}")
        ids = f"id {summary.id}" + (f" · follows {summary.follows}" if summary.follows else "")
        detail.update(Text(f"{' · '.join(parts)}\nPartners: {', '.join(summary.partners)}\n{ids}"))

    @on(SessionTable.RowHighlighted, "#sessions")
    def _row_highlighted(self) -> None:
        self._show_detail()
        self._refresh_keys()

    def on_resize(self) -> None:
        if self.summaries is not None and self._column_widths() != self._widths:
            self.populate()

    # -- filter -------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.populate()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self.shown:
            self.table.focus()

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.filter_input and self.shown:
            event.stop()
            self.table.focus()

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_clear_filter(self) -> None:
        self.filter_input.value = ""
        self.table.focus()

    # -- keys available or not ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.is_mounted and self.filter_input.value)
        if action in ("open", "delete", "follow_up", "export", "history"):
            summary = self.selected() if self.is_mounted else None
            if summary is None:
                return False  # no session in view: the keys are not offered at all
            if action in ("follow_up", "export", "history") and not summary.ok:
                return None
        return True

    # -- actions ------------------------------------------------------------------------------

    @on(SessionTable.RowSelected, "#sessions")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        summary = self._usable_selection()
        if summary is None:
            return
        self.app.open_meeting(summary.id)

    def _usable_selection(self) -> SessionSummary | None:
        """The selected session if it can be opened; a damaged or newer one is explained instead."""
        summary = self.selected()
        if summary is not None and not summary.ok:
            self._explain(summary)
            return None
        return summary

    def _explain(self, summary: SessionSummary) -> None:
        title = "This file is damaged" if summary.status == "damaged" else "Saved by a newer facilitator"
        self.notify(
            f"{summary.file}: {summary.problem}\nIt is left untouched; nothing was changed.",
            title=title,
            severity="warning",
            timeout=10,
            markup=False,
        )

    def action_new_session(self) -> None:
        from facilitator.tui.screens.new_session import NewSessionScreen

        def created(session_id: str | None) -> None:
            if session_id:
                self.app.open_meeting(session_id)

        self.app.push_screen(NewSessionScreen(), created)

    def action_follow_up(self) -> None:
        summary = self._usable_selection()
        if summary is None:
            return
        from facilitator.tui.dialogs.follow_up import FollowUpScreen

        def answered(day: str | None) -> None:
            if day:
                self._create_follow_up(summary.id, day)

        self.app.push_screen(FollowUpScreen(summary.alliance, summary.date), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow-up")
    def _create_follow_up(self, previous_id: str, day: str) -> None:
        from facilitator.domain.session_factory import follow_up_session

        store = self.app.store
        try:
            previous = store.load(previous_id)
            opened = store.create(follow_up_session(previous, date=day))
            new_id = opened.id
            # Released here and taken again by the meeting workspace, which owns it from then on.
            opened.close()
        except FacilitatorError as error:
            self.app.call_from_thread(
                self.notify, str(error), title="Could not start the review", severity="error", timeout=8, markup=False
            )
            return
        self.app.call_from_thread(self._open_new, new_id)

    def _open_new(self, session_id: str) -> None:
        self.reload()
        self.app.open_meeting(session_id)

    def action_export(self) -> None:
        summary = self._usable_selection()
        if summary is None:
            return
        self._load_for_export(summary.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-load")
    def _load_for_export(self, session_id: str) -> None:
        try:
            session = self.app.store.load(session_id)
        except FacilitatorError as error:
            self.app.call_from_thread(
                self.notify, str(error), title="Cannot export", severity="error", timeout=8, markup=False
            )
            return
        self.app.call_from_thread(self._push_export, session)

    def _push_export(self, session) -> None:
        from facilitator.tui.dialogs.export import ExportScreen

        self.app.push_screen(ExportScreen(session, self.app.templates, store=self.app.store))

    def action_history(self) -> None:
        summary = self._usable_selection()
        if summary is None:
            return
        from facilitator.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(summary.id))

    def action_delete(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        trash = trash_dir(self.app.store.data_dir.resolve())
        what = (
            f"{summary.alliance} ({summary.kind}, {summary.date})"
            if summary.ok
            else f"The file {summary.file} ({'damaged' if summary.status == 'damaged' else 'newer version'})"
        )
        text = (
            f"{what} will be moved to the trash folder:\n{trash}\n\n"
            "Nothing is erased: move the file back to restore it."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(summary)

        self.app.push_screen(
            ConfirmScreen("Move this session to the trash?", text, "Move to trash", "Keep it", danger=True), answered
        )

    def _delete(self, summary: SessionSummary) -> None:
        try:
            target = self.app.store.delete(summary.id)
        except FacilitatorError as error:
            self.notify(str(error), title="Not deleted", severity="error", timeout=8, markup=False)
            return
        except OSError as error:
            self.notify(
                f"Could not move {summary.file} to the trash: {error.strerror or error}.",
                title="Not deleted",
                severity="error",
                timeout=8,
                markup=False,
            )
            return
        self.notify(f"Moved to {target}", title="Moved to the trash", timeout=5, markup=False)
        row = self.table.cursor_row
        if self.summaries is not None:
            self.summaries = [s for s in self.summaries if s.id != summary.id]
            self.by_id.pop(summary.id, None)
            self.populate()
            if self.shown:
                self.table.move_cursor(row=min(row, len(self.shown) - 1), animate=False)
        self.reload()

    # -- command palette ----------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("New session", "Start a kick-off or review of an alliance", self.action_new_session)
        summary = self.selected()
        if summary is not None and summary.ok:
            # The palette reads titles and help as markup: typed names are escaped.
            name = markup_literal(f"{summary.alliance} ({summary.date})")
            yield SystemCommand("Follow-up review", f"Start a review following {name}", self.action_follow_up)
            yield SystemCommand("Export", f"Write the agreement or scorecard of {name}", self.action_export)
            yield SystemCommand(
                "Alliance history", f"Sessions, trends and agreement changes of {name} over time", self.action_history
            )
        if summary is not None:
            yield SystemCommand("Delete", f"Move {markup_literal(summary.id)} to the trash folder", self.action_delete)
        yield SystemCommand("Refresh", "Read the data folder again", self.action_refresh)
