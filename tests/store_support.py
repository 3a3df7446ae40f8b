"""Helpers shared by the storage, CLI and reliability tests (imported as `store_support`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the package is used from the checkout, installed or not
    sys.path.insert(0, str(ROOT))

FIXTURES = Path(__file__).resolve().parent / "fixtures"
V1_FIXTURE = FIXTURES / "session-v1.json"
V1_ID = "harbour-alliance-2025-06-12"
DEMO_DATE = date(2026, 3, 2)
DEMO_ID = "coastal-corridor-alliance-2026-03-02"


def _real_user_cache() -> Path:
    """The user's facilitator cache as the app finds it outside the tests (see `user_cache`)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "facilitator"


# Read when the test session starts, before the autouse fixture (tests/conftest.py) points every
# test at a temporary cache.
REAL_USER_CACHE = _real_user_cache()


def v1_document() -> dict:
    """The version 1 session document itself (as `dump` of an old facilitator would give it)."""
    return json.loads(V1_FIXTURE.read_text(encoding="utf-8"))["session"]["1"]


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def error_line(self) -> str:
        """The one line on standard error, checked to be one line starting 'facilitator:'."""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {self.stderr!r}"
        assert lines[0].startswith("facilitator:"), lines[0]
        return lines[0]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PYTHON"))}
    env.update({"FACILITATOR_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def run_facilitator(
    data_dir: Path,
    *args: str,
    input: bytes | str | None = None,
    env: dict | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    flags: list[str] = (),
) -> CliResult:
    """`python [FLAGS] -m facilitator ARGS` in a fresh process, as a facilitator's script would run it."""
    if isinstance(input, str):
        input = input.encode("utf-8")
    proc = subprocess.run(
        [sys.executable, *flags, "-m", "facilitator", *args],
        input=input,
        capture_output=True,
        env=env or cli_env(data_dir),
        cwd=cwd or data_dir.parent,
        timeout=timeout,
    )
    result = CliResult(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in result.stderr, result.stderr
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
