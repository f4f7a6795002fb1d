"""Title, publisher and date of ten news articles in the forms people save them (tests/data/news):
each found wherever the article states it, with its basis, and never one it does not state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.ingest.documents import read_document

NEWS = Path(__file__).resolve().parent.parent / "data" / "news"
EXPECTED = {k: v for k, v in json.loads((NEWS / "expected.json").read_text(encoding="utf-8")).items() if not k.startswith("_")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stated_metadata_is_found_and_nothing_else(name):
    doc = read_document(NEWS / name, NEWS).document
    assert {field: getattr(doc, field) for field in ("title", "publisher", "date")} == EXPECTED[name]


@pytest.mark.parametrize(("name", "field", "basis"), [
    ("upi-2023-02-07.txt", "publisher", "dateline"), ("upi-2023-02-07.txt", "date", "file name"),
    ("reuters-wire.txt", "publisher", "dateline"), ("ap-senate-vote.txt", "publisher", "byline"),
    ("ap-senate-vote.txt", "date", "published-line"), ("observatory.html", "date", "html-meta"),
    ("clinic.html", "publisher", "byline"), ("council-budget.txt", "date", "updated-line"),
])
def test_each_value_says_what_states_it(name, field, basis):
    assert dict(read_document(NEWS / name, NEWS).document.origins)[field] == basis


def test_a_date_in_a_file_name_must_be_a_day_of_the_calendar(tmp_path):
    for name, date in (("story-2026-02-30.txt", None), ("story-2026-02.txt", None), ("20240229-story.txt", "2024-02-29")):
        (tmp_path / name).write_text("Some words of a story that has no date in it at all.\n", encoding="utf-8")
        assert read_document(tmp_path / name, tmp_path).document.date == date
