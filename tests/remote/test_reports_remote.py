"""Remote votes in the exported scorecard, and in history: means print as scores, the range inside
each organisation and the comments people sent are listed, hostile comments stay plain text."""

from __future__ import annotations

from report_helpers import HOSTILE_NAME, all_text, parse, rich_session, section_tokens, table_with_header

from facilitator.domain.content import load_checklist
from facilitator.domain.history import PartnerSeries
from facilitator.remote.ballots import Ballot, BallotScore, participant_id
from facilitator.remote.merge import merge_ballot
from facilitator.reports.render import render

CHECKLIST = load_checklist()
POINT = "relational-measures"  # not revealed by merge_ballot's rule: reset first


def session_with_votes(comment: str = "We only measure cost"):
    session = rich_session()
    acme = session.partners[0].key
    session.point(POINT).revealed = False
    session.point(POINT).scores.pop(acme, None)
    for name, score, said in (("Ana Ruiz", 1, comment), ("Bo Chen", 4, "")):
        ballot = Ballot(
            participant=participant_id(acme, name),
            partner=acme,
            name=name,
            round=1,
            code="X",
            scores={POINT: BallotScore(score, said)},
        )
        merge_ballot(session, ballot)
    session.point(POINT).revealed = True
    return session


def test_scorecard_prints_the_mean_the_range_and_the_comments():
    session = session_with_votes()
    tokens = parse(render(session, "scorecard"))
    table = table_with_header(tokens, "#", "Point")
    number = next(p.number for p in CHECKLIST.points if p.key == POINT)
    row = next(r for r in table if r[0] == str(number))
    partners = len(session.partners)
    assert row[2] == "2.5"  # Acme: the mean of 1 and 4
    assert row[2 + partners] == "1.2"  # joint: the mean of Acme's 2.5 and Globex's 0
    discuss = all_text(section_tokens(tokens, "Discuss first"))
    assert any(line.startswith("7. Relational measures too") and "spread 2.5" in line for line in discuss)
    text = all_text(tokens)
    assert any("Acme 2 people (range 1-4)" in line for line in text)
    notes = all_text(section_tokens(tokens, "Notes by point"))
    assert "Ana Ruiz (Acme): We only measure cost" in notes
    assert not any("Bo Chen (" in line for line in notes)  # no comment, no line


def test_a_hostile_comment_stays_one_plain_list_item():
    session = session_with_votes(comment=HOSTILE_NAME + "\n# not a heading\n| not | a table |")
    tokens = parse(render(session, "scorecard"))
    notes = section_tokens(tokens, "Notes by point")
    assert not [t for t in notes if t.type in ("html_block", "html_inline", "table_open")]
    assert any(line.startswith("Ana Ruiz (Acme): <b>Acme</b>") for line in all_text(notes))


def test_history_counts_a_mean_of_votes_as_a_score():
    series = PartnerSeries("acme", "Acme", (2.5, 3, "?"))
    assert series.numeric == (2.5, 3, None)
    assert series.change(1).delta == 0.5
