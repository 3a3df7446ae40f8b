"""The alliance history (facilitator.domain.history): the timeline, trends, the sponsor-meeting cadence and
agreement changes, over the four-session fixture alliance of history_support."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from history_support import ALLIANCE, DATES, EXPECTATIONS, IDS, A, B, build_sessions, damage, save_sessions
from store_support import ROOT

from facilitator.base.errors import InvalidInput, SessionDamaged, SessionNotFound
from facilitator.domain import formatting, history
from facilitator.domain.model import SponsorMeeting
from facilitator.domain.session_factory import create_session, follow_up_session


@pytest.fixture
def sessions():
    return build_sessions()


@pytest.fixture
def timeline(sessions):
    return history.build_timeline(sessions, ALLIANCE)


# --------------------------------------------------------------------------------------------
# The timeline


def test_timeline_links_sessions_in_date_order(sessions):
    shuffled = [sessions[2], sessions[0], sessions[3], sessions[1]]
    by_id = history.build_timeline(shuffled, IDS[1])
    assert [s.id for s in by_id.sessions] == IDS
    assert by_id.focus == IDS[1] and by_id.focus_index == 1 and by_id.gaps == []
    by_name = history.build_timeline(shuffled, "riverside CARE alliance")
    assert [s.id for s in by_name.sessions] == IDS and by_name.focus == IDS[3]
    assert by_name.alliance == ALLIANCE and by_name.previous(IDS[3]).id == IDS[2]


def test_unlinked_sessions_of_the_same_alliance_join_and_others_do_not(sessions):
    # A session typed in by hand, not as a follow-up, with the name in another case.
    stray = create_session("RIVERSIDE care Alliance", ["Aldgate Clinics", "Bramble Diagnostics"], date="2025-06-01")
    stray.id = "riverside-stray-2025-06-01"
    other = create_session("Harbour Link", ["Acme", "Beta"], date="2025-06-01")
    other.id = "harbour-link-2025-06-01"
    # A renamed follow-up stays in by its link.
    renamed = follow_up_session(sessions[3], date="2026-09-01")
    renamed.id, renamed.alliance = "riverside-health-2026-09-01", "Riverside Health Alliance"
    timeline = history.build_timeline(sessions + [stray, other, renamed], IDS[0])
    assert [s.id for s in timeline.sessions] == IDS[:2] + [stray.id] + IDS[2:] + [renamed.id]
    assert timeline.alliance == "Riverside Health Alliance"  # the latest name


def test_missing_and_unreadable_predecessors_are_gaps(sessions):
    without_s2 = [s for s in sessions if s.id != IDS[1]]
    timeline = history.build_timeline(without_s2, IDS[3])
    assert [s.id for s in timeline.sessions] == [IDS[0], IDS[2], IDS[3]]  # S1 still joins by name
    (gap,) = timeline.gaps
    assert (gap.id, gap.referenced_by, gap.kind) == (IDS[1], IDS[2], "missing")
    assert "is missing" in gap.describe() and IDS[1] in gap.describe()
    damaged = history.build_timeline(without_s2, IDS[3], unreadable={IDS[1]: "it is damaged (not JSON)"})
    assert damaged.gaps[0].kind == "unreadable" and "cannot be read: it is damaged" in damaged.gaps[0].describe()
    # The comparisons go on with the sessions there are.
    assert timeline.previous(IDS[2]).id == IDS[0]


def test_unknown_start_is_refused(sessions):
    with pytest.raises(SessionNotFound):
        history.build_timeline(sessions, "Nobody's Alliance")


def test_with_session_uses_the_open_copy(timeline, sessions):
    edited = copy.deepcopy(sessions[3])
    edited.set_score("joint-framework", A, 0)
    newer = timeline.with_session(edited)
    assert newer.sessions[3] is edited and timeline.sessions[3] is sessions[3]
    assert history.trends(newer).points[0].partners[0].scores[3] == 0


# --------------------------------------------------------------------------------------------
# Trends


def test_score_series_changes_and_indexes(timeline):
    trends = history.trends(timeline)
    assert trends.dates == tuple(DATES) and len(trends) == 4
    points = {p.key: p for p in trends.points}
    sponsors = points["sponsors-meet"]
    assert [s.key for s in sponsors.partners] == [A, B]
    assert sponsors.partners[0].scores == (2, 3, 3, 1) and sponsors.partners[1].scores == (2, 3, 3, 2)
    assert sponsors.values == (2.0, 3.0, 3.0, 1.0)  # S4: the agreed score, 1
    regression = sponsors.partners[0].change(3)
    assert (regression.before, regression.after, regression.delta, regression.direction) == (3, 1, -2, "regressed")
    assert sponsors.partners[1].change(3).direction == "regressed"
    assert sponsors.partners[0].change(1).direction == "improved"
    steady = points["relational-expectations"].partners[0].change(3)
    assert (steady.delta, steady.direction) == (0, "steady")
    training = points["partnering-training"].partners[0]
    assert training.scores == (0, 1, 1, "?") and training.change(3).delta is None  # "?" is not a score
    assert training.change(3).direction == "" and training.change(0).before is None
    # Joint index: S1 mean of point values 1.4 -> 35; S4 2.3 (with the agreed 1 for point 6) -> 57.5.
    assert trends.joint.values[0] == 35.0 and trends.joint.values[3] == 57.5
    assert trends.joint.values[1] == pytest.approx(48.75, abs=0.06)
    assert trends.joint.change(3).delta == pytest.approx(57.5 - trends.joint.values[2])
    aldgate, bramble = trends.partners
    assert (aldgate.name, bramble.name) == ("Aldgate Clinics", "Bramble Diagnostics")
    assert aldgate.values[0] == 32.5 and bramble.values[3] == 60.0
    assert aldgate.values[3] == pytest.approx(22 / 9 / 4 * 100, abs=0.06)  # the "?" is left out


def test_persistent_gap_and_not_persistent_gap(timeline):
    points = {p.key: p for p in history.trends(timeline).points}
    benefit = points["mutual-benefit"]
    assert benefit.spreads == (2, 2, 3, 2) and benefit.gaps == (True, True, True, True)
    assert benefit.persistent_gap and benefit.gap_runs == [(0, 3)]
    assert benefit.gap_run(3) == 4 and benefit.persistent_at(3) and not benefit.persistent_at(0)
    trust = points["trust-indicator"]
    assert trust.gaps == (True, False, False, True)
    assert not trust.persistent_gap and trust.gap_run(3) == 1


def test_callouts_since_last_time(timeline):
    trends = history.trends(timeline)
    found = {(c.kind, c.point_key, c.partner_key): c for c in trends.callouts()}
    assert set(found) == {
        ("improved", "joint-framework", A),
        ("improved", "needs-shared", A),
        ("improved", "mutual-benefit", B),
        ("improved", "trust-indicator", B),
        ("regressed", "sponsors-meet", A),
        ("regressed", "sponsors-meet", B),
        ("regressed", "trust-indicator", A),
        ("persistent gap", "mutual-benefit", ""),
    }
    worst = found[("regressed", "sponsors-meet", A)]
    assert (worst.before, worst.after, worst.delta) == (3, 1, -2)
    assert worst.describe() == "6. Sponsors meet face to face: Aldgate Clinics 3 → 1 (−2)"
    assert found[("persistent gap", "mutual-benefit", "")].sessions == 4
    assert "4 sessions running" in found[("persistent gap", "mutual-benefit", "")].describe()
    # At S2 the trust gap of S1 has closed.
    at_s2 = {(c.kind, c.point_key) for c in trends.callouts(1)}
    assert ("gap closed", "trust-indicator") in at_s2 and ("persistent gap", "mutual-benefit") in at_s2
    assert trends.callouts(0) == []


def test_a_partner_who_joins_later_has_no_earlier_scores(sessions):
    late = follow_up_session(sessions[3], date="2026-09-01")
    late.id = "riverside-care-alliance-2026-09-01"
    late.partners.append(type(late.partners[0])("civic-labs", "Civic Labs"))
    late.set_score("joint-framework", "civic-labs", 2)
    trends = history.trends(history.build_timeline(sessions + [late], ALLIANCE))
    civic = trends.points[0].partners[2]
    assert civic.name == "Civic Labs" and civic.scores == (None, None, None, None, 2)
    assert civic.change(4).delta is None
    assert trends.partners[2].values[:4] == (None, None, None, None)


def test_spark_and_formatting():
    assert history.spark([0, 1, 2, 3, 4, None]) == "▁▃▄▆█·"
    assert formatting.format_change(2) == "+2" and formatting.format_change(-1.5) == "−1.5"
    assert formatting.format_change(0) == "±0" and formatting.format_change(None) == ""
    assert formatting.format_score(3.0) == "3" and formatting.format_score(2.5) == "2.5"


# --------------------------------------------------------------------------------------------
# Cadence (point 6)


def test_cadence_verdicts_over_time(timeline):
    at = [history.cadence(timeline, i) for i in range(4)]
    assert [c.count for c in at] == [1, 2, 1, 1]
    assert [c.met for c in at] == [False, True, False, False]
    s4 = at[3]
    assert (s4.reference, s4.window_start) == ("2026-03-10", "2025-03-10")
    assert [m.date for m in s4.in_person] == ["2025-03-12"] and [m.date for m in s4.remote] == ["2025-09-16"]
    assert [(m.date, m.reason, m.planned_in) for m in s4.missed] == [
        ("2025-09-16", "held remotely", "2025-03-12"),
        ("2025-12-05", "no longer recorded", "2025-09-16"),
    ]
    assert [m.date for m in s4.planned] == ["2026-06-15"]
    assert s4.sessions_without_record == ("2026-03-10",)
    assert s4.verdict == "not met" and "once in the 12 months to 2026-03-10" in s4.summary()
    assert at[1].verdict == "met" and "twice" in at[1].summary() and at[1].missed == ()
    # At S1 the meeting planned for 2025-03-12 is planned, not missed.
    assert [m.date for m in at[0].planned] == ["2025-03-12"] and at[0].missed == ()
    assert history.cadence(timeline).reference == "2026-03-10"  # default: the latest session


def test_cadence_window_edges_and_unlinked_records(sessions):
    s4 = sessions[3]
    s4.sponsor_meetings += [
        SponsorMeeting("2025-03-10", "in person", id="edge"),  # exactly 365 days: counts
        SponsorMeeting("2025-03-09", "in person", id="old"),
    ]  # 366 days: does not
    stray = create_session(ALLIANCE, ["Aldgate Clinics", "Bramble Diagnostics"], date="2025-11-20")
    stray.id = "riverside-stray"
    stray.sponsor_meetings = [SponsorMeeting("2025-11-20", "in person", "Recorded in a stray session", id="s")]
    cadence = history.cadence(history.build_timeline(sessions + [stray], ALLIANCE))
    assert [m.date for m in cadence.in_person] == ["2025-03-10", "2025-03-12", "2025-11-20"]
    assert cadence.met and cadence.count == 3


def test_two_meetings_on_one_day_count_once(sessions):
    s4 = sessions[3]
    s4.sponsor_meetings.append(SponsorMeeting("2025-03-12", "in person", "Same day, second entry", id="dup"))
    assert history.cadence(history.build_timeline(sessions, ALLIANCE)).count == 1


# --------------------------------------------------------------------------------------------
# Agreement changes


def test_section_changes_since_the_session_before(timeline):
    changes = {c.key: c for c in history.timeline_changes(timeline)}
    assert {k: c.status for k, c in changes.items() if c.changed} == {
        "purpose": "changed",
        "mutual-benefits": "changed",
        "relational-expectations": "new",
        "governance": "changed",
        "training": "removed",
    }
    assert changes["partner-profiles"].status == "unchanged" and changes["roles"].status == "empty"
    assert changes["work-plan"].status == "unchanged"  # the task carried over as it was
    purpose = changes["purpose"]
    (edited,) = [line for line in purpose.lines if line.kind != "same"]
    assert edited.kind == "changed" and "48 hours" in edited.before and "24 hours" in edited.text
    assert [s for s in edited.segments if s[0] != "same"] == [("removed", "48"), ("added", "24")]
    assert changes["relational-expectations"].added == [EXPECTATIONS]
    trust = next(line for line in changes["mutual-benefits"].lines if line.kind == "changed")
    assert trust.text.startswith("Measure: Trust between the partners") and "4.5 of 5" in trust.text
    governance = [(line.kind, line.text) for line in changes["governance"].lines if line.kind != "same"]
    # Different meetings (by id) are a removal and an addition, never an "edit" of one another.
    assert governance == [
        ("removed", "Sponsor meeting: 2025-12-05, in person: Planned mid-year check"),
        ("added", "Sponsor meeting: 2026-06-15, in person: Planned at Aldgate"),
    ]
    assert changes["training"].removed == ["Both teams attend a partnering workshop in spring."]
    assert changes["training"].status_label == "Cleared"
    assert history.timeline_changes(timeline, 0) is None


def test_line_diff_keeps_order_and_pairs_edits():
    lines = history.diff_lines(["intro", "a b c d", "x y", "gone entirely"], ["intro", "new first", "a b c e", "x y"])
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "intro"),
        ("added", "new first"),
        ("changed", "a b c e"),
        ("same", "x y"),
        ("removed", "gone entirely"),
    ]
    assert history.word_diff("one two three", "one 2 three") == (
        ("same", "one "),
        ("removed", "two"),
        ("added", "2"),
        ("same", " three"),
    )


# --------------------------------------------------------------------------------------------
# Reading from a store


def test_load_timeline_from_the_store(store):
    save_sessions(store)
    for target in (IDS[2], "riverside-care-alliance-2025-09", ALLIANCE, "riverside care alliance", "Riverside"):
        timeline = history.load_timeline(store, target)
        assert [s.id for s in timeline.sessions] == IDS, target
    assert history.load_timeline(store, IDS[2]).focus == IDS[2]
    assert history.load_timeline(store, "riverside").focus == IDS[3]  # a prefix of several ids, one alliance


def test_load_timeline_tolerates_damaged_missing_and_trashed_predecessors(store):
    save_sessions(store)
    damage(store, IDS[1])
    timeline = history.load_timeline(store, IDS[3])
    assert [s.id for s in timeline.sessions] == [IDS[0], IDS[2], IDS[3]]
    (gap,) = timeline.gaps
    assert gap.id == IDS[1] and gap.kind == "unreadable" and "damaged" in gap.reason and gap.label == "damaged"
    store.path_for(IDS[1]).unlink()
    missing = history.load_timeline(store, IDS[3]).gaps[0]
    assert missing.kind == "missing" and missing.label == "missing"
    save_sessions(store, [build_sessions()[1]])
    store.delete(IDS[1])
    trashed = history.load_timeline(store, IDS[3]).gaps[0]
    assert trashed.kind == "unreadable" and "trash" in trashed.reason and trashed.label == "trashed"


def test_load_timeline_explains_what_it_cannot_show(store):
    save_sessions(store)
    with store.create(create_session("Harbour Link", ["Acme", "Beta"], date="2025-01-01")):
        pass
    with pytest.raises(SessionNotFound, match="No session or alliance 'nowhere'"):
        history.load_timeline(store, "nowhere")
    with pytest.raises(InvalidInput):
        history.load_timeline(store, "  ")
    assert history.load_timeline(store, "harbour").alliance == "Harbour Link"  # the start of an id
    with store.create(create_session("Riverbank Trust", ["Acme", "Beta"], date="2025-01-01")):
        pass
    with pytest.raises(InvalidInput, match="2 alliances"):
        history.load_timeline(store, "river")
    damage(store, IDS[3])
    with pytest.raises(SessionDamaged):
        history.load_timeline(store, IDS[3])  # the session asked for must be readable


def test_load_timeline_with_the_open_session(store, sessions):
    save_sessions(store, sessions[:3])
    draft = sessions[3]  # not saved yet
    timeline = history.load_timeline(store, draft.id, current=draft)
    assert [s.id for s in timeline.sessions] == IDS and timeline.sessions[3] is draft


def test_history_is_a_pure_module():
    code = (
        "import sys, facilitator.domain.history, facilitator.reports.history_text; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'tinydb', 'jinja2', 'rich'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- the cached links (store.links) stay exact ------------------------------------------------


def test_links_cache_sees_an_alliance_changed_in_place(tmp_path, monkeypatch):
    import json
    import os

    from facilitator.storage import file_stamps, index_file, kept_folder, listing_cache
    from facilitator.storage.store import SessionStore

    def kept_as_it_is() -> bool:
        kept = kept_folder.read(listing_cache.cache_path(store.data_dir), os.fspath(store.data_dir))
        names = [i + ".json" for i in kept.ids]
        now = file_stamps.PendingStamps(os.fspath(store.data_dir), names).result()
        stale, added = kept.changes(store.folder_entries(), now)
        return not stale and not added

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)  # trust rows at once (no 2 s wait)
    store = SessionStore(tmp_path / "data")
    with store.create(create_session("Harbour Alliance", ["North", "South"], date="2026-01-10")) as opened:
        first = opened.id
    with store.create(create_session("Other Alliance", ["East", "West"], date="2026-02-10")) as opened:
        other = opened.id
    assert store.links()[other][1] == "Other Alliance"  # written to the cache
    assert kept_as_it_is()  # and used as it is
    assert [s.id for s in history.load_timeline(store, first).sessions] == [first]

    # Edited in place (same inode): the cache must not hide it.
    path = store.path_for(other)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["session"]["1"]["alliance"] = "harbour alliance"
    inode = os.stat(path).st_ino
    with open(path, "r+", encoding="utf-8") as handle:
        handle.write(json.dumps(data))
        handle.truncate()
    assert os.stat(path).st_ino == inode
    assert not kept_as_it_is()
    assert [s.id for s in history.load_timeline(store, first).sessions] == [first, other]

    # A file added or removed is seen too.
    os.unlink(path)
    assert [s.id for s in history.load_timeline(store, first).sessions] == [first]


def test_checklist_cache_gives_the_same_checklist(tmp_path, monkeypatch):
    from facilitator.domain import content

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    content.load_checklist.cache_clear()
    parsed = content.load_checklist(1)  # parsed, and the copy written
    content.load_checklist.cache_clear()
    assert list((tmp_path / "cache" / "facilitator" / "checklists").iterdir())
    assert content.load_checklist(1) == parsed  # from the copy
    content.load_checklist.cache_clear()


def test_a_session_dated_in_the_first_year_has_a_cadence_not_a_crash():
    """A typing slip in a shared file (0001-01-05) must not end the app: the window starts at
    the calendar's first day (red team)."""
    from facilitator.domain.history import Timeline, history_at
    from facilitator.domain.session_factory import create_session

    session = create_session("Early Alliance", ["Acme", "Globex"], date="0001-01-05")
    seen = history_at(Timeline.single(session))
    assert seen.cadence.window_start == "0001-01-01" and not seen.cadence.met


def test_long_paragraphs_are_paired_word_by_word():
    """A line of prose is often a whole paragraph: long ones are compared word by word (letter by
    letter took 30 ms a pair, and a rewritten agreement 24 s to export)."""
    paragraph = " ".join(f"word{n}" for n in range(80))
    assert len(paragraph) > 300
    edited = paragraph.replace("word40", "changed")
    unrelated = " ".join(f"other{n}" for n in range(80))
    lines = history.diff_lines([paragraph, unrelated], [edited, unrelated.upper()])
    assert [line.kind for line in lines] == ["changed", "removed", "added"]
    assert ("added", "changed") in lines[0].segments and ("removed", "word40") in lines[0].segments
