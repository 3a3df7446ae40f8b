"""The agreement step's pane: its layout, the section shown, and the edits the room makes to it.

Its parts, each in its own module: the section list (`section_list`), the sign-off (`sign_off`),
the questions to ask (`prompts`), the section's tables (`table_tab`, on the specs in `tables`), the
terms and signatories (`terms_tab`) and the preview (`preview_tab`).
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, OptionList, SelectionList, Static, TabbedContent, TabPane, TextArea

from facilitator.base.errors import InvalidInput
from facilitator.domain.content import Section
from facilitator.domain.history.timeline import Timeline
from facilitator.domain.reconfirm import can_reconfirm, endorsement_phrase, reconfirm
from facilitator.domain.scoring import section_status, sections_to_address
from facilitator.domain.validation import check_text
from facilitator.tui.alliance_timeline import nearby_timeline, read_alliance_timeline
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.agreement.preview_tab import PreviewTab
from facilitator.tui.panes.agreement.prompts import section_prompts
from facilitator.tui.panes.agreement.section_list import SectionList
from facilitator.tui.panes.agreement.sign_off import SignOff
from facilitator.tui.panes.agreement.status import endorsers, status_content
from facilitator.tui.panes.agreement.table_tab import TableTab
from facilitator.tui.panes.agreement.tables import TableSpec, tables_for
from facilitator.tui.panes.agreement.terms_tab import TermsTab
from facilitator.tui.panes.pane import MeetingPane

WIDE = 110  # pane width from which the prompts sit beside the editor
NARROW = 66  # pane width below which the section list narrows and the summary is hidden
SHORT = 26  # pane height below which the prompts take fewer lines, to leave the editor its room
SMALL_WIDTH = 80  # a pane narrower than this and short too (80x24: 67x22) narrows the list as well


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
    """

    BINDINGS = [
        # Priority: the editor's own F6 (select line) and F7 (select all) give way inside this pane,
        # so the sign-off keys work wherever the focus is.
        Binding("f6", "toggle_agreed", "Agreed", priority=True),
        Binding("f7", "endorse", "Endorse", priority=True),
        Binding("f8", "toggle_preview", "Preview"),
        Binding("f9", "show_table", "Table"),
        Binding("ctrl+g", "show_terms", "Terms"),
        Binding("alt+up,ctrl+pageup", "section(-1)", "◀ Section", show=False),
        Binding("alt+down,ctrl+pagedown", "section(1)", "Section ▶", show=False),
    ]

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__(context, **kwargs)
        self._to_address: set[str] = set()
        self._loaded_key: str | None = None
        self._ready = False  # set once the widgets exist: refresh_from_session may come earlier

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="agreement-left"):
            yield SectionList(self.context, id="section-list")
            yield SignOff(self.session.partners, id="signoff")
        with Vertical(id="agreement-right"):
            yield Static("", id="section-heading")
            with TabbedContent(id="agreement-tabs", initial="tab-draft"):
                with TabPane("Draft", id="tab-draft"):
                    with Vertical(id="draft-box"):
                        with VerticalScroll(id="prompts-box", can_focus=False):
                            yield Static("", id="section-prompts")
                        yield TextArea(id="section-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
                    yield Static("", id="text-error")
                yield TableTab(self.context, id="tab-table")
                yield TermsTab(self.context, id="tab-terms")
                yield PreviewTab(self.context, id="tab-preview")

    @property
    def _section_list(self) -> SectionList:
        return self.query_one("#section-list", SectionList)

    @property
    def _sign_off(self) -> SignOff:
        return self.query_one("#signoff", SignOff)

    @property
    def _table_tab(self) -> TableTab:
        return self.query_one("#tab-table", TableTab)

    @property
    def _terms_tab(self) -> TermsTab:
        return self.query_one("#tab-terms", TermsTab)

    @property
    def _preview(self) -> PreviewTab:
        return self.query_one("#tab-preview", PreviewTab)

    def on_mount(self) -> None:
        self.query_one("#section-text", TextArea).border_title = "Text of the section"
        self._section_list.add_sections()
        self._ready = True
        self._terms_tab.timeline = nearby_timeline(self.context)
        self.refresh_from_session()
        self._read_timeline()

    @work(thread=True, exclusive=True, exit_on_error=False, group="agreement-timeline")
    def _read_timeline(self) -> None:
        """The alliance's sessions, for the version number the Terms tab shows."""
        timeline = read_alliance_timeline(self.context)
        if timeline is not None:
            self.app.call_from_thread(self._timeline_read, timeline)

    def _timeline_read(self, timeline: Timeline) -> None:
        self._terms_tab.timeline = timeline
        self._terms_tab.refresh_summary()

    def on_resize(self) -> None:
        width = self.size.width
        self.set_class(width >= WIDE, "-wide")
        short = self.size.height < SHORT
        self.set_class(short, "-short")
        narrow = width < NARROW or (short and width < SMALL_WIDTH)
        if self.has_class("-narrow") != narrow:
            self.set_class(narrow, "-narrow")
            self._section_list.narrow = narrow
            if self._ready:
                self._show_prompts()
                self._section_list.forget_fit()  # re-fit every entry to the new shape
        self.call_after_refresh(self._fit_titles)

    def _fit_titles(self) -> None:
        self._section_list.fit_titles()

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

    def _table_specs(self) -> list[TableSpec[Any]]:
        return tables_for(self.section)

    def refresh_from_session(self) -> None:
        if not self._ready:
            return
        self._to_address = sections_to_address(self.session, self.checklist)
        section_list = self._section_list
        section_list.to_address = self._to_address
        section_list.refresh_entries()
        if section_list.highlighted != self.section_index:
            section_list.highlighted = self.section_index
        self._load_section()
        self._terms_tab.refresh_summary()
        self._preview.mark_stale()

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

        self._sign_off.show(section.number, endorsers(self.session, section.key), bool(draft and draft.agreed))
        self._preview.section_number = section.number

        tabs = self.query_one("#agreement-tabs", TabbedContent)
        specs = self._table_specs()
        if not specs:
            if tabs.active == "tab-table":
                # The focus must not vanish with the hidden table: this pane's keys (Alt+arrows,
                # F6-F9) work only while the focus is inside it.
                focused = self.app.focused
                in_table = focused is not None and self._table_tab in focused.ancestors_with_self
                tabs.active = "tab-draft"
                if in_table:
                    editor.focus()
            tabs.hide_tab("tab-table")
            self._table_tab.specs = []  # the hidden table's keys do nothing
        else:
            tabs.show_tab("tab-table")
            tabs.get_tab("tab-table").label = specs[0].title if len(specs) == 1 else "Tables"
            self._table_tab.show_tables(specs)
        self.refresh_bindings()

    def _show_prompts(self) -> None:
        """What the section records (when there is room) and the questions to put to the room."""
        prompts = section_prompts(
            self.session,
            self.section,
            with_summary=not self.has_class("-narrow"),
            reconfirm_key=self._key_of("toggle_agreed"),
        )
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
        self._preview.scroll_to_section()
        self.edited("section-choice")

    def _refresh_statuses(self) -> None:
        """A table row counts as content: the section's status may have changed with it."""
        self._section_list.refresh_entry(self.section.key)
        self._show_heading()

    def _section_edited(self, what: str) -> None:
        """After any change to the current section: its list entry, heading and the preview."""
        self._section_list.refresh_entry(self.section.key)
        self._show_heading()
        draft = self.session.sections.get(self.section.key)
        if draft is not None and draft.carried is not None:
            self._show_prompts()  # what it was at the session before, and whether it changed since
        self._preview.mark_stale()
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
        if ordered == endorsers(self.session, self.section.key):
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
            self._sign_off.show_endorsements(endorsers(self.session, key))
            endorsed = endorsement_phrase(self.session, self.session.section(key).endorsed_by)
            self.notify(
                f"Section {self.section.number} re-confirmed: agreed, and {endorsed} as before.",
                timeout=3,
                markup=False,
            )
        else:
            self.session.section(key).agreed = event.value
        self._section_edited("agreed")

    @on(TableTab.ItemsChanged)
    def _items_changed(self, message: TableTab.ItemsChanged) -> None:
        message.stop()
        self._preview.mark_stale()
        self._refresh_statuses()
        self._terms_tab.refresh_summary()  # it counts the governance rows and the triggers
        self.edited(message.what)

    @on(TermsTab.TermsChanged)
    def _terms_changed(self, message: TermsTab.TermsChanged) -> None:
        message.stop()
        self._preview.mark_stale()
        self.edited(message.what)

    # -- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_table":
            return bool(self._table_specs())
        return True

    def action_toggle_agreed(self) -> None:
        reconfirming = can_reconfirm(self.session, self.section.key)
        agreed = self._sign_off.toggle_agreed()  # the Changed handler stores it (and says a re-confirm)
        if not reconfirming:
            state = "agreed" if agreed else "no longer agreed"
            self.notify(f"Section {self.section.number} {state}.", timeout=2)

    def action_endorse(self) -> None:
        self._sign_off.choose_partners()

    def action_section(self, step: int) -> None:
        self._section_list.highlighted = max(0, min(self.section_index + step, len(self.checklist.sections) - 1))

    def action_toggle_preview(self) -> None:
        tabs = self.query_one("#agreement-tabs", TabbedContent)
        if tabs.active == "tab-preview":
            tabs.active = "tab-draft"
            self.query_one("#section-text", TextArea).focus()
        else:
            tabs.active = "tab-preview"
            self._preview.focus_document()
            self._preview.render_if_stale()

    def action_show_table(self) -> None:
        if not self._table_specs():
            return
        tabs = self.query_one("#agreement-tabs", TabbedContent)
        tabs.active = "tab-table"
        self._table_tab.focus_table()

    def action_show_terms(self) -> None:
        tabs = self.query_one("#agreement-tabs", TabbedContent)
        if tabs.active == "tab-terms":
            tabs.active = "tab-draft"
            self.query_one("#section-text", TextArea).focus()
            return
        tabs.active = "tab-terms"
        self._terms_tab.focus_body()

    def action_edit_terms(self) -> None:
        self._terms_tab.edit_terms()

    def action_edit_signatories(self) -> None:
        self._terms_tab.edit_signatories()

    @on(TabbedContent.TabActivated, "#agreement-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self.set_class(event.pane.id == "tab-preview", "-previewing")
        if event.pane.id == "tab-preview":
            self._preview.render_if_stale()

    def on_key(self, event) -> None:
        # Escape from the editor, the sign-off or a table returns to the section list, so the
        # keyboard can always get back to choosing a section.
        section_list = self._section_list
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
        yield SystemCommand(
            "Agreement: edit the terms (version, effective date, term, next review, deadlock rule)",
            "Ctrl+G shows them in the Terms tab; t there edits them",
            self.action_edit_terms,
        )
        yield SystemCommand(
            "Agreement: edit the parties' legal names and signatories",
            "For the parties table and the signature block; s in the Terms tab",
            self.action_edit_signatories,
        )
        for index, section in enumerate(self.checklist.sections):
            yield SystemCommand(
                f"Agreement section {section.number}: {section.title}",
                section.summary,
                lambda i=index: self.action_section(i - self.section_index),
            )

    def preview_source(self) -> str:
        """The Markdown the preview shows now."""
        return self._preview.source
