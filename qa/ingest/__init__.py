"""Ingest: from a corpus folder to documents split into sentences and chunks, in any format.

files (what to read) → readers (bytes to text, metadata, pages) → documents → sentences →
boilerplate → chunking. Quotes are offsets into the text a reader returns.
"""
