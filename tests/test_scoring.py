"""Scoring maths: mean/min/max/spread, '?' and 'n/a' kept but left out of averages, perception gaps,
partner and joint indexes 0-100, the agreed score overriding the mean, sections to address."""

from __future__ import annotations

from statistics import fmean

import pytest

from facilitator.base.errors import InvalidInput, InvalidSession
from facilitator.domain.content import load_checklist
from facilitator.domain.demo import SCORES
from facilitator.domain.formatting import format_index, format_mean
from facilitator.domain.scoring import (
    all_point_stats,
    discussion_order,
    joint_index,
    partner_index,
    partner_indexes,
    point_stats,
    scoring_progress,
    section_status,
    sections_to_address,
    to_index,
)
from facilitator.domain.session_factory import create_session

CHECKLIST = load_checklist(1)


@pytest.fixture
def session():
    """Two partners; four points scored to exercise every rule, six left unscored."""
    s = create_session("Test Alliance", ["Alpha", "Beta"], date="2026-01-10")
    s.set_score("joint-framework", "alpha", 4)
    s.set_score("joint-framework", "beta", 2)  # spread 2: a perception gap
    s.set_score("needs-shared", "alpha", 1)
    s.set_score("needs-shared", "beta", "?")  # kept, but not averaged
    s.set_score("mutual-benefit", "alpha", "n/a")
    s.set_score("mutual-benefit", "beta", "?")  # nothing numeric at all
    s.set_score("sponsors-meet", "alpha", 3)
    s.set_score("sponsors-meet", "beta", 4)
    s.point("sponsors-meet").agreed = 1  # the room settled lower than the mean
    return s


def test_mean_min_max_spread(session):
    stats = point_stats(session, "joint-framework")
    assert (stats.mean, stats.low, stats.high, stats.spread) == (3.0, 2, 4, 2)
    assert stats.gaps == {("alpha", "beta"): 2}
    assert stats.value == 3.0 and stats.complete and not stats.weak


def test_dont_know_and_not_applicable_are_kept_but_not_averaged(session):
    stats = point_stats(session, "needs-shared")
    assert stats.scores == {"alpha": 1, "beta": "?"}
    assert stats.numeric == {"alpha": 1}
    assert (stats.mean, stats.spread) == (1.0, 0)
    assert stats.complete  # '?' is an answer: nobody is missing

    only_specials = point_stats(session, "mutual-benefit")
    assert only_specials.scores == {"alpha": "n/a", "beta": "?"}
    assert only_specials.numeric == {}
    assert only_specials.mean is None and only_specials.spread is None and only_specials.value is None
    assert not only_specials.discuss and not only_specials.weak


def test_unscored_point_lists_missing_partners(session):
    stats = point_stats(session, "training-that-does-not-exist")
    assert stats.missing == ("alpha", "beta") and stats.mean is None and not stats.complete


@pytest.mark.parametrize(
    "scores, discuss", [((0, 1), False), ((1, 3), True), ((0, 4), True), ((2, 2), False), ((3, "?"), False)]
)
def test_discussion_flag_at_spread_of_two(scores, discuss):
    s = create_session("A", ["Alpha", "Beta"], date="2026-01-10")
    for key, value in zip(("alpha", "beta"), scores):
        s.set_score("joint-framework", key, value)
    assert point_stats(s, "joint-framework").discuss is discuss


def test_three_partners_gaps_per_pair():
    s = create_session("A", ["Alpha", "Beta", "Gamma"], date="2026-01-10")
    for key, value in zip(("alpha", "beta", "gamma"), (0, 3, "?")):
        s.set_score("trust-indicator", key, value)
    stats = point_stats(s, "trust-indicator")
    assert stats.gaps == {("alpha", "beta"): 3}
    assert stats.spread == 3 and stats.discuss


def test_agreed_score_overrides_mean(session):
    stats = point_stats(session, "sponsors-meet")
    assert stats.mean == 3.5 and stats.agreed == 1 and stats.value == 1.0
    assert stats.weak  # weak by the agreed score, although the mean is 3.5
    assert not stats.discuss  # spread is 1


def test_partner_and_joint_index(session):
    # Alpha scored 4, 1, 3 (n/a left out); Beta 2, 4 ('?' left out).
    assert partner_index(session, CHECKLIST, "alpha") == round(fmean([4, 1, 3]) / 4 * 100, 1) == 66.7
    assert partner_indexes(session, CHECKLIST) == {"alpha": 66.7, "beta": 75.0}
    # Point values: 3 (mean), 1 (mean), 1 (agreed, not the 3.5 mean); unscored points left out.
    assert joint_index(session, CHECKLIST) == round(fmean([3, 1, 1]) / 4 * 100, 1) == 41.7


def test_indexes_of_an_unscored_session_are_none():
    s = create_session("A", ["Alpha", "Beta"], date="2026-01-10")
    assert joint_index(s, CHECKLIST) is None
    assert partner_indexes(s, CHECKLIST) == {"alpha": None, "beta": None}
    assert format_index(None) == "-" and format_mean(None) == "-"


def test_index_bounds():
    s = create_session("A", ["Alpha", "Beta"], date="2026-01-10")
    for point in CHECKLIST.points:
        s.set_score(point.key, "alpha", 4)
        s.set_score(point.key, "beta", 4)
    assert joint_index(s, CHECKLIST) == 100.0
    for point in CHECKLIST.points:
        s.set_score(point.key, "alpha", 0)
        s.set_score(point.key, "beta", 0)
    assert joint_index(s, CHECKLIST) == 0.0
    assert to_index(2) == 50.0 and to_index(None) is None


def test_scores_of_a_partner_no_longer_in_the_session_are_ignored(session):
    session.point("joint-framework").scores["ghost"] = 0
    stats = point_stats(session, "joint-framework")
    assert "ghost" not in stats.scores and stats.low == 2


def test_demo_joint_index_matches_a_hand_computation(sample_session):
    values = []
    for scores in SCORES.values():
        numeric = [v for v in scores if isinstance(v, int)]
        if numeric:
            values.append(fmean(numeric))
    assert joint_index(sample_session, CHECKLIST) == round(fmean(values) / 4 * 100, 1)
    flagged = {s.key for s in all_point_stats(sample_session, CHECKLIST) if s.discuss}
    assert flagged == {
        k
        for k, v in SCORES.items()
        if len([x for x in v if isinstance(x, int)]) > 1
        and max(x for x in v if isinstance(x, int)) - min(x for x in v if isinstance(x, int)) >= 2
    }


def test_sections_to_address(session):
    # Gap on joint-framework; weak needs-shared (mean 1) and sponsors-meet (agreed 1).
    assert sections_to_address(session, CHECKLIST) == {
        "purpose",
        "partner-profiles",
        "governance",
        "disagreements",
        "endorsement",
    }


def test_section_status(session):
    assert section_status(session, CHECKLIST, "governance") == "to address"
    assert section_status(session, CHECKLIST, "training") == "empty"
    session.section("governance").text = "Sponsors meet in May and November."
    assert section_status(session, CHECKLIST, "governance") == "draft"
    session.section("governance").agreed = True
    assert section_status(session, CHECKLIST, "governance") == "agreed"
    session.section("training").text = "   \n"
    assert section_status(session, CHECKLIST, "training") == "empty"


def test_discussion_order_widest_gap_first_then_weakest(session):
    order = [s.key for s in discussion_order(all_point_stats(session, CHECKLIST))]
    assert order == ["joint-framework", "sponsors-meet", "needs-shared"]


def test_scoring_progress_counts_specials_as_entered(session):
    assert scoring_progress(session, CHECKLIST) == (8, 20)


def test_set_score_refuses_unknown_partner_and_bad_values(session):
    with pytest.raises(InvalidInput, match="No partner 'gamma'"):
        session.set_score("joint-framework", "gamma", 2)
    for bad in (5, -1, "x", True, 2.0):
        with pytest.raises(InvalidSession):
            session.set_score("joint-framework", "alpha", bad)
    session.set_score("joint-framework", "alpha", None)
    assert point_stats(session, "joint-framework").missing == ("alpha",)
