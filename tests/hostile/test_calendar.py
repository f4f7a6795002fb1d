"""Dates at the calendar's edges (0001-01-01, 9999-12-31): relative dates that would step past them stay
unresolved, a build or an update never dies of OverflowError, and sources.csv dates that cannot be used
are refused row by row."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qa import api
from tests.hostile.conftest import FAKE, qa, where

RELATIVE = ("Tomorrow the harbour master counted 412 boats. Yesterday he counted 300 boats. On Monday he counted 200 "
            "boats, and next Friday he counts again. Last week and next week the port was shut. Next month, next year "
            "and last year are other matters; three years ago and two months ago, too. The next day it rained. "
            "This weekend is quiet, as was the past year. In December boats leave. Since Tuesday the port has been "
            "closed, from Monday to Friday. Later this month and earlier this year the count was made.\n")
EDGES = ["9999-12-31", "9999-12-30", "9999-12-27", "0001-01-01", "0001-01-02", "0001-01-07"]


def dates_of(corpus, index, name: str) -> list[dict]:
    shown = qa("show", name, "--json", *where(corpus, index))
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.stdout)
    return [d for s in found["sentences"] for d in s["dates"]]


@pytest.mark.parametrize("day", EDGES)
def test_relative_dates_at_the_calendars_edges_build_and_stay_unresolved(day, tmp_path, fake_encoder):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "edge.txt").write_text(f"---\ntitle: Edge\ndate: {day}\n---\n{RELATIVE}", encoding="utf-8")
    built = qa("index", "build", *where(corpus, index), *FAKE)
    assert built.exit_code == 0 and "Overflow" not in built.output, built.output
    found = dates_of(corpus, index, "edge.txt")
    assert len(found) >= 10
    for d in found:  # every resolved day is a real one; what would fall off the calendar is None
        for key in ("date", "start_date", "end_date"):
            if d.get(key):
                date.fromisoformat(d[key])
    if day == "9999-12-31":
        text = (corpus / "edge.txt").read_text(encoding="utf-8")
        tomorrow = next(d for d in found if text[d["start"]:d["end"]] == "Tomorrow")
        assert tomorrow.get("date") is None
    opened = api.open_index(index)
    assert api.timeline(opened, "boats").entries or api.timeline(opened, "boats").undated
    answered = qa("ask", "how many boats did the harbour master count", "--until", "9999-12-31", "--since", "0001-01-01",
                  *where(corpus, index))
    assert answered.exit_code in (0, 1)


def test_a_sources_csv_date_at_the_edge_survives_every_update(tmp_path, fake_encoder, record_property):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "late.txt").write_text(RELATIVE, encoding="utf-8")
    (corpus / "early.txt").write_text(RELATIVE.replace("412", "413"), encoding="utf-8")
    (corpus / "sources.csv").write_text("path,date\nlate.txt,9999-12-31\nearly.txt,0001-01-01\n", encoding="utf-8")
    assert qa("index", "build", *where(corpus, index), *FAKE).exit_code == 0
    for change in range(3):  # each update re-reads a changed document
        (corpus / "late.txt").write_text(RELATIVE + f"Change {change}.\n", encoding="utf-8")
        updated = qa("index", "update", *where(corpus, index))
        assert updated.exit_code == 0 and "Error" not in updated.output, updated.output
    text = (corpus / "late.txt").read_text(encoding="utf-8")
    words = {text[d["start"]:d["end"]]: d.get("date") for d in dates_of(corpus, index, "late.txt")}
    assert words["Tomorrow"] is None and words["Yesterday"] == "9999-12-30"
    record_property("cases", 4)


@pytest.mark.parametrize("value", ["10000-01-01", "0000-01-01", "2026-02-30", "99999999999999999999-12-31", "-0001-01-01",
                                   "9999-12-32", "0001-00-01"])
def test_unusable_sources_csv_dates_are_refused_naming_the_row(value, tmp_path, fake_encoder):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text(RELATIVE, encoding="utf-8")
    (corpus / "sources.csv").write_text(f"path,title,date\na.txt,Kept title,{value}\n", encoding="utf-8")
    built = qa("index", "build", *where(corpus, index), *FAKE)
    assert built.exit_code == 0
    warned = [line for line in built.stderr.splitlines() if value in line]
    assert warned == [f"warning: sources.csv line 2: date {value!r} is not a date from 0001-01-01 to 9999-12-31 "
                      "(YYYY-MM-DD); the row's other fields are used"], built.stderr
    docs = json.loads(qa("docs", "--json", *where(corpus, index)).stdout)["documents"]
    assert docs[0]["citation"]["title"] == "Kept title" and docs[0]["citation"]["date"] is None
