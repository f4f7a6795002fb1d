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


def allowed_documents(index: Index, filters: Filters) -> np.ndarray | None:
    if not filters.active:
        return None
    return np.asarray([filters.admits(d) for d in index.documents], dtype=bool)


def neighbours(index: Index, rows: np.ndarray, step: int) -> np.ndarray:
    """The answer row before/after each row in the same document, or -1."""
    other = np.clip(rows + step, 0, len(index.answer_doc) - 1)
    same = (other != rows) & (index.answer_doc[other] == index.answer_doc[rows])
    return np.where(same, other, -1)


def gather(index: Index, query: Query, filters: Filters = Filters(), deep: bool = False) -> Pool | None:
    """The candidate rows for a question, or None when no sentence is admitted or found; `deep` reaches
    further down both rankings."""
    dense_k, lexical_k = (DEEP_K, DEEP_K) if deep else (DENSE_K, LEXICAL_K)
    allowed_docs = allowed_documents(index, filters)
    size = len(index.answer_doc)
    sentence_ok = np.ones(size, dtype=bool) if allowed_docs is None else allowed_docs[index.answer_doc]
    if not sentence_ok.any():
        return None
    allowed_chunks = None if allowed_docs is None else np.flatnonzero(allowed_docs[index.chunk_doc])
    _scores, ids = index.vectors.search(query.vector, dense_k, allowed_chunks)
    found = [index.chunk_answers(int(cid)) for cid in ids]
    bm25 = index.lexical.scores(list(query.terms))
    bm25[~sentence_ok] = 0.0
    top = np.argsort(-bm25)[:lexical_k]
    found.append(top[bm25[top] > 0])
    rows = unique(np.concatenate(found))
    if len(rows) == 0:
        return None
    rows = unique(np.concatenate([rows, neighbours(index, rows, -1), neighbours(index, rows, 1)]))
    rows = rows[(rows >= 0) & sentence_ok[np.maximum(rows, 0)]]
    return Pool(rows, neighbours(index, rows, -1), neighbours(index, rows, 1), bm25)
