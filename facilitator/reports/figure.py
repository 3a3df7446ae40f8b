"""A chart a document shows, handed from the charts to the writers of each format.

The Markdown links to a figure by `link` (a relative path, for example `figures/scorecard-radar.svg`)
and says the same in words beneath it (`text`), so a reader without images loses nothing. The
writers decide how each format carries it: a Markdown export writes the SVG beside the document,
HTML and PDF embed the SVG, Word gets the PNG (`png()`, made only when asked: it is the slow part).
"""

# No `from __future__ import annotations` here: a NamedTuple compiles each field's annotation
# when it is a string (about 0.1 ms a class, paid by every command that imports this module).

from collections.abc import Callable
from typing import NamedTuple

FIGURES_FOLDER = "figures"  # beside the document; every link starts with it


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class Figure(NamedTuple):
    name: str  # the file's stem, unique across the documents of a session: "scorecard-radar"
    title: str  # what the chart shows, in a few words: the image's alternative text
    svg: str  # a complete SVG document, with no script and no reference outside itself
    text: str  # the same content in words (Markdown), printed beneath the image
    png: Callable[[], bytes]  # the same picture as PNG, for readers that cannot show SVG

    @property
    def link(self) -> str:
        return f"{FIGURES_FOLDER}/{self.name}.svg"

    @property
    def png_link(self) -> str:
        return f"{FIGURES_FOLDER}/{self.name}.png"
