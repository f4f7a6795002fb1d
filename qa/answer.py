"""Choose the sentences that answer a question, from retrieval signals alone.

No reader model runs offline here, so a sentence is judged by what can be
measured: its BM25 score, the dense score of the chunks that hold it, how much
of the question's (IDF-weighted) vocabulary it covers, and whether it carries
the kind of thing asked for (a number for "how many", a date for "when"...).
A logistic model over those signals, fitted on the training split of
tests/data/eval.jsonl (scripts/fit.py), turns them into a confidence in [0, 1];
that confidence ranks the sentences, decides refusal and is the extract score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from qa import vectors
from qa.index import Index
from qa.records import Answer, Extract, Filters, Highlight, Source
from qa.sentences import line_of

DENSE_K = 60
LEXICAL_K = 60
MIN_SCORE = 0.5
DUPLICATE = 0.6  # word-set Jaccard at which two sentences say the same thing
MMR_LAMBDA = 0.6

# confidence = sigmoid(bias + sum(weight * feature)); see scripts/fit.py
WEIGHTS = {"bias": -6.0, "dense": 6.0, "lexical": 1.5, "coverage": 4.0, "cue": 1.0}

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|several|multiple)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|jan|feb|sept?|oct|nov|dec|yesterday|today|tonight|week|month|year|"
    r"weekend|morning|evening|night|\d{4})\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")
_PLACE = re.compile(r"\b(in|at|from|to|outside|near)\s+(the\s+)?[A-Z]\w+")
_ANAPHOR = re.compile(
    r"^[“\"]?(but|however|he|she|it|they|this|that|these|those|his|her|their|its|the group|the outlet|the report|"
    r"the official|the move|still|also|and|yet|instead|meanwhile|scott|officials)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    row: int  # answer-sentence number (BM25 row)
    dense: float
    lexical: float
    coverage: float
    cue: float
    confidence: float


def question_cue(question: str) -> re.Pattern | None:
    q = question.lower()
    if re.search(r"\bhow (many|much|old|long)\b|\bwhat (number|percentage|share|figure|age)\b|\bhow large\b", q):
        return _NUMBER
    if re.search(r"\bwhen\b|\bwhat (day|date|year|month|time)\b|\bon which day\b", q):
        return _DATE
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (person|official|group|organi[sz]ation|outlet|leader|envoy)\b", q):
        return _NAME
    if re.search(r"\bwhere\b|\bwhich (city|country|prison|place)\b", q):
        return _PLACE
    return None


def confidence(dense: float, lexical: float, coverage: float, cue: float) -> float:
    w = WEIGHTS
    z = w["bias"] + w["dense"] * dense + w["lexical"] * lexical + w["coverage"] * coverage + w["cue"] * cue
    return 1.0 / (1.0 + math.exp(-z))


def _allowed_documents(index: Index, filters: Filters) -> np.ndarray | None:
    if not filters.active:
        return None
    return np.asarray([filters.admits(d) for d in index.documents], dtype=bool)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def candidates(index: Index, question: str, filters: Filters = Filters()) -> list[Candidate]:
    """Every sentence either retriever finds, scored; best first."""
    allowed_docs = _allowed_documents(index, filters)
    sentence_ok = np.ones(len(index.answer_doc), dtype=bool) if allowed_docs is None else allowed_docs[index.answer_doc]
    if not sentence_ok.any():
        return []

    dense = np.zeros(len(index.answer_doc), dtype=np.float32)
    allowed_chunks = None if allowed_docs is None else np.flatnonzero(allowed_docs[index.chunk_doc])
    query = index.query_encoder().encode([question])[0]
    scores, ids = vectors.search(index.vectors, query, DENSE_K, allowed_chunks)
    found: set[int] = set()
    for score, cid in zip(scores, ids):
        rows = index.chunk_answers[cid]
        if len(rows):
            dense[rows] = np.maximum(dense[rows], score)
            found.update(rows.tolist())

    terms = index.lexical.terms(question)
    bm25 = index.lexical.scores(terms)
    bm25[~sentence_ok] = 0.0
    top = np.argsort(-bm25)[:LEXICAL_K]
    found.update(int(r) for r in top if bm25[r] > 0)
    if not found:
        return []

    query_terms = index.lexical.all_terms(question)
    idf = index.lexical.idf(list(dict.fromkeys(query_terms)))
    rare = max(idf.values(), default=1.0)
    weight = {t: (idf[t] if idf[t] > 0 and t in index.lexical.retriever.vocab_dict else rare) for t in idf}
    total = sum(weight.values()) or 1.0
    bm25_max = float(bm25.max()) or 1.0
    cue_pattern = question_cue(question)

    out = []
    for row in found:
        text = index.texts[index.answer_doc[row]][index.answer_start[row] : index.answer_end[row]]
        stems = set(index.lexical.all_terms(text))
        coverage = sum(w for t, w in weight.items() if t in stems) / total
        cue = 1.0 if cue_pattern is not None and cue_pattern.search(text) else 0.0
        lexical = float(bm25[row]) / bm25_max
        d = float(dense[row])
        out.append(Candidate(row, d, lexical, coverage, cue, confidence(d, lexical, coverage, cue)))
    out.sort(key=lambda c: (-c.confidence, c.row))
    return out


def _window(index: Index, row: int) -> tuple[int, int, int, int]:
    """(quote start, quote end, best start, best end): the best sentence with the context it needs."""
    n = int(index.answer_doc[row])
    start, end = int(index.answer_start[row]), int(index.answer_end[row])
    text = index.texts[n]
    spans = index.sentence_spans[n]
    j = next(i for i, (s, e, _k) in enumerate(spans) if s == start and e == end)
    lo, hi = j, j
    best = text[start:end]
    if j > 0 and spans[j - 1][2] == "body" and (_ANAPHOR.match(best) or len(best) < 60):
        lo = j - 1
    opened = best.count("“") > best.count("”") or best.rstrip().endswith(":")
    if j + 1 < len(spans) and spans[j + 1][2] == "body" and (opened or len(best) < 40) and hi - lo < 2:
        hi = j + 1
    return spans[lo][0], spans[hi][1], start, end


def _source(index: Index, row: int, start: int, end: int) -> Source:
    doc = index.documents[int(index.answer_doc[row])]
    return Source(doc.doc_id, doc.path, doc.title, doc.publisher, doc.date, start, end,
                  line_of(index.texts[int(index.answer_doc[row])], start))


def ask(index: Index, question: str, *, top_k: int = 3, filters: Filters = Filters(), min_score: float = MIN_SCORE) -> Answer:
    ranked = candidates(index, question, filters)
    words = {c.row: _words(index.texts[index.answer_doc[c.row]][index.answer_start[c.row] : index.answer_end[c.row]]) for c in ranked}

    groups: list[tuple[Candidate, list[Candidate]]] = []  # chosen sentence, its near-duplicates elsewhere
    used: set[int] = set()
    pool = list(ranked)
    while pool and len(groups) < top_k:
        def mmr(c: Candidate) -> float:
            overlap = max((_jaccard(words[c.row], words[g.row]) for g, _ in groups), default=0.0)
            return c.confidence - (1 - MMR_LAMBDA) * overlap
        best = max(pool, key=lambda c: (mmr(c), -c.row))
        dupes = [c for c in pool if c is not best and _jaccard(words[c.row], words[best.row]) >= DUPLICATE]
        groups.append((best, dupes))
        used.update([best.row, *(d.row for d in dupes)])
        pool = [c for c in pool if c.row not in used]

    extracts, nearest = [], []
    for best, dupes in groups:
        q_start, q_end, b_start, b_end = _window(index, best.row)
        n = int(index.answer_doc[best.row])
        doc, text = index.documents[n], index.texts[n]
        seen_docs = {n}
        also = []
        for d in dupes:
            dn = int(index.answer_doc[d.row])
            if dn in seen_docs:
                continue
            seen_docs.add(dn)
            also.append(_source(index, d.row, int(index.answer_start[d.row]), int(index.answer_end[d.row])))
        extract = Extract(
            rank=0, quote=text[q_start:q_end], highlight=Highlight(b_start - q_start, b_end - q_start),
            score=round(best.confidence, 4), doc_id=doc.doc_id, path=doc.path, title=doc.title,
            publisher=doc.publisher, date=doc.date, start=q_start, end=q_end, line=line_of(text, q_start),
            also_in=tuple(also),
        )
        (extracts if best.confidence >= min_score else nearest).append(extract)
    extracts = [_ranked(e, i + 1) for i, e in enumerate(extracts)]
    nearest = [_ranked(e, i + 1) for i, e in enumerate(nearest)]
    return Answer(question=question, answered=bool(extracts), extracts=tuple(extracts), nearest=tuple(nearest))


def _ranked(extract: Extract, rank: int) -> Extract:
    from dataclasses import replace

    return replace(extract, rank=rank)
