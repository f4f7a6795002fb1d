"""A corpus of every format through the real build, CLI and answers: text, metadata, pages, noise.

The fixtures are generated here (scripts/make_documents.py), each stating the words
the test then looks for; every quote is checked against the indexed text that
`qa show --json` prints.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cli import app
from scripts.make_documents import docx_memo, eml_reply, news_page, pdf_report
from tests.conftest import SEED
from tests.fakes import FakeEncoder

HARBOUR = "The harbour master counted 4,812 container ships in the third quarter of the year."
GRANT = "The ministry granted 73 fishing licences to cooperatives in the northern province."
INSERTED = "an extra 19 nurses for the night shift"
QUOTED_WORDS = "The tender for the lighthouse repairs closed with 11 bids."
HEADER = "The Annual Report 2023 - Confidential"


def qa(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """(corpus, index) with one document of each format, a broken PDF and a sources.csv."""
    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    shutil.copytree(SEED, corpus)
    (corpus / "news.html").write_bytes(news_page(3, paragraphs=[
        "Port officials released new figures on Tuesday after weeks of delay.", HARBOUR,
        "Unions said the numbers showed the port could take on more staff.", "The council meets again next month."]))
    pages = [["Chapter one sets out the method used by the ministry this year."],
             ["Chapter two looks at the coast.", GRANT], ["Chapter three covers the rivers and lakes of the interior."]]
    (corpus / "report.pdf").write_bytes(pdf_report(pages, labels=True))
    (corpus / "memo.docx").write_bytes(docx_memo(["The hospital board met on Monday.",
                                                  "The board approved the plan and its budget."], inserted=INSERTED))
    (corpus / "tip.eml").write_bytes(eml_reply(plain=f"Thanks, I will check it.\n\nOn Mon, Bob wrote:\n> {QUOTED_WORDS}\n"))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    (corpus / "sources.csv").write_text("path,title,publisher,author,date,url\n"
                                        "000_c49348b2c4adda7c.txt,,The Independent,,,\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        from qa.embed import encoder

        mp.setitem(encoder.REGISTRY, FakeEncoder.name, FakeEncoder)
        built = qa("index", "build", "--corpus", str(corpus), "--index", str(root / "index"), "--model", FakeEncoder.name)
    assert built.exit_code == 0, built.output
    assert "warning: skipped broken.pdf: is not a valid PDF" in built.stderr
    return corpus, root / "index"


def where(mixed) -> list[str]:
    corpus, index = mixed
    return ["--corpus", str(corpus), "--index", str(index)]


def ask(mixed, question: str, *extra: str) -> dict:
    result = qa("ask", question, "--json", "--min-score", "0", "-k", "5", *where(mixed), *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def shown(mixed, path: str) -> dict:
    result = qa("show", path, "--json", *where(mixed))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_docs_lists_every_format_with_metadata_and_where_it_came_from(mixed, fake_encoder):
    result = qa("docs", "--json", *where(mixed))
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    docs = {d["citation"]["path"]: {**d, **d["citation"]} for d in listing["documents"]}
    assert {d["format"] for d in docs.values()} >= {"text", "html", "pdf", "docx", "email"}
    html = docs["news.html"]
    assert (html["title"], html["publisher"], html["author"], html["date"], html["url"]) == (
        "Council approves harbour budget after long debate", "The Daily Ledger", "Jane Doe", "2024-03-05",
        "https://ledger.example.com/politics/harbour-budget")  # the publication date, not the modified one
    assert html["origins"]["publisher"] == "html-meta"
    pdf = docs["report.pdf"]
    assert (pdf["title"], pdf["author"], pdf["date"], pdf["pages"]) == ("Annual report", "Ministry of Works", "2023-06-07", 3)
    assert pdf["origins"]["date"] == "pdf-info"
    assert (docs["memo.docx"]["author"], docs["memo.docx"]["origins"]["author"]) == ("Ana Ruiz", "docx-core")
    assert docs["tip.eml"]["title"] == "Re: Harbour budget vote" and docs["tip.eml"]["date"] == "2024-03-05"
    assert docs["000_c49348b2c4adda7c.txt"]["publisher"] == "The Independent"
    assert docs["000_c49348b2c4adda7c.txt"]["origins"]["publisher"] == "sources.csv"
    assert docs["004_1fbe0b5a43a135b8.txt"]["origins"]["publisher"] == "byline"  # the CNN byline
    assert [s["path"] for s in listing["skipped"]] == ["broken.pdf"]
    assert listing["skipped"][0]["reason"].startswith("is not a valid PDF")


@pytest.mark.parametrize("question, path, words", [
    ("How many container ships did the harbour master count?", "news.html", "4,812 container ships"),
    ("How many fishing licences did the ministry grant?", "report.pdf", "73 fishing licences"),
    ("How many extra nurses for the night shift?", "memo.docx", INSERTED),
    ("How many bids for the lighthouse repairs?", "tip.eml", "11 bids"),
])
def test_each_format_answers_with_a_verbatim_quote_of_its_indexed_text(mixed, fake_encoder, question, path, words):
    answer = ask(mixed, question)
    top = next(e for e in answer["extracts"] if e["citation"]["path"] == path)
    assert words in top["quote"]
    text = shown(mixed, path)["text"]
    assert text[top["citation"]["start"]:top["citation"]["end"]] == top["quote"]
    for e in answer["extracts"]:  # every quote of every format is exact
        other = shown(mixed, e["citation"]["path"])["text"]
        assert other[e["citation"]["start"]:e["citation"]["end"]] == e["quote"]
        for s in e["also_in"]:
            assert shown(mixed, s["citation"]["path"])["text"][s["citation"]["start"]:s["citation"]["end"]].strip()


def test_a_pdf_extract_carries_its_page_and_printed_label(mixed, fake_encoder):
    answer = ask(mixed, "How many fishing licences did the ministry grant?")
    top = next(e for e in answer["extracts"] if e["citation"]["path"] == "report.pdf")
    assert (top["citation"]["page"], top["citation"]["page_label"]) == (2, "ii")  # pages 1-2 are labelled i, ii
    assert (top["citation"]["author"], top["citation"]["url"]) == ("Ministry of Works", None)
    text = qa("ask", "How many fishing licences did the ministry grant?", "--min-score", "0", *where(mixed)).stdout
    assert "report.pdf" in text and "p. ii" in text


def test_running_headers_and_page_footers_are_never_quoted(mixed, fake_encoder):
    for question in (HEADER, "Page 2 of 3", "annual report confidential page"):
        for e in ask(mixed, question)["extracts"]:
            assert HEADER not in e["quote"] and "Page 2 of" not in e["quote"], e
    sentences = shown(mixed, "report.pdf")["sentences"]
    text = shown(mixed, "report.pdf")["text"]
    kinds = {text[s["start"]:s["end"]]: s["kind"] for s in sentences}
    assert kinds[HEADER] == "boilerplate"


def test_html_boilerplate_is_not_indexed(mixed, fake_encoder):
    text = shown(mixed, "news.html")["text"]
    assert HARBOUR in text
    for noise in ("We use cookies", "Advertisement", "Reader123", "Storm batters coast", "do not index me"):
        assert noise not in text


def test_quoted_email_lines_are_answers_marked_as_someone_elses_words(mixed, fake_encoder):
    top = next(e for e in ask(mixed, "How many bids for the lighthouse repairs?")["extracts"] if e["citation"]["path"] == "tip.eml")
    assert top["kind"] == "quoted" and top["citation"]["author"] == "Ana Ruiz"


def test_source_filter_matches_publishers_from_pages_and_from_sources_csv(mixed, fake_encoder):
    assert {e["citation"]["path"] for e in ask(mixed, "container ships", "--source", "Daily Ledger")["extracts"]} == {"news.html"}
    assert {e["citation"]["path"] for e in ask(mixed, "Americans released", "--source", "Independent")["extracts"]} == {
        "000_c49348b2c4adda7c.txt"}


def test_status_names_the_skipped_files(mixed, fake_encoder):
    result = qa("index", "status", *where(mixed))
    assert "skipped   broken.pdf: is not a valid PDF" in result.stdout


def test_a_changed_sources_csv_is_a_change_to_the_corpus(mixed, fake_encoder, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(mixed[0], corpus)
    shutil.copytree(mixed[1], index)
    (corpus / "sources.csv").write_text("path,publisher\n002_4d4eadfbfc2e7dd7.txt,The Guardian\nnowhere.txt,X\n",
                                        encoding="utf-8")
    status = qa("index", "status", "--corpus", str(corpus), "--index", str(index))
    assert "1 changed (sources.csv)" in status.stdout
    update = qa("index", "update", "--corpus", str(corpus), "--index", str(index))
    assert update.exit_code == 0, update.output
    assert "warning: sources.csv: no document at 'nowhere.txt'" in update.stderr
    docs = {d["citation"]["path"]: d["citation"] for d in json.loads(qa("docs", "--json", "--corpus", str(corpus), "--index", str(index)).stdout)["documents"]}
    assert docs["002_4d4eadfbfc2e7dd7.txt"]["publisher"] == "The Guardian"
    assert docs["000_c49348b2c4adda7c.txt"]["publisher"] is None  # no longer stated
    assert "unchanged since the build" in qa("index", "status", "--corpus", str(corpus), "--index", str(index)).stdout


def test_show_refuses_a_document_it_does_not_hold(mixed, fake_encoder):
    result = qa("show", "nowhere.txt", *where(mixed))
    assert result.exit_code == 2
    assert result.stderr == "error: no document 'nowhere.txt' in the index\nqa docs lists the indexed documents\n"
    assert qa("show", str(Path(mixed[0]) / "news.html"), *where(mixed)).stdout.startswith("Council approves")


def test_show_json_has_the_documented_shape_and_exact_offsets(mixed, fake_encoder):
    data = shown(mixed, "000_c49348b2c4adda7c.txt")
    assert set(data) == {"path", "text", "sentences"}
    text = data["text"]
    speakers = []
    for s in data["sentences"]:
        assert set(s) == {"start", "end", "kind", "entities", "statement", "dates"}
        assert text[s["start"]:s["end"]].strip() == text[s["start"]:s["end"]] != ""
        for e in s["entities"]:
            assert set(e) == {"label", "start", "end"} and s["start"] <= e["start"] < e["end"] <= s["end"]
        for d in s["dates"]:
            assert set(d) == {"start", "end", "date", "start_date", "end_date"} and (d["date"] is None or d["start_date"] is None)
        if s["statement"]:
            assert set(s["statement"]) == {"speaker", "verb", "via", "refers_to"}
            speakers.append(text[s["statement"]["speaker"]["start"]:s["statement"]["speaker"]["end"]])
    assert "Foro Penal" in speakers and "the State Department" in speakers
    tuesday = next(d for s in data["sentences"] for d in s["dates"] if text[d["start"]:d["end"]] == "Tuesday")
    assert tuesday["date"] == "2026-01-13"  # the document is dated 2026-01-14, a Wednesday
