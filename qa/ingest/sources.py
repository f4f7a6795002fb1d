"""Metadata a person states: `sources.csv` at the corpus root overrides what the files say.

A reader can only find what a file states about itself; a journalist knows which
outlet a saved page came from. Columns `path,title,publisher,author,date,url`
(any may be empty, an empty cell overrides nothing); `path` is relative to the
corpus folder. A bad row is named in a warning and otherwise ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from qa.ingest.files import SOURCES_FILE as FILE
from qa.ingest.files import read_file, why_unreadable
from qa.ingest.metadata import parse_date

FIELDS = ("title", "publisher", "author", "date", "url")


@dataclass(frozen=True)
class Sources:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> field -> value
    notes: tuple[str, ...] = ()
    sha256: str | None = None  # of the file, so a change to it is a change to the corpus

    def unused(self, paths: set[str]) -> tuple[str, ...]:
        """One warning for the rows that name no document (the first few named), however many there are."""
        missing = [path for path in self.rows if path not in paths]
        if not missing:
            return ()
        named = ", ".join(repr(path) for path in missing[:_NAMED])
        more = f" and {len(missing) - _NAMED:,} more" if len(missing) > _NAMED else ""
        count = f" ({len(missing):,} rows name no document)" if len(missing) > 1 else ""
        return (f"{FILE}: no document at {named}{more}{count}",)


_NAMED = 3


def _path(value: str) -> str:
    value = value.strip().replace("\\", "/")
    while value.startswith("./"):
        value = value[2:]
    return value


def _linked_away(corpus: Path, follow_symlinks: bool) -> bool:
    """Whether sources.csv is a link that is not followed, as a document's would not be (to nothing, or out of
    the corpus without --follow-symlinks): the scan of the corpus names it, and it is not read."""
    where = corpus / FILE
    if not where.is_symlink():
        return False
    real, top = os.path.realpath(where), os.path.realpath(corpus)
    return not os.path.exists(real) or (not follow_symlinks and os.path.commonpath([real, top]) != top)


def raw_sources(corpus: Path, follow_symlinks: bool = False) -> bytes | None:
    """The bytes of sources.csv as a build reads them (None: there is none, or it is not read)."""
    if _linked_away(corpus, follow_symlinks):
        return None
    try:
        return read_file(corpus / FILE)[0]  # a regular file only, within the size limit
    except OSError:
        return None


def read_sources(corpus: Path, follow_symlinks: bool = False) -> Sources:
    if _linked_away(corpus, follow_symlinks):
        return Sources()
    try:
        raw = read_file(corpus / FILE)[0]  # a regular file only, within the size limit
    except FileNotFoundError:
        return Sources()
    except OSError as exc:
        return Sources(notes=(f"{FILE} {why_unreadable(exc)}",))
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Sources(notes=(f"{FILE} is not UTF-8; it was ignored",), sha256=digest)
    rows, notes = _parse(text)
    return Sources(rows, tuple(notes), digest)


def template(rows: list[tuple[str, dict[str, str | None]]], header: bool = True) -> str:
    """A `sources.csv` to fill in: one row per (path, fields), each field the file states already written
    in (a cell left empty overrides nothing)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(("path", *FIELDS))
    for path, values in rows:
        writer.writerow((path, *(values.get(name) or "" for name in FIELDS)))
    return out.getvalue()

def _parse(text: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    notes: list[str] = []
    rows: dict[str, dict[str, str]] = {}
    first_line: dict[str, int] = {}
    columns: list[str] | None = None
    line = reader.line_num + 1
    try:
        for cells in reader:
            if columns is None:
                if not any(c.strip() for c in cells):  # blank lines before the header
                    line = reader.line_num + 1
                    continue
                columns = [c.strip().lower() for c in cells]
                if "path" not in columns:
                    return {}, [f"{FILE} has no 'path' column (its first line is {', '.join(map(repr, cells))[:200]}); "
                                "it was ignored"]
                notes += [f"{FILE}: unknown column {c!r} ignored" for c in dict.fromkeys(columns) if c not in ("path", *FIELDS)]
                notes += [f"{FILE}: column {c!r} appears {columns.count(c)} times; the last one is used"
                          for c in dict.fromkeys(columns) if columns.count(c) > 1]
                line = reader.line_num + 1
                continue
            if not any(c.strip() for c in cells):
                line = reader.line_num + 1
                continue
            if "\n" in "".join(cells) or "\r" in "".join(cells):
                notes.append(f"{FILE} line {line}: a value runs over several lines (check for a quote left open)")
            _row(dict(zip(columns, (c.strip() for c in cells))), line, rows, first_line, notes)
            line = reader.line_num + 1
    except csv.Error as exc:
        notes.append(f"{FILE} line {line}: {exc} (a quote left open?); that row and the rows after it were ignored")
    if columns is None:
        notes.append(f"{FILE} is empty; it was ignored")
    return rows, notes


def _row(cells: dict[str, str], line: int, rows: dict[str, dict[str, str]], first_line: dict[str, int],
         notes: list[str]) -> None:
    path = _path(cells.get("path", ""))
    if not path:
        notes.append(f"{FILE} line {line}: no path")
        return
    if path in first_line:
        notes.append(f"{FILE} line {line}: {path!r} is also on line {first_line[path]}; line {line} is used")
    first_line[path] = line
    values = {name: cells[name] for name in FIELDS if cells.get(name)}
    if "date" in values:
        day = parse_date(values["date"])
        if day is None:
            notes.append(f"{FILE} line {line}: date {values['date']!r} is not a date from 0001-01-01 to "
                         "9999-12-31 (YYYY-MM-DD); the row's other fields are used")
            del values["date"]
        else:
            values["date"] = day
    rows[path] = values
