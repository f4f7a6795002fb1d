"""Per-file budgets: a file that needs more time or memory than $QA_READ_SECONDS / $QA_READ_MEMORY_MB allow
is skipped with a one-line reason naming it and the limit, and the build goes on; the worker that reads
it is killed, never left behind. PDF running heads cost linear time in the page count."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.ingest import budget
from qa.ingest.readers import Unreadable
from qa.ingest.readers.pdf import _content, running_heads
from scripts.make_documents import docx_memo
from tests.hostile.conftest import FAKE, HARBOUR_TEXT, qa, where


def docx_bomb(paragraphs: int) -> bytes:
    """A valid .docx whose document.xml repeats one paragraph: a few hundred KB that unpack to hundreds of MB."""
    memo = zipfile.ZipFile(io.BytesIO(docx_memo(["The Quillmouth harbour master counted 412 boats."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in memo.infolist():
            data = memo.read(info)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>", 1)
                data = head + b"<w:body>" + b"<w:p><w:r><w:t>boats boats boats</w:t></w:r></w:p>" * paragraphs + tail
            bomb.writestr(info.filename, data)
    return out.getvalue()


HOSTILE = {  # name: (bytes, the reason's start)
    "attributes.html": (("<html><body><div " + " ".join(f'a{i}="{i}"' for i in range(100_000)) + ">The harbour "
                         "master counted boats.</div></body></html>").encode(), "took over 2 s"),
    "paragraphs.html": (("<html><body>" + "<p>boats</p>" * 1_000_000 + "</body></html>").encode(), "took over 2 s"),
    "slow-bomb.docx": (docx_bomb(2_000_000), "took over 2 s"),
    "big-bomb.docx": (docx_bomb(10_000_000), "needs over 400 MB to read (it unpacks to"),
}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("budget") / "corpus"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(HARBOUR_TEXT, encoding="utf-8")
    (corpus / "small.html").write_text("<html><body><article><p>The ferry to Quillmouth leaves at noon every day, the "
                                       "port office said on Monday.</p></article></body></html>", encoding="utf-8")
    for name, (data, _reason) in HOSTILE.items():
        (corpus / name).write_bytes(data)
    return corpus


def test_files_over_their_budget_are_skipped_by_name_and_the_build_goes_on(hostile_build, tmp_path, fake_encoder,
                                                                           monkeypatch, record_property):
    monkeypatch.setenv("QA_READ_SECONDS", "2")
    monkeypatch.setenv("QA_READ_MEMORY_MB", "400")
    built = qa("index", "build", *where(hostile_build, tmp_path / "index"), *FAKE)
    assert built.exit_code == 0, built.stderr
    for name, (_data, reason) in HOSTILE.items():
        lines = [line for line in built.stderr.splitlines() if name in line]
        # a file that is slow to read is also large to hold: either budget may stop it first, and either is named
        reasons = (reason, "needs over 400 MB") if reason.startswith("took over") else (reason,)
        assert len(lines) == 1 and lines[0].startswith(tuple(f"warning: skipped {name}: {r}" for r in reasons)), (name, built.stderr)
        assert "QA_READ_" in lines[0]
    docs = json.loads(qa("docs", "--json", *where(hostile_build, tmp_path / "index")).stdout)
    assert sorted(d["citation"]["path"] for d in docs["documents"]) == ["harbour.txt", "small.html"]
    assert not budget._started  # the reading processes end with the reading: none left, half-dead or not
    record_property("cases", len(HOSTILE))


def test_a_worker_killed_for_its_time_is_replaced_for_the_next_file():
    limits = budget.Budget(seconds=1, memory_mb=0)
    slow = HOSTILE["paragraphs.html"][0]
    with pytest.raises(Unreadable, match=r"^took over 1 s to read \(set QA_READ_SECONDS higher, or 0, to read it\)$"):
        budget.read_within(slow, "slow.html", limits)
    assert getattr(budget._local, "worker", None) is None and not budget._started  # the killed worker is gone
    page = budget.read_within(b"<html><body><p>The ferry leaves at noon, the port said.</p></body></html>", "ok.html",
                              limits)
    assert "ferry leaves at noon" in page.text


def test_a_reader_that_runs_out_of_memory_is_named_not_fatal():
    limits = budget.Budget(seconds=0, memory_mb=300)
    big = ("<html><body>" + "<p>" + "boats " * 40_000_000 + "</p></body></html>").encode()  # 240 MB of text
    with pytest.raises(Unreadable, match=r"^needs over 300 MB to read"):
        budget.read_within(big, "huge.html", limits)
    assert "noon" in budget.read_within(b"<p>The ferry leaves at noon.</p>", "ok.html", limits).text


@pytest.mark.parametrize("value", ["lots", "-1", "inf", "nan"])
@pytest.mark.parametrize("name", ["QA_READ_SECONDS", "QA_READ_MEMORY_MB"])
def test_a_budget_that_is_not_a_number_is_refused_by_name(name, value, small_corpus, tmp_path, fake_encoder, monkeypatch):
    monkeypatch.setenv(name, value)
    built = qa("index", "build", *where(small_corpus, tmp_path / "index"), *FAKE)
    errors = [line for line in built.stderr.splitlines() if line.startswith("error:")]  # after any progress line
    assert built.exit_code == 2 and len(errors) == 1 and errors[0].startswith(f"error: {name} must be a number of"), built.stderr


def obvious_content(text: str, start: int, noise) -> bool:
    chars = list(text)
    for a, b in noise:
        if start <= a and b <= start + len(text):
            chars[a - start:b - start] = " " * (b - a)
    return bool("".join(chars).strip())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Report 2023", "Page 3 of 9", "7", "", "Boats were counted.", "iv",
                                          "The harbour"]), max_size=6), min_size=0, max_size=40))
def test_running_heads_by_page_match_the_obvious_quadratic_search(pages):
    texts = ["\n".join(lines) for lines in pages]
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    noise = running_heads(texts, starts)
    assert [_content(t, s, noise) for t, s in zip(texts, starts)] == [obvious_content(t, s, noise)
                                                                      for t, s in zip(texts, starts)]


def test_ten_thousand_pages_of_running_heads_are_found(record_property):
    rng = random.Random(3)
    words = "boats ferry harbour master counted sailing marina port office spring".split()
    texts = ["\n".join(["Annual Report 2023", *(" ".join(rng.choices(words, k=8)) for _ in range(3)), f"Page {i + 1} of 10000"])
             for i in range(10_000)]
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    noise = running_heads(texts, starts)
    assert len(noise) == 20_000  # the title and the page footer of every page (the timing is in scripts/bench_budget.py)
