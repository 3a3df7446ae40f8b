"""The `facilitator` command, run as a real subprocess with FACILITATOR_DATA_DIR under tmp_path.

Exit codes: 0 done, 1 a problem told in one line on stderr starting 'facilitator:', 2 wrong usage.
Never a traceback."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import DEMO_ID, V1_ID, cli_env, run_facilitator, snapshot, v1_document

from facilitator.domain.model import SCHEMA_VERSION
from facilitator.storage.store import SessionStore

NEW = [
    "new",
    "--alliance",
    "Coastal Corridor",
    "--partner",
    "Northwind",
    "--partner",
    "Harbourline",
    "--date",
    "2026-03-02",
]


@pytest.fixture
def made(cli) -> str:
    result = cli(*NEW, "--facilitator", "Alex Morgan")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_new_prints_the_id_and_saves(cli, data_dir, made):
    assert made == "coastal-corridor-2026-03-02"
    session = SessionStore(data_dir).load(made)
    assert [p.name for p in session.partners] == ["Northwind", "Harbourline"] and session.facilitator == "Alex Morgan"
    assert not (data_dir / f"{made}.lock").exists()
    again = cli(*NEW)
    assert again.returncode == 0 and again.stdout.strip() == f"{made}-2"


def test_new_follows_a_previous_session(cli, data_dir, made):
    # As the README says: the id alone; the alliance and the partners carry over.
    result = cli("new", "--follows", made[:10], "--date", "2026-09-01")
    assert result.returncode == 0, result.stderr
    review = SessionStore(data_dir).load(result.stdout.strip())
    assert review.kind == "review" and review.follows == made and review.alliance == "Coastal Corridor"
    assert review.date == "2026-09-01" and [p.name for p in review.partners] == ["Northwind", "Harbourline"]
    # Repeating what carries over is allowed (any case).
    same = cli(
        "new",
        "--follows",
        made,
        "--alliance",
        "coastal corridor",
        "--partner",
        "harbourline",
        "--partner",
        "Northwind",
        "--date",
        "2026-09-02",
    )
    assert same.returncode == 0, same.stderr


def test_new_follows_says_what_to_do_when_partners_or_alliance_differ(cli, data_dir, made):
    other = cli("new", "--follows", made, "--partner", "Northwind", "--partner", "Gamma", "--date", "2026-09-01")
    assert other.returncode == 1 and other.stdout == ""
    assert other.stderr.startswith(f"facilitator: --follows {made} carries its partners over (Northwind, Harbourline)")
    assert "leave out --partner" in other.stderr and "welcome step" in other.stderr
    renamed = cli("new", "--follows", made, "--alliance", "Other Alliance", "--date", "2026-09-01")
    assert renamed.returncode == 1 and "leave out --alliance" in renamed.stderr
    # The advice works: left out, the review is created.
    advised = cli("new", "--follows", made, "--date", "2026-09-01")
    assert advised.returncode == 0, advised.stderr
    assert len(SessionStore(data_dir).ids()) == 2


def test_new_without_alliance_or_partners_is_wrong_usage_that_names_follows(cli):
    for args in (["new"], ["new", "--partner", "A", "--partner", "B"], ["new", "--alliance", "X"]):
        result = cli(*args)
        assert result.returncode == 2, args
        assert "--follows ID" in result.stderr and "Traceback" not in result.stderr
    assert "give --alliance NAME and two or more --partner NAME" in cli("new").stderr


def test_new_follows_refuses_a_date_not_after_the_session_it_follows(cli, data_dir, made):
    for day in ("2026-03-02", "2026-01-31"):
        result = cli("new", "--follows", made, "--date", day)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"facilitator: The review's date ({day}) must be later than the session "
            "it follows (2026-03-02); give a date after 2026-03-02."
        )
    assert SessionStore(data_dir).ids() == [made]


def test_new_names_sponsors_and_team_members(cli, data_dir):
    result = cli(
        "new",
        "--alliance",
        "Tri-Port",
        "--partner",
        "Acme",
        "--partner",
        "Beta",
        "--partner",
        "A=B Corp",
        "--sponsor",
        "acme=Ana Ruiz, Li Wei",
        "--sponsor",
        "Acme=Jo Park",
        "--member",
        "Beta=Bo Chen",
        "--sponsor",
        "A=B Corp=Kim Lund",
        "--date",
        "2026-06-01",
    )
    assert result.returncode == 0, result.stderr
    store = SessionStore(data_dir)
    kickoff = store.load(result.stdout.strip())
    assert [(p.name, p.sponsors, p.participants) for p in kickoff.partners] == [
        ("Acme", ["Ana Ruiz", "Li Wei", "Jo Park"], []),
        ("Beta", [], ["Bo Chen"]),
        ("A=B Corp", ["Kim Lund"], []),
    ]
    # A review: people named replace those carried over, for that partner only.
    review = cli("new", "--follows", kickoff.id, "--sponsor", "Acme=Sam Osei", "--date", "2026-09-01")
    assert review.returncode == 0, review.stderr
    partners = store.load(review.stdout.strip()).partners
    assert [(p.key, p.sponsors, p.participants) for p in partners] == [
        ("acme", ["Sam Osei"], []),
        ("beta", [], ["Bo Chen"]),
        ("a-b-corp", ["Kim Lund"], []),
    ]
    # Mistakes are explained and nothing is created.
    for option, value, message in (
        (
            "--sponsor",
            "Gamma=Kim",
            "facilitator: --sponsor 'Gamma=Kim': no partner of that name; the partners are Acme, Beta, A=B Corp.",
        ),
        (
            "--member",
            "Bo Chen",
            "facilitator: --member 'Bo Chen': write PARTNER=NAME, for example --member \"Acme=Ana Ruiz\".",
        ),
        (
            "--sponsor",
            "Acme=" + "x" * 201,
            "facilitator: Partner 1: a sponsor's name is too long (201 characters, at most 200).",
        ),
    ):
        bad = cli(
            "new",
            "--alliance",
            "Tri-Port",
            "--partner",
            "Acme",
            "--partner",
            "Beta",
            "--partner",
            "A=B Corp",
            option,
            value,
        )
        assert bad.returncode == 1 and bad.stderr.strip() == message
    assert len(store.ids()) == 2
    helped = cli("new", "--help")
    assert helped.returncode == 0
    assert "--sponsor PARTNER=NAME" in helped.stdout and "--member PARTNER=NAME" in helped.stdout


def test_list_table_and_json(cli, made):
    table = cli("list")
    assert table.returncode == 0 and table.stderr == ""
    assert table.stdout.splitlines()[0].split() == ["ID", "ALLIANCE", "KIND", "DATE", "PARTNERS", "INDEX", "SAVED"]
    assert made in table.stdout and "Northwind, Harbourline" in table.stdout
    listed = json.loads(cli("list", "--json").stdout)
    assert [(s["id"], s["status"], s["alliance"], s["partners"]) for s in listed] == [
        (made, "ok", "Coastal Corridor", ["Northwind", "Harbourline"])
    ]


def test_list_of_an_empty_folder(cli):
    result = cli("list")
    assert result.returncode == 0 and "No sessions yet" in result.stdout
    assert json.loads(cli("list", "--json").stdout) == []


def test_list_names_damaged_files_and_leaves_them(cli, data_dir, made):
    (data_dir / "broken-2026-01-01.json").write_bytes(b'{"session": {"1": {"schema_ver')
    before = snapshot(data_dir)
    result = cli("list")
    assert result.returncode == 0
    assert re.search(r"broken-2026-01-01\s+DAMAGED", result.stdout)
    assert "broken-2026-01-01.json: the file is not valid JSON" in result.stdout
    assert made in result.stdout
    listed = {s["id"]: s for s in json.loads(cli("list", "--json").stdout)}
    assert listed["broken-2026-01-01"]["status"] == "damaged" and listed[made]["status"] == "ok"
    after = snapshot(data_dir)
    assert after.pop("index.json") and {k: v for k, v in before.items() if k != "index.json"} == after


def test_show(cli, made):
    result = cli("show", made)
    assert result.returncode == 0
    assert result.stdout.startswith("Coastal Corridor - kickoff on 2026-03-02")
    assert "Joint health index: - / 100" in result.stdout


def test_dump_load_replace_round_trip(cli, data_dir, made, tmp_path):
    dumped = cli("dump", made)
    assert dumped.returncode == 0
    doc = json.loads(dumped.stdout)
    assert doc == SessionStore(data_dir).load(made).to_dict()

    out = tmp_path / "dump.json"
    assert cli("dump", made, "-o", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == doc

    refused = cli("load", str(out))
    assert refused.returncode == 1
    assert refused.error_line == (
        f"facilitator: Session {made} already exists; add --replace to overwrite it "
        "(the current one is kept in trash/)."
    )

    doc["facilitator"] = "Sam Lee"
    out.write_text(json.dumps(doc), encoding="utf-8")
    replaced = cli("load", "--replace", str(out))
    assert replaced.returncode == 0 and replaced.stdout.strip() == made
    assert SessionStore(data_dir).load(made).facilitator == "Sam Lee"
    assert json.loads((data_dir / "trash" / f"{made}.json").read_text())["session"]["1"]["facilitator"] == "Alex Morgan"


def test_load_from_stdin_and_of_a_v1_dump(cli, data_dir):
    result = cli("load", "-", input=json.dumps(v1_document()))
    assert result.returncode == 0 and result.stdout.strip() == V1_ID
    assert SessionStore(data_dir).load(V1_ID).partners[1].name == "Café Ünited"


def test_delete(cli, data_dir, made):
    result = cli("delete", made)
    assert result.returncode == 0 and "trash" in result.stdout
    assert not (data_dir / f"{made}.json").exists() and (data_dir / "trash" / f"{made}.json").exists()
    gone = cli("delete", made)
    assert gone.returncode == 1 and gone.error_line.startswith(f"facilitator: No session '{made}'")


def test_demo_no_open_twice_gives_the_same_session(cli, data_dir):
    first = cli("demo", "--no-open")
    second = cli("demo", "--no-open")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and first.stdout.startswith("coastal-corridor-alliance-")
    assert len(list(data_dir.glob("coastal-corridor-alliance-*.json"))) == 1


def test_the_workspace_needs_a_terminal(cli, made):
    for args in ([], ["open", made], ["demo"]):
        result = cli(*args, input=b"")
        assert result.returncode == 1
        assert "needs a terminal" in result.error_line


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["new", "--partner", "A"],
        ["show"],
        ["list", "--jsn"],
        ["new", "--alliance", "A", "--partner", "B", "--kind", "party"],
    ],
)
def test_wrong_usage_exits_2(cli, args):
    result = cli(*args)
    assert result.returncode == 2
    assert "usage: facilitator" in result.stderr


def test_help_lists_every_command_and_options_before_a_command_still_parse(cli, data_dir):
    from facilitator.cli import COMMANDS, command_named

    for args in (["--help"], ["-h", "list"]):
        listed = cli(*args).stdout
        assert all(re.search(rf"^    {name} ", listed, re.M) for name in COMMANDS), listed
    assert command_named(["--data-dir", "export", "list"]) == "list"  # a folder named like a command
    assert command_named(["--data-dir=x", "--templates", "t", "export", "a"]) == "export"
    assert command_named(["frobnicate"]) is None and command_named([]) is None
    assert command_named(["--data", "list", "export", "x"]) is None  # argparse expands --data
    assert cli("--data-d", str(data_dir), "list", "--json").stdout.strip() == "[]"
    result = cli("--data-dir", str(data_dir), "--templates", str(data_dir), "list", "--json")
    assert result.returncode == 0 and json.loads(result.stdout) == []
    assert "usage: facilitator export" in cli("export", "--help").stdout


BAD_INPUT = [
    (NEW[:-1] + ["2026-02-30"], "facilitator: Date '2026-02-30' does not exist in the calendar."),
    (NEW[:-1] + ["next tuesday"], "facilitator: Date 'next tuesday' is not a date: use YYYY-MM-DD"),
    (NEW[:-1] + ["2026-03-02\nrm -rf"], r"facilitator: Date '2026-03-02\nrm -rf' is not a date"),
    (["new", "--alliance", "   ", "--partner", "A", "--partner", "B"], "facilitator: Alliance name cannot be empty."),
    (
        ["new", "--alliance", "X", "--partner", "A", "--partner", ""],
        "facilitator: Partner 2: name this partner organisation.",
    ),
    (
        ["new", "--alliance", "X", "--partner", "Acme", "--partner", "ACME"],
        "facilitator: Partner 2: “ACME” is already partner 1: each partner is named once "
        "(capitals and look-alike letters do not count).",
    ),
    (
        ["new", "--alliance", "X", "--partner", "Solo"],
        "facilitator: A session needs at least two partner organisations.",
    ),
    (["show", "nothing-here"], "facilitator: No session 'nothing-here'"),
    (["dump", "zzz"], "facilitator: No session 'zzz'"),
    (["delete", ""], "facilitator: Give a session id"),
    (["load", "/no/such/file.json"], "facilitator: Cannot read /no/such/file.json: No such file or directory."),
]


@pytest.mark.parametrize("args, message", BAD_INPUT)
def test_bad_input_is_one_line_and_exit_1(cli, args, message):
    result = cli(*args)
    assert result.returncode == 1
    assert result.error_line.startswith(message)
    assert result.stdout == ""


def test_ambiguous_prefix(cli):
    for date in ("2026-03-02", "2026-03-09"):
        assert cli(*NEW[:-1], date).returncode == 0
    result = cli("show", "coastal")
    assert result.returncode == 1
    assert result.error_line == (
        "facilitator: 'coastal' matches 2 sessions (coastal-corridor-2026-03-02, "
        "coastal-corridor-2026-03-09); type more of the id."
    )


def _hostile_files(doc: dict) -> dict[str, bytes]:
    wrong = json.loads(json.dumps(doc))
    wrong["partners"][0]["sponsors"] = "Amara"
    return {
        "malformed": b'{"schema_version": 2, "id": ',
        "not UTF-8": b'{"alliance": "\xff\xfe"}',
        "empty": b"",
        "a list": b"[]",
        "deep nesting": b"[" * 200_000 + b"]" * 200_000,
        "deep nesting under the limit": b'{"schema_version": 1, "partners": ' + b"[" * 900 + b"]" * 900 + b"}",
        "10 MB string": json.dumps({**doc, "alliance": "A" * 10_000_000}).encode(),
        "10 MB note": json.dumps({**doc, "points": {"joint-framework": {"notes": "é" * 10_000_000}}}).encode(),
        "wrong types": json.dumps(wrong).encode(),
        "schema as text": json.dumps({**doc, "schema_version": "2"}).encode(),
        "huge number": b'{"schema_version": ' + b"9" * 10_000 + b"}",
        "newer schema": json.dumps({**doc, "schema_version": SCHEMA_VERSION + 1}).encode(),
        "bad id": json.dumps({**doc, "id": "../../../etc/cron.d/x"}).encode(),
    }


HOSTILE = [
    "malformed",
    "not UTF-8",
    "empty",
    "a list",
    "deep nesting",
    "deep nesting under the limit",
    "10 MB string",
    "10 MB note",
    "wrong types",
    "schema as text",
    "huge number",
    "newer schema",
    "bad id",
]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_json_is_refused_in_one_line(cli, data_dir, made, tmp_path, kind):
    doc = json.loads(cli("dump", made).stdout)
    files = _hostile_files(doc)
    assert sorted(files) == sorted(HOSTILE)
    path = tmp_path / "hostile.json"
    path.write_bytes(files[kind])
    before = snapshot(data_dir)
    result = cli("load", "--replace", str(path))
    assert result.returncode == 1
    line = result.error_line
    assert len(line) <= 600
    assert snapshot(data_dir) == before


def test_list_and_show_do_not_import_textual(cli, made):
    for args in (["list"], ["list", "--json"], ["show", made], ["dump", made]):
        result = cli(*args, flags=["-X", "importtime"])
        assert result.returncode == 0
        modules = [
            line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
        ]
        assert "facilitator.storage.store" in modules, "no -X importtime output"
        assert not [m for m in modules if m.split(".")[0] in ("textual", "rich", "jinja2")], args
        assert " textual" not in result.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("facilitator.reports.render") is None, reason="facilitator/reports.py not there yet"
)
def test_export_agreement_is_markdown(cli, data_dir, tmp_path):
    from markdown_it import MarkdownIt

    demo = cli("demo", "--no-open").stdout.strip()
    result = cli("export", demo)
    assert result.returncode == 0, result.stderr
    tokens = MarkdownIt().parse(result.stdout)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert any("Coastal Corridor Alliance" in h for h in headings)
    out = tmp_path / "agreement.md"
    assert cli("export", demo, "--document", "scorecard", "-o", str(out)).returncode == 0
    assert MarkdownIt().parse(out.read_text(encoding="utf-8"))
    assert cli("export", "nope").error_line.startswith("facilitator: No session 'nope'")


def test_data_dir_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_facilitator(blocker, *NEW, env=cli_env(blocker), cwd=tmp_path)
    assert result.returncode == 1
    assert "is a file, not a folder" in result.error_line


def test_damaged_session_commands_fail_cleanly(cli, data_dir):
    (data_dir / f"{DEMO_ID}.json").write_bytes(b"\x00\x01 junk")
    for args in (["show", DEMO_ID], ["dump", DEMO_ID]):
        result = cli(*args)
        assert result.returncode == 1
        assert result.error_line.startswith(f"facilitator: {DEMO_ID}.json cannot be opened:")
    assert (data_dir / f"{DEMO_ID}.json").read_bytes() == b"\x00\x01 junk"


def test_default_data_folder_is_the_same_from_any_working_folder(tmp_path):
    """Started from another folder, the sessions are still there: the default is per user, shown in full."""
    env = {k: v for k, v in cli_env(tmp_path).items() if k != "FACILITATOR_DATA_DIR"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    expected = tmp_path / "xdg" / "facilitator" / "sessions"
    first, second = tmp_path / "projects", tmp_path / "elsewhere"
    first.mkdir(), second.mkdir()
    made = run_facilitator(tmp_path, *NEW, env=env, cwd=first)
    assert made.returncode == 0, made.stderr
    assert (expected / f"{made.stdout.strip()}.json").exists()
    listed = run_facilitator(tmp_path, "list", env=env, cwd=second)
    assert made.stdout.strip() in listed.stdout and f"Data folder: {expected}" in listed.stdout
    assert not list(first.iterdir()) and not list(second.iterdir())
    help_text = run_facilitator(tmp_path, "--help", env=env, cwd=second).stdout
    assert f"Sessions are saved in {expected}\n" in help_text


def test_an_empty_default_folder_points_to_an_earlier_versions_sessions(tmp_path):
    env = {k: v for k, v in cli_env(tmp_path).items() if k != "FACILITATOR_DATA_DIR"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    made = run_facilitator(tmp_path, "--data-dir", "sessions", *NEW, env=env, cwd=checkout)
    assert made.returncode == 0, made.stderr
    listed = run_facilitator(tmp_path, "list", env=env, cwd=checkout).stdout
    assert f"No sessions yet in {tmp_path / 'xdg' / 'facilitator' / 'sessions'}" in listed
    assert f"earlier version are in {checkout / 'sessions'}" in listed


class _Terminal:
    """Standard input or output that says it is a terminal (pytest's are not)."""

    def __init__(self, stream):
        self._stream = stream

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name):
        return getattr(self._stream, name)


def test_the_workspace_and_serve_run_with_the_garbage_collector_on(data_dir, saved_id, monkeypatch):
    """A short command starts with the cyclic collector off (it exits in a moment); the meeting
    workspace and `serve` run for hours and must collect."""
    import gc
    import sys

    from facilitator import command
    from facilitator.cli import main
    from facilitator.remote import serve

    seen: dict[str, bool] = {}

    def workspace(store, templates, open_id):
        seen["workspace"] = gc.isenabled()
        return 0

    def fake_serve(*args, **kwargs):
        seen["serve"] = gc.isenabled()
        return 0

    monkeypatch.setattr(sys, "stdin", _Terminal(sys.stdin))
    monkeypatch.setattr(sys, "stdout", _Terminal(sys.stdout))
    monkeypatch.setattr(serve, "cmd_serve", fake_serve)
    monkeypatch.setattr("facilitator.tui.launch.open_workspace", workspace)
    assert command.main(["--data-dir", str(data_dir)]) == 0
    gc.disable()  # as the start of `facilitator serve` leaves it
    assert main(["--data-dir", str(data_dir), "serve", saved_id], open_workspace=workspace) == 0
    assert seen == {"workspace": True, "serve": True}


def test_a_short_command_leaves_its_files_whole_and_its_output_complete(cli, data_dir, tmp_path):
    """Short commands leave without tearing the interpreter down (`facilitator.command.run`): what
    they wrote must be on disk, closed and unlocked, and their output complete, pipe or file."""
    made = cli("new", "--alliance", "Quick Exit Alliance", "--partner", "North", "--partner", "South")
    assert made.returncode == 0, made.stderr
    session_id = made.stdout.strip()
    out = tmp_path / "agreement.md"
    exported = cli("export", session_id, "-o", str(out))
    piped = cli("export", session_id)
    listed = cli("list", "--json")
    assert exported.returncode == piped.returncode == listed.returncode == 0
    assert out.read_text(encoding="utf-8") == piped.stdout
    assert piped.stdout.rstrip().endswith("The CEO Refresher (2003).*")
    assert [entry["id"] for entry in json.loads(listed.stdout)] == [session_id]
    left = {p.name for p in data_dir.iterdir()}
    assert left - {"index.json"} == {f"{session_id}.json"}, left  # no lock, no temporary file


def test_output_that_cannot_be_written_is_said_and_not_a_success(data_dir, saved_id):
    """Red team: short commands leave with os._exit, and a full disk under their buffered output
    was swallowed (exit 0, an empty file). /dev/full is such a disk."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "facilitator", "show", saved_id],
            stdout=full,
            stderr=subprocess.PIPE,
            env=cli_env(data_dir),
            text=True,
        )
    assert done.returncode == 1 and "could not be written (No space left on device)" in done.stderr
    closed = subprocess.run(
        [sys.executable, "-m", "facilitator", "list"],
        stdout=None,
        stderr=subprocess.PIPE,
        env=cli_env(data_dir),
        text=True,
        pass_fds=(),
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert "Traceback" not in closed.stderr
    # A listing nobody can see is not a success (Python's print writes nowhere without a word).
    assert closed.returncode == 1 and "standard output is closed" in closed.stderr
