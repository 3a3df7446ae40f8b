"""Finding sessions: `facilitator list` with --alliance, --partner, --sponsor, --facilitator, --kind,
--since, --until and --status, alone and combined, and the same filter as the session list runs it."""

from __future__ import annotations

import json

import pytest

from facilitator.cli import main
from facilitator.domain.session_factory import create_session
from facilitator.storage.session_query import SessionFilter, matching, parse_filter_text
from facilitator.storage.store import SessionStore

SESSIONS = [  # alliance, partners, sponsors by partner, facilitator, kind, date
    ("Coastal Way", ["Northwind", "Harbourline"], {"Northwind": ["Ada Lee"]}, "Sam Reyes", "kickoff", "2026-01-10"),
    ("Coastal Way", ["Northwind", "Harbourline"], {"Harbourline": ["Bo Chen"]}, "Sam Reyes", "review", "2026-04-10"),
    ("Mountain Pact", ["Zoë Systems", "Acme"], {"Acme": ["Ada Lee", "Cy Moss"]}, "Ines Ortiz", "kickoff", "2026-02-01"),
    ("River Link", ["Acme", "Delta Ports"], {}, "", "review", "2026-06-30"),
]


@pytest.fixture
def folder(store: SessionStore, data_dir):
    ids = []
    for alliance, partners, sponsors, facilitator, kind, date in SESSIONS:
        session = create_session(alliance, partners, sponsors=sponsors, facilitator=facilitator, kind=kind, date=date)
        with store.create(session) as opened:
            ids.append(opened.id)
    (data_dir / "broken-2026-03-03.json").write_text("{ not json", encoding="utf-8")
    return ids


def listed(capsys, data_dir, *options: str) -> list[str]:
    """The ids `facilitator list --json OPTIONS` prints, in its order."""
    assert main(["--data-dir", str(data_dir), "list", "--json", *options]) == 0
    return [entry["id"] for entry in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], [3, 1, 2, 0, "broken"]),  # newest first; a file that cannot be read has no date
        (["--alliance", "coastal"], [1, 0]),  # part of the name, any case
        (["--alliance", "WAY"], [1, 0]),
        (["--partner", "acme"], [3, 2]),
        (["--partner", "zoë"], [2]),  # accents kept, case ignored
        (["--sponsor", "ada"], [2, 0]),
        (["--facilitator", "reyes"], [1, 0]),
        (["--kind", "review"], [3, 1]),
        (["--kind", "Review"], [3, 1]),  # any case, as the session list's kind:Review
        (["--since", "2026-02-01"], [3, 1, 2]),
        (["--until", "2026-02-01"], [2, 0]),  # both ends included; the damaged file has no date
        (["--since", "2026-02-01", "--until", "2026-04-10"], [1, 2]),
        (["--status", "damaged"], ["broken"]),
        (["--status", "ok"], [3, 1, 2, 0]),
        (["--status", "DAMAGED"], ["broken"]),
        (["--partner", "acme", "--kind", "kickoff"], [2]),  # combined: every one must match
        (["--alliance", "coastal", "--sponsor", "bo"], [1]),
        (["--alliance", "nowhere"], []),
    ],
)
def test_list_finds_what_each_filter_asks_for(capsys, data_dir, folder, options, expected):
    ids = {i: session_id for i, session_id in enumerate(folder)} | {"broken": "broken-2026-03-03"}
    assert listed(capsys, data_dir, *options) == [ids[e] for e in expected]


def test_the_table_says_when_nothing_matches(capsys, data_dir, folder):
    assert main(["--data-dir", str(data_dir), "list", "--alliance", "nowhere"]) == 0
    out = capsys.readouterr().out
    assert "matches" in out and "facilitator list" in out
    assert main(["--data-dir", str(data_dir), "list", "--kind", "review"]) == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:] if line.strip()]
    assert rows[:2] == [folder[3], folder[1]]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "2026-13-01"], "Since '2026-13-01' does not exist in the calendar"),
        (["--until", "last week"], "Until 'last week' is not a date: use YYYY-MM-DD"),
        (["--since", "2026-05-01", "--until", "2026-04-01"], "Since (2026-05-01) is after until (2026-04-01)"),
    ],
)
def test_a_wrong_date_is_a_clear_message_not_a_traceback(cli, folder, options, message):
    result = cli("list", *options)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_kind_or_status_is_refused_by_the_parser(cli, folder):
    result = cli("list", "--kind", "retro")
    assert result.returncode == 2 and "invalid choice: 'retro'" in result.stderr


FILTERS = [
    SessionFilter(alliance="coastal"),
    SessionFilter(partner="acme", kind="kickoff"),
    SessionFilter(sponsor="ada", since="2026-01-15"),
    SessionFilter(status="damaged"),
    SessionFilter(words=("acme",)),
    SessionFilter(words=("coastal", "2026-04")),
    SessionFilter(words=("broken",)),
]


@pytest.mark.parametrize("wanted", FILTERS, ids=repr)
def test_the_session_list_and_the_cli_find_the_same_sessions(store, folder, wanted):
    """One query: the store's TinyDB search of the index and the list's filter over its summaries."""
    searched = [s.id for s in store.summaries(wanted)]
    filtered = [s.id for s in matching(store.summaries(), wanted)]
    assert searched == filtered
    assert searched  # each filter above finds something: an always-empty answer would agree too


@pytest.mark.parametrize(
    ("typed", "wanted", "hint"),
    [
        ("coastal", SessionFilter(words=("coastal",)), ""),
        ("kind:review acme", SessionFilter(kind="review", words=("acme",)), ""),
        ("Kind:REVIEW", SessionFilter(kind="review"), ""),
        ("since:2026-02-01 until:2026-04-30", SessionFilter(since="2026-02-01", until="2026-04-30"), ""),
        ("partner:acme sponsor:ada", SessionFilter(partner="acme", sponsor="ada"), ""),
        ("status:damaged", SessionFilter(status="damaged"), ""),
        ("since:2026-0", SessionFilter(), "Since '2026-0' is not a date"),  # still being typed: left out
        ("kind:rev acme", SessionFilter(words=("acme",)), "Kind must be one of kickoff, review"),  # being typed
        ("kind:retro acme", SessionFilter(words=("acme",), impossible=True), "Kind must be one of kickoff, review"),
        ("since:2026-02-30", SessionFilter(impossible=True), "Since '2026-02-30' does not exist"),
        ("since:2026-1x", SessionFilter(impossible=True), "Since '2026-1x' is not a date"),
        ("since:2026-05-01 until:2026-04-01", SessionFilter(impossible=True), "Since (2026-05-01) is after until"),
        ("status:dam", SessionFilter(), "Status must be one of ok, damaged"),
        ("since:", SessionFilter(), ""),
        ("http://example", SessionFilter(words=("http://example",)), ""),  # not a filter key: a word
    ],
)
def test_what_a_facilitator_types_in_the_filter(typed, wanted, hint):
    found, problem = parse_filter_text(typed)
    assert found == wanted
    assert problem.startswith(hint) if hint else problem == ""
