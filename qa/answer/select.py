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
from qa.answer import claims
from qa.index.loaded import Index
from qa.rank import model
from qa.rank.model import Candidate
from qa.rank.question import analyse
from qa.rank.ranking import candidates
from qa.records import Answer, Extract, Filters, Highlight, Source

DUPLICATE = 0.6  # word-set Jaccard at which two sentences say the same thing
MMR_LAMBDA = 0.6
MMR_POOL = 30  # the most relevant candidates that compete for each slot
NEIGHBOUR_SHARE = 0.6  # a neighbour joins the quote at this share of the best sentence's relevance
CLAIM_POOL = 60  # the most relevant candidates whose values are gathered into claims

_WORD = re.compile(r"\w+", re.UNICODE)
_ANAPHOR = re.compile(r"^[“\"]?(" + rules.phrases("leaning_openers") + r")\b", re.IGNORECASE)


def ask(index: Index, question: str, *, top_k: int = 3, filters: Filters = Filters(), min_score: float | None = None) -> Answer:
    """A claim to check ("Venezuela freed 400 prisoners") is never refused: the sentences that bear on
    it are what a fact-checker came for, however they score."""
    ranker = model.load()
    asked = analyse(question, index.names)
    threshold = 0.0 if asked.statement else ranker.min_score if min_score is None else min_score
    ranked = candidates(index, question, filters, asked)
    answer = select(index, question, ranked, top_k=top_k, min_score=threshold, score=ranker.calibrated)
    shown = [c for c in ranked[:CLAIM_POOL] if ranker.calibrated(c) >= threshold]  # what qa would quote
    found, agreement = claims.gather(index, asked, question, shown, ranker.calibrated) if answer.answered else ((), None)
    return replace(answer, claims=found, agreement=agreement)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def select(index: Index, question: str, ranked: list[Candidate], *, top_k: int, min_score: float,
           score: Callable[[Candidate], float]) -> Answer:
    """Pick up to top_k distinct quotes (MMR), fold near-duplicates into also_in, withhold weak ones."""
    relevance_of = {c.row: c.relevance for c in ranked}
    words = {c.row: _words(index.sentence_text(c.row)) for c in ranked[:MMR_POOL * 4]}

    def words_of(row: int) -> set[str]:
        if row not in words:
            words[row] = _words(index.sentence_text(row))
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


def _adjacent(index: Index, row: int, step: int) -> int | None:
    """The body sentence right before/after `row` in its document (no boilerplate between), if any."""
    other = row + step
    if not 0 <= other < len(index.answer_doc) or index.answer_doc[other] != index.answer_doc[row]:
        return None
    return other if index.answer_pos[other] == index.answer_pos[row] + step else None


def _window(index: Index, row: int, relevance_of: dict[int, float]) -> list[int]:
    """The answer rows quoted around the best sentence `row`, in order (one to three)."""
    best = index.sentence_text(row)
    bar = NEIGHBOUR_SHARE * relevance_of.get(row, 0.0)
    rows = [row]
    prev = _adjacent(index, row, -1)
    if prev is not None and (_ANAPHOR.match(best) or relevance_of.get(prev, 0.0) >= bar):
        rows.insert(0, prev)
    nxt = _adjacent(index, row, 1)
    opened = best.count("“") > best.count("”") or best.rstrip().endswith(":")
    if nxt is not None and (opened or relevance_of.get(nxt, 0.0) >= bar):
        rows.append(nxt)
    return rows


def quote_span(index: Index, rows: list[int]) -> tuple[int, int]:
    return int(index.answer_start[rows[0]]), int(index.answer_end[rows[-1]])


def _place(index: Index, row: int, start: int) -> dict:
    """The fields that say where a passage is and what it is, shared by an extract and its also_in."""
    doc = index.documents[int(index.answer_doc[row])]
    page = doc.page_at(start)
    return {"author": doc.author, "url": doc.url, "page": page.number if page else None,
            "page_label": page.label if page else None, "kind": index.sentence_kind(row) or "body"}


def _source(index: Index, row: int) -> Source:
    n = int(index.answer_doc[row])
    doc = index.documents[n]
    start, end = int(index.answer_start[row]), int(index.answer_end[row])
    return Source(doc.doc_id, doc.path, doc.title, doc.publisher, doc.date, start, end, doc.line_at(index.texts[n], start),
                  **_place(index, row, start), quote=index.texts[n][start:end])


def _extract(index: Index, best: Candidate, window: list[int], dupes: list[Candidate], score: float) -> Extract:
    n = int(index.answer_doc[best.row])
    doc, text = index.documents[n], index.texts[n]
    q_start, q_end = quote_span(index, window)
    b_start, b_end = int(index.answer_start[best.row]), int(index.answer_end[best.row])
    seen_docs = {n}
    also = []
    for d in dupes:
        dn = int(index.answer_doc[d.row])
        if dn not in seen_docs:
            seen_docs.add(dn)
            also.append(_source(index, d.row))
    return Extract(
        rank=0, quote=text[q_start:q_end], highlight=Highlight(b_start - q_start, b_end - q_start),
        score=round(score, 4), doc_id=doc.doc_id, path=doc.path, title=doc.title, publisher=doc.publisher,
        date=doc.date, start=q_start, end=q_end, line=doc.line_at(text, q_start), also_in=tuple(also),
        **_place(index, best.row, q_start),
    )
