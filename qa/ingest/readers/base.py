"""The seam every format reader sits behind, and the one text normalisation they share.

A reader turns a file's bytes into the text that is indexed and quoted, so every
offset it reports (pages, noise, quoted spans) must be an offset into that exact
returned text: normalisation happens first and offsets are measured afterwards.
Nothing crossing this seam is a library object, so a reader's library can change
without the rest of qa noticing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from qa.records import Page

FIELDS = ("title", "publisher", "author", "date", "url")


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    url: str | None = None
    origins: tuple[tuple[str, str], ...] = ()  # (field, where it was read), e.g. ("date", "pdf-info")

    def origin(self, field: str) -> str | None:
        return next((where for name, where in self.origins if name == field), None)


@dataclass(frozen=True)
class Layout:
    """What a reader knows of how its text is laid out, for the sentence splitter and the classifier."""

    wrapped: bool = True  # a single line break may be a wrap inside a paragraph (plain text, e-mail, PDF)
    headings: tuple[tuple[int, int], ...] = ()  # spans the format marks as headings (HTML h1-h6, Markdown #)
    blocks: tuple[tuple[int, int], ...] = ()  # spans kept whole, as one span: code


@dataclass(frozen=True)
class ReadResult:
    text: str
    format: str  # "text" | "markdown" | "html" | "pdf" | "docx" | "email"
    metadata: Metadata
    pages: tuple[Page, ...] = ()
    noise: tuple[tuple[int, int], ...] = ()  # spans known not to be content: running headers, footers, page numbers
    quoted: tuple[tuple[int, int], ...] = ()  # someone else's words, such as e-mail lines quoted with ">"
    notes: tuple[str, ...] = ()  # what a person should know about how the text was got
    layout: Layout = field(default_factory=Layout)


class Unreadable(Exception):
    """A file this reader cannot turn into text; the message is one line that follows the file's name."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Reader(Protocol):
    name: str  # the library doing the work, e.g. "trafilatura"
    suffixes: tuple[str, ...]

    @property
    def version(self) -> str: ...  # that library's installed version

    def read(self, data: bytes, path: str) -> ReadResult: ...


# Line breaks of every kind become "\n", so splitting on lines and counting "\n" agree.
# Soft hyphens, byte order marks / zero-width no-break spaces, U+FFFE (PDFium's mark for a
# word hyphenated across a line end) and NUL carry no text and are removed. Other C0
# controls become a space rather than vanishing, so the words they separated stay apart.
# Tab and form feed (the page separator) are kept.
_TABLE: dict[int, str | None] = {cp: " " for cp in [*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F]}
_TABLE.update({0x0B: "\n", 0x0D: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"})
_TABLE.update({0x00: None, 0xAD: None, 0xFEFF: None, 0xFFFE: None})


def normalise(text: str) -> str:
    """The text as indexed: one kind of line break, no invisible or control characters (see _TABLE)."""
    return text.replace("\r\n", "\n").translate(_TABLE)


def newlines(text: str) -> str:
    """Only CRLF and CR to LF: what Python's universal newlines did to .txt files before readers."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@functools.cache
def library_version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def iso_date(value: object) -> str | None:
    """YYYY-MM-DD from a date, a datetime or a string that starts with an ISO date; else None."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        match = _ISO.match(value.strip())
        if match:
            try:
                return date(*map(int, match.groups())).isoformat()
            except ValueError:
                return None
    return None


def metadata(origin: str, **fields: str | None) -> Metadata:
    """Metadata whose every stated field came from one place."""
    cleaned = {k: " ".join(v.split()) for k, v in fields.items() if isinstance(v, str) and v.strip()}
    return Metadata(**cleaned, origins=tuple((k, origin) for k in FIELDS if k in cleaned))


def line_spans(text: str, start: int = 0):
    """(start, end) of each line of `text` (without its "\n"), offset by `start`."""
    pos = 0
    for line in text.split("\n"):
        yield start + pos, start + pos + len(line)
        pos += len(line) + 1
