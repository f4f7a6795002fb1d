"""What the documents say about a topic, in the order it happened or was said.

Each sentence qa would show for the topic is dated by its own date words, resolved
at build time against its document's date ("Tuesday" in an article of Wednesday
2026-01-14 is 2026-01-13), else by its document's date. The entry says which
(`date_basis`: "stated" for a date written out, "resolved" for relative words,
"published" for the document's date) and quotes the words the date came from.
A sentence with neither is listed apart, never given a guessed date.
"""

from __future__ import annotations

import re

from qa import rules
from qa.index.loaded import Index
from qa.rank import model
from qa.rank.model import Candidate
from qa.records import Passage, Timeline, TimelineEntry
from qa.retrieve.query import Query

MOST = 20  # entries at most
DUPLICATE = 0.6  # word-set Jaccard at which two sentences are the same report (wire copy)
_MON = "(?:" + "|".join(m[:3] for m in rules.ordered("months")) + ")"
_EXPLICIT = re.compile(rf"\b{rules.YEAR}\b|\b{_MON}[a-z]*\.? \d{{1,2}}\b|\b\d{{1,2}} {_MON}[a-z]*\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def order(index: Index, query: Query, ranked: list[Candidate], min_score: float | None) -> Timeline:
    """The sentences qa would show for the topic (at or above --min-score), dated and ordered; wire copy once."""
    ranker = model.load()
    bar = ranker.min_score if min_score is None else min_score
    shown = [c for c in ranked if ranker.calibrated(c) >= bar]
    dated: list[TimelineEntry] = []
    undated: list[TimelineEntry] = []
    seen: list[set[str]] = []
    for c in shown:
        if len(dated) + len(undated) >= MOST:
            break
        passage = index.passage(c.row)
        words = {w.lower() for w in _WORD.findall(passage.text)}
        if any(len(words & other) / len(words | other) >= DUPLICATE for other in seen if words | other):
            continue
        seen.append(words)
        entry = _entry(passage)
        (dated if entry.date else undated).append(entry)
    dated.sort(key=lambda e: (e.date or "", e.date_end or "", e.citation.path, e.citation.start or 0))
    return Timeline(query.text, tuple(dated), tuple(undated))


def _entry(p: Passage) -> TimelineEntry:
    for mention in p.dates:
        if mention.date or (mention.start_date and mention.end_date):  # "since 1999" is no event's date
            words = p.words(mention.start, mention.end)
            basis = "stated" if _EXPLICIT.search(words) else "resolved"
            return TimelineEntry(mention.date or mention.start_date, None if mention.date else mention.end_date, basis,
                                 words, p.text, p.citation)
    published = p.citation.date
    return TimelineEntry(published, None, "published" if published else None, None, p.text, p.citation)
