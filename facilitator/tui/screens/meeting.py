"""The meeting workspace: an agenda rail, the current step, the clock, and the autosave indicator.

The screen owns the open session. Panes edit it and post `MeetingPane.Edited`; the screen then
has its `MeetingSaves` (`tui/meeting_saves.py`) write it shortly after the last edit. Quitting,
closing the session, SIGTERM and SIGHUP all go through `save_now()`. Remote scoring's reading and
writing of the participants' files runs in `MeetingRemote` (`tui/meeting_remote.py`); the screen
merges and shows what it reads.
"""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static

from facilitator.base.errors import FacilitatorError
from facilitator.domain.content import load_checklist
from facilitator.domain.formatting import format_clock
from facilitator.domain.validation import name_key
from facilitator.remote.link import RemoteLink
from facilitator.storage.autosave import Autosaver, SaveStatus
from facilitator.storage.open_session import OpenSession
from facilitator.tui.dialogs.remote_panel import RemoteBadge
from facilitator.tui.meeting_context import MeetingContext, MeetingHost
from facilitator.tui.meeting_remote import REMOTE_POLL, MeetingRemote
from facilitator.tui.meeting_saves import MeetingSaves
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.agenda_rail import AgendaRail
from facilitator.tui.widgets.meeting_clock import MeetingClock
from facilitator.tui.widgets.save_indicator import SaveIndicator

CLOCK_SAVE_EVERY = 30  # seconds: the running clock alone is saved this often
SAVE_INDICATOR_WIDTH = 18  # its fixed width in the top bar (SaveIndicator's CSS)


class MeetingScreen(Screen, MeetingHost):
    CSS_PATH = "meeting.tcss"
    BINDINGS = [
        # One entry in the footer and in Help for both: "F2/F3 Steps" (F2 back, F3 on).
        Binding("f2", "previous_step", "", show=False),
        Binding("f3", "next_step", "Steps", key_display="F2/F3"),
        # The clock runs by itself once the meeting starts: F4 (pause) is in Help, not the footer,
        # which needs its room for the step's own keys at 100 columns.
        Binding("f4", "toggle_clock", "Pause clock", show=False),
        Binding("f5", "export", "Export"),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("f10", "close_session", "Close"),
        Binding("ctrl+b", "toggle_rail", "Agenda", show=False),
        Binding("j", "remote", "Remote scoring", show=False),
    ]

    def __init__(self, opened: OpenSession, templates: Path | None = None) -> None:
        super().__init__()
        self.opened = opened
        session = opened.session
        self.context = MeetingContext(
            session=session,
            checklist=load_checklist(session.checklist_version),
            templates=templates,
            store=opened.store,
            host=self,
        )
        self.saves = MeetingSaves(opened, timers=self, on_status=self._status_from_any_thread)
        self._remote: MeetingRemote | None = None  # made on mount: it needs the app's data folder
        self._clock_ticks = 0
        self._rail_chosen = False  # once the facilitator toggles the rail, resizing leaves it alone

    @property
    def session(self):
        return self.context.session

    @property
    def remote(self) -> RemoteLink | None:
        """Remote scoring's link to the participants' files, once the screen is mounted."""
        return self._remote.link if self._remote is not None else None

    @property
    def autosaver(self) -> Autosaver | None:
        return self.saves.autosaver

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from facilitator.tui.panes.actions import ActionsPane
        from facilitator.tui.panes.agreement import AgreementPane
        from facilitator.tui.panes.close import ClosePane
        from facilitator.tui.panes.gap_board import GapBoardPane
        from facilitator.tui.panes.health_check import HealthCheckPane
        from facilitator.tui.panes.welcome import WelcomePane

        session = self.session
        with Horizontal(id="meeting-top"):
            # The alliance's name first and whole: it is what the room checks. The kind and date give
            # way when the bar is full (see `_fit_top_bar`), the step title is cut before the name.
            yield Static(Text(session.alliance, style="bold"), id="meeting-title")
            yield Static(Text(f"· {session.kind} {session.date}"), id="meeting-kind")
            yield Static("", id="meeting-step")
            yield MeetingClock(self.context.session.agenda, self.context.checklist, running=self._meeting_is_on())
            yield RemoteBadge()
            yield SaveIndicator()
        with Horizontal(id="meeting-body"):
            yield AgendaRail(self.context.checklist, session.agenda)
            with ContentSwitcher(id="steps", initial=f"step-{self._initial_step()}"):
                yield WelcomePane(self.context, id="step-welcome")
                yield HealthCheckPane(self.context, id="step-health-check")
                yield GapBoardPane(self.context, id="step-gaps")
                yield AgreementPane(self.context, id="step-agreement")
                yield ActionsPane(self.context, id="step-actions")
                yield ClosePane(self.context, id="step-close")
        yield Footer(compact=True)  # every step's keys and F5, F10 at 100 columns

    def _meeting_is_on(self) -> bool:
        """A session dated today is the meeting itself: its clock runs from the start. One prepared
        ahead or looked at afterwards (another date) keeps the clock paused until F4."""
        from datetime import date

        return self.session.date == date.today().isoformat()

    def _initial_step(self) -> str:
        steps = [s.key for s in self.context.checklist.agenda]
        return self.session.agenda.step if self.session.agenda.step in steps else steps[0]

    def on_mount(self) -> None:
        self.saves.start()
        self.set_interval(1.0, self.saves.catch_up)
        self._remote = MeetingRemote(RemoteLink(self.app.store.data_dir, self.session.id), self, self.context)
        self.set_interval(REMOTE_POLL, self._poll_remote)
        self.query_one(SaveIndicator).show_saved(format_clock(self.session.saved_at))
        self.sub_title = self.session.alliance
        self._show_step_title()
        if self.session.follows:
            self._load_previous(self.session.follows)
        self.call_after_refresh(self._focus_step)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-compact")
        self.query_one(MeetingClock).refresh_display()
        self._fit_top_bar()
        if not self._rail_chosen:
            # Under 120 columns (a projector at 100x30) the step needs the room more than the rail.
            self.query_one(AgendaRail).mini = self.size.width < 120

    def action_toggle_rail(self) -> None:
        self._rail_chosen = True
        rail = self.query_one(AgendaRail)
        rail.mini = not rail.mini

    @work(thread=True, exclusive=True, group="previous", exit_on_error=False)
    def _load_previous(self, previous_id: str) -> None:
        try:
            # The exact id (a prefix would find some other session), of this alliance only.
            previous = self.app.store.load_exact(previous_id)
        except FacilitatorError as error:
            self.app.call_from_thread(self._set_previous, None, str(error))
        else:
            if name_key(previous.alliance) != name_key(self.session.alliance):
                self.app.call_from_thread(self._set_previous, None, "it belongs to another alliance")
            else:
                self.app.call_from_thread(self._set_previous, previous, "")

    def _set_previous(self, previous, problem: str) -> None:
        self.context.previous = previous
        self.context.previous_problem = problem
        self._current_pane().refresh_from_session()

    # -- steps ----------------------------------------------------------------------------------

    def _steps(self) -> list[str]:
        return [s.key for s in self.context.checklist.agenda]

    def _current_pane(self) -> MeetingPane:
        switcher = self.query_one("#steps", ContentSwitcher)
        return switcher.get_child_by_id(switcher.current or f"step-{self._steps()[0]}", MeetingPane)

    def show_step(self, step: str, point: int | None = None, section: int | None = None) -> None:
        if step not in self._steps():
            return
        agenda = self.session.agenda
        if point is not None:
            agenda.current_point = point
        if section is not None:
            agenda.current_section = section
        changed = agenda.step != step
        agenda.step = step
        self.query_one("#steps", ContentSwitcher).current = f"step-{step}"
        self.query_one(AgendaRail).step = step
        self._show_step_title()
        self.query_one(MeetingClock).refresh_display()
        self._current_pane().refresh_from_session()
        self._focus_step()
        if changed or point is not None or section is not None:
            self.schedule_save()
        self._publish_remote()

    async def _rebuild_other_steps(self) -> None:
        """The partners changed: the steps not on screen are built again for the new partners (their
        score columns, sign-off lists and partner choices are made when a step is built)."""
        switcher = self.query_one("#steps", ContentSwitcher)
        for pane in [p for p in switcher.children if isinstance(p, MeetingPane) and p.id != switcher.current]:
            fresh = type(pane)(self.context, id=pane.id)
            await pane.remove()
            await switcher.add_content(fresh)

    def _show_step_title(self) -> None:
        steps = self._steps()
        step = self.context.checklist.step(self.session.agenda.step)
        if step is not None:
            number = steps.index(step.key) + 1
            self.query_one("#meeting-step", Static).update(f"{number}/{len(steps)} [b]{step.title}[/b]")
            self._fit_top_bar()

    def _fit_top_bar(self) -> None:
        """Leave out the kind and date when the top bar cannot show everything else whole with them."""
        width = self.size.width or self.app.size.width
        if not width:
            return
        top = self.query_one("#meeting-top")

        def cells(selector: str, padding: int) -> int:  # shown or not: the kind is hidden by this very rule
            return cell_len(str(top.query_one(selector, Static).render())) + padding

        badge = self.query_one(RemoteBadge)
        needed = (
            cells("#meeting-title", 1)
            + cells("#meeting-kind", 2)
            + cells("#meeting-step", 2)
            + cells("#meeting-clock", 2)
            + (cells("RemoteBadge", 2) if badge.has_class("-shown") else 0)
            + SAVE_INDICATOR_WIDTH
        )
        top.set_class(needed > width, "-no-kind")

    def _focus_step(self) -> None:
        pane = self._current_pane()
        pane.focus_first()

    def action_next_step(self) -> None:
        steps = self._steps()
        index = steps.index(self.session.agenda.step) if self.session.agenda.step in steps else 0
        self.show_step(steps[min(index + 1, len(steps) - 1)])

    def action_previous_step(self) -> None:
        steps = self._steps()
        index = steps.index(self.session.agenda.step) if self.session.agenda.step in steps else 0
        self.show_step(steps[max(index - 1, 0)])

    @on(AgendaRail.StepChosen)
    def _step_chosen(self, message: AgendaRail.StepChosen) -> None:
        self.show_step(message.step)

    @on(MeetingPane.GoToStep)
    def _go_to_step(self, message: MeetingPane.GoToStep) -> None:
        self.show_step(message.step, point=message.point, section=message.section)

    # -- remote scoring -------------------------------------------------------------------------

    def _poll_remote(self) -> None:
        if self._remote is not None and not self.saves.closed:
            self._remote.poll()

    @on(MeetingRemote.BallotsRead)
    def _remote_polled(self, message: MeetingRemote.BallotsRead) -> None:
        if self._remote is None or self.saves.closed or not self.is_mounted:
            return
        result = self._remote.merge(message.polled)
        for name, reason in result.refused[:3]:
            self.notify(f"{name}: {reason}", title="Ballot refused", severity="warning", timeout=6, markup=False)
        if result.changed:
            self._remote_scores_changed()
        self._show_remote()
        self._publish_remote()

    def _show_remote(self) -> None:
        if self.remote is None:
            return
        self.query_one(RemoteBadge).show_link(self.remote)
        self._fit_top_bar()
        self._current_pane().show_remote(self.remote)

    def _publish_remote(self) -> None:
        if self._remote is not None:
            self._remote.publish()

    @on(MeetingRemote.Problem)
    def _remote_problem(self, message: MeetingRemote.Problem) -> None:
        self.notify(message.text, severity="warning", timeout=6, markup=False)

    @on(RemoteBadge.Clicked)
    def action_remote(self) -> None:
        from facilitator.tui.dialogs.remote_panel import RemoteScreen

        def back(_result=None) -> None:
            self._show_remote()
            self._publish_remote()
            self._poll_remote()

        self.app.push_screen(
            RemoteScreen(self.remote, self.session, self.context.checklist, on_merged=self._remote_scores_changed), back
        )

    def _remote_scores_changed(self) -> None:
        """Votes merged or withdrawn outside the poll (closing a round, taking a person out)."""
        self._current_pane().scores_changed()
        self.schedule_save()
        self._publish_remote()

    def before_reveal(self, revealing: bool) -> None:
        """Called by the health check just before R (see `MeetingRemote.before_reveal`)."""
        if self._remote is not None and self._remote.before_reveal(revealing):
            self._remote_scores_changed()

    # -- clock ----------------------------------------------------------------------------------

    def action_toggle_clock(self) -> None:
        self.query_one(MeetingClock).toggle()

    @on(MeetingClock.Ticked)
    def _clock_ticked(self) -> None:
        self.query_one(AgendaRail).refresh_times()
        self._fit_top_bar()  # "+1:00 over" makes the clock wider
        self._clock_ticks += 1
        if self._clock_ticks % CLOCK_SAVE_EVERY == 0:
            self.schedule_save()

    @on(MeetingClock.Toggled)
    def _clock_toggled(self) -> None:
        self.schedule_save()

    # -- saving ---------------------------------------------------------------------------------

    @on(MeetingPane.Edited)
    async def _pane_edited(self, message: MeetingPane.Edited) -> None:
        message.stop()
        if message.what == "partners":
            await self._rebuild_other_steps()
        # No edit changes the rail's times (the clock's ticks and step changes refresh them), so a
        # score does not re-render the agenda: a key press while scoring stays as cheap as it can.
        self.schedule_save()
        self._publish_remote()

    def show_pending_save(self) -> None:
        """Show "saving…" now (a pane calls this as it edits, before its Edited message arrives)."""
        if not self.saves.closed and self.is_mounted:
            self.query_one(SaveIndicator).show_pending()

    def schedule_save(self) -> None:
        """Save shortly after the last edit: one snapshot per burst of typing."""
        if self.saves.schedule():
            self.query_one(SaveIndicator).show_pending()

    def save_now(self, close: bool = False) -> bool:
        """Write the current state synchronously. Idempotent; safe to call twice while closing."""
        return self.saves.save_now(close=close)

    def save_for_exit(self) -> bool:
        """Write the current state from any thread (the exit guard's). True when it is on disk."""
        return self.saves.save_for_exit()

    def commit_typing(self) -> None:
        """Put text typed into an editor, whose change is not handled yet, into the session."""
        try:
            self._current_pane().commit_typing()
        except Exception:  # noqa: BLE001 - at exit, called from any thread: the save must go on
            pass

    def write_rescue_copy(self) -> Path | None:
        """Dump the session, as `facilitator dump` would, where it can be written. None if saved."""
        return self.saves.write_rescue_copy()

    def action_save(self) -> None:
        if self.save_now():
            self.notify("Saved.", timeout=2)
        else:
            self.notify(self.saves.last_error, severity="error", markup=False)

    class SaveStatusChanged(Message):
        def __init__(self, status: SaveStatus) -> None:
            super().__init__()
            self.status = status

    def _status_from_any_thread(self, status: SaveStatus) -> None:
        # post_message is thread-safe and never blocks: the saving thread must not wait for the UI
        # thread, which may itself be waiting for a save to finish (quit, close, signals).
        self.post_message(self.SaveStatusChanged(status))

    @on(SaveStatusChanged)
    def _show_status(self, message: SaveStatusChanged) -> None:
        status = message.status
        if not self.is_mounted:
            return
        indicator = self.query_one(SaveIndicator)
        if status.state == "failed":
            indicator.show_failed(status.message)
        elif status.state == "saved" and not status.pending:
            indicator.show_saved(status.saved_at)
        else:
            indicator.show_pending()

    # -- leaving --------------------------------------------------------------------------------

    def action_close_session(self) -> None:
        if not self.save_now(close=True):
            self.saves.reopen()  # keep working: nothing is lost, the save keeps retrying
            self.notify(
                "The session could not be saved, so it stays open. Your work is kept in memory and saving is retried.",
                severity="error",
                timeout=10,
            )
            return
        self.dismiss()

    def on_unmount(self) -> None:
        self.save_now(close=True)
        if self.remote is not None:
            self.remote.stop_server()

    def action_export(self) -> None:
        from facilitator.tui.dialogs.export import ExportScreen

        self.save_now()
        self.app.push_screen(ExportScreen(self.session, self.context.templates, store=self.opened.store))

    def action_history(self) -> None:
        from facilitator.tui.screens.history import HistoryScreen

        # The screen takes its own copy of the session as it is now, edits not yet saved included.
        self.app.push_screen(HistoryScreen(self.session.id, current=self.session))

    # -- command palette ------------------------------------------------------------------------

    def palette_commands(self):
        for step in self.context.checklist.agenda:
            yield SystemCommand(f"Go to: {step.title}", step.guidance, lambda key=step.key: self.show_step(key))
        yield SystemCommand(
            "Export the agreement or scorecard", "Preview and write a Markdown document", self.action_export
        )
        yield SystemCommand(
            "Alliance history",
            "Earlier sessions of this alliance: trends, sponsor meetings, agreement changes",
            self.action_history,
        )
        yield SystemCommand(
            "Start or pause the clock", "The timebox of the current agenda step", self.action_toggle_clock
        )
        yield SystemCommand(
            "Show or hide the agenda rail", "Ctrl+B: step titles, or only numbers and times", self.action_toggle_rail
        )
        yield SystemCommand(
            "Remote scoring",
            "J: participants score from their own browsers; join code, who has scored, new round, close round",
            self.action_remote,
        )
        yield SystemCommand("Save now", "Autosave runs after every change; this forces a save", self.action_save)
        yield SystemCommand("Close session", "Save and return to the session list", self.action_close_session)
        yield from self._current_pane().palette_commands()
