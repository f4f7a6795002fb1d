"""A published index version loaded into memory, ready to answer.

Quotes are cut from the document text stored in the index, never from the
corpus files as they are now, so an edited file cannot shift a quote's offsets;
`corpus_diff` tells the reader when the corpus has moved on.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import store, vectors
from qa.corpus import discover, file_hash
from qa.encoders import Encoder, load_encoder, resolve_model
from qa.errors import QAError
from qa.lexical import Lexical
from qa.noise import BODY
from qa.records import Chunk, CorpusDiff, Document


@dataclass
class Index:
    root: Path
    folder: Path
    manifest: dict
    documents: list[Document]
    texts: list[str]
    sentence_spans: list[list[tuple[int, int, str]]]  # per document, every sentence with its kind
    answer_doc: np.ndarray  # per answer sentence (BM25 row): document number
    answer_start: np.ndarray
    answer_end: np.ndarray
    chunks: list[Chunk]
    chunk_doc: np.ndarray
    chunk_answers: list[np.ndarray]  # per chunk: the answer sentences it holds
    vectors: object
    lexical: Lexical
    doc_numbers: dict[str, int]
    model: str | None = None
    _encoder: Encoder | None = field(default=None, repr=False)

    @property
    def model_name(self) -> str:
        return self.manifest["model"]["name"]

    def query_encoder(self) -> Encoder:
        """The fast stored encoder if there is one, else the model itself (with a note)."""
        if self._encoder is None:
            from qa.fast_encoder import load_fast_encoder

            fast = load_fast_encoder(self.folder / "encoder", self.model_name)
            if fast is None:
                print("note: this index has no fast query encoder; loading sentence-transformers instead", file=sys.stderr)
                fast = load_encoder(self.model or self.model_name)
            self._encoder = fast
        return self._encoder

    def corpus_diff(self, corpus: Path) -> CorpusDiff | None:
        """How the corpus folder differs from what was indexed (None if it cannot be read)."""
        try:
            paths = discover(corpus)
        except QAError:
            return None
        indexed: dict[str, str] = self.manifest.get("documents", {})
        now = {p.relative_to(corpus).as_posix(): p for p in paths}
        changed, unchanged = [], []
        for rel, path in now.items():
            if rel in indexed:
                try:
                    same = file_hash(path) == indexed[rel]
                except OSError:
                    same = False
                (unchanged if same else changed).append(rel)
        return CorpusDiff(
            added=tuple(r for r in now if r not in indexed and _readable(now[r])),
            changed=tuple(changed),
            removed=tuple(r for r in indexed if r not in now),
            unchanged=tuple(unchanged),
        )


def _readable(path: Path) -> bool:
    from qa.corpus import read_document
    from qa.records import Skipped

    return not isinstance(read_document(path, path.parent), Skipped)


def load_index(root: Path, model: str | None = None) -> Index:
    folder, manifest = store.open_version(root)
    if model is not None:
        wanted = resolve_model(model)[0]
        if wanted != manifest.get("model", {}).get("name"):
            raise QAError(
                f"the index at {root} was built with model {manifest['model']['name']!r}, not {wanted!r}",
                hint=f"rebuild it with: qa index build --index {root} --model {model}",
            )
    try:
        return _read(root, folder, manifest, model)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
        raise QAError(f"the index at {root} is unusable: {exc}", hint=f"rebuild it with: qa index build --index {root}") from None


def _read(root: Path, folder: Path, manifest: dict, model: str | None) -> Index:
    documents, texts, spans = [], [], []
    fields = Document.__dataclass_fields__
    with open(folder / "documents.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            documents.append(Document(**{k: row[k] for k in fields}))
            texts.append(row["text"])
            spans.append([(s, e, k) for s, e, k in row["sentences"]])
    numbers = {d.doc_id: i for i, d in enumerate(documents)}

    a_doc, a_start, a_end = [], [], []
    for n, sentence_list in enumerate(spans):
        for s, e, k in sentence_list:
            if k == BODY:
                a_doc.append(n)
                a_start.append(s)
                a_end.append(e)
    answer_doc = np.asarray(a_doc, dtype=np.int64)
    answer_start = np.asarray(a_start, dtype=np.int64)
    answer_end = np.asarray(a_end, dtype=np.int64)

    chunks, chunk_doc, chunk_answers = [], [], []
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            n = numbers[row["doc_id"]]
            start, end = row["start"], row["end"]
            chunks.append(Chunk(row["doc_id"], start, end, texts[n][start:end], tuple(tuple(s) for s in row["sentences"])))
            chunk_doc.append(n)
            # answer sentences overlapping this chunk (answer rows are grouped by document, in order)
            lo = np.searchsorted(answer_doc, n, side="left")
            hi = np.searchsorted(answer_doc, n, side="right")
            first = lo + np.searchsorted(answer_end[lo:hi], start, side="right")
            last = lo + np.searchsorted(answer_start[lo:hi], end, side="left")
            chunk_answers.append(np.arange(first, last, dtype=np.int64))

    dense = vectors.load(folder / "vectors.faiss")
    if dense.ntotal != len(chunks):
        raise ValueError(f"vectors.faiss holds {dense.ntotal} vectors for {len(chunks)} chunks")
    lexical = Lexical.load(folder / "bm25")
    if lexical.retriever.scores["num_docs"] != len(answer_doc):
        raise ValueError("the BM25 index does not match the sentences")
    return Index(
        root=root, folder=folder, manifest=manifest, documents=documents, texts=texts, sentence_spans=spans,
        answer_doc=answer_doc, answer_start=answer_start, answer_end=answer_end,
        chunks=chunks, chunk_doc=np.asarray(chunk_doc, dtype=np.int64), chunk_answers=chunk_answers,
        vectors=dense, lexical=lexical, doc_numbers=numbers, model=model,
    )
