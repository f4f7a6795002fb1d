"""Gather candidate answer sentences: the dense and the lexical retriever each propose some,
and the sentences next to them join (an answer often follows the sentence naming its topic).

Filters (--source, --since, --until) are applied inside both searches, before
anything is ranked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index.loaded import Index
from qa.records import Filters
from qa.retrieve.query import Query

DENSE_K = 20  # chunks from the vector store
LEXICAL_K = 20  # sentences from BM25
DEEP_K = 50  # both, for a question whose every answering value is gathered (qa.answer.claims)


@dataclass(frozen=True)
class Pool:
    rows: np.ndarray  # candidate answer rows, sorted
    prev_rows: np.ndarray  # the answer row before each in the same document, or -1
    next_rows: np.ndarray
    bm25: np.ndarray  # BM25 score of every answer row (0 outside the filter)


def unique(values: np.ndarray) -> np.ndarray:
    """np.unique for integer arrays, without the numpy.ma import that np.unique costs a cold start."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def gather(index: Index, query: Query, filters: Filters = Filters()) -> Pool | None:
    """The candidate rows for a question, or None when no sentence is admitted or found. A question asking
    for a figure, a name, a date or a place reaches further down both rankings: all the values count."""
    deep = bool(query.asked.wants) and not query.asked.statement
    dense_k, lexical_k = (DEEP_K, DEEP_K) if deep else (DENSE_K, LEXICAL_K)
    documents, sentence_ok = index.admitted(filters)
    if not sentence_ok.any():
        return None
    bm25 = index.bm25(list(query.terms))
    bm25[~sentence_ok] = 0.0
    top = np.argsort(-bm25)[:lexical_k]
    rows = unique(np.concatenate([index.dense(query.vector, dense_k, documents), top[bm25[top] > 0]]))
    if len(rows) == 0:
        return None
    rows = unique(np.concatenate([rows, index.neighbours(rows, -1), index.neighbours(rows, 1)]))
    rows = rows[(rows >= 0) & sentence_ok[np.maximum(rows, 0)]]
    return Pool(rows, index.neighbours(rows, -1), index.neighbours(rows, 1), bm25)
