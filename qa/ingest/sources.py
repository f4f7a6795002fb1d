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
        """Warnings for rows that name no document."""
        return tuple(f"{FILE}: no document at {path!r}" for path in self.rows if path not in paths)


def _path(value: str) -> str:
    value = value.strip().replace("\\", "/")
    while value.startswith("./"):
        value = value[2:]
    return value


def read_sources(corpus: Path) -> Sources:
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
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "path" not in columns:
        return Sources(notes=(f"{FILE} has no 'path' column; it was ignored",), sha256=digest)
    notes = [f"{FILE}: unknown column {c!r} ignored" for c in columns if c not in ("path", *FIELDS)]
    rows: dict[str, dict[str, str]] = {}
    try:
        for line, row in enumerate(reader, start=2):
            cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
            path = _path(cells.get("path", ""))
            if not path:
                notes.append(f"{FILE} line {line}: no path")
                continue
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
    except csv.Error as exc:
        notes.append(f"{FILE}: {exc}; the rows after it were ignored")
    return Sources(rows, tuple(notes), digest)
