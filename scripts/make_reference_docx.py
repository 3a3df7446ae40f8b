"""Make facilitator/reports/formats/reference.docx, the Word house style, from pandoc's own.

Run it again after a pandoc upgrade: `.venv/bin/python scripts/make_reference_docx.py`.
pandoc's default reference document gives every style pandoc's writer uses; this changes only the
look: a sans-serif body at 10.5 pt, dark headings, tables at 9.5 pt with narrow cell margins, a
ruled grid and a shaded, bold head row (so that a scores table of eight partners keeps every
heading whole), Header and Footer paragraph styles at 8.5 pt, and an A4 page. An organisation replaces the file
with its own (`--reference-doc`, or reference.docx in the templates folder).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pypandoc

TARGET = Path(__file__).resolve().parents[1] / "facilitator" / "reports" / "formats" / "reference.docx"
GRID = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="8A949E"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)
EXTRA_STYLES = """
  <w:style w:type="paragraph" w:styleId="Header">
    <w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
    <w:pPr><w:spacing w:after="0"/>
      <w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="8A949E"/></w:pBdr></w:pPr>
    <w:rPr><w:color w:val="3D4650"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Footer">
    <w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
    <w:pPr><w:spacing w:after="0"/></w:pPr>
    <w:rPr><w:color w:val="3D4650"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
  </w:style>
"""
TABLE_TEXT = '<w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>'
A4 = (
    '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1418" w:right="1134" w:bottom="1304" w:left="1134" '
    'w:header="567" w:footer="567" w:gutter="0"/>'
)


def restyled(styles: str) -> str:
    styles = styles.replace(
        '<w:rFonts w:asciiTheme="minorHAnsi" w:eastAsiaTheme="minorEastAsia" w:hAnsiTheme="minorHAnsi" '
        'w:cstheme="minorBidi" />',
        '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsiaTheme="minorEastAsia" w:cs="Calibri" />',
        1,
    )
    styles = styles.replace(
        '<w:sz w:val="24" />\n        <w:szCs w:val="24" />', '<w:sz w:val="21" /><w:szCs w:val="21" />', 1
    )
    styles = styles.replace('w:color w:val="0F4761" w:themeColor="accent1"', 'w:color w:val="1F3A5F"')
    table_start = styles.index('w:styleId="Table"')
    tbl_pr_start = styles.index("<w:tblPr>", table_start)
    tbl_pr = tbl_pr_start + len("<w:tblPr>")
    styles = styles[:tbl_pr] + f"<w:tblBorders>{GRID}</w:tblBorders>" + styles[tbl_pr:]
    # The table's text size comes before its properties (the schema's order).
    styles = styles[:tbl_pr_start] + TABLE_TEXT + styles[tbl_pr_start:]
    table_end = styles.index("</w:style>", table_start)
    margins = (
        styles[table_start:table_end]
        .replace('<w:left w:w="108" w:type="dxa" />', '<w:left w:w="72" w:type="dxa" />')
        .replace('<w:right w:w="108" w:type="dxa" />', '<w:right w:w="72" w:type="dxa" />')
    )
    styles = styles[:table_start] + margins + styles[table_end:]
    first_row = styles.index('<w:tblStylePr w:type="firstRow">', table_start)
    first_row_end = first_row + len('<w:tblStylePr w:type="firstRow">')
    styles = (
        styles[:first_row_end]
        + '<w:rPr><w:b/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E8ECEF"/></w:tcPr>'
        + styles[first_row_end:]
    )
    if 'w:styleId="Header"' not in styles:
        styles = styles.replace("</w:styles>", EXTRA_STYLES + "</w:styles>")
    return styles


def main() -> int:
    pandoc = pypandoc.get_pandoc_path()
    default = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout
    with zipfile.ZipFile(io.BytesIO(default)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["word/styles.xml"] = restyled(parts["word/styles.xml"].decode("utf-8")).encode("utf-8")
    document = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = document.replace("</w:footnotePr>", "</w:footnotePr>" + A4, 1).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # the same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    TARGET.write_bytes(out.getvalue())
    print(f"Wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
