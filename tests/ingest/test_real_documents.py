"""Real documents read as their authors wrote them (tests/data/real, see LICENSES.md there): hard-wrapped
text, Markdown, web pages with lists, tables and code, a PDF whose running heads alternate sides,
e-mails. Every quoted sentence is a whole sentence, no sentence spans two blocks, the cited line of
the original file holds the sentence's first words, running heads are gone and no body sentence is."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from qa.ingest.boilerplate import answerable, classify, split_credits
from qa.ingest.documents import read_document
from qa.ingest.readers import read
from qa.ingest.sentences import split_sentences
from scripts.make_documents import sentence

REAL = Path(__file__).resolve().parent.parent / "data" / "real"

# Sentences read in the original files, white space as one space: each must be one quotable span.
EXPECTED = {
    "venv.rst.txt": [
        "Python applications will often use packages and modules that don't come as part of the standard library.",
        "To create a virtual environment, decide upon a directory where you want to place it, and run the :mod:`venv` "
        "module as a script with the directory path::",
        "Once you've created a virtual environment, you may activate it.",
    ],
    "debian-reference-README.md": [
        "This Debian Reference (v2) is intended to provide a broad overview of the Debian system as a "
        "post-installation user's guide.",
        "For bug report, please use the `reportbug` command against the `debian-reference` source package.",
    ],
    "tutorial-venv.html": [
        "To create a virtual environment, decide upon a directory where you want to place it, and run the venv module "
        "as a script with the directory path:",
        "To deactivate a virtual environment, type:",
        "python3 -m venv tutorial-env",
    ],
    "fnmatch.html": [
        "The special characters used in shell-style wildcards are:",
        "matches any character not in seq",
        "Construct a list from those elements of the iterable names that match pattern.",
    ],
    "gnuplot-pages-31-33.pdf": [
        "If no load files and no command strings are specified, gnuplot accepts interactive input from stdin.",
        "-s tells the program to wait for slow font initialization on startup.",
        'This documentation uses the term "canvas" to mean the full drawing area available for positioning the plot '
        "and associated elements like labels, titles, key, etc.",
    ],
    "msg_02.eml": ['When replying, please edit your Subject line so it is more specific than "Re: Contents of Ppp digest..."'],
    "msg_07.eml": ["This is the dingus fish."],
}
_ENDS = ".!?:;)\"”’'"
_ITEM = re.compile(r"[ \t]*\n[ \t]*(?:(?:[-*+•]|\d{1,3}[.)])[ \t]|[A-Z][\w-]{0,30}:(?=\s))")  # a list item, a "From: " line


def spans_of(name: str):
    loaded = read_document(REAL / name, REAL)
    text, layout = loaded.text, loaded.layout
    spans = split_credits(text, split_sentences(text, layout))
    kinds = classify(text, spans, loaded.noise, loaded.quoted, layout)
    return loaded, list(zip(spans, kinds))


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sentence_read_in_the_file_is_one_quotable_span(name):
    loaded, spans = spans_of(name)
    quotable = {squash(loaded.text[s:e]) for (s, e), kind in spans if answerable(kind)}
    for wanted in EXPECTED[name]:
        assert wanted in quotable


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_quotes_start_and_end_at_sentence_bounds_and_hold_one_block(name):
    loaded, spans = spans_of(name)
    text, code = loaded.text, loaded.layout.blocks
    for n, ((s, e), kind) in enumerate(spans):
        if not answerable(kind) or any(a <= s < b for a, b in code):
            continue
        before, after = text[:s].rstrip(" \t"), text[e:]
        prev_kind = spans[n - 1][1] if n else None
        next_kind = spans[n + 1][1] if n + 1 < len(spans) else None
        after_block = n > 0 and any(a <= spans[n - 1][0][0] < b for a, b in code)
        opens = (not before.strip() or (before[-1] in "\n\f" and (before.endswith(("\n\n", "\f")) or not answerable(prev_kind) or after_block))
                 or before.rstrip()[-1] in _ENDS or _ITEM.match("\n" + text[s:]) is not None)
        closes = (text[e - 1] in _ENDS or not after.strip() or re.match(r"[ \t]*(\n[ \t]*\n|\f)", after) is not None
                  or not answerable(next_kind) or _ITEM.match(after) is not None)  # the next list item
        assert opens and closes, repr(text[s:e])
        assert not re.search(r"\n[ \t]*\n|\f", text[s:e]), repr(text[s:e])  # a blank line or a page ends every block


def _words_on(line: str) -> str:
    return squash(html.unescape(re.sub(r"<[^>]*>", "", line)))


@pytest.mark.parametrize("name", [n for n in sorted(EXPECTED) if not n.endswith(".pdf")])
def test_the_cited_line_of_the_file_holds_the_sentences_first_words(name):
    loaded, spans = spans_of(name)
    lines = (REAL / name).read_bytes().decode("utf-8", errors="replace").split("\n")
    body = [(s, e) for (s, e), kind in spans if answerable(kind)]
    cited = [(s, e, loaded.document.line_at(loaded.text, s)) for s, e in body]
    assert sum(line is not None for *_, line in cited) >= 0.8 * len(cited)  # not the lines a reader writes itself
    for s, e, line in cited:
        if line is not None:
            first = re.sub(r"\W+$", "", loaded.text[s:e].split()[0])[:8]
            assert first in _words_on(lines[line - 1]) or first in lines[line - 1], (loaded.text[s:e], line)


def test_alternating_running_heads_are_gone_and_every_body_sentence_stays():
    loaded, spans = spans_of("gnuplot-pages-31-33.pdf")
    heads = [loaded.text[a:b] for a, b in loaded.noise]
    assert heads == ["gnuplot 5.4 31", "32 gnuplot 5.4", "gnuplot 5.4 33"]
    quotable = [loaded.text[s:e] for (s, e), kind in spans if answerable(kind)]
    assert not any("gnuplot 5.4" in q for q in quotable)
    assert [p.number for p in loaded.document.pages] == [1, 2, 3] and loaded.document.line_at(loaded.text, 0) is None


def _book(pages: list[tuple[str, list[str]]]) -> bytes:
    """A PDF whose pages carry (running head, paragraphs)."""
    from fpdf import FPDF

    pdf = FPDF()
    for head, paragraphs in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=9)
        pdf.cell(0, 8, head, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, "\n\n".join(paragraphs))
    return bytes(pdf.output())


def test_heads_that_alternate_sides_or_change_by_chapter_are_noise_and_a_repeated_body_sentence_is_not():
    import random

    rng = random.Random(7)
    pages = []
    for number in range(1, 13):
        chapter = "CHAPTER 1. LIMITS" if number <= 6 else "CHAPTER 2. CALCULUS"
        head = f"{chapter} {number}" if number % 2 else f"{number} Field Guide 2.0"
        body = [" ".join(sentence(rng) for _ in range(4)), f"This page shows {number * 3} results for the survey."]
        pages.append((head, body))
    got = read(_book(pages), "book.pdf")
    assert sorted(squash(got.text[a:b]) for a, b in got.noise) == sorted(head for head, _ in pages)
    spans = split_credits(got.text, split_sentences(got.text, got.layout))
    kinds = classify(got.text, spans, got.noise, got.quoted, got.layout)
    quotable = [squash(got.text[s:e]) for (s, e), kind in zip(spans, kinds) if answerable(kind)]
    for number in range(1, 13):
        assert f"This page shows {number * 3} results for the survey." in quotable
    wrapped = [q for q in quotable if len(q) > 120]  # fpdf wraps each long paragraph over several lines
    assert wrapped and all(q[0].isupper() and q[-1] == "." for q in wrapped)
