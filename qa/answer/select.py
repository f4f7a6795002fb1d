"""Turn scored sentences into extracts a careful reader can trust.

The best sentences (qa.rank) become quotes of one to three sentences: a
neighbour joins when the best sentence leans on it (a pronoun, an open quote)
or scores nearly as well itself. Sentences that say the same thing in several
documents (syndicated copy) are shown once, with the other sources under
also_in, and the remaining slots go to different information (MMR). Each
extract's score is a calibrated probability that it answers the question
(a second logistic model, fitted by scripts/fit.py on the training split);
below --min-score an extract is withheld, and with none left the answer is a
refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from qa import rules
from qa.index.loaded import Index
from qa.rank import model
from qa.rank.model import Candidate
from qa.records import Answer, Extract, Highlight, Source
from qa.retrieve.query import Query

DUPLICATE = 0.6  # word-set Jaccard at which two sentences say the same thing
MMR_LAMBDA = 0.6
MMR_POOL = 30  # the most relevant candidates that compete for each slot
NEIGHBOUR_SHARE = 0.6  # a neighbour joins the quote at this share of the best sentence's relevance

_WORD = re.compile(r"\w+", re.UNICODE)
_ANAPHOR = re.compile(r"^[“\"]?(" + rules.phrases("leaning_openers") + r")\b", re.IGNORECASE)


def threshold(query: Query, min_score: float | None) -> float:
    """The confidence a quote needs: --min-score, else the fitted one. A claim to check ("Venezuela freed
    400 prisoners") is never refused: the sentences that bear on it are what a fact-checker came for."""
    return 0.0 if query.asked.statement else model.load().min_score if min_score is None else min_score


def quotes(index: Index, query: Query, ranked: list[Candidate], *, top_k: int, min_score: float | None) -> Answer:
    """The answer's quotes, each scored by the fitted calibration; withheld below the threshold."""
    return select(index, query.text, ranked, top_k=top_k, min_score=threshold(query, min_score), score=model.load().calibrated)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def select(index: Index, question: str, ranked: list[Candidate], *, top_k: int, min_score: float,
           score: Callable[[Candidate], float]) -> Answer:
    """Pick up to top_k distinct quotes (MMR), fold near-duplicates into also_in, withhold weak ones."""
    relevance_of = {c.row: c.relevance for c in ranked}
    words: dict[int, set[str]] = {}

    def words_of(row: int) -> set[str]:
        if row not in words:
            words[row] = _words(index.passage(row).text)
        return words[row]
    chosen: list[tuple[Candidate, list[int], list[Candidate]]] = []  # best, window rows, duplicates
    taken: set[int] = set()  # rows already quoted
    pool = list(ranked)
    while pool and len(chosen) < top_k:
        def mmr(c: Candidate) -> float:
            overlap = max((_jaccard(words_of(c.row), words_of(b.row)) for b, _, _ in chosen), default=0.0)
            return c.relevance - (1 - MMR_LAMBDA) * overlap
        best = max(pool[:MMR_POOL], key=lambda c: (mmr(c), -c.row))
        window = [r for r in _window(index, best.row, relevance_of) if r not in taken]
        quoted = [words_of(r) for r in window]
        # a near-copy scores close to the original, so it is among the next candidates
        dupes = [c for c in pool[: MMR_POOL * 4] if c.row not in window
                 and max(_jaccard(words_of(c.row), q) for q in quoted) >= DUPLICATE]
        chosen.append((best, window, dupes))
        used = {*window, *(d.row for d in dupes)}
        taken.update(used)
        pool = [c for c in pool if c.row not in used]

    extracts: list[Extract] = []
    nearest: list[Extract] = []
    for best, window, dupes in chosen:
        extract = _extract(index, best, window, dupes, score(best))
        (extracts if extract.score >= min_score else nearest).append(extract)
    # shown best first by the score shown (MMR chose them in another order)
    extracts = [replace(e, rank=i + 1) for i, e in enumerate(sorted(extracts, key=lambda e: -e.score))]
    nearest = [replace(e, rank=i + 1) for i, e in enumerate(sorted(nearest, key=lambda e: -e.score))]
    return Answer(question=question, answered=bool(extracts), extracts=tuple(extracts), nearest=tuple(nearest))


def _window(index: Index, row: int, relevance_of: dict[int, float]) -> list[int]:
    """The answer rows quoted around the best sentence `row`, in order (one to three)."""
    best = index.passage(row).text
    bar = NEIGHBOUR_SHARE * relevance_of.get(row, 0.0)
    rows = [row]
    prev = index.adjacent(row, -1)
    if prev is not None and (_ANAPHOR.match(best) or relevance_of.get(prev, 0.0) >= bar):
        rows.insert(0, prev)
    nxt = index.adjacent(row, 1)
    opened = best.count("“") > best.count("”") or best.rstrip().endswith(":")
    if nxt is not None and (opened or relevance_of.get(nxt, 0.0) >= bar):
        rows.append(nxt)
    return rows


def _extract(index: Index, best: Candidate, window: list[int], dupes: list[Candidate], score: float) -> Extract:
    quote, cited = index.quote(window[0], window[-1])
    sentence = index.passage(best.row)
    also: dict[str, Source] = {}
    for d in dupes:
        other = index.passage(d.row)
        if other.citation.doc_id != cited.doc_id:
            also.setdefault(other.citation.doc_id, Source(other.text, other.kind, other.citation))
    at = sentence.start - (cited.start or 0)
    return Extract(rank=0, quote=quote, highlight=Highlight(at, at + len(sentence.text)), score=round(score, 4),
                   kind=sentence.kind, citation=cited, also_in=tuple(also.values()))
