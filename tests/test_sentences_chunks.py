"""Sentence spans, chunks and quotes are always exact slices of the document text.

Texts are generated with the awkward parts of real copy (\\r\\n, curly quotes,
abbreviations, captions, appeals, unbroken runs of characters) and then read
back through the corpus reader, so the invariants hold for the text the index
actually stores.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qa import api
from qa.ingest.boilerplate import BODY, BOILERPLATE, classify, split_credits
from qa.ingest.chunking import ChunkParams, chunk_document
from qa.ingest.documents import LoadedDocument, doc_id_for, read_document
from qa.ingest.sentences import line_of, split_sentences
from tests.fakes import FakeEncoder

WORDS = ["prisoners", "Venezuela", "released", "Caracas", "envoy", "ministry", "families", "vigil", "oil", "court"]

_FIXED = [
    "Mr. Smith", "U.S.", "Jan. 5", "a.m.", "J. Doe", "Dr.", "No. 5", "etc.", "St. Louis",
    "“Yes,” she said.", "He said: \"Go!\"", "(See above.)", "'quoted'", "‘single’", "...", "?!",
    " date 2026-01-14 ", "date 2025-02-01\n", "Your support helps us. ", "MORE STORIES\n", "5 minutes ago\n",
    "A vigil outside the prison (Carlos Becerra/Getty Images)\n", "By Jane Doe, CNN\n", "Published 3 hours ago\n",
    "Updated: 01 FEB 25 00:09 ET\n", "- \n", "Ünïcödé Ñandú café 中文 🙂 ",
]
_SPACES = [" ", "  ", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\t", ". ", "! ", "? ", ".\n", "\u00a0", "\u2028", "\x0c"]

piece = st.one_of(
    st.sampled_from(_FIXED),
    st.sampled_from(_SPACES),
    st.sampled_from(WORDS).map(lambda w: w + " "),
    st.text(alphabet="abcdefgHIJKLMéñ0123456789", min_size=1, max_size=12),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
    st.integers(min_value=50, max_value=1500).map(lambda n: "x" * n),  # a long "sentence" with no space
)
texts = st.lists(piece, max_size=50).map("".join)
params = st.integers(min_value=1, max_value=5).flatmap(
    lambda n: st.builds(ChunkParams, max_chars=st.integers(min_value=10, max_value=600),
                        max_sentences=st.just(n), overlap=st.integers(min_value=0, max_value=n - 1))
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("docs")


def read_back(folder, raw: str, name: str = "doc.txt") -> str | None:
    """The text as the corpus reader gives it (None when the reader skips the file)."""
    path = folder / name
    path.write_bytes(raw.encode("utf-8"))
    loaded = read_document(path, folder)
    return loaded.text if isinstance(loaded, LoadedDocument) else None


def check_spans(text: str, spans) -> None:
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous_end = end


def run_of(spans, kinds) -> dict[tuple[int, int], int]:
    """Run number of each non-boilerplate sentence (runs are cut by boilerplate)."""
    runs, run, last_boiler = {}, 0, False
    for span, kind in zip(spans, kinds):
        if kind == BOILERPLATE:
            last_boiler = True
            continue
        if last_boiler and runs:
            run += 1
        last_boiler = False
        runs[span] = run
    return runs


@settings(max_examples=300, deadline=None)
@given(raw=texts)
def test_sentence_spans_are_trimmed_ordered_slices_that_cover_every_character(scratch, raw):
    text = read_back(scratch, raw)
    assume(text is not None)
    assert "\r" not in text
    spans = split_sentences(text)
    check_spans(text, spans)
    covered = set(itertools.chain.from_iterable(range(s, e) for s, e in spans))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    for start, end in spans:
        assert not re.search(r"\n[^\S\n]*\n", text[start:end])  # a blank line always ends a sentence
        assert 1 <= line_of(text, start) == text[:start].count("\n") + 1


@settings(max_examples=300, deadline=None)
@given(raw=texts, params=params)
def test_chunks_are_exact_bounded_overlapping_slices_without_boilerplate(scratch, raw, params):
    text = read_back(scratch, raw)
    assume(text is not None)
    spans = split_sentences(text)
    kinds = classify(text, spans)
    assert len(kinds) == len(spans)
    chunks = chunk_document("d1", text, spans, kinds, params)
    runs = run_of(spans, kinds)
    boiler = [span for span, kind in zip(spans, kinds) if kind == BOILERPLATE]

    def sentence_of(unit):
        return next(span for span in runs if span[0] <= unit[0] and unit[1] <= span[1])

    for chunk in chunks:
        assert chunk.doc_id == "d1"
        assert chunk.text == text[chunk.start:chunk.end]
        assert 0 < len(chunk.text) <= params.max_chars
        assert 1 <= len(chunk.sentences) <= params.max_sentences
        assert (chunk.start, chunk.end) == (chunk.sentences[0][0], chunk.sentences[-1][1])
        check_spans(text, chunk.sentences)
        assert len({runs[sentence_of(unit)] for unit in chunk.sentences}) == 1  # never spans boilerplate
        assert not any(s < chunk.end and chunk.start < e for s, e in boiler)

    for a, b in zip(chunks, chunks[1:]):
        assert a.start <= b.start
        new = [unit for unit in b.sentences if unit not in a.sentences]
        assert new, "a chunk lies inside the previous one"
        if runs[sentence_of(a.sentences[0])] == runs[sentence_of(b.sentences[0])]:
            # b repeats the last `overlap` units of a, fewer only when a has no more or they would not fit
            shared = b.sentences.index(new[0])
            assert b.sentences[:shared] == a.sentences[len(a.sentences) - shared:]
            wanted = min(params.overlap, len(a.sentences) - 1)
            assert shared <= wanted
            if shared < wanted:
                assert new[0][1] - a.sentences[-shared - 1][0] > params.max_chars or shared + 1 >= params.max_sentences

    # nothing said in the body is lost: every non-space character of a non-boilerplate sentence is in a chunk
    in_chunks = set(itertools.chain.from_iterable(range(c.start, c.end) for c in chunks))
    for start, end in runs:
        assert all(i in in_chunks for i in range(start, end) if not text[i].isspace())


def test_crlf_and_lone_cr_are_read_as_line_breaks(scratch):
    text = read_back(scratch, "First line here.\r\nSecond line here.\rThird one. Fourth one.")
    assert text == "First line here.\nSecond line here.\nThird one. Fourth one."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "First line here.", "Second line here.", "Third one.", "Fourth one."]


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Dr. Jones in St. Louis. They talked.", ["Mr. Smith met Dr. Jones in St. Louis.", "They talked."]),
    ("The U.S. envoy left at 9 a.m. Friday. He flew home.", ["The U.S. envoy left at 9 a.m. Friday.", "He flew home."]),
    ("“We are free,” she said. “Thank you.” Then she left.", ["“We are free,” she said.", "“Thank you.”", "Then she left."]),
    ("Is it over? Yes! It is 5 p.m. now.", ["Is it over?", "Yes!", "It is 5 p.m. now."]),
    (" date 2026-01-14 Venezuela freed them. It was late.", ["date 2026-01-14", "Venezuela freed them.", "It was late."]),
    ("A headline\n\n  An indented paragraph.  \n", ["A headline", "An indented paragraph."]),
])
def test_sentence_boundaries_respect_abbreviations_quotes_and_lines(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_a_long_sentence_is_cut_into_trimmed_pieces_within_max_chars():
    text = "Words  \t  " * 40 + "end."
    text = text.strip()
    spans = split_sentences(text)
    chunks = chunk_document("d", text, spans, [BODY] * len(spans), ChunkParams(max_chars=25, max_sentences=2, overlap=1))
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk.text) <= 25 and chunk.text == chunk.text.strip() == text[chunk.start:chunk.end]


# The quote invariant, end to end over generated documents with the fake encoder.

ANCHOR = "Venezuela freed the prisoners at dawn today."
body = st.lists(st.sampled_from(WORDS), min_size=3, max_size=9).map(lambda ws: " ".join(ws).capitalize() + ".")
documents = st.lists(
    # every document opens with one answerable sentence, which no boilerplate rule can take away
    st.lists(st.one_of(body, piece), min_size=1, max_size=25).map("".join).map(lambda t: ANCHOR + "\n" + t),
    min_size=1, max_size=4,
)
questions = st.lists(st.sampled_from(WORDS + ["how many", "who", "when", "where"]), min_size=1, max_size=4).map(lambda ws: " ".join(ws) + "?")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=documents, asked=st.lists(questions, min_size=1, max_size=3))
def test_every_quote_and_also_in_span_is_the_document_text(tmp_path_factory, fake_encoder, docs, asked):
    corpus = tmp_path_factory.mktemp("corpus")
    for n, raw in enumerate(docs):
        (corpus / f"doc{n}.txt").write_bytes(raw.encode("utf-8"))
    index = corpus.parent / (corpus.name + "-index")
    api.build(corpus, index, model=FakeEncoder.name)
    loaded = api.open_index(index, model=FakeEncoder.name)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in corpus.iterdir()}
    answerable, all_spans = {}, {}  # every sentence that is not boilerplate; every sentence
    for name, text in on_disk.items():
        spans = all_spans[name] = split_credits(text, split_sentences(text))  # as the build cuts them
        answerable[name] = {span for span, kind in zip(spans, classify(text, spans)) if kind != BOILERPLATE}

    for question in asked:
        answer = api.ask(loaded, question, top_k=5, min_score=0.0)
        assert answer.answered and 1 <= len(answer.extracts) <= 5
        assert [e.rank for e in answer.extracts] == list(range(1, len(answer.extracts) + 1))
        for e in answer.extracts:
            text = on_disk[e.citation.path]
            assert e.citation.doc_id == doc_id_for(e.citation.path)
            assert e.quote == text[e.citation.start:e.citation.end]
            assert 0 <= e.highlight.start < e.highlight.end <= len(e.quote)
            best = (e.citation.start + e.highlight.start, e.citation.start + e.highlight.end)
            assert best in answerable[e.citation.path]  # the highlight is one whole sentence, never boilerplate
            inside = sorted(span for span in all_spans[e.citation.path] if span[0] < e.citation.end and e.citation.start < span[1])
            assert (inside[0][0], inside[-1][1]) == (e.citation.start, e.citation.end)  # the quote is whole sentences
            assert set(inside) <= answerable[e.citation.path]  # and none of them is boilerplate
            assert e.citation.line == text.count("\n", 0, e.citation.start) + 1
            assert 0.0 <= e.score <= 1.0
            for src in e.also_in:
                assert src.citation.doc_id == doc_id_for(src.citation.path) != e.citation.doc_id
                other = on_disk[src.citation.path]
                assert (src.citation.start, src.citation.end) in answerable[src.citation.path]
                assert other[src.citation.start:src.citation.end].strip() == other[src.citation.start:src.citation.end] != ""
                assert src.citation.line == other.count("\n", 0, src.citation.start) + 1


def test_a_sentence_repeated_in_another_document_is_listed_in_also_in(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shared = "Foro Penal confirmed that 56 political prisoners had been freed by Tuesday evening."
    (corpus / "a.txt").write_text(f"The releases began on Monday night in Caracas.\n{shared}\n", encoding="utf-8")
    (corpus / "b.md").write_text(f"Families waited outside the Helicoide prison all week long.\r\n\r\n{shared}\r\n", encoding="utf-8")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    answer = api.ask(api.open_index(tmp_path / "index"), "How many political prisoners did Foro Penal confirm freed?", min_score=0.0)
    top = answer.extracts[0]
    assert top.quote.endswith(shared) and top.quote[top.highlight.start:top.highlight.end] == shared
    [other] = top.also_in
    assert other.citation.path == ({"a.txt", "b.md"} - {top.citation.path}).pop()
    text = (corpus / other.citation.path).read_text(encoding="utf-8")
    assert text[other.citation.start:other.citation.end] == shared
    assert other.citation.line == (3 if other.citation.path == "b.md" else 2)
