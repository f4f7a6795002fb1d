"""Title, publisher and date of ten news articles in the forms people save them (tests/data/news):
each found wherever the article states it, with its basis, and never one it does not state."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa import api
from qa.cli import app
from qa.ingest.documents import read_document
from qa.ingest.metadata import describe_sourced
from tests.fakes import FakeEncoder

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


def test_qa_docs_counts_what_is_missing_and_writes_a_sources_template_that_fills_it(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    shutil.copytree(NEWS, corpus, ignore=shutil.ignore_patterns("expected.json"))
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    listed = CliRunner().invoke(app, ["docs", *where])
    assert listed.exit_code == 0
    lacking = [n for n, v in EXPECTED.items() if None in v.values()]
    assert listed.stdout.splitlines()[-2:] == [
        f"{len(lacking)} of {len(EXPECTED)} documents lack a title, publisher or date (no title 0, no publisher 3, no date 4); "
        "state them in a sources.csv at the corpus root:",
        f"  qa docs --sources-template > {corpus / 'sources.csv'}",
    ]
    template = CliRunner().invoke(app, ["docs", "--sources-template", *where]).stdout
    rows = list(csv.DictReader(io.StringIO(template)))
    assert sorted(r["path"] for r in rows) == sorted(lacking)
    assert next(r for r in rows if r["path"] == "reuters-wire.txt")["publisher"] == "Reuters"  # what is stated, written in
    for row in rows:  # a person fills in the rest
        row.update({k: row[k] or v for k, v in {"publisher": "Wire", "date": "2024-01-02"}.items()})
    with open(corpus / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    assert "lack a title" not in CliRunner().invoke(app, ["docs", *where]).stdout


@pytest.mark.parametrize(("head", "date"), [
    (" date 2026-01-14 Prisoners freed in Caracas after talks\n", "2026-01-14"),
    ("Date: Tuesday, 14 January 2026\n\nPrisoners freed in Caracas after talks\n", "2026-01-14"),
    ("Posted on Sept. 3rd, 2024\n\nPrisoners freed in Caracas after talks\n", "2024-09-03"),
    ("DATE 2025/2/1\n\nPrisoners freed in Caracas after talks\n", "2025-02-01"),
    ("Published: Feb 1 2025 10:02 GMT\n\nPrisoners freed in Caracas after talks\n", "2025-02-01"),
    ("Updated: 01 FEB 25 00:09 ET\n\nPrisoners freed in Caracas after talks\n", "2025-02-01"),
    ("Date: 30 February 2026\n\nPrisoners freed in Caracas after talks\n", None),  # no day of the calendar
    ("Dated letters were read aloud on 1 May 2025 in the court.\n", None),  # a sentence, not a date line
])
def test_a_leading_date_line_is_read_in_the_forms_news_pages_write(head, date):
    found = {name: value for name, value, _ in describe_sourced(head)}
    assert found.get("date") == date
    if date and head.lstrip().lower().startswith(("date", "posted")):
        assert found.get("title") == "Prisoners freed in Caracas after talks"
