"""Sections carried over into a follow-up review: what they were, and re-confirming them.

A review starts from the agreement as the session before left it; a section agreed and endorsed
there comes back unsigned (the room must say it still holds), and says so: "Agreed and endorsed by
all 3 at the kick-off on 2026-06-01". Re-confirming restores the sign-off it had, for the partners
still in the session. Pure Python.
"""

from __future__ import annotations

from facilitator.domain.model import Session


def carried_note(session: Session, section_key: str) -> str:
    """What the section was at the session it came from, and what the room does with it now."""
    draft = session.sections.get(section_key)
    if draft is None or draft.carried is None:
        return ""
    carried = draft.carried
    when = f"at the {'kick-off' if carried.kind == 'kickoff' else 'review'} on {carried.date}"
    endorsed = endorsement_phrase(session, carried.endorsed_by)
    if carried.agreed:
        note = f"Agreed and {endorsed} {when}"
    else:
        note = f"{endorsed[:1].upper()}{endorsed[1:]} {when}, not agreed"
    if draft.agreed:
        return f"{note}; agreed again in this session."
    if not draft.carried_unchanged:
        return f"{note}; changed since, so it is agreed and endorsed afresh."
    return f"{note} — re-confirm if it still holds." if carried.agreed else f"{note}."


def endorsement_phrase(session: Session, keys: list[str]) -> str:
    """'endorsed by all 3', 'endorsed by Acme and Beta (2 of 3)' or 'not endorsed', for the partners now."""
    total = len(session.partners)
    names = [p.name for p in session.partners if p.key in keys]
    if not names:
        return "not endorsed"
    if len(names) == total:
        return f"endorsed by all {total}" if total > 2 else "endorsed by both partners"
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return f"endorsed by {listed} ({len(names)} of {total})"


def can_reconfirm(session: Session, section_key: str) -> bool:
    """Agreed at the session before, its text unchanged since, not yet agreed in this one."""
    draft = session.sections.get(section_key)
    return bool(
        draft and not draft.agreed and draft.carried is not None and draft.carried.agreed and draft.carried_unchanged
    )


def reconfirm(session: Session, section_key: str) -> bool:
    """The room says the section still holds: agreed again, endorsed again by the partners that
    endorsed it then (and any that have endorsed it since). False, and nothing changed, otherwise."""
    if not can_reconfirm(session, section_key):
        return False
    draft = session.section(section_key)
    endorsed = set(draft.endorsed_by) | set(draft.carried.endorsed_by if draft.carried else [])
    draft.agreed = True
    draft.endorsed_by = [p.key for p in session.partners if p.key in endorsed]
    return True
