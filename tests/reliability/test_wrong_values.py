"""Issue 13, item 6: a wrong kind or range of value in any field of a session file is reported as
damaged; NaN and Infinity never get in.

`"elapsed": {"welcome": NaN}` used to load, list, show and export as valid, then crash the meeting
when the agenda rail formatted it (ValueError; OverflowError with Infinity). Now NaN and Infinity
are refused wherever a file is read (session files, the index, dumps to load, lock files; ballots
and round files already were), and the model checks the range of every number.

The property: whatever value (of any kind or range) is put in whichever field, `list` reports the
file as ok or damaged without raising, `show` gives the text or the damage (never another error),
and a file reported ok opens, shows and exports, holding only values the app can show. A sample is
opened in the TUI with the Pilot.
"""

from __future__ import annotations

import copy
import json
import math
import socket
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_support import run_facilitator

from facilitator.base.errors import FacilitatorError, NewerSchema, ReportError, SessionDamaged
from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import Session, Vote
from facilitator.domain.validation import MAX_ELAPSED_SECONDS
from facilitator.reports import render as reports
from facilitator.reports.summary_text import session_summary_text
from facilitator.storage.layout import INDEX_FILE
from facilitator.storage.store import SessionStore
from facilitator.tui.app import make_app
from facilitator.tui.screens.meeting import MeetingScreen


def base_document() -> dict:
    """The demo session with every kind of field filled in: times per step, timeboxes, votes."""
    session = build_demo_session(date(2026, 3, 2))
    session.agenda.elapsed = {"welcome": 125.0, "health-check": 61.5}
    session.agenda.timebox = {"welcome": 5}
    session.agenda.current_point = 2
    session.agenda.current_section = 1
    point = session.point("trust-indicator")
    point.votes = {session.partners[0].key: {"ana": Vote("Ana", 3, "fine", "2026-03-02T10:00:00+00:00")}}
    doc = session.to_dict()
    Session.from_dict(doc)  # the base itself is valid
    return doc


BASE = base_document()
SESSION_ID = BASE["id"]


def field_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every field of the document: keys of objects and items of lists, at every depth."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += field_paths(inner, path + (key,))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += field_paths(inner, path + (i,))
    return found


PATHS = field_paths(BASE)
NUMERIC_PATHS = [
    p
    for p in PATHS
    if p[0] in ("agenda", "checklist_version", "schema_version")
    or p[-1] in ("agreed", "score")
    or (len(p) > 2 and p[-2] == "scores")
]

# Wrong kinds and ranges: non-finite, negative, huge, fractional, of another type.
ODD_NUMBERS = [
    math.nan,
    math.inf,
    -math.inf,
    -1,
    -0.5,
    0.125,
    4.5,
    2.333,
    1e308,
    -1e308,
    10**30,
    -(10**30),
    10**4000,
    2**63,
    86_400 * 365 * 1000,
    1e-320,
]
ODD_VALUES = ODD_NUMBERS + [
    True,
    False,
    None,
    "",
    " ",
    "NaN",
    "Infinity",
    "x" * 300,
    "\x1b[2J",
    "\ud800",
    [],
    [1, 2],
    {},
    {"a": 1},
    0,
    1,
    4,
    "?",
    "n/a",
]

odd_value = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.floats(allow_nan=True), max_size=2),
    st.none(),
    st.booleans(),
)


def mutated(path: tuple, value: Any) -> dict:
    doc = copy.deepcopy(BASE)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def write_file(store: SessionStore, doc: dict) -> None:
    """As a hand-edited or hostile file would have it: NaN and Infinity written as JSON's lookalikes."""
    store.ensure_folder()
    text = json.dumps({"session": {"1": doc}}, allow_nan=True, ensure_ascii=False)
    store.path_for(SESSION_ID).write_bytes(text.encode("utf-8", "surrogatepass"))


def finite_everywhere(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite_everywhere(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_everywhere(v) for v in value)
    return True


def check_file(store: SessionStore) -> str:
    """list, show, export and open the file as the CLI and the TUI would; returns its status."""
    (summary,) = store.summaries()
    assert summary.status in ("ok", "damaged", "newer"), summary
    if summary.status == "newer":  # a schema_version above ours: "update facilitator to open it"
        with pytest.raises(NewerSchema):
            store.load(SESSION_ID)
        return "newer"
    if summary.status == "damaged":
        assert summary.problem
        with pytest.raises(SessionDamaged):
            store.load(SESSION_ID)
        with pytest.raises(SessionDamaged):
            store.open(SESSION_ID)
        return "damaged"
    session = store.load(SESSION_ID)
    document = session.to_dict()
    assert finite_everywhere(document), document["agenda"]
    assert all(0 <= seconds <= MAX_ELAPSED_SECONDS for seconds in session.agenda.elapsed.values())
    try:
        session_summary_text(session)
    except FacilitatorError:
        pass  # an unknown checklist version, say: a sentence, never a traceback
    for document_name in reports.DOCUMENTS:
        try:
            reports.render(session, document_name)
        except ReportError:
            pass
    with store.open(SESSION_ID) as opened:
        opened.save()
    assert finite_everywhere(store.load(SESSION_ID).to_dict())
    return "ok"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=odd_value)
def test_any_wrong_value_in_any_field_is_damaged_or_harmless(tmp_path_factory, path, value):
    store = SessionStore(tmp_path_factory.mktemp("sessions"))
    write_file(store, mutated(path, value))
    check_file(store)


@pytest.mark.parametrize("path", NUMERIC_PATHS, ids=lambda p: ".".join(map(str, p)))
def test_every_odd_number_in_every_numeric_field(tmp_path, path):
    """Exhaustively, for the fields that hold numbers: each odd number is damage or harmless."""
    for n, value in enumerate(ODD_NUMBERS):
        store = SessionStore(tmp_path / f"s{n}")
        write_file(store, mutated(path, value))
        check_file(store)


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, -math.inf, 1e308, 10**30, -1],
    ids=["nan", "inf", "-inf", "1e308", "10**30", "negative"],
)
def test_an_odd_elapsed_time_is_damage(tmp_path, value):
    store = SessionStore(tmp_path / "sessions")
    write_file(store, mutated(("agenda", "elapsed", "welcome"), value))
    assert check_file(store) == "damaged"


def test_nan_is_named_in_the_problem(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    write_file(store, mutated(("agenda", "elapsed", "welcome"), math.nan))
    (summary,) = store.summaries()
    assert "NaN" in summary.problem


def test_the_cli_reports_nan_as_damage(tmp_path):
    data = tmp_path / "sessions"
    store = SessionStore(data)
    write_file(store, mutated(("agenda", "elapsed", "welcome"), math.inf))
    listed = run_facilitator(data, "list")
    assert listed.returncode == 0 and "DAMAGED" in listed.stdout
    for command in ("show", "export", "dump"):
        result = run_facilitator(data, command, SESSION_ID)
        assert result.returncode == 1, (command, result)
        assert "Infinity" in result.error_line


def test_load_refuses_nan(tmp_path):
    data = tmp_path / "sessions"
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(mutated(("agenda", "elapsed", "welcome"), math.nan), allow_nan=True), encoding="utf-8")
    result = run_facilitator(data, "load", str(dump))
    assert result.returncode == 1
    assert "NaN" in result.error_line
    assert not any(data.glob("*.json"))


def test_an_index_with_nan_is_rebuilt(tmp_path):
    data = tmp_path / "sessions"
    store = SessionStore(data)
    with store.create(build_demo_session(date(2026, 3, 2))) as opened:
        session_id = opened.id
    store.summaries()
    index = data / INDEX_FILE
    raw = index.read_bytes()
    (summary,) = store.summaries()
    shown = json.dumps(summary.joint_index).encode()
    assert shown in raw
    index.write_bytes(raw.replace(shown, b"NaN", 1))
    fresh = SessionStore(data)
    head = fresh.cached_head(10)
    assert head is None or all(s.joint_index is None or math.isfinite(s.joint_index) for s in head[0])
    (again,) = fresh.summaries()
    assert again.id == session_id and math.isfinite(again.joint_index)
    assert b"NaN" not in index.read_bytes()


# -- in the TUI, for a sample ----------------------------------------------------------------------

TUI_SAMPLE = [
    (("agenda", "elapsed", "welcome"), math.nan),
    (("agenda", "elapsed", "health-check"), math.inf),
    (("agenda", "elapsed", "welcome"), 1e308),
    (("agenda", "timebox", "welcome"), -math.inf),
    (("agenda", "current_point"), 10**30),
    (("agenda", "current_section"), -5),
    (("agenda", "step"), "no-such-step"),
    (("checklist_version",), 10**30),
    (("points", "trust-indicator", "scores", BASE["partners"][1]["key"]), math.nan),
    (("points", "trust-indicator", "agreed"), 4.0),
]


@pytest.mark.parametrize("path,value", TUI_SAMPLE, ids=[f"{'.'.join(map(str, p))}={v!r}"[:60] for p, v in TUI_SAMPLE])
async def test_the_tui_opens_or_refuses_each_odd_file(tmp_path, path, value):
    store = SessionStore(tmp_path / "sessions")
    write_file(store, mutated(path, value))
    status = store.summaries()[0].status
    app = make_app(store=store, open_session=SESSION_ID)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        if status == "ok":
            assert isinstance(app.screen, MeetingScreen)
            for _step in range(6):  # every step of the agenda, with the rail and the clock
                await pilot.press("f3")
                await pilot.pause()
            await pilot.press("f4")
            await pilot.pause(0.2)
        else:
            assert not isinstance(app.screen, MeetingScreen)
            assert any("Cannot open" in (n.title or "") for n in app._notifications)
        assert app.is_running
    assert app._exception is None


@pytest.mark.parametrize("pid", ["NaN", "Infinity", "1e300", "-1", "99999999999999999999"])
def test_a_lock_file_with_an_odd_pid_is_taken_over(store, saved_id, pid):
    """A lock left half-written or edited by hand is stale, whatever number it holds."""
    lock = f'{{"pid": {pid}, "host": "{socket.gethostname()}", "since": ""}}'
    store.lock_path(saved_id).write_text(lock, encoding="utf-8")
    assert store.holder(saved_id) is None
    with store.open(saved_id) as opened:
        opened.save()


@pytest.mark.parametrize(
    "column,value",
    [
        ("joint_index", "x"),
        ("joint_index", 1e300),
        ("partners", [1, 2]),
        ("partners", "Acme"),
        ("alliance", ["A"]),
        ("saved_at", 5),
        ("status", "fine"),
        ("size", "10"),
    ],
)
def test_a_forged_index_row_is_read_again_from_its_file(tmp_path, column, value):
    """An index row is trusted when its file's stamp matches; one holding the wrong kind of value
    (a hand-edited or hostile index, stamps and all) is ignored and the file read again."""
    from facilitator.storage.summaries import INDEX_COLUMNS

    data = tmp_path / "sessions"
    store = SessionStore(data)
    with store.create(build_demo_session(date(2026, 3, 2))) as opened:
        session_id = opened.id
    (good,) = store.summaries()
    index = data / INDEX_FILE
    document = json.loads(index.read_bytes())
    document["checked_ns"] = 2**62  # every row trusted, as a forger would make it
    row = document["summaries"][0]
    row[INDEX_COLUMNS.index(column)] = value
    index.write_text(json.dumps(document), encoding="utf-8")
    (again,) = SessionStore(data).summaries()
    assert again.id == session_id and again.joint_index == good.joint_index and again.partners == good.partners
    listed = run_facilitator(data, "list")
    assert listed.returncode == 0 and "Coastal" in listed.stdout, listed
