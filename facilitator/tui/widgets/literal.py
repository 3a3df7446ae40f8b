"""Text for the few Textual APIs that take markup and nothing else.

The command palette reads a command's title and help as markup and nothing else. Textual's own
`markup.escape` only escapes what looks like a closed tag in lowercase, so "Acme [/x" still raises
MarkupError, "[TBD]" and "[EU]" vanish and "\\[b]" loses its backslash. Escaping every opening
bracket is enough: Textual reads "\\[" as a bracket, and a backslash before anything else as itself.
Everywhere else, pass `Content(text)` or `Text(text)`, never markup.
"""

from __future__ import annotations


def markup_literal(text: str) -> str:
    """`text` as markup that shows exactly `text`."""
    return text.replace("[", "\\[")
