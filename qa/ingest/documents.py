"""Read one document file: its text, exactly as quotes will cite it, and its metadata.

The file is read once; its reader (by suffix, qa.ingest.readers) turns the bytes
into text, and what `sources.csv` states overrides what the file says about itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.files import SOURCES_FILE, relative
from qa.ingest.readers import Unreadable, read
from qa.ingest.readers.base import FIELDS
from qa.ingest.sources import Sources
from qa.records import Document, Skipped


@dataclass(frozen=True)
class LoadedDocument:
    document: Document
    text: str
    noise: tuple[tuple[int, int], ...] = ()  # spans the reader knows are not content (running headers, footers)
    quoted: tuple[tuple[int, int], ...] = ()  # someone else's words (e-mail lines quoted with ">")


def doc_id_for(rel_path: str) -> str:
    """Stable across rebuilds and edits: derived from the path, not the content."""
    return "d" + hashlib.sha256(rel_path.encode("utf-8")).hexdigest()[:11]


def read_document(path: Path, corpus: Path, sources: Sources = Sources()) -> LoadedDocument | Skipped:
    rel = relative(path, corpus)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Skipped(rel, f"cannot be read ({exc.strerror or exc})")
    try:
        got = read(raw, rel)
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
    return LoadedDocument(doc, got.text, got.noise, got.quoted)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
