"""The lexical half of the index: BM25 (bm25s, English stemming and stop words) over sentences.

bm25s stores its sparse matrix as .npy arrays and its vocabulary as JSON, so the
saved index stays plain and is loaded, not rebuilt, at query time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

STOPWORDS = "en"


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english").stemWords


class Lexical:
    def __init__(self, retriever, stem):
        self.retriever = retriever
        self._stem = stem

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Lexical":
        import bm25s

        stem = _stemmer()
        tokens = bm25s.tokenize(list(texts), stopwords=STOPWORDS, stemmer=stem, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, stem)

    @classmethod
    def load(cls, folder: Path) -> "Lexical":
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0), _stemmer())

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)

    def terms(self, text: str) -> list[str]:
        """Stemmed query terms that the index knows (unknown terms cannot score)."""
        import bm25s

        tokens = bm25s.tokenize([text], stopwords=STOPWORDS, stemmer=self._stem, return_ids=False, show_progress=False)[0]
        vocab = self.retriever.vocab_dict
        return [t for t in tokens if t in vocab]

    def all_terms(self, text: str) -> list[str]:
        import bm25s

        return bm25s.tokenize([text], stopwords=STOPWORDS, stemmer=self._stem, return_ids=False, show_progress=False)[0]

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every sentence for these terms."""
        size = self.retriever.scores["num_docs"]
        if not terms:
            return np.zeros(size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(terms), dtype=np.float32)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse document frequency per known term, from the stored matrix."""
        n = self.retriever.scores["num_docs"]
        indptr = self.retriever.scores["indptr"]
        vocab = self.retriever.vocab_dict
        out = {}
        for t in terms:
            tid = vocab.get(t)
            df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
            out[t] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
        return out
