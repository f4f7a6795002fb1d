"""Paragraphs as their authors wrote them, whatever the line breaks.

Plain text, e-mail and PDF text are hard-wrapped: a line break inside a paragraph
is where the line was full, not where a sentence ends. A break is taken for a wrap
when the next line's first word would not have fitted on the line (so the writer
had to break there), or when the next line goes on in lower case after a long
line. A break is kept where anything says a new block starts: a blank line, a page
break, a list item, a quoted or indented line, a Markdown or reStructuredText
heading, a block the reader marks (code, a running head). Text whose lines are far
longer than any wrap (news copy with one paragraph per line, web pages) has no
wrapped lines at all.

A paragraph is a heading by position and form, not by length alone: one the reader
marks (HTML h1-h6, Markdown `#`), a line over a `===` rule, or a line standing
alone as its own paragraph, of at most 12 words, without end punctuation.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from qa.ingest.readers.base import Layout

MAX_WRAP = 200  # lines longer than this at the 90th percentile are paragraphs, not wrapped lines
MIN_WRAP, MIN_LINES = 40, 5  # a narrower or shorter text is not taken for wrapped: too little to tell
HEADING_WORDS = 12
_SEPARATOR = re.compile(r"[\n\f]")
_BLOCK_START = re.compile(r"\s*(?:[-*+•◦▪–]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s|#{1,6}\s|>|\||```|~~~|\.\.\s)"
                          r"|[A-Z][\w-]{0,30}:[ \t]")  # a list item, a quote, a table row, code, a "From: " header
_LIST = re.compile(r"\s*(?:[-*+•◦▪–]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+")
_FIELD = re.compile(r"\s*[A-Z][\w-]{0,30}:[ \t]+\S")
_RULE = re.compile(r"\s*([=\-~^*#+_])\1{2,}\s*$")
_MARKDOWN_HEADING = re.compile(r"\s{0,3}#{1,6}\s+\S")
_END = re.compile(r"""[.!?:;,][”"'’)\]]*$""")
_SENTENCE_END = re.compile(r"""[.!?][”"'’)\]]*$""")


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int  # the end of its last line, without the line break
    lines: int  # how many lines of the text it holds
    heading: bool


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for sep in _SEPARATOR.finditer(text):
        spans.append((pos, sep.start()))
        pos = sep.end()
    spans.append((pos, len(text)))
    return spans


def wrap_width(text: str, lines: list[tuple[int, int]]) -> int:
    """The width the text's lines were wrapped at (the 90th percentile of non-blank line lengths)."""
    lengths = sorted(len(text[a:b].rstrip()) for a, b in lines if not text[a:b].isspace() and a < b)
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _column(line: str) -> int:
    """Where a line's words start: after a list marker, or after its indent."""
    marker = _LIST.match(line)
    return marker.end() if marker else _indent(line)


def _continues(prev: str, nxt: str, first: str, width: int, base: int) -> bool:
    """Whether the line `nxt` goes on with the paragraph whose last line is `prev` (and first line `first`)."""
    if prev.lstrip().startswith(">") != nxt.lstrip().startswith(">"):
        return False
    if prev.lstrip().startswith(">"):
        prev, nxt, first = prev.lstrip()[1:], nxt.lstrip()[1:], first.lstrip()[1:]
    if _BLOCK_START.match(nxt) or _RULE.match(nxt) or _RULE.match(prev):
        return False
    if abs(_indent(nxt) - _indent(prev)) >= 3 and abs(_indent(nxt) - _column(first)) >= 3:
        return False
    if min(_indent(first), _indent(nxt)) >= base + 2 and not _LIST.match(first):  # an indented block: code, a literal
        return False
    words = nxt.split()
    if not words:
        return False
    p = prev.rstrip()
    lower = words[0][0].islower()
    if _SENTENCE_END.search(p) or p.endswith(":"):
        return lower and not p.endswith(":")
    if lower and len(p) >= 0.5 * width:
        return True
    return len(p) + 1 + len(words[0]) > 0.85 * width


def _standalone_heading(line: str, wrapped: bool) -> bool:
    stripped = line.strip()
    if _MARKDOWN_HEADING.match(line):
        return True
    if len(stripped.split()) > HEADING_WORDS or _RULE.match(line):
        return False
    if not wrapped and stripped.startswith("- "):  # news copy's one-line list of "- " items
        return True
    if _LIST.match(line) or _FIELD.match(line):  # a list item or a "Date: ..." line is no heading
        return False
    return not _END.search(stripped)


def paragraphs(text: str, layout: Layout = Layout()) -> list[Paragraph]:
    """The text's paragraphs (a code block or a running head is one of its own), in order."""
    lines = _lines(text)
    width = wrap_width(text, lines)
    wrapped = layout.wrapped and MIN_WRAP <= width <= MAX_WRAP and sum(a < b for a, b in lines) >= MIN_LINES
    indents = Counter(_indent(text[a:b]) for a, b in lines if text[a:b].strip()) if wrapped else Counter()
    base = indents.most_common(1)[0][0] if indents else 0  # the body's own indent (an RFC indents every line)
    blocks = sorted(layout.blocks)
    block_starts = [a for a, _ in blocks]
    marked = sorted(layout.headings)
    marked_starts = [a for a, _ in marked]

    def inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(starts, pos) - 1
        return spans[i] if i >= 0 and spans[i][0] <= pos < spans[i][1] else None

    out: list[Paragraph] = []
    current: list[tuple[int, int]] = []

    def close() -> None:
        if not current:
            return
        (a, _), (_, b) = current[0], current[-1]
        first = text[a:current[0][1]]
        underlined = i < len(lines) and _RULE.match(text[lines[i][0]:lines[i][1]]) is not None
        heading = (inside(marked, marked_starts, a) is not None or _RULE.match(first) is not None
                   or (underlined and len(current) == 1)
                   or (len(current) == 1 and (wrapped or layout.wrapped) and _standalone_heading(first, wrapped)))
        out.append(Paragraph(a, b, len(current), heading))
        current.clear()

    i, skip_to = 0, -1
    while i < len(lines):
        a, b = lines[i]
        if a < skip_to:
            i += 1
            continue
        block = inside(blocks, block_starts, a)
        if block is not None:
            close()
            out.append(Paragraph(block[0], block[1], text.count("\n", *block) + 1, False))
            skip_to = block[1]
            i += 1
            continue
        line = text[a:b]
        if not line.strip():
            close()
        elif current and wrapped and text[current[-1][1]] == "\n" and inside(marked, marked_starts, a) is None \
                and _continues(text[slice(*current[-1])], line, text[slice(*current[0])], width, base):
            current.append((a, b))
        else:
            close()
            current.append((a, b))
        i += 1
    close()
    return out
