"""The dense half of the index: a vector store searched by inner product over normalised vectors.

`VectorStore` is the seam (filtered top-k, vectors by id, add, delete, save):
FAISS today, a server such as Qdrant or PostgreSQL with pgvector tomorrow. No
FAISS object is touched outside this module. `flat` is exact and the default
for small corpora; `hnsw` and `ivf` trade a little recall for speed at scale.
`auto` picks by size (see `choose_type`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

INDEX_TYPES = ("auto", "flat", "hnsw", "ivf")
HNSW_FROM = 50_000  # from here exact search costs more than ~5 ms a question
# Tuned with scripts/bench.py on 1,000,000 vectors built from real MiniLM embeddings:
# recall@10 >= 0.95 against exact search in a few milliseconds per query on 2 cores.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200  # a denser graph: 80 left recall@10 at 0.83 on 1M clustered vectors
HNSW_EF_SEARCH = 256  # 1M: recall@10 0.985 in 0.8 ms (128: 0.964 in 0.5 ms)
IVF_PROBE_SHARE = 32  # nprobe = nlist / this (1M: 125 of 4000 lists, recall@10 0.999 in 5 ms)
EXACT_SUBSET = 20_000  # a filter that admits at most this many vectors is searched exactly


class VectorStore(Protocol):
    kind: str  # flat, hnsw, ivf, ...
    dim: int

    @property
    def count(self) -> int: ...

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one query; `allowed` restricts the search itself, before ranking."""
        ...

    def vectors(self, ids: np.ndarray) -> np.ndarray: ...

    def add(self, vectors: np.ndarray) -> None: ...

    def delete(self, ids: np.ndarray) -> None:
        """Remove vectors; later ids move down (a store that cannot raises NotImplementedError)."""
        ...

    def save(self, path: Path) -> None: ...


def ivf_probes(nlist: int) -> int:
    """Lists searched per query: a share of them, and at least 8 (a small index has few, coarse lists)."""
    return max(min(nlist, 8), nlist // IVF_PROBE_SHARE)


def ivf_lists(count: int) -> int:
    """About 4 sqrt(n) lists, and never fewer than 39 training points per list (k-means needs them)."""
    return int(max(1, min(65_536, 4 * np.sqrt(count), count // 39)))


def choose_type(requested: str, count: int) -> str:
    if requested != "auto":
        return requested
    return "hnsw" if count >= HNSW_FROM else "flat"


class FaissVectors:
    """A `VectorStore` over one FAISS index file."""

    def __init__(self, index) -> None:
        import faiss

        self._index = index
        self.dim = int(index.d)
        if isinstance(index, faiss.IndexHNSWFlat):
            self.kind = "hnsw"
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif isinstance(index, faiss.IndexIVFFlat):
            self.kind = "ivf"
            index.nprobe = ivf_probes(index.nlist)
            index.make_direct_map()  # answer scoring reads candidate vectors by id
        else:
            self.kind = "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str) -> FaissVectors:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dim = vectors.shape
        kind = choose_type(index_type, count)
        if kind == "flat" or count == 0:
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "ivf":
            nlist = ivf_lists(count)
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.cp.min_points_per_centroid = min(39, count)  # a tiny corpus gets one list, silently
            index.train(vectors[np.random.default_rng(0).permutation(count)[: max(nlist * 40, 10_000)]])
            index.nprobe = ivf_probes(nlist)
        else:
            raise ValueError(f"unknown index type {index_type!r}")
        if count:
            index.add(vectors)
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> FaissVectors:
        import faiss

        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    @property
    def lists(self) -> int:
        """IVF lists (0 for other kinds)."""
        return int(self._index.nlist) if self.kind == "ivf" else 0

    @property
    def effort(self) -> int:
        """How far a search walks: efSearch for HNSW, nprobe for IVF (0: exact)."""
        if self.kind == "hnsw":
            return int(self._index.hnsw.efSearch)
        return int(self._index.nprobe) if self.kind == "ivf" else 0

    @effort.setter
    def effort(self, value: int) -> None:
        if self.kind == "hnsw":
            self._index.hnsw.efSearch = int(value)
        elif self.kind == "ivf":
            self._index.nprobe = max(1, int(value))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        return self._index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64))

    def all(self) -> np.ndarray:
        """Every stored vector, in id order (an update reuses them)."""
        if self.count == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_n(0, self.count)

    def add(self, vectors: np.ndarray) -> None:
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def permute(self, order: np.ndarray) -> None:
        """Entry i becomes the entry that was at order[i] (a permutation): an HNSW graph keeps its
        links, so an update adds its new vectors to the live graph and puts every vector at its
        row instead of building the graph again."""
        self._index.permute_entries(np.ascontiguousarray(order, dtype=np.int64))

    def delete(self, ids: np.ndarray) -> None:
        """Remove vectors; the ids after them move down. An HNSW node is unlinked: its neighbours
        lose the link to it (one of up to 64) and the entry point moves to a kept node of the top
        level. An IVF index keeps its ids, so it is rebuilt instead."""
        import faiss

        ids = np.ascontiguousarray(np.unique(ids), dtype=np.int64)
        if self.kind == "ivf":
            raise NotImplementedError("an ivf index cannot drop vectors; rebuild it")
        if self.kind == "hnsw":
            _unlink(self._index.hnsw, ids, self.count)
            faiss.downcast_index(self._index.storage).remove_ids(faiss.IDSelectorBatch(ids))
            self._index.ntotal -= len(ids)
        else:
            self._index.remove_ids(faiss.IDSelectorBatch(ids))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        import faiss

        index = self._index
        k = min(k, self.count)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
            allowed = np.ascontiguousarray(allowed, dtype=np.int64)
            if len(allowed) <= EXACT_SUBSET and self.kind != "flat":
                # A graph or list walk finds few admitted vectors when the filter is narrow;
                # reading the admitted vectors directly is exact and still quick.
                return self._exact_subset(query[0], k, allowed)
            selector = faiss.IDSelectorBatch(allowed)
            # the rarer the admitted vectors, the further the walk must go to meet k of them
            widen = max(1.0, self.count / len(allowed))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=int(min(2048, max(index.hnsw.efSearch, k) * widen)))
            elif self.kind == "ivf":
                params = faiss.SearchParametersIVF(sel=selector, nprobe=int(min(index.nlist, index.nprobe * widen)))
            else:
                params = faiss.SearchParameters(sel=selector)
        scores, ids = index.search(query, k, params=params) if params else index.search(query, k)
        keep = ids[0] >= 0
        pool = self.count if allowed is None else len(allowed)
        if keep.sum() < min(k, pool) and pool <= EXACT_SUBSET and self.kind != "flat":
            # asked for more than the walk reaches (k near the index size): read them all
            return self._exact_subset(query[0], k, np.arange(self.count) if allowed is None else allowed)
        return scores[0][keep], ids[0][keep]

    def _exact_subset(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        allowed = np.unique(allowed)
        scores = self.vectors(allowed) @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return scores[top].astype(np.float32), allowed[top]


def _unlink(hnsw, ids: np.ndarray, count: int) -> None:
    """Drop nodes `ids` from a FAISS HNSW graph: every neighbour list loses them (kept links move
    up, as FAISS stops at the first -1) and every later node's number moves down."""
    import faiss

    gone = np.zeros(count, dtype=bool)
    gone[ids] = True
    renumber = np.cumsum(~gone) - 1
    levels, offsets = faiss.vector_to_array(hnsw.levels), faiss.vector_to_array(hnsw.offsets).astype(np.int64)
    links = faiss.vector_to_array(hnsw.neighbors)
    sizes = np.diff(offsets)
    owner = np.repeat(np.arange(count), sizes)
    layer = np.searchsorted(faiss.vector_to_array(hnsw.cum_nneighbor_per_level), np.arange(len(links)) - offsets[owner], side="right")
    mapped = np.where((links >= 0) & ~gone[np.maximum(links, 0)], renumber[np.maximum(links, 0)], -1).astype(links.dtype)
    # within each (node, layer) list, kept links first, in their order
    mapped = mapped[np.argsort((owner * (int(levels.max(initial=0)) + 2) + layer) * 2 + (mapped < 0), kind="stable")]
    kept_levels = levels[~gone]
    faiss.copy_array_to_vector(mapped[~gone[owner]], hnsw.neighbors)
    faiss.copy_array_to_vector(kept_levels, hnsw.levels)
    faiss.copy_array_to_vector(np.concatenate([[0], np.cumsum(sizes[~gone])]).astype(np.uint64), hnsw.offsets)
    if len(kept_levels) == 0:
        hnsw.entry_point, hnsw.max_level = -1, -1
    elif gone[hnsw.entry_point]:
        hnsw.entry_point = int(np.argmax(kept_levels))
        hnsw.max_level = int(kept_levels[hnsw.entry_point]) - 1
    else:
        hnsw.entry_point = int(renumber[hnsw.entry_point])
