"""What the room is asked about a section: why a carried-over section is open again, what the
section records, and the questions to put to the room. Plain Rich text, no widgets."""

from __future__ import annotations

from rich.text import Text

from facilitator.domain.content import Section
from facilitator.domain.model import Session
from facilitator.domain.reconfirm import can_reconfirm, carried_note


def section_prompts(session: Session, section: Section, *, with_summary: bool, reconfirm_key: str) -> Text:
    """The text beside (or above) the editor. `with_summary`: there is room for what the section
    records; `reconfirm_key`: the key that re-confirms a section agreed at the session before."""
    prompts = Text()
    note = carried_note(session, section.key)
    if note:
        # First, so a small screen shows it too: why a section that was agreed is not now.
        prompts.append(f"↻ {note}", style="bold")
        if can_reconfirm(session, section.key):
            prompts.append(f" ({reconfirm_key} re-confirms it)")
        prompts.append("\n\n")
    if with_summary:
        prompts.append(section.summary, style="italic")
        prompts.append("\n\n")
    prompts.append("Ask the room\n", style="bold")
    for index, prompt in enumerate(section.prompts):
        prompts.append("• ", style="bold")
        prompts.append(prompt)
        if index < len(section.prompts) - 1:
            prompts.append("\n")
    return prompts
