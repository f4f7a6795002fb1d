"""Properties every reader keeps, whatever the input: spans lie inside the text they index."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.ingest.readers import ReadResult, Unreadable, normalise, read
from qa.ingest.readers.base import newlines
from qa.ingest.readers.pdf import running_heads
from scripts.make_documents import eml_reply, news_page

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
prose = st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc")),
                         min_size=1, max_size=120), min_size=1, max_size=8)


def spans_inside(result: ReadResult) -> None:
    n = len(result.text)
    for a, b in (*result.noise, *result.quoted):
        assert 0 <= a <= b <= n
    starts = [p.start for p in result.pages]
    assert starts == sorted(starts) and all(0 <= s <= n for s in starts)
    assert "\r" not in result.text


@given(words.filter(lambda s: "\x00" not in s))
def test_utf8_text_is_the_input_with_only_line_endings_changed(text):
    result = read(text.encode("utf-8"), "a.txt")
    assert result.text == newlines(text) == text.replace("\r\n", "\n").replace("\r", "\n")
    spans_inside(result)


@given(st.binary(max_size=600))
def test_any_bytes_as_text_are_read_or_refused_with_a_reason(data):
    try:
        result = read(data, "a.txt")
    except Unreadable as exc:
        assert exc.reason and "\n" not in exc.reason
    else:
        spans_inside(result)


@given(words)
def test_normalise_is_idempotent_and_leaves_one_kind_of_line_break(text):
    once = normalise(text)
    assert normalise(once) == once and "\r" not in once and "\u00ad" not in once


@SLOW
@given(prose, st.integers(0, 50))
def test_html_pages_of_any_words_read_with_spans_inside(paragraphs, seed):
    result = read(news_page(seed, paragraphs=paragraphs, title=paragraphs[0][:60] or "x"), "p.html")
    spans_inside(result)


@SLOW
@given(st.lists(st.tuples(st.booleans(), st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF,
                                                             blacklist_categories=("Cs", "Cc")), max_size=80)),
                min_size=1, max_size=12))
def test_email_quoted_spans_cover_exactly_the_chevron_lines(lines):
    body = "\n".join(("> " if quoted else "") + text.lstrip(">- ") for quoted, text in lines) + "\n"
    result = read(eml_reply(plain=body), "m.eml")
    spans_inside(result)
    covered = "".join(result.text[a:b] + "\n" for a, b in result.quoted)
    chevron_lines = [line for line in result.text.split("\n") if line.lstrip().startswith(">")]
    assert [line for line in covered.split("\n") if line.lstrip().startswith(">")] == chevron_lines


@SLOW
@given(st.lists(st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40), max_size=8),
                min_size=1, max_size=8))
def test_running_heads_are_whole_lines_inside_the_text(pages):
    texts = ["\n".join(lines) for lines in pages]
    starts = [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
    joined = "\f".join(texts)
    for a, b in running_heads(texts, starts):
        assert 0 <= a < b <= len(joined)
        assert a == 0 or joined[a - 1] in "\n\f"
        assert b == len(joined) or joined[b] in "\n\f"


def test_html_text_is_what_the_page_shows_even_when_it_shows_markup():
    shown = "&lt;b&gt; is how a page writes a bold tag, and &amp; an ampersand, in its own words. " * 2
    page = news_page(1, paragraphs=[shown, "<b>not a tag</b> & words that go on long enough to be kept " * 3])
    text = read(page, "p.html").text
    assert shown.strip() in text and "<b>not a tag</b> & words" in text
