"""How well each candidate sentence answers a question, measured from retrieval signals alone.

No reader model runs offline here, so a sentence is judged by what can be
measured: its dense cosine with the question, its BM25 score, how much of the
question's IDF-weighted vocabulary it covers, its ranks under both retrievers,
the same signals for its neighbours (an answer often follows the sentence that
names the topic), and whether it holds the kind of thing asked for that the
question does not already contain. Each feature is defined once, in FEATURES;
the fitted model (qa/rank/ranker.json) names the features it weighs and is
checked against this table when it loads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.index.loaded import Index
from qa.index.notes import fold
from qa.retrieve import question
from qa.retrieve.candidates import Pool, unique
from qa.retrieve.query import Query
from qa.retrieve.question import Asked

UNMATCHED = 0.7  # a question word with no corpus word this close is about something the corpus lacks


@dataclass
class Signals:
    """Per-question arrays the features are computed from (rows are the pool's candidates)."""

    index: Index
    query: Query
    pool: Pool
    has_prev: np.ndarray
    has_next: np.ndarray
    stored: np.ndarray  # vectors of the rows and their neighbours
    at_row: np.ndarray  # where each row / its neighbours sit in `stored`
    at_prev: np.ndarray
    at_next: np.ndarray
    cos: np.ndarray  # cosine of the question with every vector in `stored`
    soft: np.ndarray  # soft coverage of every sentence in `stored`
    coverage: np.ndarray  # IDF-weighted term coverage of each row
    bm25_max: float
    held: HeldFacts  # what the build's annotations say each row holds


@dataclass(frozen=True)
class Feature:
    name: str
    lexical: bool  # rests on exact word matches (the reworded model leaves these out)
    about: str
    compute: Callable[[Signals], np.ndarray]


def _ranks(values: np.ndarray) -> np.ndarray:
    out = np.empty(len(values))
    out[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return 1.0 / (1.0 + out)


def _pair_cosine(s: Signals, other: np.ndarray, present: np.ndarray) -> np.ndarray:
    # two adjacent sentences read together: with mean pooling, their sum is a fair stand-in
    v = s.stored[s.at_row] + s.stored[other]
    return np.where(present, (v @ s.query.vector) / np.maximum(np.linalg.norm(v, axis=1), 1e-12), 0.0)


def _bm25_of(s: Signals, rows: np.ndarray, present: np.ndarray) -> np.ndarray:
    return np.where(present, s.pool.bm25[np.maximum(rows, 0)], 0.0) / s.bm25_max


FEATURES: tuple[Feature, ...] = (
    Feature("dense", False, "cosine of question and sentence", lambda s: s.cos[s.at_row]),
    Feature("dense_prev", False, "... of the previous sentence in the document", lambda s: np.where(s.has_prev, s.cos[s.at_prev], 0.0)),
    Feature("dense_next", False, "... of the next sentence", lambda s: np.where(s.has_next, s.cos[s.at_next], 0.0)),
    Feature("dense_window", False, "cosine with the sentence read together with a neighbour",
            lambda s: np.maximum(_pair_cosine(s, s.at_prev, s.has_prev), _pair_cosine(s, s.at_next, s.has_next))),
    Feature("dense_doc", False, "cosine with the whole document (its chunks' mean)",
            lambda s: np.einsum("ij,j->i", s.index.document_centroids()[s.index.documents_of(s.pool.rows)], s.query.vector)),
    Feature("lexical", True, "BM25 relative to the best candidate's", lambda s: s.pool.bm25[s.pool.rows] / s.bm25_max),
    Feature("lexical_prev", True, "... of the previous sentence", lambda s: _bm25_of(s, s.pool.prev_rows, s.has_prev)),
    Feature("lexical_next", True, "... of the next sentence", lambda s: _bm25_of(s, s.pool.next_rows, s.has_next)),
    Feature("coverage", True, "IDF-weighted share of the question's terms in the sentence", lambda s: s.coverage),
    Feature("soft", False, "share of the question's words the sentence has or has a near-synonym of", lambda s: s.soft[s.at_row]),
    Feature("soft_prev", False, "... of the previous sentence", lambda s: np.where(s.has_prev, s.soft[s.at_prev], 0.0)),
    Feature("soft_next", False, "... of the next sentence", lambda s: np.where(s.has_next, s.soft[s.at_next], 0.0)),
    Feature("dense_rr", False, "1 / (1 + rank by dense)", lambda s: _ranks(s.cos[s.at_row])),
    Feature("lexical_rr", True, "1 / (1 + rank by BM25)",
            lambda s: np.where(s.pool.bm25[s.pool.rows] > 0, _ranks(s.pool.bm25[s.pool.rows]), 0.0)),
    Feature("date_match", False, "+1 the question names the document's year (and month), -1 another year, 0 none",
            lambda s: _date_match_rows(s.query.text, s.index, s.pool.rows)),
    Feature("type_hit", False, "holds an entity of a kind that answers the question (who: a person; where: a place...), "
            "not already in it", lambda s: s.held.type_hit),
    Feature("type_none", False, "the question asks for a kind of entity the sentence holds none of", lambda s: s.held.type_none),
    Feature("name_sentence", False, "share of the names the question mentions that the sentence names whole",
            lambda s: s.held.name_sentence),
    Feature("name_document", False, "share of the question's names that the sentence's document names",
            lambda s: s.held.name_document),
    Feature("name_partial", False, "names someone who shares only part of a name the question mentions "
            "(Delcy for Jorge Rodríguez)", lambda s: s.held.name_partial),
    Feature("said_by", False, "the question asks what someone said, and the sentence reports what that one said",
            lambda s: s.held.said_by),
    Feature("said_any", False, "the question asks what someone said, and the sentence reports someone's words",
            lambda s: s.held.said_any),
)
NAMES = tuple(f.name for f in FEATURES)
LEXICAL = tuple(f.name for f in FEATURES if f.lexical)


@dataclass(frozen=True)
class QuestionFacts:
    """Question-level signals, the same for every candidate (calibration uses them)."""

    missing: float  # IDF-weighted share of the question's terms found nowhere in the index
    overlap: float  # the best coverage any candidate reaches (below the model's threshold: "reworded")
    unmatched: float  # share of the question's words with no near-synonym anywhere in the index


@dataclass(frozen=True)
class HeldFacts:
    """Per candidate row, what its sentence holds that the question asks about (from qa.index.notes)."""

    type_hit: np.ndarray
    type_none: np.ndarray
    name_sentence: np.ndarray
    name_document: np.ndarray
    name_partial: np.ndarray
    said_by: np.ndarray
    said_any: np.ndarray


def held_facts(index: Index, wanted: Asked, rows: np.ndarray) -> HeldFacts:
    n = len(rows)
    out = {name: np.zeros(n) for name in HeldFacts.__dataclass_fields__}
    name_tokens = {name: set(name.split()) for name in wanted.names}
    docs_naming = {name: set(index.names.get(name, ())) for name in wanted.names}
    for i, (row, doc) in enumerate(zip(rows.tolist(), index.documents_of(rows).tolist())):
        p = index.passage(row)
        entities = p.entities
        if wanted.wants:
            hit = any(e.label in wanted.wants and fold(p.words(e.start, e.end)) not in wanted.folded for e in entities)
            out["type_hit"][i], out["type_none"][i] = float(hit), float(not hit)
        if wanted.names:
            folded = index.folded_sentence(row)
            inside = [name for name in wanted.names if name in folded]
            out["name_sentence"][i] = len(inside) / len(wanted.names)
            out["name_document"][i] = sum(doc in docs_naming[name] for name in wanted.names) / len(wanted.names)
            named = {w for e in entities for w in fold(p.words(e.start, e.end)).split()}
            out["name_partial"][i] = float(any(name not in inside and tokens & named for name, tokens in name_tokens.items()))
        if wanted.said and p.statement is not None:
            out["said_any"][i] = 1.0
            speakers = " ".join(fold(w) for w in (p.speaker(), p.antecedent) if w)
            out["said_by"][i] = float(any(name in speakers for name in wanted.names))
    return HeldFacts(**out)


def _date_match_rows(text: str, index: Index, rows: np.ndarray) -> np.ndarray:
    docs, inverse = np.unique(index.documents_of(rows), return_inverse=True)
    return question.date_match(text, [index.documents[n] for n in docs])[inverse]


def compute(index: Index, query: Query, pool: Pool) -> tuple[np.ndarray, QuestionFacts]:
    """The feature matrix (one row per pool row, one column per FEATURES entry) and the question's facts."""
    rows, prev_rows, next_rows = pool.rows, pool.prev_rows, pool.next_rows
    has_prev, has_next = prev_rows >= 0, next_rows >= 0
    every = unique(np.concatenate([rows, prev_rows[has_prev], next_rows[has_next]]))
    stored = index.row_vectors(every)
    at_row = np.searchsorted(every, rows)
    at_prev = np.searchsorted(every, np.where(has_prev, prev_rows, rows))
    at_next = np.searchsorted(every, np.where(has_next, next_rows, rows))

    terms = list(dict.fromkeys(query.terms))
    idf = index.idf(terms)
    rare = max(idf.values(), default=1.0)
    weight = {t: (idf[t] if index.knows(t) else rare) for t in idf}
    total = sum(weight.values()) or 1.0
    missing = sum(w for t, w in weight.items() if not index.knows(t)) / total
    coverage = np.asarray([sum(w for t, w in weight.items() if t in index.sentence_terms(r)[0]) for r in rows.tolist()]) / total

    q_weights = np.asarray([max(index.idf(index.terms(w)).values(), default=rare) for w in query.words])
    sims = index.similarities(query.word_vectors)  # question words x corpus words
    unmatched = float((sims.max(axis=1, initial=0.0) < UNMATCHED).mean()) if query.words else 0.0
    soft = index.soft_coverage(sims, q_weights, every)

    signals = Signals(index, query, pool, has_prev, has_next, stored, at_row, at_prev, at_next, stored @ query.vector,
                      soft, coverage, float(pool.bm25[rows].max()) or 1.0, held_facts(index, query.asked, rows))
    matrix = np.column_stack([f.compute(signals) for f in FEATURES])
    return matrix, QuestionFacts(missing, float(coverage.max()), unmatched)
