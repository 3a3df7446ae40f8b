"""The agreement's sections as a list: each with its status and who endorsed it, its title wrapped
to the list's width (or, when the pane is narrow, one line a section with the status as a glyph)."""

from __future__ import annotations

import textwrap

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from facilitator.domain.content import Section
from facilitator.domain.scoring import section_status
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.agreement.status import STATUS_STYLE, endorsement_text


class SectionList(OptionList):
    """One option a section, its id the section's key. The pane sets `to_address` (the sections fed
    by a weak or split point) and `narrow`, then asks for the entries to be drawn again."""

    DEFAULT_CSS = """
    SectionList {
        height: 1fr;
        border: tall $panel;
        padding: 0;
    }
    SectionList:focus {
        border: tall $accent;
    }
    """

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.to_address: set[str] = set()
        self.narrow = False
        self._title_width = 26
        self.border_title = "Sections"
        self.border_subtitle = "alt+↑↓"

    def add_sections(self) -> None:
        self.add_options([Option(self._entry(s), id=s.key) for s in self.context.checklist.sections])

    def _status(self, key: str) -> str:
        return section_status(self.context.session, self.context.checklist, key, self.to_address)

    def refresh_entry(self, key: str) -> None:
        section = self.context.checklist.section(key)
        if section is not None:
            self.replace_option_prompt(key, self._entry(section))

    def refresh_entries(self) -> None:
        for section in self.context.checklist.sections:
            self.refresh_entry(section.key)

    def forget_fit(self) -> None:
        """The list changed shape: the next `fit_titles` fits every entry again."""
        self._title_width = 0

    def fit_titles(self) -> None:
        """Wrap the section titles to the list's width, continuation lines indented under the title."""
        width = self.scrollable_content_region.width - 4
        lines = len(self.context.checklist.sections) * (1 if self.narrow else 3)  # title, status
        if not self.show_vertical_scrollbar and lines > self.scrollable_content_region.height:
            # The wrapped titles will make the list scroll: leave room for the scrollbar now, or it
            # appears after the fit and the list wraps the fitted lines again.
            width -= self.styles.scrollbar_size_vertical
        if width > 8 and width != self._title_width:
            self._title_width = width
            self.refresh_entries()

    def _entry(self, section: Section) -> Content:
        status = self._status(section.key)
        glyph, style = STATUS_STYLE.get(status, ("·", "$text-muted"))
        if self.narrow:
            # One line a section, so all twelve fit on a small screen; the status as its glyph.
            room = max(6, self._title_width - 1)
            title = section.title if len(section.title) <= room else section.title[: room - 1].rstrip() + "…"
            return Content.from_markup(f"[b]{section.number:>2}[/b] [{style}]{glyph}[/] $title", title=title)
        lines = textwrap.wrap(section.title, max(8, self._title_width)) or [""]
        title = "\n   ".join(lines)
        head = Content.from_markup(f"[b]{section.number:>2}[/b] $title", title=title)
        endorsed = endorsement_text(self.context.session, section.key)
        if len(f"{glyph} {status} · {endorsed}") > self._title_width:
            endorsed = endorsed.split(" ")[0]  # the count only, when the initials do not fit
        line = Content.from_markup(f"   [{style}]{glyph} {status}[/] · [$text-muted]$endorsed[/]", endorsed=endorsed)
        return Content("\n").join([head, line])
