"""Drafting the partnership agreement, section by section, on the room's shared screen.

Left: the twelve sections with their status (empty, to address, draft, agreed) and who endorsed
each, and below them the sign-off of the chosen section (endorsing partners, agreed by the room).
Right: the section's purpose and the questions to put to the room, the prose editor, the section's
table (measures, roles, work plan or sponsor meetings) and a live preview of the whole agreement
as it will be exported.
"""

from facilitator.tui.panes.agreement.pane import AgreementPane

__all__ = ["AgreementPane"]
