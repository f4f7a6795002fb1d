"""Who says what: figures read by meaning, grouped into claims with their speakers; timelines by date."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qa import api
from qa.answer.amounts import compatible, read
from qa.cli import app
from qa.records import Amount
from tests.fakes import FakeEncoder, write


@pytest.mark.parametrize("words, low, high, approximate", [
    ("56", 56, 56, False), ("about 50", 50, 50, True), ("more than 100", 100, None, False), ("over 400", 400, None, False),
    ("at least four", 4, None, False), ("dozens", 24, None, True), ("800 to 1,200", 800, 1200, False),
    ("roughly 2,000", 2000, 2000, True), ("Nine", 9, 9, False), ("twenty-one", 21, 21, False), ("1.5 million", 1.5e6, 1.5e6, False),
    ("fewer than 30", None, 30, False),
])
def test_a_figure_is_read_by_what_it_says(words, low, high, approximate):
    assert read(words) == Amount(low, high, approximate)


@pytest.mark.parametrize("words", ["2024", "Tuesday", "the", "a"])
def test_years_and_words_are_no_figures(words):
    assert read(words) is None


def test_the_same_figure_qualified_otherwise_is_compatible_and_another_is_not():
    assert compatible(read("over 400"), read("400")) and compatible(read("at least four"), read("four"))
    assert not compatible(read("56"), read("400")) and not compatible(read("more than 100"), read("400"))


@pytest.fixture
def ranking_only(monkeypatch):
    """The claims logic on its own, over the ranking (and calibration) fitted before the reader
    (tests/data/ranker-before-reader.json): on these toy sentences the reader's sharper scores leave
    Foro Penal's 56 out of the table, a loss of recall scripts/eval_claims.py measures with the
    reader (see the README); what is tested here is how found values are read and grouped."""
    from pathlib import Path

    from qa.rank import model

    plain = model.load(Path(__file__).parent / "data" / "ranker-before-reader.json")
    monkeypatch.setattr(model, "load", lambda *args: plain)


@pytest.fixture
def disputed(tmp_path, fake_encoder, ranking_only, accept_all):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", " date 2026-01-14 Prisoners freed\n\nBy Ann Lee, Daily Planet\n\n"
                           "The rights group Foro Penal confirmed that 56 political prisoners had been freed by Tuesday.\n\n"
                           "The government said on Monday that 400 prisoners have been freed.\n\n"
                           "Four Americans were also freed on Tuesday, officials said.\n")
    write(corpus, "b.txt", " date 2026-01-15 More releases\n\nBy Bo Chan, Evening Star\n\n"
                           "The rights group Foro Penal confirmed that 56 political prisoners had been freed by Tuesday.\n\n"
                           "The UN says about 50 prisoners have been freed so far.\n\n"
                           "Families waited outside the prison gates all night.\n")
    write(corpus, "c.txt", "A note with no date\n\nThe prisoners were freed in a deal, a minister said.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    return corpus, tmp_path / "index"


def test_figures_the_sources_give_are_grouped_by_meaning_with_their_speakers(disputed):
    corpus, index = disputed
    answer = api.ask(api.open_index(index), "How many prisoners have been freed?", min_score=0.0)
    by_value = {c.value: c for c in answer.claims}
    assert answer.agreement == "differ"
    assert {"56", "400", "about 50"} <= set(by_value)
    assert {s.citation.path for s in by_value["56"].sources} == {"a.txt", "b.txt"}  # wire copy: one claim, both outlets
    assert by_value["56"].attributed_to == "The rights group Foro Penal"
    assert by_value["400"].attributed_to == "The government" and by_value["about 50"].attributed_to == "The UN"
    assert by_value["about 50"].amount == Amount(50, 50, True)
    for claim in answer.claims:
        for s in claim.sources:
            text = (corpus / s.citation.path).read_text(encoding="utf-8")
            assert text[s.citation.start:s.citation.end] == s.quote and text[s.value_start:s.value_end] == s.value and s.value in s.quote


def test_a_question_naming_its_speaker_gets_only_that_speakers_figures(disputed):
    _corpus, index = disputed
    answer = api.ask(api.open_index(index), "How many prisoners does the government say were freed?", min_score=0.0)
    assert [c.value for c in answer.claims] == ["400"] and answer.agreement == "single"  # one document agrees with no one


def test_claims_are_in_the_json_and_before_the_extracts_in_text(disputed):
    corpus, index = disputed
    where = ["--corpus", str(corpus), "--index", str(index), "--min-score", "0"]
    data = json.loads(CliRunner().invoke(app, ["ask", "How many prisoners have been freed?", "--json", *where]).stdout)
    assert data["agreement"] == "differ"
    claim = next(c for c in data["claims"] if c["value"] == "56")
    assert set(claim) == {"value", "kind", "amount", "attributed_to", "sources"} and claim["kind"] == "number"
    source = claim["sources"][0]
    assert set(source) == {"quote", "value", "value_start", "value_end", "attributed_to", "citation", "compatible"}
    assert {"doc_id", "path", "file", "title", "publisher", "date", "page", "start", "end", "line"} <= set(source["citation"])
    text = CliRunner().invoke(app, ["ask", "How many prisoners have been freed?", *where]).stdout
    assert text.startswith("Sources differ (")
    assert text.index("about 50") < text.index("1. “")


def test_a_question_asking_for_no_value_has_no_claims(disputed):
    _corpus, index = disputed
    answer = api.ask(api.open_index(index), "Why were the prisoners freed?", min_score=0.0)
    assert (answer.claims, answer.agreement) == ((), None)


def test_a_timeline_orders_by_the_dates_sentences_state_and_lists_the_undated_apart(disputed):
    corpus, index = disputed
    found = api.timeline(api.open_index(index), "prisoners freed", min_score=0.0)
    dates = [e.date for e in found.entries]
    assert dates == sorted(dates)
    monday = next(e for e in found.entries if "400 prisoners" in e.quote)
    assert (monday.date, monday.date_basis, monday.date_text) == ("2026-01-12", "resolved", "Monday")
    deal = next(e for e in (*found.entries, *found.undated) if "in a deal" in e.quote)
    assert deal in found.undated and deal.date is None  # an undated document: no date guessed
    result = CliRunner().invoke(app, ["timeline", "prisoners", "freed", "--json", "--corpus", str(corpus), "--index", str(index),
                                      "--min-score", "0"])
    data = json.loads(result.stdout)
    assert set(data) == {"question", "entries", "undated"}
    assert set(data["entries"][0]) == {"date", "date_end", "date_basis", "date_text", "quote", "citation"}
    assert {"doc_id", "path", "file", "start", "end", "line", "title", "publisher", "date"} <= set(data["entries"][0]["citation"])
    for e in data["entries"]:
        assert (corpus / e["citation"]["path"]).read_text(encoding="utf-8")[e["citation"]["start"]:e["citation"]["end"]] == e["quote"]


@pytest.fixture
def crowded(tmp_path, fake_encoder, accept_all):
    """Sentences where a figure stands beside words that do not make it an answer."""
    corpus = tmp_path / "corpus"
    write(corpus, "d.txt", " date 2026-01-16 Counting the freed\n\nBy Cy Dee, Morning Post\n\n"
                           "The reporter notes the slow pace, with Foro Penal confirming only 56 political prisoners freed "
                           "compared to the government's claim of 400.\n\n"
                           "Rights groups estimate 900 political prisoners remain behind bars.\n\n"
                           "Two Americans were freed on Tuesday, officials said.\n\n"
                           "CARACAS - JANUARY 5: Families of the freed Americans wait at the airport.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    return api.open_index(tmp_path / "index")


def test_two_sources_in_one_sentence_are_each_credited_with_their_own_figure(crowded):
    answer = api.ask(crowded, "How many political prisoners were freed?", min_score=0.0)
    by_value = {c.value: c.attributed_to for c in answer.claims}
    assert by_value.get("only 56") == "Foro Penal" and by_value.get("400") == "the government"


def test_a_day_of_the_month_is_no_figure(crowded):
    answer = api.ask(crowded, "How many Americans were freed?", min_score=0.0)
    values = [c.value for c in answer.claims]
    assert "Two" in values and "5" not in values  # "JANUARY 5:" is a date the recogniser missed, not a count


TRAPS = [  # (sentence, figure, who must not be credited with it)
    ("The navy did not say that 444 sailors were rescued.", "444", "navy"),
    ("Rumours that the mayor said 15 sailors were rescued were false.", "15", "mayor"),
    ("According to nobody, 555 sailors were rescued.", "555", "nobody"),
    ("The ministry denied that 300 sailors were rescued.", "300", "ministry"),
    ("No official said that 20 sailors were rescued.", "20", "official"),
    ("Reports that 700 sailors were rescued were untrue.", "700", ""),
    ("The coast guard never claimed that 90 sailors were rescued.", "90", "coast guard"),
]


@pytest.fixture
def traps(tmp_path, fake_encoder, accept_all):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", " date 2026-03-02 Ferry sinks\n\n" + "\n\n".join(s for s, _, _ in TRAPS)
          + "\n\nThe harbour master said that 61 sailors were rescued.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    return api.open_index(tmp_path / "index")


def test_a_figure_denied_never_said_or_said_by_no_one_is_credited_to_no_one(traps):
    answer = api.ask(traps, "How many sailors were rescued?", top_k=10, min_score=0.0)
    rows = {c.value: c.attributed_to for c in answer.claims}
    assert rows.get("61") == "The harbour master"  # the one figure someone gives stays
    for _sentence, figure, _who in TRAPS:
        assert figure not in rows, f"{figure} is shown as {rows.get(figure)!r}'s"


def test_one_time_written_two_ways_is_one_value(tmp_path, fake_encoder, accept_all):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", " date 2026-03-02 Quake\n\nThe earthquake struck at 4:17 a.m., officials said.\n")
    write(corpus, "b.txt", " date 2026-03-02 Quake\n\nThe earthquake struck at 04:17, officials said.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    answer = api.ask(api.open_index(tmp_path / "index"), "What time did the earthquake strike?", top_k=5, min_score=0.0)
    times = [c for c in answer.claims if c.kind == "date"]
    assert len(times) == 1 and {s.citation.path for s in times[0].sources} == {"a.txt", "b.txt"}


def test_a_year_after_since_is_no_date_of_the_event(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", " date 2023-02-06 Quake\n\nThe earthquake was the deadliest in the region since 1999, officials said.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    found = api.timeline(api.open_index(tmp_path / "index"), "deadliest earthquake", min_score=0.0)
    [entry] = [e for e in (*found.entries, *found.undated) if "since 1999" in e.quote]
    assert (entry.date, entry.date_basis) == ("2023-02-06", "published")  # the paper's date, not 1999-01-01


def test_a_duration_and_its_number_in_one_sentence_are_one_value(tmp_path, fake_encoder, accept_all):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", " date 2026-03-02 Quake\n\nThe shaking lasted two minutes, residents said.\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    answer = api.ask(api.open_index(tmp_path / "index"), "How long did the shaking last?", top_k=5, min_score=0.0)
    assert len(answer.claims) == 1 and answer.agreement == "single"  # not "two minutes" against "two"
    assert answer.claims[0].value in ("two minutes", "two")
