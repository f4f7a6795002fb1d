"""Word vectors for soft term matching: "inmates" finds "prisoners", "jailed" finds "imprisoned".

BM25 only counts exact stems, so a question worded differently from its answer
shares few terms with it. Every content word of the corpus is embedded on its
own with the index's model at build time (a word is a few tokens, so this is
cheap next to the chunks), and the question's words at query time; a sentence
then covers a question word when it holds a word whose vector is close enough.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa import rules

if TYPE_CHECKING:
    from qa.embed.encoder import Encoder

_WORD = re.compile(r"[^\W\d_][\w’'-]*[^\W\d_]|[^\W\d_]{2,}", re.UNICODE)
# Cosine at which two words say the same, between the pairs it must tell apart (MiniLM, the bundled
# corpus): "freed"/"released" 0.58, "prisoners"/"detainees" 0.68 above; "released"/"announced" 0.52 below.
MATCH = 0.55


def _stopwords() -> frozenset[str]:
    from qa.index.lexical import english_stopwords  # not bm25s.stopwords: importing bm25s loads scipy

    return english_stopwords() | rules.words("not_content_words")


_STOP: frozenset[str] | None = None


def words_of(text: str) -> list[str]:
    """Lower-cased content words, in order, without stop words."""
    global _STOP
    if _STOP is None:
        _STOP = _stopwords()
    return [w for w in (m.group().lower().strip("’'-") for m in _WORD.finditer(text)) if len(w) > 1 and w not in _STOP]


class WordVectors:
    def __init__(self, words: list[str], vectors: np.ndarray):
        self.words = words
        self.vectors = vectors
        self.ids = {w: i for i, w in enumerate(words)}

    @classmethod
    def build(cls, texts: Iterable[str], encoder: Encoder, reuse: WordVectors | None = None) -> WordVectors:
        """Embed every content word of `texts`; words `reuse` already holds are copied, not embedded."""
        words = sorted({w for text in texts for w in words_of(text)})
        vectors = np.zeros((len(words), encoder.dim), dtype=np.float32)
        todo = []
        for i, w in enumerate(words):
            j = reuse.ids.get(w) if reuse is not None else None
            if reuse is None or j is None:
                todo.append(i)
            else:
                vectors[i] = reuse.vectors[j]
        if todo:
            vectors[todo] = encoder.encode([words[i] for i in todo])
        return cls(words, vectors)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "words.json").write_text(json.dumps(self.words, ensure_ascii=False), encoding="utf-8")
        np.save(folder / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float32), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> WordVectors:
        words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        if vectors.ndim != 2 or len(vectors) != len(words):
            raise ValueError("words/vectors.npy does not match words/words.json")
        return cls(words, vectors)

    def question_vectors(self, words: Sequence[str], encoded: dict[str, np.ndarray]) -> np.ndarray:
        """Vectors of the question's words: stored ones where known, else the freshly `encoded` ones."""
        out = np.zeros((len(words), self.vectors.shape[1]), dtype=np.float32)
        for i, w in enumerate(words):
            out[i] = self.vectors[self.ids[w]] if w in self.ids else encoded[w]
        return out

    def word_ids(self, text: str) -> np.ndarray:
        return np.asarray(sorted({self.ids[w] for w in words_of(text) if w in self.ids}), dtype=np.int64)

    def soft_coverage(self, sims: np.ndarray, weights: np.ndarray, ids: np.ndarray) -> float:
        """Weighted share of question words that some word of a sentence matches (graded by cosine).

        `sims` is question words x corpus words; `ids` are the sentence's corpus words."""
        if len(ids) == 0 or sims.shape[0] == 0:
            return 0.0
        graded = np.clip((sims[:, ids].max(axis=1) - MATCH) / (1 - MATCH), 0.0, 1.0)
        return float((weights * graded).sum() / weights.sum())
