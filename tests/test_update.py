"""Incremental update: only new or changed chunks are embedded, and the result is the full build's."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qa import api
from qa.cli import app
from qa.embed import encoder as encoders
from qa.errors import QAError
from qa.index import store
from qa.index.build import chunk_key
from qa.index.vectors import FaissVectors
from qa.ingest import documents
from tests.fakes import FakeEncoder

MODEL = FakeEncoder.name
NEW_DOC = "zz_observatory.txt"
QUESTION = "How many meteors did the Quillfeather Observatory record?"


def observatory(count: str) -> str:
    return (f"Meteor count sets a record in Tarnowice\n\nThe Quillfeather Observatory in Tarnowice recorded {count} "
            "meteors during the August shower, its director said on Monday. Volunteers counted through three nights.\n")


@pytest.fixture
def encoded(fake_encoder, monkeypatch) -> list[str]:
    """Every text the fake encoder embeds (chunks, and the words of the lexicon), in order."""
    texts: list[str] = []
    plain = fake_encoder.encode

    def encode(batch, progress=None):
        texts.extend(batch)
        return plain(batch, progress)

    monkeypatch.setattr(fake_encoder, "encode", encode)
    return texts


def chunk_texts(index: Path) -> dict[str, str]:
    return {chunk_key(c.text): c.text for c in api.open_index(index).chunks}


def top(index: Path, question: str, k: int = 10):
    return api.ask(api.open_index(index), question, top_k=k, min_score=0.0).extracts


def edit_one_sentence(path: Path) -> str:
    """Change one word in a sentence in the middle of the document; returns the new sentence."""
    text = path.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    middle = max(range(len(paragraphs)), key=lambda i: (len(paragraphs[i]) > 80, -abs(i - len(paragraphs) // 2)))
    paragraphs[middle] = "Harbour officials disputed the figure entirely. " + paragraphs[middle]
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    return paragraphs[middle]


def removed_doc_sentence(index: Path, path: str) -> str:
    """A long sentence of one document, to ask about it."""
    loaded = api.open_index(index)
    n = next(i for i, d in enumerate(loaded.documents) if d.path == path)
    spans = [(s, e) for s, e, k in loaded.sentence_spans[n] if k == "body"]
    s, e = max(spans, key=lambda se: se[1] - se[0])
    return loaded.texts[n][s:e]


def test_add_change_remove(built, encoded):
    corpus, index = built
    names = sorted(p.name for p in corpus.glob("*.txt"))
    changed, removed = names[0], names[1]
    about_removed = removed_doc_sentence(index, removed)
    assert top(index, about_removed)[0].citation.path == removed  # so the check below can fail
    before = chunk_texts(index)

    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    edit_one_sentence(corpus / changed)
    (corpus / removed).unlink()
    encoded.clear()  # questions asked above are embedded too
    report = api.update(corpus, index, model=MODEL)

    assert (report.added, report.changed, report.removed) == ((NEW_DOC,), (changed,), (removed,))
    assert report.unchanged == tuple(n for n in names if n not in (changed, removed))
    after = chunk_texts(index)
    fresh = sorted(text for key, text in after.items() if key not in before)
    assert sorted(t for t in encoded if t in after.values() or t in before.values()) == fresh
    assert report.embedded == len(fresh)
    loaded = api.open_index(index)
    changed_chunks = [c for c in loaded.chunks if loaded.documents[loaded.doc_numbers[c.doc_id]].path == changed]
    new_chunks = [c for c in loaded.chunks if loaded.documents[loaded.doc_numbers[c.doc_id]].path == NEW_DOC]
    assert 1 <= len(fresh) - len(new_chunks) < len(changed_chunks)  # one paragraph, not the whole document

    assert "4,812" in top(index, QUESTION)[0].quote
    assert removed not in {d.path for d in loaded.documents}
    assert removed not in {e.citation.path for e in top(index, about_removed)}

    (corpus / NEW_DOC).write_text(observatory("9,377"), encoding="utf-8")
    report = api.update(corpus, index, model=MODEL)
    assert report.changed == (NEW_DOC,)
    extracts = top(index, QUESTION)
    assert "9,377" in extracts[0].quote
    assert not any("4,812" in e.quote for e in extracts)


def test_unchanged_and_removal_only_never_load_the_model(built, monkeypatch):
    corpus, index = built

    def no_model():
        raise AssertionError("the model was loaded")

    monkeypatch.setitem(encoders.REGISTRY, MODEL, no_model)
    live = store.current_name(index)
    report = api.update(corpus, index, model=MODEL)
    assert (report.embedded, report.added, report.changed, report.removed) == (0, (), (), ())
    assert store.current_name(index) == live  # nothing changed, so nothing was written
    assert len(report.unchanged) == report.documents == 5
    gone = sorted(corpus.glob("*.txt"))[-1]
    gone.unlink()
    report = api.update(corpus, index)  # no --model: the index's own model is kept
    assert report.removed == (gone.name,) and report.embedded == 0
    assert api.open_index(index).model_name == MODEL


def test_update_equals_full_build(built, fake_encoder, tmp_path):
    corpus, index = built
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    edit_one_sentence(corpus / names[2])
    (corpus / names[3]).unlink()
    api.update(corpus, index, model=MODEL)
    full = tmp_path / "full"
    api.build(corpus, full, model=MODEL)

    a, b = api.open_index(index), api.open_index(full)
    assert a.documents == b.documents and a.texts == b.texts and a.sentence_spans == b.sentence_spans
    assert a.chunks == b.chunks
    assert np.abs(a.vectors.all() - b.vectors.all()).max() < 1e-6
    for question in (QUESTION, removed_doc_sentence(full, names[0]), "Who was released from prison?"):
        assert api.ask(a, question, min_score=0.0) == api.ask(b, question, min_score=0.0)


def test_an_update_reads_only_new_and_changed_files(built, fake_encoder, monkeypatch):
    corpus, index = built
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    edit_one_sentence(corpus / names[0])
    read: list[str] = []
    plain = documents.read_within

    def reading(raw, rel):
        read.append(rel)
        return plain(raw, rel)

    monkeypatch.setattr(documents, "read_within", reading)
    report = api.update(corpus, index, model=MODEL)
    assert (report.added, report.changed) == ((NEW_DOC,), (names[0],))
    assert sorted(read) == sorted([names[0], NEW_DOC])


def test_an_hnsw_update_keeps_the_live_graph_and_equals_a_full_build(built, fake_encoder, tmp_path, monkeypatch):
    corpus, index = built
    api.build(corpus, index, model=MODEL, index_type="hnsw")
    (corpus / "aa_first.txt").write_text(observatory("4,812"), encoding="utf-8")  # sorts first: every row moves
    edited = corpus / sorted(p.name for p in corpus.glob("*.txt"))[3]
    edited.write_text(edited.read_text(encoding="utf-8").replace(" the ", " that ", 1), encoding="utf-8")
    before = chunk_texts(index)
    full = tmp_path / "full"
    api.build(corpus, full, model=MODEL, index_type="hnsw")

    def no_build(*args, **kwargs):
        raise AssertionError("the graph was built again")

    monkeypatch.setattr(FaissVectors, "build", no_build)
    api.update(corpus, index, model=MODEL, index_type="hnsw")
    a, b = api.open_index(index), api.open_index(full)
    assert set(before) - set(chunk_texts(index))  # a sentence's old chunk was dropped from the graph
    assert store.open_version(index)[1]["unlinked"] == len(set(before) - set(chunk_texts(index)))
    assert a.vectors.kind == "hnsw" and a.chunks == b.chunks
    vectors = a.vectors.all()
    assert np.abs(vectors - b.vectors.all()).max() < 1e-6
    for row, vector in enumerate(vectors):  # every vector is found at its row through the graph
        _, ids = a.vectors.search(vector, 1)
        assert a.chunks[int(ids[0])].text == a.chunks[row].text
    assert api.ask(a, QUESTION, min_score=0.0) == api.ask(b, QUESTION, min_score=0.0)


def test_full_build_embeds_everything_again(built, encoded):
    corpus, index = built
    chunks = chunk_texts(index)
    encoded.clear()
    report = api.build(corpus, index, model=MODEL)
    assert sorted(t for t in encoded if t in chunks.values()) == sorted(chunks.values())
    assert report.embedded == len(chunks)


def test_cli_update_reports_each_kind(built, fake_encoder):
    corpus, index = built
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    edit_one_sentence(corpus / names[0])
    (corpus / names[1]).unlink()
    result = CliRunner().invoke(app, ["index", "update", "--corpus", str(corpus), "--index", str(index), "--model", MODEL])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [f"added     1 ({NEW_DOC})", f"changed   1 ({names[0]})", f"removed   1 ({names[1]})"]
    assert lines[3] == f"unchanged 3 ({', '.join(names[2:5])})"
    assert re.fullmatch(r"embedded \d+ chunks; index holds 5 documents, \d+ chunks; \d+\.\d s", lines[4])
    assert len(lines) == 5


def test_ask_warns_when_the_corpus_changed_and_still_answers(built, fake_encoder):
    corpus, index = built
    args = ["ask", QUESTION, "--corpus", str(corpus), "--index", str(index), "--min-score", "0"]
    quiet = CliRunner().invoke(app, args)
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    edit_one_sentence(corpus / names[0])
    (corpus / names[1]).unlink()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert ("warning: the corpus changed since the index was built (1 added, 1 changed, 1 removed); "
            f"run: qa index update --corpus {corpus} --index {index}") in result.stderr
    assert result.stdout.startswith("1. “")
    api.update(corpus, index, model=MODEL)
    assert "warning" not in CliRunner().invoke(app, args).stderr


def test_old_versions_are_collected(built, fake_encoder):
    corpus, index = built
    for i in range(4):
        (corpus / NEW_DOC).write_text(observatory(str(1000 + i)), encoding="utf-8")
        api.update(corpus, index, model=MODEL)
    versions = sorted(p.name for p in index.glob("v-*"))
    assert len(versions) == store.KEEP_VERSIONS and versions[-1] == store.current_name(index)
    assert not list(index.glob(".tmp-*"))


def test_a_pinned_version_survives_collection(built, fake_encoder):
    corpus, index = built
    reader = api.open_index(index)
    for i in range(3):
        (corpus / NEW_DOC).write_text(observatory(str(2000 + i)), encoding="utf-8")
        api.update(corpus, index, model=MODEL)
    assert reader.folder.is_dir() and store.current_name(index) != reader.folder.name
    assert NEW_DOC not in {e.citation.path for e in api.ask(reader, QUESTION, min_score=0.0).extracts}
    pinned = reader.folder
    del reader
    api.update(corpus, index, model=MODEL)
    assert not pinned.exists()


def test_update_without_an_index_builds_one(tmp_path, fake_encoder):
    corpus, index = tmp_path / "c", tmp_path / "i"
    corpus.mkdir()
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    report = api.update(corpus, index, model=MODEL)
    assert report.added == (NEW_DOC,) and report.embedded == report.chunks > 0
    assert api.open_index(index).manifest["model"] == {"name": MODEL, "dim": FakeEncoder.dim}


def test_a_corpus_of_boilerplate_is_refused(built, fake_encoder):
    corpus, index = built
    live = store.current_name(index)
    for path in corpus.glob("*.txt"):
        path.write_text("Menu\n", encoding="utf-8")
    with pytest.raises(QAError, match="boilerplate"):
        api.update(corpus, index, model=MODEL)
    assert store.current_name(index) == live


def test_stored_sentences_are_reused_only_under_the_same_code(built, fake_encoder, monkeypatch):
    from qa.index import build

    corpus, index = built
    split = []
    plain = build.split_sentences
    monkeypatch.setattr(build, "split_sentences", lambda text, *rest: split.append(text) or plain(text, *rest))
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    api.update(corpus, index, model=MODEL)
    assert split == [observatory("4,812")]  # only the new document is analysed

    split.clear()
    monkeypatch.setattr(build, "analysis_version", lambda: "other code")
    report = api.update(corpus, index, model=MODEL)  # no document changed, but the code did
    assert len(split) == report.documents == 6 and report.embedded == 0


def test_an_update_annotates_only_new_and_changed_documents(built, fake_encoder, monkeypatch):
    from qa.annotate import pipeline

    corpus, index = built
    read: list[str] = []
    plain = pipeline._annotate_here

    def counting(documents, batch_size):
        read.extend(text[s:e] for text, spans, _ in documents for s, e in spans)
        return plain(documents, batch_size)

    monkeypatch.setattr(pipeline, "_annotate_here", counting)
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    api.update(corpus, index, model=MODEL)
    assert read and all(sentence in observatory("4,812") for sentence in read)  # the new document only
    shown = api.show(api.open_index(index), corpus, NEW_DOC)
    record = next(s for s in shown.sentences if "4,812" in shown.text[s.start:s.end])
    assert "4,812" in {shown.text[e.start:e.end] for e in record.entities}
    assert record.statement is not None and shown.text[record.statement.speaker.start:record.statement.speaker.end] == "its director"

    read.clear()
    (corpus / NEW_DOC).unlink()
    api.update(corpus, index, model=MODEL)
    assert read == []  # nothing new to read


def test_a_new_date_for_a_document_means_its_dates_are_read_again(built, fake_encoder, monkeypatch):
    from qa.annotate import pipeline

    corpus, index = built
    (corpus / NEW_DOC).write_text(observatory("4,812"), encoding="utf-8")
    api.update(corpus, index, model=MODEL)
    def monday():
        shown = api.show(api.open_index(index), corpus, NEW_DOC)
        return next(d for s in shown.sentences for d in s.dates if "Monday" in shown.text[d.start:d.end])

    assert (monday().date, monday().start_date) == (None, None)  # an undated document: "on Monday" is never guessed
    calls = []
    monkeypatch.setattr(pipeline, "_annotate_here", lambda docs, size, plain=pipeline._annotate_here: calls.append(1) or plain(docs, size))
    (corpus / "sources.csv").write_text(f"path,date\n{NEW_DOC},2026-01-14\n", encoding="utf-8")
    api.update(corpus, index, model=MODEL)
    assert calls and monday().date == "2026-01-12"
