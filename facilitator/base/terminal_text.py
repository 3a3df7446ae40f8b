"""Text from sessions, shown on a terminal: never a control sequence.

A session file can come from anyone (`facilitator load` of a shared file), and a name in it could
hold an escape sequence that rewrites the clipboard (OSC 52), the window title (OSC 0) or hides the
rest of the output (ESC[8m), or a bidi override that shows text in another order than it is. Every
plain-text output of the CLI goes through `shown()`; JSON output through `json_shown()`.

Pure Python: used by the CLI, which never imports Textual.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that reorder what follows them (the "Trojan source" controls) and the marks that go
# with them: invisible, and changing how the rest of the line reads.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control(char: str) -> bool:
    """C0 and C1 controls (ESC, CSI U+009B...), DEL, line and paragraph separators, bidi controls,
    and lone surrogates: a file name's byte 0x9b is one (U+DC9B), and printed it is that byte, CSI."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs") or char in BIDI_CONTROLS


# `is_control` less the line breaks and tabs that text may hold, as one pattern (C0 and C1 controls,
# DEL, the separators, lone surrogates, the bidi controls): a search runs in C.
_CONTROLS_IN_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


def without_controls(text: str) -> str:
    """`text` less every control character but line breaks and tabs (`is_control`).

    For text drawn or printed (a session keeps it as typed): an escape sequence or a bidi override
    in a note would act on the terminal, or reorder what a document's reader sees ("Pay \u202e0001
    EUR" reads "Pay RUE 1000"). The words stay; only what no one can see goes."""
    return _CONTROLS_IN_TEXT.sub("", text) if _CONTROLS_IN_TEXT.search(text) else text


# Letters that show as nothing, spaces to the eye: the Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"


def is_blank(text: str) -> bool:
    """Nothing a reader would see: white space and control characters only. A section or a note
    like that counts as not written, on every screen and in every document alike."""
    return not without_controls(text).strip()


def _escaped(char: str) -> str:
    return repr(char)[1:-1] if char != "\\" else "\\"


def shown(text: str, *, lines: bool = False) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\x9b`, `\\u202e`).
    With `lines`, line breaks are kept (a summary, a document); without, the text stays on one line
    (a table cell, a file name, a message)."""
    keep = "\n" if lines else ""
    if not any(is_control(c) and c not in keep for c in text):
        return text
    return "".join(_escaped(c) if is_control(c) and c not in keep else c for c in text)


_JSON_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]")


def json_shown(document: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with the controls it leaves raw (C1,
    bidi, separators, lone surrogates) written as JSON escapes (`\\u009b`, `\\u202e`). The same data for a parser;
    nothing for a terminal to act on. json.dumps already escapes C0 controls."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
