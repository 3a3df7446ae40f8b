"""What the agreement's terms say about a session and its alliance's history: the agreement's version
number and label, whether it is final, and which exit or renegotiation triggers are hit.

Pure Python. The functions other parts use (reports, the TUI, the sponsor pack's headers):

- `version_number(session, timeline)` and `version_label(session, timeline)` ("Version 3");
- `is_final(session, checklist)`: every section agreed and endorsed by every partner (else DRAFT);
- `check_triggers(session, timeline)`: every trigger with its state and a one-line reason;
- `triggers_hit(session, timeline)`: the one-line reasons of the triggers hit only.

**Version.** One version per session of the alliance: a kick-off's agreement is version 1, the
review that follows it version 2, and so on along the `follows` links. A number the room set itself
(`AgreementTerms.version`, for an alliance that had an agreement before it used the app) is used as
it is, and the sessions that follow count on from it. A link to a session that cannot be read (a
gap in the timeline) counts as one session, and the count goes on from the alliance's latest
readable session before it. Without the timeline (a report rendered on its own) a session that
follows another is version 2, unless the room set a number. A kick-off that follows nothing is
version 1 even when the alliance has older sessions by the same name: it starts a new agreement.
"""

# No `from __future__ import annotations` here: a NamedTuple compiles each field's annotation
# when it is a string (about 0.1 ms a class, paid by every command that imports this module).

from collections.abc import Callable
from typing import NamedTuple

from facilitator.domain import content, scoring
from facilitator.domain.agreement_terms import ExitTrigger
from facilitator.domain.formatting import shown_index
from facilitator.domain.history.score_trends import checklist_for
from facilitator.domain.history.sponsor_cadence import cadence
from facilitator.domain.history.timeline import Timeline
from facilitator.domain.model import Session

# --------------------------------------------------------------------------------------------
# Version and finality


def version_number(session: Session, timeline: Timeline | None = None) -> int:
    """The agreement's version at this session (see the module's notes)."""
    by_id = {s.id: s for s in timeline.sessions} if timeline is not None else {}
    steps, current, seen = 0, session, {session.id}
    while True:
        if current.terms.version:
            return current.terms.version + steps
        if not current.follows:
            return 1 + steps
        before = by_id.get(current.follows)
        if before is None:
            # A gap: it counts as one session, and the count goes on from the alliance's latest
            # session dated before the current one, if the timeline has one.
            earlier = [s for s in timeline.sessions if s.date < current.date and s.id not in seen] if timeline else []
            if not earlier:
                return 2 + steps
            steps, before = steps + 1, earlier[-1]
        if before.id in seen:  # a loop of links in a hand-edited file: counted as a line from
            return 1 + steps  # its last session, each session of it once
        steps, current = steps + 1, before
        seen.add(current.id)


def version_label(session: Session, timeline: Timeline | None = None) -> str:
    return f"Version {version_number(session, timeline)}"


def is_final(session: Session, checklist: content.Checklist) -> bool:
    """Every section of the agreement written, agreed and endorsed by every partner: no longer a
    draft. (A section ticked agreed with nothing in it is not a text to sign.)"""
    partners = {p.key for p in session.partners}
    for section in checklist.sections:
        draft = session.sections.get(section.key)
        if draft is None or not draft.agreed or not partners <= set(draft.endorsed_by):
            return False
        if not scoring.section_has_content(session, checklist, section.key):
            return False
    return True


# --------------------------------------------------------------------------------------------
# Exit and renegotiation triggers


# Read-only records are NamedTuples: Python builds them about eight times faster than frozen
# dataclasses, and short commands import this module (docs/benchmarks.md).


class TriggerCheck(NamedTuple):
    """A trigger as checked at one session: hit, not hit, or not checkable yet (None)."""

    trigger: ExitTrigger
    hit: bool | None
    criterion: str  # the trigger in words: "joint index below 40 at 2 health checks running"
    reason: str  # one line: why it is hit, not hit, or cannot be checked

    @property
    def state(self) -> str:
        return {True: "hit", False: "not hit", None: "not checkable yet"}[self.hit]

    @property
    def consequence_label(self) -> str:
        return self.trigger.consequence_label


def describe_trigger(trigger: ExitTrigger, session: Session) -> str:
    """The criterion in words, as the agreement prints it."""
    return trigger.criterion(session.partner_name(trigger.partner) if trigger.partner else "")


def check_triggers(session: Session, timeline: Timeline | None = None) -> list[TriggerCheck]:
    """Every trigger of the session's agreement, checked against the session and the sessions of
    its agreement before it (see `agreement_sessions`; without a timeline, the session alone)."""
    timeline = _agreement_timeline(session, _timeline_with(session, timeline))
    indexes: dict[str, tuple[int | None, dict[str, int | None]]] = {}  # each session's, worked out once

    def indexes_of(s: Session) -> tuple[int | None, dict[str, int | None]]:
        if s.id not in indexes:
            indexes[s.id] = _indexes(s)
        return indexes[s.id]

    return [_check(trigger, session, timeline, indexes_of) for trigger in session.terms.triggers]


def agreement_sessions(session: Session, timeline: Timeline) -> list[Session]:
    """The sessions of this session's agreement, oldest first, ending with it: the sessions it
    follows, link by link, back to its kick-off. Another session that only shares the alliance's
    name (a practice run, a namesake, a file someone shared) is not part of it and counts for no
    trigger: the version numbering starts a new agreement at a kick-off in the same way."""
    by_id = {s.id: s for s in timeline.sessions}
    chain, current, seen = [session], session, {session.id}
    while current.kind != "kickoff" and current.follows in by_id and current.follows not in seen:
        current = by_id[current.follows]
        seen.add(current.id)
        chain.append(current)
    return list(reversed(chain))


def _agreement_timeline(session: Session, timeline: Timeline) -> Timeline:
    chain = agreement_sessions(session, timeline)
    ids = {s.id for s in chain}
    return Timeline(timeline.alliance, chain, [g for g in timeline.gaps if g.referenced_by in ids], session.id)


def triggers_hit(session: Session, timeline: Timeline | None = None) -> list[str]:
    """One line per trigger hit: what it is, why, and what follows. Empty when none is hit."""
    return hit_lines(check_triggers(session, timeline))


def hit_lines(checks: list[TriggerCheck]) -> list[str]:
    """`triggers_hit` from checks already made."""
    return [
        f"{check.criterion[0].upper()}{check.criterion[1:]}: {check.reason} ({check.consequence_label.lower()})."
        for check in checks
        if check.hit
    ]


def _timeline_with(session: Session, timeline: Timeline | None) -> Timeline:
    if timeline is None or not timeline.sessions:
        return Timeline.single(session)
    return timeline.with_session(session)


def _check(
    trigger: ExitTrigger,
    session: Session,
    timeline: Timeline,
    indexes_of: Callable[[Session], tuple[int | None, dict[str, int | None]]],
) -> TriggerCheck:
    criterion = describe_trigger(trigger, session)
    if trigger.kind == "sponsor-meetings-below":
        seen = cadence(timeline, timeline.index_of(session.id), required=trigger.threshold)
        hit = seen.count < trigger.threshold
        return TriggerCheck(
            trigger, hit, criterion, f"they met in person {_times(seen.count)} in the 12 months to {seen.reference}"
        )
    scored = [(s, indexes_of(s)) for s in timeline.sessions]
    scored = [(s, figures) for s, figures in scored if figures[0] is not None]  # health checks held
    last = scored[-trigger.running :]
    if len(last) < trigger.running:
        have = len(scored)
        return TriggerCheck(trigger, None, criterion, f"{have} health check{'s' * (have != 1)} scored so far")
    if trigger.kind == "joint-index-below":
        values = [figures[0] for _s, figures in last]
        hit = all(v is not None and v < trigger.threshold for v in values)
        shown = ", ".join(f"{v:g}" for v in values if v is not None)
        return TriggerCheck(trigger, hit, criterion, f"joint index {shown} ({_dates(last)})")
    if trigger.partner and session.partner(trigger.partner) is None:
        return TriggerCheck(trigger, None, criterion, "that partner is no longer in the alliance")
    keys = [trigger.partner] if trigger.partner else [p.key for p in session.partners]
    below = [
        key
        for key in keys
        if all((v := figures[1].get(key)) is not None and v < trigger.threshold for _s, figures in last)
    ]
    if below:
        detail = "; ".join(f"{session.partner_name(k)} {_series(last, k)}" for k in below)
        return TriggerCheck(trigger, True, criterion, f"{detail} ({_dates(last)})")
    # A partner without an index (it answered "?" throughout, or was not there) cannot be said to
    # be above the threshold: the trigger is not checkable, not "not hit".
    unknown = [key for key in keys if any(figures[1].get(key) is None for _s, figures in last)]
    if unknown:
        names = ", ".join(session.partner_name(k) for k in unknown)
        return TriggerCheck(trigger, None, criterion, f"no index for {names} ({_dates(last)})")
    return TriggerCheck(trigger, False, criterion, f"no partner's index below {trigger.threshold} ({_dates(last)})")


def _indexes(session: Session) -> tuple[int | None, dict[str, int | None]]:
    """The session's indexes as every screen and document shows them (whole numbers): a trigger
    "below 60" must not be hit by an index shown as 60."""
    checklist = checklist_for(session.checklist_version)
    partners = scoring.partner_indexes(session, checklist)
    return shown_index(scoring.joint_index(session, checklist)), {k: shown_index(v) for k, v in partners.items()}


def _series(last: list[tuple[Session, tuple[int | None, dict[str, int | None]]]], key: str) -> str:
    return ", ".join(f"{v:g}" for _s, figures in last if (v := figures[1].get(key)) is not None)


def _dates(last: list[tuple[Session, tuple[int | None, dict[str, int | None]]]]) -> str:
    return ", ".join(s.date for s, _figures in last)


def _times(count: int) -> str:
    return {0: "not once", 1: "once", 2: "twice"}.get(count, f"{count} times")
