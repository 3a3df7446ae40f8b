"""What changed in the agreement since the session before: each section's text and table, line by
line, with a word-level diff of edited lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from facilitator.domain import scoring
from facilitator.domain.content import Checklist
from facilitator.domain.history.score_trends import checklist_for
from facilitator.domain.history.timeline import Timeline
from facilitator.domain.model import Session

if TYPE_CHECKING:
    from difflib import SequenceMatcher


SECTION_STATUS_LABELS = {
    "unchanged": "Unchanged",
    "changed": "Changed",
    "new": "New",
    "removed": "Cleared",
    "empty": "Unchanged",
}  # "empty": empty then and now


# --------------------------------------------------------------------------------------------
# Agreement changes


# Read-only records are NamedTuples: Python builds them about eight times faster than frozen
# dataclasses, and short commands import this module (docs/benchmarks.md).


class DiffLine(NamedTuple):
    """One line of a section's text compared with the session before."""

    kind: str  # "same" | "removed" | "added" | "changed"
    text: str  # the line (for "changed": the new line)
    before: str = ""  # for "changed": the old line
    segments: tuple[tuple[str, str], ...] = ()  # for "changed": (same|removed|added, words)


class SectionChange(NamedTuple):
    """How one agreement section changed since the session before."""

    key: str
    number: int
    title: str
    status: str  # unchanged | changed | new | removed | empty
    lines: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return self.status in ("changed", "new", "removed")

    @property
    def status_label(self) -> str:
        return SECTION_STATUS_LABELS.get(self.status, self.status)

    @property
    def removed(self) -> list[str]:
        return [
            line.before if line.kind == "changed" else line.text
            for line in self.lines
            if line.kind in ("removed", "changed")
        ]

    @property
    def added(self) -> list[str]:
        return [line.text for line in self.lines if line.kind in ("added", "changed")]


def section_lines(session: Session, section_key: str, structured: Sequence[str] = ()) -> list[str]:
    """A section as lines to compare: its prose (blank lines dropped), then its table's rows."""
    return [text for text, _item in _section_rows(session, section_key, structured)]


def _section_rows(session: Session, section_key: str, structured: Sequence[str]) -> list[tuple[str, str]]:
    """(line, item id) pairs: prose lines have no item id, table rows the id of their item."""
    draft = session.sections.get(section_key)
    rows = [(line.rstrip(), "") for line in (draft.text if draft else "").splitlines() if line.strip()]
    names = {p.key: p.name for p in session.partners}

    def parts(*pairs: tuple[str, str]) -> str:
        return "; ".join(f"{label} {value}".strip() for label, value in pairs if value.strip())

    def one_line(text: str) -> str:
        return " ".join(text.split())

    if "measures" in structured:
        for m in scoring.table_rows(session, "measures"):  # suggestions are not the agreement's yet
            details = parts(
                ("", m.kind),
                ("how:", m.how_measured),
                ("target:", m.target),
                ("owner:", m.owner),
                ("review:", m.review_frequency),
            )
            rows.append((one_line(f"Measure: {m.name} ({details})" if details else f"Measure: {m.name}"), m.id))
    if "roles" in structured:
        for r in session.roles:
            who = session.partner_name(r.partner)
            rows.append((one_line(f"Role: {r.person} ({who}): {r.responsibility}"), r.id))
    if "tasks" in structured:
        for t in session.tasks:
            details = parts(
                ("owner", t.owner),
                ("", names.get(t.partner, t.partner) if t.partner else ""),
                ("due", t.due),
                ("", t.status),
            )
            rows.append((one_line(f"Task: {t.text} ({details})"), t.id))
    if "sponsor_meetings" in structured:
        for m in sorted(session.sponsor_meetings, key=lambda m: m.date):
            rows.append(
                (one_line(f"Sponsor meeting: {m.date}, {m.mode}" + (f": {m.notes}" if m.notes.strip() else "")), m.id)
            )
    return rows


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """(same|removed|added, text) segments that turn `before` into `after`, word by word."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[list[str]] = []

    def add(kind: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if segments and segments[-1][0] == kind:
            segments[-1][1] += text
        else:
            segments.append([kind, text])

    for op, a1, a2, b1, b2 in _matcher(old, new).get_opcodes():
        if op == "equal":
            add("same", old[a1:a2])
        else:
            add("removed", old[a1:a2])
            add("added", new[b1:b2])
    return tuple((kind, text) for kind, text in segments)


def _matcher(a: Sequence[Any], b: Sequence[Any]) -> SequenceMatcher[Any]:
    # difflib only when sections are compared: an export without "changes since" does not need it.
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False)


def diff_lines(
    before: Sequence[str], after: Sequence[str], before_items: Sequence[str] = (), after_items: Sequence[str] = ()
) -> tuple[DiffLine, ...]:
    """A line diff. An edited line becomes one 'changed' line with a word diff: a prose line when
    most of it is unchanged, a table row when it is the same item (`*_items` give each line's item id)."""
    before_items = list(before_items) or [""] * len(before)
    after_items = list(after_items) or [""] * len(after)
    result: list[DiffLine] = []
    matcher = _matcher(list(before), list(after))
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            result += [DiffLine("same", line) for line in before[a1:a2]]
            continue
        old, new = list(before[a1:a2]), list(after[b1:b2])
        old_items, new_items = before_items[a1:a2], after_items[b1:b2]
        removed, added = [], []
        unmatched = list(range(len(new)))
        for k, line in enumerate(old):
            # An edited line is looked for among the next few lines not yet paired (edits keep
            # their order): a section rewritten from end to end costs lines x PAIRING_WINDOW
            # comparisons, not lines x lines.
            partner = next(
                (j for j in unmatched[:PAIRING_WINDOW] if _same_line(line, old_items[k], new[j], new_items[j])), None
            )
            if partner is None:
                removed.append(DiffLine("removed", line))
                continue
            unmatched.remove(partner)
            # Additions before the edited line stay before it.
            for j in [j for j in unmatched if j < partner]:
                added.append(DiffLine("added", new[j]))
                unmatched.remove(j)
            result += removed + added
            removed, added = [], []
            result.append(DiffLine("changed", new[partner], line, word_diff(line, new[partner])))
        result += removed + [DiffLine("added", new[j]) for j in unmatched]
    return tuple(result)


PAIRING_WINDOW = 8
SHORT_LINE = 300  # characters: compared letter by letter below this, word by word above


def _same_line(old: str, old_item: str, new: str, new_item: str) -> bool:
    """Whether `new` is `old` edited: the same table item, or prose mostly unchanged (60%).

    A line of prose is often a whole paragraph: two rewritten paragraphs of 2,000 characters took
    30 ms to compare letter by letter, and a rewritten section hundreds of such pairs. Long lines
    are compared word by word, and difflib's cheap upper bounds come first."""
    if old_item or new_item:
        return old_item == new_item
    short = len(old) < SHORT_LINE and len(new) < SHORT_LINE
    matcher = _matcher(old, new) if short else _matcher(old.split(), new.split())
    return matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6 and matcher.ratio() >= 0.6


def section_changes(previous: Session, current: Session, checklist: Checklist | None = None) -> list[SectionChange]:
    """Every agreement section of `current`, compared with `previous`."""
    checklist = checklist or checklist_for(current.checklist_version)
    changes = []
    for section in checklist.sections:
        before_rows = _section_rows(previous, section.key, section.structured)
        after_rows = _section_rows(current, section.key, section.structured)
        before, after = [t for t, _i in before_rows], [t for t, _i in after_rows]
        if before == after:
            status = "unchanged" if after else "empty"
        elif not before:
            status = "new"
        elif not after:
            status = "removed"
        else:
            status = "changed"
        lines = diff_lines(before, after, [i for _t, i in before_rows], [i for _t, i in after_rows])
        changes.append(SectionChange(section.key, section.number, section.title, status, lines))
    return changes


def timeline_changes(timeline: Timeline, index: int | None = None) -> list[SectionChange] | None:
    """The agreement changes of a session since the one before it (None for the first session)."""
    index = timeline.focus_index if index is None else index
    if index <= 0:
        return None
    return section_changes(timeline.sessions[index - 1], timeline.sessions[index])
