"""The sentence and chunk tables of an index version, as plain numpy arrays in one file.

Answering needs to know, for every chunk, which answer sentences it holds, and
for every document its centroid; a build computes both once and stores them
here (`rows.npz`, read with allow_pickle=False), so opening an index is reading
arrays, not recomputing them.

Terms: a *sentence* is any sentence of a document (body, heading or boilerplate);
an *answer row* is a body sentence, the unit that BM25 indexes and quotes are
made of; a *chunk* is what the vector index embeds (one or more sentence pieces).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.ingest.boilerplate import BODY, BOILERPLATE, CAPTION, HEADING, QUOTED, answerable
from qa.records import Chunk

FILE = "rows.npz"
KINDS = (BODY, HEADING, BOILERPLATE, QUOTED, CAPTION)
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True)
class Rows:
    sentence_doc: np.ndarray  # per sentence: document number
    sentence_start: np.ndarray
    sentence_end: np.ndarray
    sentence_kind: np.ndarray  # index into KINDS
    doc_first: np.ndarray  # per document: its first sentence (documents' sentences are consecutive), plus the end
    answer_sentence: np.ndarray  # per answer row: its sentence
    chunk_doc: np.ndarray
    chunk_start: np.ndarray
    chunk_end: np.ndarray
    chunk_unit_ptr: np.ndarray  # chunk c's pieces are chunk_units[ptr[c]:ptr[c+1]]
    chunk_units: np.ndarray  # (start, end) of each piece
    chunk_answer_ptr: np.ndarray  # chunk c holds answer rows chunk_answer_rows[ptr[c]:ptr[c+1]]
    chunk_answer_rows: np.ndarray
    answer_chunk: np.ndarray  # per answer row: the first chunk that holds it
    centroids: np.ndarray  # per document: normalised mean of its chunk vectors

    @classmethod
    def make(cls, spans_of: Sequence[Sequence[tuple[int, int]]], kinds_of: Sequence[Sequence[str]], chunks: Sequence[Chunk],
             numbers: dict[str, int], vectors: np.ndarray, documents: int) -> Rows:
        counts = [len(s) for s in spans_of]
        doc_first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        sentence_doc = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        flat = [span for spans in spans_of for span in spans]
        sentence_start = np.asarray([s for s, _ in flat], dtype=np.int64)
        sentence_end = np.asarray([e for _, e in flat], dtype=np.int64)
        kinds = [k for ks in kinds_of for k in ks]
        sentence_kind = np.asarray([_KIND_CODE[k] for k in kinds], dtype=np.int8)
        answer_sentence = np.asarray([i for i, k in enumerate(kinds) if answerable(k)], dtype=np.int64)

        chunk_doc = np.asarray([numbers[c.doc_id] for c in chunks], dtype=np.int64)
        chunk_start = np.asarray([c.start for c in chunks], dtype=np.int64)
        chunk_end = np.asarray([c.end for c in chunks], dtype=np.int64)
        chunk_unit_ptr = np.concatenate([[0], np.cumsum([len(c.sentences) for c in chunks])]).astype(np.int64)
        chunk_units = np.asarray([u for c in chunks for u in c.sentences], dtype=np.int64).reshape(-1, 2)

        # The answer rows overlapping each chunk, for all chunks at once: answer rows are
        # grouped by document in document order, so (document, offset) keys are sorted.
        a_doc, a_start, a_end = sentence_doc[answer_sentence], sentence_start[answer_sentence], sentence_end[answer_sentence]
        stride = int(max(sentence_end.max(initial=0), chunk_end.max(initial=0))) + 1
        doc_key = chunk_doc * stride
        first = np.searchsorted(a_doc * stride + a_end, doc_key + chunk_start, side="right")
        last = np.maximum(first, np.searchsorted(a_doc * stride + a_start, doc_key + chunk_end, side="left"))
        held_counts = last - first
        chunk_answer_ptr = np.concatenate([[0], np.cumsum(held_counts)]).astype(np.int64)
        held = np.repeat(first - chunk_answer_ptr[:-1], held_counts) + np.arange(held_counts.sum(), dtype=np.int64)
        owner = np.repeat(np.arange(len(chunks), dtype=np.int64), held_counts)
        answer_chunk = np.full(len(answer_sentence), -1, dtype=np.int64)
        unique_rows, at = np.unique(held, return_index=True)
        answer_chunk[unique_rows] = owner[at]
        if (answer_chunk < 0).any():
            raise ValueError("a sentence belongs to no chunk")

        dim = vectors.shape[1] if vectors.ndim == 2 else 0
        sums = np.zeros((documents, dim), dtype=np.float32)
        for start in range(0, len(chunks), 65536):
            block = vectors[start : start + 65536]
            np.add.at(sums, chunk_doc[start : start + len(block)], block)
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return cls(sentence_doc, sentence_start, sentence_end, sentence_kind, doc_first, answer_sentence, chunk_doc,
                   chunk_start, chunk_end, chunk_unit_ptr, chunk_units, chunk_answer_ptr, held, answer_chunk,
                   centroids.astype(np.float32))

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, **{name: getattr(self, name) for name in self.__dataclass_fields__})

    @classmethod
    def load(cls, path: Path) -> Rows:
        with np.load(path, allow_pickle=False) as data:
            missing = set(cls.__dataclass_fields__) - set(data.files)
            if missing:
                raise ValueError(f"{path.name} lacks {', '.join(sorted(missing))}")
            return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    def sentences_of(self, n: int) -> list[tuple[int, int, str]]:
        """Every sentence of document n as (start, end, kind)."""
        lo, hi = int(self.doc_first[n]), int(self.doc_first[n + 1])
        return [(s, e, KINDS[k]) for s, e, k in zip(self.sentence_start[lo:hi].tolist(), self.sentence_end[lo:hi].tolist(),
                                                     self.sentence_kind[lo:hi].tolist())]

    def chunk(self, c: int, doc_id: str, text: str) -> Chunk:
        s, e = int(self.chunk_start[c]), int(self.chunk_end[c])
        units = self.chunk_units[self.chunk_unit_ptr[c] : self.chunk_unit_ptr[c + 1]].tolist()
        return Chunk(doc_id, s, e, text[s:e], tuple((a, b) for a, b in units))

    def answers_of_chunk(self, c: int) -> np.ndarray:
        return self.chunk_answer_rows[self.chunk_answer_ptr[c] : self.chunk_answer_ptr[c + 1]]
