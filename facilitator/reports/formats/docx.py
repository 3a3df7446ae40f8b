"""The document as Word (.docx): pandoc's docx writer with a reference document for the house
style, then a header and footer of our own on every page.

The reference document is `reference.docx` beside this module (made by
`scripts/make_reference_docx.py` from pandoc's own), unless the organisation gives its own: the
`--reference-doc` option, or `reference.docx` in the `--templates` folder. Its styles (fonts,
headings, tables, the Header and Footer paragraph styles) shape the document. The header (alliance,
title, version, DRAFT) and footer (date, "Page x of y") are written into the file afterwards with
the standard library's zipfile: pandoc keeps a reference document's header but cannot fill one in
per document. They hold the only field codes in the file, PAGE and NUMPAGES: every text typed in
the room is a run of text (`w:t`), which Word never reads as a field.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from facilitator.base.errors import ReportError
from facilitator.reports.document_meta import DocumentMeta
from facilitator.reports.figure import Figure
from facilitator.reports.formats.figures_out import embedded
from facilitator.reports.formats.pandoc import run_pandoc

DEFAULT_REFERENCE = Path(__file__).with_name("reference.docx")
REFERENCE_NAME = "reference.docx"  # looked for in a --templates folder

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {"header": "facilitator-header.xml", "footer": "facilitator-footer.xml"}
_IDS = {"header": "rIdFacilitatorHeader", "footer": "rIdFacilitatorFooter"}
_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"
# Characters XML 1.0 cannot hold at all; the names reaching a header have none, but a header must
# never make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


MAX_REFERENCE_BYTES = 50_000_000  # unpacked: a house style is a few hundred kilobytes
MAX_REFERENCE_PARTS = 1_000
# What a reference document must not carry into every document made with it: links to files
# outside it (a remote template Word fetches when the document is opened, pictures), a template
# to attach, and field codes (ours, PAGE and NUMPAGES, are added afterwards).
# What a house style must not bring into our documents, read from the parsed XML (any prefix, any
# quoting): a relationship to something outside the file, an attached template, a field.
_FIELD_ELEMENTS = frozenset({"instrText", "fldSimple", "fldChar"})
_TEMPLATE_ELEMENTS = frozenset({"attachedTemplate"})


_KEPT_BY_PANDOC = re.compile(r"word/(?:_rels/)?(?:settings|header\d*|footer\d*)\.xml(?:\.rels)?$")


def _xml_text(text: str) -> str:
    """Text for an XML element: &, < and > escaped (xml.sax.saxutils.escape does the same, but
    importing it pulls in urllib's HTTP client, 25-37 ms of every Word export)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _check_reference(path: Path) -> None:
    """Refuse a reference document that would pile up memory when unpacked (a zip bomb makes
    pandoc take gigabytes) or that would carry links, a template or fields into our documents."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_REFERENCE_PARTS or sum(p.file_size for p in parts) > MAX_REFERENCE_BYTES:
                raise ReportError(f"Reference document {path} is too large to be a house style; use a smaller one.")
            for part in parts:
                # pandoc writes the body, the notes and their relationships afresh (its own
                # reference has sample links there); the settings, headers and footers it keeps.
                if not _KEPT_BY_PANDOC.match(part.filename):
                    continue
                hazard = _hazard(archive.read(part))
                if hazard:
                    raise ReportError(f"Reference document {path} {hazard} ({part.filename}); use one without.")
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
        raise ReportError(f"Reference document {path} cannot be read as a .docx file ({error}).") from None


def _hazard(data: bytes) -> str:
    """What in one kept part (XML) a house style must not carry, in words; "" for nothing.

    Parsed, not searched: a prefix other than `w:` bound to the same namespace, or single quotes,
    must not get past. Office never writes a document type declaration, so one is refused before
    parsing (no entity can then be expanded)."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        return "declares a document type"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return "holds a part that is not well-formed XML"
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in _TEMPLATE_ELEMENTS:
            return "attaches a template"
        if name in _FIELD_ELEMENTS:
            return "holds field codes"
        attributes = {name.rsplit("}", 1)[-1]: value for name, value in element.attrib.items()}
        if attributes.get("TargetMode", "").strip().lower() == "external":
            return "links to files outside itself"
        if attributes.get("Type", "").rstrip("/").endswith("/attachedTemplate"):
            return "attaches a template"
    return ""


def reference_doc(given: Path | None, templates_dir: Path | None) -> Path:
    """The reference document to use: the one given, else the templates folder's, else ours."""
    if given is not None:
        path = Path(given).expanduser()
        if not path.is_file():
            raise ReportError(f"Reference document {path} not found (--reference-doc).")
        if not zipfile.is_zipfile(path):
            raise ReportError(f"Reference document {path} is not a .docx file.")
        _check_reference(path)
        return path
    if templates_dir is not None and (Path(templates_dir) / REFERENCE_NAME).is_file():
        return reference_doc(Path(templates_dir) / REFERENCE_NAME, None)
    return DEFAULT_REFERENCE


def to_docx(markdown: str, meta: DocumentMeta, figures: Sequence[Figure] = (), reference: Path | None = None) -> bytes:
    source = embedded(markdown, figures, png=True)
    reference = reference or DEFAULT_REFERENCE
    docx = run_pandoc(source, "docx", what="Word document", args=[f"--reference-doc={reference}"])
    return with_header_and_footer(docx, meta)


def _run(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{_xml_text(_NOT_XML.sub("", text))}</w:t></w:r>'


def _field(instruction: str) -> str:
    return f'<w:fldSimple w:instr=" {instruction} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def _part(kind: str, paragraph: str) -> bytes:
    tag = "hdr" if kind == "header" else "ftr"
    style = "Header" if kind == "header" else "Footer"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{tag} xmlns:w="{_W}" xmlns:r="{_R}"><w:p><w:pPr><w:pStyle w:val="{style}"/>'
        f'<w:tabs><w:tab w:val="right" w:pos="9638"/></w:tabs></w:pPr>{paragraph}</w:p></w:{tag}>'
    )
    return xml.encode("utf-8")


def header_xml(meta: DocumentMeta) -> bytes:
    draft = "<w:r><w:tab/></w:r>" + _run("DRAFT", bold=True) if meta.draft else ""
    return _part("header", _run(meta.heading) + draft)


def footer_xml(meta: DocumentMeta) -> bytes:
    note = " · draft: not yet agreed and endorsed in full" if meta.draft else ""
    pages = _run("Page ") + _field("PAGE") + _run(" of ") + _field("NUMPAGES")
    return _part("footer", _run(meta.date + note) + "<w:r><w:tab/></w:r>" + pages)


def with_header_and_footer(docx: bytes, meta: DocumentMeta) -> bytes:
    """`docx` with our header and footer as the default ones of its (last) section."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as source:
            parts = {info.filename: source.read(info) for info in source.infolist()}
    except zipfile.BadZipFile:
        raise ReportError("pandoc's Word document could not be read back; nothing was written.") from None
    try:
        document = parts["word/document.xml"].decode("utf-8")
        rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
    except KeyError as missing:
        raise ReportError(f"pandoc's Word document has no {missing}; nothing was written.") from None
    parts["word/" + _PARTS["header"]] = header_xml(meta)
    parts["word/" + _PARTS["footer"]] = footer_xml(meta)
    for kind in ("header", "footer"):
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="{_IDS[kind]}" Type="{_REL}/{kind}" Target="{_PARTS[kind]}"/></Relationships>',
        )
        types = types.replace(
            "</Types>", f'<Override PartName="/word/{_PARTS[kind]}" ContentType="{_CONTENT.format(kind)}"/></Types>'
        )
    parts["word/document.xml"] = _in_last_section(document).encode("utf-8")
    parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    parts["[Content_Types].xml"] = types.encode("utf-8")
    out = io.BytesIO()
    # Deflate's fastest level: the largest agreement's parts in 2 ms instead of 9 (level 6), for a
    # file about 15% larger (80 KB instead of 69).
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _in_last_section(document: str) -> str:
    """The document with the last section's default header and footer ours, on the first page too."""
    start = document.rfind("<w:sectPr")
    if start < 0:
        body_end = document.rfind("</w:body>")
        if body_end < 0:
            raise ReportError("pandoc's Word document has no body; nothing was written.")
        document = document[:body_end] + "<w:sectPr></w:sectPr>" + document[body_end:]
        start = document.rfind("<w:sectPr")
    end = document.find("</w:sectPr>", start)
    opening_end = document.find(">", start) + 1
    if end < 0 or document[opening_end - 2] == "/":  # <w:sectPr/>
        section = ""
        end = opening_end
        opening = document[start:opening_end].replace("/>", ">")
    else:
        section = document[opening_end:end]
        end += len("</w:sectPr>")
        opening = document[start:opening_end]
    # A reference document's own default header and footer give way to ours (a first-page one too:
    # every page carries the alliance, DRAFT and its number).
    section = re.sub(r'<w:(header|footer)Reference\b[^>]*w:type="(default|first)"[^>]*/>', "", section)
    section = re.sub(r"<w:titlePg\b[^>]*/>", "", section)
    ours = (
        f'<w:headerReference w:type="default" r:id="{_IDS["header"]}"/>'
        f'<w:footerReference w:type="default" r:id="{_IDS["footer"]}"/>'
    )
    return document[:start] + opening + ours + section + "</w:sectPr>" + document[end:]
