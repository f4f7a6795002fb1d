"""A published index version loaded into memory, ready to answer.

Quotes are cut from the document text stored in the index, never from the
corpus files as they are now, so an edited file cannot shift a quote's offsets;
`corpus_diff` tells the reader when the corpus has moved on. Opening reads what
the build stored and computes nothing that the build could have.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.embed.encoder import Encoder, load_encoder, resolve_model, same_model
from qa.errors import QAError
from qa.index import notes, rows, store
from qa.index.lexical import Lexical
from qa.index.notes import fold
from qa.index.vectors import FaissVectors, VectorStore
from qa.index.word_vectors import WordVectors
from qa.ingest.files import SOURCES_FILE, discover, relative, stat_of
from qa.ingest.sources import raw_sources
from qa.records import Chunk, Citation, CorpusDiff, Document, Filters, Page, Passage, Shown, ShownSentence


@dataclass(eq=False)
class Index:
    root: Path
    folder: Path
    manifest: dict
    documents: list[Document]
    texts: list[str]
    rows: rows.Rows
    notes: notes.Notes  # per sentence: entities, statement, dates (the build's annotation stage)
    names: dict[str, list[int]]  # every named entity, folded, with the documents that name it
    vectors: VectorStore
    lexical: Lexical
    words: WordVectors
    doc_numbers: dict[str, int]
    model: str | None = None
    corpus: Path | None = None  # the corpus folder, when known: citations then name each file's absolute path
    _encoder: Encoder | None = field(default=None, repr=False)
    _terms: dict = field(default_factory=dict, repr=False)
    _pin: store.Pin | None = field(default=None, repr=False)  # keeps this version's folder from garbage collection

    def __post_init__(self) -> None:
        r = self.rows
        # per answer row (BM25 row): document, offsets, and position among its document's sentences
        self.answer_doc = r.sentence_doc[r.answer_sentence]
        self.answer_start = r.sentence_start[r.answer_sentence]
        self.answer_end = r.sentence_end[r.answer_sentence]
        self.answer_pos = r.answer_sentence - r.doc_first[self.answer_doc]
        self.chunk_doc = r.chunk_doc
        self.answer_chunk = r.answer_chunk

    @property
    def chunk_count(self) -> int:
        return len(self.rows.chunk_doc)

    @functools.cached_property
    def chunks(self) -> list[Chunk]:
        """Every chunk as a record (built on first use; answering never needs them)."""
        docs = self.documents
        return [self.rows.chunk(c, docs[n].doc_id, self.texts[n]) for c, n in enumerate(self.rows.chunk_doc.tolist())]

    @functools.cached_property
    def sentence_spans(self) -> list[list[tuple[int, int, str]]]:
        """Per document, every sentence with its kind (built on first use)."""
        return [self.rows.sentences_of(n) for n in range(len(self.documents))]

    def sentence_kind(self, row: int, step: int = 0) -> str | None:
        """Kind of the sentence `step` places after answer row `row` in its document (None outside it)."""
        n = int(self.answer_doc[row])
        at = int(self.rows.answer_sentence[row]) + step
        if not self.rows.doc_first[n] <= at < self.rows.doc_first[n + 1]:
            return None
        return rows.KINDS[int(self.rows.sentence_kind[at])]

    def document_centroids(self) -> np.ndarray:
        """Per document, the normalised mean of its chunk vectors (stored by the build)."""
        return self.rows.centroids

    # -- the passages: what every stage after the index reads ---------------------------------------

    def passage(self, row: int) -> Passage:
        """Answer row `row` as a record: its sentence, its annotations and its citation (memoised)."""
        key = ("passage", row)
        found = self._terms.get(key)
        if found is None:
            n, sentence = int(self.answer_doc[row]), int(self.rows.answer_sentence[row])
            start, end = int(self.answer_start[row]), int(self.answer_end[row])
            notes, text = self.notes.of(sentence), self.texts[n]
            refers = notes.statement.refers_to if notes.statement else None
            found = self._terms[key] = Passage(
                row, self._text(row), self.sentence_kind(row) or "body", self.citation(n, start, end), notes.entities,
                notes.statement, notes.dates, notes.credits, text[refers.start:refers.end] if refers else None)
        return found

    def citation(self, n: int, start: int | None = None, end: int | None = None) -> Citation:
        """The citation of document `n`, or of its text[start:end]."""
        return self.documents[n].cite(self.texts[n], start, end, self.corpus)

    def quote(self, first: int, last: int) -> tuple[str, Citation]:
        """The text from answer row `first` to answer row `last` of the same document, and its citation."""
        n, start, end = int(self.answer_doc[first]), int(self.answer_start[first]), int(self.answer_end[last])
        return self.texts[n][start:end], self.citation(n, start, end)

    def adjacent(self, row: int, step: int) -> int | None:
        """The body sentence right before (-1) or after (1) answer row `row` in its document, none between."""
        other = row + step
        if not 0 <= other < len(self.answer_doc) or self.answer_doc[other] != self.answer_doc[row]:
            return None
        return other if self.answer_pos[other] == self.answer_pos[row] + step else None

    def same_document(self, a: int, b: int) -> bool:
        return min(a, b) >= 0 and max(a, b) < len(self.answer_doc) and bool(self.answer_doc[a] == self.answer_doc[b])

    def shown(self, n: int) -> Shown:
        """Document `n`'s indexed text, every sentence with its kind and annotations, as `qa show` prints it."""
        first = int(self.rows.doc_first[n])
        notes = [self.notes.of(first + j) for j in range(len(self.sentence_spans[n]))]
        return Shown(self.documents[n].path, self.texts[n], tuple(
            ShownSentence(s, e, k, o.entities, o.statement, o.dates) for (s, e, k), o in zip(self.sentence_spans[n], notes)))

    def document(self, doc_id: str) -> tuple[Document, str] | None:
        """A document and its indexed text, by its id (None when it is no longer in the index)."""
        n = self.doc_numbers.get(doc_id)
        return None if n is None else (self.documents[n], self.texts[n])

    # -- retrieval: whole-index searches, answered with answer rows -------------------------------------

    def admitted(self, filters: Filters) -> tuple[np.ndarray | None, np.ndarray]:
        """Whether the filters admit each document (None: no filter) and each answer row."""
        if not filters.active:
            return None, np.ones(len(self.answer_doc), dtype=bool)
        documents = np.asarray([filters.admits(d) for d in self.documents], dtype=bool)
        return documents, documents[self.answer_doc]

    def dense(self, vector: np.ndarray, k: int, documents: np.ndarray | None) -> np.ndarray:
        """The answer rows of the `k` chunks nearest `vector` among the admitted documents' chunks."""
        allowed = None if documents is None else np.flatnonzero(documents[self.chunk_doc])
        _scores, ids = self.vectors.search(vector, k, allowed)
        found = [self.rows.answers_of_chunk(int(c)) for c in ids]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def bm25(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every answer row for these terms."""
        return self.lexical.scores(terms)

    def neighbours(self, rows: np.ndarray, step: int) -> np.ndarray:
        """The answer row before/after each row in the same document, or -1."""
        other = np.clip(rows + step, 0, len(self.answer_doc) - 1)
        same = (other != rows) & (self.answer_doc[other] == self.answer_doc[rows])
        return np.where(same, other, -1)

    def documents_of(self, rows: np.ndarray) -> np.ndarray:
        """The document number of each answer row."""
        return self.answer_doc[rows]

    def row_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vector that stands for each answer row (its chunk's)."""
        return self.vectors.vectors(self.answer_chunk[rows])

    # -- words: the BM25 vocabulary and the corpus word vectors ------------------------------------------

    def terms(self, text: str) -> list[str]:
        """BM25 stems of a text, stop words removed."""
        return self.lexical.all_terms(text)

    def knows(self, term: str) -> bool:
        return self.lexical.knows(term)

    def idf(self, terms: list[str]) -> dict[str, float]:
        return self.lexical.idf(terms)

    def word_vector(self, word: str) -> np.ndarray | None:
        """The corpus's vector of a word (None for a word the corpus does not hold)."""
        i = self.words.ids.get(word)
        return None if i is None else self.words.vectors[i]

    def question_vectors(self, words: list[str], encoded: dict[str, np.ndarray]) -> np.ndarray:
        """Vectors of a question's words: the corpus's where it holds the word, else the `encoded` one."""
        return self.words.question_vectors(words, encoded)

    def similarities(self, word_vectors: np.ndarray) -> np.ndarray:
        """The cosine of each of a question's words with every corpus word."""
        return word_vectors @ self.words.vectors.T

    def soft_coverage(self, sims: np.ndarray, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per answer row, the weighted share of the question's words (`sims`: their similarities) it holds or
        holds a near-synonym of."""
        return np.asarray([self.words.soft_coverage(sims, weights, self.sentence_terms(r)[1]) for r in rows.tolist()])

    def sentence_terms(self, row: int) -> tuple[frozenset[str], np.ndarray]:
        """(BM25 stems, word-vector ids) of an answer sentence, memoised across questions."""
        found = self._terms.get(row)
        if found is None:
            text = self._text(row)
            found = self._terms[row] = (frozenset(self.lexical.all_terms(text)), self.words.word_ids(text))
        return found

    def folded_sentence(self, row: int) -> str:
        """An answer sentence folded as names are (qa.index.notes.fold), memoised across questions."""
        key = ("folded", row)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = fold(self._text(row))
        return found

    def _text(self, row: int) -> str:
        """An answer sentence's text alone (the word features need no annotations or citation)."""
        return self.texts[self.answer_doc[row]][self.answer_start[row] : self.answer_end[row]]

    @property
    def model_name(self) -> str:
        return self.manifest["model"]["name"]

    def query_encoder(self) -> Encoder:
        """The machine's ONNX export this version refers to (exported again if it is missing or
        damaged), else an encoder stored in the version by an older qa, else the model itself (with
        a note)."""
        if self._encoder is None:
            from qa.embed import cache
            from qa.embed.onnx import cached_encoder, load_fast_encoder

            key = self.manifest["model"].get("encoder")
            encoder: Encoder | None = None
            if isinstance(key, str):
                encoder = load_fast_encoder(cache.folder_of(key), self.model_name)
                if encoder is None:
                    print(f"note: the query encoder is missing or damaged in {cache.root_text()}; exporting it again",
                          file=sys.stderr)
                    encoder = cached_encoder(self.model or self.model_name)
                    if encoder is not None and encoder.key != key:
                        print("note: this qa exports the model otherwise than the export this index was embedded with, "
                              "so its vectors differ slightly; `qa index update` embeds the documents again",
                              file=sys.stderr)
            else:
                encoder = load_fast_encoder(self.folder / "encoder", self.model_name)
            if encoder is None:
                print("note: this index has no fast query encoder; loading sentence-transformers instead", file=sys.stderr)
                encoder = load_encoder(self.model or self.model_name)
            self._encoder = encoder
        return self._encoder

    def corpus_diff(self, corpus: Path) -> CorpusDiff | None:
        """How the corpus folder differs from what was indexed (None if it cannot be read)."""
        return corpus_diff(self.manifest, corpus)


def document_from_json(row: dict) -> Document:
    """A Document from its documents.jsonl line (JSON lists back to tuples and Pages)."""
    fields = {k: row[k] for k in Document.__dataclass_fields__ if k in row}
    fields["pages"] = tuple(Page(**p) for p in row.get("pages", ()))
    fields["origins"] = tuple((name, origin) for name, origin in row.get("origins", ()))
    fields["notes"] = tuple(row.get("notes", ()))
    fields["lines"] = tuple((int(offset), int(line)) for offset, line in row.get("lines", ()))
    return Document(**fields)


def read_documents(root: Path) -> tuple[dict, list[Document]]:
    """The live version's manifest and documents, checked, without loading anything else."""
    folder, manifest = store.open_version(root)
    try:
        with open(folder / "documents.jsonl", encoding="utf-8") as fh:
            return manifest, [document_from_json(json.loads(line)) for line in fh]
    except (OSError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise QAError(f"the index at {root} is unusable: {exc}", hint=f"rebuild it with: qa index build --index {root}") from None


def corpus_diff(manifest: dict, corpus: Path) -> CorpusDiff | None:
    """How the corpus folder differs from what a version's manifest lists (None if it cannot be read).

    A file whose size and modification time are as at the build is unchanged without
    being read; only the others are hashed (the readers load only then)."""
    from qa.records import Skipped

    try:
        paths = discover(corpus, manifest.get("follow_symlinks") is True)  # as the build read it
    except QAError:
        return None
    raw = raw_sources(corpus, manifest.get("follow_symlinks") is True)
    sources = hashlib.sha256(raw).hexdigest() if raw is not None else None
    indexed: dict[str, str] = manifest.get("documents", {})
    stats: dict[str, list[int]] = manifest.get("stats", {})
    skipped: dict[str, str] = manifest.get("skipped", {})
    now = {relative(p, corpus): p for p in paths}
    changed: list[str] = []
    unchanged: list[str] = []
    added: list[str] = []
    for rel, path in now.items():
        try:
            st = stat_of(path)
        except OSError:
            st = None
        seen = st is not None and stats.get(rel) == [st.size, st.mtime_ns]
        if rel in indexed:
            try:
                same = seen or _file_hash(path) == indexed[rel]
            except OSError:
                same = False
            (unchanged if same else changed).append(rel)
        elif not (seen and rel in skipped) and not isinstance(_read_document(path, corpus), Skipped):
            added.append(rel)
    removed = [r for r in indexed if r not in now]
    before = manifest.get("sources_csv")
    if sources != before:  # what a person states about the documents changed
        (added if before is None else removed if sources is None else changed).append(SOURCES_FILE)
    return CorpusDiff(added=tuple(added), changed=tuple(changed), removed=tuple(removed), unchanged=tuple(unchanged))


def _file_hash(path: Path) -> str:
    from qa.ingest.documents import file_hash

    return file_hash(path)


def _read_document(path: Path, corpus: Path):
    from qa.ingest.documents import read_document

    return read_document(path, corpus)


def load_index(root: Path, model: str | None = None, corpus: Path | None = None) -> Index:
    folder, manifest, pin = store.open_pinned(root, verify=False)
    if model is not None:
        wanted = resolve_model(model)[0]
        if not same_model(wanted, manifest.get("model", {}).get("name")):
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
    loaded._pin, loaded.corpus = pin, corpus
    return loaded


def _read(root: Path, folder: Path, manifest: dict, model: str | None) -> Index:
    documents, texts = [], []
    with open(folder / "documents.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            documents.append(document_from_json(row))
            texts.append(row["text"])
    table = rows.Rows.load(folder / rows.FILE)
    if len(table.doc_first) != len(documents) + 1:
        raise ValueError(f"{rows.FILE} does not match documents.jsonl")
    dense = FaissVectors.load(folder / "vectors.faiss")
    if dense.count != len(table.chunk_doc):
        raise ValueError(f"vectors.faiss holds {dense.count} vectors for {len(table.chunk_doc)} chunks")
    lexical = Lexical.load(folder / "bm25")
    if lexical.size != len(table.answer_sentence):
        raise ValueError("the BM25 index does not match the sentences")
    words = WordVectors.load(folder / "words")
    found = notes.Notes.load(folder / notes.FILE)
    if found.sentences != len(table.sentence_doc):
        raise ValueError(f"{notes.FILE} does not match the sentences")
    return Index(
        root=root, folder=folder, manifest=manifest, documents=documents, texts=texts, rows=table, notes=found,
        names=notes.load_names(folder / notes.NAMES_FILE),
        vectors=dense, lexical=lexical, words=words, doc_numbers={d.doc_id: i for i, d in enumerate(documents)}, model=model,
    )
