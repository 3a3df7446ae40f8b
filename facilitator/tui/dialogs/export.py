"""Export a session's agreement or scorecard as Markdown, HTML, PDF or Word, or the sponsor pack
(both documents in every format, into one folder), with a live preview.

The preview is the Markdown (the one source every format is made from); HTML, PDF and Word are
converted from it in the writing worker (`facilitator.reports.formats`), which needs the
`documents` extra: without it the dialog says which extra to install.

Rendering and writing both run in thread workers (a custom template may take up to the report
layer's deadline); every problem is shown inside the dialog as one sentence, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, Markdown, RadioSet, Static

from facilitator.base.errors import FacilitatorError
from facilitator.domain.model import Session
from facilitator.tui.widgets.toggles import StateCheckbox, StateRadioButton

if TYPE_CHECKING:
    from facilitator.storage.store import SessionStore

DOCUMENT_LABELS = {"agreement": "Agreement", "scorecard": "Scorecard"}
# The formats offered (facilitator.reports.formats.DOCUMENT_FORMATS; named here so that opening the
# dialog imports no converter) and each file's suffix.
FORMAT_LABELS = {"md": "Markdown", "html": "HTML", "pdf": "PDF", "docx": "Word", "pack": "Sponsor pack"}
SUFFIXES = {"md": ".md", "html": ".html", "pdf": ".pdf", "docx": ".docx"}
PACK = "pack"  # both documents in every format, into a folder
PACK_FOLDER = "sponsor-pack"
CHANGES_LABEL = "Mark the changes since the session before (agreement)"
WRITTEN_LABELS = {**DOCUMENT_LABELS, PACK: "Sponsor pack"}


def default_path(session: Session, document: str, folder: Path | None = None, fmt: str = "md") -> Path:
    """The file a document is written to by default; for the pack, the folder."""
    if fmt == PACK:
        return (folder or Path.cwd()) / f"{session.id}-{PACK_FOLDER}"
    return (folder or Path.cwd()) / f"{session.id}-{document}{SUFFIXES[fmt]}"


class ExportScreen(ModalScreen[Path | None]):
    """Choose a document and a file, look at the preview, write. Dismisses with the path written, if any."""

    CSS_PATH = "export.tcss"
    HELP_NAME = "export"
    BINDINGS = [
        Binding("ctrl+s", "write", "Write file", priority=True),
        Binding("escape", "close", "Close"),
    ]

    class Rendered(Message):
        def __init__(self, generation: int, document: str, text: str = "", error: str = "") -> None:
            super().__init__()
            self.generation = generation
            self.document = document
            self.text = text
            self.error = error

    class Written(Message):
        def __init__(self, document: str, path: Path | None, error: str = "") -> None:
            super().__init__()
            self.document = document
            self.path = path
            self.error = error

    class PreviousFound(Message):
        """Whether the alliance has a session before this one (`problem`: its history cannot be read)."""

        def __init__(self, found: bool, problem: str = "") -> None:
            super().__init__()
            self.found = found
            self.problem = problem

    def __init__(
        self,
        session: Session,
        templates: Path | None = None,
        document: str = "agreement",
        store: SessionStore | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.templates = templates
        self.store = store  # the session's data folder: its history, and the files not to write over
        self.document = document if document in DOCUMENT_LABELS else "agreement"
        self.format = "md"
        self.written: Path | None = None  # the last file written
        self.written_files: dict[str, Path] = {}  # document -> the file written for it in this dialog
        self.writing = False
        self._generation = 0
        self.changes_since = False  # the agreement's "changes since the session before" appendix
        self._history = None  # the alliance's timeline, read once by the first render
        self._history_read = False

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                Text(f"Export — {self.session.alliance} ({self.session.kind}, {self.session.date})"), id="title"
            )
            with Horizontal(id="choose"):
                with RadioSet(id="document") as documents:
                    documents.border_title = "Document"
                    for key, label in DOCUMENT_LABELS.items():
                        yield StateRadioButton(label, value=key == self.document, id=key)
                yield Button("Write (ctrl+s)", id="write", variant="primary")
                yield Button("Close (esc)", id="close")
            with RadioSet(id="format") as formats:
                formats.border_title = "Format"
                for key, label in FORMAT_LABELS.items():
                    yield StateRadioButton(label, value=key == self.format, id=f"format-{key}")
            # Offered only once an earlier session of the alliance is known to exist (looked up on mount).
            yield StateCheckbox(
                CHANGES_LABEL + " — looking for an earlier session…",
                self.changes_since,
                id="changes-since",
                disabled=True,
            )
            path = Input(str(default_path(self.session, self.document)), id="path")
            path.border_title = "Save to"
            yield path
            yield Label("", id="path-error", classes="-error")
            with VerticalScroll(id="preview") as preview:
                preview.border_title = "Preview"
                yield Static("Rendering the preview…", id="preview-note")
                yield Markdown("", id="preview-text")
            yield Static("", id="status")
            yield Footer()

    @property
    def focus_chain(self) -> list[Widget]:
        """Tab goes through the choices in the order a facilitator makes them (document, format,
        changes, where to, the preview) and only then to the buttons, which sit beside the first
        choice on screen: Ctrl+S writes from anywhere."""
        chain = super().focus_chain
        return [w for w in chain if not isinstance(w, Button)] + [w for w in chain if isinstance(w, Button)]

    def on_mount(self) -> None:
        self.query_one("#path-error").display = False
        self.query_one("#status").display = False
        self.query_one("#preview-text").display = False
        self.query_one("#document", RadioSet).focus()
        self.render_preview()
        self._look_for_previous()

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-history")
    def _look_for_previous(self) -> None:
        """Whether the alliance has a session before this one, for "changes since" (worker thread)."""
        timeline = self._timeline()
        index = timeline.index_of(self.session.id) if timeline is not None else None
        self.post_message(self.PreviousFound(bool(index), "" if timeline is not None else "unreadable"))

    def on_export_screen_previous_found(self, message: PreviousFound) -> None:
        checkbox = self.query_one("#changes-since", Checkbox)
        if message.found:
            checkbox.label = CHANGES_LABEL
            checkbox.disabled = False
        else:
            why = "earlier sessions unreadable" if message.problem else "none: the first session"
            checkbox.label = f"{CHANGES_LABEL} — {why}"
            checkbox.disabled = True

    # -- preview ------------------------------------------------------------------------------

    def render_preview(self) -> None:
        self._generation += 1
        self.query_one("#preview-note", Static).update("Rendering the preview…")
        self.query_one("#preview-note").display = True
        self._render_document(self._generation, self.document)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-preview")
    def _render_document(self, generation: int, document: str) -> None:
        from facilitator.reports.render import render

        try:
            text = render(
                self.session,
                document,
                self.templates,
                history=self._history_for(document),
                changes_since=self.changes_since or None,
            )
        except FacilitatorError as error:
            self.post_message(self.Rendered(generation, document, error=str(error)))
        except Exception as error:  # noqa: BLE001 - shown in the dialog, never as a traceback
            self.post_message(self.Rendered(generation, document, error=f"{type(error).__name__}: {error}"))
        else:
            self.post_message(self.Rendered(generation, document, text=text))

    async def on_export_screen_rendered(self, message: Rendered) -> None:
        if message.generation != self._generation:
            return
        note = self.query_one("#preview-note", Static)
        preview = self.query_one("#preview-text", Markdown)
        if message.error:
            note.update(Text(f"No preview: {message.error}"))
            note.add_class("-error")
            note.display = True
            preview.display = False
            return
        note.remove_class("-error")
        await preview.update(message.text)
        note.display = False
        preview.display = True
        self.query_one("#preview", VerticalScroll).scroll_home(animate=False)

    def _history_for(self, document: str):
        """The alliance's timeline if `document` uses it, else None (worker thread)."""
        from facilitator.reports.render import needs_history

        return self._timeline() if needs_history(document, self.templates, self.changes_since) else None

    def _timeline(self):
        """The session's own line (`load_lineage`), for the version, the trend and the agreement's
        changes (worker thread), exactly as `facilitator export` reads it.

        A damaged or missing earlier session only shortens the history; without a store the
        document is rendered on its own."""
        if not self._history_read:
            from facilitator.domain.history.lineage import load_lineage

            store = self.store
            try:
                self._history = load_lineage(store, self.session) if store else None
            except (FacilitatorError, OSError):
                self._history = None
            self._history_read = True
        return self._history

    @on(Checkbox.Changed, "#changes-since")
    def _changes_since_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        if event.value != self.changes_since:
            self.changes_since = event.value
            self._set_status("")
            self.render_preview()

    @on(RadioSet.Changed, "#document")
    def _document_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        document = event.pressed.id or "agreement"
        if document == self.document:
            return
        self._follow_the_path(document, self.format)
        self.document = document
        self._set_status("")
        self.render_preview()

    @on(RadioSet.Changed, "#format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        fmt = (event.pressed.id or "format-md").removeprefix("format-")
        if fmt == self.format or fmt not in FORMAT_LABELS:
            return
        self._follow_the_path(self.document, fmt)
        self.format = fmt
        self.query_one("#path", Input).border_title = "Save into the folder" if fmt == PACK else "Save to"
        self._set_status(
            "The pack holds the agreement and the scorecard, each as Markdown, HTML, PDF and Word; "
            "the preview shows the document chosen above."
            if fmt == PACK
            else ""
        )

    def _follow_the_path(self, document: str, fmt: str) -> None:
        """The file name follows the document and the format chosen, where it still names the old
        ones (the default, or a name of the facilitator's own ending the same way)."""
        path_input = self.query_one("#path", Input)
        value = path_input.value.strip()
        if PACK in (fmt, self.format):
            # To or from the pack's folder: only a default name is changed, to the other default.
            if value == str(default_path(self.session, self.document, fmt=self.format)):
                path_input.value = str(default_path(self.session, document, fmt=fmt))
            return
        old_ending = f"-{self.document}{SUFFIXES[self.format]}"
        if value == str(default_path(self.session, self.document, fmt=self.format)):
            path_input.value = str(default_path(self.session, document, fmt=fmt))
        elif value.endswith(old_ending):
            path_input.value = value[: -len(old_ending)] + f"-{document}{SUFFIXES[fmt]}"
        elif value.endswith(SUFFIXES[self.format]):
            path_input.value = value[: -len(SUFFIXES[self.format])] + SUFFIXES[fmt]

    # -- writing ------------------------------------------------------------------------------

    def target(self) -> Path | None:
        """The file to write (the folder, for the pack), or None (with the problem shown under the
        path) when there is none."""
        if self.format == PACK:
            return self._pack_folder()
        raw = self.query_one("#path", Input).value.strip()
        problem = ""
        path = None
        if not raw:
            problem = "Give the file to write, for example " + str(
                default_path(self.session, self.document, fmt=self.format)
            )
        else:
            path = Path(raw).expanduser()
            if not path.is_absolute():
                path = Path.cwd() / path
            if path.is_dir():
                example = f"{self.session.id}-{self.document}{SUFFIXES[self.format]}"
                problem = f"{path} is a folder: add a file name, for example {example}"
            elif not path.parent.is_dir():
                problem = f"The folder {path.parent} does not exist."
            else:
                problem = self._owned_by_the_data_folder(path)
        self._show_path_problem(problem)
        return None if problem else path

    def _pack_folder(self) -> Path | None:
        from facilitator.reports.formats.pack import pack_folder_problem

        raw = self.query_one("#path", Input).value.strip()
        problem = ""
        folder = None
        if not raw:
            problem = "Give the folder to write the pack into, for example " + str(
                default_path(self.session, self.document, fmt=PACK)
            )
        else:
            folder = Path(raw).expanduser()
            if not folder.is_absolute():
                folder = Path.cwd() / folder
            problem = pack_folder_problem(folder)
            if not problem:
                owned = (self._owned_by_the_data_folder(f) for f in [folder, *self._pack_files(folder)])
                problem = next(filter(None, owned), "")
        self._show_path_problem(problem)
        return None if problem else folder

    def _pack_files(self, folder: Path) -> list[Path]:
        return [
            folder / f"{self.session.id}-{document}{suffix}"
            for document in DOCUMENT_LABELS
            for suffix in SUFFIXES.values()
        ]

    def _owned_by_the_data_folder(self, path: Path) -> str:
        """Why `path` must not be written (a session file, the index, a lock...), or ""."""
        store = self.store
        if store is None:
            return ""
        try:
            store.check_output_path(path)
        except FacilitatorError as error:
            return str(error)
        return ""

    def _show_path_problem(self, problem: str) -> None:
        label = self.query_one("#path-error", Label)
        label.update(Text(problem))
        label.display = bool(problem)
        self.query_one("#path", Input).set_class(bool(problem), "-invalid")

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        self._show_path_problem("")

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_write()

    def action_write(self) -> None:
        if self.writing:
            return
        path = self.target()
        if path is None:
            self.query_one("#path", Input).focus()
            return
        existing = [f for f in self._pack_files(path) if f.exists()] if self.format == PACK else []
        if existing:
            from facilitator.tui.dialogs.confirm import ConfirmScreen

            def replace_them(replace: bool | None) -> None:
                if replace:
                    self._start_write(path)

            count = f"{len(existing)} file{'s' if len(existing) != 1 else ''}"
            self.app.push_screen(
                ConfirmScreen(
                    f"Replace {count} of an earlier pack?",
                    f"{path} already holds {count} of this session's pack. Writing replaces them.",
                    "Replace",
                    "Keep them",
                ),
                replace_them,
            )
            return
        if path.exists() and self.format != PACK:
            from facilitator.tui.dialogs.confirm import ConfirmScreen

            def answered(replace: bool | None) -> None:
                if replace:
                    self._start_write(path)

            self.app.push_screen(
                ConfirmScreen(
                    "Replace the existing file?",
                    f"{path} already exists. Writing replaces it with this {self.document}.",
                    "Replace",
                    "Keep it",
                ),
                answered,
            )
            return
        self._start_write(path)

    def _start_write(self, path: Path) -> None:
        self.writing = True
        self.query_one("#write", Button).disabled = True
        if self.format == PACK:
            what = "sponsor pack (eight files; a PDF takes a few seconds)"
        elif self.format == "md":
            what = self.document
        else:
            what = f"{self.document} as {FORMAT_LABELS[self.format]}"
        self._set_status(f"Writing the {what}…")
        self._write_document(PACK if self.format == PACK else self.document, self.format, path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-write")
    def _write_document(self, document: str, fmt: str, path: Path) -> None:
        from facilitator.reports.render import export

        try:
            store = self.store
            private = store is not None and store.holds(path)
            if fmt == PACK:
                written = self._write_pack(path, private)
            elif fmt == "md":
                written = export(
                    self.session,
                    document,
                    path,
                    self.templates,
                    history=self._history_for(document),
                    changes_since=self.changes_since or None,
                    private=private,
                )
            else:
                written = self._convert_and_write(document, fmt, path, private)
        except FacilitatorError as error:
            self.post_message(self.Written(document, None, str(error)))
        except OSError as error:
            self.post_message(self.Written(document, None, f"Cannot write {path}: {error.strerror or error}."))
        except Exception as error:  # noqa: BLE001 - shown in the dialog, never as a traceback
            self.post_message(self.Written(document, None, f"{type(error).__name__}: {error}"))
        else:
            self.post_message(self.Written(document, Path(written)))

    def _write_pack(self, folder: Path, private: bool) -> Path:
        """Both documents in every format, converted, then written into `folder` (worker thread)."""
        from facilitator.reports.formats import DOCUMENT_FORMATS, written
        from facilitator.reports.formats.docx import reference_doc
        from facilitator.reports.formats.pack import (
            PACK_DOCUMENTS,
            converted_documents,
            pack_folder,
            pack_outputs,
        )

        items = converted_documents(
            self.session,
            PACK_DOCUMENTS,
            DOCUMENT_FORMATS,
            self._history_for,
            templates=self.templates,
            changes_since=self.changes_since,
            reference_doc=reference_doc(None, self.templates),
        )
        with pack_folder(folder) as made:
            written(pack_outputs(made, self.session.id, items), private=private)
        return folder

    def _convert_and_write(self, document: str, fmt: str, path: Path, private: bool) -> Path:
        """The document rendered as Markdown, converted to `fmt` and written (worker thread)."""
        from facilitator.reports.document_meta import document_meta
        from facilitator.reports.formats import Output, convert, written
        from facilitator.reports.render import render_with_figures

        history = self._history_for(document)
        markdown, figures = render_with_figures(
            self.session, document, self.templates, history=history, changes_since=self.changes_since or None
        )
        reference = None
        if fmt == "docx":
            from facilitator.reports.formats.docx import reference_doc

            reference = reference_doc(None, self.templates)
        meta = document_meta(self.session, document, history)
        data = convert(markdown, fmt, meta, figures, reference)
        return written([Output(path, data, ())], private=private)[0]

    def on_export_screen_written(self, message: Written) -> None:
        self.writing = False
        self.query_one("#write", Button).disabled = False
        if message.error:
            self._set_status(message.error, error=True)
            return
        self.written = message.path
        self.written_files[message.document] = message.path
        if message.document == PACK:
            self._set_status(
                f"Wrote the sponsor pack into {message.path}: the agreement and the scorecard, "
                "each as Markdown, HTML, PDF and Word.",
                ok=True,
            )
            return
        self._set_status(f"Wrote the {message.document} to {message.path} — the file is complete.", ok=True)

    def _set_status(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")
        status.set_class(ok, "-ok")
        status.display = bool(text)

    # -- buttons and closing ------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "write":
            self.action_write()
        elif event.button.id == "close":
            self.action_close()

    def action_close(self) -> None:
        if self.written_files:
            # Said again once the dialog is gone, for whoever looks up only now: each document by
            # name with its own file, so a scorecard is never announced with the agreement's path.
            # (A toast from an earlier export may still be on screen: the title names this one.)
            names = [WRITTEN_LABELS[document] for document in self.written_files]
            lines = [f"{WRITTEN_LABELS[document]}: {path}" for document, path in self.written_files.items()]
            self.notify(
                "\n".join(lines), title=(" and ".join(names) + " written").capitalize(), timeout=6, markup=False
            )
        self.dismiss(self.written)
