"""Sentence boundaries as document offsets.

Quotes must be verbatim, so sentences are never rebuilt from tokens: they are
(start, end) spans into the original text, trimmed of surrounding white space.
A sentence never runs past its paragraph (qa.ingest.paragraphs): a blank line, a
heading or a block ends it, a line wrapped inside a paragraph does not.
No span is longer than MAX_CHARS: a "sentence" without end punctuation (a 5 MB
line of a log, a table) is cut at white space, or hard where it has none, so
that no quote, score or chat card has to hold megabytes of one sentence.
"""

from __future__ import annotations

import re

from qa import rules
from qa.ingest.metadata import DATE_LINE
from qa.ingest.paragraphs import paragraphs
from qa.ingest.readers.base import Layout

# End punctuation, optional closing quotes/brackets, white space, then something
# that can open a sentence.
_BOUNDARY = re.compile(r"""[.!?]+[”"'’)\]]*(?=\s+[“"‘'(\[]?[A-Z0-9ÁÉÍÓÚÑ])""")
_ABBREVIATIONS = rules.words("abbreviations") | {m[:3] for m in rules.ordered("months") if m != "may"} | {"sept"}
MAX_CHARS = 1_000  # the longest sentence span; longer ones are cut at white space
_LAST_WORD = re.compile(r"([\w.]+)[.!?]*[”\"'’)\]]*$")


def _is_abbreviation(text: str, start: int, stop: int) -> bool:
    """True when the '.' ending at `stop` closes an abbreviation, not a sentence."""
    if text[stop - 1] != "." and not text[start:stop].rstrip("”\"'’)]").endswith("."):
        return False
    match = _LAST_WORD.search(text, max(start, stop - 64), stop)  # the last word only: linear on a long run
    if not match:
        return False
    word = match.group(1).rstrip(".")
    if not word:
        return False
    if "." in word:  # U.S., a.m.
        return True
    if len(word) == 1 and word.isupper():  # initials: J. Smith
        return True
    return word.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def cut_long(text: str, start: int, end: int, most: int = MAX_CHARS) -> list[tuple[int, int]]:
    """(start, end) cut into trimmed pieces of at most `most` characters, at a space (hard where there is none)."""
    pieces = []
    while end - start > most:
        cut = text.rfind(" ", start + 1, start + most)
        cut = cut if cut > start else start + most
        stop = cut
        while text[stop - 1].isspace():  # "a  b" or a tab before the cut: the piece stays trimmed
            stop -= 1
        pieces.append((start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def split_sentences(text: str, layout: Layout = Layout()) -> list[tuple[int, int]]:
    """Return the (start, end) span of every non-blank sentence in `text`, none over MAX_CHARS."""
    spans: list[tuple[int, int]] = []
    for start, end in _split(text, layout):
        if end - start <= MAX_CHARS:
            spans.append((start, end))
        else:
            spans.extend(cut_long(text, start, end))
    return spans


def _split(text: str, layout: Layout) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    block_starts = {a for a, _ in layout.blocks}
    for para in paragraphs(text, layout):
        cursor = para.start
        marker = DATE_LINE.match(text, para.start, para.end)
        if marker:  # a leading "date 2026-01-14" is not part of the first sentence
            spans.append(_trim(text, para.start, marker.end()))
            cursor = marker.end()
        if para.heading or para.start in block_starts:  # a heading, or code: one span, its lines as they are
            start, end = _trim(text, cursor, para.end)
            spans += [(start, end)] if start < end else []
            continue
        for match in _BOUNDARY.finditer(text, para.start, para.end):
            if _is_abbreviation(text, cursor, match.end()):
                continue
            start, end = _trim(text, cursor, match.end())
            if start < end:
                spans.append((start, end))
            cursor = match.end()
        start, end = _trim(text, cursor, para.end)
        if start < end:
            spans.append((start, end))
    return spans


def line_of(text: str, offset: int) -> int:
    """1-based line number of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1
