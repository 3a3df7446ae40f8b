"""Issue "Never lose the room's work", part 5: broken, hostile and runaway report templates.

Custom templates get passed around, so they are treated as untrusted (facilitator/reports.py):

- a misspelt variable or broken syntax is reported as one sentence naming the template file and
  the line, also in a copy of the shipped templates and in an included file;
- classic server-side template injection payloads (reaching `__class__.__mro__`, the globals of
  `cycler`, `joiner`, `namespace` or `lipsum`, `|attr` and format-string tricks, the template
  reference's context, Flask's `request` and `config`, files outside the folder) and runaway
  templates (huge strings and lists, deep nested loops, recursive macros and includes) each stop
  with a ReportError within the two-second deadline (or sooner, when piling up more than 512 MB),
  and leave no render thread running;
- a failed export, whatever failed, leaves the earlier export byte for byte as it was.
"""

from __future__ import annotations

import errno
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from report_helpers import rich_session

from facilitator.base.errors import ReportError
from facilitator.reports import render as reports
from facilitator.storage import atomic
from facilitator.storage.atomic import TEMP_PREFIX

SESSION = rich_session()
GRACE = 0.5  # seconds allowed past the deadline to stop the render thread (and on a busy machine)
RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB on Linux


def folder_with(tmp_path: Path, source: str | bytes, document: str = "agreement", **others: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    data = source.encode("utf-8") if isinstance(source, str) else source
    (folder / f"{document}.md.j2").write_bytes(data)
    for name, text in others.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def one_sentence(message: str) -> bool:
    return "\n" not in message and "Traceback" not in message and 'File "' not in message


def render_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "facilitator-report")


def wait_for_render_threads(limit: float = 3.0) -> int:
    """Render threads still alive after up to `limit` seconds (a stopped template leaves none)."""
    deadline = time.monotonic() + limit
    while render_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    return render_threads()


# --------------------------------------------------------------------------------------------
# Typos and broken syntax name the file and the line


BROKEN = [
    # (what, template, line reported, text the message must contain)
    ("misspelt variable", "# {{ title.alliance }}\n\n{{ titel.alliance }}\n", 3, "titel"),
    ("misspelt attribute in a loop", "a\nb\n{% for p in partners %}\n{{ p.nmae }}\n{% endfor %}\n", 4, "nmae"),
    ("undefined function", "a\n{{ undefined_fn(1) }}\n", 2, "undefined_fn"),
    ("misspelt filter", "x\n{{ title.alliance|uper }}\n", 2, "uper"),
    (
        "misspelt attribute in a macro",
        "{% macro row(m) %}\n| {{ m.nmae }} |\n{% endmacro %}\nx\n{{ row(measures.all[0]) }}\n",
        2,
        "nmae",
    ),
    ("unclosed expression", "x\ny\n{{ title.alliance }\n", 3, "unexpected '}'"),
    ("unclosed call", "a\n{{ partners[0].name.upper( }}\nb\n", 2, "expected ')'"),
    ("unclosed subscript", "a\n{{ title['alliance' }}\n", 2, "expected ']'"),
    ("missing expression", "a\n{% set x = %}\n", 2, "Expected an expression"),
    ("unknown tag", "x\n\n{% frobnicate %}\n", 3, "frobnicate"),
    ("stray end tag", "x\n{% endif %}\n", 2, "endif"),
    ("if never closed", "x\n{% if title.alliance %}\ny\n", 3, "endif"),
    ("for never closed", "a\n{% for p in partners %}\n{{ p.name }}\n", 3, "endfor"),
    ("missing include", "a\nb\n{% include 'nope.md.j2' %}\n", 3, "nope.md.j2"),
]


def shipped_with(tmp_path: Path, document: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the shipped templates with the first `old` in `document` replaced; and its line."""
    folder = tmp_path / "templates"
    shutil.copytree(reports.default_templates_dir(), folder)
    path = folder / f"{document}.md.j2"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in the shipped {document} template; update this test"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder, line


SHIPPED = [
    ("agreement", "title.alliance", "title.aliance", "aliance"),
    ("agreement", "m.how_measured|cell", "m.how_mesured|cell", "how_mesured"),
    ("agreement", "{% endfor %}", "{% endfro %}", "endfro"),
    ("scorecard", "pt.notes|block", "pt.notse|block", "notse"),
    ("scorecard", "{% endif %}", "{% endfi %}", "endfi"),
    ("scorecard", "|cell }}", "|cel }}", "cel"),
]


def test_typos_and_broken_syntax_name_the_file_and_line(tmp_path, record_figure):
    named = 0
    cases = 0
    for what, source, line, hint in BROKEN:
        case = tmp_path / f"case{cases}"
        case.mkdir()
        folder = folder_with(case, source)
        with pytest.raises(ReportError) as error:
            reports.render(SESSION, "agreement", folder)
        message = str(error.value)
        assert f"{folder / 'agreement.md.j2'}, line {line}:" in message, (what, message)
        assert hint in message and one_sentence(message), (what, message)
        named += 1
        cases += 1

    # In an included file: that file and its line, not the includer's.
    folder = folder_with(
        tmp_path / "included", "top\n{% include 'part.md.j2' %}\n", **{"part.md.j2": "one\ntwo\n{{ titel }}\n"}
    )
    with pytest.raises(ReportError) as error:
        reports.render(SESSION, "agreement", folder)
    assert f"{folder / 'part.md.j2'}, line 3:" in str(error.value) and one_sentence(str(error.value))
    named += 1
    cases += 1

    # In a copy of the shipped templates, where a facilitator would make the typo.
    for document, old, new, hint in SHIPPED:
        case = tmp_path / f"shipped{cases}"
        case.mkdir()
        folder, line = shipped_with(case, document, old, new)
        with pytest.raises(ReportError) as error:
            reports.render(SESSION, document, folder)
        message = str(error.value)
        assert f"{folder / (document + '.md.j2')}, line {line}:" in message, (document, old, message)
        assert hint in message and one_sentence(message), message
        named += 1
        cases += 1
    record_figure("broken templates reported in one sentence naming the file and line", f"{named} of {cases}")


# --------------------------------------------------------------------------------------------
# Sandbox escapes


ESCAPES = [
    # the object graph from a literal or a context value
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__base__.__subclasses__()[0] }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ {}.__class__.__mro__ }}",
    "{{ (1).__class__.__mro__ }}",
    "{{ title.alliance.__class__.__mro__[-1].__subclasses__() }}",
    "{{ title.__class__.__init__.__globals__ }}",
    "{{ partners.__class__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c.__name__ }}{% endfor %}",
    "{% set x = ''.__class__ %}{{ x.__mro__ }}",
    "{{ ''.__doc__ }}",
    "{{ ''.join.__self__ }}",
    "{{ ''.format.__globals__ }}",
    "{{ title.items.__self__ }}",
    # Jinja2's globals: cycler, joiner, namespace, lipsum, range, dict
    "{{ cycler.__init__.__globals__.os.popen('touch {canary}').read() }}",
    "{{ joiner.__init__.__globals__.os.system('touch {canary}') }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ cycler.__init__.__globals__['__builtins__']['open']('{canary}', 'w') }}",
    "{{ cycler(1).__class__.__mro__ }}",
    "{{ joiner().__call__.__globals__ }}",
    "{{ namespace().__class__.__init__ }}",
    "{{ lipsum.__globals__['os'].popen('touch {canary}').read() }}",
    "{{ lipsum.__globals__.__builtins__.__import__('os').system('touch {canary}') }}",
    "{{ range.__self__ }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ dict.mro() }}",
    # |attr and subscript tricks, escaped names
    "{{ (cycler|attr('__init__')|attr('__globals__'))['os'].popen('touch {canary}') }}",
    "{{ ''|attr('__class__')|attr('__mro__') }}",
    "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ ''|attr(['__cla', 'ss__']|join) }}",
    "{{ ''['__class__'] }}",
    "{{ cycler['__init__']['__globals__'] }}",
    "{{ (''|attr('__class__'))['__mro__'] }}",
    "{{ ''|attr('__class__'|lower) }}",
    "{{ [''|attr('__class__')]|map(attribute='__mro__')|list }}",
    # format strings
    "{{ '{0.__class__.__mro__}'.format('') }}",
    "{{ '{0.__init__.__globals__}'.format(cycler) }}",
    "{{ '{x.__class__}'.format_map({'x': ''}) }}",
    "{{ '{0[__builtins__]}'.format(cycler.__init__.__globals__) }}",
    "{{ '%s'|format(cycler.__init__) }}",
    "{{ '%(a)s' % {'a': cycler.__init__} }}",
    "{{ ('{0.__class__}'|safe).format('') }}",
    # the template's own internals
    "{{ self._TemplateReference__context }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self.__dict__ }}",
    "{% for x in [1] %}{{ loop.__init__.__globals__ }}{% endfor %}",
    "{% for x in [1] %}{{ loop._iterator }}{% endfor %}",
    "{% macro m() %}{% endmacro %}{{ m.__globals__ }}",
    "{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}",
    "{% macro m() %}{{ caller.__globals__ }}{% endmacro %}{% call m() %}x{% endcall %}",
    "{{ environment }}",
    # what a web framework would have put in the context
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}",
    "{{ config.items() }}",
    "{{ url_for.__globals__ }}",
    "{{ get_flashed_messages.__globals__['current_app'].config }}",
    # files outside the templates folder
    "{% include '../../../../../../etc/passwd' %}",
    "{% include '/etc/passwd' %}",
    "{% extends '../outside.md.j2' %}",
    "{% import '/etc/hostname' as h %}",
    # sizes that would exhaust the machine
    "{{ range(10**9)|list }}",
    "{% for i in range(10**9) %}{% endfor %}",
    "{{ lipsum(10**9) }}",
]
LEAKS = (
    "<class",
    "<function",
    "<module",
    "<built-in",
    "<bound",
    "__globals__",
    "__builtins__",
    "uid=",
    "root:",
    "subprocess",
    "Popen",
)


def test_sandbox_escape_payloads_are_refused(tmp_path, record_figure):
    canary = tmp_path / "CANARY"
    (tmp_path / "outside.md.j2").write_text("outside {{ title.alliance }}\n", encoding="utf-8")
    escaped, refused, slowest = [], 0, 0.0
    for number, payload in enumerate(ESCAPES):
        case = tmp_path / f"p{number}"
        case.mkdir()
        folder = folder_with(case, payload.replace("{canary}", str(canary)))
        started = time.monotonic()
        try:
            text = reports.render(SESSION, "agreement", folder)
        except ReportError as error:
            refused += 1
            assert str(folder / "agreement.md.j2") in str(error) and one_sentence(str(error)), (payload, str(error))
        else:
            leaked = [leak for leak in LEAKS if leak in text]
            escaped.append((payload, f"rendered {text[:120]!r}" + (f", leaking {leaked}" if leaked else "")))
        slowest = max(slowest, time.monotonic() - started)
        if canary.exists():
            escaped.append((payload, "ran code: the canary file was written"))
            canary.unlink()
    assert wait_for_render_threads() == 0
    record_figure("sandbox escape payloads tried, refused with a ReportError", f"{len(ESCAPES)}, {refused}")
    record_figure("sandbox escapes that succeeded (rendered, leaked or ran code)", len(escaped))
    record_figure("slowest refusal of an escape payload", f"{slowest:.2f} s")
    assert not escaped, escaped
    assert refused == len(ESCAPES)
    assert slowest < reports.RENDER_TIMEOUT


# --------------------------------------------------------------------------------------------
# Runaway templates


RUNAWAYS = [
    # huge strings and lists, in one step
    "{{ 'a' * 10**9 }}",
    "{{ 'a' * 999999 * 999999 }}",
    "{{ ['a'] * 10**9 }}",
    "{{ (range(99999)|list) * 99999 }}",
    "{{ 9 ** 9999999 }}",
    "{{ 'a'.ljust(10**10) }}",
    "{{ 'a'.center(999999999) }}",
    "{{ 'a'|center(10**9) }}",
    "{{ ('a\\n' * 499999)|indent(999999) }}",
    "{{ ('a' * 999999)|replace('a', 'a' * 999999) }}",
    "{{ ('a' * 999999).replace('', 'b' * 99) }}",
    "{{ (['x' * 999999] * 999999)|join }}",
    "{{ ''.join(['x' * 999999] * 999999) }}",
    "{{ ('\\t' * 999999).expandtabs(99) }}",
    "{{ ('\\t' * 999999).expandtabs(999999) }}",
    "{{ ('\\t' * 999999).encode().expandtabs(99) }}",
    "{{ ('x' * 999999)|wordwrap(1, wrapstring='x' * 999999) }}",
    "{{ (range(99999)|list)|sum(start=['x'] * 999999) }}",
    "{{ 'x'.translate({120: 'y' * 999999}) }}",
    "{{ '%999999999s'|format(1) }}",
    "{{ '%(a)999999999s' % {'a': 1} }}",
    "{{ '%*d' % (10**9, 1) }}",
    "{{ '{:999999999}'.format(1) }}",
    "{{ '{:>{w}}'.format('', w=10**10) }}",
    "{{ '{0:{1[0]}}'.format('', [10**10]) }}",
    "{{ '{a:>{b}}'.format_map({'a': '', 'b': 10**10}) }}",
    "{{ [1]|batch(10**9)|list }}",
    "{{ {'a': 1}|tojson(indent=10**9) }}",
    # growing step by step
    "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
    "{% set l = ['x'] %}{% for i in range(64) %}{{ l.extend(l) or '' }}{% endfor %}",
    "{% set d = {} %}{% for i in range(99999) %}{{ d.update({i: 'x' * 99999}) or '' }}{% endfor %}{{ d|string }}",
    "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}",
    # piling up values within the deadline: the memory watch
    "{% set l = [] %}{% for i in range(99999) %}{{ l.append('x' * 999999) or '' }}{% endfor %}",
    "{% set ns = namespace(l=[]) %}{% for i in range(99999) %}{% set ns.l = ns.l + ['x' * 999999] %}{% endfor %}",
    "{% set l = [] %}{% for i in range(99999) %}{{ l.append(range(99999)|list) or '' }}{% endfor %}",
    # deep nested loops and slow filters: the deadline
    "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}{% for d in range(100) %}"
    "{{ a }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "{% for a in range(99999) %}{% for p in partners %}{% for pt in points %}{% for s in pt.scores %}"
    "{{ s.display|cell }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "{{ ('a' * 999999)|wordwrap(1) }}",
    "{% for i in range(99999) %}{{ ('<>' * 99999)|striptags }}{% endfor %}",
    # recursion
    "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "{% macro f(n) %}{{ f(n) ~ f(n) }}{% endmacro %}{{ f(0) }}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "{% macro f() %}{{ caller() }}{% endmacro %}{% macro g() %}{% call f() %}{{ g() }}{% endcall %}{% endmacro %}"
    "{{ g() }}",
    "{% include 'agreement.md.j2' %}",
    "{% extends 'agreement.md.j2' %}",
    "{% import 'agreement.md.j2' as me %}",
    "{% set ns = namespace(l=[]) %}{% for i in range(99999) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l }}",
    "{% set ns = namespace(l=[]) %}{% for i in range(99999) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l|tojson }}",
]


def test_runaway_templates_stop_within_the_deadline(tmp_path, record_figure):
    stopped, slowest, slowest_source, left_running = 0, 0.0, "", 0
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RSS_UNIT
    for number, source in enumerate(RUNAWAYS):
        case = tmp_path / f"r{number}"
        case.mkdir()
        folder = folder_with(case, source)
        started = time.monotonic()
        try:
            text = reports.render(SESSION, "agreement", folder)
        except ReportError as error:
            message = str(error)
        else:
            pytest.fail(f"not stopped: {source!r} rendered {len(text):,} characters")
        elapsed = time.monotonic() - started
        assert str(folder / "agreement.md.j2") in message and one_sentence(message), (source, message)
        stopped += 1
        if elapsed > slowest:
            slowest, slowest_source = elapsed, source
        left_running += wait_for_render_threads()
    record_figure("runaway templates stopped with a ReportError", f"{stopped} of {len(RUNAWAYS)}")
    record_figure("slowest stop (deadline 2 s)", f"{slowest:.2f} s")
    record_figure("render threads still running after a stop", left_running)
    added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RSS_UNIT - peak_before
    record_figure("peak memory added by runaway templates (limit 512 MB a render)", f"{added / 2**20:.0f} MB")
    assert slowest < reports.RENDER_TIMEOUT + GRACE, (slowest, slowest_source)
    assert added < reports.MAX_MEMORY * 2, f"{added / 2**20:.0f} MB"
    assert left_running == 0


# --------------------------------------------------------------------------------------------
# A failed export leaves the earlier file as it was


def test_failed_export_leaves_the_earlier_export_byte_identical(tmp_path, monkeypatch, record_figure):
    out = tmp_path / "out"
    out.mkdir()
    shipped = reports.default_templates_dir()
    agreement_source = (shipped / "agreement.md.j2").read_text(encoding="utf-8")

    def copy_with(name: str, document_source: str | bytes) -> Path:
        folder = tmp_path / name
        shutil.copytree(shipped, folder)
        data = document_source.encode("utf-8") if isinstance(document_source, str) else document_source
        (folder / "agreement.md.j2").write_bytes(data)
        return folder

    def disk_full() -> None:
        def fail_fsync(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(atomic.os, "fsync", fail_fsync)  # the shipped templates, a failing disk

    failures = {
        "misspelt variable": lambda: copy_with("typo", "# {{ title.alliance }}\n{{ titel }}\n"),
        "syntax error": lambda: copy_with("syntax", "{% for p in partners %}\n"),
        "error after most of the document": lambda: copy_with("late", agreement_source + "\n{{ 1 / 0 }}\n"),
        "sandbox escape": lambda: copy_with("escape", "{{ cycler.__init__.__globals__.os }}"),
        "runaway loop (deadline)": lambda: copy_with(
            "loop", "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
        ),
        "output over 20 MB": lambda: copy_with("output", "{% for i in range(99999) %}{{ 'x' * 999 }}{% endfor %}"),
        "huge value": lambda: copy_with("huge", "{{ 'x' * 10**9 }}"),
        "recursion": lambda: copy_with("recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
        "not UTF-8": lambda: copy_with("latin1", "Caf\u00e9 {{ title.alliance }}".encode("latin-1")),
        "template too large": lambda: copy_with("large", "x" * (reports.MAX_TEMPLATE_BYTES + 1)),
        "template missing": lambda: tmp_path / "empty-folder",
        "disk full while writing": disk_full,
    }
    (tmp_path / "empty-folder").mkdir()
    target = out / "agreement.md"
    reports.export(SESSION, "agreement", target)
    before, stat = target.read_bytes(), target.stat()
    kept = 0
    for what, prepare in failures.items():
        folder = prepare()
        with pytest.raises(ReportError) as error:
            reports.export(SESSION, "agreement", target, folder)
        monkeypatch.undo()
        assert one_sentence(str(error.value)), (what, str(error.value))
        assert target.read_bytes() == before, what
        after = target.stat()
        assert (after.st_ino, after.st_mtime_ns, after.st_mode) == (stat.st_ino, stat.st_mtime_ns, stat.st_mode), what
        leftovers = [p.name for p in out.iterdir() if p.name != "agreement.md"]
        assert not leftovers, (what, leftovers)
        assert not any(p.name.startswith(TEMP_PREFIX) for p in out.iterdir())
        kept += 1
    assert wait_for_render_threads() == 0
    record_figure("failure kinds after which the earlier export is byte-identical", f"{kept} of {len(failures)}")
