"""Reports: the partnership agreement and the health-check scorecard, as Markdown.

With `sandbox` and `template_cache`, the only modules that import Jinja2; `context` builds what a
template sees. Templates live in `report_templates/` (`agreement.md.j2`, `scorecard.md.j2`); a
facilitator may pass a folder of customised copies (`--templates DIR`).
Customised templates get passed around, so they are treated as untrusted:

- they run in Jinja2's sandbox (`sandbox.py`) and see only plain data (`context.build_context`),
  never the session;
- every printed value is escaped as Markdown (`facilitator.reports.markdown`), even when the template
  forgets a filter, so no text typed in the room can change the document's structure or inject HTML;
- huge strings and lists and oversized output are refused; a customised template is rendered in
  a child process (`child.py`) limited to 512 MB more than it starts with and killed at a 2 s
  deadline, so no runaway loop or C call piling up gigabytes can stall or starve the app;
- any problem becomes a `ReportError` naming the template file and line, never a traceback.

`export` renders completely before it writes, and writes atomically: a failed export leaves the
earlier file as it was.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from facilitator.base.errors import FacilitatorError, ReportError
from facilitator.domain import content
from facilitator.domain.model import Session
from facilitator.reports import markdown
from facilitator.reports.context import build_context
from facilitator.reports.sandbox import MAX_OUTPUT, ReportEnvironment, guard_filter
from facilitator.reports.template_cache import compiled_templates
from facilitator.storage.atomic import PRIVATE_FILE, SHARED_FILE

if TYPE_CHECKING:
    from facilitator.domain import history as history_module
    from facilitator.reports.figure import Figure

DOCUMENTS = ("agreement", "scorecard")
TEMPLATE_SUFFIX = ".md.j2"
TEMPLATES_FOLDER = "report_templates"

RENDER_TIMEOUT = 2.0  # seconds a customised template's process may run, from its start
MAX_MEMORY = 512 * 1024 * 1024  # bytes a customised template's process may add to what it starts with
MAX_TEMPLATE_BYTES = 1_000_000  # a template file larger than this is not a template
MIN_JINJA = (3, 1, 6)  # sandbox fixes (str.format, attr filter) the report layer relies on


# --------------------------------------------------------------------------------------------
# Where templates are


def default_templates_dir() -> Path:
    """The shipped templates: next to the package in a source checkout, inside it when installed."""
    package = Path(__file__).resolve().parents[1]  # facilitator/, this module being in facilitator/reports/
    candidates = (package.parent / TEMPLATES_FOLDER, package / TEMPLATES_FOLDER)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ReportError(
        f"The report templates are missing from this installation (looked in {candidates[0]} "
        f"and {candidates[1]}); reinstall facilitator."
    )


def template_path(document: str, templates_dir: Path | None = None) -> Path:
    """The template file a document is rendered from."""
    _check_document(document)
    folder = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    return folder / f"{document}{TEMPLATE_SUFFIX}"


def needs_history(document: str, templates_dir: Path | None = None, changes_since: Any = None) -> bool:
    """Whether rendering `document` needs the alliance's earlier sessions (`history.load_timeline`).

    Looking them up costs a look at every stored session. Both our documents use them: the
    agreement numbers its version along the alliance's sessions and checks its exit triggers over
    the reviews running (issue 16), the scorecard shows trend and cadence. Without them a document
    is rendered as the session seen on its own.
    """
    return True


def _check_document(document: str) -> None:
    if document not in DOCUMENTS:
        raise ReportError(f"Unknown document '{document}': choose {' or '.join(DOCUMENTS)}.")


# --------------------------------------------------------------------------------------------
# Rendering


def render(
    session: Session,
    document: str = "agreement",
    templates_dir: Path | None = None,
    *,
    changes_since: Any = None,
    history: history_module.Timeline | None = None,
    timeout: float = RENDER_TIMEOUT,
    today: str | None = None,
) -> str:
    """Render one document of `DOCUMENTS` as Markdown. Raises ReportError, never anything else.

    `history`: the alliance's timeline, for the trend table and the agreement changes.
    `changes_since`: the agreement's "changes since" flag (off by default); True names the date of
    the session before, a text names whatever it says.
    `today`: the ISO date actions are overdue against (default the clock's).
    """
    text, _figures = render_with_figures(
        session, document, templates_dir, changes_since=changes_since, history=history, timeout=timeout, today=today
    )
    return text


def render_with_figures(
    session: Session,
    document: str = "agreement",
    templates_dir: Path | None = None,
    *,
    changes_since: Any = None,
    history: history_module.Timeline | None = None,
    timeout: float = RENDER_TIMEOUT,
    today: str | None = None,
) -> tuple[str, tuple[Figure, ...]]:
    """`render`, and the figures the document links to, drawn from the same context: what every
    writer needs, built once (the context is most of an export's own time)."""
    _check_document(document)
    _check_jinja_version()
    try:
        checklist = content.load_checklist(session.checklist_version)
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    folder = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    path = folder / f"{document}{TEMPLATE_SUFFIX}"
    _check_template_file(path)
    try:
        context = build_context(
            session,
            checklist,
            history,
            with_history=needs_history(document, templates_dir, changes_since),
            # Our templates show the comparison with the session before only when asked for; a
            # customised one may use it anywhere.
            with_changes=bool(changes_since) or templates_dir is not None,
            today=_today() if today is None else today,
        )
        figures = _figures(document, context)
        context["figures"] = _figure_entries(figures)
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    if changes_since is True:
        changes_since = context["changes"]["since"] if context["changes"] else "the previous session"
    context["changes_since"] = changes_since or None
    if templates_dir is None:
        # Our own templates cannot loop away or pile up memory: rendered here, without a process.
        return _render_template(folder, path, context), figures
    return _render_in_child(folder, path, context, timeout), figures


def _today() -> str:
    import datetime

    return datetime.date.today().isoformat()


def _figures(document: str, context: dict[str, Any]) -> tuple[Figure, ...]:
    """The document's figures, drawn from the context just built (the scorecard's; none else)."""
    if document != "scorecard":
        return ()
    from facilitator.reports.figures import scorecard_figures

    return scorecard_figures(context)


def _figure_entries(figures: tuple[Figure, ...]) -> list[dict[str, Any]]:
    """The figures as a template sees them: name, title, link (`figures/<name>.svg`) and the text
    equivalent (Markdown already escaped)."""
    if not figures:
        return []
    from facilitator.reports.figures import figure_entries

    return figure_entries(figures)


def export(
    session: Session,
    document: str,
    path: Path,
    templates_dir: Path | None = None,
    *,
    changes_since: Any = None,
    history: history_module.Timeline | None = None,
    private: bool = False,
    today: str | None = None,
) -> Path:
    """Render a document and write it to `path` atomically. Returns the path written.

    A new file is readable by others as documents usually are (0644 less the umask), and a file
    replaced keeps its mode; `private`: 0600 whatever (an export written into the data folder).

    The document is rendered in full before anything is written, so a broken template or a
    runaway loop leaves an earlier export untouched.
    """
    text, figures = render_with_figures(
        session, document, templates_dir, changes_since=changes_since, history=history, today=today
    )
    path = Path(path)
    if path.is_dir():
        raise ReportError(f"Cannot write the {document} to {path}: that is a folder; give a file name.")
    if not path.parent.is_dir():
        raise ReportError(f"Cannot write the {document} to {path}: the folder {path.parent} does not exist.")
    from facilitator.reports.formats.figures_out import svg_files
    from facilitator.storage.atomic import NewFile, atomic_write_all

    # The document and the charts it links to (`figures/<name>.svg`, beside it; a customised
    # template may link to none of them, ours does), checked first and written as one.
    charts = svg_files(path.parent, figures, private=private) if templates_dir is None else []
    document_file = NewFile(path, text.encode("utf-8"), PRIVATE_FILE if private else None, SHARED_FILE)
    try:
        atomic_write_all([document_file, *charts])
    except PermissionError:
        raise ReportError(f"Cannot write the {document} to {path}: permission denied.") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ReportError(f"Cannot write the {document} to {path}: {reason}.") from None
    return path


def _check_jinja_version() -> None:
    found = tuple(int(part) for part in re.findall(r"\d+", jinja2.__version__)[:3])
    if found < MIN_JINJA:
        raise ReportError(
            f"Reports need Jinja2 {'.'.join(map(str, MIN_JINJA))} or later (found {jinja2.__version__}); upgrade it."
        )


def _check_template_file(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReportError(f"Template file {path} not found.") from None
    except OSError as error:
        raise ReportError(f"Cannot read template file {path}: {error.strerror or error}.") from None
    if not path.is_file():
        raise ReportError(f"Template {path} is not a file.")
    if size > MAX_TEMPLATE_BYTES:
        raise ReportError(f"Template {path} is too large to be a template ({size:,} bytes).")


def _render_template(folder: Path, path: Path, context: dict[str, Any]) -> str:
    env = _make_environment(folder)
    try:
        template = env.get_template(path.name)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise ReportError(
                    f"Template {path} produced more than {MAX_OUTPUT // 1_000_000} MB of "
                    f"output; check it for runaway loops."
                )
            chunks.append(chunk)
        return "".join(chunks)
    except ReportError:
        raise
    except TemplateSyntaxError as error:
        where = error.filename or str(path)
        raise ReportError(
            f"Template {where}, line {error.lineno}: syntax error: {(error.message or '').rstrip('.')}."
        ) from None
    except TemplateNotFound as error:
        raise ReportError(
            f"Template {path}{_line_of(error, folder)}: included template '{error.name}' not found in {folder}."
        ) from None
    except UnicodeDecodeError:
        raise ReportError(f"Template {path} is not UTF-8 text.") from None
    except MemoryError as error:
        raise ReportError(_too_much_memory(path, _line_of(error, folder))) from None
    except RecursionError as error:
        raise ReportError(
            f"{_where(error, folder, path)}: calls itself too deeply (a macro or include that never ends)."
        ) from None
    except Exception as error:  # noqa: BLE001 - anything a template does wrong becomes one sentence
        raise ReportError(f"{_where(error, folder, path)}: {_describe(error)}") from None


def _describe(error: BaseException) -> str:
    message = str(error).strip() or type(error).__name__
    if isinstance(error, jinja2.UndefinedError):
        message = f"{message} (a misspelt variable or attribute?)"
    elif not isinstance(error, SecurityError):
        message = f"{type(error).__name__}: {message}"
    return message if message.endswith((".", "?", ")")) else message + "."


def _template_frames(error: BaseException | None, folder: Path) -> list[tuple[str, int]]:
    """(file, line) of the traceback frames that are template code, innermost last."""
    if error is None:
        return []
    frames = []
    root = str(folder.resolve())
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIX) or filename.startswith(root):
            frames.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _where(error: BaseException, folder: Path, path: Path) -> str:
    frames = _template_frames(error, folder)
    if frames:
        filename, line = frames[-1]
        return f"Template {filename}, line {line}"
    return f"Template {path}"


def _line_of(error: BaseException | None, folder: Path) -> str:
    frames = _template_frames(error, folder)
    return f", line {frames[-1][1]}" if frames else ""


# --------------------------------------------------------------------------------------------
# The child process, its memory limit and its deadline


_CHILD_MEMORY_EXIT = 3  # report_child.MEMORY_EXIT (not imported: the child's module is for the child)


def _too_much_memory(path: Path, line: str = "") -> str:
    return f"Template {path}{line} used more than {MAX_MEMORY // 2**20} MB; check it for runaway loops."


def _too_slow(path: Path, timeout: float) -> str:
    return f"Template {path} took more than {timeout:g} s; check it for runaway loops."


def _render_in_child(folder: Path, path: Path, context: dict[str, Any], timeout: float) -> str:
    """Render a customised template in `python -m facilitator.reports.child`, limited to MAX_MEMORY
    and killed with its process group once `timeout` seconds have passed since it started.

    Called from a worker thread in the app (the export dialog's preview and write), from the CLI
    directly; it only waits on pipes, so the app stays responsive. Whatever the child does, the
    caller gets the text or a ReportError of one sentence.
    """
    import pickle
    import signal
    import subprocess
    import sys

    payload = pickle.dumps((str(folder), str(path), context), protocol=pickle.HIGHEST_PROTOCOL)
    env = dict(os.environ)
    # The child imports this very package, wherever it was imported from (a checkout, a wheel).
    package_parent = str(Path(__file__).resolve().parents[2])  # the folder facilitator/ is in
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (package_parent, env.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "facilitator.reports.child", str(MAX_MEMORY), f"{timeout:g}"]
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as error:
        raise ReportError(
            f"Template {path} could not be rendered: cannot start a process ({error.strerror or error})."
        ) from None
    try:
        out, err = child.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child, signal.SIGKILL)
        child.communicate()
        raise ReportError(_too_slow(path, timeout)) from None
    except BaseException:
        _kill_group(child, signal.SIGKILL)
        child.communicate()
        raise
    finally:
        _kill_group(child, signal.SIGKILL)  # anything the template's process left behind in its group
    try:
        answer = json.loads(out.decode("utf-8", "surrogatepass")) if out else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        answer = None
    if isinstance(answer, dict):
        text = answer.get("text")
        if isinstance(text, str):
            return text
        if isinstance(answer.get("error"), str):
            raise ReportError(answer["error"])
        if answer.get("memory") is True:
            raise ReportError(_too_much_memory(path))
    if (
        child.returncode in (_CHILD_MEMORY_EXIT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT)
        or b"MemoryError" in err
    ):
        raise ReportError(_too_much_memory(path))  # killed for memory, or crashed for want of it
    if child.returncode in (-signal.SIGXCPU,):
        raise ReportError(_too_slow(path, timeout))
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {child.returncode}"]
    raise ReportError(f"Template {path} could not be rendered: the rendering process stopped ({last[0][:200]}).")


def _kill_group(child: Any, signal_number: int) -> None:
    try:
        os.killpg(child.pid, signal_number)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _make_environment(folder: Path) -> ReportEnvironment:
    env = ReportEnvironment(
        loader=FileSystemLoader(str(folder.resolve()), encoding="utf-8"),
        bytecode_cache=compiled_templates(),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=markdown.finalize,
        auto_reload=False,
        cache_size=0,
    )
    env.globals.pop("lipsum", None)  # a text generator with a size argument; nothing a report needs
    env.filters = {name: guard_filter(name, func) for name, func in env.filters.items()}
    env.filters.update(
        {
            "inline": markdown.inline,
            "cell": markdown.cell,
            "block": markdown.block,
        }
    )
    return env
