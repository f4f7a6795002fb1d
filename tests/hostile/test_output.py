"""Output that could be forged or flooded: control characters in every displayed field, sentences,
quotes and questions of bounded length."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa import api
from qa.citation import also_in_line, citation, claim_lines, location, quote_parts, source_line, visible
from qa.cli import _render
from qa.errors import QAError
from qa.ingest import sentences
from qa.ingest.sentences import split_sentences
from qa.records import Answer, Citation, Extract, Highlight, Source
from tests.hostile.conftest import FAKE, HARBOUR, HARBOUR_TEXT, no_traceback, qa, where

FORGED = ("x.txt:1   score 0.12\n\n2. “The Venezuelan government confirmed that all 900 political prisoners were freed on "
          "Monday.”\n   — Official Gazette · … · gazette.txt:4   score 0.97\n\n.txt")
# what a terminal or a chat card could obey: C0, C1, DEL, line separators, bidirectional controls
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
nasty = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60) | st.sampled_from(
    ["\n", "\n\n2. “forged”\n   — Official Gazette · gazette.txt:4   score 0.97\n", "\x1b[2J\x1b[H", "\u202eevil", "\r", "\t",
     "\x85", "\u2028", "\x9b31m", FORGED])


def extract(quote: str, path: str, title: str | None, publisher: str | None, label: str | None, also: list[Source]) -> Extract:
    quote = quote or "q"
    cited = Citation("d1", path, None, title, publisher, None, "2026-01-01", None, 0, len(quote), 1, 2 if label else None, label)
    return Extract(rank=1, quote=quote, highlight=Highlight(0, len(quote)), score=0.5, kind="body", citation=cited,
                   also_in=tuple(also))


sources = st.builds(lambda path, title, publisher: Source("q", "body", Citation("d2", path or "p", None, title, publisher,
                                                                                 None, None, None, 0, 1, 1)),
                    nasty, st.none() | nasty, st.none() | nasty)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quote=nasty, path=nasty, title=st.none() | nasty, publisher=st.none() | nasty, label=st.none() | nasty,
       also=st.lists(sources, max_size=2))
def test_no_field_can_print_a_control_character_or_an_extra_line(quote, path, title, publisher, label, also):
    e = extract(quote, path or "p", title, publisher, label, also)
    for part in (*quote_parts(e), source_line(e.citation), location(e.citation), *map(also_in_line, also), visible(path)):
        assert not CONTROL.search(part), part
    assert citation(e).count("\n") == 1  # quote line, source line
    for color in (False, True):
        shown = _render(Answer("q", True, (e,)), color)
        lines = shown.split("\n")
        assert len(lines) == 3 + len(also)  # "1. “…”", "   — …", one per also_in, and the blank line
        assert lines[0].startswith("1. “") and lines[1].startswith("   — ")
        assert all(line.startswith("   also in: ") for line in lines[2:-1])
        assert not CONTROL.search(shown.replace("\n", "").replace("\x1b[1;33m", "").replace("\x1b[0m", ""))


def test_a_file_name_with_newlines_cannot_forge_an_extract(seed_corpus, tmp_path, fake_encoder):
    (seed_corpus / FORGED).write_text(HARBOUR_TEXT, encoding="utf-8")
    index = tmp_path / "index"
    built = qa("index", "build", *where(seed_corpus, index), *FAKE)
    assert built.exit_code == 0, built.stderr
    asked = qa("ask", HARBOUR, "--min-score", "0", "-k", "5", *where(seed_corpus, index))
    assert asked.exit_code == 0, asked.stderr
    answer = api.ask(api.open_index(index), HARBOUR, top_k=5, min_score=0.0)
    assert any(e.citation.path == FORGED for e in answer.extracts)
    lines = asked.stdout.splitlines()
    table = claim_lines(answer.claims, answer.agreement)  # who says what, then a blank line
    assert len(lines) == len(table) + bool(table) + sum(3 + len(e.also_in) for e in answer.extracts)
    assert [line for line in lines if re.match(r"\d+\. “", line)] == [line for line in lines if line[:1].isdigit()]
    assert len([line for line in lines if line.startswith("   — ")]) == len(answer.extracts)
    assert "x.txt:1   score 0.12\\n\\n2. “The Venezuelan" in asked.stdout
    assert not any(line.startswith("2. “The Venezuelan government") for line in lines)
    (seed_corpus / FORGED).write_text(HARBOUR_TEXT + "Changed.\n", encoding="utf-8")  # status names it as changed
    for args in (["docs"], ["index", "status"], ["ask", "boats", "--json"]):
        shown = qa(*args, *where(seed_corpus, index))
        assert not any(line.startswith("2. “") for line in shown.stderr.splitlines())
        if args[0] == "ask":
            continue
        assert shown.exit_code == 0 and "\\n\\n2. “The Venezuelan" in shown.stdout
        assert not any(line.startswith("2. “") for line in shown.stdout.splitlines())


def test_titles_and_publishers_from_sources_csv_are_escaped(seed_corpus, tmp_path, fake_encoder):
    (seed_corpus / "harbour.txt").write_text(HARBOUR_TEXT, encoding="utf-8")
    (seed_corpus / "sources.csv").write_text('path,title,publisher\nharbour.txt,"Count\n\n2. “forged”","Gazette\t\x1b[31m"\n',
                                             encoding="utf-8")
    index = tmp_path / "index"
    assert qa("index", "build", *where(seed_corpus, index), *FAKE).exit_code == 0
    asked = qa("ask", HARBOUR, "--min-score", "0", "-k", "1", *where(seed_corpus, index))
    assert "Count\\n\\n2. “forged” · Gazette\\t\\x1b[31m" in asked.stdout
    assert not any(line.startswith("2. “forged") for line in asked.stdout.splitlines())


def test_error_messages_escape_what_they_name(tmp_path):
    corpus = tmp_path / "no\nsuch\x1b[2J"
    result = qa("index", "build", "--corpus", corpus, "--index", tmp_path / "i", *FAKE)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no\\nsuch\\x1b[2J" in result.stderr
    assert str(QAError("a\nb", hint="c\x1bd")) == "a\\nb\nc\\x1bd"


# sentences and quotes of bounded length

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["word", " ", "  ", "\n", ".", "Dr.", " The", "x" * 700, "y" * 1500, "\t", "“Yes.”", "U.S."]),
                max_size=40).map("".join))
def test_no_sentence_is_longer_than_the_limit_and_none_is_lost(text):
    spans = split_sentences(text)
    assert all(0 < e - s <= sentences.MAX_CHARS for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # in order, not overlapping
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
    covered = "".join(text[s:e] for s, e in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)  # only white space is left out


def test_a_huge_line_without_punctuation_is_cut_at_white_space():
    text = " ".join(f"w{i % 997}" for i in range(300_000))  # about 1.6 MB, one line, no sentence end
    began = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - began < 2
    assert max(e - s for s, e in spans) <= sentences.MAX_CHARS
    assert all(text[e] == " " for s, e in spans[:-1])  # cut at white space, never inside a word
    assert split_sentences("x" * 2500) == [(0, 1000), (1000, 2000), (2000, 2500)]  # no white space: cut hard


def test_a_one_line_megabyte_document_gives_bounded_quotes_everywhere(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "log.txt").write_text(" ".join(f"harbour{i % 500} boats{i % 7}" for i in range(60_000)), encoding="utf-8")
    (corpus / "harbour.txt").write_text(HARBOUR_TEXT, encoding="utf-8")
    index = tmp_path / "index"
    assert qa("index", "build", *where(corpus, index), *FAKE).exit_code == 0
    loaded = api.open_index(index)
    assert max(e - s for spans in loaded.sentence_spans for s, e, _ in spans) <= sentences.MAX_CHARS
    began = time.perf_counter()
    answer = api.ask(loaded, "harbour12 boats5 harbour13", top_k=3, min_score=0.0)
    assert time.perf_counter() - began < 5
    assert answer.extracts and all(len(e.quote) <= 3 * sentences.MAX_CHARS + 10 for e in answer.extracts)
    shown = qa("ask", "harbour12 boats5 harbour13", "--min-score", "0", *where(corpus, index))
    assert shown.exit_code == 0 and max(map(len, shown.stdout.splitlines())) < 4 * sentences.MAX_CHARS


def test_a_quote_from_an_old_index_is_shown_shortened():
    quote = "w " * 3_000_000
    parts = quote_parts(extract(quote, "p", None, None, None, []))
    assert sum(map(len, parts)) < 6_000 and "characters not shown" in parts[1]


# questions of bounded length

def test_a_question_over_the_limit_is_a_usage_error_naming_the_limit(small_built):
    corpus, index = small_built
    result = qa("ask", "boats " * 999 + "boats?", *where(corpus, index))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "error: the question is 6,000 characters long; a question can be at most 2,000 characters\n"
    loaded = api.open_index(index)
    began = time.perf_counter()
    with pytest.raises(QAError, match="at most 2,000 characters"):
        api.ask(loaded, "x" * 10_000_000)
    assert time.perf_counter() - began < 1


def test_a_ten_megabyte_line_on_stdin_is_skipped_and_the_batch_goes_on(small_built):
    corpus, index = small_built
    began = time.perf_counter()
    result = qa("ask", "-", "--json", *where(corpus, index), input=b"boats " * 2_000_000 + b"\n" + HARBOUR.encode() + b"\n")
    assert time.perf_counter() - began < 10
    no_traceback(result.stderr)
    assert result.exit_code == 2
    assert "error: stdin line 1 is longer than 2,000 characters" in result.stderr
    assert [line for line in result.stdout.splitlines() if line] and HARBOUR in result.stdout


def test_a_one_line_document_is_annotated_and_embedded_a_bounded_sentence_at_a_time(tmp_path, fake_encoder, monkeypatch):
    """A one-line document without punctuation (240 KB here; the 2.4 MB one of issue 23 behaves alike,
    ten times slower): no stage is handed more than one sentence of at most MAX_CHARS at a time, so its
    memory and time grow with its length, not with its square."""
    from qa.annotate import pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dump.txt").write_text(" ".join(f"w{i % 99991}" for i in range(40_000)), encoding="utf-8")
    (corpus / "harbour.txt").write_text(HARBOUR_TEXT, encoding="utf-8")
    read, encoded = [], []
    real_read, real_encode = pipeline._read, fake_encoder.encode
    monkeypatch.setattr(pipeline, "_read", lambda texts, *rest: read.extend(map(len, texts)) or real_read(texts, *rest))
    monkeypatch.setattr(fake_encoder, "encode", lambda texts, progress=None: encoded.extend(map(len, texts))
                        or real_encode(texts, progress))
    result = qa("index", "build", *where(corpus, index := tmp_path / "index"), *FAKE)
    assert result.exit_code == 0, result.stderr
    assert len(read) > 220 and max(read) <= sentences.MAX_CHARS and max(encoded) <= sentences.MAX_CHARS
    assert api.ask(api.open_index(index), HARBOUR).extracts
