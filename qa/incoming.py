"""Questions as they arrive, from the command line, a pipe or the chat: made text, and bounded.

A question reaches the tokenizer only as valid text of bounded length. Bytes that
are not UTF-8 (argv and stdin hand them over as lone surrogates) become U+FFFD, a
byte order mark is dropped, and a question longer than MAX_CHARS is refused: a
10 MB "question" once took 79 s to answer. Lines on stdin are read one at a time,
as they arrive, in bounded memory; a line that is not a question is reported
with its number and the others are still answered.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from qa.errors import QAError

MAX_CHARS = 2_000
_DRAIN = 1 << 16


@dataclass(frozen=True)
class Line:
    """One line of stdin: a question, or the reason it is not one (`text` is then None)."""

    number: int
    text: str | None
    problem: str | None = None
    note: str | None = None  # a warning that did not stop it (undecodable bytes replaced)


def clean(text: str) -> str:
    """The question as text: lone surrogates (undecodable bytes) as U+FFFD, no byte order mark, trimmed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        text = raw.decode("utf-8", "replace")
    return text.strip().lstrip("\ufeff").strip()


def too_long(text: str) -> str | None:
    if len(text) > MAX_CHARS:
        return f"the question is {len(text):,} characters long; a question can be at most {MAX_CHARS:,} characters"
    return None


def check(text: str) -> str:
    """The cleaned question, or a QAError (exit 2) when it is empty or too long."""
    text = clean(text)
    if not text:
        raise QAError("the question is empty")
    problem = too_long(text)
    if problem:
        raise QAError(problem)
    return text


def read_lines(stream: BinaryIO) -> Iterator[Line]:
    """The lines of `stream` that are not blank or # comments, each yielded as soon as it has arrived.

    UTF-8 by default, with undecodable bytes replaced (and said so); a leading UTF-8 or
    UTF-16 byte order mark picks that encoding. No line is held whole beyond MAX_CHARS.
    """
    buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    head = buffered.peek(4)[:4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(codecs.BOM_UTF32_LE):
        yield from _utf16_lines(io.TextIOWrapper(buffered, encoding="utf-16", errors="replace", newline=None))
        return
    number = 0
    limit = 4 * MAX_CHARS + 8  # bytes: MAX_CHARS characters of UTF-8 always fit
    while raw := buffered.readline(limit):
        number += 1
        cut = not raw.endswith(b"\n") and len(raw) >= limit
        while cut and (more := buffered.readline(_DRAIN)) and not more.endswith(b"\n"):
            pass  # the rest of an over-long line is skipped, never held
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            text, note = raw.decode("utf-8"), None
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
            note = f"stdin line {number} is not valid UTF-8; its undecodable bytes are read as U+FFFD (�)"
        line = _line(number, text, cut)
        if line is not None:
            yield Line(line.number, line.text, line.problem, note if line.text else None)


def _utf16_lines(text: io.TextIOWrapper) -> Iterator[Line]:
    number = 0
    while chunk := text.readline(MAX_CHARS + 2):
        number += 1
        cut = not chunk.endswith("\n") and len(chunk) >= MAX_CHARS + 2
        while cut and (more := text.readline(_DRAIN)) and not more.endswith("\n"):
            pass
        line = _line(number, chunk, cut)
        if line is not None:
            yield line


def _line(number: int, text: str, cut: bool) -> Line | None:
    """A line read from stdin as a question or a problem; None for a blank line or a # comment."""
    question = clean(text)
    if question.startswith("#"):
        return None
    if cut or len(question) > MAX_CHARS:
        return Line(number, None, f"stdin line {number} is longer than {MAX_CHARS:,} characters, the most a question "
                                  "can be; it was skipped")
    if "\x00" in question:
        return Line(number, None, f"stdin line {number} is not text (it holds NUL characters: UTF-16 without a byte "
                                  "order mark?); it was skipped")
    return Line(number, question) if question else None
