"""Shared fixtures: a temporary user cache for every test, a data folder under tmp_path, a store on
it, the demo session on a fixed date, the v1 fixture in place, and a runner for the `facilitator`
command as a real subprocess."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
from store_support import DEMO_DATE, V1_FIXTURE, V1_ID, run_facilitator

from facilitator.domain.demo import build_demo_session
from facilitator.storage.store import SessionStore


@pytest.fixture(autouse=True)
def temporary_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user cache folder (compiled templates, checklists, links), so the suite
    never writes into the real one and no test sees another's cache. The facilitator processes the
    tests start inherit it through the environment."""
    cache = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "facilitator"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


@pytest.fixture
def store(data_dir: Path) -> SessionStore:
    return SessionStore(data_dir)


@pytest.fixture
def sample_session():
    """The demo alliance on a fixed date: three partners, gaps, '?' and 'n/a', notes, agreement, actions."""
    return build_demo_session(DEMO_DATE)


@pytest.fixture
def saved_id(store: SessionStore, sample_session) -> str:
    """The sample session saved in the store and closed again."""
    with store.create(sample_session) as opened:
        return opened.id


@pytest.fixture
def v1_file(data_dir: Path) -> Path:
    """The version 1 fixture placed in the data folder, as an old facilitator left it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{V1_ID}.json"
    shutil.copyfile(V1_FIXTURE, path)
    return path


@pytest.fixture
def cli(data_dir: Path):
    """Run `python -m facilitator ...` with FACILITATOR_DATA_DIR set to the test's data folder."""
    data_dir.mkdir(parents=True, exist_ok=True)

    def run(*args: str, **kwargs):
        return run_facilitator(data_dir, *args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def collector_back_on():
    """A command run in this process turns the cyclic garbage collector off, as a short command
    does (`facilitator.command`): the tests after it run with it on again."""
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def per_user_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default data folder is per user ($XDG_DATA_HOME/facilitator/sessions): any test that
    does not name a folder still writes only under tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
