"""Close the terminal under the app at random moments, and check that nothing is left behind.

Each run starts `facilitator` in a fresh pseudo-terminal (100x30) over a fresh data folder, does one
scenario, and closes the terminal (the pty's master side: the kernel hangs the terminal up and sends
SIGHUP, as closing a terminal window or `tmux kill-session` does) at a random moment:

- launch:     0-5 s after launch, on the session list or with a session open;
- step:       20-100 ms after the F3 that reached a random agenda step;
- score:      20-100 ms after a score typed in the health check;
- agreement:  20-100 ms after the last letter typed in the agreement editor;
- export:     0-400 ms after F5 opened the export dialog (its preview renders), or after Ctrl+S wrote it;
- remote:     with a remote round served (J, S), 0-500 ms after the server came up.

After the hangup, every process of the run (the app, and the serving process it started with its
participants) must be gone within 2 s, the session's lock must be free, and the last keystroke the
app had shown on screen must be on disk.

    python -m benchmarks.hangups --runs 300         # the full measurement (nice it on a shared machine)
    python -m benchmarks.hangups --runs 12 --seed 7  # a quick look; tests run a few of these
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS, LINES = 100, 30
F3, F5, ENTER, CTRL_S = b"\x1bOR", b"\x1b[15~", b"\r", b"\x13"
EXIT_WAIT = 2.0  # seconds a hung-up app has to be gone, with every process it started
SCENARIOS = ("launch", "step", "score", "agreement", "export", "remote")
STEPS = ("welcome", "health-check", "gaps", "agreement", "actions", "close")


@dataclass
class Outcome:
    scenario: str
    detail: str = ""
    left_alive: list[int] = field(default_factory=list)  # pids still running 2 s after the hangup
    lock_held: bool = False
    expected: str | None = None  # what the last keystroke should have put on disk, if any
    on_disk: str | None = None
    seconds_to_exit: float = 0.0
    left_commands: list[str] = field(default_factory=list)  # what each survivor was, to tell app from server

    @property
    def keystroke_kept(self) -> bool:
        if self.expected is None:
            return True
        if self.scenario == "agreement":  # a retried Enter may have put a line break before the word
            return (self.on_disk or "").lstrip("\n") == self.expected
        return self.expected == self.on_disk

    @property
    def ok(self) -> bool:
        return not self.left_alive and not self.lock_held and self.keystroke_kept


class Screen:
    """The pty's master side: what the app painted so far, read as it comes so the app never blocks."""

    def __init__(self, fd: int, pid: int) -> None:
        self.fd = fd
        self.pid = pid
        self.seen = b""
        self._slave: int | None = None  # the app's side, opened only to see what it has not read yet

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.02))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.seen += chunk

    def wait_for(self, needle: bytes, timeout: float = 20.0, since: int | None = None) -> None:
        start = len(self.seen) if since is None else since
        deadline = time.monotonic() + timeout
        while needle not in self.seen[max(0, start - len(needle)) :]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{needle!r} did not appear on screen within {timeout} s")
            self.pump(0.02)

    def mark(self) -> int:
        return len(self.seen)

    def shown_since(self, mark: int, needle: bytes) -> bool:
        return needle in self.seen[mark:]

    def type(self, keys: bytes) -> None:
        """Type, and wait until the app has read the keys: input still in the terminal when it is
        hung up is thrown away by the kernel, before any program could see it."""
        if self._slave is None:
            self._slave = os.open(os.readlink(f"/proc/{self.pid}/fd/0"), os.O_RDWR | os.O_NOCTTY)
        os.write(self.fd, keys)
        deadline = time.monotonic() + 5
        while self._unread() and time.monotonic() < deadline:
            self.pump(0.002)

    def _unread(self) -> int:
        return struct.unpack("i", fcntl.ioctl(self._slave, termios.FIONREAD, b"\0\0\0\0"))[0]

    def close(self) -> None:
        if self._slave is not None:
            os.close(self._slave)
        os.close(self.fd)  # the terminal goes away: the kernel hangs it up and sends SIGHUP


def _make_session(data_dir: Path) -> str:
    from facilitator.domain.session_factory import create_session
    from facilitator.storage.store import SessionStore

    store = SessionStore(data_dir)
    with store.create(create_session("Hangup Alliance", ["Acme", "Globex"], date="2026-03-02")) as opened:
        return opened.id


def _session_pids(leader: int) -> list[int]:
    """Every live process of the run: the app's terminal session, plus the serving process it
    started in a session of its own (found by its command line naming the run's data folder)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, sid = fields[0], int(fields[3])
        if state == "Z":
            continue
        if sid == leader:
            found.append(int(entry))
    return found


def _pids_using(data_dir: Path) -> list[int]:
    needle = str(data_dir).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            found.append(int(entry))
    return found


def _command_of(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    return " ".join(word.decode(errors="replace") for word in words if word)[-80:]


def _read_saved(data_dir: Path, session_id: str) -> dict:
    from facilitator.storage.store import SessionStore

    return SessionStore(data_dir).load(session_id).to_dict()


def _drive(scenario: str, screen: Screen, rng: random.Random, outcome: Outcome) -> None:
    """Do the scenario's keystrokes, then wait the random moment before the hangup."""
    if scenario == "launch":
        screen.pump(rng.uniform(0.0, 5.0))
        return
    screen.wait_for(b"Welcome")
    screen.pump(0.3)
    if scenario == "step":
        steps = rng.randint(1, len(STEPS) - 1)
        for _ in range(steps):
            screen.type(F3)
            screen.pump(rng.uniform(0.02, 0.1))
        outcome.detail = STEPS[steps]
        outcome.expected = STEPS[steps]
    elif scenario == "score":
        screen.type(F3)
        screen.wait_for(b"type 0-4")
        presses = rng.randint(1, 4)
        partners, cursor, scores = ["acme", "globex"], 0, {}
        for _ in range(presses):
            score = rng.randint(0, 4)
            screen.type(str(score).encode())
            scores[partners[cursor]] = score
            # The board moves on to the next partner still to score, as the room goes round the table.
            cursor = next((i for i in (1 - cursor, cursor) if partners[i] not in scores), cursor)
            screen.pump(rng.uniform(0.02, 0.1))
        outcome.detail = f"{presses} scores"
        outcome.expected = _scores_text(scores)
    elif scenario == "agreement":
        start = screen.mark()
        for _ in range(3):
            screen.type(F3)
            screen.pump(0.5)
        screen.wait_for(b"Text of the section", since=start)
        for attempt in range(4):  # Enter in the section list moves the focus to the editor
            screen.pump(0.5)
            screen.type(ENTER)
            screen.pump(0.3)
            mark = screen.mark()
            screen.type(b"Z")  # the first letter, once it shows in the editor
            try:
                screen.wait_for(b"Z", since=mark, timeout=3)
                break
            except TimeoutError:
                if attempt == 3:
                    raise
        word = "Z" + "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 6)))
        for letter in word[1:]:
            screen.type(letter.encode())
            screen.pump(rng.uniform(0.02, 0.1))
        outcome.detail = f"{len(word) - 1} letters"
        outcome.expected = word
    elif scenario == "export":
        screen.type(F5)
        if rng.random() < 0.5:
            outcome.detail = "preview"
            screen.pump(rng.uniform(0.0, 0.4))
        else:
            outcome.detail = "write"
            screen.wait_for(b"Write")
            screen.pump(0.2)
            screen.type(CTRL_S)
            screen.pump(rng.uniform(0.0, 0.4))
    elif scenario == "remote":
        screen.type(b"j")
        screen.wait_for(b"Start serving")
        screen.type(b"s")
        screen.wait_for(b"http://", timeout=20)
        outcome.detail = "served"
        screen.pump(rng.uniform(0.0, 0.5))


def _on_disk(scenario: str, saved: dict) -> str | None:
    if scenario == "step":
        return saved["agenda"]["step"]
    if scenario == "score":
        return _scores_text(saved["points"].get("joint-framework", {}).get("scores", {}))
    if scenario == "agreement":
        return saved["sections"].get("purpose", {}).get("text")
    return None


def _scores_text(scores: dict) -> str:
    return ", ".join(f"{partner} {score}" for partner, score in sorted(scores.items()))


def run_once(scenario: str, rng: random.Random, workdir: Path) -> Outcome:
    from facilitator.storage.locking import live_holder

    data_dir = Path(tempfile.mkdtemp(prefix="hangup-", dir=workdir))
    session_id = _make_session(data_dir)
    outcome = Outcome(scenario)
    if scenario == "launch" and rng.random() < 0.5:
        argv = [sys.executable, "-m", "facilitator", "--data-dir", str(data_dir)]
    else:
        argv = [sys.executable, "-m", "facilitator", "--data-dir", str(data_dir), "open", session_id]
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real app on a real terminal
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
            os.chdir(data_dir)  # where the export dialog offers to write
            signal.signal(signal.SIGHUP, signal.SIG_DFL)  # as a terminal starts it, even from under nohup
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    screen = Screen(fd, pid)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        if scenario == "launch":
            outcome.detail = "list" if "open" not in argv else "open"
        try:
            _drive(scenario, screen, rng, outcome)
        except TimeoutError as error:  # a starved machine: hang up all the same, check what is checkable
            outcome.detail = f"not driven to the end: {error}"
            outcome.expected = None
    finally:
        screen.close()
    hung_up = time.monotonic()
    reaped = False
    left: list[int] = []
    while time.monotonic() - hung_up < EXIT_WAIT:
        if not reaped:
            reaped = os.waitpid(pid, os.WNOHANG)[0] == pid
        left = ([] if reaped else [pid]) + [p for p in _session_pids(pid) + _pids_using(data_dir) if p != pid]
        if not left:
            break
        time.sleep(0.02)
    outcome.seconds_to_exit = time.monotonic() - hung_up
    outcome.left_alive = sorted(set(left))
    outcome.left_commands = [_command_of(survivor) for survivor in outcome.left_alive]
    outcome.lock_held = live_holder(data_dir / f"{session_id}.lock") is not None  # before any kill
    for survivor in outcome.left_alive:  # leave the machine clean whatever happened
        try:
            os.kill(survivor, signal.SIGKILL)
        except OSError:
            pass
    if not reaped:
        os.waitpid(pid, 0)
    if outcome.expected is not None:
        outcome.on_disk = _on_disk(scenario, _read_saved(data_dir, session_id))
    shutil.rmtree(data_dir, ignore_errors=True)
    return outcome


def run(runs: int, seed: int | None = None, scenarios: tuple[str, ...] = SCENARIOS, out=sys.stdout) -> list[Outcome]:
    seed = random.randrange(2**31) if seed is None else seed
    rng = random.Random(seed)
    print(f"hangups: {runs} runs, seed {seed}", file=out, flush=True)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="facilitator-hangups-") as workdir:
        for number in range(runs):
            scenario = scenarios[number % len(scenarios)]
            outcome = run_once(scenario, rng, Path(workdir))
            outcomes.append(outcome)
            if (number + 1) % 10 == 0:
                print(f"  {number + 1} runs, {sum(1 for o in outcomes if not o.ok)} not ok", file=out, flush=True)
            if not outcome.ok:
                print(
                    f"  run {number} {scenario} ({outcome.detail}): left alive {outcome.left_alive} "
                    f"{outcome.left_commands}, "
                    f"lock held {outcome.lock_held}, expected {outcome.expected!r} on disk {outcome.on_disk!r}",
                    file=out,
                    flush=True,
                )
    print(summary(outcomes), file=out)
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    per = Counter(o.scenario for o in outcomes)
    checked = [o for o in outcomes if o.expected is not None]
    slowest = max((o.seconds_to_exit for o in outcomes), default=0.0)
    return "\n".join(
        [
            f"runs: {len(outcomes)} ({', '.join(f'{k} {v}' for k, v in sorted(per.items()))})",
            f"runs with a process left after {EXIT_WAIT:g} s: {sum(1 for o in outcomes if o.left_alive)}",
            f"runs with the session lock still held: {sum(1 for o in outcomes if o.lock_held)}",
            f"last keystroke on disk: {sum(1 for o in checked if o.keystroke_kept)} of {len(checked)}",
            f"runs the machine was too slow to drive to the end (hung up all the same): "
            f"{sum(1 for o in outcomes if o.detail.startswith('not driven'))}",
            f"slowest exit after the hangup: {slowest:.2f} s",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    args = parser.parse_args(argv)
    outcomes = run(args.runs, args.seed, tuple(args.scenario or SCENARIOS))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
