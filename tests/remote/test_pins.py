"""PINs (issue 13, item 4): long enough that the limits make guessing hopeless, easy to read aloud,
kept only as a slow salted hash with its parameters, and old four-digit ballots refused clearly."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static

sys.path.insert(0, str(Path(__file__).resolve().parent))

from remote_support import ACME, cast, seed_remote  # noqa: E402

from facilitator.domain.content import load_checklist  # noqa: E402
from facilitator.participant.app import ParticipantApp  # noqa: E402
from facilitator.participant.join import JoinScreen  # noqa: E402
from facilitator.remote import codes, pins  # noqa: E402
from facilitator.remote.ballots import Ballot, participant_id, read_ballot, write_ballot  # noqa: E402
from facilitator.remote.joining import NEED_PIN, OLD_PIN, WRONG_PIN, try_join  # noqa: E402


def test_a_pin_is_eight_unambiguous_characters_in_two_groups():
    pin = pins.new_pin()
    assert len(pin) == 9 and pin[4] == "-"
    assert set(pin.replace("-", "")) <= set(codes.ALPHABET) and not set(pin) & set("0O1IL5S2Z")
    assert len(codes.ALPHABET) ** pins.LENGTH > 10**11
    assert len({pins.new_pin() for _ in range(300)}) == 300
    assert pins.normalise(" abcd efgh ") == "ABCD-EFGH"


def test_only_a_slow_salted_hash_is_kept_with_its_parameters():
    pin = pins.new_pin()
    stored, again = pins.hash_pin(pin), pins.hash_pin(pin)
    assert stored != again  # a salt of its own
    scheme, n, r, p, salt, key = stored.split(":")
    assert scheme == "scrypt" and int(n) * int(r) >= 2**17 and len(bytes.fromhex(salt)) == 16
    assert pin.replace("-", "") not in stored
    assert pins.matches(stored, pin) and pins.matches(stored, pin.lower().replace("-", " "))
    assert not pins.matches(stored, "AAAA-AAAA" if pin != "AAAA-AAAA" else "BBBB-BBBB")
    assert not pins.matches(stored, "")


def test_a_crafted_hash_is_not_a_hash():
    salt, key = "00" * 16, "00" * 32
    for bad in (
        f"scrypt:{2**30}:8:1:{salt}:{key}",  # gigabytes of memory to check
        f"scrypt:16384:64:1:{salt}:{key}",
        f"scrypt:1000:8:1:{salt}:{key}",
        f"md5:16384:8:1:{salt}:{key}",
        f"scrypt:16384:8:1:{salt}:zz",
        "scrypt:" + "9" * 300,
        "<script>",
    ):
        assert not pins.is_stored_hash(bad) and not pins.matches(bad, "ABCD-EFGH")


@pytest.fixture
def legacy_round(store):
    """A round whose Ana Ruiz joined with an older facilitator: one SHA-256 of a four-digit PIN."""
    session_id, state, folder = seed_remote(store)
    ballot = cast(folder, state, ACME, "Ana Ruiz", {"joint-framework": 3})
    data = json.loads((folder / f"{ballot.participant}.json").read_text(encoding="utf-8"))
    data["pin_hash"] = hashlib.sha256(f"{ballot.participant}\n4821".encode()).hexdigest()
    (folder / f"{ballot.participant}.json").write_text(json.dumps(data), encoding="utf-8")
    return store, session_id, state, folder


def test_an_old_ballot_is_still_read_but_its_four_digit_pin_is_refused_clearly(legacy_round):
    store, session_id, state, folder = legacy_round
    checklist = load_checklist()
    old = read_ballot(folder, participant_id(ACME, "Ana Ruiz"), state, checklist, ACME)
    assert old is not None and old.scores["joint-framework"].score == 3  # its scores still count
    outcome = try_join(folder, "10.0.0.1", state, checklist, ACME, "Ana Ruiz", state.code, "4821")
    assert outcome.ballot is None and outcome.problem == OLD_PIN


async def test_the_page_says_why_an_old_pin_is_refused(legacy_round):
    store, session_id, state, folder = legacy_round
    app = ParticipantApp(store.data_dir, session_id, peer="10.0.0.2")
    async with app.run_test(size=(90, 34)) as pilot:
        screen = app.screen
        screen.query_one("#join-code", Input).value = state.code
        screen.query_one("#join-partner").query("RadioButton").first().value = True
        screen.query_one("#join-name", Input).value = "Ana Ruiz"
        screen.query_one("#join-pin", Input).value = "4821"
        await pilot.pause()
        screen.join()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        message = str(app.screen.query_one("#join-error", Static).render())
        assert "older version" in message and "initial" in message


def test_need_pin_is_not_a_wrong_try_and_a_wrong_pin_is(store):
    from facilitator.remote.ratelimit import JoinLimiter

    session_id, state, folder = seed_remote(store)
    checklist = load_checklist()
    pin = pins.new_pin()
    write_ballot(
        folder,
        Ballot(
            participant=participant_id(ACME, "Bo Chen"),
            partner=ACME,
            name="Bo Chen",
            round=state.round,
            code=state.code,
            pin_hash=pins.hash_pin(pin),
        ),
    )
    assert try_join(folder, "10.0.0.3", state, checklist, ACME, "Bo Chen", state.code, "").problem == NEED_PIN
    assert JoinLimiter(folder, "10.0.0.3").wrong_tries() == 0
    assert try_join(folder, "10.0.0.3", state, checklist, ACME, "Bo Chen", state.code, "WXYZ-WXYZ").problem == WRONG_PIN
    assert JoinLimiter(folder, "10.0.0.3").wrong_tries() == 1
    back = try_join(folder, "10.0.0.3", state, checklist, ACME, "bo  chen", state.code, pin.lower())
    assert back.ballot is not None and back.pin == pin


def test_a_name_that_only_reads_the_same_is_that_person_and_needs_their_pin(store):
    """Red team: "Jonas Berg" with a zero-width space, or with a Cyrillic "е", joined as a new
    person without the PIN and scored as the one who had joined."""
    _session_id, state, folder = seed_remote(store)
    checklist = load_checklist()
    first = try_join(folder, "10.0.0.1", state, checklist, ACME, "Jonas Berg", state.code, "")
    assert first.ballot is not None
    for look_alike in ("Jonas Berg\u200b", "Jonas B\u0435rg", "JONAS \u2060BERG", "\uff2aonas Berg"):
        outcome = try_join(folder, "10.0.0.2", state, checklist, ACME, look_alike, state.code, "")
        assert outcome.problem == NEED_PIN and outcome.existing_name == "Jonas Berg", look_alike
    back = try_join(folder, "10.0.0.2", state, checklist, ACME, "Jonas B\u0435rg", state.code, first.pin)
    assert back.ballot is not None and back.ballot.name == "Jonas Berg"  # the name as first typed


def test_help_names_the_pin_format_and_the_trusted_proxy():
    from markdown_it import MarkdownIt

    from facilitator.tui.screens.help import help_markdown

    text = help_markdown([], load_checklist())
    tokens = MarkdownIt().parse(text)
    paragraphs = [tok.content for tok in tokens if tok.type == "inline"]
    pin_line = next(line for line in paragraphs if "PIN" in line)
    assert "eight letters and digits" in pin_line and "`K7MP-4QXR`" in pin_line
    assert "--trusted-proxy" in pin_line and "X-Forwarded-For" in pin_line
