"""From a corpus folder to a published index version.

A full build and an update share this one pipeline: an update merely hands it
the previous version's vectors, keyed by (model, chunk text hash), so unchanged
chunks are never embedded again and the model is not even loaded when nothing
new needs embedding. Either way the result is a complete new version.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from qa import noise, sentences, store, vectors
from qa.chunking import ChunkParams, chunk_document
from qa.corpus import LoadedDocument, discover, read_document
from qa.encoders import Encoder, load_encoder, resolve_model
from qa.errors import QAError
from qa.lexical import Lexical
from qa.lexicon import Lexicon
from qa.noise import answerable, classify
from qa.records import BuildReport, Chunk, Skipped
from qa.sentences import split_sentences

# progress(stage, done, total): stages are "read", "embed", "write"
Progress = Callable[[str, int, int], None]


def chunk_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def read_corpus(corpus: Path) -> tuple[list[LoadedDocument], list[Skipped]]:
    loaded, skipped = [], []
    for path in discover(corpus):
        result = read_document(path, corpus)
        (skipped if isinstance(result, Skipped) else loaded).append(result)
    if not loaded:
        why = "; ".join(f"{s.path} {s.reason}" for s in skipped[:5]) + (f"; and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        raise QAError(f"no readable .txt or .md document in {corpus}" + (f" (skipped: {why})" if skipped else ""))
    return loaded, skipped


@functools.cache
def analysis_version() -> str:
    """Fingerprint of the code that splits and classifies sentences: an update reuses a
    document's stored sentences only if the same code made them."""
    digest = hashlib.sha256()
    for module in (sentences, noise):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def _live(root: Path) -> tuple[Path | None, dict]:
    """The live version, checked, or (None, {}) when there is none or it is damaged (then nothing is reused)."""
    try:
        return store.open_version(root)
    except QAError:
        return None, {}


def _previous_vectors(folder: Path | None, manifest: dict, model: str) -> dict[str, np.ndarray]:
    """Vectors of the live version by chunk key, if it was built with the same model."""
    if folder is None or manifest.get("model", {}).get("name") != model:
        return {}
    keys = [json.loads(line)["key"] for line in (folder / "chunks.jsonl").open(encoding="utf-8")]
    stored = vectors.all_vectors(vectors.load(folder / "vectors.faiss"))
    return dict(zip(keys, stored))


def _previous_sentences(folder: Path | None, manifest: dict) -> dict[str, list]:
    """Sentence spans and kinds of the live version's documents by content hash."""
    if folder is None or manifest.get("analysis") != analysis_version():
        return {}
    with open(folder / "documents.jsonl", encoding="utf-8") as fh:
        return {row["sha256"]: row["sentences"] for row in map(json.loads, fh)}


def _analyse(text: str, stored: list | None) -> tuple[list[tuple[int, int]], list[str]]:
    if stored is None:
        spans = split_sentences(text)
        return spans, classify(text, spans)
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
) -> BuildReport:
    began = time.perf_counter()
    tick = progress or (lambda stage, done, total: None)
    with store.writer_lock(root):
        store.collect_garbage(root)
        if encoder is None and model is None and incremental:
            model = _live_model(root)  # an update keeps the index's model unless told otherwise
        model_name = encoder.name if encoder else resolve_model(model)[0]
        loaded, skipped = read_corpus(corpus)
        tick("read", len(loaded), len(loaded))
        paths = {item.document.path: item.document.sha256 for item in loaded}
        folder, old_manifest = _live(root) if incremental else (None, {})
        if _up_to_date(old_manifest, paths, model_name, params, index_type):
            # nothing to do: the live version stays, no new one is written
            return BuildReport(documents=len(paths), chunks=old_manifest["counts"]["chunks"],
                               seconds=time.perf_counter() - began, embedded=0, unchanged=tuple(paths),
                               skipped=tuple(skipped))
        cache = _previous_vectors(folder, old_manifest, model_name)
        analysed = _previous_sentences(folder, old_manifest)

        doc_rows, chunks, sentence_texts = [], [], []
        for item in loaded:
            text = item.text
            spans, kinds = _analyse(text, analysed.get(item.document.sha256))
            chunks.extend(chunk_document(item.document.doc_id, text, spans, kinds, params))
            sentence_texts.extend(text[s:e] for (s, e), k in zip(spans, kinds) if answerable(k))
            doc_rows.append({**asdict(item.document), "text": text, "sentences": [[s, e, k] for (s, e), k in zip(spans, kinds)]})

        if not sentence_texts:
            raise QAError(f"no document in {corpus} has text to answer from (all of it looks like boilerplate)")
        keys = [chunk_key(c.text) for c in chunks]
        missing = sorted({i for i, key in enumerate(keys) if key not in cache}, key=lambda i: keys[i])
        todo: dict[str, int] = {}
        for i in missing:
            todo.setdefault(keys[i], i)
        embedded = np.zeros((0, 0), dtype=np.float32)
        if todo:
            encoder = encoder or _embedder(folder, old_manifest, model, model_name)
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
        words = _lexicon(root, model_name, sentence_texts, encoder, model, incremental)

        tick("write", 0, 1)
        work = store.new_workdir(root)
        try:
            _write(work, doc_rows, chunks, keys, matrix, sentence_texts, index_type)
            words.save(work / "lexicon")
            _copy_fast_encoder(root, work, model_name, encoder)
            store.write_manifest(work, {
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "corpus": str(corpus.resolve()),
                "model": {"name": model_name, "dim": dim},
                "chunking": params.as_dict(),
                "analysis": analysis_version(),
                "index_type": vectors.kind_of(vectors.load(work / "vectors.faiss")) if chunks else "flat",
                "counts": {"documents": len(doc_rows), "chunks": len(chunks), "answer_sentences": len(sentence_texts)},
                "documents": {row["path"]: row["sha256"] for row in doc_rows},
            })
            store.publish(root, work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        store.collect_garbage(root)
        tick("write", 1, 1)

    old = old_manifest.get("documents", {}) if incremental else {}
    new = {row["path"]: row["sha256"] for row in doc_rows}
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
    )


def _write(work: Path, doc_rows, chunks: list[Chunk], keys, matrix, sentence_texts, index_type: str) -> None:
    with open(work / "documents.jsonl", "w", encoding="utf-8") as fh:
        for row in doc_rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(work / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for chunk, key in zip(chunks, keys):
            fh.write(json.dumps({"doc_id": chunk.doc_id, "start": chunk.start, "end": chunk.end,
                                 "sentences": chunk.sentences, "key": key}) + "\n")
    vectors.save(vectors.build(matrix, index_type), work / "vectors.faiss")
    Lexical.build(sentence_texts).save(work / "bm25")


def _up_to_date(manifest: dict, paths: dict[str, str], model_name: str, params: ChunkParams, index_type: str) -> bool:
    """Whether the live version already holds exactly these documents, made the same way."""
    return bool(manifest) and (
        manifest.get("documents") == paths and manifest.get("model", {}).get("name") == model_name
        and manifest.get("chunking") == params.as_dict() and manifest.get("analysis") == analysis_version()
        and index_type in ("auto", manifest.get("index_type")))


def _live_model(root: Path) -> str | None:
    try:
        return store.open_version(root, verify=False)[1]["model"]["name"]
    except (QAError, KeyError, TypeError):
        return None


def _embedder(folder: Path | None, manifest: dict, model: str | None, model_name: str) -> Encoder:
    """For an update, the live version's ONNX export of the same model, which needs no torch (seconds
    of start-up that would dwarf embedding a few new chunks); otherwise the model itself. The two
    agree to cosine >= 0.9999 (tests/test_fast_encoder.py)."""
    if folder is not None and manifest.get("model", {}).get("name") == model_name and _intact(folder, manifest, "encoder/"):
        from qa.fast_encoder import load_fast_encoder

        fast = load_fast_encoder(folder / "encoder", model_name, threads=os.cpu_count() or 2)
        if fast is not None:
            return fast
    return load_encoder(model)


def _lexicon(root: Path, model_name: str, texts: list[str], encoder: Encoder | None, model: str | None,
             incremental: bool) -> Lexicon:
    """Word vectors for the corpus vocabulary, reusing the live version's when the model is the same."""
    reuse = None
    if incremental:
        try:
            folder, manifest = store.open_version(root, verify=False)
            if manifest["model"]["name"] == model_name and _intact(folder, manifest, "lexicon/"):
                reuse = Lexicon.load(folder / "lexicon")  # checked first: a damaged file is never carried over
        except (QAError, OSError, ValueError, KeyError, RuntimeError):
            reuse = None
    if encoder is None and reuse is not None:
        encoder = _OnDemand(model, reuse.vectors.shape[1])  # most updates bring no new word
    return Lexicon.build(texts, encoder or load_encoder(model), reuse)


class _OnDemand:
    """An encoder that loads the model only if something is actually encoded."""

    def __init__(self, model: str | None, dim: int):
        self.model, self.dim, self._inner = model, dim, None

    def encode(self, texts, progress=None):
        if self._inner is None:
            self._inner = load_encoder(self.model)
        return self._inner.encode(texts, progress)


def _copy_fast_encoder(root: Path, work: Path, model_name: str, encoder: Encoder | None) -> None:
    """Reuse the previous version's exported query encoder when the model is the same
    and its files are intact (hard links: no copy, no second export)."""
    try:
        folder, manifest = store.open_version(root, verify=False)
    except QAError:
        folder, manifest = None, {}
    previous = folder / "encoder" if folder else None
    if previous and manifest.get("model", {}).get("name") == model_name and _intact(folder, manifest, "encoder/"):
        shutil.copytree(previous, work / "encoder", copy_function=os.link)
        return
    export = getattr(encoder, "export_fast", None)
    if export is None and encoder is None:
        return  # nothing was embedded, so no model is loaded to export from
    if export is not None:
        export(work / "encoder")


def _intact(folder: Path, manifest: dict, prefix: str) -> bool:
    """Whether the manifest lists files under prefix and each still matches its checksum."""
    listed = {rel: info for rel, info in manifest.get("files", {}).items() if rel.startswith(prefix)}
    if not listed:
        return False
    on_disk = {p.relative_to(folder).as_posix() for p in (folder / prefix).rglob("*") if p.is_file()}
    return on_disk == set(listed) and all(
        (folder / rel).stat().st_size == info.get("size") and store.sha256_file(folder / rel) == info.get("sha256")
        for rel, info in listed.items())
