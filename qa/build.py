"""From a corpus folder to a published index version.

A full build and an update share this one pipeline: an update merely hands it
the previous version's vectors, keyed by (model, chunk text hash), so unchanged
chunks are never embedded again and the model is not even loaded when nothing
new needs embedding. Either way the result is a complete new version.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from qa import store, vectors
from qa.chunking import ChunkParams, chunk_document
from qa.corpus import LoadedDocument, discover, read_document
from qa.encoders import Encoder, load_encoder, resolve_model
from qa.errors import QAError
from qa.lexical import Lexical
from qa.noise import BODY, classify
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
        raise QAError(f"no readable .txt or .md document in {corpus}")
    return loaded, skipped


def _previous_vectors(root: Path, model: str, params: ChunkParams) -> tuple[dict[str, np.ndarray], dict]:
    """Vectors of the live version by chunk key, if it was built with the same model."""
    if not store.exists(root):
        return {}, {}
    try:
        folder, manifest = store.open_version(root)
    except QAError:
        return {}, {}  # a broken index is rebuilt from scratch
    if manifest.get("model", {}).get("name") != model:
        return {}, manifest
    keys = [json.loads(line)["key"] for line in (folder / "chunks.jsonl").open(encoding="utf-8")]
    stored = vectors.all_vectors(vectors.load(folder / "vectors.faiss"))
    return dict(zip(keys, stored)), manifest


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
    model_name = encoder.name if encoder else resolve_model(model)[0]
    with store.writer_lock(root):
        store.collect_garbage(root)
        loaded, skipped = read_corpus(corpus)
        tick("read", len(loaded), len(loaded))
        cache, old_manifest = _previous_vectors(root, model_name, params) if incremental else ({}, {})

        doc_rows, chunks, sentence_texts = [], [], []
        for item in loaded:
            text = item.text
            spans = split_sentences(text)
            kinds = classify(text, spans)
            chunks.extend(chunk_document(item.document.doc_id, text, spans, kinds, params))
            sentence_texts.extend(text[s:e] for (s, e), k in zip(spans, kinds) if k == BODY)
            doc_rows.append({**asdict(item.document), "text": text, "sentences": [[s, e, k] for (s, e), k in zip(spans, kinds)]})

        keys = [chunk_key(c.text) for c in chunks]
        missing = sorted({i for i, key in enumerate(keys) if key not in cache}, key=lambda i: keys[i])
        todo: dict[str, int] = {}
        for i in missing:
            todo.setdefault(keys[i], i)
        embedded = np.zeros((0, 0), dtype=np.float32)
        if todo:
            encoder = encoder or load_encoder(model)
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                tick("embed", done, len(todo))

            embedded = encoder.encode([chunks[i].text for i in todo.values()], progress=step)
            cache.update(zip(todo.keys(), embedded))
        dim = encoder.dim if encoder else int(old_manifest["model"]["dim"])
        matrix = np.stack([cache[k] for k in keys]) if chunks else np.zeros((0, dim), dtype=np.float32)

        tick("write", 0, 1)
        work = store.new_workdir(root)
        try:
            _write(work, doc_rows, chunks, keys, matrix, sentence_texts, index_type)
            _copy_fast_encoder(root, work, model_name, encoder)
            store.write_manifest(work, {
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "corpus": str(corpus.resolve()),
                "model": {"name": model_name, "dim": dim},
                "chunking": params.as_dict(),
                "index_type": vectors.kind_of(vectors.load(work / "vectors.faiss")) if chunks else "flat",
                "counts": {"documents": len(doc_rows), "chunks": len(chunks), "answer_sentences": len(sentence_texts)},
                "documents": {row["path"]: row["sha256"] for row in doc_rows},
            })
            store.publish(root, work)
        except BaseException:
            import shutil

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


def _copy_fast_encoder(root: Path, work: Path, model_name: str, encoder: Encoder | None) -> None:
    """Reuse the previous version's exported query encoder when the model is the same."""
    name = store.current_name(root)
    previous = root / name / "encoder" if name else None
    if previous and previous.is_dir() and (previous / "model.json").is_file():
        info = json.loads((previous / "model.json").read_text(encoding="utf-8"))
        if info.get("name") == model_name:
            (work / "encoder").mkdir()
            for path in previous.iterdir():
                os.link(path, work / "encoder" / path.name)
            return
    export = getattr(encoder, "export_fast", None)
    if export is not None:
        export(work / "encoder")
