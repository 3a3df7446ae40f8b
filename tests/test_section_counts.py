"""Section statuses count what the room wrote, tables included, and the counts always add up."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.domain import scoring
from facilitator.domain.content import load_checklist
from facilitator.domain.model import ActionItem, Measure, Role, SponsorMeeting
from facilitator.domain.session_factory import create_session
from facilitator.reports import render as reports

CHECKLIST = load_checklist(1)
SCORES = st.sampled_from([0, 1, 2, 3, 4, "?", "n/a", None])


def test_a_section_with_only_table_rows_is_a_draft():
    session = create_session("Table Alliance", ["Acme", "Globex", "Initech"], date="2026-03-02")
    assert scoring.section_status(session, CHECKLIST, "governance") == "empty"
    session.sponsor_meetings.append(SponsorMeeting("2026-06-01", "in person"))
    assert scoring.section_status(session, CHECKLIST, "governance") == "draft"
    session.roles.append(Role("", "Ana Ruiz", "Runs the monthly call"))
    assert scoring.section_status(session, CHECKLIST, "roles") == "draft"
    session.tasks.append(ActionItem("Shared dashboard"))
    assert scoring.section_status(session, CHECKLIST, "work-plan") == "draft"


def test_suggested_measures_are_not_content_until_kept():
    session = create_session("Table Alliance", ["Acme", "Globex"], date="2026-03-02")
    assert session.measures and all(m.suggested for m in session.measures)
    assert scoring.section_status(session, CHECKLIST, "mutual-benefits") == "empty"
    session.measures[0].suggested = False
    assert scoring.section_status(session, CHECKLIST, "mutual-benefits") == "draft"


def test_the_agreement_document_says_draft_above_its_own_rows():
    session = create_session("Table Alliance", ["Acme", "Globex"], date="2026-03-02")
    session.sponsor_meetings.append(SponsorMeeting("2026-06-01", "in person", "Lisbon"))
    text = reports.render(session, "agreement")
    governance = text.split("## 7. ", 1)[1].split("\n## ", 1)[0]
    assert "**Status:** Draft" in governance and "Lisbon" in governance


@st.composite
def sessions(draw):
    partners = draw(
        st.lists(
            st.sampled_from(["Acme", "Globex", "Initech", "Umbrella", "Hooli"]), min_size=2, max_size=5, unique=True
        )
    )
    session = create_session("Counted Alliance", partners, date="2026-03-02")
    for point in CHECKLIST.points:
        for partner in session.partners:
            value = draw(SCORES)
            if value is not None:
                session.set_score(point.key, partner.key, value)
        if draw(st.booleans()):
            session.point(point.key).agreed = draw(st.integers(0, 4))
    for section in CHECKLIST.sections:
        draft = session.section(section.key)
        draft.text = draw(st.sampled_from(["", "  ", "Some text"]))
        draft.agreed = draw(st.booleans())
    for measure in session.measures:
        measure.suggested = draw(st.booleans())
    if draw(st.booleans()):
        session.measures.append(Measure("Our own trust survey"))
    session.roles = [Role("", "Ana", "Calls")] * draw(st.integers(0, 2))
    session.tasks = [ActionItem("Task")] * draw(st.integers(0, 2))
    session.sponsor_meetings = [SponsorMeeting("2026-01-01", "remote")] * draw(st.integers(0, 2))
    return session


@settings(max_examples=150, deadline=None)
@given(sessions())
def test_every_section_is_counted_once(session):
    counts = scoring.section_counts(session, CHECKLIST)
    assert set(counts) == set(scoring.SECTION_STATUSES)
    assert sum(counts.values()) == len(CHECKLIST.sections) == 12
    statuses = [scoring.section_status(session, CHECKLIST, s.key) for s in CHECKLIST.sections]
    assert counts == {status: statuses.count(status) for status in scoring.SECTION_STATUSES}
