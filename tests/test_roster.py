"""The partner roster: one set of checks wherever partners are named, and edits that keep a
renamed partner's scores, votes, endorsements and roles attached to it."""

from __future__ import annotations

import pytest

from facilitator.base.errors import InvalidInput
from facilitator.domain.model import ActionItem, Role, Session, Vote
from facilitator.domain.roster import PartnerEntry, apply_roster, check_roster, removed_partners
from facilitator.domain.session_factory import create_session


def three_partners() -> Session:
    session = create_session("Tri-Port", ["Acme", "Beta", "Gamma"], date="2026-06-01", sponsors={"Gamma": ["Kim Lund"]})
    for partner, score in (("acme", 3), ("beta", 1), ("gamma", 4)):
        session.set_score("joint-framework", partner, score)
    session.point("trust-indicator").votes["gamma"] = {"p1": Vote("Kim Lund", 2)}
    session.section("purpose").endorsed_by = ["acme", "gamma"]
    session.roles.append(Role(partner="gamma", person="Kim Lund", responsibility="Sponsor"))
    session.actions.append(ActionItem("Send the figures", partner="gamma"))
    return session


def entries(session: Session) -> list[PartnerEntry]:
    return [PartnerEntry.of(p) for p in session.partners]


def test_check_roster_names_each_problem_by_row_and_field():
    problems = check_roster(
        [PartnerEntry("Acme"), PartnerEntry(" "), PartnerEntry("ACME"), PartnerEntry("Beta", sponsors=["x" * 201])]
    )
    assert problems.rows == {
        1: ("name", "Name this partner organisation."),
        2: (
            "name",
            "“ACME” is already partner 1: each partner is named once (capitals and look-alike letters do not count).",
        ),
        3: ("sponsors", "A sponsor's name is too long (201 characters, at most 200)."),
    }
    assert problems.first() == "Partner 2: name this partner organisation."
    assert check_roster([PartnerEntry("Solo")]).overall == "A session needs at least two partner organisations."
    assert not check_roster([PartnerEntry("A"), PartnerEntry("B", ["Ana"], ["Bo"])])


def test_renaming_a_partner_keeps_everything_attached_to_it():
    session = three_partners()
    edited = entries(session)
    edited[2].name, edited[2].sponsors, edited[2].participants = "Gamma Rail & Sea", ["Kim Lund", "Ola Nord"], ["Per"]
    apply_roster(session, edited)
    gamma = session.partners[2]
    assert (gamma.key, gamma.name, gamma.sponsors, gamma.participants) == (
        "gamma",
        "Gamma Rail & Sea",
        ["Kim Lund", "Ola Nord"],
        ["Per"],
    )
    assert session.points["joint-framework"].scores == {"acme": 3, "beta": 1, "gamma": 4}
    assert "gamma" in session.points["trust-indicator"].votes
    assert session.sections["purpose"].endorsed_by == ["acme", "gamma"]
    assert session.roles[0].partner == "gamma" and session.partner_name("gamma") == "Gamma Rail & Sea"


def test_removing_a_partner_says_what_goes_and_clears_it():
    session = three_partners()
    kept = [e for e in entries(session) if e.key != "gamma"] + [PartnerEntry("Gamma")]  # a new one, same name
    (gone,) = removed_partners(session, kept)
    assert gone.describe() == (
        "Gamma: its 2 scores and 1 endorsement will be deleted; 2 roles, tasks or actions "
        "naming it will stay, for no partner."
    )
    apply_roster(session, kept)
    assert [p.key for p in session.partners] == ["acme", "beta", "gamma-2"], "a new partner never inherits a key"
    assert session.points["joint-framework"].scores == {"acme": 3, "beta": 1}
    assert "gamma" not in session.points["trust-indicator"].votes
    assert session.sections["purpose"].endorsed_by == ["acme"]
    assert session.roles[0].partner == "" and session.actions[-1].partner == ""
    assert session.roles[0].person == "Kim Lund", "the role itself is kept"
    assert not removed_partners(session, entries(session))


def test_a_bad_roster_changes_nothing():
    session = three_partners()
    before = session.to_dict()
    for bad in (
        [PartnerEntry("Acme", key="acme")],
        [PartnerEntry("Acme", key="acme"), PartnerEntry("acme", key="beta")],
    ):
        with pytest.raises(InvalidInput):
            apply_roster(session, bad)
    assert session.to_dict() == before
