"""How each format carries the figures a document links to (`facilitator.reports.figure`).

The Markdown links a figure as `![title](figures/<name>.svg)`. A Markdown export writes the SVG
files beside the document; HTML and Word get the picture inside the file, as a `data:` URI in
place of the link (SVG for HTML, where an <img> cannot run a script or fetch anything; PNG for
Word, which cannot show SVG everywhere); the PDF's Typst reads the SVG files from a private folder.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from pathlib import Path

from facilitator.base.errors import ReportError
from facilitator.reports.figure import FIGURES_FOLDER, Figure
from facilitator.storage.atomic import PRIVATE_FILE, SHARED_FILE, NewFile, atomic_write_all


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def embedded(markdown: str, figures: Sequence[Figure], *, png: bool) -> str:
    """`markdown` with each figure's link replaced by its picture as a `data:` URI.

    Only a link written by the template can match: typed text reaches the Markdown escaped, its
    brackets behind backslashes, so it holds no `](figures/...)` that is a link.
    """
    for figure in figures:
        picture = data_uri("image/png", figure.png()) if png else data_uri("image/svg+xml", figure.svg.encode())
        markdown = markdown.replace(f"]({figure.link})", f"]({picture})")
    return markdown


def write_svg_files(
    folder: Path, figures: Sequence[Figure], *, what: str = "figures", private: bool = False
) -> list[Path]:
    """Write `folder/figures/<name>.svg` for each figure (atomically, as one); the paths written.
    `private`: 0600 whatever, like the document beside them (written into the data folder)."""
    files = svg_files(folder, figures, what=what, private=private)
    try:
        atomic_write_all(files)
    except OSError as error:
        raise ReportError(f"Cannot write the {what} to {folder / FIGURES_FOLDER}: {error.strerror or error}.") from None
    return [file.path for file in files]


def svg_files(
    folder: Path, figures: Sequence[Figure], *, what: str = "figures", private: bool = False
) -> list[NewFile]:
    """The SVG files of `figures` in `folder/figures/`, made ready to write (the folder made,
    never through a link); none for no figures."""
    if not figures:
        return []
    target = folder / FIGURES_FOLDER
    if target.is_symlink():
        # Someone else's link would take the charts (and their names) wherever it points.
        raise ReportError(f"Cannot write the {what} to {target}: it is a link, not a folder; remove it.")
    try:
        target.mkdir(mode=0o700 if private else 0o777, exist_ok=True)
    except OSError as error:
        raise ReportError(f"Cannot write the {what} to {target}: {error.strerror or error}.") from None
    if not target.is_dir():
        raise ReportError(f"Cannot write the {what} to {target}: it is a file, not a folder.")
    if hasattr(os, "getuid") and target.stat().st_uid != os.getuid():
        # Made first by someone else (beside a document in /tmp, say): they could swap the charts.
        raise ReportError(f"Cannot write the {what} to {target}: it belongs to another user.")
    mode = PRIVATE_FILE if private else None
    return [NewFile(target / f"{figure.name}.svg", figure.svg.encode("utf-8"), mode, SHARED_FILE) for figure in figures]
