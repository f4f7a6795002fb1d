"""Read one document file: its text, exactly as quotes will cite it, and its metadata.

The file is read once, through qa.ingest.files.read_file (regular files only, within
the size limit, checked against its own fstat); its reader (by suffix,
qa.ingest.readers) turns the bytes into text, and what `sources.csv` states
overrides what the file says about itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.budget import read_within
from qa.ingest.files import SOURCES_FILE, FileStat, Refused, read_file, relative, why_unreadable
from qa.ingest.readers import Unreadable
from qa.ingest.readers.base import FIELDS
from qa.ingest.sources import Sources
from qa.records import Document, Skipped


@dataclass(frozen=True)
class LoadedDocument:
    document: Document
    text: str
    noise: tuple[tuple[int, int], ...] = ()  # spans the reader knows are not content (running headers, footers)
    quoted: tuple[tuple[int, int], ...] = ()  # someone else's words (e-mail lines quoted with ">")
    stat: FileStat | None = None  # size and modification time of the bytes that were read


def doc_id_for(rel_path: str) -> str:
    """Stable across rebuilds and edits: derived from the path, not the content."""
    return "d" + hashlib.sha256(rel_path.encode("utf-8")).hexdigest()[:11]


def read_document(path: Path, corpus: Path, sources: Sources = Sources()) -> LoadedDocument | Skipped:
    rel = relative(path, corpus)
    try:
        raw, st = read_file(path)
    except Refused as exc:
        return Skipped(rel, exc.reason)
    except OSError as exc:
        return Skipped(rel, why_unreadable(exc))
    try:
        got = read_within(raw, rel)
    except Unreadable as exc:
        return Skipped(rel, exc.reason)
    if not got.text.strip():
        return Skipped(rel, "has no text" if got.format in ("pdf", "docx", "html", "email") else "is empty")
    meta = {name: getattr(got.metadata, name) for name in FIELDS}
    origins = dict(got.metadata.origins)
    for name, value in sources.rows.get(rel, {}).items():
        meta[name], origins[name] = value, SOURCES_FILE
    doc = Document(
        doc_id=doc_id_for(rel),
        path=rel,
        title=meta["title"],
        publisher=meta["publisher"],
        date=meta["date"],
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        author=meta["author"],
        url=meta["url"],
        format=got.format,
        pages=got.pages,
        origins=tuple((name, origins[name]) for name in FIELDS if meta[name] and name in origins),
        notes=got.notes,
    )
    return LoadedDocument(doc, got.text, got.noise, got.quoted, st)


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes, read as a document is (raises OSError, or Refused for a file qa does not read)."""
    return hashlib.sha256(read_file(path)[0]).hexdigest()
