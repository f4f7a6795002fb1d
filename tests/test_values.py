"""The value scorer (qa/answer/values.json): the shipped weights choose the value a question asks for."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa import api
from qa.answer import values
from qa.errors import QAError
from qa.retrieve.query import read_question
from tests.fakes import FakeEncoder, write

# (question, sentence, the value that answers, a value of the same sentence that does not)
CASES = [
    ("How many people died?", "At least 69 persons died from a magnitude 6.9 earthquake that hit the province.", "At least 69", "6.9"),
    ("How many aftershocks were recorded?", "A total of 848 aftershocks, ranging from magnitude 1.4 to 4.8, were recorded.",
     "848", "1.4 to 4.8"),
    ("How many houses were destroyed?", "The storm destroyed 1,200 houses and 30 schools across 4 provinces.", "1,200", "4"),
    ("How many sailors were rescued?", "Of the ship's 12 officers, 40 sailors were rescued by the navy.", "40", "12"),
    ("How many political prisoners were freed?", "Four Americans and 56 political prisoners were freed on Tuesday.", "56", "Four"),
]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A corpus of the CASES' sentences, indexed with the real bundled model (its word vectors)."""
    root = tmp_path_factory.mktemp("values")
    for n, (_q, sentence, _right, _wrong) in enumerate(CASES):
        write(root / "corpus", f"{n}.txt", f"Report {n}\n\n{sentence}\n")
    api.build(root / "corpus", root / "index")
    return api.open_index(root / "index")


def _scores(index, question: str, sentence: str, sure: float = 0.9) -> dict[str, float]:
    row = next(r for r in range(len(index.answer_doc)) if index.passage(r).text == sentence)
    p, query = index.passage(row), read_question(index, question)
    found = values.candidates(p, query.asked)
    return {p.words(v.start, v.end): s for v, s in zip(found, values.load().score(index, query, p, found, sure))}


@pytest.mark.parametrize("question, sentence, right, wrong", CASES)
def test_the_shipped_scorer_prefers_the_value_asked_for(real, question, sentence, right, wrong):
    scores = _scores(real, question, sentence)
    assert right in scores and wrong in scores, scores
    assert scores[right] > scores[wrong]
    assert max(scores, key=scores.__getitem__) == right


def test_a_figure_in_a_clock_time_or_a_date_is_no_candidate(tmp_path, fake_encoder):
    write(tmp_path / "corpus", "a.txt", "Report\n\nThe quake hit at 10:51 a.m. on MARCH 5, and 1,200 houses fell.\n")
    api.build(tmp_path / "corpus", tmp_path / "index", model=FakeEncoder.name)
    index = api.open_index(tmp_path / "index")
    p = index.passage(next(r for r in range(len(index.answer_doc)) if "1,200" in index.passage(r).text))
    found = [p.words(v.start, v.end) for v in values.candidates(p, read_question(index, "How many houses fell?").asked)]
    assert found == ["1,200"]


def test_the_same_value_in_a_sentence_that_does_not_answer_is_less_likely(real):
    question, sentence, right, _wrong = CASES[0]
    assert _scores(real, question, sentence, 0.05)[right] < _scores(real, question, sentence, 0.9)[right]


def test_the_shipped_file_says_what_it_was_fitted_on_and_is_checked_on_load(tmp_path):
    data = json.loads(values.FILE.read_text(encoding="utf-8"))
    assert data["fitted_on"]["script"] == "scripts/fit_values.py" and data["fitted_on"]["data"]["files"]["questions.jsonl"]
    assert 0.0 < data["threshold"] < 1.0
    tampered = dict(data, weights={**data["weights"], "near": 0.0})
    with pytest.raises(QAError, match="checksum"):
        values.Scorer.from_dict(tampered)
    other = dict(data, features=[*data["features"], "extra"])
    with pytest.raises(QAError, match="other features"):
        values.Scorer.from_dict(other)
    broken = tmp_path / "values.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(QAError, match="cannot read"):
        values.load.__wrapped__(broken)


def test_probabilities_follow_the_weights():
    scorer = values.load()
    x = np.zeros((1, len(values.NAMES)))
    x[0, values.NAMES.index("near")] = 1.0
    z = scorer.weights["bias"] + scorer.weights["near"]
    assert scorer.probabilities(x)[0] == pytest.approx(1 / (1 + np.exp(-z)))
