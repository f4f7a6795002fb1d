"""Ingest: from a corpus folder to documents split into sentences and chunks.

files (what to read) → documents (text and metadata) → sentences → boilerplate → chunking.
"""
