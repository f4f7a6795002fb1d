"""Index: the build pipeline, the versioned store on disk, and the loaded index (vectors, BM25, word vectors, rows)."""
