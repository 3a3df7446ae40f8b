"""Issue 13, item 7: `export -o`, `dump -o` and the export dialog never write over what the data
folder owns.

`export coastal -o <data>/other-alliance-2026-12-04.json` used to replace that session with a
Markdown document (no lock check, no copy in the trash). Session files, the index, backups, locks,
temporary files, the trash and the ballots are refused however the path is spelt (relative, through
`..`, through a symbolic link to the folder or to the file); other files in the data folder, and
files anywhere else, are written as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from store_support import run_facilitator
from textual.widgets import Input, Label

from facilitator.base.errors import InvalidInput
from facilitator.domain.demo import build_demo_session
from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore
from facilitator.tui.app import make_app
from facilitator.tui.dialogs.export import ExportScreen


@pytest.fixture
def folder(tmp_path):
    """A data folder with two sessions, a backup, a lock, the index, a trashed session and a ballot."""
    data = tmp_path / "sessions"
    store = SessionStore(data)
    with store.create(build_demo_session()) as opened:
        demo = opened.id
    with store.create(create_session("Other Alliance", ["Alpha", "Beta"], date="2026-12-04")) as opened:
        other = opened.id
    store.summaries()  # writes the index
    (data / f"{other}.json.bak").write_bytes(store.path_for(other).read_bytes())
    (data / f"{other}.lock").write_text("{}", encoding="utf-8")
    (data / "trash").mkdir()
    (data / "trash" / "old-2025-01-01.json").write_text("{}", encoding="utf-8")
    (data / f"{other}.ballots").mkdir()
    (data / f"{other}.ballots" / "alpha--ana-1234abcd.json").write_text("{}", encoding="utf-8")
    return store, demo, other


def _owned(data: Path, other: str) -> dict[str, Path]:
    return {
        "session": data / f"{other}.json",
        "index": data / "index.json",
        "backup": data / f"{other}.json.bak",
        "lock": data / f"{other}.lock",
        "trash": data / "trash" / "old-2025-01-01.json",
        "ballot": data / f"{other}.ballots" / "alpha--ana-1234abcd.json",
        "new-json": data / "not-yet-a-session.json",
        "temporary": data / ".facilitator-tmp-1-x.part",
    }


def _snapshot(data: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["export", "dump"])
@pytest.mark.parametrize("kind", ["session", "index", "backup", "lock", "trash", "ballot", "new-json", "temporary"])
def test_the_cli_refuses_files_the_data_folder_owns(folder, command, kind):
    store, demo, other = folder
    data = store.data_dir
    target = _owned(data, other)[kind]
    before = _snapshot(data)
    result = run_facilitator(data, command, demo, "-o", str(target))
    assert result.returncode == 1, result
    assert "data folder" in result.error_line and "Choose another file" in result.error_line
    after = _snapshot(data)
    after.pop("index.json", None), before.pop("index.json", None)  # a listing may refresh the cache
    assert after == before
    assert store.load(other).alliance == "Other Alliance"


@pytest.mark.parametrize("spelling", ["relative", "dotdot", "folder-link", "file-link", "double-slash"])
def test_every_spelling_of_a_session_path_is_refused(folder, tmp_path, spelling):
    store, demo, other = folder
    data = store.data_dir
    (tmp_path / "elsewhere").mkdir()
    os.symlink(data, tmp_path / "link-to-data")
    os.symlink(data / f"{other}.json", tmp_path / "elsewhere" / "looks-harmless.md")
    target = {
        "relative": f"sessions/{other}.json",
        "dotdot": f"elsewhere/../sessions/./{other}.json",
        "folder-link": f"link-to-data/{other}.json",
        "file-link": "elsewhere/looks-harmless.md",
        "double-slash": f"{data}//{other}.json",
    }[spelling]
    original = store.path_for(other).read_bytes()
    result = run_facilitator(data, "export", demo, "-o", target, cwd=tmp_path)
    assert result.returncode == 1, result
    assert "data folder" in result.error_line
    assert store.path_for(other).read_bytes() == original


def test_a_bind_like_second_name_of_the_folder_is_recognised(folder):
    """The folders above the target are compared by device and inode, not by name."""
    store, _demo, other = folder
    with pytest.raises(InvalidInput, match="session file"):
        store.check_output_path(Path(str(store.data_dir) + "/./") / f"{other}.json")
    with pytest.raises(InvalidInput, match="in the trash"):
        store.check_output_path(store.data_dir / "TRASH" / "x.md")  # as a case-insensitive system reads it


def test_other_files_in_and_out_of_the_data_folder_are_written(folder, tmp_path):
    store, demo, _other = folder
    data = store.data_dir
    for target in (data / "agreement.md", tmp_path / "agreement.md", data / "exports-folder-file.txt"):
        result = run_facilitator(data, "export", demo, "-o", str(target))
        assert result.returncode == 0, result
        assert target.read_text(encoding="utf-8").startswith("#")
    dumped = tmp_path / "dump.json"
    assert run_facilitator(data, "dump", demo, "-o", str(dumped)).returncode == 0
    assert dumped.stat().st_size > 1000


async def test_the_export_dialog_refuses_a_session_file(folder):
    store, demo, other = folder
    original = store.path_for(other).read_bytes()
    app = make_app(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.push_screen(ExportScreen(store.load(demo), store=store))
        await app.workers.wait_for_complete()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#path", Input).value = str(store.path_for(other))
        await pilot.pause()  # the field's Changed message first, as when it is typed
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        error = dialog.query_one("#path-error", Label)
        assert error.display and "session file" in str(error.render())
        assert app.screen is dialog  # no "replace the existing file?" question either
        assert dialog.written is None
    assert store.path_for(other).read_bytes() == original
