"""Close: what the meeting produced, on one screen, before the facilitator exports and ends.

The joint and per-partner health index (against the previous session when there is one), the
agreement's exit and renegotiation triggers checked against the alliance's history, the
decisions, the agreed sections, the open actions with owners and due dates, and the next meeting.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from facilitator.base.errors import FacilitatorError
from facilitator.domain.agreement_checks import TriggerCheck, check_triggers
from facilitator.domain.content import load_checklist
from facilitator.domain.formatting import format_change, format_index, index_change
from facilitator.domain.history.timeline import Timeline
from facilitator.domain.scoring import joint_index, partner_indexes, section_counts, section_status, sections_to_address
from facilitator.tui.alliance_timeline import nearby_timeline, read_alliance_timeline
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.dates import days_between, nice_date
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.plain_table import clipped

BAR_WIDTH = 20
LISTED_LONGEST = 30  # actions and decisions listed here; the rest are counted (a file may hold 2,000)


def index_style(value: float | None) -> str:
    if value is None:
        return "$text-muted"
    if value < 50:
        return "$error"
    if value < 75:
        return "$warning"
    return "$success"


def index_line(
    label: str, value: float | None, before: float | None, label_width: int, bar_width: int = BAR_WIDTH
) -> Content:
    """One row of the health index: label, a bar, the number, and the change since last time."""
    filled = 0 if value is None else round(value / 100 * bar_width)
    bar = "█" * filled + "░" * (bar_width - filled)
    style = index_style(value)
    change = ""
    delta = index_change(before, value)  # the same figure the history and the scorecard show
    if delta is not None:
        change = f"  {'▲' if delta > 0 else '▼' if delta < 0 else '='} {format_change(delta)} since last time"
    return Content.from_markup(
        f"$label [{style}]$bar[/] [b {style}]$number[/][$text-muted]$change[/]",
        label=label[:label_width].ljust(label_width),
        bar=bar,
        number=format_index(value).rjust(3),
        change=change,
    )


def _trigger_line(check: TriggerCheck) -> Content:
    """One trigger: its state in words and a mark (never colour alone), the criterion, why."""
    mark, style = {True: ("⚠ HIT", "$error"), False: ("✓ not hit", "$success"), None: ("… not yet", "$text-muted")}[
        check.hit
    ]
    then = f" → {check.consequence_label.lower()}" if check.hit else ""
    return Content.from_markup(
        f"[b {style}]$mark[/] $criterion[$text-muted]: $reason[/][b]$then[/]",
        mark=mark,
        criterion=check.criterion[0].upper() + check.criterion[1:],
        reason=check.reason,
        then=then,
    )


class ClosePane(MeetingPane):
    """The end of the meeting: a summary the room can read, and the way to the exported documents."""

    DEFAULT_CSS = """
    ClosePane {
        padding: 0 1;
    }
    ClosePane #close-body {
        height: 1fr;
        border: tall $panel;
        padding: 0 1;
    }
    ClosePane #close-body:focus {
        border: tall $accent;
    }
    ClosePane .close-heading {
        text-style: bold;
        color: $text;
        background: $boost;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    ClosePane .close-heading.-first {
        margin: 0;
    }
    ClosePane .close-block {
        padding: 0 1;
        height: auto;
    }
    ClosePane #close-triggers .-hit {
        color: $error;
    }
    ClosePane #close-buttons {
        height: 3;
        align-horizontal: left;
    }
    ClosePane #close-buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("a,A", "export('agreement')", "Export agreement"),
        Binding("s,S", "export('scorecard')", "Export scorecard"),
    ]

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__(context, **kwargs)
        self._ready = False
        self._timeline: Timeline | None = nearby_timeline(context)  # the alliance's, once read

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="close-body") as body:
            body.border_title = "Before we close"
            yield Static("Health index", classes="close-heading -first")
            yield Static("", id="close-health", classes="close-block")
            yield Static("Exit and renegotiation triggers", classes="close-heading", id="close-triggers-heading")
            yield Static("", id="close-triggers", classes="close-block")
            yield Static("Next meeting", classes="close-heading")
            yield Static("", id="close-next", classes="close-block")
            yield Static("Agreement", classes="close-heading")
            yield Static("", id="close-sections", classes="close-block")
            yield Static("Decisions", classes="close-heading", id="close-decisions-heading")
            yield Static("", id="close-decisions", classes="close-block")
            yield Static("Open actions", classes="close-heading", id="close-actions-heading")
            yield Static("", id="close-actions", classes="close-block")
        with Horizontal(id="close-buttons"):
            yield Button("Export agreement (a)", id="export-agreement", variant="primary")
            yield Button("Export scorecard (s)", id="export-scorecard")

    def on_mount(self) -> None:
        self._ready = True
        self.refresh_from_session()
        if self.session.terms.triggers:
            self._read_timeline()

    @work(thread=True, exclusive=True, exit_on_error=False, group="close-timeline")
    def _read_timeline(self) -> None:
        """The alliance's sessions: the triggers are checked over health checks running."""
        timeline = read_alliance_timeline(self.context)
        if timeline is not None:
            self.app.call_from_thread(self._timeline_read, timeline)

    def _timeline_read(self, timeline: Timeline) -> None:
        self._timeline = timeline
        self._show_triggers()

    def on_resize(self) -> None:
        if self._ready:
            self.call_after_refresh(self._refresh_health)

    def _refresh_health(self) -> None:
        self.query_one("#close-health", Static).update(self._health())

    def focus_first(self) -> None:
        self.query_one("#close-body").focus()

    # -- the summary ----------------------------------------------------------------------------

    def refresh_from_session(self) -> None:
        if not self._ready:
            return
        self.query_one("#close-health", Static).update(self._health())
        self._show_triggers()
        self.query_one("#close-sections", Static).update(self._sections())
        decisions = self.session.decisions
        self.query_one("#close-decisions-heading", Static).update(f"Decisions ({len(decisions)})")
        self.query_one("#close-decisions", Static).update(self._decisions())
        open_actions = [a for a in self.session.actions if a.status != "done"]
        done = len(self.session.actions) - len(open_actions)
        self.query_one("#close-actions-heading", Static).update(
            f"Open actions ({len(open_actions)})" + (f" · {done} done" if done else "")
        )
        self.query_one("#close-actions", Static).update(self._actions(open_actions))
        self.query_one("#close-next", Static).update(self._next_meeting())

    def _previous_indexes(self) -> tuple[float | None, dict[str, float | None]]:
        previous = self.context.previous
        if previous is None:
            return None, {}
        try:
            checklist = load_checklist(previous.checklist_version)
        except FacilitatorError:
            return None, {}
        return joint_index(previous, checklist), partner_indexes(previous, checklist)

    def _health(self) -> Content:
        before_joint, before_partners = self._previous_indexes()
        joint = joint_index(self.session, self.checklist)
        partners = partner_indexes(self.session, self.checklist)
        width = max([5] + [len(p.name) for p in self.session.partners])
        width = min(width, 24)
        room = self.query_one("#close-health").size.width or 60
        change = 18 if before_joint is not None else 0
        bar = max(4, min(BAR_WIDTH, room - width - 6 - change))
        if room - width - 6 - change < 4:
            width = max(5, room - 10 - change)
        lines = [index_line("Joint", joint, before_joint, width, bar)]
        for partner in self.session.partners:
            lines.append(
                index_line(partner.name, partners.get(partner.key), before_partners.get(partner.key), width, bar)
            )
        lines.append(
            Content.from_markup(
                "[$text-muted]0-100: the mean score as a share of the top score. "
                "Joint uses the room's agreed score where there is one.[/]"
            )
        )
        return Content("\n").join(lines)

    def trigger_checks(self) -> list[TriggerCheck]:
        """The agreement's triggers, checked now (the room's latest scores count)."""
        return check_triggers(self.session, self._timeline)

    def _show_triggers(self) -> None:
        checks = self.trigger_checks()
        heading = self.query_one("#close-triggers-heading", Static)
        block = self.query_one("#close-triggers", Static)
        heading.display = block.display = bool(checks)
        if not checks:
            return
        hit = sum(1 for c in checks if c.hit)
        unchecked = sum(1 for c in checks if c.hit is None)
        if hit:
            state = f"{hit} of {len(checks)} hit"
        elif unchecked == len(checks):
            state = "not checkable yet"
        else:
            state = f"none of {len(checks)} hit"
        heading.update(f"Exit and renegotiation triggers ({state})")
        block.update(Content("\n").join(_trigger_line(c) for c in checks))

    def _sections(self) -> Content:
        to_address = sections_to_address(self.session, self.checklist)
        agreed = [
            s
            for s in self.checklist.sections
            if section_status(self.session, self.checklist, s.key, to_address) == "agreed"
        ]
        counts = section_counts(self.session, self.checklist)  # every section in one bucket
        total = len(self.checklist.sections)
        # Sections agreed at the session before and not yet re-confirmed: only a review has them.
        reconfirm = f"{counts['to re-confirm']} to re-confirm · " if counts["to re-confirm"] else ""
        lines = [
            Content.from_markup(
                f"[b]{counts['agreed']} of {total}[/b] sections agreed · {reconfirm}"
                f"{counts['draft']} in draft · {counts['to address']} to address · "
                f"{counts['empty']} not started"
            )
        ]
        partner_count = len(self.session.partners)
        for section in agreed:
            draft = self.session.sections.get(section.key)
            endorsed = len([k for k in (draft.endorsed_by if draft else []) if self.session.partner(k)])
            lines.append(
                Content.from_markup(
                    f"[$success]✔[/] {section.number}. $title [$text-muted]· endorsed {endorsed}/{partner_count}[/]",
                    title=section.title,
                )
            )
        return Content("\n").join(lines)

    def _decisions(self) -> Content:
        decisions = self.session.decisions
        if not decisions:
            return Content.from_markup("[$text-muted]No decisions recorded.[/]")
        lines = [
            Content.from_markup("• [b]$date[/b]  $text", date=d.date or "—", text=clipped(d.text))
            for d in decisions[:LISTED_LONGEST]
        ]
        if len(decisions) > LISTED_LONGEST:
            lines.append(Content(f"… and {len(decisions) - LISTED_LONGEST:,} more (Actions step)"))
        return Content("\n").join(lines)

    def _actions(self, open_actions) -> Table | Content:
        if not open_actions:
            return Content.from_markup("[$text-muted]No open actions.[/]")
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("Action", ratio=1)
        table.add_column("Owner", no_wrap=True, max_width=18)
        table.add_column("Due", no_wrap=True, width=10)
        listed = sorted(open_actions, key=lambda a: (a.due or "9999", a.text))
        for action in listed[:LISTED_LONGEST]:
            overdue = action.due and action.due < self.session.date
            owner = action.owner or "no owner"
            table.add_row(
                Text(clipped(action.text)),
                Text(clipped(owner), style="" if action.owner else "italic"),
                Text(action.due or "—", style="bold red" if overdue else ""),
            )
        if len(listed) > LISTED_LONGEST:
            more = len(listed) - LISTED_LONGEST
            table.add_row(Text(f"… and {more:,} more, due later (Actions step)", style="italic"), "", "")
        return table

    def _next_meeting(self) -> Content:
        value = self.session.next_meeting
        if not value:
            return Content.from_markup(
                "[$warning]Not set.[/] Agree a date before the room leaves (Actions step, m there)."
            )
        days = days_between(self.session.date, value)
        when = "" if days is None else (" · the same day" if days == 0 else f" · in {days} days")
        return Content.from_markup("[b]$date[/b]$when", date=nice_date(value), when=when)

    # -- export ---------------------------------------------------------------------------------

    def action_export(self, document: str) -> None:
        try:
            from facilitator.tui.dialogs.export import ExportScreen
        except ImportError:
            self.notify("Export is not available in this version.", severity="error")
            return
        self.app.push_screen(
            ExportScreen(self.session, self.context.templates, document=document, store=self.context.store)
        )

    @on(Button.Pressed, "#close-buttons Button")
    def _export_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export((event.button.id or "").removeprefix("export-"))

    def palette_commands(self):
        yield SystemCommand(
            "Close: export the agreement",
            "Preview and write the agreement as Markdown",
            lambda: self.action_export("agreement"),
        )
        yield SystemCommand(
            "Close: export the scorecard",
            "Preview and write the scorecard as Markdown",
            lambda: self.action_export("scorecard"),
        )
