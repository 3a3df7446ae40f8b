"""Building sessions: a new kick-off or review from typed details, and a follow-up review.

Pure Python. Ids are given by the store when the session is first saved.
"""

from __future__ import annotations

import copy
from datetime import date as Date

from .content import CURRENT_VERSION, load_checklist
from .errors import InvalidInput
from .model import KINDS, Measure, Partner, Session, check_text, clean_name, make_partners, parse_date


def default_measures(checklist_version: int = CURRENT_VERSION) -> list[Measure]:
    """Every agreement starts with the checklist's default measures (trust among them), as
    suggestions: they are not the room's until it keeps them (see `facilitator.suggestions`)."""
    return [Measure(name=m.name, kind=m.kind, how_measured=m.how_measured, target=m.target,
                    review_frequency=m.review_frequency, suggested=True)
            for m in load_checklist(checklist_version).default_measures]


def create_session(alliance: str, partner_names: list[str], *, date: str | None = None, kind: str = "kickoff",
                   facilitator: str = "", follows: str = "",
                   sponsors: dict[str, list[str]] | None = None,
                   participants: dict[str, list[str]] | None = None) -> Session:
    """A new session from what the facilitator typed. Raises InvalidInput with a clear message."""
    alliance = clean_name(alliance, "Alliance name")
    partners = make_partners(partner_names)
    for partner in partners:
        partner.sponsors = _names((sponsors or {}).get(partner.name, []), f"Sponsor of {partner.name}")
        partner.participants = _names((participants or {}).get(partner.name, []), f"Participant of {partner.name}")
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


def follow_up_session(previous: Session, *, date: str | None = None, facilitator: str | None = None) -> Session:
    """A review of the same alliance: partners, sponsors, agreement, measures, roles, work plan and
    sponsor meetings carry over; scores, notes, endorsements and meeting state start blank."""
    session = Session(
        id="new",
        alliance=previous.alliance,
        partners=[Partner(p.key, p.name, list(p.sponsors), list(p.participants)) for p in previous.partners],
        date=parse_date(date) if date else Date.today().isoformat(),
        kind="review",
        facilitator=previous.facilitator if facilitator is None else facilitator,
        follows=previous.id,
        checklist_version=CURRENT_VERSION,
        measures=copy.deepcopy(previous.measures),
        roles=copy.deepcopy(previous.roles),
        tasks=copy.deepcopy(previous.tasks),
        sponsor_meetings=copy.deepcopy(previous.sponsor_meetings),
        next_meeting="",
    )
    for key, draft in previous.sections.items():
        # The text carries over as the starting draft; it must be agreed again in this review.
        session.section(key).text = draft.text
    # Open actions are still open: carry them over, so the review starts by checking them.
    session.actions = [copy.deepcopy(a) for a in previous.actions if a.status == "open"]
    return session


def _names(values: list[str], what: str) -> list[str]:
    cleaned = [clean_name(v, what) for v in values if v and v.strip()]
    seen = set()
    result = []
    for name in cleaned:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result
