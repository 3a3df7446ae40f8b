"""Markdown escaping for user text placed in report templates. Pure Python.

Everything people type (partner names, notes, section prose, measures) reaches the exported
Markdown only through these helpers, so it always reads back as the text that was typed: it can
never open a heading, list, table cell, code block, link or raw HTML.

- `inline(text)`: one line of inline text. Line breaks become a space.
- `cell(text)`: a table cell. Like `inline`, and line breaks become " / ".
- `block(text)`: multi-line prose. Empty lines separate paragraphs; other line breaks are kept as
  hard line breaks (a trailing backslash).

The results are `MarkdownSafe` strings. The report environment escapes every other string a
template prints as `inline`, so a custom template that forgets a filter is still safe.
"""

from __future__ import annotations

import re
from typing import Any

from facilitator.base.terminal_text import without_controls

__all__ = ["MarkdownSafe", "inline", "cell", "block", "to_text", "finalize"]


class MarkdownSafe(str):
    """Text already escaped for Markdown: printed as is."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"MarkdownSafe({str.__repr__(self)})"


# Characters that are inline syntax wherever they stand: escapes, code spans, emphasis, links,
# autolinks and raw HTML, table pipes, strikethrough, entities. And for readers beyond CommonMark
# (pandoc's own Markdown, GFM): `$` math, `^` superscript, `@` citations and example lists, `:`
# fenced divs, definition lists, emoji codes and bare URLs. All ASCII punctuation, so a backslash
# keeps them as text in every reader.
_ALWAYS = frozenset("\\`*_[]<>|~&$^@:")
# Each of them with a backslash before it (str.translate: several times faster than a regex on prose).
_ALWAYS_ESCAPED = {ord(char): "\\" + char for char in _ALWAYS}
# What opens a block when it starts a line: an ATX heading (of any level: pandoc reads seven '#'),
# a bullet, an ordered-list marker,
# or a line of only dashes or equals signs (setext underline, thematic break).
_BLOCK_START = re.compile(r"#+(?:[ \t]|$)|[-+](?:[ \t]|$)|[- \t]+$|[= \t]+$")
# A table's delimiter row (under a line with a pipe in it, escaped or not, it makes a table).
_DELIMITER_ROW = re.compile(r"[-:| \t]*-[-:| \t]*")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)")
# pandoc's fancy lists: `a.`, `iv)`, `B.`, `#.` at the start of a line (and `(1)`, `(a)`, `(@)`,
# whose opening parenthesis is escaped below). Any run of letters: roman numerals are letters too.
_FANCY_MARKER = re.compile(r"^([A-Za-z]+|#)([.)])(?=[ \t]|$)")
# pandoc's grid tables (`+---+`) and any '(' or '+' opening a line.
_LINE_OPENERS = ("(", "+")
# The characters a line must start with for `_BLOCK_START`, a delimiter row or `_LINE_OPENERS` to
# apply (a blank or tab never starts the escaped core), and for `_FANCY_MARKER`.
_BLOCK_FIRST = frozenset("#-+=:|(")
_FANCY_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#")
# GFM links a bare "www." as it links "https://" (the ':' of which is escaped already), after any
# character but a letter or digit: also after '_', which a regex's word boundary counts as a letter.
_BARE_WWW = re.compile(r"(?i)(?<![a-z0-9])(www)\.")
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)$")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_SPACE = " \t\f\v"
# White space a Markdown parser may trim from the ends of a paragraph, heading or table cell: ASCII
# white space and the Unicode spaces (markdown-it trims these; so does JavaScript's trim, and BOM).
_TRIMMED = (
    _SPACE + "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# A line break inside escaped text, with the backslash of a hard break before it.
_SAFE_BREAKS = re.compile(r"\\?(?:\r\n|\r|\n)+")


def to_text(value: Any) -> str:
    """The text a value prints as: None is empty, everything else goes through str()."""
    if value is None:
        return ""
    # No control character but line breaks and tabs: an escape sequence would act on a terminal
    # showing the Markdown, a bidi override reorder what the document's reader sees.
    return without_controls(str(value))


def _reference(char: str) -> str:
    """A character as a numeric character reference. A vertical tab has none (CommonMark turns
    `&#11;` into U+FFFD), so it stays as it is: it has no Markdown meaning, though a renderer may
    trim it at the very start or end of a paragraph or cell."""
    return char if char == "\v" else f"&#{ord(char)};"


def _escape_line(line: str) -> str:
    """Escape one line (no line breaks in it) as inline Markdown."""
    if not line:
        return ""
    # Leading and trailing white space would be dropped (or, four spaces in, start a code
    # block); a character reference keeps it as text without any block meaning.
    lead = len(line) - len(line.lstrip(_TRIMMED))
    if lead == len(line):
        return "".join(map(_reference, line))
    trail = len(line) - len(line.rstrip(_TRIMMED))
    core = line[lead : len(line) - trail]

    # Each regex below runs only where its first character could match (this runs for every line
    # of every section: a paragraph of prose is one line).
    delimiter_row = "-" in core and _DELIMITER_ROW.fullmatch(core) is not None
    core = core.translate(_ALWAYS_ESCAPED)
    # A '#' run at the very end would be read as a heading's closing sequence.
    if core.endswith("#"):
        core = _CLOSING_HASHES.sub(lambda m: m.group(1) + "".join("\\#" for _ in m.group(2)), core)
    # The value may start a line, so what it starts with must not open a block. (Quotes,
    # `*` bullets and `_`/`*` thematic breaks are already escaped above.)
    first = core[0]
    if first in _BLOCK_FIRST and (_BLOCK_START.match(core) or delimiter_row or first in _LINE_OPENERS):
        core = "\\" + core
    elif first.isdecimal() or first in _FANCY_FIRST:
        marker = _ORDERED_MARKER.match(core) or _FANCY_MARKER.match(core)
        if marker is not None:
            core = f"{marker.group(1)}\\{core[marker.end(1) :]}"
    # The regex scans the whole line; a plain search first finds the lines that can hold "www.".
    if "." in core and "www." in core.lower():
        core = _BARE_WWW.sub(r"\1\\.", core)
    # An image needs '![' and '[' is escaped; escape '!' anyway so the source reads plainly.
    if "!" in core:
        core = core.replace("!\\[", "\\!\\[")
    if not lead and not trail:
        return core
    head = "".join(map(_reference, line[:lead]))
    tail = "".join(map(_reference, line[len(line) - trail :]))
    return head + core + tail


def inline(value: Any) -> MarkdownSafe:
    """One line of inline Markdown showing `value` as typed; line breaks become a space."""
    if isinstance(value, MarkdownSafe):
        return _one_line(value, " ")
    text = _NEWLINES.sub(" ", to_text(value))
    return MarkdownSafe(_escape_line(text))


def cell(value: Any, empty: Any = "") -> MarkdownSafe:
    """A table cell showing `value` as typed; line breaks become ' / ', pipes are escaped.

    `empty` is shown instead when the value is empty or blank (say an em dash).
    """
    if isinstance(value, MarkdownSafe):
        result = _one_line(value, " / ")
        blank = not result.strip()
    else:
        lines = [line.strip(_SPACE) for line in _NEWLINES.split(to_text(value))]
        text = " / ".join(line for line in lines if line)
        result = MarkdownSafe(_escape_line(text))
        blank = not text.strip()
    if blank and empty not in ("", None):
        return cell(empty)
    return result


def _one_line(value: MarkdownSafe, joiner: str) -> MarkdownSafe:
    """Already escaped text (say from `block`) made to fit on one line."""
    return MarkdownSafe(_SAFE_BREAKS.sub(joiner, value)) if "\n" in value or "\r" in value else value


def block(value: Any) -> MarkdownSafe:
    """Multi-line prose: paragraphs split at empty lines, other line breaks kept as hard breaks.

    Place the result on its own line with an empty line before and after it.
    """
    if isinstance(value, MarkdownSafe):
        return value
    paragraphs: list[list[str]] = [[]]
    for line in _NEWLINES.split(to_text(value)):
        if line.strip(_SPACE):
            paragraphs[-1].append(_escape_line(line))
        elif paragraphs[-1]:
            paragraphs.append([])
    return MarkdownSafe("\n\n".join("\\\n".join(lines) for lines in paragraphs if lines))


def finalize(value: Any) -> Any:
    """The report environment's `finalize` hook: every printed expression becomes safe Markdown.

    `MarkdownSafe` passes through, None prints as nothing, numbers print as themselves, and any
    other value is escaped as `inline` text.
    """
    if isinstance(value, MarkdownSafe):
        return value
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return str(value)
    return inline(value)
