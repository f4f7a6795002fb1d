"""One reader per document format, chosen by the file's suffix.

The readers import their libraries only when they read, so importing this package
(to list suffixes, or to find a reader) costs nothing; `read` is the one place
where a library's own exception becomes a one-line Unreadable reason.
"""

from __future__ import annotations

from qa.ingest.readers.base import Metadata, Page, Reader, ReadResult, Unreadable, normalise
from qa.ingest.readers.docx import DocxReader
from qa.ingest.readers.email import EmailReader
from qa.ingest.readers.html import HtmlReader
from qa.ingest.readers.pdf import PdfReader
from qa.ingest.readers.text import TextReader

READERS: tuple[Reader, ...] = (TextReader(), HtmlReader(), PdfReader(), DocxReader(), EmailReader())
SUFFIXES: tuple[str, ...] = tuple(s for r in READERS for s in r.suffixes)
_BY_SUFFIX = {s: r for r in READERS for s in r.suffixes}

__all__ = ["READERS", "SUFFIXES", "Metadata", "Page", "ReadResult", "Reader", "Unreadable", "normalise", "read", "reader_for"]


def reader_for(path: str) -> Reader | None:
    """The reader for a file name's suffix, whatever its case; None for a format qa does not read."""
    name = str(path).rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:].lower()) if dot > 0 else None


def read(data: bytes, path: str) -> ReadResult:
    """The file's text through its reader. Raises Unreadable, and only Unreadable, with a one-line reason."""
    reader = reader_for(path)
    if reader is None:
        raise Unreadable("is not in a format qa reads")
    try:
        return reader.read(data, path)
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable(f"is nested too deeply for {reader.name} to read") from None
    except MemoryError:
        raise Unreadable("is too large to read in memory") from None
    except Exception as exc:
        detail = " ".join(str(exc).split())[:200]
        raise Unreadable(f"could not be read by {reader.name} ({type(exc).__name__}{': ' + detail if detail else ''})") from None
