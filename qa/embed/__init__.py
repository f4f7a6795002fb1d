"""Embed: text in, normalised float32 vectors out (sentence-transformers to build, ONNX to ask)."""
