"""A hostile sources.csv: an unclosed quote, blank lines before the header, duplicate rows and columns,
100,000 rows naming no document, links out of the corpus or to nothing. Each is one warning naming what
is wrong; the rows that can be used are; an update that only changes metadata says which documents."""

from __future__ import annotations

import json
import os

import pytest

from tests.hostile.conftest import FAKE, HARBOUR_TEXT, qa, where


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(HARBOUR_TEXT.replace("412", str(len(name) * 100 + ord(name[0]))), encoding="utf-8")
    return folder


def build(corpus, csv: str | None = None, command: str = "build"):
    if csv is not None:
        (corpus / "sources.csv").write_text(csv, encoding="utf-8")
    done = qa("index", command, *where(corpus, corpus.parent / "index"), *(FAKE if command == "build" else ()))
    assert done.exit_code == 0, done.stderr
    docs = json.loads(qa("docs", "--json", *where(corpus, corpus.parent / "index")).stdout)["documents"]
    return done, {d["citation"]["path"]: {**d, **d["citation"]} for d in docs}


def warnings(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("warning:")]


def test_an_unclosed_quote_is_named_and_swallows_nothing_silently(corpus, fake_encoder):
    done, docs = build(corpus, 'path,title\na.txt,First\nb.txt,"Second\nc.txt,Third\n')
    assert docs["a.txt"]["title"] == "First" and docs["c.txt"]["title"] != "Third\n" and docs["b.txt"]["title"] != "Second"
    lines = warnings(done)
    assert len(lines) == 1 and "sources.csv line 3" in lines[0] and "quote" in lines[0], lines


def test_blank_lines_before_the_header_are_skipped(corpus, fake_encoder):
    done, docs = build(corpus, "\n\n  \npath,publisher\na.txt,Harbour Gazette\n")
    assert docs["a.txt"]["publisher"] == "Harbour Gazette" and warnings(done) == []


def test_duplicate_rows_and_columns_are_warned_about_by_name(corpus, fake_encoder, record_property):
    done, docs = build(corpus, "path,title,title,publisher\na.txt,One,Two,P1\nb.txt,B,B2,P2\na.txt,Three,Four,P3\n")
    lines = warnings(done)
    assert "warning: sources.csv: column 'title' appears 2 times; the last one is used" in lines
    assert "warning: sources.csv line 4: 'a.txt' is also on line 2; line 4 is used" in lines
    assert docs["a.txt"]["title"] == "Four" and docs["a.txt"]["publisher"] == "P3" and len(lines) == 2
    record_property("cases", 2)


def test_a_hundred_thousand_rows_naming_no_document_are_one_line(corpus, fake_encoder):
    rows = "".join(f"missing/{i}.txt,Title {i}\n" for i in range(100_000))
    done, _docs = build(corpus, "path,title\na.txt,Real\n" + rows)
    lines = warnings(done)
    assert len(lines) == 1 and lines[0] == ("warning: sources.csv: no document at 'missing/0.txt', 'missing/1.txt', "
                                            "'missing/2.txt' and 99,997 more (100,000 rows name no document)"), lines
    updated, _ = build(corpus, command="update")
    assert len(warnings(updated)) == 1


def test_a_link_out_of_the_corpus_is_not_followed_and_one_to_nothing_is_named(corpus, tmp_path, fake_encoder,
                                                                               record_property):
    secret = tmp_path / "secret.csv"
    secret.write_text("path,title\na.txt,Leaked from outside\n", encoding="utf-8")
    os.symlink(secret, corpus / "sources.csv")
    done, docs = build(corpus)
    assert docs["a.txt"]["title"] != "Leaked from outside"
    assert warnings(done) == [f"warning: skipped sources.csv: is a link to {secret}, outside the corpus folder "
                              "(qa index build --follow-symlinks reads it)"]
    status = qa("index", "status", *where(corpus, corpus.parent / "index"))
    assert "unchanged since the build" in status.stdout, status.stdout  # the link is ignored alike by the stale check
    followed = qa("index", "build", "--follow-symlinks", *where(corpus, corpus.parent / "index"), *FAKE)
    assert followed.exit_code == 0
    (corpus / "sources.csv").unlink()
    os.symlink(tmp_path / "gone.csv", corpus / "sources.csv")
    done, docs = build(corpus)
    assert warnings(done) == [f"warning: skipped sources.csv: is a link to nothing ({tmp_path / 'gone.csv'} does not "
                              "exist)"]
    inside = corpus / "meta.csv"
    inside.write_text("path,title\na.txt,Linked inside\n", encoding="utf-8")
    (corpus / "sources.csv").unlink()
    os.symlink("meta.csv", corpus / "sources.csv")
    _done, docs = build(corpus)
    assert docs["a.txt"]["title"] == "Linked inside"
    record_property("cases", 3)


def test_an_update_that_only_changes_metadata_reports_the_documents(corpus, fake_encoder):
    build(corpus, "path,title\na.txt,Old title\n")
    (corpus / "sources.csv").write_text("path,title\na.txt,New title\nb.txt,Added title\n", encoding="utf-8")
    updated = qa("index", "update", *where(corpus, corpus.parent / "index"))
    assert updated.exit_code == 0
    assert "changed   2 (a.txt, b.txt)" in updated.stdout and "unchanged 1 (c.txt)" in updated.stdout, updated.stdout
