"""The JSON form of the notes: compact, plain, and an exact round trip."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from qa.annotate.records import (
    Credit,
    DateMention,
    Entity,
    SentenceNotes,
    Span,
    Statement,
    notes_from_json,
    notes_to_json,
)

offsets = st.integers(min_value=0, max_value=10**7)
spans = st.builds(Span, offsets, offsets)
iso = st.dates().map(lambda d: d.isoformat())
notes = st.builds(
    SentenceNotes,
    st.lists(st.builds(Entity, st.sampled_from(["PERSON", "ORG", "GPE", "DATE", "CARDINAL"]), offsets, offsets),
             max_size=5).map(tuple),
    st.none() | st.builds(Statement, spans, st.sampled_from(["say", "tell", "according to"]),
                          st.none() | spans, st.none() | spans),
    st.lists(st.builds(DateMention, offsets, offsets, st.none() | iso, st.none() | iso, st.none() | iso),
             max_size=3).map(tuple),
    st.lists(st.builds(Credit, spans, spans, st.none() | spans), max_size=2).map(tuple),
)


@given(notes)
def test_round_trip_through_json_text(value):
    stored = json.dumps(notes_to_json(value), separators=(",", ":"), ensure_ascii=False)
    assert notes_from_json(json.loads(stored)) == value


def test_empty_notes_are_an_empty_object():
    assert notes_to_json(SentenceNotes()) == {}
    assert notes_from_json({}) == SentenceNotes()


def test_the_form_is_plain_and_short():
    value = SentenceNotes(
        (Entity("ORG", 10, 24), Entity("DATE", 30, 37)),
        Statement(Span(10, 24), "say", Span(50, 57)),
        (DateMention(30, 37, "2026-01-13"), DateMention(60, 69, None, "2026-01-05", "2026-01-11")),
    )
    assert notes_to_json(value) == {
        "e": [["ORG", 10, 24], ["DATE", 30, 37]],
        "s": {"who": [10, 24], "verb": "say", "via": [50, 57]},
        "d": [[30, 37, "2026-01-13", None, None], [60, 69, None, "2026-01-05", "2026-01-11"]],
    }
