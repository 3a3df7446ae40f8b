"""History in the exported documents: the scorecard's trend table and cadence line, and the
agreement's "changes since" flag and appendix. Checked by parsing the Markdown with markdown-it."""

from __future__ import annotations

import copy

import pytest
from history_support import ALLIANCE, IDS, build_sessions, damage, save_sessions
from report_helpers import HOSTILE_MULTILINE, all_text, headings, inline_text, parse, section_tokens, tables

from facilitator.domain import history
from facilitator.domain.model import Decision
from facilitator.reports import render as reports


@pytest.fixture(scope="module")
def sessions():
    return build_sessions()


@pytest.fixture(scope="module")
def timeline(sessions):
    return history.build_timeline(sessions, ALLIANCE)


def table_starting(tokens, *cells: str) -> list[list[str]]:
    found = [t for t in tables(tokens) if t[0][: len(cells)] == list(cells)]
    assert len(found) == 1, f"expected one table headed {cells}, found {len(found)}"
    return found[0]


def list_items(tokens) -> list[str]:
    return [inline_text(tokens[i + 2]) for i, t in enumerate(tokens) if t.type == "list_item_open"]


# --------------------------------------------------------------------------------------------
# Scorecard


def test_scorecard_of_a_follow_up_has_the_trend_table(sessions, timeline):
    tokens = parse(reports.render(sessions[3], "scorecard", history=timeline))
    assert "Trend since 2025-09-16" in headings(tokens, 2)
    trend_section = section_tokens(tokens, "Trend since 2025-09-16")
    trend = table_starting(trend_section, "#", "Point")
    assert trend[0] == ["#", "Point", "Aldgate Clinics", "Bramble Diagnostics", "Joint", "Trend"]
    rows = {row[0]: row for row in trend[1:]}
    assert len(rows) == 10
    assert rows["6"] == [
        "6",
        "Sponsors meet face to face",
        "3 → 1 (−2)",
        "3 → 2 (−1)",
        "3 → 1 (−2)",
        "regressed: Aldgate Clinics, Bramble Diagnostics",
    ]
    assert rows["1"][2:5] == ["3 → 4 (+1)", "4 → 4 (±0)", "3.5 → 4 (+0.5)"]
    assert rows["3"][5] == "improved: Bramble Diagnostics; persistent gap (4 sessions)"
    assert rows["8"][2:4] == ["2 → 1 (−1)", "2 → 3 (+1)"]
    assert rows["9"][2] == "1 → ?"  # don't know now: no change to show
    indexes = table_starting(tokens, "Health index", "2025-09-16")
    assert indexes[0] == ["Health index", "2025-09-16", "2026-03-10", "Change"]
    assert indexes[1] == ["Joint", "59", "58", "−1"]
    assert indexes[2][0] == "Aldgate Clinics" and indexes[3] == ["Bramble Diagnostics", "58", "60", "+2"]
    items = list_items(trend_section)
    assert "6. Sponsors meet face to face: Aldgate Clinics 3 → 1 (−2)" in items
    assert "3. Mutual-benefit measurement: a perception gap in 4 sessions running" in items
    texts = all_text(trend_section)
    assert {"Improved:", "Regressed:", "Persistent gaps:"} <= set(texts)


def test_scorecard_cadence_line(sessions, timeline):
    tokens = parse(reports.render(sessions[3], "scorecard", history=timeline))
    section = section_tokens(tokens, "Sponsor meetings (point 6)")
    texts = all_text(section)
    assert texts[0] == (
        "Not met: Sponsors met in person once in the 12 months to 2026-03-10: point 6 asks for at least twice a year."
    )
    items = list_items(section)
    assert "In person: 2025-03-12" in items and "Remote: 2025-09-16" in items
    assert "Missed: 2025-12-05: planned in person (recorded 2025-09-16), not recorded as held" in items
    assert "Planned: 2026-06-15 (in person)" in items
    met = parse(reports.render(sessions[1], "scorecard", history=timeline))
    assert all_text(section_tokens(met, "Sponsor meetings (point 6)"))[0].startswith(
        "On track: Sponsors met in person twice"
    )


def test_first_session_and_no_history_have_no_trend(sessions, timeline):
    for text in (
        reports.render(sessions[0], "scorecard", history=timeline),
        reports.render(sessions[3], "scorecard"),
    ):  # history not passed: seen on its own
        tokens = parse(text)
        assert not [h for h in headings(tokens, 2) if h.startswith("Trend")]
        assert "Sponsor meetings (point 6)" in headings(tokens, 2)  # the cadence is always there


def test_scorecard_of_an_earlier_session_is_seen_from_its_own_date(sessions, timeline):
    tokens = parse(reports.render(sessions[1], "scorecard", history=timeline))
    assert "Trend since 2024-09-10" in headings(tokens, 2)
    trend = table_starting(section_tokens(tokens, "Trend since 2024-09-10"), "#", "Point")
    rows = {row[0]: row for row in trend[1:]}
    assert rows["6"][2] == "2 → 3 (+1)"  # not S4's regression
    assert "gap closed" not in rows["8"][5]


def test_damaged_predecessor_still_exports_and_says_so(store):
    save_sessions(store)
    damage(store, IDS[1])
    session = store.load(IDS[2])
    timeline = history.load_timeline(store, IDS[2])
    for document in reports.DOCUMENTS:
        reports.render(session, document, history=timeline, changes_since=True)  # no error
    tokens = parse(reports.render(session, "scorecard", history=timeline))
    note = (
        f"The session this one follows ({IDS[1]}) cannot be read; "
        "the trend compares with the session of 2024-09-10 instead."
    )
    assert note in all_text(tokens)
    assert "Trend since 2024-09-10" in headings(tokens, 2)
    store.path_for(IDS[1]).unlink()
    store.path_for(IDS[0]).unlink()
    alone = history.load_timeline(store, IDS[2])
    tokens = parse(reports.render(store.load(IDS[2]), "scorecard", history=alone))
    assert f"The session this one follows ({IDS[1]}) is missing, so there is no trend to show." in all_text(tokens)
    agreement = parse(reports.render(store.load(IDS[2]), "agreement", history=alone, changes_since=True))
    assert (
        "Changes since the previous session: no earlier session of this alliance could be read to compare with."
        in all_text(agreement)
    )


# --------------------------------------------------------------------------------------------
# Agreement


def test_changes_since_without_an_earlier_session_says_why(sessions, timeline):
    first = parse(reports.render(sessions[0], "agreement", history=timeline, changes_since=True))
    assert (
        "Changes since the previous session: this is the alliance's first session; there is nothing "
        "earlier to compare with."
    ) in all_text(first)
    alone = parse(reports.render(sessions[3], "agreement", changes_since=True))
    assert "Changes since the previous session: the earlier sessions of this alliance were not looked up." in all_text(
        alone
    )
    assert not [h for h in headings(alone) if "Changes since" in h]


def test_changes_since_is_off_by_default_even_with_history(sessions, timeline):
    tokens = parse(reports.render(sessions[3], "agreement", history=timeline))
    assert not [h for h in headings(tokens) if "Changes since" in h]
    assert not [t for t in all_text(tokens) if "Since 2025-09-16" in t or "Changes since" in t]


def test_our_agreement_numbers_its_version_from_the_history(sessions, timeline):
    # Issue 16: the agreement's version is numbered along the alliance's sessions, so the export
    # looks the history up for the agreement too.
    for number, session in enumerate(sessions, start=1):
        with_history = all_text(parse(reports.render(session, "agreement", history=timeline)))
        assert f"Version {number} (draft)" in with_history[2]
    alone = all_text(parse(reports.render(sessions[3], "agreement")))
    assert "Version 2 (draft)" in alone[2]  # on its own it knows only that it follows one
    assert reports.needs_history("agreement")
    assert reports.needs_history("scorecard")


def test_a_customised_agreement_still_gets_the_history(tmp_path, sessions, timeline):
    folder = tmp_path / "templates"
    folder.mkdir()
    ours = reports.template_path("agreement").read_text(encoding="utf-8")
    (folder / "agreement.md.j2").write_text(
        "Previous: {{ previous.date }}; trend since {{ trend.since }}; {{ history.sessions }} sessions\n\n" + ours,
        encoding="utf-8",
    )
    assert reports.needs_history("agreement", folder)
    tokens = parse(reports.render(sessions[3], "agreement", folder, history=timeline))
    assert all_text(tokens)[0] == "Previous: 2025-09-16; trend since 2025-09-16; 4 sessions"


def test_changes_since_marks_sections_and_adds_the_appendix(sessions, timeline):
    tokens = parse(reports.render(sessions[3], "agreement", history=timeline, changes_since=True))
    texts = all_text(tokens)
    assert any(
        t.startswith("Changes since 2025-09-16: 5 of 12 sections changed since the review meeting of 2025-09-16")
        for t in texts
    )
    status = {h: all_text(section_tokens(tokens, h))[0] for h in headings(tokens, 2) if h[0].isdigit()}
    assert status["1. Purpose and strategic framework"] == "Status: Draft · Since 2025-09-16: Changed"
    assert status["2. Partner profiles"] == "Status: Draft · Since 2025-09-16: Unchanged"
    assert status["4. Relational expectations"].endswith("Since 2025-09-16: New")
    assert status["9. Partnering skills training"].endswith("Since 2025-09-16: Cleared")
    assert status["10. Joint communications and symbols"].endswith("Since 2025-09-16: Unchanged")

    appendix_title = "Appendix C. Changes since 2025-09-16"  # no decisions: C follows B
    assert headings(tokens, 2)[-1] == appendix_title
    appendix = section_tokens(tokens, appendix_title)
    assert headings(appendix, 3) == [
        "1. Purpose and strategic framework: changed",
        "3. Mutual benefits and measures: changed",
        "4. Relational expectations: new",
        "7. Governance and sponsor meetings: changed",
        "9. Partnering skills training: cleared",
    ]
    purpose = list_items(section_tokens(tokens, "1. Purpose and strategic framework: changed"))
    assert purpose == [
        "Before: Objective: results within 48 hours for 90% of tests.",
        "Now: Objective: results within 24 hours for 90% of tests.",
    ]
    governance = list_items(section_tokens(tokens, "7. Governance and sponsor meetings: changed"))
    assert governance == [
        "Removed: Sponsor meeting: 2025-12-05, in person: Planned mid-year check",
        "Added: Sponsor meeting: 2026-06-15, in person: Planned at Aldgate",
    ]
    assert list_items(section_tokens(tokens, "4. Relational expectations: new")) == [
        "Added: We answer each other's calls within one working day."
    ]


def test_a_text_label_still_works_and_the_letter_follows_the_decisions(sessions, timeline):
    session = copy.deepcopy(sessions[3])
    session.decisions = [Decision("Keep the 24-hour objective", "2026-03-10")]
    tokens = parse(reports.render(session, "agreement", history=timeline, changes_since="the spring review"))
    assert any(t.startswith("Changes since the spring review: 5 of 12 sections") for t in all_text(tokens))
    assert "Appendix D. Changes since 2025-09-16" in headings(tokens, 2)


def test_hostile_section_text_in_the_appendix_stays_text(sessions):
    before, after = copy.deepcopy(sessions[2]), copy.deepcopy(sessions[3])
    after.section("purpose").text = HOSTILE_MULTILINE
    timeline = history.build_timeline([before, after], after.id)
    text = reports.render(after, "agreement", history=timeline, changes_since=True)
    tokens = parse(text)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    assert not [c for t in tokens if t.children for c in t.children if c.type == "html_inline"]
    appendix = section_tokens(tokens, "1. Purpose and strategic framework: changed")
    added = [item.removeprefix("Added: ") for item in list_items(appendix) if item.startswith("Added: ")]
    expected = [line for line in HOSTILE_MULTILINE.split("\n") if line.strip()]
    assert [a.strip() for a in added] == [line.strip() for line in expected]
    # Exactly the appendix headings the template writes: no text typed in the room became one.
    assert len(headings(tokens, 1)) == 1


def test_context_stays_plain_data(sessions, timeline):
    context = reports.build_context(sessions[3], reports.content.load_checklist(1), timeline)

    def check(value):
        if isinstance(value, dict):
            for item in value.values():
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)
        else:
            assert value is None or type(value) in (str, int, float, bool), type(value)

    check(context)
    assert context["previous"]["id"] == IDS[2] and context["trend"]["since"] == "2025-09-16"
    assert context["cadence"]["verdict"] == "not met" and context["history"]["sessions"] == 4


def test_export_writes_with_history(tmp_path, sessions, timeline):
    path = reports.export(sessions[3], "scorecard", tmp_path / "s.md", history=timeline)
    assert "Trend since 2025-09-16" in headings(parse(path.read_text(encoding="utf-8")), 2)


def test_scorecard_summary_of_a_review_tells_the_change_of_the_joint_index(sessions, timeline):
    summary = " ".join(
        all_text(section_tokens(parse(reports.render(sessions[3], "scorecard", history=timeline)), "Summary"))
    )
    assert "The joint health index is 58 out of 100, down 1 from 59 at the review meeting of 2025-09-16." in summary
    first = " ".join(
        all_text(section_tokens(parse(reports.render(sessions[0], "scorecard", history=timeline)), "Summary"))
    )
    assert "since" not in first and " from " not in first  # the kick-off has nothing to compare with
