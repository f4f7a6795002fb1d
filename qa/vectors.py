"""The dense half of the index: a FAISS inner-product index over normalised vectors.

`flat` is exact and the default for small corpora; `hnsw` and `ivf` trade a little
recall for speed at scale. `auto` picks by size (see `choose_type`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

INDEX_TYPES = ("auto", "flat", "hnsw", "ivf")
HNSW_FROM = 200_000  # below this many vectors exact search is fast enough


def choose_type(requested: str, count: int) -> str:
    if requested != "auto":
        return requested
    return "hnsw" if count >= HNSW_FROM else "flat"


def build(vectors: np.ndarray, index_type: str):
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dim = vectors.shape
    kind = choose_type(index_type, count)
    if kind == "flat" or count == 0:
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    elif kind == "ivf":
        nlist = max(1, min(4096, int(4 * np.sqrt(count))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors[np.random.default_rng(0).permutation(count)[: max(nlist * 40, 10_000)]])
        index.nprobe = max(1, nlist // 16)
    else:
        raise ValueError(f"unknown index type {index_type!r}")
    if count:
        index.add(vectors)
    return index


def kind_of(index) -> str:
    import faiss

    if isinstance(index, faiss.IndexHNSWFlat):
        return "hnsw"
    if isinstance(index, faiss.IndexIVFFlat):
        return "ivf"
    return "flat"


def save(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load(path: Path):
    import faiss

    index = faiss.read_index(str(path))
    if isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = 64
    if isinstance(index, faiss.IndexIVF):
        index.nprobe = max(1, index.nlist // 16)
    return index


def all_vectors(index) -> np.ndarray:
    """Every stored vector, in id order (used to reuse embeddings on update)."""
    import faiss

    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()
    return index.reconstruct_n(0, index.ntotal)


def search(index, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids) for one query; `allowed` restricts the search itself, before ranking."""
    import faiss

    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        if isinstance(index, faiss.IndexHNSWFlat):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(64, k))
        elif isinstance(index, faiss.IndexIVF):
            params = faiss.SearchParametersIVF(sel=selector, nprobe=index.nprobe)
        else:
            params = faiss.SearchParameters(sel=selector)
    scores, ids = index.search(query, k, params=params) if params else index.search(query, k)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]
