"""From a corpus folder to a published index version.

A full build and an update share this one pipeline: an update merely hands it
the previous version's vectors, keyed by (model, chunk text hash), and its
sentence analysis, keyed by document hash, so unchanged chunks are never
embedded again and the model is not even loaded when nothing new needs
embedding. Either way the result is a complete new version. Everything the
question path would otherwise recompute on every open (which answer sentences
each chunk holds, document centroids) is computed here and stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from qa.embed.encoder import REGISTRY, Encoder, load_encoder, resolve_model, same_model
from qa.errors import QAError
from qa.index import notes, rows, store
from qa.index.lexical import Lexical
from qa.index.loaded import document_from_json
from qa.index.vectors import FaissVectors, choose_type
from qa.index.word_vectors import WordVectors
from qa.ingest import boilerplate, documents, lines, metadata, paragraphs, sentences
from qa.ingest import sources as sources_module
from qa.ingest.boilerplate import answerable, classify, split_credits
from qa.ingest.budget import stop_workers
from qa.ingest.chunking import ChunkParams, chunk_document
from qa.ingest.documents import LoadedDocument, read_document
from qa.ingest.files import FileStat, relative, scan, stat_of
from qa.ingest.sentences import split_sentences
from qa.ingest.sources import Sources, read_sources
from qa.records import BuildReport, Chunk, Skipped

# progress(stage, done, total): stages are "read", "embed", "write"
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


def chunk_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Corpus:
    loaded: list[LoadedDocument]
    skipped: list[Skipped]
    stats: dict[str, list[int]]  # every file's [size, mtime_ns], for the stale check
    sources: Sources  # what sources.csv states
    notes: tuple[str, ...]


def read_corpus(corpus: Path, follow_symlinks: bool = False, progress: Progress | None = None,
                known: Mapping[str, LoadedDocument] = {}, known_sources: str | None = None) -> Corpus:
    """The readable documents, the skipped files (with why), and what sources.csv states.
    `known` (by path) is what the same code read before with sources.csv as `known_sources`:
    a file that still holds the same bytes is not read again while sources.csv is the same."""
    loaded: list[LoadedDocument] = []
    stats: dict[str, list[int]] = {}
    sources = read_sources(corpus, follow_symlinks)
    known = known if sources.sha256 == known_sources else {}
    paths, skipped = scan(corpus, follow_symlinks)

    def one(path: Path) -> tuple[FileStat | None, LoadedDocument | Skipped]:
        try:
            before = stat_of(path)
        except OSError as exc:
            return None, Skipped(relative(path, corpus), f"cannot be read ({exc.strerror or exc})")
        return before, read_document(path, corpus, sources, known.get(relative(path, corpus)))

    for done, (before, result) in enumerate(_each(one, paths)):
        if progress:
            progress("read", done, len(paths))
        if isinstance(result, Skipped):
            skipped.append(result)
            if before is not None:
                stats[result.path] = [before.size, before.mtime_ns]
        else:
            loaded.append(result)
            read = result.stat or before  # the size and time of the bytes that were read
            if read is not None:
                stats[result.document.path] = [read.size, read.mtime_ns]
    if progress:
        progress("read", len(paths), len(paths))
    if not loaded:
        why = "; ".join(f"{s.path} {s.reason}" for s in skipped[:5]) + (f"; and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        raise QAError(f"no readable document in {corpus}" + (f" (skipped: {why})" if skipped else ""))
    skipped.sort(key=lambda s: s.path)
    notes = sources.notes + sources.unused({item.document.path for item in loaded})
    return Corpus(loaded, skipped, stats, sources, notes)


READERS = 2  # files read at once: each reading thread has its own reading process (qa.ingest.budget)


def _each(read: Callable[[Path], T], paths: list[Path]) -> Iterator[T]:
    """read(path) for each path, in order: on two threads when there are enough files to share, the
    reading processes stopped afterwards (they hold a parser's memory while annotation needs it)."""
    threads = min(READERS, os.cpu_count() or 1) if len(paths) >= 8 else 1
    try:
        if threads == 1:
            yield from map(read, paths)
            return
        with ThreadPoolExecutor(threads, thread_name_prefix="qa-read") as pool:
            try:
                yield from pool.map(read, paths)
            except BaseException:  # the reads in flight end too: their threads see their process gone
                pool.shutdown(wait=False, cancel_futures=True)
                stop_workers()
                raise
    finally:
        stop_workers()


@functools.cache
def analysis_version() -> str:
    """Fingerprint of the code that reads documents and splits and classifies their sentences,
    and of the reader libraries' versions: an update reuses a document's stored sentences only
    if the same code made them from the same bytes."""
    from qa.ingest import readers

    digest = hashlib.sha256()
    folder = Path(str(readers.__file__)).parent
    code = (sentences, paragraphs, boilerplate, documents, lines, metadata, sources_module)
    for source in (*(Path(str(module.__file__)) for module in code), *sorted(folder.glob("*.py"))):
        digest.update(source.read_bytes())
    for reader in readers.READERS:
        digest.update(f"{reader.name} {reader.version}".encode())
    return digest.hexdigest()[:16]


def reader_versions() -> dict[str, str]:
    """Each format's reader library and version, recorded in the manifest."""
    from qa.ingest import readers

    return {suffix: f"{r.name} {r.version}" for r in readers.READERS for suffix in r.suffixes}


@dataclass(frozen=True)
class _Live:
    """The live version as the build found it: opened once, files checked once."""

    folder: Path
    manifest: dict
    checked: bool  # every file matched its checksum

    def same_model(self, model_name: str) -> bool:
        return same_model(self.manifest.get("model", {}).get("name"), model_name)

    def same_vectors(self, model_name: str, key: str | None) -> bool:
        """Whether its vectors are those this build would make: the same model through the same
        export (`key`, see `_export_key`). A version that names no export embedded with the model
        itself or a registered encoder, unless it kept an older qa's export in its own folder."""
        known = self.manifest.get("model", {}).get("encoder")
        if isinstance(known, str):
            return known == key
        return self.same_model(model_name) and not (self.folder / "encoder").is_dir()


def _open_live(root: Path, incremental: bool) -> _Live | None:
    """An update checks the whole live version before reusing any of it (a damaged one reuses
    nothing); a full build only reuses an intact query encoder."""
    try:
        folder, manifest = store.open_version(root, verify=incremental)
    except QAError:
        return None
    return _Live(folder, manifest, checked=incremental)


def _stored_rows(live: _Live | None) -> list[dict]:
    """The live version's documents.jsonl rows, if it was checked (an update reuses nothing else)."""
    if live is None or not live.checked:
        return []
    with open(live.folder / "documents.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _known(live: _Live | None, stored: list[dict]) -> dict[str, LoadedDocument]:
    """The live version's documents by path, when the same code read them (see read_corpus)."""
    if live is None or live.manifest.get("analysis") != analysis_version():
        return {}
    return {row["path"]: LoadedDocument(document_from_json(row), row["text"]) for row in stored}


@dataclass(frozen=True)
class _Reuse:
    """What an update takes from the live version."""

    vectors: dict[str, np.ndarray]  # by chunk key (same model only)
    analysed: dict[str, list]  # sentence analysis by document hash
    annotated: notes.Reusable  # annotations by document hash and date
    store: FaissVectors | None = None  # the live vector store (same model only)
    keys: tuple[str, ...] = ()  # the chunk key of each of its entries
    unlinked: int = 0  # vectors unlinked from its graph since the graph was built


def _previous(live: _Live | None, stored: list[dict], same_vectors: bool) -> _Reuse:
    if live is None or not live.checked:
        return _Reuse({}, {}, {})
    table = rows.Rows.load(live.folder / rows.FILE)
    texts = [row["text"] for row in stored]
    hashes = [row["sha256"] for row in stored]
    vectors: dict[str, np.ndarray] = {}
    old: FaissVectors | None = None
    keys: tuple[str, ...] = ()
    if same_vectors:
        old = FaissVectors.load(live.folder / "vectors.faiss")
        keys = tuple(chunk_key(texts[n][s:e])
                     for n, s, e in zip(table.chunk_doc.tolist(), table.chunk_start.tolist(), table.chunk_end.tolist()))
        vectors = dict(zip(keys, old.all()))
    analysed = {}
    reusable: notes.Reusable = {}
    if live.manifest.get("analysis") == analysis_version():
        for n, h in enumerate(hashes):
            analysed[h] = table.sentences_of(n)
        if live.manifest.get("annotation") == annotation_version():
            reusable = notes.previous(notes.Notes.load(live.folder / notes.FILE), hashes, [row["date"] for row in stored],
                                      table.doc_first)
    unlinked = live.manifest.get("unlinked", 0)
    return _Reuse(vectors, analysed, reusable, old, keys, unlinked if isinstance(unlinked, int) and unlinked >= 0 else len(keys))


def _vector_store(matrix: np.ndarray, keys: list[str], reuse: _Reuse, index_type: str) -> tuple[FaissVectors, int]:
    """The vector store of the new version. Building an HNSW graph is most of a one-page update
    over 50,000 chunks (33 CPU s), so the live graph is kept: the vectors the new version drops
    are unlinked, the new ones join it, and all are put in row order. It is built anew once a
    tenth of it was unlinked since it was built, so holes never pile up. Returns the store and
    how many vectors were unlinked from its graph."""
    old = reuse.store
    if old is None or old.kind != "hnsw" or choose_type(index_type, len(matrix)) != "hnsw":
        return FaissVectors.build(matrix, index_type), 0
    at: dict[str, list[int]] = {}
    for i, key in enumerate(reversed(reuse.keys)):
        at.setdefault(key, []).append(len(reuse.keys) - 1 - i)  # popped from the end: first entry first
    order: list[int] = []
    fresh: list[int] = []
    for row, key in enumerate(keys):
        left = at.get(key)
        if left:
            order.append(left.pop())
        else:
            order.append(len(reuse.keys) + len(fresh))
            fresh.append(row)
    dropped = np.asarray(sorted(i for left in at.values() for i in left), dtype=np.int64)
    if (reuse.unlinked + len(dropped)) * 10 >= len(reuse.keys):
        return FaissVectors.build(matrix, index_type), 0
    at_row = np.asarray(order, dtype=np.int64)
    at_row -= np.searchsorted(dropped, np.minimum(at_row, len(reuse.keys)))  # numbers after the dropped move down
    old.delete(dropped)
    old.add(matrix[fresh])
    old.permute(at_row)
    return old, reuse.unlinked + len(dropped)


def annotation_version() -> str:
    from qa.annotate.pipeline import ANALYSIS_ID

    return ANALYSIS_ID


def _analyse(item: LoadedDocument, stored: list | None) -> tuple[list[tuple[int, int]], list[str]]:
    if stored is None:
        spans = split_credits(item.text, split_sentences(item.text, item.layout))
        return spans, classify(item.text, spans, item.noise, item.quoted, item.layout, headings=item.document.format != "email")
    return [(s, e) for s, e, _ in stored], [k for _, _, k in stored]


def build_index(
    corpus: Path,
    root: Path,
    *,
    model: str | None = None,
    index_type: str = "auto",
    incremental: bool = False,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
    params: ChunkParams = ChunkParams(),
    follow_symlinks: bool | None = None,
) -> BuildReport:
    began = time.perf_counter()
    tick = progress or (lambda stage, done, total: None)
    with store.writer_lock(root):
        store.collect_garbage(root)
        live = _open_live(root, incremental)
        old_manifest = live.manifest if live else {}
        if encoder is None and model is None and incremental and live:
            model = live.manifest.get("model", {}).get("name")  # an update keeps the index's model unless told otherwise
        model_name = encoder.name if encoder else resolve_model(model)[0]
        same_vectors = live is not None and live.same_vectors(model_name, _export_key(model, model_name, encoder))
        if follow_symlinks is None:  # an update reads the corpus as the live version was read
            follow_symlinks = bool(incremental and live and live.manifest.get("follow_symlinks") is True)
        stored = _stored_rows(live) if incremental else []
        found = read_corpus(corpus, follow_symlinks, tick, _known(live, stored), old_manifest.get("sources_csv"))
        loaded, skipped = found.loaded, found.skipped
        paths = {item.document.path: item.document.sha256 for item in loaded}
        if (incremental and same_vectors
                and _up_to_date(old_manifest, paths, found.sources.sha256, model_name, params, index_type)
                and old_manifest.get("follow_symlinks", False) == follow_symlinks):
            # nothing to do: the live version stays, no new one is written
            return BuildReport(documents=len(paths), chunks=old_manifest["counts"]["chunks"],
                               seconds=time.perf_counter() - began, embedded=0, unchanged=tuple(paths),
                               skipped=tuple(skipped), notes=found.notes)
        reuse = _previous(live, stored, same_vectors)
        cache = reuse.vectors
        # read before the write: the old version may be collected once the new one is live
        before = _metadata_of(live.folder) if live is not None and incremental else {}

        doc_rows: list[dict] = []
        chunks: list[Chunk] = []
        spans_of: list[list[tuple[int, int]]] = []
        kinds_of: list[list[str]] = []
        sentence_texts: list[str] = []
        for item in loaded:
            text = item.text
            spans, kinds = _analyse(item, reuse.analysed.get(item.document.sha256))
            chunks.extend(chunk_document(item.document.doc_id, text, spans, kinds, params))
            sentence_texts.extend(text[s:e] for (s, e), k in zip(spans, kinds) if answerable(k))
            spans_of.append(spans)
            kinds_of.append(kinds)
            doc_rows.append({**asdict(item.document), "text": text})

        if not sentence_texts:
            raise QAError(f"no document in {corpus} has text to answer from (all of it looks like boilerplate)")
        found_notes, _ = notes.annotate_documents([(item.text, item.document.sha256, item.document.date) for item in loaded],
                                                  spans_of, kinds_of, reuse.annotated, progress=tick)
        keys = [chunk_key(c.text) for c in chunks]
        missing = sorted({i for i, key in enumerate(keys) if key not in cache}, key=lambda i: keys[i])
        todo: dict[str, int] = {}
        for i in missing:
            todo.setdefault(keys[i], i)
        if todo:
            encoder = encoder or _embedder(model, model_name)
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                tick("embed", done, len(todo))

            embedded = encoder.encode([chunks[i].text for i in todo.values()], progress=step)
            cache.update(zip(todo.keys(), embedded))
        if encoder is None and not cache:
            encoder = load_encoder(model)  # only the model can tell the dimension of an empty index
        dim = encoder.dim if encoder else int(old_manifest["model"]["dim"])
        matrix = np.stack([cache[k] for k in keys]) if chunks else np.zeros((0, dim), dtype=np.float32)
        words = _word_vectors(live if same_vectors else None, sentence_texts, encoder, model, incremental)
        numbers = {row["doc_id"]: n for n, row in enumerate(doc_rows)}
        table = rows.Rows.make(spans_of, kinds_of, chunks, numbers, matrix, len(doc_rows))

        tick("write", 0, 1)
        key = _encoder_key(live, encoder)
        work = store.new_workdir(root)
        try:
            vectors, unlinked = _vector_store(matrix, keys, reuse, index_type)
            _write(work, doc_rows, table, vectors, sentence_texts)
            found_notes.save(work / notes.FILE)
            notes.save_names(notes.names([row["text"] for row in doc_rows], table.sentence_doc, found_notes),
                             work / notes.NAMES_FILE)
            words.save(work / "words")
            store.write_manifest(work, {
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "corpus": str(corpus.resolve()),
                "model": {"name": model_name, "dim": dim, **({"encoder": key} if key else {})},
                "chunking": params.as_dict(),
                "analysis": analysis_version(),
                "annotation": annotation_version(),
                "index_type": vectors.kind if chunks else "flat",
                "counts": {"documents": len(doc_rows), "chunks": len(chunks), "answer_sentences": len(sentence_texts)},
                "documents": {row["path"]: row["sha256"] for row in doc_rows},
                "stats": found.stats,
                "skipped": {s.path: s.reason for s in skipped},
                "sources_csv": found.sources.sha256,
                "readers": reader_versions(),
                "follow_symlinks": follow_symlinks,
                "unlinked": unlinked,
            })
            store.publish(root, work)
        except BaseException as exc:
            failure = store.write_failure(exc, work)  # a full disk or an I/O error, naming the file
            shutil.rmtree(work, ignore_errors=True)
            if failure is not None:
                raise failure from None
            raise
        store.collect_garbage(root)
        tick("write", 1, 1)

    old = old_manifest.get("documents", {}) if incremental else {}
    new = {row["path"]: row["sha256"] for row in doc_rows}
    if live is not None and incremental and old_manifest.get("sources_csv") != found.sources.sha256:
        # only sources.csv changes a document's metadata and not its bytes: such a document is changed too
        new = {row["path"]: row["sha256"] + ("" if before.get(row["path"]) in (None, _fields(row)) else "*")
               for row in doc_rows}
    return BuildReport(
        documents=len(doc_rows),
        chunks=len(chunks),
        seconds=time.perf_counter() - began,
        embedded=len(todo),
        added=tuple(p for p in new if p not in old),
        changed=tuple(p for p in new if p in old and old[p] != new[p]),
        removed=tuple(p for p in old if p not in new),
        unchanged=tuple(p for p in new if old.get(p) == new[p]),
        skipped=tuple(skipped),
        notes=found.notes,
    )


def _fields(row: dict) -> tuple:
    return tuple(row.get(name) for name in ("title", "publisher", "author", "date", "url"))


def _metadata_of(folder: Path) -> dict[str, tuple]:
    """Each document's metadata in a version (empty when it cannot be read: nothing is then called changed)."""
    try:
        with open(folder / "documents.jsonl", encoding="utf-8") as fh:
            return {row["path"]: _fields(row) for row in map(json.loads, fh)}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write(work: Path, doc_rows, table: rows.Rows, vectors: FaissVectors, sentence_texts) -> None:
    with open(work / "documents.jsonl", "w", encoding="utf-8") as fh:
        for row in doc_rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    table.save(work / rows.FILE)
    vectors.save(work / "vectors.faiss")
    Lexical.build(sentence_texts).save(work / "bm25")


def _up_to_date(manifest: dict, paths: dict[str, str], sources: str | None, model_name: str, params: ChunkParams,
                index_type: str) -> bool:
    """Whether the live version already holds exactly these documents, made the same way."""
    return bool(manifest) and (
        manifest.get("documents") == paths and manifest.get("sources_csv") == sources
        and manifest.get("model", {}).get("name") == model_name
        and manifest.get("chunking") == params.as_dict() and manifest.get("analysis") == analysis_version()
        and manifest.get("annotation") == annotation_version()
        and index_type in ("auto", manifest.get("index_type")))


def _embedder(model: str | None, model_name: str) -> Encoder:
    """The machine's ONNX export of the model (qa.embed.cache: exported once per machine, then
    needing no torch), else the model itself. The index's questions are embedded by the same
    one. A registered encoder (the tests' fake) is used as it is."""
    if model not in REGISTRY and model_name not in REGISTRY:
        from qa.embed.onnx import cached_encoder

        fast = cached_encoder(model, threads=os.cpu_count() or 2)
        if fast is not None:
            return fast
    return load_encoder(model)


def _word_vectors(live: _Live | None, texts: list[str], encoder: Encoder | None, model: str | None,
                  incremental: bool) -> WordVectors:
    """Word vectors for the corpus vocabulary, reusing those of `live` (given when its vectors are this build's)."""
    reuse = None
    if incremental and live and live.checked:
        try:
            reuse = WordVectors.load(live.folder / "words")
        except (OSError, ValueError):
            reuse = None
    if encoder is not None:
        return WordVectors.build(texts, encoder, reuse)
    if reuse is not None:  # most updates bring no new word
        return WordVectors.build(texts, _OnDemand(model, reuse.vectors.shape[1]), reuse)
    return WordVectors.build(texts, load_encoder(model), reuse)


class _OnDemand:
    """An encoder that loads the model only if something is actually encoded."""

    def __init__(self, model: str | None, dim: int):
        self.model, self.dim = model, dim
        self.name = model or ""
        self._inner: Encoder | None = None

    def encode(self, texts, progress=None):
        if self._inner is None:
            self._inner = load_encoder(self.model)
        return self._inner.encode(texts, progress)


def _export_key(model: str | None, model_name: str, encoder: Encoder | None) -> str | None:
    """The cache key (qa.embed.cache) of the export this build embeds with: None for an encoder
    given or registered (the tests' fake), which is used as it is."""
    if encoder is not None or model in REGISTRY or model_name in REGISTRY:
        return getattr(encoder, "key", None)
    from qa.embed import cache
    from qa.embed.onnx import FORMAT_VERSION

    return cache.model_key(*resolve_model(model), FORMAT_VERSION)


def _encoder_key(live: _Live | None, encoder: Encoder | None) -> str | None:
    """The cache key of the query encoder this version refers to: the one that embedded, else the
    live version's, whose vectors it kept (`_Live.same_vectors`)."""
    if encoder is not None:
        key = getattr(encoder, "key", None)
    else:
        key = live.manifest.get("model", {}).get("encoder") if live else None
    return key if isinstance(key, str) else None


__all__ = ["Chunk", "Progress", "analysis_version", "build_index", "chunk_key", "read_corpus"]
