"""The HTML body of a document, from its Markdown, by markdown-it-py in this process.

Why not pandoc, as for Word: starting pandoc costs about five times what the whole export costs
without it (docs/benchmarks.md), and markdown-it-py is already installed (Rich, under the TUI,
depends on it), so the HTML needs no extra at all. It keeps the same rules as pandoc's filter
(`safe.lua`), the second line of defence behind the escaping of every typed value:

- no raw HTML: `html` is off, so a `<script>` a customised template wrote shows as text;
- no link but http(s), mailto and the document's own anchors (`#...`): any other shows its text;
- no image but a `data:` picture (our figures, put in by `figures_out.embedded`): any other shows
  its alternative text, so nothing is ever fetched;
- a picture alone in its paragraph is a `<figure>`, as pandoc writes it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

SAFE_LINK = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
SAFE_IMAGE = re.compile(r"^data:image/(?:png|svg\+xml);base64,[A-Za-z0-9+/=]*$")
_LONE_PICTURE = re.compile(r"<p>(<img [^>]*>)</p>")


def html_body(markdown: str) -> str:
    return _LONE_PICTURE.sub(r"<figure>\1</figure>", _parser().render(markdown))


class _SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        """Which targets may be parsed as a target at all (markdown-it's own check refuses
        data:image/svg+xml, our figures); `_keep_safe` then tells links and images apart."""
        return bool(SAFE_LINK.match(url) or SAFE_IMAGE.match(url))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = _SafeMarkdown("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.core.ruler.push("facilitator_safe", _keep_safe)
    return md


def _keep_safe(state: Any) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _safe_children(block.children)


def _safe_children(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    unwrapping = 0  # inside a link whose target is not a safe link: keep its text only
    for token in children:
        if token.type == "image" and not SAFE_IMAGE.match(str(token.attrGet("src") or "")):
            text = Token("text", "", 0)
            text.content = token.content  # the alternative text
            kept.append(text)
        elif token.type == "link_open" and not SAFE_LINK.match(str(token.attrGet("href") or "")):
            unwrapping += 1
        elif token.type == "link_close" and unwrapping:
            unwrapping -= 1
        else:
            kept.append(token)
    return kept
