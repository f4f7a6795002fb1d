"""Answer selection with the fake encoder: corroboration, diversity, filters, thresholds."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from qa import api
from qa.errors import QAError
from qa.pipeline import ranked as candidates
from qa.rank import features, model
from qa.records import Filters
from qa.retrieve import candidates as retrieval
from qa.retrieve import question
from qa.retrieve.question import wants as question_wants
from tests.fakes import FakeEncoder, write

WIRE = "The rights group Foro Penal confirmed that 56 political prisoners had been freed by Tuesday evening."


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
    assert [s.citation.path for s in extract.also_in] == [p for p in ("a.txt", "b.txt") if p != extract.citation.path]
    other = extract.also_in[0]
    assert (corpus / other.citation.path).read_text(encoding="utf-8")[other.citation.start:other.citation.end] == WIRE
    assert other.citation.publisher in {"Daily Planet", "Evening Star"} and other.citation.date in {"2026-01-14", "2026-01-15"}


def test_extracts_never_overlap_or_repeat(wire_corpus):
    _corpus, index = wire_corpus
    answer = api.ask(index, "prisoners freed Caracas Americans", top_k=5, min_score=0.0)
    spans = [(e.citation.path, e.citation.start, e.citation.end) for e in answer.extracts]
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
    assert answer.extracts and {e.citation.publisher for e in answer.extracts} == {"CNN"}


@pytest.mark.parametrize(("since", "until", "paths"), [
    ("2026-01-01", None, {"a.txt", "b.txt"}),
    (None, "2025-12-31", {"c.txt"}),
    ("2026-01-15", "2026-01-15", {"b.txt"}),
])
def test_date_filters(wire_corpus, since, until, paths):
    _corpus, index = wire_corpus
    answer = api.ask(index, "prisoners freed", top_k=10, filters=Filters(since=since, until=until), min_score=0.0)
    assert answer.extracts and {e.citation.path for e in answer.extracts} <= paths


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
        text = (corpus / e.citation.path).read_text(encoding="utf-8")
        assert text[e.citation.start:e.citation.end] == e.quote
        best = e.quote[e.highlight.start:e.highlight.end]
        assert best and best == best.strip() and e.citation.start + e.highlight.end <= e.citation.end


@pytest.mark.parametrize("question, wants", [
    ("How many were freed?", question.NUMBER),
    ("number of political prisoners released", question.NUMBER),
    ("How long has he been held?", question.NUMBER | question.TIME),
    ("When did it happen?", question.TIME),
    ("In what year was the group founded?", question.TIME),
    ("Where were they held?", question.PLACE),
    ("Which city hosted the talks?", question.PLACE),
    ("Who warned Trump?", question.WHO),
    ("name of the detained sailor", {"PERSON"}),
    ("What company built it?", {"ORG"}),
    ("Why did they go?", set()),
    ("What did the minister say?", set()),
    ("According to the person who spoke to reporters, how many were freed?", question.NUMBER),  # a relative "who"
    ("According to CNN, who was freed?", question.WHO),
    ("Tell me who warned Trump", question.WHO),
])
def test_the_wording_of_a_question_says_what_kind_of_entity_answers_it(question, wants):
    assert question_wants(question) == wants


def test_names_are_matched_whole_and_longest_first():
    table = {"jorge rodriguez": [0], "delcy rodriguez": [1], "rodriguez": [2], "foro penal": [0]}
    assert question.names_in("Who is Jorge Rodríguez?", table) == ("jorge rodriguez",)
    assert question.names_in("what did foro penal and Rodriguez say", table) == ("foro penal", "rodriguez")
    assert question.names_in("who is the minister", table) == ()


@pytest.mark.parametrize("text, statement", [
    ("Venezuela freed 400 prisoners", True), ("The UN says 50 people were released", True),
    ("Machado won the Nobel Peace Prize", True), ("How many prisoners were freed?", False),
    ("names of the Spanish citizens freed", False), ("Foro Penal count", False), ("who is Foro Penal", False),
])
def test_a_claim_to_check_is_told_from_a_question_or_keywords(text, statement):
    assert question.is_statement(text) is statement


def test_a_sentence_is_judged_by_the_entities_and_speakers_the_build_found(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", "Jorge Rodríguez said on Monday that 300 prisoners would be released within a week.\n\n"
                           "Delcy Rodríguez said the talks with Washington had gone well.\n\n"
                           "The weather in Caracas was mild and dry all week.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    index = api.open_index(tmp_path / "index")
    ranked = {index.passage(c.row).text[:5]: c for c in candidates(index, "What did Jorge Rodríguez say?")}
    jorge, delcy, weather = ranked["Jorge"], ranked["Delcy"], ranked["The w"]
    assert (jorge.get("said_by"), jorge.get("name_sentence"), jorge.get("name_partial")) == (1.0, 1.0, 0.0)
    assert (delcy.get("said_by"), delcy.get("said_any"), delcy.get("name_partial")) == (0.0, 1.0, 1.0)
    assert weather.get("said_any") == 0.0 and weather.get("name_document") == 1.0
    numbers = {index.passage(c.row).text[:5]: c for c in candidates(index, "How many prisoners would be released?")}
    assert (numbers["Jorge"].get("type_hit"), numbers["Delcy"].get("type_none")) == (1.0, 1.0)


@pytest.mark.parametrize("question, regime", [
    ("How many political prisoners did Foro Penal confirm had been freed?", "worded_alike"),
    ("Which captives walked out of jail?", "reworded"),
])
def test_a_question_worded_unlike_every_passage_is_ranked_by_the_model_without_lexical_features(
        wire_corpus, monkeypatch, question, regime):
    """The shipped model may hold one regime (scripts/fit.py keeps a second only when it pays); the
    mechanism is checked on a two-regime model made from it."""
    _, index = wire_corpus
    shipped = model.load()
    reworded = {k: v for k, v in shipped.regimes["worded_alike"].items() if k not in features.LEXICAL}
    two = replace(shipped, reworded_below=0.3, regimes={"worded_alike": dict(shipped.regimes["worded_alike"]),
                                                        "reworded": reworded}, reader={})  # the ranking alone
    monkeypatch.setattr(model, "load", lambda *args: two)
    ranked = candidates(index, question)
    assert ranked and two.regime(ranked[0].facts.overlap) == regime
    other = "reworded" if regime == "worded_alike" else "worded_alike"
    # the other regime's weights must not matter; this regime's must
    monkeypatch.setitem(two.regimes, other, {"bias": 50.0})
    assert [c.relevance for c in candidates(index, question)] == [c.relevance for c in ranked]
    monkeypatch.setitem(two.regimes, regime, {"bias": 50.0})
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
