"""Ballots and merging: what participants send is validated, and nothing they send can damage the
session. Real files in tmp_path; the merge runs as the facilitator's app runs it (read, then merge)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from remote_support import ACME, BETA, POINT, cast, seed_remote, settle  # noqa: E402

from facilitator.domain.content import load_checklist  # noqa: E402
from facilitator.domain.model import Session  # noqa: E402
from facilitator.domain.scoring import point_stats, vote_spreads  # noqa: E402
from facilitator.remote.ballots import participant_id  # noqa: E402
from facilitator.remote.link import RemoteLink  # noqa: E402
from facilitator.remote.merge import REFUSED_LOG  # noqa: E402
from facilitator.remote.room import read_round  # noqa: E402

CHECKLIST = load_checklist()
SECOND = CHECKLIST.points[1].key


def merge_all(link: RemoteLink, session):
    return link.apply(link.poll(), session, CHECKLIST)


@pytest.fixture
def remote(store):
    session_id, state, folder = seed_remote(store)
    session = store.load(session_id)
    link = RemoteLink(store.data_dir, session_id)
    return session, state, folder, link


def test_two_people_of_one_partner_score_as_their_mean(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    cast(folder, state, ACME, "Bo Chen", {POINT: 4})
    cast(folder, state, BETA, "Cy Diaz", {POINT: 3, SECOND: "?"})
    result = merge_all(link, session)

    assert result.refused == []
    assert result.changed_points == {POINT, SECOND}
    record = session.points[POINT]
    assert record.scores == {ACME: 2.5, BETA: 3}
    stats = point_stats(session, POINT)
    assert stats.spread == 0.5 and stats.mean == pytest.approx(2.75)
    inside = vote_spreads(session, POINT)
    assert (inside[ACME].count, inside[ACME].low, inside[ACME].high, inside[ACME].spread) == (2, 1, 4, 3)
    assert inside[BETA].spread == 0
    assert session.points[SECOND].scores == {BETA: "?"}
    assert {p.name for p in link.participants} == {"Ana Ruiz", "Bo Chen", "Cy Diaz"}
    # Who scored took part: listed with their organisation, once.
    assert sorted(session.partner(ACME).participants) == ["Ana Ruiz", "Bo Chen"]
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 2})
    assert merge_all(link, session).new_participants == []
    assert sorted(session.partner(ACME).participants) == ["Ana Ruiz", "Bo Chen"]


def test_merged_votes_survive_a_save_and_reload(store, remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 2}, comment="Only our side wrote it")
    cast(folder, state, ACME, "Bo Chen", {POINT: 3})
    merge_all(link, session)
    with store.open(session.id) as opened:
        opened.save(session.to_dict())
    again = store.load(session.id)
    assert again.points[POINT].scores[ACME] == 2.5
    votes = again.points[POINT].votes[ACME]
    assert {v.name: (v.score, v.comment) for v in votes.values()} == {
        "Ana Ruiz": (2, "Only our side wrote it"),
        "Bo Chen": (3, ""),
    }
    assert Session.from_dict(again.to_dict()).to_dict() == again.to_dict()


def test_a_changed_ballot_is_merged_again_and_an_unchanged_one_is_not_read(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    merge_all(link, session)
    assert len(link.poll().ballots) == 1  # just written: read again until it settles
    settle(folder)
    merge_all(link, session)
    assert link.poll().ballots == []  # settled and unchanged: not read
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 3})
    result = merge_all(link, session)
    assert result.changed_points == {POINT}
    assert session.points[POINT].scores[ACME] == 3


def test_votes_on_a_revealed_point_are_kept_as_they_were(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    merge_all(link, session)
    session.points[POINT].revealed = True
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 4})
    result = merge_all(link, session)
    assert result.changed_points == set()
    assert session.points[POINT].scores[ACME] == 1


def _hostile(folder: Path, state, name: str, body) -> Path:
    path = folder / name
    path.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
    return path


def _good(state, partner=ACME, name="Eve Mallory", **changes) -> dict:
    body = {
        "format": "facilitator-ballot",
        "version": 1,
        "participant": participant_id(partner, name),
        "partner": partner,
        "name": name,
        "round": state.round,
        "code": state.code,
        "scores": {POINT: {"score": 0, "comment": ""}},
    }
    body.update(changes)
    return body


HOSTILE = {
    "wrong code": lambda s: _good(s, code="AAA-AAA"),
    "earlier round": lambda s: _good(s, round=s.round - 1),
    "round as text": lambda s: _good(s, round=str(s.round)),
    "unknown partner": lambda s: _good(s, partner="gamma", participant=participant_id("gamma", "Eve Mallory")),
    "another's name in my file": lambda s: _good(s, participant=participant_id(ACME, "Someone Else")),
    "empty name": lambda s: _good(s, name="  "),
    "score out of range": lambda s: _good(s, scores={POINT: {"score": 9}}),
    "fractional score": lambda s: _good(s, scores={POINT: {"score": 2.5}}),
    "true as a score": lambda s: _good(s, scores={POINT: {"score": True}}),
    "unknown point": lambda s: _good(s, scores={"../../etc": {"score": 1}}),
    "scores as a list": lambda s: _good(s, scores=[1, 2, 3]),
    "comment too long": lambda s: _good(s, scores={POINT: {"score": 1, "comment": "x" * 5000}}),
    "comment not text": lambda s: _good(s, scores={POINT: {"score": 1, "comment": {"a": 1}}}),
    "lone surrogate": lambda s: _good(s, name="Eve \ud800"),
    "not a ballot": lambda s: {"format": "facilitator-round", "round": s.round},
    "a list": lambda s: [1, 2, 3],
    "future version": lambda s: _good(s, version=2),
    "not JSON": lambda s: b'{"format": "facilitator-ballot", ',
    "not UTF-8": lambda s: b"\xff\xfe\x00garbage",
    "deeply nested": lambda s: b"[" * 100_000 + b"]" * 100_000,
    "too large": lambda s: json.dumps(_good(s, padding="x" * 400_000)).encode(),
    "a 5,000-digit number": lambda s: (
        json.dumps(_good(s)).replace(f'"round": {s.round}', '"round": ' + "9" * 5000).encode()
    ),
    "Infinity as a score": lambda s: json.dumps(_good(s)).replace('"score": 0', '"score": Infinity').encode(),
    "pin hash not a hash": lambda s: _good(s, pin_hash="<script>"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_ballots_are_refused_logged_and_change_nothing(remote, kind):
    session, state, folder, link = remote
    cast(folder, state, BETA, "Cy Diaz", {POINT: 3})
    merge_all(link, session)
    before = session.to_dict()
    body = HOSTILE[kind](state)
    stem = (
        body.get("participant")
        if isinstance(body, dict) and isinstance(body.get("participant"), str)
        else participant_id(ACME, "Eve Mallory")
    )
    _hostile(folder, state, f"{stem}.json", body)

    result = merge_all(link, session)

    assert len(result.refused) == 1, result.refused
    assert session.to_dict() == before
    assert [p.name for p in link.participants] == ["Cy Diaz"]
    logged = [json.loads(line) for line in (folder / REFUSED_LOG).read_text(encoding="utf-8").splitlines()]
    assert logged[-1]["file"] == f"{stem}.json" and logged[-1]["reason"] == result.refused[0][1]
    assert "\n" not in logged[-1]["reason"] and len(logged[-1]["reason"]) < 200
    # Refused once: the same unchanged file is not logged again on every poll.
    assert merge_all(link, session).refused == []


def test_a_ballot_written_under_another_file_name_is_refused(remote):
    session, state, folder, link = remote
    ballot = cast(folder, state, ACME, "Ana Ruiz", {POINT: 4})
    os.replace(folder / f"{ballot.participant}.json", folder / f"{participant_id(BETA, 'Cy Diaz')}.json")
    result = merge_all(link, session)
    assert result.refused and "file name" in result.refused[0][1]
    assert POINT not in session.points or not session.points[POINT].scores


def test_a_symlink_folder_or_fifo_in_place_of_a_ballot_is_refused(remote, tmp_path):
    session, state, folder, link = remote
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps(_good(state)), encoding="utf-8")
    (folder / f"{participant_id(ACME, 'Eve Mallory')}.json").symlink_to(secret)
    (folder / "a-folder.json").mkdir()
    os.mkfifo(folder / "a-fifo.json")  # opening it plainly would block the poll for good
    result = merge_all(link, session)
    assert len(result.refused) == 3
    assert not session.points.get(POINT) or not session.points[POINT].scores


def test_a_closed_round_takes_no_ballots_and_a_new_round_changes_the_code(remote):
    session, state, folder, link = remote
    merge_all(link, session)
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 2})
    # Sent in the last second before the facilitator closes: still counted.
    cast(folder, state, BETA, "Cy Diaz", {POINT: 3})
    link.close_round(session, CHECKLIST)
    assert read_round(folder).open is False
    assert session.points[POINT].scores == {ACME: 2, BETA: 3}
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 0})
    result = merge_all(link, session)
    assert result.refused == [] and session.points[POINT].scores[ACME] == 2  # not even read
    # Reopened later by a new app: a closed round reports nothing as refused either.
    fresh = RemoteLink(link.data_dir, session.id)
    assert merge_all(fresh, session).refused == []

    new, _merged = link.start_round(session, CHECKLIST)
    assert new.round == state.round + 1 and new.code != state.code and new.open
    assert read_round(folder).code == new.code
    # The earlier round's ballots are put aside, not refused again and again.
    assert (folder / f"round-{state.round}" / f"{participant_id(ACME, 'Ana Ruiz')}.json").exists()
    assert merge_all(link, session).refused == []
    cast(folder, state, BETA, "Cy Diaz", {POINT: 4})  # still holding the old code
    assert "round" in merge_all(link, session).refused[0][1]
    cast(folder, new, BETA, "Cy Diaz", {POINT: 4})
    assert merge_all(link, session).refused == [] and session.points[POINT].scores[BETA] == 4


def test_a_poll_read_before_a_round_change_does_not_undo_it(remote):
    session, state, folder, link = remote
    merge_all(link, session)
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 2})
    stale = link.poll()  # a worker read this just before the facilitator pressed N
    new, _merged = link.start_round(session, CHECKLIST)
    link.apply(stale, session, CHECKLIST)
    assert link.state.round == new.round and link.state.code == new.code and link.state.open
    stale = link.poll()
    link.close_round(session, CHECKLIST)
    link.apply(stale, session, CHECKLIST)
    assert link.state.open is False


def test_a_score_cleared_by_its_person_is_withdrawn(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1, SECOND: 2})
    cast(folder, state, ACME, "Bo Chen", {POINT: 3})
    merge_all(link, session)
    assert session.points[POINT].scores[ACME] == 2
    cast(folder, state, ACME, "Ana Ruiz", {SECOND: 2})  # cleared point 1
    assert merge_all(link, session).changed_points == {POINT}
    assert session.points[POINT].scores[ACME] == 3
    cast(folder, state, ACME, "Bo Chen", {})
    merge_all(link, session)
    assert ACME not in session.points[POINT].scores and ACME not in session.points[POINT].votes


def test_the_facilitator_removes_a_person_and_their_ballots_are_refused(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    cast(folder, state, ACME, "Not Ana", {POINT: 4, SECOND: 0})
    merge_all(link, session)
    session.points[SECOND].revealed = True  # what the room has seen stays as it was
    changed = link.remove_participant(session, participant_id(ACME, "Not Ana"))
    assert changed == {POINT}
    assert session.points[POINT].scores[ACME] == 1 and session.points[SECOND].scores[ACME] == 0
    assert participant_id(ACME, "Not Ana") in read_round(folder).removed
    cast(folder, state, ACME, "Not Ana", {POINT: 4})
    refused = merge_all(link, session).refused
    assert refused and "removed" in refused[0][1]
    assert [p.name for p in link.participants] == ["Ana Ruiz"]


def test_no_more_people_of_one_organisation_than_a_session_can_hold(remote, store):
    from facilitator.domain.validation import MAX_VOTERS

    session, state, folder, link = remote
    for n in range(MAX_VOTERS + 5):
        cast(folder, state, ACME, f"Person {n}", {POINT: n % 5})
    result = merge_all(link, session)
    assert len(session.points[POINT].votes[ACME]) == MAX_VOTERS
    assert len(result.refused) == 5 and "more than" in result.refused[0][1]
    with store.open(session.id) as opened:
        opened.save(session.to_dict())
    assert len(store.load(session.id).points[POINT].votes[ACME]) == MAX_VOTERS  # still opens


def test_published_view_shows_nothing_of_unrevealed_points(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1, SECOND: 4})
    cast(folder, state, ACME, "Bo Chen", {POINT: 3})
    cast(folder, state, BETA, "Cy Diaz", {POINT: 4, SECOND: 0})
    merge_all(link, session)
    session.points[POINT].revealed = True
    link.publish(link.view(session, CHECKLIST))
    raw = (folder / "round.json").read_text(encoding="utf-8")
    published = read_round(folder)
    assert set(published.revealed) == {POINT}
    assert published.revealed[POINT].scores == {ACME: 2, BETA: 4}
    assert published.revealed[POINT].voters[ACME] == {"count": 2, "low": 1, "high": 3}
    assert published.revealed[POINT].spread == 2
    assert "Bo Chen" not in raw and "Ana Ruiz" not in raw  # who said what stays on the room's side
    assert link.view(session, CHECKLIST) is None  # nothing new to publish


@pytest.mark.parametrize("agreed", [2.5, 7, -1, True, "3"])
def test_a_round_file_whose_agreed_score_is_not_a_score_reads_as_unreadable(remote, agreed):
    # The room's agreed score is a whole score 0-4 (as the session holds it); participants are told
    # "The room agreed on ...", so a damaged file must not put 2.5 or 7 there.
    from facilitator.remote.room import RoundUnreadable

    session, state, folder, link = remote
    merge_all(link, session)
    session.point(POINT).revealed = True
    session.point(POINT).agreed = 3
    link.publish(link.view(session, CHECKLIST))
    assert read_round(folder).revealed[POINT].agreed == 3
    path = folder / "round.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["revealed"][POINT]["agreed"] = agreed
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RoundUnreadable):
        read_round(folder)


def test_participant_ids_are_stable_file_safe_and_distinct():
    assert participant_id(ACME, "Zoë Brandt") == participant_id(ACME, "  zoë   BRANDT ")
    assert participant_id(ACME, "Zoë Brandt") != participant_id(ACME, "Zoe Brandt")
    assert participant_id(ACME, "李雷") != participant_id(ACME, "韩梅梅")
    for name in ("../../etc/passwd", "a/b", "李雷", "x" * 300):
        pid = participant_id(ACME, name)
        assert "/" not in pid and ".." not in pid and len(pid) < 90


def test_temporary_files_of_killed_participant_processes_are_swept(remote):
    session, state, folder, link = remote
    orphan = folder / ".facilitator-tmp-999999999-x.part"
    orphan.write_bytes(b'{"half": ')
    merge_all(link, session)
    assert not orphan.exists()


ROUND_BOMBS = {
    "a 5,000-digit round": lambda text: text.replace('"round": 1', '"round": ' + "9" * 5000),
    "Infinity as a round": lambda text: text.replace('"round": 1', '"round": Infinity'),
    "round as true": lambda text: text.replace('"round": 1', '"round": true'),
    "deep nesting": lambda text: "[" * 50_000 + "]" * 50_000,
    "partners as text": lambda text: text.replace('"partners": [', '"partners": "x", "unused": ['),
}


@pytest.mark.parametrize("kind", sorted(ROUND_BOMBS))
def test_a_hostile_round_file_reads_as_unreadable(remote, kind):
    from facilitator.remote.room import RoundUnreadable

    session, state, folder, link = remote
    path = folder / "round.json"
    path.write_text(ROUND_BOMBS[kind](path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RoundUnreadable):
        read_round(folder)
    assert link.poll().state is None


def test_a_fifo_in_place_of_the_round_file_does_not_block(remote):
    from facilitator.remote.room import RoundUnreadable

    session, state, folder, link = remote
    (folder / "round.json").unlink()
    os.mkfifo(folder / "round.json")
    with pytest.raises(RoundUnreadable, match="not a plain file"):
        read_round(folder)


def test_a_gap_between_means_is_flagged_exactly_at_two(remote):
    session, state, folder, link = remote
    for n, score in enumerate((1, 1, 1, 1, 0)):  # Acme's mean 0.8
        cast(folder, state, ACME, f"A{n}", {POINT: score})
    for n, score in enumerate((3, 3, 3, 3, 2)):  # Beta's mean 2.8
        cast(folder, state, BETA, f"B{n}", {POINT: score})
    merge_all(link, session)
    stats = point_stats(session, POINT)
    assert stats.spread == 2 and stats.discuss


def test_a_poll_in_flight_cannot_undo_a_merge_made_before_a_reveal(remote):
    session, state, folder, link = remote
    merge_all(link, session)
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    in_flight = link.poll()  # a worker read score 1...
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 4})
    link.sync(session, CHECKLIST)  # ...the facilitator pressed R: score 4 merged at once
    link.apply(in_flight, session, CHECKLIST)  # the worker's older reading arrives late
    assert session.points[POINT].scores[ACME] == 4
    merge_all(link, session)
    assert session.points[POINT].scores[ACME] == 4


def test_two_quick_changes_of_the_same_size_are_both_seen(remote):
    session, state, folder, link = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    merge_all(link, session)
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 3})  # same size, maybe the same mtime tick
    merge_all(link, session)
    assert session.points[POINT].scores[ACME] == 3
