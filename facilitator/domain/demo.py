"""A realistic sample alliance for trying the tool: three fictional partners mid-way through a kick-off.

The organisations and people are invented. Scores include a few perception gaps (the points where
the partners disagree by two or more), so the gap board has something to show.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

from facilitator.domain.model import (
    ActionItem,
    AgreementTerms,
    Decision,
    EscalationStep,
    ExitTrigger,
    GovernanceBody,
    Role,
    Session,
    SponsorMeeting,
)
from facilitator.domain.score_values import ScoreValue
from facilitator.domain.session_factory import create_session

DEMO_ALLIANCE = "Coastal Corridor Alliance"

PARTNERS = {
    "Northwind Logistics": (["Amara Okafor"], ["Jonas Berg", "Lena Fischer"]),
    "Harbourline Freight": (["Tomás Ribeiro"], ["Priya Natarajan"]),
    "Meridian Data Systems": (["Hannah Kowalski"], ["Ken Watanabe", "Sofia Marín"]),
}

# Per checklist point: Northwind, Harbourline, Meridian.
SCORES: dict[str, tuple[ScoreValue, ...]] = {
    "joint-framework": (3, 3, 2),
    "needs-shared": (2, 1, 3),
    "mutual-benefit": (3, 1, 1),  # Northwind thinks benefits are tracked; the others do not
    "relational-expectations": (1, 1, "?"),
    "agreement-beyond-contract": (2, 2, 2),
    "sponsors-meet": (4, 2, 3),
    "relational-measures": (1, 0, 1),
    "trust-indicator": (0, 0, "n/a"),
    "partnering-training": (1, 3, 1),
    "joint-communications": (2, 2, 3),
}

NOTES = {
    "mutual-benefit": "Northwind counts shared warehouse savings; Harbourline and Meridian see no report of "
    "their own benefits. Agreed to define one benefit measure per partner.",
    "sponsors-meet": "Sponsors met in person in March; the September meeting was a video call.",
    "partnering-training": "Harbourline ran a partnering workshop for its team in June; the others have not.",
}

SECTIONS = {
    "purpose": (
        "Together we move freight along the southern coastal corridor faster and with lower emissions "
        "than any of us could alone. Northwind brings warehousing, Harbourline the sea and rail "
        "links, Meridian the shared tracking platform.\n\n"
        "Objectives for the first year: one shared booking flow, 15% fewer empty container "
        "moves, and a joint customer offer in two ports.",
        True,
    ),
    "partner-profiles": (
        "Northwind needs steadier volumes through its Valencia hub; strong in warehousing "
        "and customs, weaker in digital tracking.\n"
        "Harbourline needs return loads for its rail shuttles; strong in port access.\n"
        "Meridian needs live reference customers; strong in data integration.",
        False,
    ),
    "mutual-benefits": (
        "Each partner names the benefit it expects and how it is counted. Trust is measured "
        "by a short anonymous survey before every sponsor meeting.",
        False,
    ),
}

# Legal name, signatory, signatory's title: the parties of the agreement a sponsor signs.
SIGNATORIES = {
    "Northwind Logistics": ("Northwind Logistics S.L.", "Amara Okafor", "Chief Operating Officer"),
    "Harbourline Freight": ("Harbourline Freight Lda.", "Tomás Ribeiro", "Managing Director"),
    "Meridian Data Systems": ("Meridian Data Systems GmbH", "Hannah Kowalski", "VP Partnerships"),
}

GOVERNANCE = [
    GovernanceBody(
        "Steering committee", "The three sponsors", "Twice a year, in person", "Strategy, budget, new partners"
    ),
    GovernanceBody(
        "Alliance managers", "Jonas Berg, Priya Natarajan, Ken Watanabe", "Monthly", "Priorities, the work plan"
    ),
    GovernanceBody("Operating teams", "Each partner's corridor team", "Weekly", "Day-to-day bookings and loads"),
]
ESCALATION = [
    EscalationStep("Operating teams", "5 working days"),
    EscalationStep("Alliance managers", "10 working days"),
    EscalationStep("Steering committee", "30 days"),
]
DEADLOCK_RULE = (
    "If the steering committee cannot agree within 30 days, the sponsors ask an independent "
    "mediator chosen together; a partner may still leave on six months' notice."
)

ROLES = [
    ("northwind-logistics", "Jonas Berg", "Alliance manager: runs the monthly operations call"),
    ("harbourline-freight", "Priya Natarajan", "Owns the rail shuttle schedule and return loads"),
    ("meridian-data-systems", "Ken Watanabe", "Owns the shared tracking platform and its data"),
]


def build_demo_session(today: date | None = None) -> Session:
    today = today or date.today()
    session = create_session(
        DEMO_ALLIANCE,
        list(PARTNERS),
        date=today.isoformat(),
        kind="kickoff",
        facilitator="Alex Morgan",
        sponsors={name: sponsors for name, (sponsors, _team) in PARTNERS.items()},
        participants={name: team for name, (_sponsors, team) in PARTNERS.items()},
    )
    keys = [p.key for p in session.partners]
    for point_key, values in SCORES.items():
        record = session.point(point_key)
        record.scores = dict(zip(keys, values))
        record.revealed = True
        record.notes = NOTES.get(point_key, "")
    session.point("agreement-beyond-contract").agreed = 2
    for key, (text, agreed) in SECTIONS.items():
        draft = session.section(key)
        draft.text = text
        draft.agreed = agreed
        draft.endorsed_by = list(keys) if agreed else []
    session.roles = [Role(partner=p, person=person, responsibility=text) for p, person, text in ROLES]
    # The room kept the first three suggested measures and named their owners; the others are
    # still the app's suggestions.
    for measure, owner in zip(session.measures, ["Ken Watanabe", "Jonas Berg", "Priya Natarajan"]):
        measure.owner = owner
        measure.suggested = False
    session.tasks = [
        ActionItem(
            "Launch the shared booking flow for two pilot customers",
            owner="Ken Watanabe",
            partner=keys[2],
            due=(today + timedelta(days=90)).isoformat(),
        ),
    ]
    session.actions = [
        ActionItem(
            "Draft one benefit measure per partner for the next sponsor meeting",
            owner="Jonas Berg",
            partner=keys[0],
            due=(today + timedelta(days=30)).isoformat(),
            point="mutual-benefit",
        ),
        ActionItem(
            "Propose a short trust survey",
            owner="Priya Natarajan",
            partner=keys[1],
            due=(today + timedelta(days=21)).isoformat(),
            point="trust-indicator",
        ),
        ActionItem(
            "Book a partnering-skills workshop for all three teams",
            owner="Sofia Marín",
            partner=keys[2],
            due=(today + timedelta(days=60)).isoformat(),
            point="partnering-training",
        ),
    ]
    session.sponsor_meetings = [
        SponsorMeeting(
            date=(today - timedelta(days=250)).isoformat(), mode="in person", notes="Kick-off dinner in Valencia"
        ),
        SponsorMeeting(date=(today - timedelta(days=70)).isoformat(), mode="remote"),
        SponsorMeeting(date=(today + timedelta(days=120)).isoformat(), mode="in person", notes="Planned, Lisbon"),
    ]
    session.decisions = [Decision("Trust is measured by survey before every sponsor meeting", today.isoformat())]
    session.next_meeting = (today + timedelta(days=120)).isoformat()
    for partner in session.partners:
        partner.legal_name, partner.signatory, partner.signatory_title = SIGNATORIES[partner.name]
    session.terms = AgreementTerms(
        effective_date=(today + timedelta(days=14)).isoformat(),
        term="Two years, renewed at each review",
        next_review=(today + timedelta(days=180)).isoformat(),
        governance=copy.deepcopy(GOVERNANCE),  # each demo session its own rows
        escalation=copy.deepcopy(ESCALATION),
        deadlock_rule=DEADLOCK_RULE,
        triggers=[
            ExitTrigger("joint-index-below", 40, 2, consequence="renegotiate"),
            ExitTrigger("sponsor-meetings-below", 2, consequence="renegotiate"),
            ExitTrigger("partner-index-below", 25, 2, consequence="exit"),
        ],
    )
    session.agenda.step = "health-check"
    return session
