"""`facilitator history` and `facilitator export --changes-since`, run as real subprocesses."""

from __future__ import annotations

import json

import pytest
from history_support import ALLIANCE, IDS, damage, save_sessions
from report_helpers import all_text, headings, parse

from facilitator.storage.store import SessionStore


@pytest.fixture
def alliance(cli, data_dir) -> SessionStore:
    store = SessionStore(data_dir)
    save_sessions(store)
    return store


def test_history_text(cli, alliance):
    result = cli("history", "riverside care")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{ALLIANCE}: 4 sessions, 2024-09-10 to 2026-03-10"
    assert lines[2].split()[:4] == ["DATE", "KIND", "JOINT", "CHANGE"]
    rows = [line.split() for line in lines[3:7]]
    assert [r[0] for r in rows] == ["2024-09-10", "2025-03-12", "2025-09-16", "2026-03-10"]
    assert [r[2] for r in rows] == ["35", "49", "59", "58"] and rows[3][3] == "−1"
    text = result.stdout
    assert "Joint index: 35 → 49 → 59 → 58" in text
    assert "    - 6. Sponsors meet face to face: Aldgate Clinics 3 → 1 (−2)" in lines
    assert "    - 3. Mutual-benefit measurement: a perception gap in 4 sessions running" in lines
    assert "Sponsor meetings (point 6): NOT MET." in text
    assert "  Missed: 2025-12-05: planned in person (recorded 2025-09-16), not recorded as held" in lines
    assert "Agreement since 2025-09-16: 5 of 12 sections changed" in text
    assert "     - Objective: results within 48 hours for 90% of tests." in lines
    assert "     + Objective: results within 24 hours for 90% of tests." in lines


def test_history_json(cli, alliance):
    result = cli("history", IDS[3], "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["alliance"] == ALLIANCE and data["focus"] == IDS[3]
    assert [s["id"] for s in data["sessions"]] == IDS and data["gaps"] == []
    assert data["sessions"][0]["joint_index"] == 35.0
    sponsors = next(p for p in data["trends"]["points"] if p["key"] == "sponsors-meet")
    assert sponsors["partners"]["aldgate-clinics"] == {"scores": [2, 3, 3, 1], "changes": [None, 1, 0, -2]}
    benefit = next(p for p in data["trends"]["points"] if p["key"] == "mutual-benefit")
    assert benefit["persistent_gap"] is True and benefit["gap_runs"] == [[0, 3]]
    assert {(c["kind"], c["point"], c["partner"]) for c in data["since"]["callouts"]} >= {
        ("regressed", "sponsors-meet", "aldgate-clinics"),
        ("persistent gap", "mutual-benefit", ""),
    }
    cadence = data["cadence"]
    assert (cadence["met"], cadence["count"], cadence["in_person"]) == (False, 1, ["2025-03-12"])
    assert [m["date"] for m in cadence["missed"]] == ["2025-09-16", "2025-12-05"]
    statuses = {s["key"]: s["status"] for s in data["agreement_changes"]["sections"]}
    assert statuses["purpose"] == "changed" and statuses["relational-expectations"] == "new"
    # An earlier session: the comparisons are seen from it.
    earlier = json.loads(cli("history", IDS[1], "--json").stdout)
    assert earlier["focus"] == IDS[1] and earlier["cadence"]["met"] is True


def test_history_with_a_damaged_predecessor_says_what_is_missing(cli, alliance):
    damage(alliance, IDS[1])
    result = cli("history", IDS[3])
    assert result.returncode == 0, result.stderr
    assert f"  ! Session {IDS[1]} (followed by {IDS[2]}) cannot be read: it is damaged" in result.stdout
    data = json.loads(cli("history", ALLIANCE, "--json").stdout)
    assert [g["id"] for g in data["gaps"]] == [IDS[1]] and len(data["sessions"]) == 3


def test_history_errors_and_usage(cli, alliance):
    missing = cli("history", "nowhere")
    assert missing.returncode == 1
    assert missing.error_line == "facilitator: No session or alliance 'nowhere'; `facilitator list` shows them."
    damage(alliance, IDS[3])
    broken = cli("history", IDS[3])
    assert broken.returncode == 1 and "cannot be opened" in broken.error_line
    assert cli("history").returncode == 2


def test_history_does_not_import_textual(cli, alliance):
    for args in (["history", ALLIANCE], ["history", IDS[2], "--json"], ["export", IDS[3], "--document", "scorecard"]):
        result = cli(*args, flags=["-X", "importtime"])
        assert result.returncode == 0
        modules = [
            line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
        ]
        assert "facilitator.domain.history" in modules, "no -X importtime output"
        assert not [m for m in modules if m.split(".")[0] == "textual"], args


def test_export_scorecard_trend_and_changes_since_flag(cli, alliance, tmp_path):
    scorecard = parse(cli("export", IDS[3], "--document", "scorecard").stdout)
    assert "Trend since 2025-09-16" in headings(scorecard, 2)
    plain = cli("export", IDS[3])
    assert plain.returncode == 0 and "Changes since" not in plain.stdout
    out = tmp_path / "agreement.md"
    marked = cli("export", IDS[3], "--changes-since", "-o", str(out))
    assert marked.returncode == 0, marked.stderr
    tokens = parse(out.read_text(encoding="utf-8"))
    assert "Appendix C. Changes since 2025-09-16" in headings(tokens, 2)
    assert any(t.startswith("Changes since 2025-09-16: 5 of 12 sections") for t in all_text(tokens))
    # A customised agreement that shows the trend gets the alliance's history too.
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "agreement.md.j2").write_text(
        "Compared with {{ previous.date }}: joint index {{ trend.indexes[0].change_display }}.\n", encoding="utf-8"
    )
    custom = cli("export", IDS[3], "--templates", str(folder))
    assert custom.returncode == 0, custom.stderr
    assert all_text(parse(custom.stdout)) == ["Compared with 2025-09-16: joint index −1."]
    # A damaged predecessor: the export still works, and says what it compares with.
    damage(alliance, IDS[2])
    result = cli("export", IDS[3], "--document", "scorecard")
    assert result.returncode == 0, result.stderr
    assert (
        f"The session this one follows ({IDS[2]}) cannot be read; the trend compares with the session "
        "of 2025-03-12 instead."
    ) in all_text(parse(result.stdout))


def test_an_alliance_named_with_invisible_or_look_alike_letters_is_the_same_alliance(cli, data_dir):
    """Found by a red team: `history "acme alliance"` missed the session whose name was pasted with
    a soft hyphen, though it reads the same on every screen. Names are compared as `name_key` reads
    them: invisible characters, look-alike letters, capitals and runs of spaces do not count."""
    for alliance, date in (("Ac\u00adme Alliance", "2026-03-02"), ("\u0410cme  alliance", "2026-04-02")):
        made = cli("new", "--alliance", alliance, "--partner", "North", "--partner", "South", "--date", date)
        assert made.returncode == 0, made.stderr
    result = cli("history", "acme alliance", "--json")
    assert result.returncode == 0, result.stderr
    assert [s["date"] for s in json.loads(result.stdout)["sessions"]] == ["2026-03-02", "2026-04-02"]
