"""PDFs: text page by page, printed labels, running heads as noise, locks and damage said plainly."""

from __future__ import annotations

import random

import pytest

from qa.ingest.readers import Unreadable, read
from qa.ingest.readers.pdf import running_heads
from scripts.make_documents import pdf_report, report_pages, sentence

HEADER = "The Annual Report 2023 - Confidential"


@pytest.fixture(scope="module")
def report():
    pages = report_pages(6, seed=4)
    return pages, read(pdf_report(pages, blank=frozenset({4}), labels=True), "report.pdf")


def words(paragraph: str) -> list[str]:
    return paragraph.split()


def page_text(result, index: int) -> str:
    starts = [p.start for p in result.pages] + [len(result.text) + 1]
    return result.text[starts[index]:starts[index + 1] - 1]


def test_one_page_record_per_page_with_its_start_and_printed_label(report):
    pages, result = report
    assert [p.number for p in result.pages] == [1, 2, 3, 4, 5, 6]
    assert [p.label for p in result.pages] == ["i", "ii", "1", "2", "3", "4"]
    assert result.pages[0].start == 0
    for page in result.pages[1:]:
        assert result.text[page.start - 1] == "\f"
    assert result.text.count("\f") == 5
    for index, paragraphs in enumerate(pages):
        if index + 1 != 4:
            assert result.text[result.pages[index].start:].startswith(HEADER + "\n" + " ".join(words(paragraphs[0])[:3]))


def test_each_pages_words_are_on_that_page(report):
    pages, result = report
    for index, paragraphs in enumerate(pages):
        if index + 1 == 4:
            assert page_text(result, index) == ""
            continue
        flat = " ".join(page_text(result, index).split())
        for paragraph in paragraphs:
            assert " ".join(words(paragraph)) in flat


def test_running_header_and_footer_are_noise_and_nothing_else_is(report):
    pages, result = report
    noisy = [result.text[a:b] for a, b in result.noise]
    assert sorted(set(noisy)) == sorted({HEADER} | {f"Page {n} of 6" for n in (1, 2, 3, 5, 6)})
    assert len(noisy) == 10
    body = result.text
    for a, b in result.noise:
        body = body[:a] + "\x00" * (b - a) + body[b:]
    assert HEADER not in body and "Page 2 of 6" not in body
    for paragraphs in pages:
        for paragraph in paragraphs:
            assert words(paragraph)[1] in body


def test_a_page_without_text_is_noted(report):
    _, result = report
    assert result.notes == ("page 4 has no text layer (no OCR here)",)


def test_metadata_from_the_document_info(report):
    meta = report[1].metadata
    assert (meta.title, meta.author, meta.date, meta.publisher) == ("Annual report", "Ministry of Works", "2023-06-07", None)
    assert set(meta.origins) == {("title", "pdf-info"), ("author", "pdf-info"), ("date", "pdf-info")}


def test_without_page_labels_the_label_is_none():
    result = read(pdf_report(report_pages(2), header=None, footer=False), "r.pdf")
    assert [p.label for p in result.pages] == [None, None] and result.noise == ()


def test_two_pages_are_too_few_to_call_anything_a_running_head():
    assert read(pdf_report(report_pages(2)), "r.pdf").noise == ()


@pytest.mark.parametrize("numbers", [
    ["Page 1 of 10", "Page 2 of 10", "Page 3 of 10", "Page 4 of 10"],
    ["1", "2", "3", "4"],
    ["- 1 -", "- 2 -", "- 3 -", "- 4 -"],
    ["i", "ii", "3", "- 4 -"],
])
def test_page_numbers_match_whatever_their_form(numbers):
    rng = random.Random(1)
    texts = [f"{sentence(rng)}\n{sentence(rng)}\n{sentence(rng)}\n{num}" for num in numbers]
    starts = [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
    joined = "\f".join(texts)
    assert [joined[a:b] for a, b in running_heads(texts, starts)] == numbers


def test_a_line_on_two_pages_far_apart_is_not_a_running_head():
    rng = random.Random(2)
    texts = [("Chapter One\n" if i in (0, 5) else "") + f"{sentence(rng)}\n{sentence(rng)}\n{sentence(rng)}" for i in range(6)]
    starts = [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
    assert running_heads(texts, starts) == ()


def test_a_truncated_pdf_is_unreadable_with_pdfiums_reason():
    data = pdf_report(report_pages(3))
    with pytest.raises(Unreadable, match=r"^is not a valid PDF \(PDFium: data format error\)$"):
        read(data[: len(data) // 2], "r.pdf")
    with pytest.raises(Unreadable, match=r"^is not a valid PDF"):
        read(b"hello, this is not a PDF", "r.pdf")


def test_an_empty_user_password_is_no_lock():
    result = read(pdf_report(report_pages(1, seed=9), user_password=""), "r.pdf")
    assert words(report_pages(1, seed=9)[0][0])[2] in result.text


def test_a_real_password_is_unreadable():
    with pytest.raises(Unreadable, match="^is encrypted with a password$"):
        read(pdf_report(report_pages(1), user_password="hunter2"), "r.pdf")
