"""The reliability suite (issue 4): every test records the figure it reached with `record_figure`.

The figures are printed at the end of the run. With FACILITATOR_UPDATE_RELIABILITY_DOC=1 they are
also written into docs/reliability.md, between its "figures" markers, for the lead to commit.
"""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path

import pytest

FIGURES: list[tuple[str, str, str]] = []  # (test, what, figure), for the whole session
DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


@pytest.fixture(scope="session")
def figures() -> list[tuple[str, str, str]]:
    return FIGURES


@pytest.fixture
def record_figure(request, figures):
    """record_figure("unparsable files after 200 kills", 0): printed now and in the summary."""
    test = request.node.name

    def record(what: str, figure: object) -> None:
        figures.append((test, what, str(figure)))
        print(f"[figure] {what}: {figure}")

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    width = max(len(what) for _test, what, _figure in FIGURES)
    for test, what, figure in FIGURES:
        terminalreporter.write_line(f"{what:<{width}}  {figure}   ({test})")
    if os.environ.get("FACILITATOR_UPDATE_RELIABILITY_DOC") == "1" and exitstatus == 0:
        _update_doc()
        terminalreporter.write_line(f"figures written to {DOC}")


def _update_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return
    rows = ["| Check | Figure reached | Test |", "|---|---|---|"]
    rows += [f"| {what} | {figure} | `{test}` |" for test, what, figure in FIGURES]
    cpus = os.cpu_count()
    block = "\n".join(
        [
            BEGIN,
            f"Measured on {date.today().isoformat()}: Python {platform.python_version()}, {platform.system()}, "
            f"{cpus} cores.",
            "",
            *rows,
            END,
        ]
    )
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    DOC.write_text(head + block + tail, encoding="utf-8")
