"""Plain text and Markdown, in whatever encoding they were saved.

UTF-8 files keep exactly the text qa has always quoted from them (only CRLF and CR
become LF, as Python's universal newlines did), because indexes built before
readers existed hold offsets into that text and reuse them for unchanged files.
Other encodings were never readable before, so their text gets the full
normalisation. Single-byte text is read as cp1252 (a superset of Latin-1 in
practice) whenever charset-normalizer finds cp1252 coherent, and only otherwise as
its own first guess: for short Western text that guess is often cp1250 or cp852,
which turn "ñ" into "ń" and curly quotes into box letters.
"""

from __future__ import annotations

import codecs
import re

from qa.ingest.readers.base import Layout, Metadata, ReadResult, Unreadable, library_version, newlines, normalise

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF = 8192
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)[^\n]*\n.*?^[ \t]{0,3}\1[`~]*[ \t]*$", re.MULTILINE | re.DOTALL)  # Markdown code: one block


class TextReader:
    name = "charset-normalizer"
    suffixes: tuple[str, ...] = (".txt", ".md")

    @property
    def version(self) -> str:
        return library_version("charset-normalizer")  # read when a build records it, not on every start

    def read(self, data: bytes, path: str) -> ReadResult:
        from qa.ingest.metadata import describe_sourced

        utf8, text = decode(data)
        text = newlines(text) if utf8 else normalise(text)
        found = describe_sourced(text)
        meta = Metadata(**{name: value for name, value, _ in found}, origins=tuple((name, origin) for name, _, origin in found))
        fmt = "markdown" if path.lower().endswith(".md") else "text"
        code = tuple(m.span() for m in _FENCE.finditer(text)) if fmt == "markdown" else ()
        return ReadResult(text=text, format=fmt, metadata=meta, layout=Layout(blocks=code))


def decode(data: bytes) -> tuple[bool, str]:
    """(was it UTF-8, the decoded text). A UTF-8 byte order mark stays in the text, as it always has."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8" and b"\x00" in data[:_SNIFF]:
                raise Unreadable("looks binary")
            try:
                return encoding == "utf-8", data.decode(encoding)
            except UnicodeDecodeError:
                raise Unreadable(f"starts with a {encoding.upper()} byte order mark but is not {encoding.upper()}") from None
    head = data[:_SNIFF]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        try:
            if utf16:
                return False, data.decode(utf16)
        except UnicodeDecodeError:
            pass
        raise Unreadable("looks binary")
    try:
        return True, data.decode("utf-8")
    except UnicodeDecodeError:
        return False, _single_byte(data)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a NUL in most other bytes, on the same side
    (a few bytes of binary with a NUL in them do not count)."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 16 or (len(head) % 2 and len(head) < _SNIFF):
        return None
    if odd.count(0) >= 0.6 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.6 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _single_byte(data: bytes) -> str:
    from charset_normalizer import from_bytes

    western = from_bytes(data, cp_isolation=["cp1252"]).best()  # None when cp1252 makes a mess of it
    chosen = western or from_bytes(data).best()
    if chosen is not None:
        return str(chosen)
    try:  # charset-normalizer gives up on text with a stray control character; cp1252 still reads it
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    if not text or controls > 0.01 * len(text):
        raise Unreadable("is in a text encoding that could not be recognised")
    return text
