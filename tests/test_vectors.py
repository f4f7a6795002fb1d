"""Every FAISS index type against a numpy brute-force top-k, with and without a filter.

Vectors are clustered (a few centres plus noise, normalised) so that neighbours
mean something, as with real sentence embeddings; sizes are awkward on purpose.
"""

from __future__ import annotations

import numpy as np
import pytest

from qa.index import vectors
from qa.index.vectors import FaissVectors

KINDS = ("flat", "hnsw", "ivf")


def clustered(n: int, dim: int = 48, centres: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, dim)).astype(np.float32)
    points = middle[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def brute_force(matrix: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None):
    ids = np.arange(len(matrix)) if allowed is None else np.unique(allowed)
    scores = matrix[ids] @ query
    top = np.argsort(-scores, kind="stable")[:k]
    return scores[top], ids[top]


def check_consistent(matrix, query, scores, ids, k, allowed=None, complete=True):
    """What any index must get right, exact or not."""
    pool = len(matrix) if allowed is None else len(np.unique(allowed))
    assert len(ids) == min(k, pool) if complete else len(ids) <= min(k, pool)
    assert len(set(ids.tolist())) == len(ids)
    if allowed is not None:
        assert set(ids.tolist()) <= set(np.asarray(allowed).tolist())
    assert np.allclose(scores, matrix[ids] @ query, atol=1e-5)  # a score is the id's real inner product
    assert np.all(np.diff(scores) <= 1e-6)  # best first


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 7, 1013])
def test_search_matches_brute_force(kind, n):
    matrix = clustered(n)
    index = FaissVectors.build(matrix, kind)
    assert index.kind == kind and index.count == n
    queries = clustered(25, seed=1)
    recalls = []
    for q in queries:
        for k in (1, 10, n + 5):
            scores, ids = index.search(q, k)
            check_consistent(matrix, q, scores, ids, k)
            want_scores, want_ids = brute_force(matrix, q, k)
            if kind == "flat" or n < 100:  # exact: the same scores (ids may swap on exact ties)
                assert np.allclose(scores, want_scores, atol=1e-5)
            if k == 10:
                recalls.append(len(set(ids.tolist()) & set(want_ids.tolist())) / len(want_ids))
    assert np.mean(recalls) >= (1.0 if kind == "flat" else 0.9)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("share", [0.003, 0.05, 0.5])
def test_filtered_search_matches_brute_force_over_allowed(kind, share, monkeypatch):
    n = 3001
    matrix = clustered(n, seed=2)
    index = FaissVectors.build(matrix, kind)
    rng = np.random.default_rng(3)
    allowed = rng.choice(n, size=max(1, int(n * share)), replace=False)
    for exact_subset in (vectors.EXACT_SUBSET, 0):  # the direct path and the faiss selector path
        monkeypatch.setattr(vectors, "EXACT_SUBSET", exact_subset)
        recalls = []
        for q in clustered(20, seed=4):
            scores, ids = index.search(q, 10, allowed=allowed)
            check_consistent(matrix, q, scores, ids, 10, allowed, complete=kind == "flat" or bool(exact_subset))
            want_scores, want_ids = brute_force(matrix, q, 10, allowed)
            if kind == "flat" or exact_subset:
                assert np.allclose(scores, want_scores, atol=1e-5)
            recalls.append(len(set(ids.tolist()) & set(want_ids.tolist())) / len(want_ids))
        # the selector path through a graph or lists may miss a few of a narrow filter's vectors
        assert np.mean(recalls) >= (1.0 if kind == "flat" or exact_subset else 0.5)


@pytest.mark.parametrize("kind", KINDS)
def test_filter_edge_cases(kind):
    matrix = clustered(200, seed=5)
    index = FaissVectors.build(matrix, kind)
    q = matrix[17]
    scores, ids = index.search(q, 10, allowed=np.array([], dtype=np.int64))
    assert len(ids) == 0 and len(scores) == 0
    scores, ids = index.search(q, 10, allowed=np.array([17, 17, 3]))  # duplicates count once
    assert sorted(ids.tolist()) == [3, 17] and ids[0] == 17


@pytest.mark.parametrize("kind", KINDS)
def test_save_load_round_trip(kind, tmp_path):
    matrix = clustered(1013, seed=6)
    FaissVectors.build(matrix, kind).save(tmp_path / "v.faiss")
    loaded = FaissVectors.load(tmp_path / "v.faiss")
    assert loaded.kind == kind
    assert np.allclose(loaded.all(), matrix, atol=1e-6)
    q = clustered(1, seed=7)[0]
    scores, ids = loaded.search(q, 10)
    check_consistent(matrix, q, scores, ids, 10)


def test_empty_index_answers_nothing():
    index = FaissVectors.build(np.zeros((0, 16), dtype=np.float32), "auto")
    _scores, ids = index.search(np.ones(16, dtype=np.float32), 5)
    assert len(ids) == 0


def test_auto_picks_by_size():
    assert vectors.choose_type("auto", vectors.HNSW_FROM - 1) == "flat"
    assert vectors.choose_type("auto", vectors.HNSW_FROM) == "hnsw"
    assert vectors.choose_type("ivf", 10) == "ivf"
    assert vectors.ivf_lists(1) == 1 and vectors.ivf_lists(1_000_000) == 4000
    assert all(n // vectors.ivf_lists(n) >= 39 for n in (39, 1000, 10_000, 1_000_000))


def test_delete_removes_vectors_and_later_ids_move_down():
    matrix = clustered(2000, seed=6)
    store = FaissVectors.build(matrix, "flat")
    store.delete(np.array([0, 5]))
    assert store.count == 1998
    kept = np.delete(matrix, [0, 5], axis=0)
    assert np.allclose(store.vectors(np.array([0, 3, 4, 1997])), kept[[0, 3, 4, 1997]], atol=1e-6)
    store.add(matrix[:1])
    assert store.count == 1999 and np.allclose(store.vectors(np.array([1998])), matrix[:1], atol=1e-6)


def test_hnsw_delete_unlinks_nodes_and_later_ids_move_down():
    matrix = clustered(3000, seed=8)
    store = FaissVectors.build(matrix, "hnsw")
    gone = np.unique(np.append(np.random.default_rng(8).choice(3000, 200, replace=False), store._index.hnsw.entry_point))
    store.delete(gone)  # the entry point goes too
    kept = np.delete(matrix, gone, axis=0)
    assert store.count == len(kept) and np.allclose(store.all(), kept, atol=1e-6)
    found = np.asarray([store.search(v, 1)[1][0] for v in kept])
    assert (found == np.arange(len(kept))).mean() > 0.99  # clustered vectors may tie with a neighbour
    exact = FaissVectors.build(kept, "flat")
    queries = clustered(100, seed=9)
    recall = np.mean([len(set(store.search(q, 10)[1]) & set(exact.search(q, 10)[1])) / 10 for q in queries])
    assert recall >= 0.95


def test_ivf_refuses_to_delete():
    store = FaissVectors.build(clustered(2000, seed=7), "ivf")
    with pytest.raises(NotImplementedError):
        store.delete(np.array([1]))
    assert store.count == 2000
