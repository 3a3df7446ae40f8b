"""An SVG chart as PNG, for readers that cannot show SVG (Word). Needs the `documents` extra.

Typst (the `typst` wheel, which the PDF writer uses too) draws a page holding only the SVG, at
twice the SVG's pixels. Its own fonts are inside the wheel, so the picture is the same on every
machine and needs no system font or library (resvg, also pip-only, draws text only with the
system's fonts: without them the labels vanish; and cairosvg needs the system's libcairo).
Measured on the scorecard's heatmap: typst 60-80 ms, resvg 120-210 ms. Imported here, only
when a PNG is asked for; this package is the only one that imports pandoc's and Typst's modules
(an import-linter contract).
"""

from __future__ import annotations

import re

from facilitator.base.errors import ReportError

EXTRA_HINT = "install the documents extra: pip install 'facilitator[documents]'"
PPI = 192.0  # twice the SVG's CSS pixels (96 a inch): sharp on an A4 page at the width Word gives it
_WIDTH = re.compile(r'<svg[^>]*?\swidth="(\d+(?:\.\d+)?)"')
# The SVG reaches Typst as a string input, never as a file name or as Typst source.
_PAGE = (
    "#set page(width: auto, height: auto, margin: 0pt)\n"
    '#image(bytes(sys.inputs.svg), format: "svg", width: {width}pt)\n'
)


def svg_to_png(svg: str, *, ppi: float = PPI) -> bytes:
    try:
        import typst
    except ImportError:
        raise ReportError(f"Charts as PNG (for Word) need Typst: {EXTRA_HINT}.") from None
    found = _WIDTH.search(svg)
    width = float(found.group(1)) * 0.75 if found else 480.0  # CSS pixels to points
    try:
        result = typst.compile(
            _PAGE.format(width=f"{width:.2f}").encode(),
            format="png",
            ppi=ppi,
            sys_inputs={"svg": svg},
            ignore_system_fonts=True,
        )
    except (RuntimeError, ValueError) as error:
        raise ReportError(
            f"Could not draw a chart as PNG: {str(error).splitlines()[0] if str(error) else error}."
        ) from None
    if isinstance(result, list):  # one page, always; a list only if Typst ever split it
        result = result[0]
    return bytes(result)
