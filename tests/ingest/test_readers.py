"""The reader seam: one reader per suffix, one normalisation, one kind of failure."""

from __future__ import annotations

import dataclasses

import pytest

from qa.ingest import readers
from qa.ingest.readers import READERS, SUFFIXES, Metadata, Page, ReadResult, Unreadable, normalise, read, reader_for
from qa.ingest.readers.base import iso_date, metadata
from tests.test_import_hygiene import loaded_after

LIBRARIES = ("trafilatura", "pypdfium2", "pypdfium2_raw", "docx2python", "charset_normalizer", "lxml", "htmldate")


@pytest.mark.parametrize("path, name", [
    ("a.txt", "charset-normalizer"), ("notes/B.MD", "charset-normalizer"), ("page.HTML", "trafilatura"),
    ("page.htm", "trafilatura"), ("r.Pdf", "pypdfium2"), ("memo.docx", "docx2python"), ("mail.EML", "email"),
])
def test_each_suffix_has_its_reader_whatever_its_case(path, name):
    assert reader_for(path).name == name


@pytest.mark.parametrize("path", ["notes.doc", "data.json", "readme", "archive.txt.bak", ".eml", "dir.pdf/x"])
def test_other_files_have_no_reader(path):
    assert reader_for(path) is None


def test_one_reader_per_format_each_naming_its_library_and_version():
    assert SUFFIXES == (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".eml")
    assert len({type(r) for r in READERS}) == len(READERS) == 5
    for reader in READERS:
        assert reader.name and reader.suffixes and reader.version not in ("", "unknown")
        assert all(reader_for(f"x{s}") is reader for s in reader.suffixes)


def test_importing_the_readers_loads_no_document_library():
    assert loaded_after("import qa.ingest.readers", LIBRARIES) == []


def test_records_are_frozen():
    result = ReadResult(text="x", format="text", metadata=Metadata(), pages=(Page(1, None, 0),))
    for record, field in ((result, "text"), (result.metadata, "title"), (result.pages[0], "start")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, field, None)


@pytest.mark.parametrize("raw, expected", [
    ("a\r\nb\rc\n", "a\nb\nc\n"),
    ("co\u00adop\ufeff\ufffe\x00erate", "cooperate"),
    ("tab\tand\fform feed", "tab\tand\fform feed"),
    ("bell\x07escape\x1b[0mdel\x7f", "bell escape [0mdel "),
    ("vertical\x0btab\x85nel\u2028ls\u2029ps", "vertical\ntab\nnel\nls\nps"),
    ("Zażółć “curly” — ok", "Zażółć “curly” — ok"),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected
    assert normalise(expected) == expected  # idempotent


def test_metadata_keeps_only_stated_fields_each_with_its_origin():
    meta = metadata("pdf-info", title="  Annual\n report ", author="", date=None, url="https://x.org")
    assert (meta.title, meta.author, meta.date, meta.url) == ("Annual report", None, None, "https://x.org")
    assert meta.origins == (("title", "pdf-info"), ("url", "pdf-info"))
    assert meta.origin("url") == "pdf-info" and meta.origin("author") is None


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05T08:00:00Z", "2024-03-05"), ("2024-02-30", None), ("March 5", None), (None, None), ("", None),
])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


def test_a_format_qa_does_not_read_is_unreadable():
    with pytest.raises(Unreadable, match="^is not in a format qa reads$"):
        read(b"x", "data.json")


def test_a_library_failure_becomes_a_one_line_reason(monkeypatch):
    pdf = reader_for("x.pdf")

    def broken(data, path):
        raise ValueError("bad xref\ntable at 1234")

    monkeypatch.setattr(pdf, "read", broken)
    with pytest.raises(Unreadable) as caught:
        read(b"%PDF", "x.pdf")
    assert caught.value.reason == "could not be read by pypdfium2 (ValueError: bad xref table at 1234)"
    assert "\n" not in str(caught.value)


def test_the_package_exports_its_seam():
    assert {"READERS", "SUFFIXES", "reader_for", "read", "ReadResult", "Unreadable"} <= set(readers.__all__)


def test_the_reader_benchmark_runs_at_a_small_scale():
    from scripts.bench_readers import run

    rows = run(scale=0.02)
    assert [r["format"] for r in rows] == ["pdf", "html", "docx", "email", "text"]
    assert all(r["rate"] > 0 and r["characters"] > 0 for r in rows)
    assert rows[0]["pages"] == 4 and rows[0]["unit"] == "pages/s"
