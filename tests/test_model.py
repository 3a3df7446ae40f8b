"""The session model: full validation of documents (naming the bad field), round trips, migration."""

from __future__ import annotations

import copy
import json

import pytest
from store_support import v1_document

from facilitator.base.errors import InvalidSession, NewerSchema
from facilitator.domain.model import SCHEMA_VERSION, Session
from facilitator.domain.score_values import DONT_KNOW, NOT_APPLICABLE
from facilitator.domain.validation import (
    MAX_ITEMS,
    MAX_NAME,
    MAX_TEXT,
)
from facilitator.storage.migrations import migrate


@pytest.fixture
def doc(sample_session) -> dict:
    sample_session.id = "coastal-corridor-alliance-2026-03-02"
    return sample_session.to_dict()


def test_round_trip_is_exact(sample_session, doc):
    again = Session.from_dict(json.loads(json.dumps(doc)))
    assert again.to_dict() == doc
    assert again.partners == sample_session.partners
    assert again.points["mutual-benefit"].scores == sample_session.points["mutual-benefit"].scores
    assert again.actions == sample_session.actions


def test_round_trip_keeps_every_shape(doc):
    # Specials, agreed scores, endorsements, timers, every list: all survive the JSON trip.
    doc["points"]["trust-indicator"]["agreed"] = 0
    doc["sections"]["purpose"]["endorsed_by"] = ["northwind-logistics"]
    doc["agenda"]["elapsed"] = {"welcome": 312.5}
    doc["agenda"]["timebox"] = {"welcome": 10}
    doc["roles"][0]["partner"] = ""
    session = Session.from_dict(doc)
    assert session.points["relational-expectations"].scores["meridian-data-systems"] == DONT_KNOW
    assert session.points["trust-indicator"].scores["meridian-data-systems"] == NOT_APPLICABLE
    assert session.to_dict() == doc


def _set(doc: dict, path: str, value):
    *parents, last = path.split("/")
    target = doc
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is _DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


_DELETE = object()


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("alliance", _DELETE, "alliance: missing."),
        ("date", _DELETE, "date: missing."),
        ("schema_version", "2", "schema_version: expected a whole number, found text."),
        ("schema_version", True, "schema_version: expected a whole number, found true/false."),
        ("alliance", 42, "alliance: expected text, found a whole number."),
        ("alliance", "  ", "alliance cannot be empty."),
        ("alliance", "Two\nlines", "alliance must fit on one line."),
        ("alliance", "x" * (MAX_NAME + 1), "alliance is too long"),
        ("partners", {}, "partners: expected a list, found an object."),
        ("partners/1/name", 5, "partners[1].name: expected text, found a whole number."),
        ("partners/0/sponsors", ["Amara", 3], "partners[0].sponsors[1]: expected text, found a whole number."),
        ("partners/2", "Meridian", "partners[2]: expected an object, found text."),
        ("date", "2026-02-30", "date '2026-02-30' does not exist in the calendar."),
        ("date", "02/03/2026", "date '02/03/2026' is not a date"),
        ("date", None, "date: expected text, found null."),
        ("next_meeting", "soon", "next_meeting 'soon' is not a date"),
        ("actions/0/due", "31/12/2026", "actions[0].due '31/12/2026' is not a date"),
        ("actions/1/status", "finished", "actions[1].status: 'finished' is not one of open, done."),
        ("measures/0/kind", "moral", "measures[0].kind: 'moral' is not one of economic, relational."),
        ("sponsor_meetings/0/mode", "telepathy", "sponsor_meetings[0].mode: 'telepathy' is not one of"),
        (
            "points/joint-framework/scores/northwind-logistics",
            5,
            "points.joint-framework.scores.northwind-logistics: 5 is not a score",
        ),
        # A fractional score is a mean of remote votes: 0-4 with at most two decimals, nothing else.
        (
            "points/joint-framework/scores/northwind-logistics",
            4.5,
            "points.joint-framework.scores.northwind-logistics: 4.5 is not a score",
        ),
        (
            "points/joint-framework/scores/northwind-logistics",
            2.333,
            "points.joint-framework.scores.northwind-logistics: 2.333 is not a score",
        ),
        (
            "points/joint-framework/votes",
            {"northwind-logistics": {"ana": {"name": "Ana", "score": 2.5}}},
            "points.joint-framework.votes.northwind-logistics.ana.score: 2.5 is not a score",
        ),
        (
            "points/joint-framework/votes",
            {"northwind-logistics": {"ana": {"score": 2}}},
            "points.joint-framework.votes.northwind-logistics.ana.name: missing.",
        ),
        (
            "points/joint-framework/scores/northwind-logistics",
            False,
            "points.joint-framework.scores.northwind-logistics: true/false is not a score",
        ),
        ("points/joint-framework/agreed", 7, "points.joint-framework.agreed: 7 is not a score from 0 to 4."),
        ("points/joint-framework/revealed", "yes", "points.joint-framework.revealed: expected true/false, found text."),
        (
            "points/joint-framework/notes",
            "bad \ud800 paste",
            "points.joint-framework.notes contains a character that cannot be saved",
        ),
        ("sections/purpose/text", "x" * (MAX_TEXT + 1), "sections.purpose.text is too long"),
        ("facilitator", "\udfff", "facilitator contains a character that cannot be saved"),
        (
            "agenda/elapsed",
            {"welcome": -3},
            "agenda.elapsed.welcome: expected a number of seconds (0 to 604,800), found -3.",
        ),
        ("agenda/timebox", {"welcome": "ten"}, "agenda.timebox.welcome: expected minutes."),
        ("agenda/current_point", "1", "agenda.current_point: expected a whole number, found text."),
        ("id", "Not An Id", "id: 'Not An Id' is not a session id"),
        ("id", "../../etc/passwd", "is not a session id"),
        ("checklist_version", [1], "checklist_version: expected a whole number, found a list."),
    ],
)
def test_from_dict_names_the_bad_field(doc, path, value, message):
    _set(doc, path, value)
    with pytest.raises(InvalidSession) as caught:
        Session.from_dict(doc)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_from_dict_refuses_other_documents(doc):
    for data, message in [
        ([], "document: expected an object, found a list."),
        ("text", "document: expected an object, found text."),
        (None, "document: expected an object, found null."),
    ]:
        with pytest.raises(InvalidSession, match=message):
            Session.from_dict(data)
    doc["schema_version"] = 1
    with pytest.raises(InvalidSession, match="schema_version 1 is not 2; migrate it first."):
        Session.from_dict(doc)


def test_partner_rules(doc):
    one = copy.deepcopy(doc)
    one["partners"] = one["partners"][:1]
    with pytest.raises(InvalidSession, match="at least two partner organisations"):
        Session.from_dict(one)
    twins = copy.deepcopy(doc)
    twins["partners"][1]["key"] = twins["partners"][0]["key"]
    with pytest.raises(InvalidSession, match="two partners share the same key"):
        Session.from_dict(twins)


def test_too_many_items(doc):
    doc["actions"] = [doc["actions"][0]] * (MAX_ITEMS + 1)
    with pytest.raises(InvalidSession, match=r"actions: too many entries \(2001\)"):
        Session.from_dict(doc)


def test_messages_quote_hostile_values_briefly(doc):
    doc["date"] = "2026-01-01\n" + "x" * 1_000_000
    with pytest.raises(InvalidSession) as caught:
        Session.from_dict(doc)
    assert len(str(caught.value)) < 200 and "\n" not in str(caught.value)
    doc["date"] = "2026-03-02"
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    doc["points"]["joint-framework"]["scores"]["northwind-logistics"] = nested
    with pytest.raises(InvalidSession, match="a list is not a score"):
        Session.from_dict(doc)


def test_missing_optional_fields_take_defaults():
    minimal = {
        "schema_version": SCHEMA_VERSION,
        "id": "a-2026-01-01",
        "alliance": "A",
        "date": "2026-01-01",
        "partners": [{"key": "x", "name": "X"}, {"key": "y", "name": "Y"}],
    }
    session = Session.from_dict(minimal)
    assert session.kind == "kickoff" and session.points == {} and session.agenda.step == "welcome"
    assert Session.from_dict(session.to_dict()).to_dict() == session.to_dict()


# -- version 1 documents ----------------------------------------------------------------------------


def test_v1_document_migrates_every_shape():
    original = v1_document()
    before = copy.deepcopy(original)
    migrated, changed = migrate(original)
    assert changed and original == before  # the input is never modified
    session = Session.from_dict(migrated)
    assert [(p.key, p.name, p.sponsors) for p in session.partners] == [
        ("northwind-logistics", "Northwind Logistics", ["Amara Okafor"]),
        ("cafe-united", "Café Ünited", ["Zoë Brandt", "李雷"]),
        ("northwind-logistics-2", "Northwind Logistics!", []),
    ]
    # null meant "not scored yet": left out; '?' and 'n/a' kept.
    assert session.points["needs-shared"].scores == {"northwind-logistics": 2, "northwind-logistics-2": "?"}
    assert session.points["mutual-benefit"].scores == {
        "northwind-logistics": 0,
        "cafe-united": "n/a",
        "northwind-logistics-2": 1,
    }
    assert session.points["trust-indicator"].scores == {}
    assert session.points["sponsors-meet"].notes.endswith("🤝") and session.points["sponsors-meet"].scores == {}
    assert session.points["joint-framework"].revealed
    assert session.sections["governance"].text.startswith("Sponsors meet twice")
    assert [(a.text, a.status, a.due) for a in session.actions] == [
        ("Draft the joint framework v2", "done", "2025-07-01"),
        ("Propose a trust survey", "open", ""),
        ("Book a partnering workshop", "open", ""),
    ]
    assert [m.kind for m in session.measures] == ["relational", "economic"]
    assert session.next_meeting == "2025-12-01" and session.follows == "harbour-alliance-2025-01-15"
    assert migrate(v1_document())[0] == migrated  # deterministic: same file, same document


def test_migrate_refuses_newer_and_broken_documents(doc):
    doc["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(NewerSchema, match="newer facilitator"):
        migrate(doc)
    for bad in ([], {"schema_version": "1"}, {"schema_version": 0}, {"schema_version": True}):
        with pytest.raises(InvalidSession, match="not a facilitator session"):
            migrate(bad)
    broken = v1_document()
    broken["partners"] = [{"name": "A"}]
    with pytest.raises(InvalidSession, match="partners"):
        migrate(broken)
    deep = v1_document()
    nested: list = []
    for _ in range(3000):
        nested = [nested]
    deep["measures"] = nested
    with pytest.raises(InvalidSession):
        migrate(deep)
