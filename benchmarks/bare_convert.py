"""The floor of the converted formats: the converters alone, on exactly what our code gives them.

    python benchmarks/bare_convert.py record JOBS -- export ID --format docx   # once, not timed
    python benchmarks/bare_convert.py replay JOBS                             # the floor, timed

`record` runs the facilitator command given after `--` in this process, with `subprocess.run` and
`typst.compile` watched: every pandoc run (its whole command line: reader, `--sandbox`, the Lua
filters, the reference document, and the Markdown on its standard input, figures embedded) and
every Typst compile of a PDF (the `.typ` file our code wrote, the figures' SVG files beside it,
the `sys.inputs`) is saved in JOBS. The charts drawn as PNG for Word (Typst too) are not saved:
they are our work, not the converter's.

`replay` does those runs again and nothing else: a Python process, pandoc started for each saved
command with its saved input (output read and thrown away), `typst.compile` of each saved file. It
never imports pypandoc (pandoc's path is in the saved command) nor facilitator; Typst only when a
PDF is among the jobs. So `export --format docx` against `replay` is our overhead: the interpreter
is in both, and what is left is our imports, reading the session, the render, the figures, the
header and footer written into the Word file, and finding pandoc.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

JOBS = "jobs.json"


def record(jobs_dir: Path, argv: list[str]) -> int:
    """Run `facilitator *argv` here, saving each pandoc run and PDF compile into `jobs_dir`."""
    jobs_dir.mkdir(parents=True, exist_ok=True)
    jobs: list[dict] = []
    real_run = subprocess.run

    def watched_run(command, *args, **kwargs):
        if isinstance(command, (list, tuple)) and command and Path(str(command[0])).name.startswith("pandoc"):
            name = f"job-{len(jobs)}.stdin"
            (jobs_dir / name).write_bytes(kwargs.get("input") or b"")
            jobs.append({"kind": "pandoc", "argv": [str(c) for c in command], "stdin": name})
        return real_run(command, *args, **kwargs)

    subprocess.run = watched_run  # type: ignore[assignment]
    try:
        import typst
    except ImportError:
        typst = None
    if typst is not None:
        real_compile = typst.compile

        def watched_compile(input, *args, **kwargs):  # noqa: A002 - typst's own name
            if isinstance(input, (str, os.PathLike)) and kwargs.get("format") in (None, "pdf") and not args:
                main = Path(input)
                root = Path(kwargs.get("root") or main.parent)
                copy = jobs_dir / f"job-{len(jobs)}-root"
                shutil.copytree(root, copy)
                rest = {k: v for k, v in kwargs.items() if k != "root"}
                jobs.append({"kind": "typst", "root": copy.name, "main": str(main.relative_to(root)), "kwargs": rest})
            return real_compile(input, *args, **kwargs)

        typst.compile = watched_compile
    from facilitator.cli import main

    status = main(argv)
    (jobs_dir / JOBS).write_text(json.dumps(jobs, indent=1), encoding="utf-8")
    if status == 0 and not jobs:
        print("bare_convert: the command ran no converter", file=sys.stderr)
        return 1
    return status


def replay(jobs_dir: Path) -> int:
    jobs = json.loads((jobs_dir / JOBS).read_text(encoding="utf-8"))
    for job in jobs:
        if job["kind"] == "pandoc":
            done = subprocess.run(job["argv"], input=(jobs_dir / job["stdin"]).read_bytes(), capture_output=True)
            if done.returncode != 0:
                print(done.stderr.decode(errors="replace")[-500:], file=sys.stderr)
                return 1
        else:
            import typst

            root = jobs_dir / job["root"]
            typst.compile(str(root / job["main"]), root=str(root), **job["kwargs"])
    return 0


def jobs_summary(jobs_dir: Path) -> str:
    """What was saved, in words: "2 pandoc runs and 1 Typst compile"."""
    jobs = json.loads((jobs_dir / JOBS).read_text(encoding="utf-8"))
    pandoc = sum(1 for job in jobs if job["kind"] == "pandoc")
    typst = len(jobs) - pandoc
    words = [f"{pandoc} pandoc run{'s' if pandoc != 1 else ''}"]
    if typst:
        words.append(f"{typst} Typst compile{'s' if typst != 1 else ''}")
    return " and ".join(words)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "replay":
        return replay(Path(argv[1]))
    if len(argv) >= 3 and argv[0] == "record" and "--" in argv:
        split = argv.index("--")
        return record(Path(argv[1]), argv[split + 1 :])
    print("usage:\n" + "\n".join(__doc__.strip().splitlines()[2:4]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
