"""Issue "Never lose the room's work", part 4: hostile text in every field a report prints.

A Hypothesis property puts thousands of hostile strings (Markdown syntax, raw HTML, entities,
backslashes, leading spaces, right-to-left and combining marks, emoji, control characters) into
every field the agreement and the scorecard print, exports both documents, parses the files with
markdown-it (CommonMark plus tables) and checks against the same session with plain text ("x") in
those fields:

- the same document structure: block tokens with their tags (heading levels, table rows and
  cells) and, inside each inline token, the same kinds of children (no link, emphasis, code span
  or image appears out of typed text);
- every table row in the Markdown source has as many cells as its header;
- no raw HTML token anywhere;
- each field's text is found in the rendered text as typed: exactly as a table cell (line breaks
  as " / ", as `markdown.cell` defines), as whole paragraphs (`markdown.block`) or inside a line
  (`markdown.inline`, line breaks as spaces).

Control characters (C0 and C1 controls, DEL, the separators U+2028/U+2029, bidi controls) are left
out of every document, line breaks and tabs aside: each field's text is looked for without them.

Set FACILITATOR_MARKDOWN_SEED to replay a run (the seed is printed with the figures) and
FACILITATOR_MARKDOWN_EXAMPLES to try more sessions per document.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.rules_block.table import escapedSplit
from report_helpers import HOSTILE

from facilitator.base.terminal_text import is_control
from facilitator.domain.model import (
    ActionItem,
    Decision,
    Measure,
    Partner,
    PointRecord,
    Role,
    SectionDraft,
    Session,
    SponsorMeeting,
)
from facilitator.domain.validation import name_key
from facilitator.reports import render as reports
from facilitator.reports.figures import document_figures

SEED = int(os.environ.get("FACILITATOR_MARKDOWN_SEED") or random.SystemRandom().randrange(2**32))
EXAMPLES = int(os.environ.get("FACILITATOR_MARKDOWN_EXAMPLES", "120"))

NEWLINES = re.compile(r"\r\n|\r|\n")
ASCII_SPACE = " \t\f\v"  # what `markdown.cell` and `markdown.block` treat as blank

# --------------------------------------------------------------------------------------------
# Hostile strings

FRAGMENTS = HOSTILE + [
    # line structure, headings, thematic breaks, setext underlines
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\n\n\n",
    "#",
    "# ",
    "## heading",
    "###### ",
    "####### seven",
    " #",
    "\\#",
    "===",
    "=",
    "---",
    "--",
    "- - -",
    "***",
    "___",
    "* * *",
    # code
    "`",
    "``",
    "```",
    "```python\n",
    "~~~",
    "    ",
    "\t",
    "  ",
    "        indented",
    # HTML and links
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<!-- c -->",
    "<div>",
    "</div>",
    "<?php x ?>",
    "<![CDATA[x]]>",
    "<!DOCTYPE html>",
    "<x@y.z>",
    "[x](javascript:alert(1))",
    "![i](x.png)",
    "[r]: /url",
    "[r]",
    "[^1]",
    "https://example.com",
    "www.example.com",
    "&amp;",
    "&lt;b&gt;",
    "&#60;",
    "&#x3C;",
    "&nbsp;",
    "&copy",
    "&#0;",
    "&#11;",
    # escapes, lists, quotes, tables, emphasis
    "\\",
    "\\\\",
    "\\n",
    "\\`",
    "- ",
    "+ ",
    "* ",
    "1. ",
    "2) ",
    "123456789. ",
    "> ",
    ">> ",
    "| a | b |",
    "|---|---|",
    ":-:",
    "-:",
    "---|---",
    "|",
    "||",
    "**",
    "__",
    "*",
    "_",
    "~~",
    "~",
    "[",
    "]",
    "(",
    ")",
    "!",
    "<",
    ">",
    "{{ x }}",
    "{% raw %}",
    "{#",
    "%s",
    "{0}",
    "${x}",
    # Unicode: right-to-left, combining, zero width, emoji, scripts, unusual white space
    "\u200f",
    "\u202e",
    "\u2067",
    "\u2069",
    "\u0301",
    "e\u0301",
    "\u200b",
    "\u200d",
    "🤝",
    "👩\u200d👩\u200d👧",
    "🇵🇹",
    "👍🏽",
    "שלום",
    "مرحبا",
    "信頼",
    "𠮷",
    "\u00a0",
    "\u3000",
    "\u2003",
    "\u1680",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\uffff",
    "\U0010ffff",
    # control characters
    "\x00",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b[31m",
    "\x1c",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9b",
    # pandoc's Markdown and GFM beyond CommonMark: divs with attributes, fancy, example and
    # definition lists, math, super/subscript, citations, grid tables, emoji codes
    '::: {onclick="alert(1)" style="color:red"}',
    ":::",
    "a. ",
    "i. ",
    "B) ",
    "#. ",
    "(1) ",
    "(a) ",
    "(@) ",
    "(@good) ",
    ": ",
    "~ ",
    "$x$",
    "$$",
    "^sup^",
    "~sub~",
    "@doe",
    "[@doe, p. 3]",
    "+---+---+",
    "+===+",
    ":smile:",
    "{.class}",
    "{#id}",
    "\\begin{x}",
    "| line block",
    # ordinary words, so that syntax lands mid-line too
    "a",
    "word",
    " ",
    "x",
    "1",
    ":",
    ".",
    "Acme",
]
fragment = st.sampled_from(FRAGMENTS)
fragments = st.lists(fragment, max_size=4).map("".join)
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)  # no lone surrogates: not storable
# Whole lines that open a block when they stand alone: under a line of text, after a blank line,
# or as the first line of a field.
BLOCK_LINES = [
    "---",
    "===",
    "=",
    "-",
    "+",
    "*",
    "- - -",
    "***",
    "___",
    "  ---  ",
    "# x",
    "#",
    "> x",
    "- x",
    "1. x",
    "1)",
    "```",
    "~~~",
    "    code",
    "\tcode",
    "|---|---|",
    "| a | b |",
    ":-:",
    "-|-",
    "<div>",
    "<!-- x -->",
    "[r]: /u",
    "\u00a0---",
    "\u3000# x",
    "\v---",
    "x  ",
    "x\\",
    ": def",
    "~ def",
    "a. x",
    "iv) x",
    "#. x",
    "(1) x",
    "(@) x",
    "::: {.x}",
    "+--+--+",
    "####### x",
    "---\ntitle: x\n---",
    "% title",
    "$$\nx\n$$",
]
line = st.one_of(fragments, st.sampled_from(BLOCK_LINES))
hostile_text = st.one_of(
    st.lists(fragment, max_size=10).map("".join),  # syntax mid-line
    st.lists(line, min_size=1, max_size=6).map("\n".join),  # syntax at the start of lines
    st.tuples(fragments, any_text, fragments).map("".join),  # any character, next to syntax
)


def as_name(text: str) -> str:
    """What a name field can hold (model.clean_name): one line, no control characters, stripped, at
    most 200 characters."""
    text = "".join(c for c in NEWLINES.sub(" ", text) if not is_control(c))
    return text.strip()[:200].strip()


hostile_name = hostile_text.map(as_name).filter(name_key)  # a name that shows something (clean_name)


# --------------------------------------------------------------------------------------------
# The fields a template prints, and a session with a value in each


@dataclass(frozen=True)
class Field:
    key: str
    name: bool  # a one-line name (clean_name) rather than free text
    agreement: str | None  # how the agreement prints it: "cell", "cell-", "in-cell", "inline", "block"
    scorecard: str | None  # "cell-" is a cell showing a dash when blank


def _fields() -> list[Field]:
    f = [Field("alliance", True, "inline", "inline"), Field("facilitator", False, "inline", "inline")]
    f += [Field(f"partner{i}.name", True, "cell", "cell") for i in range(3)]
    f += [Field(k, True, "cell", None) for k in ("partner0.sponsor0", "partner0.sponsor1", "partner1.sponsor0")]
    f += [
        Field(k, True, "in-cell", None)
        for k in ("partner0.participant0", "partner1.participant0", "partner1.participant1")
    ]
    f += [
        Field(f"section.{k}", False, "block", None)
        for k in ("purpose", "partner-profiles", "mutual-benefits", "governance")
    ]
    f += [Field(f"notes.{k}", False, None, "block") for k in POINTS]
    for i in range(2):
        f.append(Field(f"measure{i}.name", True, "cell", None))
        f += [
            Field(f"measure{i}.{k}", False, "cell-", None)
            for k in ("how_measured", "target", "owner", "review_frequency")
        ]
        f += [Field(f"role{i}.{k}", False, "cell-", None) for k in ("person", "responsibility")]
        f += [Field(f"task{i}.text", False, "cell", None), Field(f"task{i}.owner", False, "cell-", None)]
        f += [Field(f"meeting{i}.notes", False, "cell-", None), Field(f"decision{i}.text", False, "cell", None)]
    for i in range(4):
        # The scorecard's action plan is a table of every action.
        f += [Field(f"action{i}.text", False, "cell", "cell"), Field(f"action{i}.owner", False, "cell-", "cell-")]
    return f


POINTS = [
    "joint-framework",
    "needs-shared",
    "mutual-benefit",
    "relational-expectations",
    "agreement-beyond-contract",
    "sponsors-meet",
    "relational-measures",
    "trust-indicator",
    "partnering-training",
    "joint-communications",
]
FIELDS = _fields()
SCORES = [
    [3, 1, 2],
    [1, 3, "?"],
    [0, 4, 2],
    [2, 2, 2],
    ["n/a", 1, 1],
    [4, 4, 3],
    [1, 0, 1],
    ["?", "?", 0],
    [2, 3, 4],
    [None, None, None],
]


def build_session(v: dict[str, str]) -> Session:
    """A session with every printed field taken from `v` (field key -> text)."""
    partners = [Partner(key=f"p{i}", name=v[f"partner{i}.name"]) for i in range(3)]
    partners[0].sponsors = [v["partner0.sponsor0"], v["partner0.sponsor1"]]
    partners[0].participants = [v["partner0.participant0"]]
    partners[1].sponsors = [v["partner1.sponsor0"]]
    partners[1].participants = [v["partner1.participant0"], v["partner1.participant1"]]
    session = Session(
        id="hostile-2026-03-12",
        alliance=v["alliance"],
        partners=partners,
        date="2026-03-12",
        facilitator=v["facilitator"],
        created_at="2026-03-12T09:00:00+00:00",
    )
    for key, scores in zip(POINTS, SCORES):
        session.points[key] = PointRecord(
            scores={p.key: s for p, s in zip(partners, scores) if s is not None}, revealed=True, notes=v[f"notes.{key}"]
        )
    for key in ("purpose", "partner-profiles", "mutual-benefits", "governance"):
        session.sections[key] = SectionDraft(
            text=v[f"section.{key}"], agreed=key == "purpose", endorsed_by=["p0", "p2"] if key == "purpose" else []
        )
    session.measures = [
        Measure(
            id=f"m{i}",
            kind=("economic", "relational")[i],
            name=v[f"measure{i}.name"],
            how_measured=v[f"measure{i}.how_measured"],
            target=v[f"measure{i}.target"],
            owner=v[f"measure{i}.owner"],
            review_frequency=v[f"measure{i}.review_frequency"],
        )
        for i in range(2)
    ]
    session.roles = [
        Role(
            id=f"r{i}", partner=("p1", "")[i], person=v[f"role{i}.person"], responsibility=v[f"role{i}.responsibility"]
        )
        for i in range(2)
    ]
    session.tasks = [
        ActionItem(
            id=f"t{i}",
            text=v[f"task{i}.text"],
            owner=v[f"task{i}.owner"],
            partner=("p0", "")[i],
            due=("2026-04-30", "")[i],
            status=("open", "done")[i],
        )
        for i in range(2)
    ]
    session.actions = [
        ActionItem(
            id=f"a{i}",
            text=v[f"action{i}.text"],
            owner=v[f"action{i}.owner"],
            partner=f"p{i % 3}",
            due=("2026-05-01", "")[i % 2],
            point=POINTS[i * 2],
        )
        for i in range(4)
    ]
    session.sponsor_meetings = [
        SponsorMeeting(
            id=f"s{i}",
            date=("2025-04-10", "2025-10-02")[i],
            mode=("in person", "remote")[i],
            notes=v[f"meeting{i}.notes"],
        )
        for i in range(2)
    ]
    session.decisions = [
        Decision(id=f"d{i}", text=v[f"decision{i}.text"], date=("2026-03-12", "")[i]) for i in range(2)
    ]
    session.next_meeting = "2026-09-15"
    return session


def twin(field: Field, text: str) -> str:
    """Plain text ("x") with the same shape: blank stays blank, lines and paragraphs stay as they are."""
    text = shown(text)
    if not text.strip():
        return text  # empty or blank: white space has no Markdown meaning to compare
    if field.name:
        return "x"
    return "\n".join("x" if line.strip(ASCII_SPACE) else "" for line in NEWLINES.split(text))


# --------------------------------------------------------------------------------------------
# Reading the Markdown back


PARSER = MarkdownIt("commonmark").enable("table")


def shown(text: str) -> str:
    """Text as the documents show it: control characters (`is_control`) are left out, line breaks
    and tabs aside. (They would act on a terminal showing the Markdown, or reorder the words.)"""
    return "".join(char for char in text if not is_control(char) or char in "\n\r\t")


def inline_text(token) -> str:
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return shown("".join(out))


def structure(tokens) -> list[tuple]:
    """Block tokens (type, tag, nesting); inline tokens as the kinds of their children, text runs merged."""
    result = []
    for token in tokens:
        if token.type == "inline":
            kinds: list[str] = []
            for child in token.children or []:
                if not (child.type == "text" and kinds and kinds[-1] == "text"):
                    kinds.append(child.type)
            result.append(("inline", tuple(kinds)))
        else:
            result.append((token.type, token.tag, token.nesting))
    return result


def html_tokens(tokens) -> list[str]:
    found = []
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            found.append(token.content)
        found += html_tokens(token.children or [])
    return found


def unescaped_pipes(line: str) -> int:
    count, backslashes = 0, 0
    for char in line:
        if char == "|" and backslashes % 2 == 0:
            count += 1
        backslashes = backslashes + 1 if char == "\\" else 0
    return count


def source_cells(line: str) -> int:
    """Cells in a table line of the Markdown source, split the way markdown-it splits them."""
    columns = escapedSplit(mdTrim(line))
    if columns and columns[0] == "":
        columns = columns[1:]
    if columns and columns[-1] == "":
        columns = columns[:-1]
    return len(columns)


def ragged_rows(source: str, tokens) -> list[str]:
    """Table lines whose cell count differs from their header's, by markdown-it's split or by pipes."""
    lines = source.split("\n")
    bad = []
    for token in tokens:
        if token.type == "table_open":
            start, end = token.map
            rows = lines[start:end]
            for row in rows[1:]:
                if source_cells(row) != source_cells(rows[0]) or unescaped_pipes(row) != unescaped_pipes(rows[0]):
                    bad.append(row)
    return bad


def expected(how: str, text: str) -> list[str]:
    """What the field must show: one string, or each paragraph for a block."""
    text = shown(text)
    lines = NEWLINES.split(text)
    if how == "inline":
        return [shown(" ".join(lines))]
    if how in ("cell", "cell-", "in-cell"):
        joined = " / ".join(line.strip(ASCII_SPACE) for line in lines if line.strip(ASCII_SPACE))
        return [shown("—" if how == "cell-" and not joined.strip() else joined)]
    assert how == "block"
    if not text.strip():
        return []  # not drafted: the document says so instead
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip(ASCII_SPACE):
            current.append(line)
        elif current:
            paragraphs.append(shown("\n".join(current)))
            current = []
    return paragraphs


def missing_texts(fields: list[Field], values: dict[str, str], document: str, tokens) -> list[str]:
    cells, texts = set(), []
    for i, token in enumerate(tokens):
        if token.type == "inline":
            texts.append(inline_text(token))
            if tokens[i - 1].type in ("th_open", "td_open"):
                cells.add(texts[-1])
    whole = set(texts)
    missing = []
    for field in fields:
        how = getattr(field, document)
        for want in expected(how, values[field.key]):
            if how in ("cell", "cell-"):
                found = want in cells
            elif how == "block":
                found = want in whole
            else:
                found = any(want in text for text in texts)
            if not found:
                missing.append(f"{field.key} ({how}): {want!r}")
    return missing


# --------------------------------------------------------------------------------------------
# The property


def values_for(document: str):
    fields = [f for f in FIELDS if getattr(f, document)]
    own = {
        f.key: (hostile_name if f.name else hostile_text)
        for f in fields
        if not f.key.endswith(".name") or not f.key.startswith("partner")
    }
    partner_names = st.lists(hostile_name, min_size=3, max_size=3, unique_by=name_key)  # partners that read apart
    return fields, st.tuples(st.fixed_dictionaries(own), partner_names)


def plain_values() -> dict[str, str]:
    return {f.key: "x" for f in FIELDS}


@pytest.mark.parametrize("document", reports.DOCUMENTS)
def test_hostile_text_in_every_field_keeps_the_structure(document, tmp_path, record_figure):
    fields, strategy = values_for(document)
    target = tmp_path / f"{document}.md"
    stats: Counter = Counter()

    @seed(SEED)
    # No shrinking: each example renders two documents, and a failure names the field and text.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    @given(strategy)
    def check(drawn):
        own, partner_names = drawn
        values = plain_values() | own | {f"partner{i}.name": name for i, name in enumerate(partner_names)}
        plain = {key: twin(next(f for f in FIELDS if f.key == key), text) for key, text in values.items()}
        hostile = build_session(values)
        # Only text the model accepts: what a room could have typed, or a file could hold.
        hostile = Session.from_dict(hostile.to_dict())

        reports.export(hostile, document, target)
        source = target.read_bytes().decode("utf-8")
        tokens = PARSER.parse(source)
        reference = PARSER.parse(reports.render(build_session(plain), document))

        stats["examples"] += 1
        stats["strings"] += len(fields)
        problems = []
        ours, theirs = structure(tokens), structure(reference)
        if ours != theirs:
            stats["structural"] += 1
            at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
            problems.append(f"structure differs at token {at}: {ours[at : at + 3]} instead of {theirs[at : at + 3]}")
        html = html_tokens(tokens)
        stats["html"] += len(html)
        if html:
            problems.append(f"raw HTML tokens: {html[:3]}")
        ragged = ragged_rows(source, tokens)
        stats["ragged"] += len(ragged)
        if ragged:
            problems.append(f"table rows with the wrong number of cells: {ragged[:3]}")
        missing = missing_texts(fields, values, document, tokens)
        stats["missing"] += len(missing)
        if missing:
            problems.append(f"texts not shown as typed: {missing[:3]}")
        assert not problems, "\n".join(problems)

    check()
    record_figure(
        f"hostile strings placed in the {document}'s fields",
        f"{stats['strings']:,} ({stats['examples']} sessions x {len(fields)} fields, seed {SEED})",
    )
    record_figure(f"{document}: structural differences from the plain twin", stats["structural"])
    record_figure(f"{document}: raw HTML tokens", stats["html"])
    record_figure(
        f"{document}: table rows not matching their header, texts not shown as typed",
        f"{stats['ragged']}, {stats['missing']}",
    )


# --------------------------------------------------------------------------------------------
# The same property under other readers (issue 13, item 9): pandoc's own Markdown and GFM turn
# more plain text into structure (fenced divs with attributes, fancy, example and definition lists,
# math, superscripts, citations, grid tables, emoji codes, bare URLs). The document read by pandoc
# must have the structure of its plain twin, and every field's text as typed. `smart` is left out
# of pandoc's Markdown: it typesets quotes and dashes (the same text, curly), it makes no structure.

PANDOC_READERS = ["markdown-smart", "gfm"]
PANDOC_EXAMPLES = int(os.environ.get("FACILITATOR_PANDOC_EXAMPLES", "25"))
_PANDOC_TEXT = {"Str", "Space", "SoftBreak", "LineBreak"}
# A table's column widths and alignments: pandoc sizes columns by the longest line, not structure.
_PANDOC_LAYOUT = {"ColWidth", "ColWidthDefault", "AlignDefault", "AlignLeft", "AlignRight", "AlignCenter"}


def as_pandoc_shows(text: str) -> str:
    """Text as pandoc shows it: runs of spaces are one space, GFM composes accents (NFC)."""
    import unicodedata

    return unicodedata.normalize("NFC", re.sub(r"[ \t]+", " ", text))


def _pandoc_ast(source: str, reader: str) -> dict:
    import json as _json

    import pypandoc

    return _json.loads(pypandoc.convert_text(source, "json", format=reader))


def _pandoc_inline_text(nodes) -> str:
    out = []
    for node in nodes:
        kind = node.get("t")
        if kind == "Str":
            out.append(node["c"])
        elif kind == "Space":
            out.append(" ")
        elif kind in ("SoftBreak", "LineBreak"):
            out.append("\n")
        elif kind in ("Code", "RawInline", "Math"):
            out.append(node["c"][-1])
        elif isinstance(node.get("c"), list):
            out.append(_pandoc_inline_text([c for c in node["c"] if isinstance(c, dict)]))
    return "".join(out)


def pandoc_structure(node, found=None) -> list:
    """Every element's kind (header levels included), runs of plain text merged; and the text of
    every paragraph, plain block (a table cell is one) and header."""
    if found is None:
        found = {"kinds": [], "texts": []}
    if isinstance(node, dict):
        kind = node.get("t")
        if kind in _PANDOC_LAYOUT:
            pass
        elif kind is not None and kind not in _PANDOC_TEXT:
            found["kinds"].append(f"Header{node['c'][0]}" if kind == "Header" else kind)
        elif kind is not None and found["kinds"][-1:] != ["text"]:
            found["kinds"].append("text")
        if kind in ("Para", "Plain"):
            found["texts"].append(as_pandoc_shows(shown(_pandoc_inline_text(node["c"]))))
        elif kind == "Header":
            found["texts"].append(as_pandoc_shows(shown(_pandoc_inline_text(node["c"][2]))))
        for value in node.values():
            pandoc_structure(value, found)
    elif isinstance(node, list):
        for value in node:
            pandoc_structure(value, found)
    return found


@pytest.mark.parametrize("reader", PANDOC_READERS)
@pytest.mark.parametrize("document", reports.DOCUMENTS)
def test_hostile_text_keeps_the_structure_under_pandoc(document, reader, record_figure):
    fields, strategy = values_for(document)
    stats: Counter = Counter()

    @seed(SEED)
    @settings(
        max_examples=PANDOC_EXAMPLES,
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    @given(strategy)
    def check(drawn):
        own, partner_names = drawn
        values = plain_values() | own | {f"partner{i}.name": name for i, name in enumerate(partner_names)}
        plain = {key: twin(next(f for f in FIELDS if f.key == key), text) for key, text in values.items()}
        hostile = Session.from_dict(build_session(values).to_dict())
        ours = pandoc_structure(_pandoc_ast(reports.render(hostile, document), reader))
        theirs = pandoc_structure(_pandoc_ast(reports.render(build_session(plain), document), reader))
        stats["examples"] += 1
        stats["strings"] += len(fields)
        problems = []
        if ours["kinds"] != theirs["kinds"]:
            stats["structural"] += 1
            a, b = ours["kinds"], theirs["kinds"]
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            problems.append(f"structure differs at element {at}: {a[at : at + 4]} instead of {b[at : at + 4]}")
        whole = set(ours["texts"])
        missing = []
        for field in fields:
            how = getattr(field, document)
            for want in map(as_pandoc_shows, expected(how, values[field.key])):
                if not want:
                    found = True  # an empty cell: pandoc gives it no block at all
                elif how in ("cell", "cell-", "block"):
                    found = want in whole
                else:
                    found = any(want in text for text in ours["texts"])
                if not found:
                    missing.append(f"{field.key} ({how}): {want!r}")
        stats["missing"] += len(missing)
        if missing:
            problems.append(f"texts not shown as typed: {missing[:3]}")
        assert not problems, "\n".join(problems)

    check()
    record_figure(
        f"pandoc {reader}: hostile strings in the {document}'s fields",
        f"{stats['strings']:,} ({stats['examples']} sessions, seed {SEED}); "
        f"structural differences {stats['structural']}, texts not as typed {stats['missing']}",
    )


# --------------------------------------------------------------------------------------------
# The same hostile sessions as HTML, PDF and Word (issue 16): the documents made from the Markdown
# keep typed text as text. HTML: no script, no event handler, no link, no image but our own
# (data: URIs); Word: no field but PAGE and NUMPAGES, no link out, no image, every table with the
# Markdown's rows; PDF: no link annotation, no image, every page numbered. And every partner's name
# is in each document as typed. Converting is slow, so a few sessions per format.

# The PDF's text layer has only characters its fonts have glyphs for: Typst's own fonts and what
# the machine has. Names are compared there on Latin letters and ASCII, white space left out (a
# name wraps inside a narrow cell), combining marks left out: Typst shapes a space and a combining
# mark typed after it as one glyph, and the PDF's text map then gives that mark with every space
# (the footer's "Page 1 of 4" read back as "Page \u0301 1 ...").
PDF_GLYPHLESS = ("Co", "Cn", "Cs", "Mn")
FORMAT_EXAMPLES = int(os.environ.get("FACILITATOR_FORMAT_EXAMPLES", "4"))


def _flat(text: str, glyphless: tuple[str, ...] = ()) -> str:
    """Text as any of the three shows it: white space runs as one space, accents composed, no
    zero-width or control character, NUL as U+FFFD. `glyphless`: the categories of characters a
    PDF's fonts may have no glyph for (private use, unassigned), which its text layer then lacks."""
    import unicodedata

    text = unicodedata.normalize("NFC", shown(text))
    dropped = ("Cf", "Cc", "Cn", "Zl", "Zp", *glyphless)  # Cn: noncharacters, which XML cannot hold
    text = "".join(c for c in text if unicodedata.category(c) not in dropped or c in "\t\n")
    return re.sub(r"\s+", " ", text).strip()


_BRACKETS = str.maketrans("", "", "()[]{}<>")


def _unreadable_in_pdf(text: str) -> bool:
    import unicodedata

    return any(unicodedata.bidirectional(c) in ("R", "AL", "AN") or unicodedata.combining(c) for c in text)


def _latin(text: str) -> str:
    return "".join(c for c in _flat(text, PDF_GLYPHLESS) if ord(c) < 0x250 and not c.isspace())


def _pdf_links_and_images(data: bytes) -> tuple[list, list]:
    import io

    from pypdf import PdfReader

    links, images = [], []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if action.get("/URI") or action.get("/S") in ("/JavaScript", "/Launch", "/URI"):
                links.append(action)
        images += list(page.images)
    return links, images


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
@pytest.mark.parametrize("document", reports.DOCUMENTS)
def test_hostile_text_stays_text_in_every_format(document, fmt, record_figure):
    import io
    import zipfile

    from format_readers import docx_document, field_codes, html_facts, markdown_table_rows, pdf_pages

    from facilitator.reports.document_meta import document_meta
    from facilitator.reports.formats import convert

    fields, strategy = values_for(document)
    stats: Counter = Counter()

    @seed(SEED)
    @settings(
        max_examples=FORMAT_EXAMPLES,
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(drawn):
        own, partner_names = drawn
        values = plain_values() | own | {f"partner{i}.name": name for i, name in enumerate(partner_names)}
        hostile = Session.from_dict(build_session(values).to_dict())
        source = reports.render(hostile, document)
        # With the document's own charts, as the export hands them over (hostile names inside).
        charts = document_figures(hostile, document, None)
        data = convert(source, fmt, document_meta(hostile, document), charts)
        stats["examples"] += 1
        problems = []
        if fmt == "html":
            facts = html_facts(data)
            text = _flat(" ".join(facts.text))
            if {"script", "iframe", "object", "embed", "form"} & set(facts.tags):
                problems.append(f"live elements: {set(facts.tags)}")
            # The only pictures are the document's own charts, embedded as SVG.
            foreign = [src for src in facts.img_srcs if not src.startswith("data:image/svg+xml;base64,")]
            if len(facts.img_srcs) != len(charts):
                foreign.append(f"{len(facts.img_srcs)} pictures for {len(charts)} charts")
            if facts.handlers or [h for h in facts.hrefs if not h.startswith("#")] or foreign:
                problems.append(f"handlers {facts.handlers}, links {facts.hrefs}, images {foreign}")
        elif fmt == "docx":
            word = docx_document(data)
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
            text = _flat(
                " ".join(
                    [p.text for p in word.paragraphs] + [c.text for t in word.tables for r in t.rows for c in r.cells]
                )
            )
            if sorted(field_codes(data)) != ["NUMPAGES", "PAGE"]:
                problems.append(f"field codes: {field_codes(data)}")
            if len([n for n in names if "media/" in n]) != len(charts) or b'TargetMode="External"' in zipfile.ZipFile(
                io.BytesIO(data)
            ).read("word/_rels/document.xml.rels"):
                problems.append("an image or a link out")
            if [len(t.rows) for t in word.tables] != markdown_table_rows(source):
                problems.append("table rows differ from the Markdown's")
        else:
            pages = pdf_pages(data)
            text = _latin(" ".join(pages))
            links, images = _pdf_links_and_images(data)
            if links or len(images) > len(charts):  # the charts' own pictures only
                problems.append(f"links {links[:2]}, images {len(images)}")
            if not all(f"Page {i} of {len(pages)}" in _flat(page, ("Mn",)) for i, page in enumerate(pages, 1)):
                problems.append(f"a page without its number: {[page[-80:] for page in pages]}")
        for name in partner_names:
            stats["names"] += 1
            want = _latin(name) if fmt == "pdf" else _flat(name)
            if fmt == "pdf" and _unreadable_in_pdf(name):
                # A PDF's text comes out in visual order (brackets mirrored around right-to-left
                # text), and Typst maps a glyph with a combining mark to the cluster it was shaped
                # from, so that mark reads back beside other letters: what a PDF reader gives back
                # is not the text. The PDF is still checked for links, images and page numbers.
                stats["not comparable"] += 1
                continue
            if fmt == "pdf" and any(_unreadable_in_pdf(str(value)) for value in values.values()):
                # Brackets are mirrored around any right-to-left text of the same paragraph (the
                # parties line shares one with the alliance's and the facilitator's names), so
                # with such text anywhere, names are compared without their brackets.
                want, text = want.translate(_BRACKETS), text.translate(_BRACKETS)
            if want and want not in text:
                at = text.find(want[:4])
                problems.append(f"partner name not shown as typed: {name!r} ({want!r}; {text[at - 10 : at + 60]!r})")
        assert not problems, "\n".join(problems)

    check()
    record_figure(
        f"{fmt}: hostile sessions converted from the {document}",
        f"{stats['examples']} (seed {SEED}), {stats['names']} partner names looked for "
        f"({stats['not comparable']} right-to-left or combining ones not, in the PDF)",
    )
