"""The question's path through qa: the question is read once, then each stage takes and returns records.

    read      what it asks for, its vector and terms          qa.retrieve.query      -> Query
    retrieve  dense + BM25 candidates, filters applied         qa.retrieve.candidates -> Pool
    rank      fitted features; the reader reads the best few   qa.rank.ranking        -> [Candidate]
    select    quotes, copies folded, weak ones withheld        qa.answer.select       -> Answer
    claims    who says what                                    qa.answer.claims       -> Answer
    (or order them by date: qa.answer.timeline                                        -> Timeline)

Stages read the index through `Index.passage(row)` and its search methods, never its arrays.
"""

from __future__ import annotations

from qa.answer import claims, select, timeline
from qa.index.loaded import Index
from qa.rank.model import Candidate
from qa.rank.ranking import rank
from qa.records import Answer, Filters, Timeline
from qa.retrieve.candidates import gather
from qa.retrieve.query import Query, read_question


def ask(index: Index, question: str, *, top_k: int = 3, filters: Filters = Filters(), min_score: float | None = None) -> Answer:
    """The quotes that answer `question` (none below the confidence `min_score`, else the fitted one), and who says what."""
    query, found = _read_and_rank(index, question, filters)
    answer = select.quotes(index, query, found, top_k=top_k, min_score=min_score)
    return claims.add(index, query, answer, found, min_score)


def dated(index: Index, topic: str, filters: Filters = Filters(), min_score: float | None = None) -> Timeline:
    """What the documents say about `topic`, in the order it happened or was said."""
    return timeline.order(index, *_read_and_rank(index, topic, filters), min_score)


def ranked(index: Index, question: str, filters: Filters = Filters()) -> list[Candidate]:
    """Every sentence either retriever finds (and its neighbours), scored; most relevant first."""
    return _read_and_rank(index, question, filters)[1]


def _read_and_rank(index: Index, question: str, filters: Filters) -> tuple[Query, list[Candidate]]:
    query = read_question(index, question)
    return query, rank(index, query, gather(index, query, filters))
