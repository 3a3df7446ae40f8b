"""Help for the screen it was opened from: its keys, the scoring scale, how a health check works,
and where the checklist comes from."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Markdown

from facilitator import __version__
from facilitator.domain.content import Checklist, load_checklist
from facilitator.domain.scoring import GAP_THRESHOLD
from facilitator.reports.markdown import inline  # the help is Markdown: shown as written
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.screens.hooks import ExplainsInHelp, InMeeting, NamedInHelp, ShowsChecklist


def _own_actions(node: object) -> set[str]:
    """Actions bound in facilitator's own classes (not the ones every Textual screen has)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("facilitator"):
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    actions.add(binding.action)
    return actions


NAMED_ACTIONS = {"command_palette": "Command palette: type a few letters of any command"}


def keys_of(screen: Screen) -> list[tuple[str, str]]:
    """The keys active on a screen as (keys, description): what the footer shows, plus the screen's
    and the app's own hidden keys; the generic ones (tab, copy) are left out."""
    app = screen.app
    try:
        active: dict[str, ActiveBinding] = screen.active_bindings
    except Exception:  # noqa: BLE001 - help must open even if a screen's check_action misbehaves
        active = {}
    own = _own_actions(screen) | _own_actions(app)
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, (node, binding, _enabled, _tooltip) in active.items():
        action = binding.action.removeprefix("app.").removeprefix("screen.")
        description = NAMED_ACTIONS.get(action, binding.description)
        if not description:
            continue
        # Hidden keys of our own widgets too (left out of a crowded footer, never out of Help).
        if not (
            binding.show or binding.action in own or binding.action in _own_actions(node) or action in NAMED_ACTIONS
        ):
            continue
        display = app.get_key_display(Binding(key, binding.action, description, key_display=binding.key_display))
        grouped.setdefault((binding.action, description), []).append(display)
    return [(" / ".join(dict.fromkeys(displays)), description) for (_action, description), displays in grouped.items()]


def help_markdown(keys: Iterable[tuple[str, str]], checklist: Checklist, screen_name: str = "", notes: str = "") -> str:
    lines: list[str] = []
    keys = list(keys)
    lines.append(f"## Keys{f' — {screen_name}' if screen_name else ''}")
    lines.append("")
    if keys:
        lines += [f"- **{inline(k)}** — {inline(d)}" for k, d in keys]
    else:
        lines.append("This screen has no keys of its own.")
    lines.append("")
    if notes:
        lines += [notes.strip(), ""]
    lines.append("## The scoring scale")
    lines.append("")
    lines.append("Each partner scores each point:")
    lines.append("")
    for level in checklist.scale + checklist.special:
        lines.append(f"- **{inline(str(level.value))} — {inline(level.label)}.** {inline(level.anchor)}")
    lines.append("")
    lines.append("## How a health check works")
    lines.append("")
    lines.append(f"1. Read each of the {len(checklist.points)} points aloud, with its question.")
    lines.append(
        "2. Every partner scores the point on its own, without seeing the others' scores: "
        "blind scoring keeps the first answers honest."
    )
    lines.append("3. Reveal the scores together.")
    lines.append(
        f"4. Where partners are {GAP_THRESHOLD} or more apart, they see the alliance differently: "
        "that is a perception gap, and the most valuable thing to talk about."
    )
    lines.append(
        '5. The room may settle on an agreed score. "?" and "n/a" stay on record but are left out '
        "of every average; the health index runs from 0 to 100."
    )
    lines.append("6. The weakest points show which sections of the partnership agreement to draft first.")
    lines.append("")
    lines.append("## Scoring from participants' own devices")
    lines.append("")
    lines.append(
        "In the meeting, **J** opens remote scoring: **S** serves a page on this computer, with a join "
        "code; `facilitator serve ID --host ADDRESS` serves it to other devices. Each person joins "
        "with the code, their organisation and name, and scores blind; several people of one partner "
        "count as their mean. **N** starts a new round with a new code, **C** closes it, **Delete** "
        "takes a person out of the round."
    )
    lines.append("")
    lines.append(
        "On joining, each person is shown a PIN of eight letters and digits in two groups, such as "
        "`K7MP-4QXR` (no 0, O, 1, I, L, 2, Z, 5 or S, so it reads aloud without mix-ups; any case, "
        "spaces or dashes are fine when typing it). With it, and only with it, they rejoin under the "
        "same name after a dropped connection. Behind a reverse proxy, serve with "
        "`--public-url URL --trusted-proxy ADDR` (the proxy's address or range, repeatable): only then "
        "is each browser counted by its own address; otherwise `X-Forwarded-For` is ignored."
    )
    lines.append("")
    lines.append("## About")
    lines.append("")
    lines.append(f"facilitator {__version__}")
    lines.append("")
    source = checklist.source.strip()
    if source.startswith("Adapted from "):
        lines.append("The checklist is adapted, in our own words, from " + inline(source[len("Adapted from ") :]))
    else:
        lines.append(f"The checklist is written in our own words. Source: {inline(source)}")
    lines.append("")
    return "\n".join(lines)


def _checklist_for(screen: Screen | None) -> Checklist:
    """The checklist the screen works on (its own, or the open meeting's), else the current one."""
    if isinstance(screen, ShowsChecklist) and isinstance(screen.checklist, Checklist):
        return screen.checklist
    if isinstance(screen, InMeeting) and isinstance(screen.context, MeetingContext):
        return screen.context.checklist
    return load_checklist()


def _name_of(screen: Screen | None) -> str:
    """How Help names the screen: its HELP_NAME, else its title."""
    if screen is None:
        return ""
    name = screen.HELP_NAME if isinstance(screen, NamedInHelp) else ""
    return str(name or screen.title or "")


class HelpScreen(ModalScreen[None]):
    """Scrollable help over the screen it was opened from."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Close help"),
        Binding("f1", "close", "Close help", show=False),
    ]

    def __init__(self, screen: Screen | None = None, bindings: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        # Read the keys now, while the screen we came from is still the one on top.
        self.keys = bindings if bindings is not None else (keys_of(screen) if screen is not None else [])
        self.screen_name = _name_of(screen)
        self.notes = screen.HELP_NOTES if isinstance(screen, ExplainsInHelp) else ""
        self.checklist = _checklist_for(screen)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Help", id="title")
            with VerticalScroll(id="body"):
                yield Markdown(help_markdown(self.keys, self.checklist, self.screen_name, self.notes), id="text")
            yield Footer()

    def on_mount(self) -> None:
        self.query_one("#body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
