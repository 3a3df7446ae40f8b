"""Issue 4, part 2: damaged files. Truncated at many offsets, junk appended, wrong JSON types, empty,
from a newer facilitator: each is reported by name, left byte-identical (mode too), never replaced by
an empty session, and the other sessions keep working (list, open, save, export).

FACILITATOR_TRUNCATION_OFFSETS (default 400) sets how many truncation offsets are tried.
"""

from __future__ import annotations

import json
import os
import random
import stat

import pytest
from store_support import DEMO_DATE, run_facilitator

from facilitator.base.errors import NewerSchema, SessionDamaged
from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import SCHEMA_VERSION
from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore

OFFSETS = int(os.environ.get("FACILITATOR_TRUNCATION_OFFSETS", "400"))


@pytest.fixture
def two_sessions(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    with store.create(build_demo_session(DEMO_DATE)) as opened:
        victim = opened.id
    with store.create(create_session("Harbour Alliance", ["Alpha", "Beta"], date="2026-01-05")) as opened:
        other = opened.id
    return store, victim, other


def _check_reported(store: SessionStore, victim: str, other: str, bad: bytes, status: str = "damaged") -> None:
    path = store.path_for(victim)
    summaries = {s.id: s for s in store.summaries()}
    assert summaries[victim].status == status, summaries[victim]
    assert summaries[victim].problem
    assert summaries[other].ok
    error = NewerSchema if status == "newer" else SessionDamaged
    for attempt in (store.load, store.open):
        with pytest.raises(error, match=f"{victim}.json"):
            attempt(victim)
    assert path.read_bytes() == bad
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not store.lock_path(victim).exists()


def _others_still_work(store: SessionStore, victim: str, other: str) -> None:
    with store.open(other) as opened:
        opened.session.point("trust-indicator").notes = "still saving"
        opened.save()
    assert store.load(other).point("trust-indicator").notes == "still saving"
    # A new session of the same alliance and date never takes the damaged file's id.
    session = build_demo_session(DEMO_DATE)
    with store.create(session) as opened:
        assert opened.id != victim
    store.delete(opened.id)
    try:
        from facilitator.reports.render import render
    except ImportError:
        return
    assert "Harbour Alliance" in render(store.load(other), "agreement", None)


def test_truncated_at_many_offsets(two_sessions, record_figure):
    store, victim, other = two_sessions
    path = store.path_for(victim)
    good = path.read_bytes()
    os.chmod(path, 0o640)
    rng = random.Random(4)
    offsets = sorted(
        {0, 1, 2, len(good) // 2, len(good) - 2, len(good) - 1} | {rng.randrange(len(good)) for _ in range(OFFSETS)}
    )
    for offset in offsets:
        bad = good[:offset]
        path.write_bytes(bad)
        _check_reported(store, victim, other, bad)
    _others_still_work(store, victim, other)
    listing = run_facilitator(store.data_dir, "list")
    assert f"{victim}.json: the file is not valid JSON" in listing.stdout
    record_figure(
        "truncation offsets tried, each reported by name and left byte-identical",
        f"{len(offsets)} of {len(good)} bytes",
    )


def _variants(good: bytes) -> dict[str, bytes]:
    data = json.loads(good)
    doc = data["session"]["1"]

    def changed(**fields) -> bytes:
        copy = json.loads(good)
        copy["session"]["1"].update(fields)
        return json.dumps(copy).encode()

    variants = {
        "empty": b"",
        "only whitespace": b"\n\n   \t",
        "junk appended": good + b"\x00\x00garbage",
        "second document appended": good + good,
        "NUL bytes (a crash on some filesystems)": b"\x00" * len(good),
        "not UTF-8": b"\xff\xfe" + good,
        "a JSON string": b'"session"',
        "a JSON number": b"42",
        "null": b"null",
        "tables not objects": json.dumps({"session": [doc]}).encode(),
        "document not an object": json.dumps({"session": {"1": [1, 2]}}).encode(),
        "no session table": json.dumps({"_default": {"1": doc}}).encode(),
        "empty session table": json.dumps({"session": {}}).encode(),
        "newer schema": changed(schema_version=SCHEMA_VERSION + 1),
    }
    for field, value in [
        ("partners", "everyone"),
        ("points", []),
        ("date", 20260302),
        ("alliance", None),
        ("actions", {"0": {}}),
        ("agenda", "welcome"),
        ("measures", [1, 2]),
        ("schema_version", "2"),
        ("id", 7),
        ("sections", {"purpose": "text"}),
    ]:
        variants[f"{field} of the wrong type"] = changed(**{field: value})
    return variants


def test_junk_wrong_types_empty_and_newer(two_sessions, record_figure):
    store, victim, other = two_sessions
    path = store.path_for(victim)
    good = path.read_bytes()
    variants = _variants(good)
    reported = []
    for name, bad in variants.items():
        path.write_bytes(bad)
        os.chmod(path, 0o640)
        _check_reported(store, victim, other, bad, "newer" if name == "newer schema" else "damaged")
        reported.append(name)
    _others_still_work(store, victim, other)
    record_figure(
        "damaged or foreign variants (junk, types, empty, newer), each reported and untouched",
        f"{len(reported)} of {len(variants)}",
    )


def test_newer_schema_is_never_written_over(two_sessions, record_figure):
    """A file from a newer facilitator is not opened for writing here, nor replaced without --replace."""
    store, victim, other = two_sessions
    path = store.path_for(victim)
    data = json.loads(path.read_bytes())
    data["session"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    data["session"]["1"]["new_field_from_the_future"] = {"x": 1}
    bad = json.dumps(data).encode()
    path.write_bytes(bad)
    os.chmod(path, 0o640)
    _check_reported(store, victim, other, bad, "newer")
    doc = json.loads(run_facilitator(store.data_dir, "dump", other).stdout)
    doc["id"] = victim
    refused = run_facilitator(store.data_dir, "load", str(_write(store.data_dir.parent / "d.json", doc)))
    assert refused.returncode == 1 and "already exists" in refused.error_line
    assert path.read_bytes() == bad
    record_figure("newer-schema file written over by open or load (without --replace)", 0)


def _write(path, doc):
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
