"""Score a question's candidate pool with the fitted model: most relevant first."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from qa.index.loaded import Index
from qa.rank import features, model
from qa.rank.model import Candidate
from qa.rank.question import Asked
from qa.rank.question import analyse as question_analysis
from qa.reader import model as reader_model
from qa.reader.model import Reader
from qa.records import Filters
from qa.retrieve.candidates import Pool, gather
from qa.retrieve.query import Query, analyse


def rank(index: Index, query: Query, pool: Pool, asked: Asked, ranker: model.Ranker | None = None) -> list[Candidate]:
    ranker = ranker or model.load()
    matrix, facts = features.compute(index, query, pool, asked)
    relevance = ranker.relevance(matrix, facts)
    out = [Candidate(int(row), tuple(map(float, matrix[i])), facts, float(relevance[i]))
           for i, row in enumerate(pool.rows.tolist())]
    out.sort(key=lambda c: (-c.relevance, c.row))
    return read(index, query.text, out, ranker) if ranker.reader else out


def read(index: Index, question: str, ranked: list[Candidate], ranker: model.Ranker, reader: Reader | None = None) -> list[Candidate]:
    """The reader reads the ranking's best few with the question; its verdict and the ranking's, blended as
    fitted, order them. The candidates it did not read follow, never above one it read."""
    head, tail = ranked[: int(ranker.reader["top_n"])], ranked[int(ranker.reader["top_n"]) :]
    if not head:
        return ranked
    logits = (reader or reader_model.load()).logits(question, [index.sentence_text(c.row) for c in head])
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


def candidates(index: Index, question: str, filters: Filters = Filters(), asked: Asked | None = None) -> list[Candidate]:
    """Every sentence either retriever finds (and its neighbours), scored; most relevant first. A question
    asking for a figure, a name, a date or a place reaches deeper: all the values the documents give count.
    `asked` is what the question asks for, when the caller has read it already."""
    query = analyse(index, question)
    asked = asked or question_analysis(question, index.names)
    pool = gather(index, query, filters, deep=bool(asked.wants) and not asked.statement)
    return [] if pool is None else rank(index, query, pool, asked)
