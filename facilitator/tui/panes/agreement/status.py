"""How a section's state reads on screen: its status as a glyph and a word, and who endorsed it.

Plain text and Textual `Content`, no widgets: the section list, the heading and the sign-off all
show a section's state the same way.
"""

from __future__ import annotations

from textual.content import Content

from facilitator.domain.model import Session

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


def endorsers(session: Session, key: str) -> list[str]:
    """The keys of the partners who endorsed the section, in the session's order of partners."""
    draft = session.sections.get(key)
    if draft is None:
        return []
    partner_keys = [p.key for p in session.partners]
    return [k for k in partner_keys if k in draft.endorsed_by]


def endorsement_text(session: Session, key: str) -> str:
    """How many partners endorsed the section, and their initials ("2/3 HF NC")."""
    keys = endorsers(session, key)
    total = len(session.partners)
    if not keys:
        return f"0/{total}"
    names = " ".join(initials(session.partner_name(k)) for k in keys)
    return f"{len(keys)}/{total} {names}"
