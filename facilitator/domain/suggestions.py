"""Suggested measures: what the app offers an agreement, kept apart from what the room agreed.

A new session starts with the checklist's default measures marked `suggested`. They show as
suggestions on screen and stay out of the exported agreement until the room keeps one (or edits
it, which keeps it too) or drops it. A measure the room writes itself replaces any suggestion on
the same ground (the checklist says which words in a name mean that: `covers`), so the agreement
never lists the room's trust survey beside the app's suggested trust measure.

Pure Python: no Textual, TinyDB or Jinja2.
"""

from __future__ import annotations

from facilitator.domain.content import Checklist
from facilitator.domain.model import Measure, Session


def suggested(session: Session) -> list[Measure]:
    return [m for m in session.measures if m.suggested]


def kept(session: Session) -> list[Measure]:
    return [m for m in session.measures if not m.suggested]


def keep(measure: Measure) -> None:
    """The room keeps a suggestion: from now on it is part of the agreement like any measure."""
    measure.suggested = False


def _covers(checklist: Checklist, suggestion: Measure) -> tuple[str, ...]:
    default = next((d for d in checklist.default_measures if d.name == suggestion.name), None)
    words = default.covers if default else ()
    return tuple(w.casefold() for w in words) + (suggestion.name.casefold(),)


def duplicates_of(session: Session, checklist: Checklist, measure: Measure) -> list[Measure]:
    """The suggestions that a measure the room wrote covers: the same name, or a name with one of
    the words the checklist gives for that suggestion (say "trust" for the suggested trust measure)."""
    if measure.suggested:
        return []
    name = measure.name.casefold()
    return [s for s in suggested(session) if s.id != measure.id and any(word in name for word in _covers(checklist, s))]


def drop_duplicates(session: Session, checklist: Checklist, measure: Measure) -> list[Measure]:
    """Remove the suggestions `measure` covers; returns them (to tell the room)."""
    dropped = duplicates_of(session, checklist, measure)
    session.measures = [m for m in session.measures if m not in dropped]
    return dropped
