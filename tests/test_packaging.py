"""An installed (non-editable) wheel must carry its templates, styles and checklist, and export."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # setuptools builds in the checkout's build/ and keeps what an earlier build put there: a module
    # dropped from the package list would still ship from it.
    shutil.rmtree(REPO / "build", ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{result.stderr[-2000:]}")
    (path,) = out.glob("facilitator-*.whl")
    return path


def test_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {
        "facilitator/report_templates/agreement.md.j2",
        "facilitator/report_templates/scorecard.md.j2",
        "facilitator/domain/content/checklist-1.toml",
        "facilitator/tui/app.tcss",
    }
    needed |= {
        f"facilitator/{p.relative_to(REPO / 'facilitator').as_posix()}" for p in (REPO / "facilitator").rglob("*.tcss")
    }
    # Every package of the tree (pyproject.toml lists them one by one).
    needed |= {
        f"facilitator/{p.relative_to(REPO / 'facilitator').as_posix()}"
        for p in (REPO / "facilitator").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert needed <= names, f"missing from the wheel: {sorted(needed - names)}"


def test_installed_wheel_exports_and_loads_its_styles(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "FACILITATOR_DATA_DIR": str(tmp_path / "data")}
    where = subprocess.run(
        [sys.executable, "-c", "import facilitator; print(facilitator.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout
    assert where.startswith(str(target)), "the test must run the installed copy, not the checkout"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "facilitator", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    created = run("demo", "--no-open")
    assert created.returncode == 0, created.stderr
    exported = run("export", created.stdout.strip(), "--document", "scorecard")
    assert exported.returncode == 0, exported.stderr
    headings = [t for t in MarkdownIt("commonmark").enable("table").parse(exported.stdout) if t.type == "heading_open"]
    assert headings, "the installed package rendered no document"

    # A customised template renders in the installed package's own child process (report_child).
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "agreement.md.j2").write_text("# Custom {{ title.alliance }}\n", encoding="utf-8")
    customised = run("--templates", str(custom), "export", created.stdout.strip())
    assert customised.returncode == 0, customised.stderr
    assert customised.stdout.startswith("# Custom ")

    # The TUI's stylesheets resolve from the installed package (a missing .tcss crashes at start).
    check = (
        "import asyncio\n"
        "from facilitator.tui.app import make_app\n"
        "async def main():\n"
        "    app = make_app(data_dir='data')\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        await pilot.pause()\n"
        "        print(type(app.screen).__name__)\n"
        "asyncio.run(main())\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", check], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "SessionListScreen" in shown.stdout
