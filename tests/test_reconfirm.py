"""Sections carried into a follow-up review say what they were, and when; the room re-confirms them."""

from __future__ import annotations

import pytest

from facilitator.base.errors import InvalidInput
from facilitator.domain.content import load_checklist
from facilitator.domain.model import Session
from facilitator.domain.reconfirm import can_reconfirm, carried_note, reconfirm
from facilitator.domain.scoring import section_status
from facilitator.domain.session_factory import create_session, follow_up_session
from facilitator.reports.render import render

CHECKLIST = load_checklist(1)
ALL = ["acme", "beta", "gamma"]


def kickoff() -> Session:
    session = create_session("Tri-Port", ["Acme", "Beta", "Gamma"], date="2026-06-01")
    session.id = "tri-port-2026-06-01"
    purpose = session.section("purpose")
    purpose.text, purpose.agreed, purpose.endorsed_by = "Move freight together.", True, list(ALL)
    profiles = session.section("partner-profiles")
    profiles.text, profiles.endorsed_by = "Acme needs volume.", ["acme"]
    session.section("relational-expectations").text = "We say what we think."
    return session


def status(session: Session, key: str) -> str:
    return section_status(session, CHECKLIST, key)


def test_a_review_says_what_each_section_was_at_the_kick_off():
    review = follow_up_session(kickoff(), date="2026-09-01")
    assert status(review, "purpose") == "to re-confirm"
    assert carried_note(review, "purpose") == (
        "Agreed and endorsed by all 3 at the kick-off on 2026-06-01 — re-confirm if it still holds."
    )
    assert status(review, "partner-profiles") == "draft"
    assert (
        carried_note(review, "partner-profiles")
        == "Endorsed by Acme (1 of 3) at the kick-off on 2026-06-01, not agreed."
    )
    assert (
        status(review, "relational-expectations") == "draft" and carried_note(review, "relational-expectations") == ""
    )
    # Kept in the file, and read back.
    again = Session.from_dict(review.to_dict())
    assert again.sections["purpose"].carried == review.sections["purpose"].carried
    assert "carried" not in kickoff().to_dict()["sections"]["purpose"], "a kick-off's document is as it was"


def test_reconfirming_restores_the_sign_off_for_the_partners_still_there():
    review = follow_up_session(kickoff(), date="2026-09-01")
    assert can_reconfirm(review, "purpose") and not can_reconfirm(review, "partner-profiles")
    assert reconfirm(review, "purpose")
    purpose = review.sections["purpose"]
    assert purpose.agreed and purpose.endorsed_by == ALL and status(review, "purpose") == "agreed"
    assert carried_note(review, "purpose").endswith("; agreed again in this session.")
    assert not reconfirm(review, "purpose") and not reconfirm(review, "partner-profiles")


def test_a_section_changed_since_is_agreed_afresh():
    review = follow_up_session(kickoff(), date="2026-09-01")
    review.sections["purpose"].text = "Move freight and people together."
    assert status(review, "purpose") == "draft" and not can_reconfirm(review, "purpose")
    assert carried_note(review, "purpose").endswith("; changed since, so it is agreed and endorsed afresh.")
    review.sections["purpose"].text = "Move freight together.\n"  # back as it was (ends do not count)
    assert status(review, "purpose") == "to re-confirm"


def test_not_re_confirmed_in_one_review_it_still_says_when_it_was_agreed_in_the_next():
    first = follow_up_session(kickoff(), date="2026-09-01")
    first.id = "tri-port-2026-09-01"
    second = follow_up_session(first, date="2027-03-01")
    assert carried_note(second, "purpose").startswith("Agreed and endorsed by all 3 at the kick-off on 2026-06-01")
    reconfirm(first, "purpose")
    third = follow_up_session(first, date="2027-03-01")
    assert carried_note(third, "purpose").startswith("Agreed and endorsed by all 3 at the review on 2026-09-01")


def test_the_exported_agreement_says_so_too():
    review = follow_up_session(kickoff(), date="2026-09-01")
    text = render(review, "agreement")
    assert "To re-confirm (agreed and endorsed by all 3 at the kick-off on 2026-06-01)" in text


def test_a_review_must_come_after_the_session_it_follows():
    for day in ("2026-06-01", "2026-05-31"):
        with pytest.raises(InvalidInput, match="must be later than the session it follows"):
            follow_up_session(kickoff(), date=day)


def test_the_command_line_review_carries_the_same(cli, store):
    with store.create(kickoff()) as opened:
        kickoff_id = opened.id
    result = cli("new", "--follows", kickoff_id, "--date", "2026-09-01")
    assert result.returncode == 0, result.stderr
    review = store.load(result.stdout.strip())
    assert review.date == "2026-09-01" and status(review, "purpose") == "to re-confirm"
    shown = cli("show", review.id).stdout
    assert "Purpose" in shown and "to re-confirm" in shown
