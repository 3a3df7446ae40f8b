"""Drafting the partnership agreement, section by section, on the room's shared screen.

Left: the twelve sections with their status (empty, to address, draft, agreed) and who endorsed
each, and below them the sign-off of the chosen section (endorsing partners, agreed by the room).
Right: the section's purpose and the questions to put to the room, the prose editor, the section's
table (measures, roles, work plan or sponsor meetings) and a live preview of the whole agreement
as it will be exported.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Checkbox, Markdown, OptionList, SelectionList, Static, TabbedContent, TabPane, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from facilitator.base.errors import InvalidInput
from facilitator.domain import suggestions
from facilitator.domain.content import Section
from facilitator.domain.model import ActionItem, Measure, Role, Session, SponsorMeeting
from facilitator.domain.reconfirm import can_reconfirm, carried_note, endorsement_phrase, reconfirm
from facilitator.domain.scoring import section_status, sections_to_address
from facilitator.domain.validation import check_text
from facilitator.tui.dialogs.item_forms import (
    ItemTable,
    MeasureForm,
    RoleForm,
    SponsorMeetingForm,
    TaskForm,
    confirm,
)
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.pane import MeetingPane
from facilitator.tui.widgets.toggles import StateCheckbox, StateSelectionList

TABLE_HINT = "n new · e or Enter edit · del delete"
PREVIEW_DELAY = 1.0  # seconds after the last edit before the visible preview is rendered again
WIDE = 110  # pane width from which the prompts sit beside the editor
NARROW = 66  # pane width below which the section list narrows and the summary is hidden
SHORT = 26  # pane height below which the prompts take fewer lines, to leave the editor its room
SMALL_WIDTH = 80  # a pane narrower than this and short too (80x24: 67x22) narrows the list as well

STATUS_STYLE = {
    "empty": ("○", "$text-muted"),
    "to address": ("!", "$warning"),
    "draft": ("✎", "$accent"),
    "to re-confirm": ("↻", "$warning"),
    "agreed": ("✔", "$success"),
}


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:3]).upper()
    return letters or name[:2].upper()


def status_content(status: str) -> Content:
    glyph, style = STATUS_STYLE.get(status, ("·", "$text-muted"))
    label = f"{glyph} {status}".replace(" ", "\u00a0")  # kept on one line when the heading wraps
    return Content.from_markup(f"[{style}]{label}[/]")


# --------------------------------------------------------------------------------------------
# The section tables


def _short(session: Session, key: str) -> str:
    return session.partner_name(key)


def _measure_name(measure: Measure) -> Text:
    """A measure's name; a suggestion says so in words (not only in a colour)."""
    if measure.suggested:
        return Text.assemble(("suggested · ", "italic"), (measure.name, "dim"))
    return Text(measure.name)


@dataclass(frozen=True)
class TableSpec:
    """How one kind of structured item shows in the section's table."""

    attr: str  # the Session list it lives in
    title: str  # tab label
    noun: str
    columns: tuple[tuple[str, int | None], ...]  # label, width (None: the rest of the room)
    cells: Callable[[Session, Any], tuple]
    form: Callable[[MeetingContext, Any], Any]
    describe: Callable[[Any], str]
    suggested: Callable[[Any], bool] = lambda item: False  # offered by the app, not kept by the room yet


TABLES: dict[str, TableSpec] = {
    "measures": TableSpec(
        "measures",
        "Measures",
        "measure",
        (("Measure", None), ("Owner", 16), ("Target", 16), ("Kind", 10)),
        lambda s, m: (_measure_name(m), m.owner or "—", m.target or "—", m.kind),
        lambda c, m: MeasureForm(c, m),
        lambda m: m.name,
        lambda m: m.suggested,
    ),
    "roles": TableSpec(
        "roles",
        "Roles",
        "role",
        (("Responsible for", None), ("Person", 18), ("Partner", 20)),
        lambda s, r: (r.responsibility, r.person, _short(s, r.partner)),
        lambda c, r: RoleForm(c, r),
        lambda r: f"{r.person}: {r.responsibility}",
    ),
    "tasks": TableSpec(
        "tasks",
        "Work plan",
        "task",
        (("Task", None), ("Owner", 16), ("Due", 10), ("Status", 6)),
        lambda s, t: (t.text, t.owner or "—", t.due or "—", t.status),
        lambda c, t: TaskForm(c, t),
        lambda t: t.text,
    ),
    "sponsor_meetings": TableSpec(
        "sponsor_meetings",
        "Sponsor meetings",
        "sponsor meeting",
        (("Date", 10), ("Notes", None), ("Held", 9)),
        lambda s, m: (m.date, m.notes or "—", m.mode),
        lambda c, m: SponsorMeetingForm(c, m),
        lambda m: f"the meeting of {m.date}",
    ),
}


# --------------------------------------------------------------------------------------------
# The pane


class AgreementPane(MeetingPane):
    """Draft the agreement: choose a section, write it with the room, record who endorses it."""

    DEFAULT_CSS = """
    AgreementPane {
        layout: horizontal;
        padding: 0 1 0 0;
    }
    AgreementPane #agreement-left {
        width: 28;
        height: 1fr;
    }
    AgreementPane.-narrow #agreement-left {
        width: 22;
    }
    AgreementPane.-previewing #agreement-left {
        display: none;
    }
    AgreementPane #section-list {
        height: 1fr;
        border: tall $panel;
        padding: 0;
    }
    AgreementPane #section-list:focus {
        border: tall $accent;
    }
    AgreementPane #signoff {
        height: auto;
        border: tall $panel;
        border-title-color: $text;
    }
    AgreementPane #signoff:focus-within {
        border: tall $accent;
    }
    AgreementPane #endorsements {
        height: auto;
        max-height: 8;
        border: none;
        padding: 0;
        background: transparent;
    }
    AgreementPane #agreed {
        width: 100%;
        margin: 0;
    }
    AgreementPane #agreement-right {
        width: 1fr;
        height: 1fr;
        padding: 0 0 0 1;
    }
    AgreementPane #section-heading {
        height: auto;
        max-height: 2;
        text-style: bold;
        padding: 0 1;
        background: $boost;
    }
    AgreementPane #agreement-tabs {
        height: 1fr;
    }
    AgreementPane #agreement-tabs TabPane {
        padding: 0;
    }
    AgreementPane #draft-box {
        height: 1fr;
    }
    AgreementPane.-wide #draft-box {
        layout: horizontal;
    }
    AgreementPane #prompts-box {
        height: auto;
        max-height: 12;
        border-left: thick $accent;
        background: $boost;
        scrollbar-size-vertical: 1;
    }
    AgreementPane #section-prompts {
        padding: 0 1;
    }
    AgreementPane.-narrow #prompts-box {
        max-height: 6;
    }
    AgreementPane.-short #prompts-box {
        max-height: 4;  /* they scroll; the draft is what the room reads */
    }
    AgreementPane.-wide #prompts-box {
        width: 40%;
        height: 1fr;
        max-height: 100%;
        margin: 0 1 0 0;
    }
    AgreementPane #section-text {
        height: 1fr;
        min-height: 5;
        border: tall $panel;
    }
    AgreementPane #section-text:focus {
        border: tall $accent;
    }
    AgreementPane #text-error {
        height: auto;
        color: $error;
        text-style: bold;
        display: none;
    }
    AgreementPane #text-error.-shown {
        display: block;
    }
    AgreementPane #table-hint {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    AgreementPane #preview-scroll {
        height: 1fr;
        border: tall $panel;
        padding: 0 1;
    }
    AgreementPane #preview-scroll:focus {
        border: tall $accent;
    }
    AgreementPane #preview-status {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        # Priority: the editor's own F6 (select line) and F7 (select all) give way inside this pane,
        # so the sign-off keys work wherever the focus is.
        Binding("f6", "toggle_agreed", "Agreed", priority=True),
        Binding("f7", "endorse", "Endorse", priority=True),
        Binding("f8", "toggle_preview", "Preview"),
        Binding("f9", "show_table", "Table"),
        Binding("alt+up,ctrl+pageup", "section(-1)", "◀ Section", show=False),
        Binding("alt+down,ctrl+pagedown", "section(1)", "Section ▶", show=False),
    ]

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__(context, **kwargs)
        self._to_address: set[str] = set()
        self._preview_timer: Timer | None = None
        self._preview_stale = True
        self._loaded_key: str | None = None
        self._ready = False  # set once the widgets exist: refresh_from_session may come earlier
        self._title_width = 26

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="agreement-left"):
            section_list = OptionList(id="section-list")
            section_list.border_title = "Sections"
            section_list.border_subtitle = "alt+↑↓"
            yield section_list
            with Vertical(id="signoff") as signoff:
                signoff.border_title = "Sign-off"
                yield StateSelectionList[str](id="endorsements")
                yield StateCheckbox("Agreed by the room", id="agreed", compact=True)
        with Vertical(id="agreement-right"):
            yield Static("", id="section-heading")
            with TabbedContent(id="agreement-tabs", initial="tab-draft"):
                with TabPane("Draft", id="tab-draft"):
                    with Vertical(id="draft-box"):
                        with VerticalScroll(id="prompts-box", can_focus=False):
                            yield Static("", id="section-prompts")
                        yield TextArea(id="section-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
                    yield Static("", id="text-error")
                with TabPane("Table", id="tab-table"):
                    yield ItemTable(id="section-table")
                    yield Static(TABLE_HINT, id="table-hint")
                with TabPane("Preview", id="tab-preview"):
                    yield Static("", id="preview-status")
                    with VerticalScroll(id="preview-scroll"):
                        yield Markdown("", id="preview")

    def on_mount(self) -> None:
        self.query_one("#section-text", TextArea).border_title = "Text of the section"
        self.query_one("#endorsements", SelectionList).add_options(
            [(Content(p.name), p.key) for p in self.session.partners]
        )  # a name is never markup
        self.query_one("#section-list", OptionList).add_options(
            [Option(self._section_prompt(s), id=s.key) for s in self.checklist.sections]
        )
        self._ready = True
        self.refresh_from_session()

    def on_resize(self) -> None:
        width = self.size.width
        self.set_class(width >= WIDE, "-wide")
        short = self.size.height < SHORT
        self.set_class(short, "-short")
        narrow = width < NARROW or (short and width < SMALL_WIDTH)
        if self.has_class("-narrow") != narrow:
            self.set_class(narrow, "-narrow")
            if self._ready:
                self._show_prompts()
                self._title_width = 0  # re-fit every entry to the new shape
        self.call_after_refresh(self._fit_titles)

    def _fit_titles(self) -> None:
        """Wrap the section titles to the list's width, continuation lines indented under the title."""
        section_list = self.query_one("#section-list", OptionList)
        width = section_list.scrollable_content_region.width - 4
        lines = len(self.checklist.sections) * (1 if self.has_class("-narrow") else 3)  # title, status
        if not section_list.show_vertical_scrollbar and lines > section_list.scrollable_content_region.height:
            # The wrapped titles will make the list scroll: leave room for the scrollbar now, or it
            # appears after the fit and the list wraps the fitted lines again.
            width -= section_list.styles.scrollbar_size_vertical
        if width > 8 and width != self._title_width:
            self._title_width = width
            for section in self.checklist.sections:
                self._refresh_prompt(section.key)

    def focus_first(self) -> None:
        """On arrival the room dictates: the editor has the focus, its cursor after the draft's last
        word, so typing adds to the draft at once (the section list is one Escape away)."""
        tabs = self.query_one("#agreement-tabs", TabbedContent)
        if tabs.active != "tab-draft":
            tabs.active = "tab-draft"
        editor = self.query_one("#section-text", TextArea)
        editor.move_cursor(editor.document.end)
        editor.focus()

    # -- the current section -------------------------------------------------------------------

    @property
    def section_index(self) -> int:
        return max(0, min(self.session.agenda.current_section, len(self.checklist.sections) - 1))

    @property
    def section(self) -> Section:
        return self.checklist.sections[self.section_index]

    def _status(self, key: str) -> str:
        return section_status(self.session, self.checklist, key, self._to_address)

    def _endorsers(self, key: str) -> list[str]:
        draft = self.session.sections.get(key)
        if draft is None:
            return []
        partner_keys = [p.key for p in self.session.partners]
        return [k for k in partner_keys if k in draft.endorsed_by]

    def _endorsement_text(self, key: str) -> str:
        endorsers = self._endorsers(key)
        total = len(self.session.partners)
        if not endorsers:
            return f"0/{total}"
        names = " ".join(initials(self.session.partner_name(k)) for k in endorsers)
        return f"{len(endorsers)}/{total} {names}"

    def _section_prompt(self, section: Section) -> Content:
        status = self._status(section.key)
        glyph, style = STATUS_STYLE.get(status, ("·", "$text-muted"))
        if self.has_class("-narrow"):
            # One line a section, so all twelve fit on a small screen; the status as its glyph.
            room = max(6, self._title_width - 1)
            title = section.title if len(section.title) <= room else section.title[: room - 1].rstrip() + "…"
            return Content.from_markup(f"[b]{section.number:>2}[/b] [{style}]{glyph}[/] $title", title=title)
        lines = textwrap.wrap(section.title, max(8, self._title_width)) or [""]
        title = "\n   ".join(lines)
        head = Content.from_markup(f"[b]{section.number:>2}[/b] $title", title=title)
        endorsed = self._endorsement_text(section.key)
        if len(f"{glyph} {status} · {endorsed}") > self._title_width:
            endorsed = endorsed.split(" ")[0]  # the count only, when the initials do not fit
        line = Content.from_markup(f"   [{style}]{glyph} {status}[/] · [$text-muted]$endorsed[/]", endorsed=endorsed)
        return Content("\n").join([head, line])

    def _refresh_prompt(self, key: str) -> None:
        section_list = self.query_one("#section-list", OptionList)
        section = self.checklist.section(key)
        if section is not None:
            section_list.replace_option_prompt(key, self._section_prompt(section))

    def refresh_from_session(self) -> None:
        if not self._ready:
            return
        self._to_address = sections_to_address(self.session, self.checklist)
        for section in self.checklist.sections:
            self._refresh_prompt(section.key)
        section_list = self.query_one("#section-list", OptionList)
        if section_list.highlighted != self.section_index:
            section_list.highlighted = self.section_index
        self._load_section()
        self._mark_preview_stale()

    def _load_section(self) -> None:
        """Show the current section in every widget on the right and in the sign-off."""
        section = self.section
        draft = self.session.sections.get(section.key)
        text = draft.text if draft else ""
        self._loaded_key = section.key
        self._show_heading()
        self._show_prompts()

        editor = self.query_one("#section-text", TextArea)
        if editor.text != text:
            with editor.prevent(TextArea.Changed):
                editor.load_text(text)
            editor.move_cursor(editor.document.end)  # what the room adds goes after the draft
        self._show_text_error("")

        self._show_endorsements(section.key)
        agreed = self.query_one("#agreed", Checkbox)
        if agreed.value != bool(draft and draft.agreed):
            with agreed.prevent(Checkbox.Changed):
                agreed.value = bool(draft and draft.agreed)
        self.query_one("#signoff").border_title = f"Sign-off of section {section.number}"

        tabs = self.query_one("#agreement-tabs", TabbedContent)
        spec = self._table_spec()
        if spec is None:
            if tabs.active == "tab-table":
                # The focus must not vanish with the hidden table: this pane's keys (Alt+arrows,
                # F6-F9) work only while the focus is inside it.
                focused = self.app.focused
                in_table = focused is not None and self.query_one("#tab-table") in focused.ancestors_with_self
                tabs.active = "tab-draft"
                if in_table:
                    editor.focus()
            tabs.hide_tab("tab-table")
        else:
            tabs.show_tab("tab-table")
            tabs.get_tab("tab-table").label = spec.title
            self._fill_table()
        self.refresh_bindings()

    def _show_endorsements(self, key: str) -> None:
        endorsements = self.query_one("#endorsements", SelectionList)
        wanted = set(self._endorsers(key))
        if set(endorsements.selected) != wanted:
            with endorsements.prevent(SelectionList.SelectedChanged):
                endorsements.deselect_all()
                for partner_key in wanted:
                    endorsements.select(partner_key)

    def _show_prompts(self) -> None:
        """What the section records (when there is room) and the questions to put to the room."""
        section = self.section
        prompts = Text()
        note = carried_note(self.session, section.key)
        if note:
            # First, so a small screen shows it too: why a section that was agreed is not now.
            prompts.append(f"↻ {note}", style="bold")
            if can_reconfirm(self.session, section.key):
                prompts.append(f" ({self._key_of('toggle_agreed')} re-confirms it)")
            prompts.append("\n\n")
        if not self.has_class("-narrow"):
            prompts.append(section.summary, style="italic")
            prompts.append("\n\n")
        prompts.append("Ask the room\n", style="bold")
        for index, prompt in enumerate(section.prompts):
            prompts.append("• ", style="bold")
            prompts.append(prompt)
            if index < len(section.prompts) - 1:
                prompts.append("\n")
        self.query_one("#section-prompts", Static).update(prompts)

    def _key_of(self, action: str) -> str:
        binding = next((b for b in self.BINDINGS if isinstance(b, Binding) and b.action == action), None)
        return self.app.get_key_display(binding) if binding is not None else action

    def _show_heading(self) -> None:
        section = self.section
        status = self._status(section.key)
        heading = Content.from_markup(f" · {section.number}. $title", title=section.title)
        self.query_one("#section-heading", Static).update(status_content(status) + heading)

    def _select_section(self, index: int) -> None:
        index = max(0, min(index, len(self.checklist.sections) - 1))
        if index == self.section_index and self._loaded_key == self.section.key:
            return
        self.session.agenda.current_section = index
        self._load_section()
        self._scroll_preview_to_section()
        self.edited("section-choice")

    def _refresh_statuses(self) -> None:
        """A table row counts as content: the section's status may have changed with it."""
        self._refresh_prompt(self.section.key)
        self._show_heading()

    def _section_edited(self, what: str) -> None:
        """After any change to the current section: its list entry, heading and the preview."""
        self._refresh_prompt(self.section.key)
        self._show_heading()
        draft = self.session.sections.get(self.section.key)
        if draft is not None and draft.carried is not None:
            self._show_prompts()  # what it was at the session before, and whether it changed since
        self._mark_preview_stale()
        self.edited(what)

    # -- edits from the widgets -------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#section-list")
    def _section_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index is not None:
            self._select_section(event.option_index)

    @on(OptionList.OptionSelected, "#section-list")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._select_section(event.option_index)
        self.query_one("#section-text", TextArea).focus()

    @on(TextArea.Changed, "#section-text")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._take_text(event.text_area.text)

    def commit_typing(self) -> None:
        """At exit: the editor's text, even if its change message has not been handled yet."""
        self._take_text(self.query_one("#section-text", TextArea).text)

    def _take_text(self, text: str) -> None:
        if self._loaded_key != self.section.key:
            return
        try:
            check_text(text, f"Section {self.section.number}")
        except InvalidInput as problem:
            self._show_text_error(f"{problem} This change is not kept.")
            return
        self._show_text_error("")
        draft = self.session.sections.get(self.section.key)
        if draft is not None and draft.text == text:
            return
        self.session.section(self.section.key).text = text
        self._section_edited("section")

    def _show_text_error(self, message: str) -> None:
        error = self.query_one("#text-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(SelectionList.SelectedChanged, "#endorsements")
    def _endorsements_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        chosen = set(event.selection_list.selected)
        ordered = [p.key for p in self.session.partners if p.key in chosen]
        if ordered == self._endorsers(self.section.key):
            return
        self.session.section(self.section.key).endorsed_by = ordered
        self._section_edited("endorsement")

    @on(Checkbox.Changed, "#agreed")
    def _agreed_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        key = self.section.key
        draft = self.session.sections.get(key)
        if bool(draft and draft.agreed) == event.value:
            return
        if event.value and reconfirm(self.session, key):
            # Agreed at the session before and unchanged: it still holds, endorsements and all.
            self._show_endorsements(key)
            endorsed = endorsement_phrase(self.session, self.session.section(key).endorsed_by)
            self.notify(
                f"Section {self.section.number} re-confirmed: agreed, and {endorsed} as before.",
                timeout=3,
                markup=False,
            )
        else:
            self.session.section(key).agreed = event.value
        self._section_edited("agreed")

    # -- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_table":
            return self._table_spec() is not None
        return True

    def action_toggle_agreed(self) -> None:
        checkbox = self.query_one("#agreed", Checkbox)
        reconfirming = can_reconfirm(self.session, self.section.key)
        checkbox.value = not checkbox.value  # the Changed handler stores it (and says a re-confirm)
        if not reconfirming:
            state = "agreed" if checkbox.value else "no longer agreed"
            self.notify(f"Section {self.section.number} {state}.", timeout=2)

    def action_endorse(self) -> None:
        endorsements = self.query_one("#endorsements", SelectionList)
        if endorsements.highlighted is None and endorsements.option_count:
            endorsements.highlighted = 0
        endorsements.focus()

    def action_section(self, step: int) -> None:
        self.query_one("#section-list", OptionList).highlighted = max(
            0, min(self.section_index + step, len(self.checklist.sections) - 1)
        )

    def action_toggle_preview(self) -> None:
        tabs = self.query_one("#agreement-tabs", TabbedContent)
        if tabs.active == "tab-preview":
            tabs.active = "tab-draft"
            self.query_one("#section-text", TextArea).focus()
        else:
            tabs.active = "tab-preview"
            self.query_one("#preview-scroll").focus()
            if self._preview_stale:
                self._start_preview()

    def action_show_table(self) -> None:
        if self._table_spec() is None:
            return
        tabs = self.query_one("#agreement-tabs", TabbedContent)
        tabs.active = "tab-table"
        self.query_one("#section-table", ItemTable).focus()

    @on(TabbedContent.TabActivated, "#agreement-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self.set_class(event.pane.id == "tab-preview", "-previewing")
        if event.pane.id == "tab-preview" and self._preview_stale:
            self._start_preview()

    def on_key(self, event) -> None:
        # Escape from the editor, the sign-off or a table returns to the section list, so the
        # keyboard can always get back to choosing a section.
        section_list = self.query_one("#section-list", OptionList)
        if event.key == "escape" and self.app.focused is not section_list:
            section_list.focus()
            event.stop()

    def palette_commands(self):
        if can_reconfirm(self.session, self.section.key):
            yield SystemCommand(
                f"Agreement: re-confirm section {self.section.number} as agreed before",
                "Agreed again, with the endorsements it had, when the room says it still holds",
                self.action_toggle_agreed,
            )
        yield SystemCommand(
            "Agreement: mark the section agreed (or not)",
            "F6 toggles it for the section shown",
            self.action_toggle_agreed,
        )
        yield SystemCommand(
            "Agreement: preview the whole document", "F8 switches between draft and preview", self.action_toggle_preview
        )
        for index, section in enumerate(self.checklist.sections):
            yield SystemCommand(
                f"Agreement section {section.number}: {section.title}",
                section.summary,
                lambda i=index: self.action_section(i - self.section_index),
            )

    # -- the section's table ----------------------------------------------------------------------

    def _table_spec(self) -> TableSpec | None:
        for name in self.section.structured:
            if name in TABLES:
                return TABLES[name]
        return None

    def _fill_table(self, select: str | None = None) -> None:
        spec = self._table_spec()
        if spec is None:
            return
        items = getattr(self.session, spec.attr)
        keepable = {item.id for item in items if spec.suggested(item)}
        self.query_one("#section-table", ItemTable).show(
            list(spec.columns),
            [(item.id, spec.cells(self.session, item)) for item in items],
            select=select,
            keepable=keepable,
        )
        self.query_one("#table-hint", Static).update(TABLE_HINT + (" · k keep suggested" if keepable else ""))

    @on(ItemTable.Command, "#section-table")
    def _table_command(self, message: ItemTable.Command) -> None:
        message.stop()
        spec = self._table_spec()
        if spec is None:
            return
        items: list = getattr(self.session, spec.attr)
        item = next((i for i in items if i.id == message.key), None)
        if message.command == "add":
            self.app.push_screen(spec.form(self.context, None), lambda new: self._item_saved(spec, new, None))
        elif message.command == "edit" and item is not None:
            self.app.push_screen(spec.form(self.context, item), lambda new: self._item_saved(spec, new, item))
        elif message.command == "keep" and item is not None and spec.suggested(item):
            suggestions.keep(item)
            self.notify(f"Kept: {spec.describe(item)}. It is part of the agreement now.", timeout=4, markup=False)
            self._item_changed(spec, item)
        elif message.command == "delete" and item is not None and spec.suggested(item):
            self._item_deleted(spec, item)  # only a suggestion: nothing the room typed is lost
            self.notify(f"Dropped the suggested {spec.noun}: {spec.describe(item)}", timeout=4, markup=False)
        elif message.command == "delete" and item is not None:
            confirm(self, f"Delete this {spec.noun}?", spec.describe(item), lambda: self._item_deleted(spec, item))

    def _item_saved(self, spec: TableSpec, new: Measure | Role | ActionItem | SponsorMeeting | None, old: Any) -> None:
        if new is None:
            return
        items: list = getattr(self.session, spec.attr)
        if old is not None and old in items:
            items[items.index(old)] = new
        else:
            items.append(new)
        if isinstance(new, Measure):
            # The room's own measure replaces a suggestion on the same ground (its trust survey
            # and the suggested trust measure are one measure, not two).
            dropped = suggestions.drop_duplicates(self.session, self.checklist, new)
            if dropped:
                names = ", ".join(m.name for m in dropped)
                self.notify(f"Dropped the suggested {names}: “{new.name}” covers it.", timeout=5, markup=False)
        self._item_changed(spec, new)

    def _item_changed(self, spec: TableSpec, item: Any) -> None:
        self._fill_table(select=item.id)
        self._mark_preview_stale()
        self._refresh_statuses()
        self.edited(spec.attr)

    def _item_deleted(self, spec: TableSpec, item: Any) -> None:
        items: list = getattr(self.session, spec.attr)
        if item in items:
            items.remove(item)
        self._fill_table()
        self._mark_preview_stale()
        self._refresh_statuses()
        self.edited(spec.attr)

    # -- the preview ----------------------------------------------------------------------------

    def _preview_visible(self) -> bool:
        return self.query_one("#agreement-tabs", TabbedContent).active == "tab-preview"

    def _mark_preview_stale(self) -> None:
        self._preview_stale = True
        if self._preview_visible():
            if self._preview_timer is not None:
                self._preview_timer.stop()
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._start_preview)

    def _start_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        self._preview_stale = False
        self.query_one("#preview-status", Static).update("Rendering the agreement…")
        # The worker renders a copy: the room may keep typing into the real session meanwhile.
        self._render_preview(copy.deepcopy(self.session), self.context.templates)

    @work(thread=True, exclusive=True, group="agreement-preview", exit_on_error=False)
    def _render_preview(self, snapshot: Session, templates) -> None:
        from facilitator.reports import render as reports

        try:
            markdown = reports.render(snapshot, "agreement", templates)
            problem = ""
        except Exception as error:  # noqa: BLE001 - a broken template must not end the meeting
            markdown = ""
            problem = str(error) or error.__class__.__name__
        if get_current_worker().is_cancelled:
            return
        try:
            self.app.call_from_thread(self._show_preview, markdown, problem)
        except RuntimeError:
            pass  # the app is closing

    async def _show_preview(self, markdown: str, problem: str) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#preview-status", Static)
        if problem:
            status.update(
                Content.from_markup("[$error]The preview could not be rendered:[/] $problem", problem=problem)
            )
            return
        await self.query_one("#preview", Markdown).update(markdown)
        status.update("As it will be exported · F8 back to the draft")
        self._scroll_preview_to_section()

    def _scroll_preview_to_section(self) -> None:
        preview = self.query_one("#preview", Markdown)
        prefix = f"{self.section.number}. "
        try:
            for _level, label, block_id in preview.table_of_contents or []:
                if str(label).startswith(prefix) and block_id:
                    preview.query_one(f"#{block_id}").scroll_visible(top=True, animate=False)
                    return
        except Exception:  # noqa: BLE001 - scrolling is a nicety
            return

    def preview_source(self) -> str:
        """The Markdown the preview shows now."""
        return self.query_one("#preview", Markdown).source
