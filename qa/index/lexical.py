"""The lexical half of the index: BM25 (bm25s, English stemming and stop words) over sentences.

The stop words are bm25s's longer English list (NLTK's 179 words): its default
33-word list keeps "what", "did", "about", so a question's own wording matched
"what campaigners say" and "about 50 people".

bm25s stores its sparse matrix as .npy arrays and its vocabulary as JSON, so the
saved index stays plain and is loaded, not rebuilt, at query time.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default token_pattern


@functools.cache
def english_stopwords() -> frozenset[str]:
    """bm25s's long English stop-word list, read from its plain stopwords.py without
    importing the bm25s package, whose __init__ loads scipy."""
    import importlib.util

    package = importlib.util.find_spec("bm25s")
    if package is None or not package.submodule_search_locations:
        raise ImportError("bm25s is not installed")
    spec = importlib.util.spec_from_file_location("_qa_bm25s_stopwords", Path(package.submodule_search_locations[0]) / "stopwords.py")
    if spec is None or spec.loader is None:
        raise ImportError("bm25s has no stopwords module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOPWORDS_EN_PLUS)


# bm25s variants whose saved matrix is the whole score (BM25L and BM25+ add a non-occurrence term)
_PLAIN_METHODS = ("robertson", "lucene", "atire")


class _Stored:
    """The part of a saved bm25s index that answering reads, loaded with numpy alone:
    importing bm25s pulls in scipy and tqdm, a quarter of a cold `qa ask`. Scores are
    bm25s's own (a column of the stored matrix per query term, summed in query order)."""

    def __init__(self, folder: Path, params: dict):
        self.vocab_dict: dict[str, int] = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        self.dtype = np.dtype(params.get("dtype", "float32"))
        self.scores = {name: np.load(folder / f"{name}.csc.index.npy", allow_pickle=False) for name in ("data", "indices", "indptr")}
        self.scores["num_docs"] = int(params["num_docs"])

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        out = np.zeros(self.scores["num_docs"], dtype=self.dtype)
        for token in tokens:
            t = self.vocab_dict.get(token)
            if t is not None:
                lo, hi = indptr[t], indptr[t + 1]
                out[indices[lo:hi]] += data[lo:hi]  # a column holds each sentence at most once
        return out


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english").stemWords


class Lexical:
    """BM25 over the answer sentences; no bm25s object is touched outside this class."""

    def __init__(self, retriever, stem):
        self._retriever = retriever
        self._stem = stem

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        import bm25s

        stem = _stemmer()
        tokens = bm25s.tokenize(list(texts), stopwords=sorted(english_stopwords()), stemmer=stem, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, stem)

    @classmethod
    def load(cls, folder: Path) -> Lexical:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") in _PLAIN_METHODS:
            return cls(_Stored(folder, params), _stemmer())
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0), _stemmer())

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), show_progress=False)

    @property
    def size(self) -> int:
        """How many sentences are indexed."""
        return int(self._retriever.scores["num_docs"])

    def knows(self, term: str) -> bool:
        return term in self._retriever.vocab_dict

    def all_terms(self, text: str) -> list[str]:
        """bm25s.tokenize's terms for one text, without its per-call progress-bar objects
        (answering tokenizes every candidate sentence, so that overhead dominated)."""
        stop = english_stopwords()
        return self._stem([w for w in _TOKEN.findall(text.lower()) if w not in stop])

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every sentence for these terms."""
        known = [t for t in terms if self.knows(t)]  # unknown terms cannot score
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse document frequency per known term, from the stored matrix."""
        n = self.size
        indptr = self._retriever.scores["indptr"]
        vocab = self._retriever.vocab_dict
        out = {}
        for t in terms:
            tid = vocab.get(t)
            df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
            out[t] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
        return out
