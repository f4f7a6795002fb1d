"""The spaCy pipeline is loaded once per test session, and sentences are annotated through the real entry point."""

from __future__ import annotations

import pytest

from qa.ingest.sentences import split_sentences


@pytest.fixture(scope="session")
def nlp():
    from qa.annotate.pipeline import model

    return model()


@pytest.fixture(scope="session")
def notes_of(nlp):
    """notes_of(text, doc_date) -> [(sentence text, SentenceNotes)] for the sentences of `text`."""
    from qa.annotate.pipeline import annotate

    def run(text: str, doc_date: str | None = "2026-03-11"):
        spans = split_sentences(text)
        return [(text[s:e], n) for (s, e), n in zip(spans, annotate([(text, spans, doc_date)])[0])]

    return run


@pytest.fixture(scope="session")
def said(notes_of):
    """said(text) -> per sentence None or (speaker, verb, via, refers_to) as text."""

    def run(text: str, doc_date: str | None = "2026-03-11"):
        out = []
        for _, notes in notes_of(text, doc_date):
            s = notes.statement
            words = (lambda span: None if span is None else text[span.start:span.end])
            out.append(None if s is None else (words(s.speaker), s.verb, words(s.via), words(s.refers_to)))
        return out

    return run
