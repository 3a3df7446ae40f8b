"""A fixture alliance with four sessions over eighteen months, for the history tests
(imported as `history_support`).

Riverside Care Alliance (Aldgate Clinics and Bramble Diagnostics):

| session | date       | kind    | follows |
|---------|------------|---------|---------|
| S1      | 2024-09-10 | kickoff |         |
| S2      | 2025-03-12 | review  | S1      |
| S3      | 2025-09-16 | review  | S2      |
| S4      | 2026-03-10 | review  | S3      |

- Regression at S4: point 6 (sponsors meet) Aldgate 3 -> 1, Bramble 3 -> 2, agreed 1; point 8
  (trust) Aldgate 2 -> 1 while Bramble 2 -> 3.
- Persistent gap: point 3 (mutual benefit) has a spread of 2 or more in all four sessions.
  Point 8 has a gap at S1 and S4 only: not persistent.
- Sponsor meetings: in person at S1 (kick-off) and S2; the one planned in person for S3 was held by
  video; the one planned in person for 2025-12-05 was dropped (missed). At S4 sponsors had met in
  person once in twelve months: cadence not met. At S2 it was met.
- Agreement S3 -> S4: purpose edited (48 -> 24 hours), relational expectations written, the trust
  measure's target raised, the missed meeting removed and a new one planned, training cleared.
"""

from __future__ import annotations

import copy

from facilitator.domain.model import ActionItem, Session, SponsorMeeting
from facilitator.domain.session_factory import create_session, follow_up_session
from facilitator.storage.store import SessionStore

ALLIANCE = "Riverside Care Alliance"
PARTNERS = ["Aldgate Clinics", "Bramble Diagnostics"]
A, B = "aldgate-clinics", "bramble-diagnostics"
DATES = ["2024-09-10", "2025-03-12", "2025-09-16", "2026-03-10"]
IDS = [f"riverside-care-alliance-{d}" for d in DATES]

# Per point: (Aldgate, Bramble) at S1..S4.
SCORES = {
    "joint-framework": [(2, 2), (3, 3), (3, 4), (4, 4)],
    "needs-shared": [(1, 2), (2, 2), (2, 3), (3, 3)],
    "mutual-benefit": [(3, 1), (3, 1), (4, 1), (4, 2)],
    "relational-expectations": [(1, 1), (2, 2), (2, 2), (2, 2)],
    "agreement-beyond-contract": [(2, 2), (3, 3), (3, 3), (3, 3)],
    "sponsors-meet": [(2, 2), (3, 3), (3, 3), (1, 2)],
    "relational-measures": [(0, 1), (1, 1), (2, 2), (2, 2)],
    "trust-indicator": [(1, 3), (2, 2), (2, 2), (1, 3)],
    "partnering-training": [(0, 0), (1, 0), (1, 1), ("?", 1)],
    "joint-communications": [(1, 1), (1, 1), (2, 2), (2, 2)],
}

PURPOSE_S1 = (
    "We shorten diagnostic turnaround for patients across the Riverside district.\n\n"
    "Objective: results within 48 hours for 90% of tests."
)
PURPOSE_S4 = PURPOSE_S1.replace("48 hours", "24 hours")
PROFILES = "Aldgate needs faster results; Bramble needs steady volumes."
GOVERNANCE = "Sponsors meet in person twice a year, alternating sites."
TRAINING = "Both teams attend a partnering workshop in spring."
EXPECTATIONS = "We answer each other's calls within one working day."


def _score(session: Session, index: int) -> None:
    for point, values in SCORES.items():
        a, b = values[index]
        record = session.point(point)
        record.scores = {A: a, B: b}
        record.revealed = True


def build_sessions() -> list[Session]:
    """S1..S4, linked by `follows`, each made the way the app makes it."""
    s1 = create_session(
        ALLIANCE,
        PARTNERS,
        date=DATES[0],
        kind="kickoff",
        facilitator="Noor Haddad",
        sponsors={"Aldgate Clinics": ["Ruth Mensah"], "Bramble Diagnostics": ["Owen Price"]},
    )
    s1.id = IDS[0]
    s1.created_at = f"{DATES[0]}T09:00:00+00:00"
    _score(s1, 0)
    s1.section("purpose").text = PURPOSE_S1
    s1.section("partner-profiles").text = PROFILES
    s1.section("governance").text = "Sponsors meet in person twice a year."
    for measure in s1.measures:  # the room kept the suggested trust measure at the kick-off
        measure.suggested = measure.suggested and "rust" not in measure.name
    s1.tasks = [
        ActionItem("Agree the shared results dashboard", owner="Owen Price", partner=B, due="2025-02-28", id="t1")
    ]
    s1.sponsor_meetings = [
        SponsorMeeting("2024-09-10", "in person", "Kick-off", id="m1"),
        SponsorMeeting("2025-03-12", "in person", "Planned at Aldgate", id="m2"),
    ]

    s2 = follow_up_session(s1, date=DATES[1])
    s2.id = IDS[1]
    s2.created_at = f"{DATES[1]}T09:00:00+00:00"
    _score(s2, 1)
    s2.section("training").text = TRAINING
    s2.sponsor_meetings.append(SponsorMeeting("2025-09-16", "in person", "Planned at Bramble", id="m3"))

    s3 = follow_up_session(s2, date=DATES[2])
    s3.id = IDS[2]
    s3.created_at = f"{DATES[2]}T09:00:00+00:00"
    _score(s3, 2)
    s3.section("governance").text = GOVERNANCE
    held_by_video = next(m for m in s3.sponsor_meetings if m.id == "m3")
    held_by_video.mode, held_by_video.notes = "remote", "Video call: travel freeze"
    s3.sponsor_meetings.append(SponsorMeeting("2025-12-05", "in person", "Planned mid-year check", id="m4"))

    s4 = follow_up_session(s3, date=DATES[3])
    s4.id = IDS[3]
    s4.created_at = f"{DATES[3]}T09:00:00+00:00"
    _score(s4, 3)
    s4.point("sponsors-meet").agreed = 1
    s4.point("sponsors-meet").notes = "The December meeting never happened."
    s4.section("purpose").text = PURPOSE_S4
    s4.section("relational-expectations").text = EXPECTATIONS
    s4.section("training").text = ""
    trust = next(m for m in s4.measures if m.kind == "relational" and "rust" in m.name)
    trust.target = "Average 4.5 of 5 or better"
    s4.sponsor_meetings = [m for m in s4.sponsor_meetings if m.id != "m4"]
    s4.sponsor_meetings.append(SponsorMeeting("2026-06-15", "in person", "Planned at Aldgate", id="m5"))
    return [s1, s2, s3, s4]


def save_sessions(store: SessionStore, sessions: list[Session] | None = None) -> list[str]:
    """Write the sessions into the store with their own ids."""
    for session in sessions or build_sessions():
        store.import_document(copy.deepcopy(session).to_dict())
    return list(IDS)


def damage(store: SessionStore, session_id: str) -> None:
    store.path_for(session_id).write_text('{"session": {"1": {"id": "trunc', encoding="utf-8")
