"""Running pandoc, the converter every format but Markdown goes through.

pandoc comes inside the `pypandoc-binary` wheel (the `documents` extra), so no system package is
needed. The binary is found among the package's files without importing pypandoc
(`bundled_pandoc`: 35 ms less for every converted export); pypandoc's own look-up is the fallback,
imported only here, inside the functions that run pandoc: `facilitator list` and the TUI start
never load it. Every run reads the Markdown from standard input and:

- `--sandbox`: pandoc reads and fetches nothing but the files named on its command line (no
  image from a URL, no local file a template points at);
- the `markdown` reader without raw HTML, raw TeX, raw attributes or a YAML header: what could
  still be markup in the source stays text;
- `safe.lua` beside this module: only our own figures as images, no link but http(s), mailto and
  anchors, nothing raw;
- `figure_title.lua`: a chart alone, without the caption pandoc would make of its title (the
  chart draws its title itself).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from facilitator.base.errors import ReportError

EXTRA_HINT = "install the documents extra: pip install 'facilitator[documents]'"
READER = "markdown-smart-raw_html-raw_tex-raw_attribute-yaml_metadata_block-tex_math_dollars"
SAFE_FILTER = Path(__file__).with_name("safe.lua")
FIGURE_FILTER = Path(__file__).with_name("figure_title.lua")  # no caption repeating a chart's title
PANDOC_TIMEOUT = 120.0  # seconds; a long session converts in about one


class DocumentsExtraMissing(ReportError):
    """The converters of the `documents` extra are not installed."""


def missing_extra(what: str) -> DocumentsExtraMissing:
    return DocumentsExtraMissing(f"Exporting as {what} needs pandoc and Typst: {EXTRA_HINT}.")


@cache
def pandoc_path(what: str = "HTML") -> str:
    """The pandoc to run: the one inside the `pypandoc-binary` wheel, found from the package's
    files (`bundled_pandoc`); else, or when PYPANDOC_PANDOC names one, the one pypandoc finds."""
    bundled = bundled_pandoc()
    if bundled is not None:
        return bundled
    try:
        import pypandoc  # type: ignore[import-untyped]
    except ImportError:
        raise missing_extra(what) from None
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError:
        raise missing_extra(what) from None


def bundled_pandoc() -> str | None:
    """`pypandoc/files/pandoc`, the binary the `pypandoc-binary` wheel carries, without importing
    pypandoc: its import takes about 35 ms (it loads urllib's HTTP client) and its look-up runs
    `pandoc --version` for every pandoc it could use, the one on PATH too. None when the wheel has
    no binary (plain `pypandoc`, a system pandoc) or PYPANDOC_PANDOC chooses another: pypandoc's
    own look-up then decides, as before."""
    if os.environ.get("PYPANDOC_PANDOC"):
        return None
    try:
        spec = importlib.util.find_spec("pypandoc")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    name = "pandoc.exe" if sys.platform == "win32" else "pandoc"
    for folder in spec.submodule_search_locations:
        path = Path(folder, "files", name)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def run_pandoc(
    markdown: str, writer: str, *, what: str, figures: Sequence[str] = (), args: Sequence[str] = ()
) -> bytes:
    """Convert `markdown` with pandoc's `writer`; the output's bytes. ReportError on any failure.

    `figures`: the names of the figures the document may show as `figures/<name>.svg`.
    `what`: the format as a person names it ("PDF"), for the messages.
    """
    command = [
        pandoc_path(what),
        "--sandbox",
        f"--from={READER}",
        f"--to={writer}",
        f"--lua-filter={SAFE_FILTER}",
        f"--lua-filter={FIGURE_FILTER}",
        f"--metadata=facilitator-figures:{','.join(figures)}",
        *args,
        "--output=-",
    ]
    try:
        done = subprocess.run(
            command, input=markdown.encode("utf-8"), capture_output=True, timeout=PANDOC_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ReportError(f"Converting to {what} took more than {PANDOC_TIMEOUT:g} s; nothing was written.") from None
    except OSError as error:
        raise ReportError(f"Cannot run pandoc to make the {what}: {error.strerror or error}.") from None
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise ReportError(f"pandoc could not make the {what}: {last[0][:300]}")
    return done.stdout
