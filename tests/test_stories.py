"""The news stories of tests/data/stories: their expectations hold the documents' own words, and the
claims scorer counts a wrong figure or a wrong speaker as a wrong row."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import pytest

from qa.answer.amounts import read
from scripts import evalsets
from scripts.eval_claims import wrong_rows


@pytest.mark.parametrize("name", evalsets.STORY_SETS)
def test_each_story_is_a_set_with_answers_and_quotes_from_its_own_articles(name):
    folder = evalsets.corpus_of(name)
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
    assert 5 <= len(texts) <= 10
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as f:
        assert {row["path"] for row in csv.DictReader(f)} == set(texts)
    questions = evalsets.load(name)
    assert sum(q.answerable for q in questions) >= 15 and sum(not q.answerable for q in questions) >= 4
    for q in questions:
        assert all(any(a in t for t in texts.values()) for a in q.answers), q.id
        assert q.answerable == bool(q.answers), q.id
    rows = [json.loads(line) for line in evalsets.claims_file(name).read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 4
    for row in rows:
        for value in row["values"]:
            for source in value["sources"]:
                assert source["quote"] in texts[source["path"]], (row["id"], source["quote"])
                assert value["value"].lower() in source["quote"].lower(), (row["id"], value["value"])


def test_a_bare_or_qualified_figure_reads_as_its_expected_amount():
    rows = [json.loads(line) for name in evalsets.STORY_SETS
            for line in evalsets.claims_file(name).read_text(encoding="utf-8").splitlines()]
    checked = 0
    for value in (v for row in rows for v in row["values"]):
        got = read(value["value"])
        if got is not None:  # "above 480" is no reading the parser knows; its amount is still written down
            assert (got.low, got.high, got.approximate) == tuple(value["amount"].values()), value["value"]
            checked += 1
    assert checked >= 50


def test_a_row_is_wrong_for_an_unexpected_figure_or_a_named_speaker_who_did_not_give_it():
    values = [{"value": "30", "amount": {"low": 30, "high": 30, "approximate": False}, "kind": "number",
               "attributed_to": "the Office of Civil Defense",
               "sources": [{"path": "a.txt", "quote": "...", "attributed_to": "the Office of Civil Defense"}]},
              {"value": "33", "amount": {"low": 33, "high": 33, "approximate": False}, "kind": "number",
               "attributed_to": None, "sources": [{"path": "b.txt", "quote": "...", "attributed_to": None}]}]
    right = SimpleNamespace(value="30", attributed_to="Office of Civil Defense")
    unnamed = SimpleNamespace(value="30", attributed_to=None)
    other_figure = SimpleNamespace(value="147", attributed_to=None)
    place_as_speaker = SimpleNamespace(value="33", attributed_to="Bogo City")
    assert wrong_rows(values, [right, unnamed, other_figure, place_as_speaker]) == [other_figure, place_as_speaker]
