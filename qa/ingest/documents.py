"""Read one document file: its text, exactly as quotes will cite it, and its metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.files import relative
from qa.ingest.metadata import describe
from qa.records import Document, Skipped


@dataclass(frozen=True)
class LoadedDocument:
    document: Document
    text: str


def doc_id_for(rel_path: str) -> str:
    """Stable across rebuilds and edits: derived from the path, not the content."""
    return "d" + hashlib.sha256(rel_path.encode("utf-8")).hexdigest()[:11]


def read_document(path: Path, corpus: Path) -> LoadedDocument | Skipped:
    rel = relative(path, corpus)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Skipped(rel, f"cannot be read ({exc.strerror or exc})")
    if b"\x00" in raw[:8192]:
        return Skipped(rel, "looks binary")
    try:
        # read once, decoded as text mode would (universal newlines), so the check and the text agree
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return Skipped(rel, "is not valid UTF-8")
    if not text.strip():
        return Skipped(rel, "is empty")
    title, publisher, date = describe(text)
    doc = Document(
        doc_id=doc_id_for(rel),
        path=rel,
        title=title,
        publisher=publisher,
        date=date,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
    )
    return LoadedDocument(doc, text)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
