"""The exit guard (issue 13, item 1): after SIGHUP or SIGTERM the process ends with the work saved,
even when the app's own exit never comes (its event loop stuck on a dead terminal)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from facilitator.tui.exit_guard import ExitGuard


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.ended = threading.Event()
        self.code: int | None = None

    def end(self, code: int) -> None:
        self.code = code
        self.events.append(f"end {code}")
        self.ended.set()


def _guard(recorder: Recorder, request_exit, **kwargs) -> ExitGuard:
    def save() -> int:
        recorder.events.append("guard saved")
        return 0

    return ExitGuard(
        request_exit,
        save,
        before_exit=lambda: recorder.events.append("servers stopped"),
        end_process=recorder.end,
        terminal_alive=lambda: True,
        exit_grace=0.05,
        **kwargs,
    )


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_a_stuck_app_is_saved_from_the_guard_and_the_process_ended(signum):
    recorder = Recorder()
    stuck_loop = lambda callback: None  # noqa: E731 - a loop that never runs what it is given
    guard = _guard(recorder, request_exit=lambda s: recorder.events.append(f"asked {s}"), ping=stuck_loop)
    assert guard.install()
    try:
        os.kill(os.getpid(), signum)
        assert recorder.ended.wait(5), "the guard never ended the process"
    finally:
        guard.uninstall()
    assert recorder.events == [f"asked {int(signum)}", "guard saved", "servers stopped", "end 0"]


def test_an_app_that_saves_itself_is_not_saved_again_and_still_ended():
    recorder = Recorder()
    guard: ExitGuard

    def request_exit(_signum: int) -> None:
        recorder.events.append("app saved")
        guard.work_saved(1)  # only a rescue copy: the exit code says so

    guard = _guard(recorder, request_exit=request_exit, ping=lambda callback: callback())
    assert guard.install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal changes nothing
        assert recorder.ended.wait(5)
    finally:
        guard.uninstall()
    assert recorder.events == ["app saved", "servers stopped", "end 1"]


def test_a_dead_terminal_is_let_go_before_the_app_is_asked_to_exit():
    recorder = Recorder()
    guard = ExitGuard(
        lambda s: recorder.events.append("asked"),
        lambda: 0,
        terminal_gone=lambda: recorder.events.append("terminal let go"),
        end_process=recorder.end,
        terminal_alive=lambda: False,
        save_wait=0.1,
        gone_grace=0.0,
    )
    guard.install()
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        assert recorder.ended.wait(5)
    finally:
        guard.uninstall()
    assert recorder.events[:2] == ["terminal let go", "asked"]


def test_uninstall_gives_the_signals_back():
    before = signal.getsignal(signal.SIGTERM)
    guard = ExitGuard(lambda s: None, lambda: 0)
    guard.install()
    assert signal.getsignal(signal.SIGTERM) != before
    guard.uninstall()
    assert signal.getsignal(signal.SIGTERM) == before
