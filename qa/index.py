"""A published index version loaded into memory, ready to answer.

Quotes are cut from the document text stored in the index, never from the
corpus files as they are now, so an edited file cannot shift a quote's offsets;
`corpus_diff` tells the reader when the corpus has moved on.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import store, vectors
from qa.corpus import discover, file_hash
from qa.encoders import Encoder, load_encoder, resolve_model
from qa.errors import QAError
from qa.lexical import Lexical
from qa.lexicon import Lexicon
from qa.noise import answerable
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
    answer_pos: np.ndarray  # position of the sentence in its document's sentence_spans
    chunks: list[Chunk]
    chunk_doc: np.ndarray
    chunk_answers: list[np.ndarray]  # per chunk: the answer sentences it holds
    answer_chunk: np.ndarray  # per answer sentence: a chunk that holds it
    vectors: object
    lexical: Lexical
    lexicon: Lexicon
    doc_numbers: dict[str, int]
    model: str | None = None
    _encoder: Encoder | None = field(default=None, repr=False)
    _centroids: np.ndarray | None = field(default=None, repr=False)
    _terms: dict = field(default_factory=dict, repr=False)
    _pin: store.Pin | None = field(default=None, repr=False)  # keeps this version's folder from garbage collection

    def document_centroids(self) -> np.ndarray:
        """Per document, the normalised mean of its chunk vectors (computed once, on first use)."""
        if self._centroids is None:
            sums = np.zeros((len(self.documents), self.vectors.d), dtype=np.float32)
            for start in range(0, len(self.chunks), 65536):
                block = self.vectors.reconstruct_n(start, min(65536, len(self.chunks) - start))
                np.add.at(sums, self.chunk_doc[start : start + len(block)], block)
            self._centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return self._centroids

    def sentence_terms(self, row: int) -> tuple[frozenset[str], np.ndarray]:
        """(BM25 stems, lexicon word ids) of an answer sentence, memoised across questions."""
        found = self._terms.get(row)
        if found is None:
            text = self.sentence_text(row)
            found = self._terms[row] = (frozenset(self.lexical.all_terms(text)), self.lexicon.word_ids(text))
        return found

    def sentence_text(self, row: int) -> str:
        """Text of an answer sentence (a BM25 row)."""
        return self.texts[self.answer_doc[row]][self.answer_start[row] : self.answer_end[row]]

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
    folder, manifest, pin = store.open_pinned(root, verify=False)
    if model is not None:
        wanted = resolve_model(model)[0]
        if wanted != manifest.get("model", {}).get("name"):
            pin.release()
            raise QAError(
                f"the index at {root} was built with model {manifest['model']['name']!r}, not {wanted!r}",
                hint=f"rebuild it with: qa index build --index {root} --model {model}",
            )
    # The checksums are computed while the files are parsed (hashing releases the GIL);
    # nothing is returned until both are done, and a checksum failure is reported first.
    failed: list[BaseException] = []

    def verify() -> None:
        try:
            store.verify_files(root, folder, manifest)
        except BaseException as exc:
            failed.append(exc)

    checker = threading.Thread(target=verify, name="qa-verify")
    checker.start()
    try:
        loaded = _read(root, folder, manifest, model)
    except Exception as exc:  # a damaged file fails in many ways (np.load raises SyntaxError on a bad header)
        checker.join()
        pin.release()
        if failed:
            raise failed[0] from None
        raise QAError(f"the index at {root} is unusable: {exc}", hint=f"rebuild it with: qa index build --index {root}") from None
    except BaseException:
        checker.join()
        pin.release()
        raise
    checker.join()
    if failed:
        pin.release()
        raise failed[0]
    loaded._pin = pin
    return loaded


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

    a_doc, a_start, a_end, a_pos = [], [], [], []
    for n, sentence_list in enumerate(spans):
        for j, (s, e, k) in enumerate(sentence_list):
            if answerable(k):
                a_doc.append(n)
                a_start.append(s)
                a_end.append(e)
                a_pos.append(j)
    answer_doc = np.asarray(a_doc, dtype=np.int64)
    answer_start = np.asarray(a_start, dtype=np.int64)
    answer_end = np.asarray(a_end, dtype=np.int64)
    answer_pos = np.asarray(a_pos, dtype=np.int64)

    chunks, chunk_doc, chunk_start, chunk_end = [], [], [], []
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            n = numbers[row["doc_id"]]
            start, end = row["start"], row["end"]
            chunks.append(Chunk(row["doc_id"], start, end, texts[n][start:end], tuple(tuple(s) for s in row["sentences"])))
            chunk_doc.append(n)
            chunk_start.append(start)
            chunk_end.append(end)

    # The answer sentences overlapping each chunk, for all chunks at once: answer rows are
    # grouped by document in document order, so (document, offset) keys are sorted.
    stride = max(map(len, texts), default=0) + 1
    doc_key = np.asarray(chunk_doc, dtype=np.int64) * stride
    first = np.searchsorted(answer_doc * stride + answer_end, doc_key + np.asarray(chunk_start, dtype=np.int64), side="right")
    last = np.maximum(first, np.searchsorted(answer_doc * stride + answer_start, doc_key + np.asarray(chunk_end, dtype=np.int64), side="left"))
    rows = np.arange(len(answer_doc), dtype=np.int64)
    chunk_answers = [rows[f:l] for f, l in zip(first.tolist(), last.tolist())]

    # per answer sentence, the first chunk that holds it
    answer_chunk = np.full(len(answer_doc), -1, dtype=np.int64)
    counts = last - first
    held = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum(), dtype=np.int64)
    owner = np.repeat(np.arange(len(chunks), dtype=np.int64), counts)
    unique_rows, at = np.unique(held, return_index=True)
    answer_chunk[unique_rows] = owner[at]
    if (answer_chunk < 0).any():
        raise ValueError("a sentence belongs to no chunk")
    dense = vectors.load(folder / "vectors.faiss")
    if dense.ntotal != len(chunks):
        raise ValueError(f"vectors.faiss holds {dense.ntotal} vectors for {len(chunks)} chunks")
    lexical = Lexical.load(folder / "bm25")
    if lexical.retriever.scores["num_docs"] != len(answer_doc):
        raise ValueError("the BM25 index does not match the sentences")
    lexicon = Lexicon.load(folder / "lexicon")
    return Index(
        root=root, folder=folder, manifest=manifest, documents=documents, texts=texts, sentence_spans=spans,
        answer_doc=answer_doc, answer_start=answer_start, answer_end=answer_end, answer_pos=answer_pos,
        chunks=chunks, chunk_doc=np.asarray(chunk_doc, dtype=np.int64), chunk_answers=chunk_answers, answer_chunk=answer_chunk,
        vectors=dense, lexical=lexical, lexicon=lexicon, doc_numbers=numbers, model=model,
    )
