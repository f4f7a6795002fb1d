"""Score a question's candidate pool with the fitted model: most relevant first."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from qa.index.loaded import Index
from qa.rank import features, model
from qa.rank.model import Candidate
from qa.reader import model as reader_model
from qa.reader.model import Reader
from qa.retrieve.candidates import Pool
from qa.retrieve.query import Query


def rank(index: Index, query: Query, pool: Pool | None, ranker: model.Ranker | None = None) -> list[Candidate]:
    """The pool scored by the fitted model, most relevant first; the reader reads the best few (none: [])."""
    if pool is None:
        return []
    ranker = ranker or model.load()
    matrix, facts = features.compute(index, query, pool)
    relevance = ranker.relevance(matrix, facts)
    out = [Candidate(int(row), tuple(map(float, matrix[i])), facts, float(relevance[i]))
           for i, row in enumerate(pool.rows.tolist())]
    out.sort(key=lambda c: (-c.relevance, c.row))
    return blend_reader(index, query.text, out, ranker) if ranker.reader else out


def blend_reader(index: Index, question: str, ranked: list[Candidate], ranker: model.Ranker, reader: Reader | None = None) -> list[Candidate]:
    """The reader reads the ranking's best few with the question; its verdict and the ranking's, blended as
    fitted, order them. The candidates it did not read follow, never above one it read."""
    head, tail = ranked[: int(ranker.reader["top_n"])], ranked[int(ranker.reader["top_n"]) :]
    if not head:
        return ranked
    logits = (reader or reader_model.load()).logits(question, [index.passage(c.row).text for c in head])
    blended = ranker.blended(logits, np.asarray([c.relevance for c in head]))
    out = [replace(c, relevance=float(v)) for c, v in zip(head, blended)]
    out.sort(key=lambda c: (-c.relevance, c.row))
    if not tail:
        return out
    # the unread keep their order, shifted in logit space to start below the last one read
    shift = min(0.0, _logit(float(blended.min())) - _logit(tail[0].relevance) - 1e-3)
    return out + [replace(c, relevance=1.0 / (1.0 + math.exp(-(_logit(c.relevance) + shift)))) for c in tail]


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
