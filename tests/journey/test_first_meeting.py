"""A facilitator's whole first meeting, in the installed app, in a real terminal at 100x30.

From an empty session list to a kick-off with three partners and their sponsors: every point scored
blind with gaps, revealed, discussed (a note, an agreed score, an action), the gap board sorted and a
point opened from it, the agreement drafted (typing straight away), a measure, a role and a sponsor
meeting added, a section agreed and endorsed by every partner, the preview, a decision, an action
done, the next meeting, the close summary, both documents exported from inside the app. Then quit,
reopen, and check every item on screen, in the session file and in the exported Markdown; then a
follow-up review with a chosen date, and the alliance's history.

Keys go in one at a time at a person's pace, and in bursts where a person sends them so (a quick
typist's Tab and name, three scores in a row). The screen is read as text, as a person reads it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from .documents import Document, saved_session
from .terminal import Terminal, running_app

SIZE = (100, 30)
ALLIANCE = "Tri-Port Alliance"
DATE = "2026-03-02"
SESSION_ID = "tri-port-alliance-2026-03-02"
FACILITATOR = "Sam Reyes"
# Organisation, sponsors, team members: three partners, as the form takes them.
PARTNERS = [
    ("Acme Ports", "Ada Lovelace, Alan Kay", "Tom Lee"),
    ("Globex Shipping", "Grace Hopper", ""),
    ("Initech Rail", "Ivan Sutherland", "Ida Wells"),
]
KEYS = {"Acme Ports": "acme-ports", "Globex Shipping": "globex-shipping", "Initech Rail": "initech-rail"}
# Per point, the blind scores of the three partners; points 1, 3 and 9 are perception gaps.
SCORES = ["321", "221", "304", "1?1", "222", "43-", "101", "000", "131", "223"]
NOTE = "Globex sees no benefit yet; Initech counts berth savings"
AGREED_SCORE = "1"
ACTION = ("Agree one benefit measure per partner", "Grace Hopper", "2026-04-30")
PURPOSE = "We run the three ports as one network for our shippers."
MEASURE = ("Shared berth bookings", "Bookings a month across the three ports", "500", "Ivan Sutherland", "Monthly")
ROLE = ("Globex Shipping", "Ravi Patel, port director", "Berth scheduling")
SPONSOR_MEETING = ("2026-05-10", "Rotterdam, first review of the measures")
DECISION = "Each partner names one owner for its benefit measure"
NEXT_MEETING = "2026-09-01"
FOLLOW_UP_DATE = "2026-09-01"


def test_a_first_meeting_from_empty_list_to_exported_agreement(tmp_path: Path) -> None:
    data_dir = tmp_path / "sessions"
    started = time.monotonic()
    with running_app(data_dir, SIZE) as term:
        term.wait_for_text(r"No sessions yet")
        create_the_session(term)
        score_every_point_blind(term)
        sort_the_gap_board_and_open_a_point(term)
        draft_the_agreement(term)
        record_actions_decision_and_next_meeting(term)
        exports = close_and_export(term, tmp_path)
    check_the_session_file(data_dir)
    check_the_exports(*exports)

    with running_app(data_dir, SIZE) as term:
        reopen_and_check_on_screen(term)
    with running_app(data_dir, SIZE) as term:
        start_a_follow_up_and_read_the_history(term)
    print(f"journey at 100x30: {time.monotonic() - started:.1f} s")


# -- the steps, in the order the room takes them ------------------------------------------------


def create_the_session(term: Terminal) -> None:
    term.press("n")
    term.wait_for_text(r"New session")
    term.type_slowly(ALLIANCE)
    term.press("tab", "end", "ctrl+u")  # the date field holds today's date: clear it
    term.type_slowly(DATE)
    term.press("tab", "tab")  # past the kind (Kick-off is chosen) to the facilitator
    term.type_slowly(FACILITATOR)
    for index, (name, sponsors, team) in enumerate(PARTNERS):
        if index < 2:
            term.press("tab")
        else:
            term.press("ctrl+n")  # Add partner: a third row, its name field focused
            term.wait_for_text(r"Partner 3")
        term.type_slowly(name)
        term.press("tab")
        term.type_slowly(sponsors)
        term.press("tab")
        term.type_slowly(team)
        if index == 0:
            term.press("tab")  # past the row's Remove button
    for name, sponsors, _team in PARTNERS:
        term.wait_for_text(rf"{re.escape(name)} .*{re.escape(sponsors)}")
    term.press("ctrl+s")
    term.wait_for_text(r"1/6 Welcome and purpose")
    term.wait_for_text(r"Kick-off · 2026-03-02")
    for name, sponsors, _team in PARTNERS:
        term.wait_for_text(rf"{re.escape(name)}\s+{re.escape(sponsors.split(',')[0])}")


def score_every_point_blind(term: Terminal) -> None:
    """Each point: the three partners' scores (hidden), the reveal, the spread; point 3 discussed."""
    term.press("f3")
    term.wait_for_text(r"2/6 Health check scoring")
    for number, scores in enumerate(SCORES, start=1):
        term.wait_for_text(rf"Point {number} of 10")
        if number % 2:
            term.burst(*scores)  # the room calls out three scores; a quick facilitator types them
        else:
            term.type_slowly(scores)
        term.wait_for_text(r"(● scored.*\n.*){3}")
        rows = scoreboard_rows(term)
        assert len(rows) == 3 and all(re.fullmatch(r"\W*[\w ]+?\s+● scored\s*", row) for row in rows), (
            f"point {number}: a score shows before the reveal: {rows}"
        )
        term.press("r")
        term.wait_for_text(r"Mean [\d.]+ · Spread \d")
        shown = [re.search(r"(Ports|Shipping|Rail)\s+(\S+)", row).group(2) for row in scoreboard_rows(term)]
        assert shown == [{"-": "n/a"}.get(score, score) for score in scores], f"point {number}: {shown}"
        if number in (1, 3, 9):
            term.wait_for_text(r"PERCEPTION GAP")
        if number == 3:
            discuss_point_three(term)
        if number < 10:
            term.press("right")


def scoreboard_rows(term: Terminal) -> list[str]:
    """The partners' rows of the scores box, without the agenda rail and the scale beside it."""
    rows = []
    for line in term.screen_lines():
        inside = line.split("▊")[2].split("▎")[0] if line.count("▊") >= 2 else ""
        if any(re.search(rf"{name}\s", inside) for name, _s, _t in PARTNERS):
            rows.append(inside)
    return rows


def discuss_point_three(term: Terminal) -> None:
    """The room's widest gap: a note, the score the room agrees on, an action raised from it."""
    term.press("e")
    term.type_slowly(NOTE)
    term.press("escape")
    term.wait_for_text(re.escape(NOTE[:40]))
    term.press("g")
    term.type_slowly(AGREED_SCORE)
    term.press("enter", "escape")
    term.wait_for_text(r"r Reveal")  # back on the scores: their keys are in the footer again
    term.press("a")
    term.wait_for_text(r"▀ New action ▀")
    term.wait_for_text(r"Linked to point 3: Mutual-benefit measurement")
    text, owner, due = ACTION
    term.type_slowly(text)
    term.press("tab")
    term.type_slowly(owner)
    term.press("tab", "tab")  # the partner stays Joint
    term.type_slowly(due)
    term.press("ctrl+s")
    term.wait_for_no_text(r"▀ New action ▀")


def sort_the_gap_board_and_open_a_point(term: Terminal) -> None:
    term.press("f3")
    term.wait_for_text(r"3/6 Discussing the gaps")
    term.wait_for_text(r"Joint health index")
    term.press("s")
    term.wait_for_text(r"Rows sorted by gap")
    first_rows = [line for line in term.screen_lines() if re.search(r"▎\s+\d+\s{2,}\S", line)][:3]
    assert [re.search(r"▎\s+(\d+)", line).group(1) for line in first_rows] == ["3", "9", "1"], (
        f"the widest gaps first: {first_rows}"
    )
    assert all("GAP" in line for line in first_rows), first_rows
    term.press("enter")  # open the point under the cursor: the widest gap
    term.wait_for_text(r"2/6 Health check scoring")
    term.wait_for_text(r"Point 3 of 10 · Mutual-benefit measurement")
    term.wait_for_text(re.escape(NOTE[:40]))


def draft_the_agreement(term: Terminal) -> None:
    term.press("f3")
    term.wait_for_text(r"3/6 Discussing the gaps")
    term.press("f3")
    term.wait_for_text(r"4/6 Drafting the agreement")
    term.wait_for_text(r"1\. Purpose and strategic framework")
    # The room dictates the purpose: the facilitator types at once, as on any editor.
    term.type_slowly(PURPOSE)
    term.wait_for_text(re.escape(PURPOSE[:45]), timeout=3)
    # Every partner endorses it; the room agrees it.
    term.press("f7")
    for endorsed in (1, 2, 3):
        if endorsed > 1:
            term.press("down")
        term.press("space")
        term.wait_for_text(rf"1 Purpose and .*\n.*\n.* · {endorsed}/3")
    term.press("f6")
    term.wait_for_text(r"✔ agreed · 3/3")

    go_to_section(term, 3, "Mutual benefits and measures")
    name, how, target, owner, review = MEASURE
    add_table_row(
        term, r"Measure\s+Owner", "▀ New measure ▀", [name, None, how, target, owner, review]
    )  # the kind stays Relational
    term.wait_for_text(re.escape(name))

    go_to_section(term, 5, "Roles and responsibilities")  # from inside section 3's table
    partner, person, responsibility = ROLE
    term.press("f9")
    term.wait_for_text(r"Responsible for\s+Person")
    term.press("n")
    term.wait_for_text(r"▀ New role ▀")
    term.press("enter")  # the partner list opens on Joint: up twice to Globex
    term.wait_for_text(r"Acme Ports.*\n.*Globex Shipping.*\n.*Initech Rail.*\n.*Joint")
    term.press("up", "up", "enter")
    term.wait_for_text(rf"Partner ▊\s+{partner}")
    term.press("tab")
    term.type_slowly(person)
    term.press("tab")
    term.type_slowly(responsibility)
    term.press("ctrl+s")
    term.wait_for_no_text(r"▀ New role ▀")
    term.wait_for_text(re.escape(responsibility[:12]))  # the column is narrow

    go_to_section(term, 7, "Governance and sponsor meetings")
    when, notes = SPONSOR_MEETING
    add_table_row(term, r"Date\s+Notes\s+Held", "▀ New sponsor meeting ▀", [when, None, notes])
    term.wait_for_text(rf"{when}\s+{re.escape(notes[:20])}.*in person")

    term.press("f8")
    term.wait_for_text(r"As it will be exported")
    term.wait_for_text(r"7\. Governance and sponsor meetings")
    term.wait_for_text(re.escape(notes[:20]))
    term.press("f8")
    term.wait_for_no_text(r"As it will be exported")


def go_to_section(term: Terminal, number: int, title: str) -> None:
    """Alt+Down (or Alt+Up) until the agreement step shows section `number`."""
    for _ in range(12):
        current = current_section(term)
        if current == number:
            break
        term.press("alt+down" if current < number else "alt+up")
        deadline = time.monotonic() + 3
        while current_section(term) == current:
            if time.monotonic() > deadline:
                raise AssertionError(f"Alt+Up/Down stay on section {current}; the screen:\n{term.screen_text()}")
            time.sleep(0.05)
    term.wait_for_text(rf"· {number}\. {re.escape(title)}")


def current_section(term: Terminal) -> int:
    found = re.search(r"· (\d+)\. ", term.screen_lines()[1])
    assert found, f"no section heading on the agreement step:\n{term.screen_text()}"
    return int(found.group(1))


def add_table_row(term: Terminal, header: str, title: str, fields: list[str | None]) -> None:
    """F9 to the section's table, N for a new row, the fields typed in order (None: leave it)."""
    term.press("f9")
    term.wait_for_text(header)
    term.press("n")
    term.wait_for_text(re.escape(title))
    for index, value in enumerate(fields):
        if index:
            term.press("tab")
        if value is not None:
            term.type_slowly(value)
    term.press("ctrl+s")
    term.wait_for_no_text(re.escape(title))


def record_actions_decision_and_next_meeting(term: Terminal) -> None:
    term.press("f3")
    term.wait_for_text(r"5/6 Actions and next meeting")
    term.wait_for_text(r"1 open · 0 done")
    term.wait_for_text(re.escape(ACTION[0][:28]))
    term.press("space")  # done
    term.wait_for_text(r"0 open · 1 done")
    term.press("d")
    term.wait_for_text(r"▀ New decision ▀")
    term.type_slowly(DECISION)
    term.press("ctrl+s")
    term.wait_for_no_text(r"▀ New decision ▀")
    term.wait_for_text(rf"{DATE}\s+{re.escape(DECISION[:20])}")
    term.press("m")
    term.type_slowly(NEXT_MEETING)
    term.press("enter")
    term.wait_for_text(r"Tue 1 Sep 2026")


def close_and_export(term: Terminal, folder: Path) -> tuple[Path, Path]:
    term.press("f3")
    term.wait_for_text(r"6/6 Close")
    term.wait_for_text(r"1 of 12 sections agreed")
    term.wait_for_text(r"✔ 1\. Purpose and strategic framework · endorsed 3/3")
    term.wait_for_text(re.escape(DECISION[:30]))
    term.wait_for_text(r"Decisions \(1\)")
    term.wait_for_text(r"Open actions \(0\)")
    term.wait_for_text(r"2026-09-01|1 Sep 2026")
    exported = []
    for key, document in (("a", "agreement"), ("s", "scorecard")):
        term.press(key)
        term.wait_for_text(r"Export — Tri-Port Alliance")
        term.press("ctrl+s")
        term.wait_for_text(rf"Wrote the {document} to")
        term.press("escape")
        term.wait_for_no_text(r"Export — Tri-Port Alliance")
        exported.append(folder / f"{SESSION_ID}-{document}.md")
    return exported[0], exported[1]


# -- what is on disk and on screen afterwards ---------------------------------------------------

POINT_KEYS = [
    "joint-framework",
    "needs-shared",
    "mutual-benefit",
    "relational-expectations",
    "agreement-beyond-contract",
    "sponsors-meet",
    "relational-measures",
    "trust-indicator",
    "partnering-training",
    "joint-communications",
]


def stored_score(typed: str):
    return {"?": "?", "-": "n/a"}.get(typed, int(typed) if typed.isdigit() else typed)


def check_the_session_file(data_dir: Path) -> None:
    session = saved_session(data_dir, SESSION_ID)
    assert (session["alliance"], session["date"], session["kind"], session["facilitator"]) == (
        ALLIANCE,
        DATE,
        "kickoff",
        FACILITATOR,
    )
    assert [(p["name"], p["sponsors"], p["participants"]) for p in session["partners"]] == [
        (name, [n.strip() for n in sponsors.split(",")], [n.strip() for n in team.split(",") if n.strip()])
        for name, sponsors, team in PARTNERS
    ]
    for key, scores in zip(POINT_KEYS, SCORES):
        point = session["points"][key]
        assert point["scores"] == {
            KEYS[name]: stored_score(score) for (name, _s, _t), score in zip(PARTNERS, scores)
        }, key
        assert point["revealed"], key
    assert session["points"]["mutual-benefit"]["notes"] == NOTE
    assert session["points"]["mutual-benefit"]["agreed"] == int(AGREED_SCORE)
    [action] = session["actions"]
    assert (action["text"], action["owner"], action["due"], action["point"], action["status"]) == (
        *ACTION,
        "mutual-benefit",
        "done",
    )
    purpose = session["sections"]["purpose"]
    assert purpose["text"].strip() == PURPOSE
    assert purpose["agreed"] and sorted(purpose["endorsed_by"]) == sorted(KEYS.values())
    measure = next(m for m in session["measures"] if m["name"] == MEASURE[0])
    assert (measure["how_measured"], measure["target"], measure["owner"], measure["review_frequency"]) == MEASURE[1:]
    [role] = session["roles"]
    assert (role["partner"], role["person"], role["responsibility"]) == (KEYS[ROLE[0]], *ROLE[1:])
    [meeting] = session["sponsor_meetings"]
    assert (meeting["date"], meeting["mode"], meeting["notes"]) == (SPONSOR_MEETING[0], "in person", SPONSOR_MEETING[1])
    assert [d["text"] for d in session["decisions"]] == [DECISION]
    assert session["next_meeting"] == NEXT_MEETING


def check_the_exports(agreement_path: Path, scorecard_path: Path) -> None:
    agreement = Document(agreement_path)
    assert not agreement.has_html()
    assert f"{ALLIANCE}: Partnership agreement" in agreement.headings
    for name, sponsors, _team in PARTNERS:
        # Partner, legal name, signatory (none given in this meeting), sponsors, team.
        assert agreement.row_starting(name)[1:4] == ["not given yet", "not named yet", sponsors]
    assert agreement.contains(PURPOSE)
    assert agreement.contains("Endorsed by: Acme Ports, Globex Shipping, Initech Rail")
    assert agreement.row_starting(MEASURE[0])[2:] == list(MEASURE[1:])
    assert agreement.row_starting(*ROLE)
    assert agreement.row_starting(SPONSOR_MEETING[0], "In person", SPONSOR_MEETING[1])
    assert agreement.contains(f"Next sponsor meeting: {NEXT_MEETING}")
    assert agreement.row_starting("3", "Mutual-benefit measurement")[2:5] == ["3", "0", "4"]

    scorecard = Document(scorecard_path)
    assert not scorecard.has_html()
    assert f"{ALLIANCE}: Partnership health scorecard" in scorecard.headings
    # The scores table: #, point, the three partners, the joint score (the agreed one, in bold), flag.
    score_rows = {row[0]: row for row in scorecard.table_rows() if len(row) == 7}
    for number, scores in enumerate(SCORES, start=1):
        row = score_rows[str(number)]
        assert row[2:5] == [str(stored_score(score)) for score in scores], row
    assert score_rows["3"][5].strip("*") == AGREED_SCORE
    assert scorecard.contains(NOTE)
    assert scorecard.contains(ACTION[0])


def reopen_and_check_on_screen(term: Terminal) -> None:
    """Quit and start again: the session lists with its index, and opens where the room left it."""
    term.wait_for_text(rf"{ALLIANCE}\s+kickoff\s+{DATE}\s+Acme Ports")
    term.press("enter")
    term.wait_for_text(r"6/6 Close")  # where the room left it
    term.wait_for_text(r"✔ 1\. Purpose and strategic framework · endorsed 3/3")
    term.press("f2")
    term.wait_for_text(r"5/6 Actions and next meeting")
    term.wait_for_text(re.escape(ACTION[0][:28]))
    term.wait_for_text(r"0 open · 1 done")
    term.wait_for_text(r"Tue 1 Sep 2026")
    term.press("f2")
    term.wait_for_text(r"4/6 Drafting the agreement")
    term.press("f2", "f2")
    term.wait_for_text(r"2/6 Health check scoring")
    term.wait_for_text(r"Mean [\d.]+ · Spread \d")  # revealed points stay revealed
    term.press("f2")
    term.wait_for_text(r"1/6 Welcome and purpose")
    term.wait_for_text(re.escape(PURPOSE[:45]))  # "Why we are here" quotes the agreed purpose
    term.press("f10")
    term.wait_for_text(r"No sessions yet|partnership sessions")


def start_a_follow_up_and_read_the_history(term: Terminal) -> None:
    term.wait_for_text(rf"{ALLIANCE}\s+kickoff")
    term.press("f")
    term.wait_for_text(r"Start a follow-up review")
    term.wait_for_text(r"Date of the review")  # prefilled; the room chooses its own
    term.press("end", "ctrl+u")
    term.type_slowly(FOLLOW_UP_DATE)
    term.press("enter")
    term.wait_for_text(rf"Review · {FOLLOW_UP_DATE}")
    term.wait_for_text(r"Follows the session of 2026-03-02")
    term.press("f10")
    term.wait_for_text(rf"{ALLIANCE}\s+review\s+{FOLLOW_UP_DATE}")
    term.press("h")
    term.wait_for_text(rf"History — {ALLIANCE}")
    term.wait_for_text(rf"2 sessions, {DATE} to {FOLLOW_UP_DATE}")
    term.wait_for_text(rf"{DATE}\s+kickoff\s+\d+")
    term.wait_for_text(rf"{FOLLOW_UP_DATE}\s+review")
    term.press("escape")
