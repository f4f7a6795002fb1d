"""Everything about a question that answering needs, read once per question.

What it asks for (qa.retrieve.question); one encoder call embeds the question and
those of its words the corpus vocabulary lacks (for soft matching); the question is
tokenised once for BM25 and once into content words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index.loaded import Index
from qa.index.word_vectors import words_of
from qa.retrieve.question import Asked, asks


@dataclass(frozen=True)
class Query:
    text: str
    vector: np.ndarray  # the question's embedding
    terms: tuple[str, ...]  # BM25 stems of the question, in order, stop words removed
    words: tuple[str, ...]  # distinct content words, in order
    word_vectors: np.ndarray  # one row per word: stored vector, or the freshly encoded one
    asked: Asked  # what it asks for: kinds of value, names, whether it asks what was said


def read_question(index: Index, question: str) -> Query:
    """What the question asks for, its vector, BM25 terms and content words with their vectors."""
    words = list(dict.fromkeys(words_of(question)))
    unknown = [w for w in words if index.word_vector(w) is None]
    encoded = index.query_encoder().encode([question, *unknown])  # one encoder call
    vectors = index.question_vectors(words, dict(zip(unknown, encoded[1:])))
    return Query(question, encoded[0], tuple(index.terms(question)), tuple(words), vectors, asks(question, index.names))
