"""Measure how well each sentence answers a question, from retrieval signals alone.

No reader model runs offline here, so a sentence is judged by what can be
measured: its dense cosine with the question, its BM25 score, how much of the
question's IDF-weighted vocabulary it covers, its ranks under both retrievers,
the same signals for its neighbours (an answer often follows the sentence that
names the topic), and whether it holds the kind of thing asked for that the
question does not already contain (a number for "how many", a date for "when").
A logistic model over these, fitted on the training split (scripts/fit.py),
gives each sentence a relevance in [0, 1].

A question worded differently from every passage (no sentence covers even
REWORDED of its IDF-weighted terms) gets a second model without the lexical
features: there, exact-word matches are mostly on the wrong words, and the
dense and word-vector signals alone rank the answer first more often.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qa import vectors
from qa.index import Index
from qa.lexicon import words_of
from qa.records import Filters

DENSE_K = 20
UNMATCHED = 0.7  # a question word with no corpus word this close is about something the corpus lacks
LEXICAL_K = 20
REWORDED = 0.4  # best sentence coverage below which a question counts as reworded

FEATURES = ("dense", "dense_prev", "dense_next", "dense_window", "dense_doc", "lexical", "lexical_prev", "lexical_next", "coverage", "soft",
            "soft_prev", "soft_next", "cue", "unfilled", "dense_rr", "lexical_rr", "date_match")
LEXICAL_FEATURES = ("lexical", "lexical_prev", "lexical_next", "coverage", "lexical_rr")
# relevance = sigmoid(bias + sum(weight * feature)), one model per regime (a missing weight is 0);
# fitted by scripts/fit.py on the training split
WEIGHTS = {"worded_alike": {'bias': -5.475, 'dense': 0.746, 'dense_prev': 0.062, 'dense_next': -0.466, 'dense_window': 0.579, 'dense_doc': 0.607, 'lexical': 0.801, 'lexical_prev': 0.961, 'lexical_next': -1.283, 'coverage': 1.841, 'soft': 2.008, 'soft_prev': 0.48, 'soft_next': -0.927, 'cue': 0.95, 'unfilled': -0.95, 'dense_rr': 2.428, 'lexical_rr': 1.265, 'date_match': 0.344},
           "reworded": {'bias': -7.642, 'dense': 2.523, 'dense_prev': 0.563, 'dense_next': -0.376, 'dense_window': 3.398, 'dense_doc': 0.515, 'soft': 4.057, 'soft_prev': 1.599, 'soft_next': 1.846, 'cue': 0.941, 'unfilled': -0.941, 'dense_rr': 3.235, 'date_match': 1.367}}

_NUMBER = re.compile(
    r"\b((?!(?:19|20)\d\d\b)\d[\d,.]*|one(?!\s+of\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"millions?|several|multiple|scores)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|sept?|oct|nov|dec|yesterday|today|tonight|last (week|month|year)|"
    r"this (week|month|year)|weekend|(?<!-)\d{4}(?!-))\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_AGE = re.compile(r"\b\d{1,3}-year-old\b|\baged? \d{1,3}\b|\b\d{1,3} years old\b|, \d{1,3},", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][a-zà-ÿ][\w’'-]*(?:\s+(?:de\s+)?[A-Z][a-zà-ÿ][\w’'-]*)+")
_NOT_NAME = frozenset("""the a an in on at of for by to from as and but with after before during since under
january february march april may june july august september october november december monday tuesday wednesday
thursday friday saturday sunday president senator leader officials official""".split())
_PLACE = re.compile(r"\b(?:in|at|from|outside|near)\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)")
_ASKED = (
    (r"\bhow old\b|\bwhat age\b", _AGE),
    (r"\b(what|which) year\b", _YEAR),
    (r"\bhow (many|much|long|large)\b|\bwhat (number|percentage|share|figure|tally|count)\b", _NUMBER),
    (r"\bwhen\b|\bwhat (day|date|month|time)\b|\bon which day\b", _DATE),
    (r"\bwhere\b|\b(which|what) (city|country|prison|place|town)\b", _PLACE),
    (r"\bwho\b|\bwhom\b|\bwhose\b|\bname of\b|\bwhich\b", _NAME),
)


@dataclass(frozen=True)
class Candidate:
    row: int  # answer-sentence number (BM25 row)
    dense: float  # cosine of question and sentence
    dense_prev: float  # ... and of the previous / next sentence in the same document
    dense_next: float
    dense_window: float  # cosine with the sentence read together with a neighbour
    dense_doc: float  # cosine with the whole document (its sentences' mean)
    lexical: float  # BM25 relative to the best sentence's
    lexical_prev: float
    lexical_next: float
    coverage: float  # IDF-weighted share of the question's terms in the sentence
    soft: float  # share of the question's words that the sentence has or has a near-synonym of
    soft_prev: float
    soft_next: float
    cue: float  # 1 if it holds the kind of thing asked for, not already in the question
    unfilled: float  # 1 if the question asks for a kind of thing (a number, date, name, place) the sentence lacks
    dense_rr: float  # 1 / (1 + rank by dense)
    lexical_rr: float  # 1 / (1 + rank by BM25)
    date_match: float  # +1 the question names the document's year (and month), -1 another year, 0 no year/undated
    missing: float  # IDF-weighted share of the question's terms found nowhere in the index
    overlap: float  # the best coverage any candidate reaches (below REWORDED: the reworded model ranks)
    unmatched: float  # share of the question's words with no near-synonym anywhere in the index
    relevance: float = 0.0

    def features(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in FEATURES)


def regime(overlap: float) -> str:
    return "reworded" if overlap < REWORDED else "worded_alike"


def regime_features(name: str) -> tuple[str, ...]:
    return tuple(f for f in FEATURES if name == "worded_alike" or f not in LEXICAL_FEATURES)


def _asked_for(question: str) -> re.Pattern | None:
    """The kind of thing the question asks for, by its wording; the first match wins."""
    q = question.lower()
    return next((kind for wording, kind in _ASKED if re.search(wording, q)), None)


def novel_match(pattern: re.Pattern | None, text: str, question: str) -> bool:
    """Does `text` hold a match of `pattern` (a number, date, name, place) that the question lacks?

    A name counts only when none of its words is in the question ("Donald Trump" does not
    answer "who warned Trump"), and capitalised function words or titles are not names."""
    if pattern is None:
        return False
    asked = question.lower()
    asked_words = set(re.findall(r"\w+", asked))
    for match in pattern.finditer(text):
        found = (match.group(1) if pattern is _PLACE else match.group(0)).lower()
        if pattern is _NAME:
            words = [w for w in re.findall(r"[\w’'-]+", found) if w not in _NOT_NAME]
            if len(words) >= 2 and not any(w in asked_words or w.split("’")[0] in asked_words for w in words):
                return True
        elif found not in asked and found not in {"the", "a"}:
            return True
    return False


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


def date_match(question: str, documents) -> np.ndarray:
    """Per document: does the question's year (and month, if named) agree with the document's date?"""
    q = question.lower()
    years = set(re.findall(r"\b(?:19|20)\d\d\b", q))
    months = {i + 1 for i, m in enumerate(_MONTHS) if re.search(rf"\b{m}\b", q)}
    out = np.zeros(len(documents))
    if not years:
        return out
    for n, doc in enumerate(documents):
        if doc.date:
            same = doc.date[:4] in years and (not months or int(doc.date[5:7]) in months)
            out[n] = 1.0 if same else -1.0
    return out


def _date_match_rows(question: str, index: Index, rows: np.ndarray) -> np.ndarray:
    docs, inverse = np.unique(index.answer_doc[rows], return_inverse=True)
    return date_match(question, [index.documents[n] for n in docs])[inverse]


def _allowed_documents(index: Index, filters: Filters) -> np.ndarray | None:
    if not filters.active:
        return None
    return np.asarray([filters.admits(d) for d in index.documents], dtype=bool)


def _neighbours(index: Index, rows: np.ndarray, step: int) -> np.ndarray:
    """The answer sentence before/after each row in the same document, or -1."""
    other = np.clip(rows + step, 0, len(index.answer_doc) - 1)
    same = (other != rows) & (index.answer_doc[other] == index.answer_doc[rows])
    return np.where(same, other, -1)


def candidates(index: Index, question: str, filters: Filters = Filters()) -> list[Candidate]:
    """Every sentence either retriever finds (and its neighbours), scored; most relevant first."""
    allowed_docs = _allowed_documents(index, filters)
    size = len(index.answer_doc)
    sentence_ok = np.ones(size, dtype=bool) if allowed_docs is None else allowed_docs[index.answer_doc]
    if not sentence_ok.any():
        return []

    # one encoder call: the question, and its words the corpus vocabulary lacks
    q_words = list(dict.fromkeys(words_of(question)))
    unknown = [w for w in q_words if w not in index.lexicon.ids]
    encoded = index.query_encoder().encode([question, *unknown])
    query = encoded[0]
    q_vectors = index.lexicon.question_vectors(q_words, dict(zip(unknown, encoded[1:])))

    allowed_chunks = None if allowed_docs is None else np.flatnonzero(allowed_docs[index.chunk_doc])
    _scores, ids = vectors.search(index.vectors, query, DENSE_K, allowed_chunks)
    found = [index.chunk_answers[cid] for cid in ids]
    bm25 = index.lexical.scores(index.lexical.terms(question))
    bm25[~sentence_ok] = 0.0
    top = np.argsort(-bm25)[:LEXICAL_K]
    found.append(top[bm25[top] > 0])
    rows = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    if len(rows) == 0:
        return []
    rows = np.unique(np.concatenate([rows, _neighbours(index, rows, -1), _neighbours(index, rows, 1)]))
    rows = rows[(rows >= 0) & sentence_ok[np.maximum(rows, 0)]]
    prev_rows, next_rows = _neighbours(index, rows, -1), _neighbours(index, rows, 1)
    has_prev, has_next = prev_rows >= 0, next_rows >= 0

    # dense signals, for the rows and their neighbours
    every = np.unique(np.concatenate([rows, prev_rows[has_prev], next_rows[has_next]]))
    stored = index.vectors.reconstruct_batch(index.answer_chunk[every])
    at_row = np.searchsorted(every, rows)
    at_prev = np.searchsorted(every, np.where(has_prev, prev_rows, rows))
    at_next = np.searchsorted(every, np.where(has_next, next_rows, rows))
    cos = stored @ query

    def pair_cosine(other: np.ndarray, present: np.ndarray) -> np.ndarray:
        # two adjacent sentences read together: with mean pooling, their sum is a fair stand-in
        v = stored[at_row] + stored[other]
        return np.where(present, (v @ query) / np.maximum(np.linalg.norm(v, axis=1), 1e-12), 0.0)

    # lexical signals
    lex = bm25[rows]
    bm25_max = float(lex.max()) or 1.0
    query_terms = list(dict.fromkeys(index.lexical.all_terms(question)))
    idf = index.lexical.idf(query_terms)
    known = index.lexical.retriever.vocab_dict
    rare = max(idf.values(), default=1.0)
    weight = {t: (idf[t] if t in known else rare) for t in idf}
    total = sum(weight.values()) or 1.0
    missing = sum(w for t, w in weight.items() if t not in known) / total
    coverage = np.asarray([sum(w for t, w in weight.items() if t in index.sentence_terms(r)[0]) for r in rows.tolist()]) / total

    q_weights = np.asarray([max(index.lexical.idf(index.lexical.all_terms(w)).values(), default=rare) for w in q_words])
    sims = q_vectors @ index.lexicon.vectors.T  # question words x corpus words
    unmatched = float((sims.max(axis=1, initial=0.0) < UNMATCHED).mean()) if q_words else 0.0
    soft = np.asarray([index.lexicon.soft_coverage(sims, q_weights, index.sentence_terms(r)[1]) for r in every.tolist()])

    asked = _asked_for(question)
    cue = np.asarray([novel_match(asked, index.sentence_text(r), question) for r in rows.tolist()], dtype=float)

    def ranks(values: np.ndarray) -> np.ndarray:
        out = np.empty(len(values))
        out[np.argsort(-values, kind="stable")] = np.arange(len(values))
        return 1.0 / (1.0 + out)

    columns = {
        "dense": cos[at_row],
        "dense_prev": np.where(has_prev, cos[at_prev], 0.0),
        "dense_next": np.where(has_next, cos[at_next], 0.0),
        "dense_window": np.maximum(pair_cosine(at_prev, has_prev), pair_cosine(at_next, has_next)),
        "dense_doc": np.einsum("ij,j->i", index.document_centroids()[index.answer_doc[rows]], query),
        "lexical": lex / bm25_max,
        "lexical_prev": np.where(has_prev, bm25[np.maximum(prev_rows, 0)], 0.0) / bm25_max,
        "lexical_next": np.where(has_next, bm25[np.maximum(next_rows, 0)], 0.0) / bm25_max,
        "coverage": coverage,
        "soft": soft[at_row],
        "soft_prev": np.where(has_prev, soft[at_prev], 0.0),
        "soft_next": np.where(has_next, soft[at_next], 0.0),
        "cue": cue,
        "unfilled": (1.0 - cue) if asked is not None else np.zeros(len(rows)),
        "dense_rr": ranks(cos[at_row]),
        "lexical_rr": np.where(lex > 0, ranks(lex), 0.0),
        "date_match": _date_match_rows(question, index, rows),
    }
    matrix = np.column_stack([columns[name] for name in FEATURES])
    overlap = float(coverage.max())
    weights = WEIGHTS[regime(overlap)]
    z = weights.get("bias", 0.0) + matrix @ np.asarray([weights.get(name, 0.0) for name in FEATURES])
    scores = 1.0 / (1.0 + np.exp(-z))
    out = [
        Candidate(row=int(row), **dict(zip(FEATURES, map(float, matrix[i]))), missing=missing, unmatched=unmatched,
                  overlap=overlap, relevance=float(scores[i]))
        for i, row in enumerate(rows.tolist())
    ]
    out.sort(key=lambda c: (-c.relevance, c.row))
    return out
