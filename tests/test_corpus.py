"""Which files are documents, what they say about themselves, and which are skipped."""

from __future__ import annotations

import pytest

from qa import api
from qa.errors import QAError
from qa.ingest.documents import LoadedDocument, doc_id_for, read_document
from qa.ingest.files import discover, scan
from qa.ingest.metadata import describe
from qa.records import Skipped
from tests.conftest import SEED
from tests.fakes import FakeEncoder

BODY = "Venezuela released several prisoners on Tuesday, officials said.\n"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


def write(folder, rel, content):
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def test_discover_reads_every_format_recursively_and_names_the_other_files(corpus):
    for rel in ["a.txt", "b.md", "C.MD", "sub/deeper/c.txt", "sub/d.md", ".git/e.txt", "sub/.cache/f.md",
                ".hidden.txt", "notes.pdf", "page.HTM", "memo.docx", "tip.eml", "data.json", "readme", "sub/g.txt.bak",
                "sources.csv"]:
        write(corpus, rel, BODY)
    found, skipped = scan(corpus)
    assert [p.relative_to(corpus).as_posix() for p in found] == [
        "C.MD", "a.txt", "b.md", "memo.docx", "notes.pdf", "page.HTM", "sub/d.md", "sub/deeper/c.txt", "tip.eml"]
    assert skipped == [Skipped("data.json", "is not in a format qa reads (.json)"),
                       Skipped("readme", "is not in a format qa reads (no suffix)"),
                       Skipped("sub/g.txt.bak", "is not in a format qa reads (.bak)")]


def test_a_folder_named_like_a_document_is_not_read(corpus):
    (corpus / "folder.txt").mkdir()
    write(corpus, "folder.txt/inner.txt", BODY)
    assert [p.relative_to(corpus).as_posix() for p in discover(corpus)] == ["folder.txt/inner.txt"]


@pytest.mark.parametrize("name, title, publisher, date", [
    ("000_c49348b2c4adda7c.txt", None, None, "2026-01-14"),
    ("001_00a02d510dd7c0aa.txt", "Trump administration confirms release of several Americans imprisoned in Venezuela", None, None),
    ("002_4d4eadfbfc2e7dd7.txt", None, None, "2026-01-17"),
    ("003_b1416d0a348ab539.txt", None, None, None),
    ("004_1fbe0b5a43a135b8.txt", None, "CNN", "2025-02-01"),
])
def test_seed_metadata_is_what_the_text_states(name, title, publisher, date):
    loaded = read_document(SEED / name, SEED)
    assert isinstance(loaded, LoadedDocument)
    doc = loaded.document
    assert (doc.title, doc.publisher, doc.date) == (title, publisher, date)
    assert doc.path == name and doc.doc_id == doc_id_for(name)
    assert doc.size == len((SEED / name).read_bytes()) and len(doc.sha256) == 64
    assert loaded.text == (SEED / name).read_text(encoding="utf-8")


def test_front_matter_wins_over_bylines_datelines_and_stamps():
    text = ("---\ntitle: X\npublisher: Y\ndate: 2024-05-06\n---\n"
            "By Jane Doe, CNN\n(Reuters) — Something happened.\nPublished: Jan 5, 2020\n")
    assert describe(text) == ("X", "Y", "2024-05-06")


def test_front_matter_after_a_byte_order_mark_still_counts(corpus):
    path = write(corpus, "bom.md", "\ufeff---\ntitle: X\npublisher: Y\ndate: 2024-05-06\n---\nBody text.\n".encode("utf-8"))
    doc = read_document(path, corpus).document
    assert (doc.title, doc.publisher, doc.date) == ("X", "Y", "2024-05-06")


def test_front_matter_values_may_be_quoted_and_partial():
    text = '---\ntitle: "A quoted title"\nsource: The Wire\n---\nPublished: Jan 5, 2020\nBody text here.\n'
    assert describe(text) == ("A quoted title", "The Wire", "2020-01-05")


@pytest.mark.parametrize("text, expected", [
    (" date 2026-01-14 Body starts right here.", (None, None, "2026-01-14")),
    ("Six Americans freed from Venezuelan prison\n\nBy Alejandra Jaramillo, CNN\nBody.\n",
     ("Six Americans freed from Venezuelan prison", "CNN", None)),
    ("CARACAS, VENEZUELA (Reuters) — Six Americans were freed.\n", (None, "Reuters", None)),
    ("Short line\nOriginally Published: 01 FEB 25 00:07 ET\n", (None, None, "2025-02-01")),
    ("Nothing here states where or when this was written.\n", (None, None, None)),
])
def test_metadata_comes_only_from_the_text(text, expected):
    assert describe(text) == expected


def test_doc_id_is_stable_across_rebuilds_and_edits(built, fake_encoder):
    corpus, index = built
    before = {d.path: d.doc_id for d in api.open_index(index).documents}
    assert len(set(before.values())) == len(before) == 5
    path = corpus / "002_4d4eadfbfc2e7dd7.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA paragraph added later changes the content.\n", encoding="utf-8")
    api.build(corpus, index, model=FakeEncoder.name)
    after = api.open_index(index)
    assert {d.path: d.doc_id for d in after.documents} == before
    edited = next(d for d in after.documents if d.path == path.name)
    assert edited.sha256 != read_document(SEED / path.name, SEED).document.sha256


@pytest.mark.parametrize("rel, content, reason", [
    ("empty.txt", b"", "is empty"),
    ("blank.md", b"  \n\t\r\n", "is empty"),
    ("binary.txt", b"PK\x03\x04\x00\x00binary", "looks binary"),
])
def test_unreadable_files_are_skipped_with_a_reason(corpus, rel, content, reason):
    result = read_document(write(corpus, rel, content), corpus)
    assert result == Skipped(rel, reason)


def test_a_latin1_file_is_read_not_refused(corpus):
    result = read_document(write(corpus, "latin1.txt", "Caf\u00e9 in Caracas.".encode("latin-1")), corpus)
    assert isinstance(result, LoadedDocument) and result.text == "Café in Caracas."


def test_the_build_goes_on_past_unreadable_files_and_reports_each(seed_corpus, tmp_path, fake_encoder):
    write(seed_corpus, "empty.txt", b"")
    write(seed_corpus, "nested/binary.md", b"\x00\x01\x02")
    write(seed_corpus, "bad.pdf", b"%PDF-1.7 truncated")
    report = api.build(seed_corpus, tmp_path / "index", model=FakeEncoder.name)
    assert report.documents == 5
    assert [s.path for s in report.skipped] == ["bad.pdf", "empty.txt", "nested/binary.md"]
    assert report.skipped[0].reason.startswith("is not a valid PDF")
    assert report.skipped[1:] == (Skipped("empty.txt", "is empty"), Skipped("nested/binary.md", "looks binary"))
    assert {d.path for d in api.open_index(tmp_path / "index").documents} == {p.name for p in SEED.glob("*.txt")}


def test_a_missing_corpus_folder_is_a_clear_error(tmp_path, fake_encoder):
    with pytest.raises(QAError, match="does not exist"):
        api.build(tmp_path / "nowhere", tmp_path / "index", model=FakeEncoder.name)
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_a_corpus_without_a_readable_document_is_a_clear_error(corpus, tmp_path, fake_encoder):
    write(corpus, "empty.txt", b"")
    write(corpus, "notes.pdf", BODY)
    with pytest.raises(QAError, match=r"no readable document .*notes\.pdf is not a valid PDF"):
        api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
