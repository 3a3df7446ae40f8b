"""Wrong join codes are rate-limited per address and in total, shared across processes by a file."""

from __future__ import annotations

from facilitator.remote import codes
from facilitator.remote.ratelimit import ALL_ADDRESSES_PER_MINUTE, FIRST_WAIT, FREE_TRIES, JoinLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def wrong(limiter: JoinLimiter):
    return limiter.attempt(lambda: False)


def right(limiter: JoinLimiter):
    return limiter.attempt(lambda: True)


def test_a_few_mistakes_are_free_then_waits_double(tmp_path):
    clock = Clock()
    limiter = JoinLimiter(tmp_path, "10.0.0.5", clock)
    for _ in range(FREE_TRIES - 1):
        accepted, verdict = wrong(limiter)
        assert not accepted and verdict.allowed
    assert wrong(limiter)[1].wait == FIRST_WAIT
    assert right(limiter) == (False, limiter.check())  # waiting: even the right code waits
    clock.now += FIRST_WAIT + 1
    assert limiter.check().allowed
    assert wrong(limiter)[1].wait == 2 * FIRST_WAIT


def test_the_limit_is_shared_by_every_process_and_kept_per_address(tmp_path):
    clock = Clock()
    for _ in range(FREE_TRIES):
        wrong(JoinLimiter(tmp_path, "10.0.0.5", clock))  # a new process per reload
    assert not JoinLimiter(tmp_path, "10.0.0.5", clock).check().allowed
    assert right(JoinLimiter(tmp_path, "10.0.0.6", clock))[0]


def test_guessing_from_many_addresses_slows_wrong_codes_but_never_the_right_one(tmp_path):
    clock = Clock()
    for n in range(ALL_ADDRESSES_PER_MINUTE):
        wrong(JoinLimiter(tmp_path, f"10.0.1.{n}", clock))
    accepted, verdict = wrong(JoinLimiter(tmp_path, "10.0.2.1", clock))
    assert not accepted and not verdict.allowed
    assert right(JoinLimiter(tmp_path, "10.0.2.2", clock))[0]


def test_success_forgets_the_address_and_a_damaged_record_locks_nobody_out(tmp_path):
    clock = Clock()
    limiter = JoinLimiter(tmp_path, "10.0.0.5", clock)
    for _ in range(FREE_TRIES - 1):
        wrong(limiter)
    assert right(limiter)[0]
    assert wrong(limiter)[1].allowed
    (tmp_path / "attempts.json").write_bytes(b"\x00not json")
    assert limiter.check().allowed


def test_codes_are_readable_and_typed_loosely():
    code = codes.new_code()
    assert len(code) == 7 and code[3] == "-"
    assert not set(code.replace("-", "")) & set("0O1IL5S2Z")
    assert codes.matches(code.lower().replace("-", " "), code)
    assert not codes.matches("", code) and not codes.matches(code[:-1], code)
    assert len({codes.new_code() for _ in range(200)}) == 200
