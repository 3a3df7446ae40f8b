"""Issue 13, item 11: files outside the data folder stay bounded, and the tests leave the real cache alone.

Compiled templates are kept in the user's cache folder, one entry per template path: a facilitator
trying customised templates from many folders (or a test suite) used to pile them up for ever. The
cache keeps at most `template_cache.MAX_COMPILED_TEMPLATES` entries, like the links' copies. Every test runs
with its own cache folder (the autouse `temporary_user_cache` fixture in tests/conftest.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from report_helpers import rich_session
from store_support import REAL_USER_CACHE, run_facilitator

from facilitator.base.user_cache import private_cache_folder
from facilitator.reports import render as reports
from facilitator.reports import template_cache
from facilitator.storage.listing_cache import cache_path as _kept_folder

SESSION = rich_session()


def test_compiled_templates_are_pruned(tmp_path, monkeypatch, temporary_user_cache):
    monkeypatch.setattr(template_cache, "MAX_COMPILED_TEMPLATES", 5)
    for n in range(12):
        folder = tmp_path / f"templates-{n}"
        folder.mkdir()
        (folder / "agreement.md.j2").write_text(f"# {{{{ alliance }}}} ({n})\n", encoding="utf-8")
        text = reports._render_template(folder, folder / "agreement.md.j2", {"alliance": "Coastal"})
        assert text == f"# Coastal ({n})\n"
    kept = os.listdir(temporary_user_cache / "templates")
    assert 1 <= len(kept) <= 5, kept


def test_the_latest_compiled_template_is_kept(tmp_path, monkeypatch, temporary_user_cache):
    monkeypatch.setattr(template_cache, "MAX_COMPILED_TEMPLATES", 3)
    paths = []
    for n in range(6):
        folder = tmp_path / f"t{n}"
        folder.mkdir()
        (folder / "agreement.md.j2").write_text("{{ alliance }}", encoding="utf-8")
        reports._render_template(folder, folder / "agreement.md.j2", {"alliance": "A"})
        paths.append(folder)
    cache = template_cache.compiled_templates()
    assert cache is not None
    newest = cache.get_cache_key("agreement.md.j2", str(paths[-1].resolve() / "agreement.md.j2"))
    assert newest in os.listdir(temporary_user_cache / "templates")


def test_the_cache_is_private(tmp_path, temporary_user_cache):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "agreement.md.j2").write_text("{{ alliance }}", encoding="utf-8")
    os.umask(old := os.umask(0o022))
    try:
        reports._render_template(folder, folder / "agreement.md.j2", {"alliance": "A"})
    finally:
        os.umask(old)
    for root, dirs, files in os.walk(temporary_user_cache):
        for name in dirs:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) == 0o700, name
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(temporary_user_cache).st_mode) == 0o700


def test_the_suite_never_touches_the_real_user_cache(tmp_path, temporary_user_cache):
    """The autouse fixture points the cache at a temporary folder, in this process and in the
    facilitator processes the tests start. The entries this test's exports and listings make are
    found there and not in the real cache (other people's runs may write there meanwhile, so only
    the names this test makes are compared)."""
    assert Path(private_cache_folder("templates")).is_relative_to(temporary_user_cache)
    assert not temporary_user_cache.is_relative_to(REAL_USER_CACHE)

    data = tmp_path / "sessions"
    data.mkdir()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "agreement.md.j2").write_text("# {{ title.alliance }}\n", encoding="utf-8")
    assert run_facilitator(data, "demo", "--no-open").returncode == 0
    assert run_facilitator(data, "list", "--json").returncode == 0
    exported = run_facilitator(data, "--templates", str(templates), "export", "coastal")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("# ")
    reports.render(SESSION, "agreement")

    cache = template_cache.compiled_templates()
    assert cache is not None
    # Names only this test makes (its template folder, its data folder): in the temporary cache only.
    names = {
        Path("templates") / cache.get_cache_key("agreement.md.j2", str(templates.resolve() / "agreement.md.j2")),
        Path(_kept_folder(data)).relative_to(temporary_user_cache),
    }
    for name in names:
        assert (temporary_user_cache / name).is_file(), name
        assert not (REAL_USER_CACHE / name).exists(), name
    # The shipped template, rendered in this process, was compiled into the temporary cache too.
    ours = cache.get_cache_key("agreement.md.j2", str(reports.default_templates_dir().resolve() / "agreement.md.j2"))
    assert (temporary_user_cache / "templates" / ours).is_file()
