"""The measurements: each figure is timed interleaved with its floor (A B A B ...), in this run.

Every function returns a `Figure`: the samples of the figure and of its floor, taken in pairs, one
right after the other, so that a machine busy with something else slows both alike. The ratio is
the median of the per-pair ratios (for memory, the median of the per-pair differences).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .ptyrun import run_in_pty

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
IMPORT_FLOOR = [PYTHON, "-c", "import tinydb, jinja2"]


@dataclass
class Figure:
    name: str  # what is measured
    floor: str  # what it is compared with
    target: str  # e.g. "<= 1.3x", "<= +40 MiB"
    unit: str  # "s", "ms" or "MiB"
    limit: float | None  # the ratio (or difference) that must not be exceeded; None: for information
    kind: str = "ratio"  # "ratio" or "difference"
    samples: list[float] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    note: str = ""
    missing: str = ""  # why it was not measured (an optional extra not installed); "" when measured

    @property
    def measured(self) -> bool:
        return not self.missing

    @property
    def value(self) -> float:
        return statistics.median(self.samples)

    @property
    def baseline(self) -> float:
        return statistics.median(self.floors)

    @property
    def ratio(self) -> float:
        pairs = list(zip(self.samples, self.floors))
        if self.kind == "difference":
            return statistics.median(a - b for a, b in pairs)
        return statistics.median(a / b for a, b in pairs if b > 0)

    @property
    def holds(self) -> bool:
        """Within its target. A figure not measured holds nothing (the summary counts it apart)."""
        return self.measured and (self.limit is None or self.ratio <= self.limit)

    @property
    def informational(self) -> bool:
        return self.limit is None

    def row(self) -> dict:
        if not self.measured:
            return {
                "figure": self.name,
                "value": "not measured",
                "floor": self.floor,
                "baseline": "-",
                "ratio": "-",
                "target": self.target,
                "holds": f"not measured ({self.missing})",
                "runs": 0,
            }
        return {
            "figure": self.name,
            "value": _fmt(self.value, self.unit),
            "floor": self.floor,
            "baseline": _fmt(self.baseline, self.unit),
            "ratio": (f"+{self.ratio:.1f} MiB" if self.kind == "difference" else f"{self.ratio:.2f}x"),
            "target": self.target,
            "holds": "-" if self.informational else "yes" if self.holds else "**no**",
            "runs": len(self.samples),
        }


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.1f} {unit}"


def interleave(
    runs: int,
    first: Callable[[], float],
    second: Callable[[], float],
    progress: Callable[[str], None] = lambda text: None,
) -> tuple[list[float], list[float]]:
    """A B A B ...: `runs` pairs; the order within a pair alternates too (A B, B A, A B ...)."""
    a_samples, b_samples = [], []
    for n in range(runs):
        if n % 2 == 0:
            a_samples.append(first())
            b_samples.append(second())
        else:
            b_samples.append(second())
            a_samples.append(first())
        progress(f"{n + 1}/{runs}")
    return a_samples, b_samples


def facilitator_command() -> list[str]:
    """The installed `facilitator` next to this Python, else `python -m facilitator`."""
    script = Path(PYTHON).parent / "facilitator"
    return [str(script)] if script.exists() else [PYTHON, "-m", "facilitator"]


def compile_sources() -> None:
    """Write the bytecode of facilitator and the benchmarks, as an installation has it.

    Installed libraries (Textual, Jinja2...) come with theirs; without facilitator's, each start
    would compile it from source (PYTHONDONTWRITEBYTECODE is set on some machines), which is not
    what a facilitator's laptop does.
    """
    import compileall

    for folder in (ROOT / "facilitator", HERE):
        compileall.compile_dir(str(folder), quiet=1)


def _env(data_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    if data_dir is not None:
        env["FACILITATOR_DATA_DIR"] = str(data_dir)
    return env


def time_process(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of a whole process, launch to exit, its output read and thrown away."""
    started = time.perf_counter()
    completed = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {completed.stderr.decode(errors='replace')[-500:]}")
    return elapsed


# -- the TUI's start and its memory -------------------------------------------------------------


def tui_start(
    store: Path,
    needle: str,
    runs: int,
    settle: float = 0.3,
    warmup: bool = True,
    progress: Callable[[str], None] = lambda text: None,
) -> tuple[Figure, Figure]:
    """The real `facilitator` in a pty until the newest session's row is painted, vs a bare Static app.

    The same runs give the peak memory (ru_maxrss) of both processes.
    """
    from .bare_static import READY

    start = Figure(
        f"TUI cold start to the session list ({_count(store)} sessions)",
        "bare Textual app, one Static",
        "<= 1.3x",
        "s",
        1.3,
    )
    memory = Figure(
        f"peak memory of the TUI ({_count(store)} sessions)",
        "bare Textual app, one Static",
        "<= +40 MiB",
        "MiB",
        40.0,
        kind="difference",
    )
    app_argv = facilitator_command()
    bare_argv = [PYTHON, str(HERE / "bare_static.py")]
    env = _env(store)

    def app() -> float:
        run = run_in_pty(app_argv, [needle.encode()], env=env, settle=settle)
        memory.samples.append(run.peak_rss_mib)
        return run.seconds

    def bare() -> float:
        run = run_in_pty(bare_argv, [READY.encode()], env=env, settle=settle)
        memory.floors.append(run.peak_rss_mib)
        return run.seconds

    if warmup:  # one of each first, not counted: the first start after a while reads the code from disk
        run_in_pty(app_argv, [needle.encode()], env=env, settle=0.0)
        run_in_pty(bare_argv, [READY.encode()], env=env, settle=0.0)
    start.samples, start.floors = interleave(runs, app, bare, progress)
    return start, memory


# -- the command line ----------------------------------------------------------------------------


def cli_export(store: Path, session_id: str, runs: int, warmup: bool = True, progress=lambda text: None) -> Figure:
    figure = Figure(
        "`facilitator export` of the largest session (whole process)",
        '`python -c "import tinydb, jinja2"`',
        "<= 1.5x",
        "s",
        1.5,
    )
    env = _env(store)
    argv = [*facilitator_command(), "export", session_id]
    if warmup:  # not counted
        time_process(argv, env), time_process(IMPORT_FLOOR, env)
    figure.samples, figure.floors = interleave(
        runs, lambda: time_process(argv, env), lambda: time_process(IMPORT_FLOOR, env), progress
    )
    return figure


def cli_export_scorecard(
    store: Path, session_id: str, runs: int, warmup: bool = True, progress=lambda text: None
) -> Figure:
    """The scorecard with its trend and cadence: the three sessions the target follows read."""
    figure = Figure(
        "`facilitator export --document scorecard` (reads the 3 sessions it follows)",
        '`python -c "import tinydb, jinja2"`',
        "<= 1.5x",
        "s",
        1.5,
    )
    env = _env(store)
    argv = [*facilitator_command(), "export", session_id, "--document", "scorecard"]
    if warmup:
        time_process(argv, env), time_process(IMPORT_FLOOR, env)
    figure.samples, figure.floors = interleave(
        runs, lambda: time_process(argv, env), lambda: time_process(IMPORT_FLOOR, env), progress
    )
    return figure


def cli_list_after_a_save(
    store: Path, session_id: str, runs: int, warmup: bool = True, progress=lambda text: None
) -> Figure:
    """`list --json` just after a session was saved, so that neither the index's row of that file
    nor the kept copy's can be used (the file is read again, the copy patched and written)."""
    figure = Figure(
        f"`facilitator list --json`, {_count(store)} sessions, just after a save",
        '`python -c "import tinydb, jinja2"`',
        "<= 1.5x",
        "s",
        1.5,
    )
    env = _env(store)
    argv = [*facilitator_command(), "list", "--json"]
    path = store / f"{session_id}.json"

    def listing() -> float:
        os.utime(path)  # what a save does to the stamps the store checks (mtime, ctime)
        return time_process(argv, env)

    if warmup:
        listing(), time_process(IMPORT_FLOOR, env)
    figure.samples, figure.floors = interleave(runs, listing, lambda: time_process(IMPORT_FLOOR, env), progress)
    return figure


def cli_list_filtered(store: Path, runs: int, warmup: bool = True, progress=lambda text: None) -> Figure:
    """`list` with a filter that every session passes (the most the filter can cost: the same
    table, every row tested) against the same `list` without a filter."""
    figure = Figure(
        f"`facilitator list --status ok` vs `list`, {_count(store)} sessions (the filter's cost)",
        "`facilitator list`",
        "<= 1.2x",
        "s",
        1.2,
    )
    env = _env(store)
    filtered = [*facilitator_command(), "list", "--status", "ok"]
    plain = [*facilitator_command(), "list"]
    if warmup:
        time_process(filtered, env), time_process(plain, env)
    figure.samples, figure.floors = interleave(
        runs, lambda: time_process(filtered, env), lambda: time_process(plain, env), progress
    )
    return figure


def cli_list(store: Path, runs: int, warmup: bool = True, progress=lambda text: None) -> Figure:
    figure = Figure(
        f"`facilitator list --json`, {_count(store)} sessions (whole process)",
        '`python -c "import tinydb, jinja2"`',
        "<= 2x",
        "s",
        2.0,
    )
    env = _env(store)
    argv = [*facilitator_command(), "list", "--json"]
    if warmup:
        time_process(argv, env), time_process(IMPORT_FLOOR, env)
    figure.samples, figure.floors = interleave(
        runs, lambda: time_process(argv, env), lambda: time_process(IMPORT_FLOOR, env), progress
    )
    return figure


def cli_imports(store: Path, session_id: str) -> dict[str, list[str]]:
    """Which of textual, rich and jinja2 each non-interactive command imports (it must be none,
    jinja2 aside for export)."""
    found = {}
    for args in (["list", "--json"], ["show", session_id], ["export", session_id], ["dump", session_id]):
        completed = subprocess.run(
            [PYTHON, "-X", "importtime", "-m", "facilitator", *args],
            env=_env(store),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        modules = {
            line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")
        }
        found[" ".join(args[:1])] = sorted({m.split(".")[0] for m in modules} & {"textual", "rich", "jinja2"})
    return found


# -- the converted formats (the documents extra) -----------------------------------------------

BARE_CONVERT = HERE / "bare_convert.py"


def documents_extra_missing() -> str:
    """Why the converted formats cannot be measured, in a few words; "" when they can (pandoc
    found the way our code finds it, and Typst importable)."""
    import importlib.util

    from facilitator.reports.formats.pandoc import DocumentsExtraMissing, pandoc_path

    absent = []
    try:
        pandoc_path()
    except DocumentsExtraMissing:
        absent.append("pandoc")
    if importlib.util.find_spec("typst") is None:
        absent.append("typst")
    return f"no {' or '.join(absent)}: the documents extra is not installed" if absent else ""


def cli_export_html(store: Path, session_id: str, runs: int, warmup: bool = True, progress=lambda text: None) -> Figure:
    """`export --format html` against the import floor of the other commands: what a person waits
    for (the HTML is written in process, by markdown-it-py)."""
    figure = Figure(
        "`facilitator export --format html` of the largest session (whole process)",
        '`python -c "import tinydb, jinja2"`',
        "<= 1.5x",
        "s",
        1.5,
    )
    figure.missing = documents_extra_missing()
    if figure.missing:
        return figure
    env = _env(store)
    argv = [*facilitator_command(), "export", session_id, "--format", "html"]
    if warmup:
        time_process(argv, env), time_process(IMPORT_FLOOR, env)
    figure.samples, figure.floors = interleave(
        runs, lambda: time_process(argv, env), lambda: time_process(IMPORT_FLOOR, env), progress
    )
    return figure


def cli_export_docx(store: Path, session_id: str, runs: int, progress=lambda text: None) -> Figure:
    figure = Figure(
        "`facilitator export --format docx` of the largest session (whole process)",
        "`bare_convert.py`: pandoc alone on the same Markdown, reference doc and options",
        "<= 1.2x",
        "s",
        1.2,
    )
    return _against_bare_converters(figure, store, ["export", session_id, "--format", "docx"], runs, progress)


def cli_export_pdf(store: Path, session_id: str, runs: int, progress=lambda text: None) -> Figure:
    figure = Figure(
        "`facilitator export --format pdf` of the largest session (whole process)",
        "`bare_convert.py`: pandoc to Typst, then the Typst compile, alone on the same input",
        "<= 1.2x",
        "s",
        1.2,
    )
    return _against_bare_converters(figure, store, ["export", session_id, "--format", "pdf"], runs, progress)


def cli_export_pack(store: Path, session_id: str, runs: int, progress=lambda text: None) -> Figure:
    """Both documents in the four formats, into a folder, against the sum of the conversions:
    the same pandoc runs and Typst compiles, one after the other in one process."""
    figure = Figure(
        "`facilitator export --document pack -o DIR` of the largest session (2 documents x 4 formats)",
        "`bare_convert.py`: the same {jobs} alone, one after the other",
        "<= 1.2x",
        "s",
        1.2,
    )
    args = ["export", session_id, "--document", "pack", "-o", "{work}/pack"]
    return _against_bare_converters(figure, store, args, runs, progress)


def _against_bare_converters(figure: Figure, store: Path, args: list[str], runs: int, progress) -> Figure:
    """`facilitator *args` against `bare_convert.py replay` of the conversions that command makes.

    The command is run once first through `bare_convert.py record` (not counted), which saves what
    our code hands pandoc and Typst; that run also brings the converters and the session into the
    page cache, so there is no other warm-up (the quick run stays short)."""
    figure.missing = documents_extra_missing()
    if figure.missing:
        figure.floor = figure.floor.replace("{jobs}", "conversions")
        return figure
    from .bare_convert import jobs_summary

    env = _env(store)
    work = Path(tempfile.mkdtemp(prefix="facilitator-formats-"))
    try:
        args = [arg.replace("{work}", str(work)) for arg in args]
        jobs = work / "jobs"
        time_process([PYTHON, str(BARE_CONVERT), "record", str(jobs), "--", *args], env)
        figure.floor = figure.floor.replace("{jobs}", jobs_summary(jobs))
        ours = [*facilitator_command(), *args]
        bare = [PYTHON, str(BARE_CONVERT), "replay", str(jobs)]
        figure.samples, figure.floors = interleave(
            runs, lambda: time_process(ours, env), lambda: time_process(bare, env), progress
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figure


# -- autosave --------------------------------------------------------------------------------------


def autosave(
    big_store: Path, small_store: Path, session_id: str, runs: int, progress=lambda text: None
) -> tuple[Figure, Figure]:
    """One save of the largest session, as the autosaver does it, in the big and in the small store,
    and the floor: json.dumps + write + fsync + os.replace of the same document.

    The session is saved under a new id (a copy, created through the store and removed at the end),
    so the cached stores stay as they were generated.
    """
    from facilitator.storage.store import SessionStore

    one = Figure(
        "one autosave of the largest session (snapshot + save)",
        "json.dumps + write + fsync + os.replace",
        "<= 1.5x",
        "ms",
        1.5,
    )
    scale = Figure(
        f"autosave with {_count(big_store)} stored sessions vs with {_count(small_store)}",
        f"the same autosave with {_count(small_store)} stored",
        "<= 1.2x",
        "ms",
        1.2,
    )
    opened = []
    try:
        for folder in (big_store, small_store):
            store = SessionStore(folder)
            session = store.load(session_id)
            opened.append(store.create(session))  # a copy with a new id: <id>-2
        big, small = opened

        def save(handle) -> float:
            started = time.perf_counter()
            handle.save(handle.session.to_dict())  # the snapshot the UI takes, then the write
            return (time.perf_counter() - started) * 1000

        document = big.session.to_dict()

        def floor() -> float:
            started = time.perf_counter()
            payload = json.dumps(document).encode("utf-8")
            fd, temp = tempfile.mkstemp(dir=big_store, prefix=".benchmark-floor-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, big_store / ".benchmark-floor.json")
            return (time.perf_counter() - started) * 1000

        for _ in range(2):  # warm-up
            save(big), save(small), floor()
        for n in range(runs):
            order = [("big", save, big), ("floor", floor, None), ("small", save, small)]
            if n % 2:
                order.reverse()
            for name, function, handle in order:
                value = function(handle) if handle is not None else function()
                {"big": one.samples, "floor": one.floors, "small": scale.floors}[name].append(value)
            progress(f"{n + 1}/{runs}")
        scale.samples = list(one.samples)
    finally:
        for handle in opened:
            handle.close()
            for path in (handle.store.path_for(handle.id), handle.store.lock_path(handle.id)):
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
        try:
            (big_store / ".benchmark-floor.json").unlink()
        except FileNotFoundError:
            pass
    return one, scale


# -- key presses -----------------------------------------------------------------------------------


def key_presses(store: Path, session_id: str, runs: int, presses: int, progress=lambda text: None) -> Figure:
    """Key press to repaint while scoring, in the meeting workspace, vs a bare app with one Input.

    Each run is a fresh process (`benchmarks.keys`) that presses `presses` keys and reports their
    median latency; runs alternate between the two apps.
    """
    from .keys import prepare_scoring_copy

    figure = Figure(
        f"key press to repaint while scoring (Pilot, median of {presses} presses)",
        "bare Textual app, one Input",
        "<= 2x",
        "ms",
        2.0,
    )
    work = Path(tempfile.mkdtemp(prefix="facilitator-keys-"))
    try:
        scoring_id = prepare_scoring_copy(store / f"{session_id}.json", work / "sessions")
        env = _env()

        def run(which: str) -> float:
            argv = [PYTHON, "-m", "benchmarks.keys", which, "--presses", str(presses)]
            if which == "app":
                argv += ["--data-dir", str(work / "sessions"), "--session", scoring_id]
            completed = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
            if completed.returncode != 0:
                raise RuntimeError(f"benchmarks.keys {which} failed: {completed.stderr[-800:]}")
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            if result["median_ms"] is None:
                raise RuntimeError(f"benchmarks.keys {which}: no key press repainted the screen")
            return result["median_ms"]

        figure.samples, figure.floors = interleave(runs, lambda: run("app"), lambda: run("bare"), progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figure


def _count(store: Path) -> str:
    try:
        marker = json.loads((store / ".benchmark-store.json").read_text(encoding="utf-8"))
        return f"{marker['sessions']:,}"
    except (OSError, ValueError, KeyError):
        return f"{sum(1 for p in store.glob('*.json') if p.name != 'index.json'):,}"
