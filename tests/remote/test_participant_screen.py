"""The participant view, driven with the Pilot as a person in a browser would: join, score, see the
reveal, be told when the round closes or a new one starts. The facilitator's side is the real
RemoteLink working on the same files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, RadioSet, Static

sys.path.insert(0, str(Path(__file__).resolve().parent))

from remote_support import ACME, BETA, POINT, cast, room, seed_remote  # noqa: E402

from facilitator.domain.content import load_checklist  # noqa: E402
from facilitator.participant.app import ParticipantApp  # noqa: E402
from facilitator.participant.ballot_screen import BallotScreen  # noqa: E402
from facilitator.participant.join import JoinScreen  # noqa: E402
from facilitator.remote import pins  # noqa: E402
from facilitator.remote.ballots import participant_id  # noqa: E402
from facilitator.remote.link import RemoteLink  # noqa: E402
from facilitator.remote.ratelimit import FREE_TRIES, JoinLimiter  # noqa: E402

CHECKLIST = load_checklist()
SIZE = (90, 34)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def type_text(pilot, text: str) -> None:
    keys = {" ": "space", "-": "minus"}
    await pilot.press(*(keys.get(ch, ch) for ch in text))


async def join(pilot, code: str, partner_index: int, name: str) -> None:
    app = pilot.app
    code_input = app.screen.query_one("#join-code", Input)
    code_input.value = ""
    code_input.focus()
    await type_text(pilot, code)
    await pilot.press("enter")  # on to the organisations, the first one highlighted
    if app.screen.query_one("#join-partner", RadioSet).pressed_index == partner_index:
        await pilot.press("tab")  # chosen on an earlier try
    else:
        await pilot.press(*(["down"] * partner_index), "enter")  # choosing one moves on to the name
    name_input = app.screen.query_one("#join-name", Input)
    name_input.value = ""
    await type_text(pilot, name)
    await pilot.press("enter")
    await checked(pilot)


async def checked(pilot) -> None:
    """Wait for the try to be checked: the code and PIN are checked off the UI thread."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def ballot_on_disk(folder: Path, partner: str, name: str) -> dict:
    return json.loads((folder / f"{participant_id(partner, name)}.json").read_text(encoding="utf-8"))


@pytest.fixture
def remote(store):
    session_id, state, folder = seed_remote(store)
    return store, session_id, state, folder


async def test_join_score_and_see_the_gap_view_after_the_reveal(remote):
    store, session_id, state, folder = remote
    app = ParticipantApp(store.data_dir, session_id, peer="10.1.1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert "Harbour Link" in text_of(app, "#join-title")

        await join(pilot, "WRONG1", 1, "Cy Diaz")
        assert isinstance(app.screen, JoinScreen)
        assert "not the one on the room's screen" in text_of(app, "#join-error")

        await join(pilot, state.code.lower(), 1, "Cy Diaz")
        assert isinstance(app.screen, BallotScreen)
        on_disk = ballot_on_disk(folder, BETA, "Cy Diaz")
        assert on_disk["partner"] == BETA and on_disk["scores"] == {}

        await pilot.press("3")
        await pilot.pause()
        assert ballot_on_disk(folder, BETA, "Cy Diaz")["scores"][POINT]["score"] == 3
        assert app.screen.query_one("#score-options", OptionList).highlighted == 3  # on their own score
        assert "Nobody" in text_of(app, "#ballot-status") or "Sent" in text_of(app, "#ballot-status")
        assert text_of(app, "#gap-view") == ""

        # A comment goes with the score.
        await pilot.press("c")
        await type_text(pilot, "Only our side wrote it")
        await pilot.press("enter")
        await pilot.pause()
        assert ballot_on_disk(folder, BETA, "Cy Diaz")["scores"][POINT]["comment"] == "Only our side wrote it"

        # The facilitator merges two Acme ballots and this one, then reveals the point.
        session = store.load(session_id)
        link = RemoteLink(store.data_dir, session_id)
        cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
        cast(folder, state, ACME, "Bo Chen", {POINT: 0})
        link.apply(link.poll(), session, CHECKLIST)
        session.points[POINT].revealed = True
        link.publish(link.view(session, CHECKLIST))
        app.poll_round()
        await pilot.pause()

        gap = text_of(app, "#gap-view")
        assert "Acme Ports" in gap and "0.5" in gap and "2 people, 0-1" in gap
        assert "Spread between partners: 2.5" in gap and "PERCEPTION GAP" in gap
        assert app.screen.query_one("#score-options", OptionList).disabled
        await pilot.press("0")  # too late: the point is revealed
        await pilot.pause()
        assert ballot_on_disk(folder, BETA, "Cy Diaz")["scores"][POINT]["score"] == 3


async def test_other_scores_stay_hidden_before_the_reveal(remote):
    store, session_id, state, folder = remote
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    session, link = room(store, session_id)
    link.publish(link.view(session, CHECKLIST))
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 1, "Cy Diaz")
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Ana Ruiz" not in shown and "Acme Ports" not in text_of(app, "#gap-view")


async def test_closed_round_then_new_round_sends_people_back_to_join(remote):
    store, session_id, state, folder = remote
    session, link = room(store, session_id)
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "Ana Ruiz")
        await pilot.press("2")
        link.close_round(session, CHECKLIST)
        app.poll_round()
        await pilot.pause()
        assert "closed this round" in text_of(app, "#ballot-status")
        await pilot.press("4")
        await pilot.pause()
        assert ballot_on_disk(folder, ACME, "Ana Ruiz")["scores"][POINT]["score"] == 2

        new, _merged = link.start_round(session, CHECKLIST)
        app.poll_round()
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert "new round" in text_of(app, "#join-error").lower()
        await join(pilot, state.code, 0, "Ana Ruiz")  # the old code no longer works
        assert isinstance(app.screen, JoinScreen)
        await join(pilot, new.code, 0, "Ana Ruiz")
        assert isinstance(app.screen, BallotScreen)


async def test_a_dropped_connection_rejoins_with_its_pin_and_an_impostor_cannot(remote):
    store, session_id, state, folder = remote
    first = ParticipantApp(store.data_dir, session_id)
    async with first.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "Ana Ruiz")
        await pilot.press("1", "c", *"secret", "enter")
        await pilot.pause()
        pin = first.pin
        assert len(pin) == 9 and pin[4] == "-" and pin in text_of(first, "#who")  # ABCD-EFGH
        assert pins.matches(ballot_on_disk(folder, ACME, "Ana Ruiz")["pin_hash"], pin)

    impostor = ParticipantApp(store.data_dir, session_id, peer="10.6.6.6")
    async with impostor.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "ana ruiz")
        assert isinstance(impostor.screen, JoinScreen)
        assert "already joined" in text_of(impostor, "#join-error")
        shown = " ".join(str(w.render()) for w in impostor.screen.query(Static))
        assert "secret" not in shown
        wrong_pin = "AAAA-AAAA" if pin != "AAAA-AAAA" else "BBBB-BBBB"
        impostor.screen.query_one("#join-pin", Input).value = wrong_pin
        await pilot.press("enter")
        await checked(pilot)
        assert isinstance(impostor.screen, JoinScreen) and "PIN is not right" in text_of(impostor, "#join-error")

    again = ParticipantApp(store.data_dir, session_id)  # the browser reloaded: a new process
    async with again.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "  ana   ruiz ")
        again.screen.query_one("#join-pin", Input).value = pin.lower().replace("-", " ")  # typed loosely
        await pilot.press("enter")
        await checked(pilot)
        assert isinstance(again.screen, BallotScreen)
        scores = {key: (entry.score, entry.comment) for key, entry in again.ballot.scores.items()}
        assert scores == {POINT: (1, "secret")}


async def test_two_tabs_of_one_person_do_not_undo_each_other(remote):
    store, session_id, state, folder = remote
    laptop = ParticipantApp(store.data_dir, session_id)
    async with laptop.run_test(size=SIZE) as pilot_laptop:
        await join(pilot_laptop, state.code, 0, "Ana Ruiz")
        phone = ParticipantApp(store.data_dir, session_id)
        async with phone.run_test(size=SIZE) as pilot_phone:
            await join(pilot_phone, state.code, 0, "Ana Ruiz")
            phone.screen.query_one("#join-pin", Input).value = laptop.pin
            await pilot_phone.press("enter")
            await checked(pilot_phone)
            await pilot_phone.press("right", "2")  # point 2 from the phone
            await pilot_phone.pause()
        await pilot_laptop.press("3")  # point 1 from the laptop, which never saw point 2
        await pilot_laptop.pause()
    scores = ballot_on_disk(folder, ACME, "Ana Ruiz")["scores"]
    assert {key: entry["score"] for key, entry in scores.items()} == {POINT: 3, CHECKLIST.points[1].key: 2}


async def test_clearing_a_score_withdraws_it(remote):
    store, session_id, state, folder = remote
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "Ana Ruiz")
        await pilot.press("2")
        await pilot.pause()
        assert POINT in ballot_on_disk(folder, ACME, "Ana Ruiz")["scores"]
        await pilot.press("backspace")
        await pilot.pause()
        assert ballot_on_disk(folder, ACME, "Ana Ruiz")["scores"] == {}


async def test_an_unsent_comment_survives_the_room_moving_on(remote):
    store, session_id, state, folder = remote
    session, link = room(store, session_id)
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "Ana Ruiz")
        await pilot.press("2", "c", *"half a thought")
        session.agenda.current_point = 1  # the room moves on before Enter
        link.publish(link.view(session, CHECKLIST))
        app.poll_round()
        await pilot.pause()
        assert ballot_on_disk(folder, ACME, "Ana Ruiz")["scores"][POINT]["comment"] == "half a thought"


async def test_a_person_taken_out_by_the_facilitator_is_told_so(remote):
    store, session_id, state, folder = remote
    session, link = room(store, session_id)
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "Not Ana")
        link.remove_participant(session, participant_id(ACME, "Not Ana"))
        app.poll_round()
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert "taken you out" in text_of(app, "#join-error")


async def test_wrong_codes_slow_only_wrong_tries_and_the_right_code_always_gets_in(remote):
    store, session_id, state, folder = remote
    for attempt in range(FREE_TRIES):
        async with ParticipantApp(store.data_dir, session_id, peer="10.9.9.9").run_test(size=SIZE) as pilot:
            await join(pilot, f"BAD{attempt}", 0, "Mallory")
            assert "Wait" not in text_of(pilot.app, "#join-error")  # the free tries
    # Someone else behind the same address, with the right code: in at once.
    colleague = ParticipantApp(store.data_dir, session_id, peer="10.9.9.9")
    async with colleague.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "Ana Ruiz")
        assert isinstance(colleague.screen, BallotScreen)
    # A further wrong code from there costs its page a wait, and that page then checks nothing.
    app = ParticipantApp(store.data_dir, session_id, peer="10.9.9.9")
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, "BAD99", 0, "Mallory")
        assert "Wait 31 seconds" in text_of(app, "#join-error")
        await join(pilot, state.code, 0, "Mallory")  # this page's own wait: even the right code waits here
        assert isinstance(app.screen, JoinScreen)
        assert "Too many wrong tries" in text_of(app, "#join-error")
    assert JoinLimiter(folder, "10.9.9.9").wrong_tries() == FREE_TRIES + 1  # the try during the wait was not checked


async def test_join_refuses_an_empty_name_and_no_organisation(remote):
    store, session_id, state, folder = remote
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 0, "   ")
        assert "cannot be empty" in text_of(app, "#join-error")
        assert list(folder.glob("acme*.json")) == []


async def test_no_round_says_so_and_opens_by_itself(store):
    from remote_support import PARTNERS

    from facilitator.domain.session_factory import create_session
    from facilitator.remote.room import open_round_for
    from facilitator.storage.layout import ballots_dir

    with store.create(create_session("Quiet Alliance", PARTNERS, date="2026-11-27")) as opened:
        session_id = opened.id
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "not open" in text_of(app, "#join-error")
        open_round_for(ballots_dir(store.data_dir, session_id), store.load(session_id))
        app.poll_round()
        await pilot.pause()
        assert text_of(app, "#join-error") == ""
        assert "Quiet Alliance" in text_of(app, "#join-title")


async def test_a_click_on_a_level_scores_it(remote):
    store, session_id, state, folder = remote
    app = ParticipantApp(store.data_dir, session_id)
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, state.code, 1, "Cy Diaz")
        options = app.screen.query_one("#score-options", OptionList)
        await pilot.click(options, offset=(8, 6))  # the third level (two lines each, under a border and padding)
        await pilot.pause()
        scores = ballot_on_disk(folder, BETA, "Cy Diaz")["scores"]
        assert scores[POINT]["score"] == 2
