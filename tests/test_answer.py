"""Answer selection with the fake encoder: corroboration, diversity, filters, thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa import api
from qa.errors import QAError
from qa.rank import asked, features, model
from qa.rank.ranking import candidates
from qa.records import Filters
from qa.retrieve import candidates as retrieval
from tests.fakes import FakeEncoder

WIRE = "The rights group Foro Penal confirmed that 56 political prisoners had been freed by Tuesday evening."


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def wire_corpus(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", f" date 2026-01-14 Americans freed\n\nBy Ann Lee, Daily Planet\n\nOfficials spoke on Tuesday. {WIRE}\n\nThe weather was cold in Caracas.\n")
    write(corpus, "b.txt", f" date 2026-01-15 Another outlet\n\nBy Bo Chan, Evening Star\n\n{WIRE}\n\nFamilies waited outside the prison gates all night.\n")
    write(corpus, "c.txt", " date 2025-02-01 Older story\n\nBy Cy Diaz, CNN\n\nSix Americans were flown home after a meeting in Caracas.\n\nThe prisoners were freed in a deal.\n")
    index = tmp_path / "index"
    api.build(corpus, index, model=FakeEncoder.name)
    return corpus, api.open_index(index)


def test_syndicated_sentence_is_shown_once_with_the_other_source(wire_corpus):
    corpus, index = wire_corpus
    answer = api.ask(index, "How many political prisoners did Foro Penal confirm had been freed?", min_score=0.0)
    wire = [e for e in answer.extracts if WIRE in e.quote]
    assert len(wire) == 1, "the same sentence must not fill two slots"
    (extract,) = wire
    assert [s.path for s in extract.also_in] == [p for p in ("a.txt", "b.txt") if p != extract.path]
    other = extract.also_in[0]
    assert (corpus / other.path).read_text(encoding="utf-8")[other.start:other.end] == WIRE
    assert other.publisher in {"Daily Planet", "Evening Star"} and other.date in {"2026-01-14", "2026-01-15"}


def test_extracts_never_overlap_or_repeat(wire_corpus):
    _corpus, index = wire_corpus
    answer = api.ask(index, "prisoners freed Caracas Americans", top_k=5, min_score=0.0)
    spans = [(e.path, e.start, e.end) for e in answer.extracts]
    for i, (p, s, e) in enumerate(spans):
        for q, s2, e2 in spans[i + 1:]:
            assert p != q or e <= s2 or e2 <= s, f"overlapping quotes {spans}"
    assert len({e.quote for e in answer.extracts}) == len(answer.extracts)


def test_source_filter_applies_before_ranking(wire_corpus, monkeypatch):
    _corpus, index = wire_corpus
    # With one candidate per retriever, filtering after ranking would leave nothing from CNN.
    monkeypatch.setattr(retrieval, "DENSE_K", 1)
    monkeypatch.setattr(retrieval, "LEXICAL_K", 1)
    answer = api.ask(index, "How many political prisoners did Foro Penal confirm had been freed?",
                     filters=Filters(source="cnn"), min_score=0.0)
    assert answer.extracts and {e.publisher for e in answer.extracts} == {"CNN"}


@pytest.mark.parametrize(("since", "until", "paths"), [
    ("2026-01-01", None, {"a.txt", "b.txt"}),
    (None, "2025-12-31", {"c.txt"}),
    ("2026-01-15", "2026-01-15", {"b.txt"}),
])
def test_date_filters(wire_corpus, since, until, paths):
    _corpus, index = wire_corpus
    answer = api.ask(index, "prisoners freed", top_k=10, filters=Filters(since=since, until=until), min_score=0.0)
    assert answer.extracts and {e.path for e in answer.extracts} <= paths


def test_a_filter_that_admits_nothing_refuses(wire_corpus):
    _corpus, index = wire_corpus
    answer = api.ask(index, "prisoners freed", filters=Filters(source="no such outlet"), min_score=0.0)
    assert (answer.answered, answer.extracts, answer.nearest) == (False, (), ())


def test_min_score_withholds_weak_extracts_but_keeps_them_as_nearest(wire_corpus):
    _corpus, index = wire_corpus
    strict = api.ask(index, "prisoners freed", min_score=1.0)
    loose = api.ask(index, "prisoners freed", min_score=0.0)
    assert not strict.answered and strict.extracts == ()
    assert loose.answered and [e.quote for e in strict.nearest] == [e.quote for e in loose.extracts]
    assert all(0.0 <= e.score <= 1.0 for e in loose.extracts)
    assert [e.rank for e in loose.extracts] == list(range(1, len(loose.extracts) + 1))


def test_highlight_is_the_best_sentence_inside_the_quote(wire_corpus):
    corpus, index = wire_corpus
    for e in api.ask(index, "Who waited outside the prison gates?", top_k=5, min_score=0.0).extracts:
        text = (corpus / e.path).read_text(encoding="utf-8")
        assert text[e.start:e.end] == e.quote
        best = e.quote[e.highlight.start:e.highlight.end]
        assert best and best == best.strip() and e.start + e.highlight.end <= e.end


def test_questions_that_ask_for_a_kind_of_thing_prefer_sentences_that_hold_one():
    assert asked.novel_match(asked.asked_for("How many were freed?"), "Six were freed.", "How many were freed?")
    assert not asked.novel_match(asked.asked_for("How many were freed?"), "Some were freed.", "How many were freed?")
    who = "Who warned Trump?"
    assert not asked.novel_match(asked.asked_for(who), "He warned US President Donald Trump.", who)
    assert asked.novel_match(asked.asked_for(who), "Jorge Rodríguez warned him.", who)
    assert asked.asked_for("When did it happen?") is asked._DATE
    assert asked.asked_for("Where were they held?") is asked._PLACE
    assert asked.asked_for("Why did they go?") is None


@pytest.mark.parametrize("question, holds, lacks", [
    ("How many were freed?", "Two of them were freed.", "She is one of the most vocal advocates."),
    ("How old is the detainee?", "The 28-year-old detainee was freed.", "One detainee was freed in 2025."),
    ("In what year was the group founded?", "The group was founded in 1999.", "The group said in January it had grown."),
])
def test_answer_type_cues_want_the_precise_kind_of_thing(question, holds, lacks):
    wanted = asked.asked_for(question)
    assert asked.novel_match(wanted, holds, question)
    assert not asked.novel_match(wanted, lacks, question)


@pytest.mark.parametrize("question, regime", [
    ("How many political prisoners did Foro Penal confirm had been freed?", "worded_alike"),
    ("Which captives walked out of jail?", "reworded"),
])
def test_a_question_worded_unlike_every_passage_is_ranked_by_the_model_without_lexical_features(
        wire_corpus, monkeypatch, question, regime):
    _, index = wire_corpus
    ranked = candidates(index, question)
    assert ranked and model.load().regime(ranked[0].facts.overlap) == regime
    other = "reworded" if regime == "worded_alike" else "worded_alike"
    # the other regime's weights must not matter; this regime's must
    monkeypatch.setitem(model.load().regimes, other, {"bias": 50.0})
    assert [c.relevance for c in candidates(index, question)] == [c.relevance for c in ranked]
    monkeypatch.setitem(model.load().regimes, regime, {"bias": 50.0})
    assert {round(c.relevance, 6) for c in candidates(index, question)} == {1.0}
    assert set(model.regime_features("reworded")) == set(features.NAMES) - set(features.LEXICAL)


def test_the_fitted_model_is_checked_against_the_feature_table():
    data = model.load().to_dict()
    assert model.Ranker.from_dict(data) == model.load()
    wrong = json.loads(json.dumps(data))
    wrong["regimes"]["reworded"]["lexical"] = 1.0  # a lexical feature in the reworded model
    with pytest.raises(QAError, match="reworded weighs lexical"):
        model.Ranker.from_dict(wrong)
    other = json.loads(json.dumps(data))
    other["features"] = [*data["features"], "invented"]
    with pytest.raises(QAError, match="other features"):
        model.Ranker.from_dict(other)
    with pytest.raises(QAError, match="not a qa-ranker"):
        model.Ranker.from_dict({**data, "format_version": 99})
