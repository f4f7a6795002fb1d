"""Read one document file: its text, exactly as quotes will cite it, and its metadata.

The file is read once, through qa.ingest.files.read_file (regular files only, within
the size limit, checked against its own fstat); its reader (by suffix,
qa.ingest.readers) turns the bytes into text, and what `sources.csv` states
overrides what the file says about itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.ingest.budget import read_within
from qa.ingest.files import SOURCES_FILE, FileStat, Refused, read_file, relative, why_unreadable
from qa.ingest.metadata import describe_sourced, file_date
from qa.ingest.readers import ReadResult, Unreadable
from qa.ingest.readers.base import FIELDS, Layout
from qa.ingest.sources import Sources
from qa.records import Document, Skipped


@dataclass(frozen=True)
class LoadedDocument:
    document: Document
    text: str
    noise: tuple[tuple[int, int], ...] = ()  # spans the reader knows are not content (running headers, footers)
    quoted: tuple[tuple[int, int], ...] = ()  # someone else's words (e-mail lines quoted with ">")
    stat: FileStat | None = None  # size and modification time of the bytes that were read
    layout: Layout = field(default_factory=Layout)  # what the reader knows of the text's paragraphs, headings and code


def doc_id_for(rel_path: str) -> str:
    """Stable across rebuilds and edits: derived from the path, not the content."""
    return "d" + hashlib.sha256(rel_path.encode("utf-8")).hexdigest()[:11]


def read_document(path: Path, corpus: Path, sources: Sources = Sources(),
                  known: LoadedDocument | None = None) -> LoadedDocument | Skipped:
    """`known` is what the same code made of this path before: it is returned, not read again,
    when the file still holds the same bytes (reading a web page costs a hundred times hashing it)."""
    rel = relative(path, corpus)
    try:
        raw, st = read_file(path)
    except Refused as exc:
        return Skipped(rel, exc.reason)
    except OSError as exc:
        return Skipped(rel, why_unreadable(exc))
    if known is not None and known.document.sha256 == hashlib.sha256(raw).hexdigest():
        return replace(known, stat=st)
    try:
        got = read_within(raw, rel)
    except Unreadable as exc:
        return Skipped(rel, exc.reason)
    if not got.text.strip():
        return Skipped(rel, "has no text" if got.format in ("pdf", "docx", "html", "email") else "is empty")
    meta = {name: getattr(got.metadata, name) for name in FIELDS}
    origins = dict(got.metadata.origins)
    if got.format in ("html", "docx"):  # what the markup leaves unsaid, the article's byline, dateline or stamp may state
        for name, value, origin in describe_sourced(got.text):
            if not meta[name] and origin not in ("headline", "front-matter", "text"):
                meta[name], origins[name] = value, origin
    if not meta["date"]:
        meta["date"] = file_date(rel)
        origins["date"] = "file name"
    for name, value in sources.rows.get(rel, {}).items():
        meta[name], origins[name] = value, SOURCES_FILE
    doc = Document(
        lines=_file_lines(raw, got),
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
    return LoadedDocument(doc, got.text, got.noise, got.quoted, st, got.layout)


def _file_lines(raw: bytes, got: ReadResult) -> tuple[tuple[int, int], ...]:
    """For a web page or an e-mail, the line of the file where each of its sentences begins (when found)."""
    if got.format not in ("html", "email"):
        return ()
    from qa.ingest.lines import locate
    from qa.ingest.readers.html import decode
    from qa.ingest.sentences import split_sentences

    try:
        source = decode(raw) if got.format == "html" else raw.decode("utf-8", errors="replace")
    except Unreadable:
        return ()
    return locate(source, got.text, split_sentences(got.text, got.layout), markup=got.format == "html")


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes, read as a document is (raises OSError, or Refused for a file qa does not read)."""
    return hashlib.sha256(read_file(path)[0]).hexdigest()
