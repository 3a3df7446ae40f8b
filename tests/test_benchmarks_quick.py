"""The benchmarks' machinery, end to end on a tiny store: every figure is measured and the table is
well formed. Timings are never asserted (machines are noisy; `python -m benchmarks` is for that)."""

from __future__ import annotations

import io
import re

from store_support import ROOT  # noqa: F401 - puts the checkout on sys.path

from benchmarks import figures as F
from benchmarks.generate import cached_store, target_id
from benchmarks.run import HEADINGS, main, run
from facilitator.domain.history.lineage import load_lineage
from facilitator.storage.store import SessionStore

FIGURES = 14  # 10, and the converted formats' 4 (html, docx, pdf, the pack)
FORMAT_ROWS = ("--format html", "--format docx", "--format pdf", "--document pack")


def test_generated_store_is_realistic_and_listed_from_its_index(tmp_path):
    folder = cached_store(5, words=(30, 40), actions=4, cache=tmp_path, progress=False)
    store = SessionStore(folder)
    summaries = store.summaries()
    assert len(summaries) == 5 and summaries[0].id == target_id()  # the newest is the target
    session = store.load(target_id())
    assert len(session.partners) == 3 and len(session.sections) == 12 and len(session.actions) == 4
    assert all(len(record.scores) == 3 for record in session.points.values()) and len(session.points) == 10
    assert 30 <= len(session.sections["purpose"].text.split()) <= 45
    # A review of its alliance's kick-off and two reviews, as its documents read them.
    line = load_lineage(store, session)
    assert [s.kind for s in line.sessions] == ["kickoff", "review", "review", "review"] and not line.gaps
    head, count = store.cached_head(3)
    assert count == 5 and [s.id for s in head] == [s.id for s in summaries[:3]]
    # Reused, not generated again.
    assert cached_store(5, words=(30, 40), actions=4, cache=tmp_path, progress=False) == folder


def test_quick_run_prints_a_well_formed_table(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    figures = run(
        quick=True,
        sessions=5,
        runs=1,
        presses=3,
        words=(30, 40),
        actions=4,
        cache=tmp_path,
        record=False,
        settle=0.0,
        warmup=False,
        out=out,
        err=err,
    )
    text = out.getvalue()
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert lines[0] == "| " + " | ".join(HEADINGS) + " |"
    assert re.fullmatch(r"\|(---\|)+", lines[1])
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert len(figures) == len(rows) == FIGURES  # every row has its target
    documents = not F.documents_extra_missing()  # CI installs the extra; without it, 4 rows unmeasured
    for row in rows:
        assert len(row) == len(HEADINGS) and all(row), row
        figure, value, _floor_name, floor, ratio, target, holds, runs = row
        if not documents and any(name in figure for name in FORMAT_ROWS):
            assert value == "not measured" and holds.startswith("not measured") and runs == "0", row
            continue
        assert re.fullmatch(r"[\d.]+ (ms|MiB)", value) and re.fullmatch(r"[\d.]+ (ms|MiB)", floor), row
        assert re.fullmatch(r"[\d.]+x|\+-?[\d.]+ MiB", ratio), row
        assert re.fullmatch(r"<= (\+[\d.]+ MiB|[\d.]+x)", target), row
        assert holds in ("yes", "**no**") and runs == "1", row
    names = [row[0] for row in rows]
    for measured in ("scorecard", "just after a save", "--status ok", *FORMAT_ROWS):
        assert any(measured in name for name in names), measured
    assert "Non-interactive commands importing Textual or Rich: none" in text
    assert re.search(rf"\d+ of {FIGURES if documents else FIGURES - 4} figures hold their target", text)
    if documents:
        # The pack's floor is every conversion the pack made, replayed: both documents as HTML,
        # Typst (for the PDF) and Word, and both PDFs compiled.
        (pack,) = [row for row in rows if "--document pack" in row[0]]
        assert "4 pandoc runs and 2 Typst compiles" in pack[2], pack
    # The cached store is left as it was generated: no autosave copy, no floor file.
    store = SessionStore(tmp_path / "store-5-30-40-4")
    assert len(store.summaries()) == 5
    assert not list(store.data_dir.glob(".benchmark-floor*"))


def test_without_the_documents_extra_the_formats_say_not_measured(tmp_path, monkeypatch, capsys):
    """The extra is optional: its rows say so, and the run still succeeds (status 0)."""
    monkeypatch.setattr(F, "documents_extra_missing", lambda: "no pandoc: the documents extra is not installed")
    argv = ["--only", "formats", "--sessions", "5", "--runs", "1", "--cache", str(tmp_path)]
    assert main([*argv, "--words", "30", "40", "--actions", "4"]) == 0
    text = capsys.readouterr().out
    rows = [line for line in text.splitlines() if line.startswith("| `facilitator")]
    assert len(rows) == 4 and all("| not measured |" in row for row in rows), rows
    assert "4 not measured (no pandoc: the documents extra is not installed)." in text
    assert "figures hold their target" not in text  # none was measured
