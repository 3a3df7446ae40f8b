"""How the history screen's figures and changes read as Rich text: a change as ▲ or ▼ in colour
once it passes the threshold, a section's changes with removed words struck through and added ones
marked (brackets as well as colours). Plain text, no widgets."""

from __future__ import annotations

from rich.text import Text

from facilitator.domain import formatting
from facilitator.domain import history as hist
from facilitator.domain.formatting import index_change


def delta_text(delta: float | None, digits: int = 1) -> Text:
    shown = formatting.format_change(delta, digits)
    if delta is None:
        return Text("")
    if delta >= hist.CHANGE_THRESHOLD:
        return Text(f"▲{shown}", style="bold green")
    if delta <= -hist.CHANGE_THRESHOLD:
        return Text(f"▼{shown}", style="bold red")
    return Text(shown, style="dim")


def index_delta(change: hist.Change) -> int | None:
    """The change between two indexes as shown (whole numbers), so the arithmetic reads right."""
    return index_change(change.before, change.after)


def diff_text(change: hist.SectionChange, since: str) -> Text:
    """A section's changes for the screen: removed words struck through in red, added ones in green."""
    text = Text()
    text.append(f"{change.number}. {change.title}", style="bold")
    text.append(f" — {change.status_label.lower()} since {since}\n\n", style="bold yellow" if change.changed else "dim")
    if not change.lines:
        text.append("Empty then and now.", style="dim")
        return text
    for line in change.lines:
        if line.kind == "same":
            text.append(f"  {line.text}\n", style="dim")
        elif line.kind == "removed":
            text.append("− ", style="bold red")
            text.append(f"{line.text}\n", style="red strike")
        elif line.kind == "added":
            text.append("+ ", style="bold green")
            text.append(f"{line.text}\n", style="green")
        else:
            text.append("~ ", style="bold yellow")
            for kind, words in line.segments:
                # Brackets as well as colours: readable on a projector, in monochrome, when printed.
                if kind == "removed":
                    text.append(f"[-{words}-]", style="red strike")
                elif kind == "added":
                    text.append(f"{{+{words}+}}", style="bold green")
                else:
                    text.append(words)
            text.append("\n")
    return text
