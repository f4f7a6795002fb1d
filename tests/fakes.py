"""A deterministic encoder that downloads nothing (hashed word and word-pair counts), and a corpus file writer."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from qa.embed.transformer import normalise

_WORD = re.compile(r"\w+")


class FakeEncoder:
    name = "fake-hashing"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0  # texts encoded so far

    def _bucket(self, token: str) -> tuple[int, float]:
        h = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        return h % self.dim, 1.0 if (h >> 32) & 1 else -1.0

    def encode(self, texts, progress=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w.lower() for w in _WORD.findall(text)]
            for token in words + [a + " " + b for a, b in zip(words, words[1:])]:
                col, sign = self._bucket(token)
                out[row, col] += sign
            out[row, self._bucket(text)[0]] += 1e-3  # never an all-zero vector; a text's vector never depends on its batch
        self.calls += len(texts)
        if progress:
            progress(len(texts))
        return normalise(out)


def write(folder: Path, name: str, text: str) -> None:
    """A corpus file, with the folders it needs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
