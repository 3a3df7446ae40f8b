"""Issue 13, item 10: on a shared machine, nothing the data folder holds is readable by others.

The session files were private but `index.json` (alliances, partners, facilitators) was 0644 and
the `.ballots/` folder 0755 with 0644 files (blind scores, comments, the join code, PIN hashes).
After a whole workflow under the usual umask (022), every file in the data folder is 0600 and every
folder 0700: sessions, the index, backups, locks, the trash, ballots, round files, rate-limit
files, crash logs and exports written there; so are rescue copies and the user cache. An export
written outside the data folder is a document to circulate and stays 0644.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "remote"))

from remote_support import cast, room, seed_remote, settle  # noqa: E402
from store_support import DEMO_DATE, V1_FIXTURE, V1_ID, run_facilitator  # noqa: E402

from facilitator.domain.content import load_checklist  # noqa: E402
from facilitator.domain.session_factory import create_session  # noqa: E402
from facilitator.remote.ratelimit import JoinLimiter  # noqa: E402
from facilitator.storage.store import SessionStore  # noqa: E402


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def modes(folder: Path) -> dict[str, int]:
    """Every file and folder under `folder` (itself included) with its permission bits."""
    found = {".": stat.S_IMODE(os.lstat(folder).st_mode)}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            found[str(path.relative_to(folder))] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def not_private(folder: Path) -> dict[str, str]:
    wrong = {}
    for name, mode in modes(folder).items():
        expected = 0o700 if (folder / name).is_dir() else 0o600
        if mode != expected:
            wrong[name] = oct(mode)
    return wrong


def test_everything_in_the_data_folder_is_private_after_a_whole_workflow(tmp_path, usual_umask):
    data = tmp_path / "sessions"
    store = SessionStore(data)

    # Sessions made in the app and on the command line; listing writes the index.
    with store.create(create_session("Harbour Link", ["Acme", "Beta"], date="2026-11-20")) as opened:
        opened.session.point("joint-framework").notes = "private notes"
        opened.save()
        harbour = opened.id
    assert (
        run_facilitator(
            data, "new", "--alliance", "Coastal", "--partner", "A", "--partner", "B", "--date", "2026-11-21"
        ).returncode
        == 0
    )
    assert run_facilitator(data, "list").returncode == 0

    # An old file migrated on open (its backup kept), a session deleted, one replaced by load.
    shutil.copyfile(V1_FIXTURE, data / f"{V1_ID}.json")
    os.chmod(data / f"{V1_ID}.json", 0o600)
    with store.open(V1_ID):
        pass
    dump = tmp_path / "harbour.json"
    assert run_facilitator(data, "dump", harbour, "-o", str(dump)).returncode == 0
    assert run_facilitator(data, "load", str(dump), "--replace").returncode == 0
    assert run_facilitator(data, "delete", "coastal").returncode == 0

    # Remote scoring: a round, ballots, the rate limiter's files, the room merging them.
    session_id, state, ballots = seed_remote(store)
    cast(ballots, state, "acme-ports", "Ana Ruiz", {"joint-framework": 3}, comment="blind")
    settle(ballots)
    session, link = room(store, session_id)
    link.sync(session, load_checklist())
    JoinLimiter(ballots, "127.0.0.1").wrong()  # a wrong code, recorded
    link.start_round(session, load_checklist())  # the first round's ballots put aside in round-1/

    # An export written into the data folder, and one elsewhere.
    assert run_facilitator(data, "export", harbour, "-o", str(data / "agreement.md")).returncode == 0
    outside = tmp_path / "agreement.md"
    assert run_facilitator(data, "export", harbour, "-o", str(outside)).returncode == 0

    # A session held open (its lock file) while the folder is walked.
    with store.open(harbour):
        names = set(modes(data))
        for expected in ("index.json", f"{V1_ID}.json.bak", f"{harbour}.lock", "trash", "agreement.md"):
            assert expected in names, sorted(names)
        assert any(name.startswith(f"{session_id}.ballots/round-1/") for name in names), sorted(names)
        assert not_private(data) == {}
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # the whole session, as private as its file
    # A dump over a readable file in the data folder is private too (it kept the file's mode).
    readable = data / "dump-over.txt"  # a .json there would be taken for a session
    readable.write_text("{}", encoding="utf-8")
    os.chmod(readable, 0o644)
    assert run_facilitator(data, "dump", harbour, "-o", str(readable)).returncode == 0
    assert stat.S_IMODE(readable.stat().st_mode) == 0o600


def test_an_index_left_readable_by_an_older_version_is_made_private(store, saved_id, usual_umask):
    store.summaries()
    index = store.data_dir / "index.json"
    os.chmod(index, 0o644)
    store.path_for(saved_id).touch()  # a change, so the index is written again
    store.summaries()
    assert stat.S_IMODE(index.stat().st_mode) == 0o600


def test_a_crash_log_is_private(tmp_path, usual_umask):
    from facilitator.storage.rescue import rescue_folder
    from facilitator.tui.app import make_app

    assert str(os.getuid()) in rescue_folder().name  # one per user, not one shared name in /tmp
    store = SessionStore(tmp_path / "sessions")
    store.ensure_folder()
    app = make_app(store=store)
    try:
        raise RuntimeError("what the room typed")
    except RuntimeError as error:
        app._write_crash_log(error)
    assert not_private(store.data_dir) == {}


async def test_a_rescue_copy_is_private(tmp_path, monkeypatch, usual_umask):
    from facilitator.tui.app import make_app
    from facilitator.tui.screens.meeting import MeetingScreen

    monkeypatch.setattr("facilitator.storage.rescue.rescue_folder", lambda: tmp_path / "rescue")
    store = SessionStore(tmp_path / "sessions")
    with store.create(create_session("Rescue Alliance", ["A", "B"], date="2026-11-20")) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        monkeypatch.setattr(type(screen.autosaver), "dirty", property(lambda self: True))  # as if unsaved
        written = screen.write_rescue_copy()
    assert written is not None and written.is_file()
    assert not_private(tmp_path / "rescue") == {}


def test_folders_and_files_an_older_version_left_readable_are_made_private(tmp_path, usual_umask):
    store = SessionStore(tmp_path / "sessions")
    session_id, state, ballots = seed_remote(store)
    with store.create(create_session("Old Alliance", ["A", "B"], date="2026-11-20")) as opened:
        old_id = opened.id
    trash = store.data_dir / "trash"
    trash.mkdir(mode=0o755)
    os.chmod(trash, 0o755)
    os.chmod(ballots, 0o755)
    first = cast(ballots, state, "acme-ports", "Ana Ruiz", {"joint-framework": 3})
    ballot_file = ballots / f"{first.participant}.json"
    os.chmod(ballot_file, 0o644)
    os.chmod(ballots / "round.json", 0o644)

    store.delete(old_id)
    cast(ballots, state, "acme-ports", "Ana Ruiz", {"joint-framework": 2})  # her process writes again
    session, link = room(store, session_id)
    link.start_round(session, load_checklist())  # round.json written again
    assert not_private(trash) == {}
    assert not_private(ballots) == {}


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to give a folder to another user")
def test_a_rescue_folder_someone_else_made_is_not_used(tmp_path):
    from facilitator.storage.atomic import private_folder

    taken = tmp_path / "facilitator-rescue"
    taken.mkdir(mode=0o777)
    os.chown(taken, 12345, 12345)
    with pytest.raises(PermissionError):
        private_folder(taken, parents=True)
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises((PermissionError, FileExistsError)):
        private_folder(link)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to give a folder to another user")
def test_a_data_folder_of_another_user_is_not_written_to(tmp_path):
    """Red team: sessions were saved into a folder someone else made (in /tmp, or a link of theirs
    to it); its owner could delete or swap them, or plant lock files, whatever the files' modes."""
    from facilitator.base.errors import StorageError
    from facilitator.domain.demo import build_demo_session
    from facilitator.storage.store import SessionStore

    theirs = tmp_path / "shared-sessions"
    theirs.mkdir(mode=0o777)
    os.chown(theirs, 12345, 12345)
    pointing = tmp_path / "my-link"
    pointing.symlink_to(theirs)
    for folder, said in ((theirs, "belongs to another user"), (pointing, "points to a folder of another user")):
        with pytest.raises(StorageError, match=said):
            SessionStore(folder).create(build_demo_session(DEMO_DATE))
        result = run_facilitator(folder, "demo")
        assert result.returncode == 1 and said in result.stderr and "Traceback" not in result.stderr
    assert list(theirs.iterdir()) == []
