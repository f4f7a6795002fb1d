"""Score a question's candidate pool with the fitted model: most relevant first."""

from __future__ import annotations

from qa.index.loaded import Index
from qa.rank import features, model
from qa.rank.model import Candidate
from qa.rank.question import Asked
from qa.rank.question import analyse as question_analysis
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
    return out


def candidates(index: Index, question: str, filters: Filters = Filters(), asked: Asked | None = None) -> list[Candidate]:
    """Every sentence either retriever finds (and its neighbours), scored; most relevant first. A question
    asking for a figure, a name, a date or a place reaches deeper: all the values the documents give count.
    `asked` is what the question asks for, when the caller has read it already."""
    query = analyse(index, question)
    asked = asked or question_analysis(question, index.names)
    pool = gather(index, query, filters, deep=bool(asked.wants) and not asked.statement)
    return [] if pool is None else rank(index, query, pool, asked)
