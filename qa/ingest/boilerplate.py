"""Recognise site boilerplate so it is never offered as an answer.

News pages carry donation appeals, "MORE STORIES" link lists with their
"N minutes ago" lines, photo captions with credits, and topic blurbs. These are
decided per paragraph (qa.ingest.paragraphs), because an appeal or a caption is a whole
paragraph, and a tail marker such as "MORE STORIES" turns everything after it
into boilerplate.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from qa import rules
from qa.ingest.metadata import DATE_LINE
from qa.ingest.paragraphs import paragraphs
from qa.ingest.readers.base import Layout

BODY, HEADING, BOILERPLATE, QUOTED, CAPTION = "body", "heading", "boilerplate", "quoted", "caption"


def answerable(kind: str) -> bool:
    """Body sentences, photo captions (facts in the outlet's own words: "after landing at a Manhattan
    helipad") and someone else's words quoted in an e-mail are quoted as answers, the last two
    labelled so; headings are context, boilerplate (and a photo's credit) is noise."""
    return kind in (BODY, QUOTED, CAPTION)


def _overlaps(spans: Sequence[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans` (sorted, with `starts` their start offsets)."""
    i = bisect.bisect_right(starts, start) - 1
    return any(0 <= j < len(spans) and spans[j][0] < end and spans[j][1] > start for j in (i, i + 1))

_APPEAL = re.compile(rf"\b({rules.phrases('appeal_phrases')})\b", re.IGNORECASE)
_LEGAL = re.compile(rf"\b({rules.phrases('legal_phrases')})\b", re.IGNORECASE)
_LINK_PREFIX = re.compile(rf"^\s*({rules.phrases('link_prefixes')})\s*:", re.IGNORECASE)
_ADDRESS = rules.words("reader_address")
_ALONE = 6  # words: a paragraph this short holding an appeal phrase is furniture ("Advertisement", "Subscribe now")
_TAIL_MARKER = re.compile(rf"^\s*({rules.phrases('tail_markers')})\s*:?\s*$", re.IGNORECASE)
_RELATIVE_TIME = re.compile(
    r"^\s*(published\s+|updated\s+)?(\d+|an?|one)\s+(second|minute|hour|day|week)s?\s+ago\s*$", re.IGNORECASE
)
_TIMESTAMP = re.compile(r"^\s*(originally\s+)?(published|updated)\b.{0,40}$", re.IGNORECASE)
# A caption ends with a credit such as "(Carlos Becerra/Getty Images)" or "(Photo by X/Y)".
_CREDIT = re.compile(r"\((photo|image|picture)s? (by|credit)[^)]*\)|\([^()]{2,80}/[^()]{2,80}\)\s*$", re.IGNORECASE)
# A byline says who wrote the piece, which a reader may ask about: it is body text.
_BYLINE = re.compile(r"^\s*By\s+[A-Z][\w.'’-]+(\s+[\w.'’-]+){0,8},\s*[\w .&]+$")
_LIST_DASH = re.compile(r"^\s*[-–—•]\s*$")


def _appeal(line: str) -> bool:
    """A paragraph that asks its reader for something or is the site's legal furniture: an appeal phrase in a
    paragraph that opens with it, speaks to the reader or stands nearly alone; a legal phrase anywhere."""
    found = _APPEAL.search(line)
    if found is None:
        return _LEGAL.search(line) is not None
    words = re.findall(r"[\w’']+", line.lower())
    opens = not re.search(r"\w", line[:found.start()])
    return opens or len(words) <= _ALONE or any(w in _ADDRESS for w in words)


def _key(line: str) -> str:
    return " ".join(line.lower().split()[:12])


def _line_kind(line: str, seen: set[str]) -> str | None:
    stripped = line.strip()
    if not stripped:
        return None
    if (
        _appeal(stripped)
        or _LINK_PREFIX.match(stripped)
        or _RELATIVE_TIME.match(stripped)
        or _TIMESTAMP.match(stripped)
        or _LIST_DASH.match(stripped)
        or _key(stripped) in seen
    ):
        return BOILERPLATE
    if _CREDIT.search(stripped):  # a caption: its credit is split off as a span of its own (split_credits)
        return CAPTION
    if _BYLINE.match(stripped):
        return BODY
    return None


def split_credits(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with a photo credit at their end ("... in Caracas (Carlos Becerra/Getty Images)") cut in two,
    so the caption can be quoted and the credit never is."""
    out = []
    for start, end in spans:
        match = _CREDIT.search(text, start, end)
        if match and match.end() >= end - 1 and match.start() > start:
            cut = match.start()
            while cut > start and text[cut - 1].isspace():
                cut -= 1
            out += [(start, cut), (match.start(), end)] if cut > start else [(start, end)]
        else:
            out.append((start, end))
    return out


def classify(text: str, spans: list[tuple[int, int]], noise: Sequence[tuple[int, int]] = (),
             quoted: Sequence[tuple[int, int]] = (), layout: Layout = Layout(), *, headings: bool = True) -> list[str]:
    """Give each sentence span a kind: body, heading, boilerplate or quoted. A reader's `noise`
    (running headers and footers) is boilerplate; its `quoted` spans are someone else's words;
    a heading is one by its paragraph's position and form (qa.ingest.paragraphs). Without
    `headings` (an e-mail), a short line is body, not a heading."""
    noise, quoted = sorted(noise), sorted(quoted)
    noise_starts, quoted_starts = [s for s, _ in noise], [s for s, _ in quoted]
    line_kinds: list[tuple[int, int, str | None]] = []
    seen: set[str] = set()
    tail = False
    for para in paragraphs(text, layout):
        line = text[para.start:para.end]
        if not tail and _TAIL_MARKER.match(line):
            tail = True
        kind = BOILERPLATE if tail else _line_kind(line, seen)
        if kind is None and para.heading:
            kind = HEADING
        # A repeated paragraph is a caption printed twice or a recycled blurb.
        if len(_key(line)) > 40:
            seen.add(_key(line))
        line_kinds.append((para.start, para.end, kind))
    if not headings:  # an e-mail is what its sender typed: "Blah blah blah" heads nothing, it is the message
        line_kinds = [(a, b, None if kind == HEADING else kind) for a, b, kind in line_kinds]

    kinds: list[str] = []
    i = 0
    for start, end in spans:
        while i < len(line_kinds) and line_kinds[i][1] <= start:
            i += 1
        line_kind = line_kinds[i][2] if i < len(line_kinds) else None
        sentence = text[start:end]
        if (DATE_LINE.fullmatch(sentence.rstrip()) or _TIMESTAMP.match(sentence) or _RELATIVE_TIME.match(sentence)
                or _overlaps(noise, noise_starts, start, end) or _CREDIT.fullmatch(sentence.strip())):
            kinds.append(BOILERPLATE)
        elif line_kind is None and _overlaps(quoted, quoted_starts, start, end):
            kinds.append(QUOTED)
        else:
            kinds.append(line_kind or BODY)
    return kinds
