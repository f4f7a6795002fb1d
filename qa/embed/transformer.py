"""The reference encoder: sentence-transformers on torch, loaded offline, used to build.

Importing torch costs seconds, so only a build (or an index without a stored ONNX
encoder) loads this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from qa.errors import QAError

TOKENS_PER_BATCH = 1024
MAX_BATCH = 512


def _batches(order: list[int], lengths: list[int], smallest: int) -> list[list[int]]:
    """Batches of about TOKENS_PER_BATCH tokens (4 characters a token), texts sorted by length.

    sentence-transformers spends a fixed time per batch, so batches of 32 short texts
    (the lexicon's single words, one-line chunks) are mostly overhead: on 2 cores
    words encode 1.3 times as fast in batches of 512 (2.5 times on a busy machine),
    while sentences keep `smallest` (64) a batch; larger ones spill the caches.
    """
    out, lo = [], 0
    while lo < len(order):
        hi = lo + 1
        while hi < len(order) and hi - lo < MAX_BATCH and (
                (hi - lo + 1) * (lengths[hi] // 4 + 2) <= max(TOKENS_PER_BATCH, smallest * (lengths[hi] // 4 + 2))):
            hi += 1
        out.append(order[lo:hi])
        lo = hi
    return out


def _calls(batches: list[list[int]], most: int = 2048) -> list[tuple[int, list[int]]]:
    """Runs of equal-sized batches merged into one encode call (each call costs set-up time),
    at most `most` texts a call so that progress is still reported often."""
    out: list[tuple[int, list[int]]] = []
    for batch in batches:
        if out and out[-1][0] == len(batch) and len(out[-1][1]) + len(batch) <= most:
            out[-1][1].extend(batch)
        else:
            out.append((len(batch), list(batch)))
    return out


def normalise(vectors) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class SentenceTransformerEncoder:
    """The reference encoder: sentence-transformers on torch, loaded offline. `name` and `location`
    are a --model value resolved (qa.embed.encoder.resolve_model), which imports this module, not the reverse."""

    batch_size = 64

    def __init__(self, name: str, location: str):
        self.name, self.location = name, location
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        try:
            self.model = SentenceTransformer(self.location, device="cpu")
        except Exception as exc:  # the library raises many kinds for a bad model
            raise QAError(
                f"cannot load model {self.name!r}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                hint="--model takes a local sentence-transformers folder (no downloads happen here) or the default all-MiniLM-L6-v2",
            ) from exc
        model = self.model
        dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else model.get_sentence_embedding_dimension()
        if dim is None:
            raise QAError(f"model {self.name!r} does not say how long its vectors are")
        self.dim = int(dim)

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sorting by length keeps padding (and so wasted work) small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for size, ids in _calls(_batches(order, [len(texts[i]) for i in order], self.batch_size)):
            vecs = self.model.encode(
                [texts[i] for i in ids], batch_size=size, convert_to_numpy=True,
                normalize_embeddings=True, show_progress_bar=False,
            )
            out[ids] = vecs
            if progress:
                progress(len(ids))
        return normalise(out)
