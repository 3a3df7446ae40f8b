"""`index.json`: each session file's summary, a TinyDB table, so that a listing parses only the files that changed.

TinyDB sees it as two tables (`index_table.open_index`); this module is the file's layout, which
the TUI's first screenful reads without TinyDB (`read_head`).

It caches each session file's summary, keyed by the file's inode, size, mtime and ctime (see
`unchanged`), so that listing 10,000 sessions parses only the files that changed. It is only a
cache: if it is damaged or missing it is rebuilt from the session files. It is plain JSON, one
summary (a row of values) per line, newest first, so that its head (the first screenful of the
session list) can be read without parsing the rest (`read_head`).
"""

from __future__ import annotations

import functools
import json
import os
import stat as stat_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from facilitator.storage import strict_json
from facilitator.storage.layout import INDEX_FILE, SESSION_SUFFIX
from facilitator.storage.summaries import DOCUMENT_VALUES, INDEX_COLUMNS, SessionSummary

INDEX_TABLE = "summaries"
INDEX_FORMAT = (
    5  # 5: with the sponsors; bump when SessionSummary or the index layout changes, so old caches are rebuilt
)
# A file changed less than this before its index row was taken may change again within the same
# tick of a coarse file clock (FAT: 2 s) without its stamp showing it: such a row is not trusted.
RACY_NS = 2_000_000_000

_INDEX_PREFIX = b'{"format":%d,' % INDEX_FORMAT
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_index(documents: list[dict[str, Any]], checked_ns: int, rows: dict[str, bytes] | None = None) -> bytes:
    """The index file: a header line, then one summary per line (a row of INDEX_COLUMNS), in order.

    The whole file is one JSON object; the layout lets `cached_head` parse only its first lines.
    `checked_ns`: a time before the files were stat'ed, for the racy-row rule (`unchanged`).
    `rows`: rows already encoded, by id (from `index_rows`): encoding 10,000 rows again costs a
    listing after a save about 45 ms, so only the documents not in it are encoded.
    """
    header = json.dumps(
        {"format": INDEX_FORMAT, "count": len(documents), "columns": INDEX_COLUMNS, "checked_ns": checked_ns},
        separators=(",", ":"),
    )
    encode = _ROW_ENCODER.encode
    known = rows or {}
    lines = b",\n".join(known.get(d["id"]) or encode(DOCUMENT_VALUES(d)).encode("utf-8") for d in documents)
    return f'{header[:-1]},"{INDEX_TABLE}":[\n'.encode() + lines + b"\n]}\n"


def index_rows(raw: bytes, ids: set[str]) -> dict[str, bytes]:
    """The encoded rows of an index file (as `encode_index` wrote them), by id, for `ids`.

    One row per line, each starting with its id as a JSON string: an id with an escape in it (never
    one the store makes) is left out, and encoded again.
    """
    if not ids:
        return {}
    found = {}
    for line in raw.split(b"\n")[1:]:
        if not line.startswith(b'["'):
            continue  # the last line: the end of the list and of the object
        end = line.find(b'"', 2)
        key = line[2:end]
        if end < 0 or b"\\" in key:
            continue
        session_id = key.decode("utf-8", "replace")
        if session_id in ids:
            found[session_id] = line[:-1] if line.endswith(b",") else line
    return found


def unchanged(summary: SessionSummary, st: os.stat_result, trusted_before: int) -> bool:
    """Whether a file is still as its index row says, judged from a stat alone.

    A save replaces the file (a new inode, a new ctime: the rename sets it) and the size and mtime
    usually change too. But a file clock can be coarse (a tick of milliseconds, or 2 s on FAT),
    and a freed inode is handed out again: two saves within one tick can leave the same inode,
    size and times. So a row is trusted only when the file had not changed for RACY_NS before the
    row was taken (the "racy" rule git uses for its index); a more recent one is read again, once.
    A file an older facilitator found "newer" is read again each time, so that an upgrade opens it.
    """
    return (
        summary.inode == st.st_ino
        and summary.mtime_ns == st.st_mtime_ns
        and summary.size == st.st_size
        and summary.ctime_ns == st.st_ctime_ns
        and summary.ctime_ns < trusted_before
        and summary.mtime_ns < trusted_before
        and summary.status != "newer"
    )


@contextmanager
def folder_stat(folder: Path) -> Iterator[Callable[[str], os.stat_result]]:
    """`stat(name)` for names in `folder`: relative to an open handle on the folder where the
    system allows it (10% faster over 10,000 files than resolving the whole path each time)."""
    if os.stat in os.supports_dir_fd:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            fd = None
        if fd is not None:
            try:
                yield functools.partial(os.stat, dir_fd=fd)
            finally:
                os.close(fd)
            return
    prefix = os.path.join(folder, "")
    yield lambda name: os.stat(prefix + name)


# The types of an index row's values, as the store writes them (joint_index: None, or a number).
_ROW_TYPES = tuple((str,) * 7 + (list,) + (jt,) + (str,) * 3 + (list,) + (int,) * 4 for jt in (type(None), float, int))
_ROW_SHAPES = frozenset(_ROW_TYPES)
_STATUSES = frozenset(("ok", "damaged", "newer"))
_TEXT_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 9, 10, 11)
_LIST_COLUMNS = (7, 12)  # partners, sponsors: lists of text
_WHOLE_COLUMNS = (13, 14, 15, 16)


def _valid_row(row: Any) -> bool:
    """Whether an index row holds values of the kinds the store writes: a hand-edited or hostile
    index (a text where the index number goes, a NaN, a partner that is not text) must not reach
    the list's formatting. Built to cost about a microsecond: every listing checks every row."""
    try:
        return (
            tuple(map(type, row)) in _ROW_SHAPES
            and row[2] in _STATUSES
            and (row[8] is None or 0 <= row[8] <= 100)  # NaN fails this too
            and "".join(row[7]) is not None
            and "".join(row[12]) is not None
        )  # TypeError unless every partner and sponsor is text
    except TypeError:
        return False


def _summary_from_row(row: Any) -> SessionSummary | None:
    """A summary from an index row, or None when the row is not one this store wrote."""
    if not _valid_row(row):
        return None
    return SessionSummary(*row)


def _valid_rows(rows: list[Any]) -> list[Any]:
    """The rows of an index that `_valid_row` accepts. Checked column by column in C first (about
    a tenth of the time a row-by-row check takes: a listing of 10,000 sessions checks them all);
    only an index with something wrong in it is checked row by row, to keep the good rows."""
    try:
        if set(map(type, rows)) <= {list} and set(map(len, rows)) <= {len(INDEX_COLUMNS)}:
            columns = list(zip(*rows)) or [()] * len(INDEX_COLUMNS)
            # str.join refuses anything but text, sum anything but numbers (TypeError): in C.
            for i in _TEXT_COLUMNS:
                "".join(columns[i])
            for i in _WHOLE_COLUMNS:
                sum(columns[i])
            for i in _LIST_COLUMNS:
                "".join(chain.from_iterable(columns[i]))
            if not set(map(type, columns[8])) <= {type(None), float, int}:
                raise TypeError  # true is a number to sum() and min(), not an index
            numbers = [value for value in columns[8] if value is not None]
            # NaN and Infinity never get this far: the index is parsed by strict_json.
            if (
                set(map(type, columns[7])) | set(map(type, columns[12])) <= {list}
                and set(columns[2]) <= _STATUSES
                and (not numbers or 0 <= min(numbers) <= max(numbers) <= 100)
            ):
                return rows
    except TypeError:  # a partner that is not text, say
        pass
    return list(filter(_valid_row, rows))


def parse_rows(raw: bytes) -> tuple[list[Any], int] | None:
    """The valid rows of an index file's bytes and its `checked_ns`; None for an index of another
    format (an older version's, a damaged one): the index is only a cache, rebuilt then."""
    data = strict_json.loads(raw)
    if (
        not isinstance(data, dict)
        or data.get("format") != INDEX_FORMAT
        or data.get("columns") != list(INDEX_COLUMNS)
        or not isinstance(data.get(INDEX_TABLE), list)
    ):
        return None
    checked_ns = data.get("checked_ns")
    if type(checked_ns) is not int:
        return None  # 1e400 is a float (infinity) to json, and no time
    # A row of another shape is left out, and its file read again; one of the right shape but
    # odd values cannot match its file's stamp, so that file is read again too.
    return _valid_rows(data[INDEX_TABLE]), checked_ns


def read_head(data_dir: Path, limit: int) -> tuple[list[SessionSummary], int] | None:
    """The newest `limit` summaries as the index has them, and how many it holds; None without one.

    For a first screenful at once: only the head of the index is parsed, and each summary is
    checked against its file (see `_unchanged`), so none is stale; files added or changed
    since the index was written are missing until `summaries()` has read them.
    """
    size = 4096 + limit * 1024
    try:
        fd = os.open(data_dir / INDEX_FILE, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the start
    except OSError:
        return None
    try:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            head = handle.read(size)
    except OSError:
        return None
    finally:
        os.close(fd)
    lines = head.split(b"\n")
    if len(head) == size:
        lines.pop()  # perhaps cut off by the read
    if len(lines) < 2 or not lines[0].startswith(_INDEX_PREFIX):
        return None
    try:
        header = strict_json.loads(lines[0][: -len(b',"summaries":[')] + b"}")
        if header.get("columns") != list(INDEX_COLUMNS):
            return None
        if type(header.get("checked_ns")) is not int or type(header.get("count")) is not int:
            return None  # 1e400 is no time and no count (json reads it as infinity)
        trusted_before = header["checked_ns"] - RACY_NS
        rows = []
        for line in lines[1 : limit + 1]:
            row = line.rstrip(b",")
            if not row.startswith(b"["):
                break  # the end of the list
            rows.append(row)
        rows = strict_json.loads(b"[" + b",".join(rows) + b"]") if rows else []
        result = []
        folder = os.fspath(data_dir)
        for row in rows:
            summary = _summary_from_row(row)
            if summary is None:
                return None
            try:
                st = os.stat(os.path.join(folder, summary.id + SESSION_SUFFIX))
            except OSError:
                continue
            if unchanged(summary, st, trusted_before):
                result.append(summary)
        return result, header["count"]
    except (ValueError, TypeError, KeyError, RecursionError, OverflowError):
        return None
