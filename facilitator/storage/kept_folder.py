"""What the store keeps of a data folder in the user's cache: each session file's stamp, what the
alliance history needs of it, and the text of `facilitator list --json`, in one file.

A script that lists a large folder again and again, and the alliance history that needs every
session's alliance and link, get their answer without the index being parsed: the folder is
listed, every file stat'ed, and the kept copy used for each file still as its stamp says (size,
mtime, inode and ctime, with the index's racy rule: see `index_file.unchanged`). When a few files
changed (a session just saved, one added or deleted), only those are read again and the copy is
patched: the other files' entries are copied as they are, in runs of bytes.

The file, private like the cache folder, is a small marshalled header followed by sections:

    <4-byte length of the header> <header: FORMAT, salt, folder, byte order, distrusted rows,
                                   {section: (offset, length)}> <sections ...>

    ids       the session ids, NUL-separated, newest first (the listing's order)
    stamps    size, mtime_ns, inode, ctime_ns of each file (an array of 64-bit integers)
    listing   the text of `list --json` as UTF-8, terminal controls escaped (`json_shown`)
    lengths   the byte length of each entry of the listing, in order
    col:NAME  a marshalled list: the column NAME of every summary (`COLUMNS`)

"Distrusted" rows are read again whatever their stamp says: a file changed too close to the
check (the racy rule), or one of a newer format (an upgrade may read it). A copy made by other
code (`code_salt`), for another folder or byte order, or one that cannot be read is not used.
Writing it is best effort: a cache that cannot be written is no error.
"""

from __future__ import annotations

import marshal
import os
import sys
from array import array
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

from facilitator.base.terminal_text import json_shown
from facilitator.storage.file_stamps import STAMP_FIELDS
from facilitator.storage.layout import SESSION_SUFFIX, session_id_of
from facilitator.storage.listing_cache import code_salt
from facilitator.storage.summaries import SessionSummary, summary_entries

FORMAT = 3  # 3: one file, in sections, patched for the files that changed
LINK_COLUMNS = ("status", "alliance", "follows", "problem")  # what the alliance history needs
COLUMNS = (*LINK_COLUMNS, "date", "saved_at")  # and the listing's order (SORT_KEY: date, saved_at, id)
_OPENING, _SEPARATOR, _CLOSING = b"[\n  ", b",\n  ", b"\n]"  # json.dumps(..., indent=2) around entries

Links = dict[str, tuple[str, str, str, str]]  # id -> (status, alliance, follows, problem)


class FolderCopy:
    """A data folder as the kept copy says it is: the rows in the listing's order (newest first)."""

    def __init__(
        self,
        ids: list[str],
        stamps: array[int],
        listing: Sequence[bytes | memoryview],
        lengths: array[int],
        columns: Mapping[str, list[Any] | _LazyColumn | _PatchedColumn],
        distrusted: Sequence[int],
    ) -> None:
        self.ids = ids
        self.stamps = stamps
        self._listing = listing  # the parts of the text, one after the other
        self.lengths = lengths
        self._columns = dict(columns)
        self.distrusted = frozenset(distrusted)
        self._file_names: list[str] | None = None

    def listing(self) -> Sequence[bytes | memoryview]:
        """The text of `list --json`, as UTF-8 bytes: the parts to write one after the other."""
        return self._listing

    def column(self, name: str) -> list[Any]:
        value = self._columns[name]
        if not isinstance(value, list):  # read from the cache, or patched: made when first asked for
            value = self._columns[name] = value.load()
        return value

    def links(self) -> Links:
        return dict(zip(self.ids, zip(*(self.column(name) for name in LINK_COLUMNS))))

    def changes(self, entries: set[str], now: array[int]) -> tuple[set[int], set[str]]:
        """The rows whose file is gone, changed or distrusted, and the ids of the session files not
        in the copy (new since it was written). `entries`: the names of everything in the folder
        now (`SessionStore.folder_entries`); `now`: the stamps of the copy's files now
        (`file_stamps`). Both empty: the copy is as the folder is. Compared as whole sets and
        arrays first, row by row only where they differ: 10,000 rows in well under a millisecond."""
        files = self.file_names()
        expected = set(files)
        added = {i for name in entries - expected if (i := session_id_of(name)) is not None}
        stale = set(self.distrusted)
        if now != self.stamps:
            stale.update(_differing_rows(now, self.stamps))
        if not entries.issuperset(expected):
            stale.update(row for row, name in enumerate(files) if name not in entries)
        return stale, added

    def file_names(self) -> list[str]:
        """The file name of each row (`<id>.json`), in order."""
        if self._file_names is None:
            self._file_names = [session_id + SESSION_SUFFIX for session_id in self.ids]
        return self._file_names

    def patched(self, stale: set[int], fresh: Sequence[SessionSummary], trusted_before: int) -> FolderCopy:
        """The copy without the `stale` rows and with the `fresh` summaries in their place (by the
        listing's order). The unchanged rows are copied in runs (slices), not one by one."""
        rows = len(self.ids)
        inserts = self._insertion_points(stale, fresh)
        pieces: list[tuple[int, int] | SessionSummary] = []  # runs of kept rows [start, end), and fresh rows
        row = 0
        for event in sorted(stale | inserts.keys() | {rows}):
            if event > row:
                pieces.append((row, event))
            pieces += inserts.get(event, ())
            row = event + 1 if event in stale else event
        ids: list[str] = []
        stamps, lengths, chunks, distrusted = array("q"), array("q"), [], []
        listing, width, separator = self._listing_text(), STAMP_FIELDS, len(_SEPARATOR)
        fresh_entries = dict(zip(map(id, fresh), _encoded_entries(fresh)))
        for piece in pieces:
            if isinstance(piece, tuple):
                start, end = piece
                ids += self.ids[start:end]
                stamps.extend(self.stamps[start * width : end * width])
                lengths.extend(self.lengths[start:end])
                offset = len(_OPENING) + sum(self.lengths[:start]) + separator * start
                size = sum(self.lengths[start:end]) + separator * (end - start - 1)
                chunks.append(listing[offset : offset + size])
            else:
                if _distrust(piece, trusted_before):
                    distrusted.append(len(ids))
                ids.append(piece.id)
                stamps.extend(_summary_stamp(piece))
                entry = fresh_entries[id(piece)]
                lengths.append(len(entry))
                chunks.append(entry)
        # The columns only when asked for (the alliance history, writing the copy): the listing
        # needs none of them.
        columns = {name: _PatchedColumn(self, name, pieces) for name in COLUMNS}
        return FolderCopy(ids, stamps, _joined(chunks), lengths, columns, distrusted)

    def _listing_text(self) -> bytes | memoryview:
        return self._listing[0] if len(self._listing) == 1 else b"".join(self._listing)

    def _insertion_points(self, stale: set[int], fresh: Sequence[SessionSummary]) -> dict[int, list[SessionSummary]]:
        """For each fresh summary, the row before which it goes (len(ids): after the last), so that
        the rows stay newest first (SORT_KEY: date, saved_at, id, descending)."""
        ids, dates, saved = self.ids, self.column("date"), self.column("saved_at")
        kept = [row for row in range(len(ids)) if row not in stale]
        inserts: dict[int, list[SessionSummary]] = {}
        for summary in sorted(fresh, key=SessionSummary.sort_key, reverse=True):
            key = summary.sort_key()
            low, high = 0, len(kept)
            while low < high:  # the first kept row older than `summary`
                middle = (low + high) // 2
                at = kept[middle]
                if (dates[at], saved[at], ids[at]) > key:
                    low = middle + 1
                else:
                    high = middle
            inserts.setdefault(kept[low] if low < len(kept) else len(ids), []).append(summary)
        return inserts

    def write(self, path: str, data_dir: str) -> None:
        """Keep this copy at `path` for `data_dir`."""
        from facilitator.base.user_cache import prune, write_quietly
        from facilitator.storage.listing_cache import MAX_LINKS_FILES

        sections: list[tuple[str, Sequence[bytes | memoryview]]] = [
            ("ids", ["\0".join(self.ids).encode("utf-8", "surrogatepass")]),
            ("stamps", [self.stamps.tobytes()]),
            ("listing", self.listing()),
            ("lengths", [self.lengths.tobytes()]),
        ]
        sections += [(f"col:{name}", [marshal.dumps(self.column(name), 2)]) for name in COLUMNS]
        offsets: dict[str, tuple[int, int]] = {}
        offset = 0
        for name, parts in sections:
            size = sum(map(len, parts))
            offsets[name] = (offset, size)
            offset += size
        header = marshal.dumps((FORMAT, code_salt(), data_dir, sys.byteorder, tuple(self.distrusted), offsets), 2)
        whole = [len(header).to_bytes(4, "little"), header, *chain.from_iterable(parts for _name, parts in sections)]
        if write_quietly(path, whole):
            prune(os.path.dirname(path), MAX_LINKS_FILES)


def copy_of(summaries: Sequence[SessionSummary], trusted_before: int) -> FolderCopy:
    """A copy made from `summaries` (newest first), as they were found before `trusted_before`."""
    entries = _encoded_entries(summaries)
    return FolderCopy(
        [s.id for s in summaries],
        array("q", chain.from_iterable(map(_summary_stamp, summaries))),
        _joined(entries),
        array("q", map(len, entries)),
        {name: [getattr(s, name) for s in summaries] for name in COLUMNS},
        [row for row, s in enumerate(summaries) if _distrust(s, trusted_before)],
    )


def read(path: str, data_dir: str) -> FolderCopy | None:
    """The copy of `data_dir` kept at `path`, if this very code wrote it for that folder; else None."""
    import mmap  # 1.5 ms to import: only where a copy is read

    try:
        with open(path, "rb") as handle:
            # Mapped, not read: the listing goes from the page cache to standard output untouched
            # (reading 7 MB into a new buffer costs 5 ms). The store only ever replaces this file,
            # never truncates it, so the mapping stays whole.
            data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
        size = int.from_bytes(data[:4], "little")
        header = marshal.loads(data[4 : 4 + size])
        if (
            type(header) is not tuple
            or len(header) != 6
            or header[:4] != (FORMAT, code_salt(), data_dir, sys.byteorder)
        ):
            return None
        distrusted, offsets = header[4:]
        start = 4 + size

        def section(name: str) -> memoryview:
            offset, length = offsets[name]
            if type(offset) is not int or type(length) is not int or min(offset, length) < 0:
                raise ValueError("a kept copy that does not add up")
            if start + offset + length > len(data):
                raise ValueError("a kept copy cut short")
            return data[start + offset : start + offset + length]

        ids = str(section("ids"), "utf-8", "surrogatepass").split("\0") if offsets["ids"][1] else []
        stamps, lengths = array("q"), array("q")
        stamps.frombytes(section("stamps"))
        lengths.frombytes(section("lengths"))
        listing = section("listing")
        columns = {name: _LazyColumn(section(f"col:{name}"), len(ids)) for name in COLUMNS}
        if (
            len(stamps) != STAMP_FIELDS * len(ids)
            or len(lengths) != len(ids)
            or len(set(ids)) != len(ids)
            or type(distrusted) is not tuple
            or sum(lengths) + len(_SEPARATOR) * max(len(ids) - 1, 0) + len(_OPENING + _CLOSING) * bool(ids)
            != len(listing) - (0 if ids else len(b"[]"))
        ):
            return None
        return FolderCopy(ids, stamps, [listing], lengths, columns, distrusted)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError):
        return None


class _LazyColumn:
    """A column's marshalled list, loaded when first asked for (the listing needs none)."""

    def __init__(self, data: memoryview, rows: int) -> None:
        self.data, self.rows = data, rows

    def load(self) -> list[Any]:
        values = marshal.loads(self.data)
        if type(values) is not list or len(values) != self.rows:
            raise ValueError("a kept column that does not add up")
        return values


def _differing_rows(now: array[int], kept: array[int], block: int = 256) -> list[int]:
    """The rows whose stamps differ between two arrays of the same rows: compared a block of
    rows at a time (in C), then row by row inside the blocks that differ."""
    width = STAMP_FIELDS
    rows = max(len(now), len(kept)) // width
    found = []
    for start in range(0, rows, block):
        low, high = start * width, min(start + block, rows) * width
        if now[low:high] != kept[low:high]:
            found += [
                row
                for row in range(start, min(start + block, rows))
                if now[row * width : (row + 1) * width] != kept[row * width : (row + 1) * width]
            ]
    return found


class _PatchedColumn:
    """A column of a patched copy: the kept rows' values in runs, and the fresh summaries' own."""

    def __init__(self, kept: FolderCopy, name: str, pieces: Sequence[tuple[int, int] | SessionSummary]) -> None:
        self.kept, self.name, self.pieces = kept, name, pieces

    def load(self) -> list[Any]:
        column, values = self.kept.column(self.name), []
        for piece in self.pieces:
            if isinstance(piece, tuple):
                values += column[piece[0] : piece[1]]
            else:
                values.append(getattr(piece, self.name))
        return values


def _summary_stamp(s: SessionSummary) -> tuple[int, int, int, int]:
    return s.size, s.mtime_ns, s.inode, s.ctime_ns


def _distrust(s: SessionSummary, trusted_before: int) -> bool:
    return s.status == "newer" or s.mtime_ns >= trusted_before or s.ctime_ns >= trusted_before


def _encoded_entries(summaries: Sequence[SessionSummary]) -> list[bytes]:
    return [json_shown(entry).encode("utf-8", "surrogatepass") for entry in summary_entries(list(summaries))]


def _joined(entries: Sequence[bytes | memoryview]) -> list[bytes | memoryview]:
    """The listing's text around and between `entries`, as parts: joined when there are many (a
    copy made afresh), each as it is when there are few (runs of a patched copy, copied once)."""
    if not entries:
        return [b"[]"]
    if len(entries) > 64:
        return [_OPENING + _SEPARATOR.join(entries) + _CLOSING]
    parts: list[bytes | memoryview] = [_OPENING]
    for entry in entries:
        parts += (entry, _SEPARATOR)
    parts[-1] = _CLOSING
    return parts
