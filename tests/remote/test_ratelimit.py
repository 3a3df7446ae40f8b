"""Wrong join codes are rate-limited per address and in total, shared across processes by a file."""

from __future__ import annotations

from facilitator.remote import codes
from facilitator.remote.ratelimit import ALL_ADDRESSES_PER_MINUTE, FIRST_WAIT, FREE_TRIES, JoinLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_few_mistakes_are_free_then_waits_double(tmp_path):
    clock = Clock()
    limiter = JoinLimiter(tmp_path, "10.0.0.5", clock)
    for _ in range(FREE_TRIES - 1):
        assert limiter.record_failure().allowed
    assert limiter.record_failure().wait == FIRST_WAIT
    clock.now += FIRST_WAIT + 1
    assert limiter.check().allowed
    assert limiter.record_failure().wait == 2 * FIRST_WAIT


def test_the_limit_is_shared_by_every_process_and_kept_per_address(tmp_path):
    clock = Clock()
    for _ in range(FREE_TRIES):
        JoinLimiter(tmp_path, "10.0.0.5", clock).record_failure()  # a new process per reload
    assert not JoinLimiter(tmp_path, "10.0.0.5", clock).check().allowed
    assert JoinLimiter(tmp_path, "10.0.0.6", clock).check().allowed


def test_many_addresses_at_once_slow_everyone_down(tmp_path):
    clock = Clock()
    for n in range(ALL_ADDRESSES_PER_MINUTE):
        JoinLimiter(tmp_path, f"10.0.1.{n}", clock).record_failure()
    assert not JoinLimiter(tmp_path, "10.0.2.1", clock).check().allowed
    clock.now += 61
    assert JoinLimiter(tmp_path, "10.0.2.1", clock).check().allowed


def test_success_forgets_the_address_and_a_damaged_record_locks_nobody_out(tmp_path):
    clock = Clock()
    limiter = JoinLimiter(tmp_path, "10.0.0.5", clock)
    for _ in range(FREE_TRIES - 1):
        limiter.record_failure()
    limiter.record_success()
    assert limiter.record_failure().allowed
    (tmp_path / "attempts.json").write_bytes(b"\x00not json")
    assert limiter.check().allowed


def test_codes_are_readable_and_typed_loosely():
    code = codes.new_code()
    assert len(code) == 7 and code[3] == "-"
    assert not set(code.replace("-", "")) & set("0O1IL5S2Z")
    assert codes.matches(code.lower().replace("-", " "), code)
    assert not codes.matches("", code) and not codes.matches(code[:-1], code)
    assert len({codes.new_code() for _ in range(200)}) == 200
