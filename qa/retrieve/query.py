"""Everything about a question that answering needs, computed once per question.

One encoder call embeds the question and those of its words the corpus
vocabulary lacks (for soft matching); the question is tokenised once for BM25
and once into content words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index.loaded import Index
from qa.index.word_vectors import words_of


@dataclass(frozen=True)
class Query:
    text: str
    vector: np.ndarray  # the question's embedding
    terms: tuple[str, ...]  # BM25 stems of the question, in order, stop words removed
    words: tuple[str, ...]  # distinct content words, in order
    word_vectors: np.ndarray  # one row per word: stored vector, or the freshly encoded one


def analyse(index: Index, question: str) -> Query:
    words = list(dict.fromkeys(words_of(question)))
    unknown = [w for w in words if w not in index.words.ids]
    encoded = index.query_encoder().encode([question, *unknown])
    vectors = index.words.question_vectors(words, dict(zip(unknown, encoded[1:])))
    return Query(question, encoded[0], tuple(index.lexical.all_terms(question)), tuple(words), vectors)
