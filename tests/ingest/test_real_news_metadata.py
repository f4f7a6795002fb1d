"""Metadata on real news text saved as files: the 18 articles of tests/data/stories, read without their
sources.csv. What the text states (a headline line, a date in the file name) is found; nothing found
is ever wrong (sources.csv, written from each outlet's page, is the truth)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from qa.ingest.documents import read_document

STORIES = Path(__file__).resolve().parent.parent / "data" / "stories"
ROWS = [(story, row) for story in sorted(STORIES.iterdir()) if (story / "sources.csv").is_file()
        for row in csv.DictReader((story / "sources.csv").read_text(encoding="utf-8").splitlines())]


def test_there_are_real_articles_to_read():
    assert len(ROWS) >= 10


@pytest.mark.parametrize(("story", "row"), ROWS, ids=[row["path"] for _, row in ROWS])
def test_what_the_text_states_is_found_and_nothing_found_is_wrong(story, row, tmp_path):
    shutil.copy(story / row["path"], tmp_path / row["path"])  # no sources.csv beside it
    document = read_document(tmp_path / row["path"], tmp_path).document
    for field in ("title", "publisher", "date"):
        found = getattr(document, field)
        assert found is None or found == row[field], (field, found, row[field])
    assert document.date == row["date"]  # every file name carries its date
    assert document.title == (row["title"] or None)  # every headline stands on the first line
