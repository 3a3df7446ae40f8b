"""The agreement's terms: read and written with older documents unchanged, the version numbered
along the alliance's sessions, finality, and the exit triggers checked against the history."""

from __future__ import annotations

import copy
import json

import pytest
from history_support import IDS, A, B, build_sessions

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain import agreement_checks
from facilitator.domain.agreement_terms import check_review_after_start, check_term
from facilitator.domain.content import load_checklist
from facilitator.domain.demo import build_demo_session
from facilitator.domain.history import build_timeline
from facilitator.domain.model import (
    AgreementTerms,
    EscalationStep,
    ExitTrigger,
    GovernanceBody,
    Session,
    SponsorMeeting,
)
from facilitator.domain.session_factory import create_session, follow_up_session

CHECKLIST = load_checklist(1)


def plain_session() -> Session:
    return create_session("Alliance", ["One Ltd", "Two Ltd"], date="2026-01-10")


def test_a_document_without_terms_reads_as_empty_terms_and_is_written_as_it_was() -> None:
    session = plain_session()
    doc = session.to_dict()
    assert "terms" not in doc and all("legal_name" not in p for p in doc["partners"])
    again = Session.from_dict(json.loads(json.dumps(doc)))
    assert again.terms == AgreementTerms() and again.to_dict() == doc


def test_terms_and_signatories_round_trip_exactly() -> None:
    session = plain_session()
    session.partners[0].legal_name = "One Ltd | *Holdings* \\ plc"
    session.partners[0].signatory = "Zoë <b>Ng</b>"
    session.partners[0].signatory_title = "Chief [x](javascript:alert(1)) Officer"
    session.terms = AgreementTerms(
        version=4,
        effective_date="2026-02-01",
        term="Two years, renewed at each review",
        next_review="2026-08-01",
        governance=[GovernanceBody("Steering committee", "Sponsors", "Twice a year", "Strategy\nand budget")],
        escalation=[EscalationStep("Alliance managers", "10 working days"), EscalationStep("Sponsors", "30 days")],
        deadlock_rule="An independent mediator\n\n  decides.",
        triggers=[ExitTrigger("joint-index-below", 40, 2, consequence="exit")],
    )
    doc = json.loads(json.dumps(session.to_dict()))
    again = Session.from_dict(doc)
    assert again == session and again.to_dict() == session.to_dict()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["terms"].update(effective_date="2026-02-30"), "terms.effective_date"),
        (lambda d: d["terms"].update(next_review="soon"), "terms.next_review"),
        (lambda d: d["terms"].update(version=-1), "terms.version"),
        (lambda d: d["terms"].update(term="two\nyears"), "terms.term"),
        (lambda d: d["terms"]["triggers"][0].update(kind="moon-phase"), r"terms.triggers\[0\].kind"),
        (lambda d: d["terms"]["triggers"][0].update(threshold=101), r"terms.triggers\[0\].threshold"),
        (lambda d: d["terms"]["triggers"][0].pop("threshold"), r"terms.triggers\[0\].threshold: missing"),
        (lambda d: d["terms"]["triggers"][0].update(running=0), r"terms.triggers\[0\].running"),
        (lambda d: d["terms"]["triggers"][0].update(consequence="sue"), r"terms.triggers\[0\].consequence"),
        (lambda d: d["terms"]["governance"].append({"layer": ""}), r"terms.governance\[0\].layer"),
        (lambda d: d["partners"][0].update(signatory="a\nb"), r"partners\[0\].signatory"),
        # A file someone shared: an escape sequence or a bidi override in a one-line cell would act
        # on the terminal, or show the row's words in another order.
        (lambda d: d["terms"].update(term="3 years\u202e"), "terms.term cannot hold control characters"),
        (lambda d: d["terms"].update(deadlock_rule="\x1b[2J"), "terms.deadlock_rule cannot hold control characters"),
        (
            lambda d: d["terms"]["governance"].append({"layer": "Board", "decides": "budget\u2066x"}),
            r"terms.governance\[0\].decides cannot hold control characters",
        ),
        (
            lambda d: d["terms"]["escalation"].append({"who": "Sponsors", "time_limit": "5 days\x9b"}),
            r"terms.escalation\[0\].time_limit cannot hold control characters",
        ),
        (lambda d: d["terms"]["triggers"][0].update(partner="\u202eone-ltd"), r"terms.triggers\[0\].partner"),
    ],
)
def test_bad_terms_are_refused_with_the_path_of_the_field(change, message) -> None:
    session = plain_session()
    session.terms.triggers = [ExitTrigger("joint-index-below", 40)]
    doc = copy.deepcopy(session.to_dict())
    change(doc)
    with pytest.raises(InvalidSession, match=message):
        Session.from_dict(doc)


def test_typed_term_and_dates_are_checked() -> None:
    assert check_term("  3 years ") == "3 years"
    with pytest.raises(InvalidInput, match="one line"):
        check_term("3\nyears")
    with pytest.raises(InvalidInput, match="control characters"):
        check_term("3 years\x1b[31m")
    with pytest.raises(InvalidInput, match="before the effective date"):
        check_review_after_start("2026-05-01", "2026-04-01")
    check_review_after_start("2026-05-01", "")


def test_the_version_counts_along_the_follows_chain() -> None:
    sessions = build_sessions()
    timeline = build_timeline(sessions, IDS[-1])
    assert [agreement_checks.version_label(s, timeline) for s in sessions] == [
        "Version 1",
        "Version 2",
        "Version 3",
        "Version 4",
    ]
    # Without the timeline a follow-up knows only that it follows something.
    assert agreement_checks.version_number(sessions[3]) == 2
    # A version the room set goes on from there; a gap in the chain counts as one session.
    sessions[1].terms.version = 7
    timeline = build_timeline([sessions[0], sessions[1], sessions[3]], IDS[-1])
    assert agreement_checks.version_number(sessions[3], timeline) == 9


def test_a_loop_of_links_counts_each_session_once() -> None:
    """A hand-edited file whose kick-off follows the latest session: four sessions, version 4
    (it said 5), and a session that follows itself is version 1."""
    sessions = build_sessions()
    sessions[0].follows = IDS[3]
    timeline = build_timeline(sessions, IDS[-1])
    assert agreement_checks.version_number(sessions[3], timeline) == 4
    alone = sessions[0]
    alone.follows = alone.id
    assert agreement_checks.version_number(alone, build_timeline([alone], alone.id)) == 1


def test_a_follow_up_carries_the_terms_and_signatories_on() -> None:
    session = plain_session()
    session.partners[0].legal_name, session.partners[0].signatory = "One Limited", "Ana Ruiz"
    session.terms.version, session.terms.deadlock_rule = 3, "Mediator decides."
    review = follow_up_session(session, date="2026-06-01")
    assert review.partners[0].legal_name == "One Limited" and review.partners[0].signatory == "Ana Ruiz"
    assert review.terms.version == 4 and review.terms.deadlock_rule == "Mediator decides."
    assert session.terms.version == 3


def test_final_only_when_every_section_is_agreed_and_endorsed_by_every_partner() -> None:
    session = plain_session()
    keys = [p.key for p in session.partners]
    for section in CHECKLIST.sections:
        draft = session.section(section.key)
        draft.text, draft.agreed, draft.endorsed_by = "Text", True, list(keys)
    assert agreement_checks.is_final(session, CHECKLIST)
    session.section(CHECKLIST.sections[-1].key).endorsed_by = keys[:1]
    assert not agreement_checks.is_final(session, CHECKLIST)
    assert not agreement_checks.is_final(build_demo_session(), CHECKLIST)


def test_joint_index_trigger_needs_k_health_checks_running() -> None:
    sessions = build_sessions()
    timeline = build_timeline(sessions, IDS[-1])
    s4 = sessions[3]
    joint = [agreement_checks._indexes(s)[0] for s in sessions]
    assert joint[2] is not None and joint[3] is not None
    above_both = int(max(joint[2], joint[3])) + 1
    s4.terms.triggers = [
        ExitTrigger("joint-index-below", above_both, 2, consequence="exit"),
        ExitTrigger("joint-index-below", int(min(joint)), 1),
        ExitTrigger("joint-index-below", 100, 9),
    ]
    checks = agreement_checks.check_triggers(s4, timeline)
    assert [c.hit for c in checks] == [True, False, None]
    assert checks[0].reason == f"joint index {joint[2]:g}, {joint[3]:g} (2025-09-16, 2026-03-10)"
    assert checks[2].reason == "4 health checks scored so far"
    hit = agreement_checks.triggers_hit(s4, timeline)
    assert hit == [
        f"Joint health index below {above_both} at 2 health checks running: joint index "
        f"{joint[2]:g}, {joint[3]:g} (2025-09-16, 2026-03-10) (a partner may exit)."
    ]
    # Seen on its own (no history), only this session counts: two running cannot be checked yet.
    assert [c.hit for c in agreement_checks.check_triggers(s4)] == [None, False, None]


def test_partner_index_trigger_names_the_partner_below() -> None:
    sessions = build_sessions()
    timeline = build_timeline(sessions, IDS[-1])
    s4 = sessions[3]
    a_index = agreement_checks._indexes(s4)[1][A]
    b_index = agreement_checks._indexes(s4)[1][B]
    assert a_index is not None and b_index is not None and a_index != b_index
    low, high = sorted([(a_index, A), (b_index, B)])
    s4.terms.triggers = [
        ExitTrigger("partner-index-below", int(high[0]), 1),  # only the lower one is below
        ExitTrigger("partner-index-below", int(high[0]), 1, partner=high[1]),
        ExitTrigger("partner-index-below", 0, 1),
    ]
    checks = agreement_checks.check_triggers(s4, timeline)
    assert [c.hit for c in checks] == [True, False, False]
    assert checks[0].reason.startswith(f"{s4.partner_name(low[1])} {low[0]:g} (")


def test_sponsor_meeting_trigger_uses_the_cadence_of_the_alliance() -> None:
    sessions = build_sessions()
    timeline = build_timeline(sessions, IDS[-1])
    s2, s4 = sessions[1], sessions[3]
    s2.terms.triggers = [ExitTrigger("sponsor-meetings-below", 2)]
    s4.terms.triggers = [ExitTrigger("sponsor-meetings-below", 2)]
    assert [c.hit for c in agreement_checks.check_triggers(s2, timeline)] == [False]
    (check,) = agreement_checks.check_triggers(s4, timeline)
    assert check.hit and check.reason == "they met in person once in the 12 months to 2026-03-10"
    assert check.criterion == "sponsors met in person fewer than twice in 12 months"


def test_a_namesake_session_not_in_the_agreement_changes_no_trigger() -> None:
    """Only the sessions this one follows, back to its kick-off, count: a session that merely
    shares the alliance's name (a practice run, a file someone shared) with every score 0 and
    three in-person meetings must not make a trigger hit or hide one (red team)."""
    sessions = build_sessions()
    s4 = sessions[3]
    s4.terms.triggers = [ExitTrigger("joint-index-below", 60, 2), ExitTrigger("sponsor-meetings-below", 2)]
    before = [(c.hit, c.reason) for c in agreement_checks.check_triggers(s4, build_timeline(sessions, IDS[-1]))]
    namesake = create_session(s4.alliance.upper(), ["One Ltd", "Two Ltd"], date="2026-03-01")
    for point in CHECKLIST.points:
        for partner in namesake.partners:
            namesake.set_score(point.key, partner.key, 0)
    namesake.sponsor_meetings = [SponsorMeeting(d, "in person") for d in ("2025-06-01", "2025-10-01", "2026-01-01")]
    timeline = build_timeline([*sessions, namesake], IDS[-1])
    assert namesake in timeline.sessions  # the history shows it; the agreement does not count it
    assert [(c.hit, c.reason) for c in agreement_checks.check_triggers(s4, timeline)] == before


def test_a_partner_without_an_index_makes_its_trigger_not_checkable() -> None:
    session = plain_session()
    one, two = session.partners
    for point in CHECKLIST.points:
        session.set_score(point.key, one.key, "?")
        session.set_score(point.key, two.key, 4)
    session.terms.triggers = [ExitTrigger("partner-index-below", 60, 1)]
    (check,) = agreement_checks.check_triggers(session)
    assert check.hit is None and check.reason == "no index for One Ltd (2026-01-10)"


def test_editing_the_roster_keeps_legal_names_and_signatories() -> None:
    from facilitator.domain.roster import PartnerEntry, apply_roster

    session = plain_session()
    first = session.partners[0]
    first.legal_name, first.signatory, first.signatory_title = "One Limited", "Ana Ruiz", "CEO"
    entries = [PartnerEntry.of(p) for p in session.partners]
    entries[0].name = "One Renamed"
    apply_roster(session, entries + [PartnerEntry("Three Ltd")])
    renamed = session.partners[0]
    assert (renamed.name, renamed.legal_name, renamed.signatory, renamed.signatory_title) == (
        "One Renamed",
        "One Limited",
        "Ana Ruiz",
        "CEO",
    )
    assert session.partners[2].legal_name == ""
