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
from qa.rank.ranking import candidates
from qa.records import Filters, Timeline, TimelineEntry

MOST = 20  # entries at most
DUPLICATE = 0.6  # word-set Jaccard at which two sentences are the same report (wire copy)
_MON = "(?:" + "|".join(m[:3] for m in rules.ordered("months")) + ")"
_EXPLICIT = re.compile(rf"\b{rules.YEAR}\b|\b{_MON}[a-z]*\.? \d{{1,2}}\b|\b\d{{1,2}} {_MON}[a-z]*\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def timeline(index: Index, topic: str, filters: Filters = Filters(), min_score: float | None = None) -> Timeline:
    ranker = model.load()
    threshold = ranker.min_score if min_score is None else min_score
    dated: list[TimelineEntry] = []
    undated: list[TimelineEntry] = []
    seen: list[set[str]] = []
    for c in candidates(index, topic, filters):
        if ranker.calibrated(c) < threshold or len(dated) + len(undated) >= MOST:
            continue
        text = index.sentence_text(c.row)
        words = {w.lower() for w in _WORD.findall(text)}
        if any(len(words & other) / len(words | other) >= DUPLICATE for other in seen if words | other):
            continue
        seen.append(words)
        entry = _entry(index, c.row)
        (dated if entry.date else undated).append(entry)
    dated.sort(key=lambda e: (e.date or "", e.date_end or "", e.path, e.start))
    return Timeline(topic, tuple(dated), tuple(undated))


def _entry(index: Index, row: int) -> TimelineEntry:
    n = int(index.answer_doc[row])
    doc, full = index.documents[n], index.texts[n]
    start, end = int(index.answer_start[row]), int(index.answer_end[row])
    date, date_end, basis, words = None, None, None, None
    for mention in index.notes.dates(int(index.rows.answer_sentence[row])):
        if mention.date or (mention.start_date and mention.end_date):  # "since 1999" is no event's date
            words = full[mention.start:mention.end]
            date = mention.date or mention.start_date
            date_end = None if mention.date else mention.end_date
            basis = "stated" if _EXPLICIT.search(words) else "resolved"
            break
    if date is None and doc.date:
        date, basis = doc.date, "published"
    return TimelineEntry(date, date_end, basis, words, full[start:end], doc.doc_id, doc.path, start, end,
                         doc.line_at(full, start), doc.title, doc.publisher, published=doc.date)
