"""Building sessions: a new kick-off or review from typed details, and a follow-up review.

Pure Python. Ids are given by the store when the session is first saved.
"""

from __future__ import annotations

import copy
from datetime import date as Date
from datetime import timedelta

from facilitator.base.errors import InvalidInput
from facilitator.domain.content import CURRENT_VERSION, load_checklist
from facilitator.domain.model import (
    KINDS,
    AgreementTerms,
    CarriedOver,
    Measure,
    Partner,
    SectionDraft,
    Session,
    text_digest,
)
from facilitator.domain.roster import PartnerEntry, build_partners
from facilitator.domain.validation import check_text, clean_name, parse_date


def default_measures(checklist_version: int = CURRENT_VERSION) -> list[Measure]:
    """Every agreement starts with the checklist's default measures (trust among them), as
    suggestions: they are not the room's until it keeps them (see `facilitator.domain.suggestions`)."""
    return [
        Measure(
            name=m.name,
            kind=m.kind,
            how_measured=m.how_measured,
            target=m.target,
            review_frequency=m.review_frequency,
            suggested=True,
        )
        for m in load_checklist(checklist_version).default_measures
    ]


def create_session(
    alliance: str,
    partner_names: list[str] | list[PartnerEntry],
    *,
    date: str | None = None,
    kind: str = "kickoff",
    facilitator: str = "",
    follows: str = "",
    sponsors: dict[str, list[str]] | None = None,
    participants: dict[str, list[str]] | None = None,
) -> Session:
    """A new session from what the facilitator typed. Raises InvalidInput with a clear message.

    Partners are names (with their people in `sponsors` and `participants`, by partner name) or
    roster entries; either way they are checked as the roster checks them.
    """
    alliance = clean_name(alliance, "Alliance name")
    entries = [
        entry
        if isinstance(entry, PartnerEntry)
        else PartnerEntry(entry, list((sponsors or {}).get(entry, [])), list((participants or {}).get(entry, [])))
        for entry in partner_names
    ]
    partners = build_partners(entries)
    if kind not in KINDS:
        raise InvalidInput(f"Kind '{kind}' is not one of {', '.join(KINDS)}.")
    return Session(
        id="new",
        alliance=alliance,
        partners=partners,
        date=parse_date(date) if date else Date.today().isoformat(),
        kind=kind,
        facilitator=check_text(facilitator, "Facilitator").strip(),
        follows=follows,
        checklist_version=CURRENT_VERSION,
        measures=default_measures(),
    )


def follow_up_date(previous_date: str, date: str | None = None, today: Date | None = None) -> str:
    """The date of a review of a session of `previous_date`: as given (today by default), and later.

    Raises InvalidInput with a message a person can act on; a review on or before the session it
    follows would make every comparison in the history compare a day with itself, or run backwards.
    """
    day = parse_date(date, "The review's date") if date and date.strip() else (today or Date.today()).isoformat()
    if day <= previous_date:
        raise InvalidInput(
            f"The review's date ({day}) must be later than the session it follows "
            f"({previous_date}); give a date after {previous_date}."
        )
    return day


def suggested_follow_up_date(previous_date: str, today: Date | None = None) -> str:
    """Today, or the day after the session followed when that is not yet past (a review prepared ahead)."""
    today = today or Date.today()
    after = Date.fromisoformat(previous_date) + timedelta(days=1)
    return max(today, after).isoformat()


def follow_up_session(previous: Session, *, date: str | None = None, facilitator: str | None = None) -> Session:
    """A review of the same alliance: partners, sponsors, agreement, measures, roles, work plan and
    sponsor meetings carry over; scores, notes, endorsements and meeting state start blank.

    Each section's text carries over as the starting draft, with what it was (`SectionDraft.carried`):
    agreed and endorsed at which session, so the review can say so and the room re-confirm it.
    """
    session = Session(
        id="new",
        alliance=previous.alliance,
        partners=[
            Partner(p.key, p.name, list(p.sponsors), list(p.participants), p.legal_name, p.signatory, p.signatory_title)
            for p in previous.partners
        ],
        date=follow_up_date(previous.date, date),
        kind="review",
        facilitator=previous.facilitator if facilitator is None else facilitator,
        follows=previous.id,
        checklist_version=CURRENT_VERSION,
        measures=copy.deepcopy(previous.measures),
        roles=copy.deepcopy(previous.roles),
        tasks=copy.deepcopy(previous.tasks),
        sponsor_meetings=copy.deepcopy(previous.sponsor_meetings),
        next_meeting="",
        terms=_carried_terms(previous),
    )
    for key, draft in previous.sections.items():
        section = session.section(key)
        section.text = draft.text
        section.carried = _carried(previous, draft)
    # Open actions are still open: carry them over, so the review starts by checking them.
    session.actions = [copy.deepcopy(a) for a in previous.actions if a.status == "open"]
    return session


def _carried_terms(previous: Session) -> AgreementTerms:
    """The terms carry over as the review's starting draft; a version the room numbered itself goes
    on from there (one left at 0 is numbered by the chain of sessions: `agreement_checks`)."""
    terms = copy.deepcopy(previous.terms)
    if terms.version:
        terms.version += 1
    return terms


def _carried(previous: Session, draft: SectionDraft) -> CarriedOver | None:
    """What a section of `previous` hands on: its own sign-off, or, when it was not signed off
    there and its text is unchanged, what it had carried over itself (agreed at an earlier session)."""
    if draft.agreed or draft.endorsed_by:
        return CarriedOver(
            date=previous.date,
            kind=previous.kind,
            agreed=draft.agreed,
            endorsed_by=list(draft.endorsed_by),
            text_digest=text_digest(draft.text),
        )
    if draft.carried_unchanged:
        return copy.deepcopy(draft.carried)
    return None
