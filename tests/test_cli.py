"""The `qa` command through typer's CliRunner: exact output and exit codes.

Every command gets `--model fake-hashing` (or an index built with it), so nothing
here loads the real model.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from qa import api
from qa.cli import app
from qa.ingest.documents import doc_id_for
from tests.fakes import FakeEncoder

FORO = "How many prisoners did Foro Penal confirm had been freed?"
ABSENT = "What is the recipe for chocolate cake?"
FAKE = ("--model", FakeEncoder.name)

CITATION_KEYS = {"doc_id", "path", "file", "title", "publisher", "author", "date", "url", "start", "end", "line", "page",
                 "page_label"}
EXTRACT_KEYS = {"rank", "quote", "highlight", "score", "kind", "citation", "also_in"}
SOURCE_KEYS = {"quote", "kind", "citation"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No QA_* variables from the caller, and ./corpus, ./index resolve inside tmp_path."""
    for name in ("QA_CORPUS", "QA_INDEX", "QA_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def qa(*args, input=None, env=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, env=env)


def said(result) -> str:
    """stderr without the fake index's note that it has no fast query encoder."""
    return "".join(line for line in result.stderr.splitlines(keepends=True) if not line.startswith("note: this index has no fast"))


def where(corpus, index):
    return ("--corpus", corpus, "--index", index)


def hint(answer, min_score: float) -> str:
    n = len(answer.nearest)
    return f"({n} weaker extract{'s' * (n != 1)} scored below --min-score {min_score:g}; lower it to see {'them' if n != 1 else 'it'})\n"


def session(corpus, index, **options) -> api.Session:
    return api.Session(corpus, index, **options)


def source(e, where: str) -> str:
    """Title · publisher · date · path:line, the same fields in the same order for a quote and for also in."""
    kind = {"caption": ["(photo caption)"], "quoted": ["(quoted in the message)"]}.get(e.kind, [])
    return " · ".join([e.citation.title or "(untitled)", e.citation.publisher or "(publisher not stated)", e.citation.date or "(undated)", *kind,
                       f"{where}{e.citation.path}:{e.citation.line}"])


def without_claims(text: str) -> str:
    """The text output without its "Sources agree/differ" blocks (tests/test_claims.py checks those)."""
    return re.sub(r"(?m)^Sources (?:agree|differ) \(.*?\n\n", "", text, flags=re.S)


BREAK = re.compile(r"[ \t]*\n\s*")  # a line break in a quote, as the text output shows it


def expected_text(answer, min_score: float = 0.0, where: str = "corpus/") -> str:
    """The text rendering of one answer, spelled out; `where` is the corpus folder as seen from the working folder."""
    if not answer.answered:
        return f"The documents do not answer this question: {answer.question}\n{hint(answer, min_score) if answer.nearest else ''}\n"
    out = []
    for e in answer.extracts:
        h0, h1 = e.highlight.start, e.highlight.end
        before, best, after = (BREAK.sub(" ¶ ", part) for part in (e.quote[:h0], e.quote[h0:h1], e.quote[h1:]))
        out.append(f"{e.rank}. “{before}**{best}**{after}”")  # a line break in a quote is shown as ¶
        out.append(f"   — {source(e, where)}   score {e.score:.2f}")
        wording = e.quote[h0:h1]
        out += [f"   also in: {source(s, where)}" + (f": “{BREAK.sub(' ¶ ', s.quote)}”" if s.quote != wording else "")
                for s in e.also_in]
        out.append("")
    return "\n".join(out) + "\n"


def check_json_answer(data: dict, corpus, question: str) -> None:
    """The documented schema; `path` is relative to the corpus and `file` the absolute path of the same file."""
    assert set(data) == {"question", "answered", "extracts", "claims", "agreement"}
    assert data["question"] == question and isinstance(data["answered"], bool)
    assert data["answered"] == bool(data["extracts"])
    for rank, e in enumerate(data["extracts"], 1):
        assert set(e) == EXTRACT_KEYS and set(e["citation"]) == CITATION_KEYS
        assert e["rank"] == rank and isinstance(e["quote"], str)
        for key in ("doc_id", "path"):
            assert isinstance(e["citation"][key], str)
        for key in ("title", "publisher", "date"):
            assert e["citation"][key] is None or isinstance(e["citation"][key], str)
        for key in ("start", "end", "line"):
            assert type(e["citation"][key]) is int
        assert isinstance(e["score"], float) and 0.0 <= e["score"] <= 1.0
        assert set(e["highlight"]) == {"start", "end"}
        assert 0 <= e["highlight"]["start"] < e["highlight"]["end"] <= len(e["quote"])
        text = (corpus / e["citation"]["path"]).read_text(encoding="utf-8")
        assert e["quote"] == text[e["citation"]["start"]:e["citation"]["end"]]
        assert e["citation"]["line"] == text.count("\n", 0, e["citation"]["start"]) + 1
        assert e["quote"].split("\n")[0] in text.split("\n")[e["citation"]["line"] - 1]
        assert e["citation"]["file"] == str(corpus.absolute() / e["citation"]["path"])
        assert isinstance(e["also_in"], list)
        for s in e["also_in"]:
            assert set(s) == SOURCE_KEYS and set(s["citation"]) == CITATION_KEYS
            assert s["citation"]["file"] == str(corpus.absolute() / s["citation"]["path"])
            other = (corpus / s["citation"]["path"]).read_text(encoding="utf-8")
            assert s["citation"]["line"] == other.count("\n", 0, s["citation"]["start"]) + 1 and other[s["citation"]["start"]:s["citation"]["end"]].strip()


# ask: text and JSON

def test_ask_prints_the_quote_and_its_source_line(built):
    corpus, index = built
    result = qa("ask", FORO, "--min-score", "0", *where(corpus, index), *FAKE)
    answer = api.ask(api.open_index(index), FORO, min_score=0.0)
    assert result.exit_code == 0, result.stderr
    assert without_claims(result.stdout) == expected_text(answer)
    top = answer.extracts[0]
    block = without_claims(result.stdout).split("\n   — ")[0]  # the first quote, which may span lines
    assert block.startswith("1. “") and block.endswith("”") and block.count("**") == 2
    line = without_claims(result.stdout).splitlines()[block.count("\n") + 1]
    assert line.startswith("   — ") and line.endswith(f" · corpus/{top.citation.path}:{top.citation.line}   score {top.score:.2f}")
    assert top.quote.split("\n")[0] in (corpus / top.citation.path).read_text(encoding="utf-8").split("\n")[top.citation.line - 1]


def test_ask_json_has_exactly_the_documented_schema(built):
    corpus, index = built
    result = qa("ask", FORO, "--json", "--min-score", "0", "-k", "4", *where(corpus, index), *FAKE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1  # one object, one line
    data = json.loads(result.stdout)
    check_json_answer(data, corpus, FORO)
    assert data["answered"] is True and 1 <= len(data["extracts"]) <= 4
    assert "nearest" not in data


def test_top_k_caps_the_extracts(built):
    corpus, index = built
    result = qa("ask", FORO, "--json", "--min-score", "0", "-k", "1", *where(corpus, index))
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["extracts"]) == 1


def test_filters_keep_only_matching_documents(built):
    corpus, index = built
    since = qa("ask", FORO, "--json", "--min-score", "0", "--since", "2026-01-15", *where(corpus, index))
    assert since.exit_code == 0
    assert {e["citation"]["date"] for e in json.loads(since.stdout)["extracts"]} == {"2026-01-17"}
    cnn = qa("ask", FORO, "--json", "--min-score", "0", "--source", "cnn", *where(corpus, index))
    assert {e["citation"]["publisher"] for e in json.loads(cnn.stdout)["extracts"]} == {"CNN"}
    until = qa("ask", FORO, "--json", "--min-score", "0", "--until", "2020-01-01", *where(corpus, index))
    assert (until.exit_code, json.loads(until.stdout)["extracts"]) == (1, [])


def test_ask_reads_one_question_per_stdin_line_and_prints_json_lines_in_order(built):
    corpus, index = built
    result = qa("ask", "-", "--json", *where(corpus, index), *FAKE,
                input=f"# questions for Tuesday\n{FORO}\n\n   \n  # {ABSENT}\n{ABSENT}\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # blank lines and # comments are skipped
    for line, question in zip(lines, (FORO, ABSENT)):
        check_json_answer(json.loads(line), corpus, question)
    loaded = session(corpus, index).open()
    # the default --min-score is the library's
    expected = [json.loads(json.dumps(api.answer_dict(session(corpus, index).ask(loaded, q)))) for q in (FORO, ABSENT)]
    assert list(map(json.loads, lines)) == expected
    assert result.exit_code == (0 if all(e["answered"] for e in expected) else 1)


@pytest.mark.parametrize("min_score, code", [("0", 0), ("1", 1)])
def test_a_batch_exits_0_only_when_every_question_is_answered(built, min_score, code):
    corpus, index = built
    result = qa("ask", "-", "--json", "--min-score", min_score, *where(corpus, index), input=f"{FORO}\n{ABSENT}\n")
    assert result.exit_code == code
    assert [json.loads(line)["answered"] for line in result.stdout.splitlines()] == [code == 0] * 2


def test_ask_stdin_batch_text_heads_each_answer_with_its_question(built):
    corpus, index = built
    result = qa("ask", "-", "--min-score", "0", *where(corpus, index), input=f"  {ABSENT}  \r\n{FORO}\n")
    assert result.exit_code == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("Q: ")] == [f"Q: {ABSENT}", f"Q: {FORO}"]
    loaded = api.open_index(index)
    expected = [f"Q: {q}\n" + expected_text(api.ask(loaded, q, min_score=0.0)) for q in (ABSENT, FORO)]
    assert without_claims(result.stdout) == "".join(expected)


def test_a_batch_of_one_is_labelled_too(built):
    corpus, index = built
    result = qa("ask", "-", "--min-score", "0", *where(corpus, index), input=f"# one question\n{FORO}\n")
    assert result.exit_code == 0, result.stderr
    assert without_claims(result.stdout) == f"Q: {FORO}\n" + expected_text(api.ask(api.open_index(index), FORO, min_score=0.0))


def test_the_words_of_a_question_need_no_quotes(built):
    corpus, index = built
    quoted = qa("ask", FORO, "--min-score", "0", *where(corpus, index))
    words = qa("ask", *FORO.split(), "--min-score", "0", *where(corpus, index))
    options_between = qa("ask", *FORO.split()[:3], "--min-score", "0", *FORO.split()[3:], *where(corpus, index))
    assert quoted.exit_code == words.exit_code == options_between.exit_code == 0
    assert words.stdout == quoted.stdout == options_between.stdout
    assert "Q: " not in words.stdout


def test_an_unanswered_question_exits_1_and_says_how_many_extracts_scored_below(built):
    corpus, index = built
    result = qa("ask", ABSENT, "--min-score", "1", *where(corpus, index), *FAKE)
    assert result.exit_code == 1
    answer = api.ask(api.open_index(index), ABSENT, min_score=1.0)
    assert len(answer.nearest) == 3
    assert result.stdout == (f"The documents do not answer this question: {ABSENT}\n"
                             "(3 weaker extracts scored below --min-score 1; lower it to see them)\n\n")


def test_the_fitted_min_score_is_named_in_the_advice(built, monkeypatch):
    corpus, index = built
    fitted = api.default_min_score()
    result = qa("ask", ABSENT, *where(corpus, index), *FAKE)
    answer = api.ask(api.open_index(index), ABSENT)
    assert result.exit_code == (0 if answer.answered else 1)
    assert without_claims(result.stdout) == expected_text(answer, fitted)
    if not answer.answered:
        assert f"below --min-score {fitted:g};" in result.stdout


def test_a_source_that_matches_no_document_says_so_and_never_advises_lowering_min_score(built):
    corpus, index = built
    for min_score in ("0", "0.5"):
        result = qa("ask", FORO, "--source", "zzzz", "--min-score", min_score, *where(corpus, index))
        assert result.exit_code == 1
        assert result.stdout == (f"The documents do not answer this question: {FORO}\n"
                                 "No document's publisher or path contains “zzzz”.\n\n")
        assert said(result) == ""


def test_a_date_filter_that_matches_no_document_counts_the_undated_ones(built):
    corpus, index = built
    documents = api.open_index(index).documents
    undated = sum(d.date is None for d in documents)
    assert 0 < undated < len(documents)
    result = qa("ask", FORO, "--since", "2027-01-01", "--min-score", "0", *where(corpus, index))
    assert result.exit_code == 1
    assert result.stdout == (f"The documents do not answer this question: {FORO}\n"
                             "No document is dated on or after 2027-01-01.\n"
                             f"{undated} of the {len(documents)} documents are undated, so the date filter leaves them out.\n\n")
    between = qa("ask", FORO, "--since", "2020-01-01", "--until", "2020-12-31", *where(corpus, index))
    assert between.exit_code == 1
    assert "No document is dated from 2020-01-01 to 2020-12-31.\n" in between.stdout


def test_a_source_and_a_date_that_only_miss_together_are_named_together(built):
    corpus, index = built
    result = qa("ask", FORO, "--source", "cnn", "--since", "2026-01-15", "--min-score", "0", *where(corpus, index))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == "No document whose publisher or path contains “cnn” is dated on or after 2026-01-15."


def test_an_answer_under_a_date_filter_notes_the_undated_documents_on_stderr(built):
    corpus, index = built
    documents = api.open_index(index).documents
    undated = sum(d.date is None for d in documents)
    result = qa("ask", "-", "--since", "2026-01-15", "--min-score", "0", *where(corpus, index), input=f"{FORO}\n{FORO}\n")
    assert result.exit_code == 0
    assert result.stdout.count("Q: ") == 2 and "undated" not in result.stdout
    assert said(result) == f"note: {undated} of the {len(documents)} documents are undated, so the date filter leaves them out.\n"
    as_json = qa("ask", FORO, "--json", "--source", "zzzz", *where(corpus, index))
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["answered"] is False
    assert said(as_json) == "note: No document's publisher or path contains “zzzz”.\n"


def test_a_min_score_nothing_reaches_exits_1_and_json_says_unanswered(built):
    corpus, index = built
    result = qa("ask", FORO, "--json", "--min-score", "1", *where(corpus, index))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"question": FORO, "answered": False, "extracts": [], "claims": [], "agreement": None}


def test_control_characters_in_the_question_are_shown_escaped(built):
    corpus, index = built
    result = qa("ask", "\x1b[2Jchocolate cake?", "--min-score", "1", *where(corpus, index))
    assert result.exit_code == 1
    assert result.stdout.startswith("The documents do not answer this question: \\x1b[2Jchocolate cake?\n(")
    assert "\x1b" not in result.stdout


# exit 2: usage, corpus and index errors

@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_an_empty_question_exits_2(built, question):
    corpus, index = built
    result = qa("ask", question, *where(corpus, index))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: the question is empty")


def test_empty_stdin_exits_2(built):
    corpus, index = built
    result = qa("ask", "-", *where(corpus, index), input="\n   \n# only a comment\n")
    assert result.exit_code == 2
    assert result.stderr == ("error: no question on stdin (one question per line; blank lines and lines starting with # "
                             "are skipped)\n")


def test_no_question_at_all_is_a_usage_error(built):
    result = qa("ask", *where(*built))
    assert result.exit_code == 2 and "Missing argument 'QUESTION...'" in result.stderr


@pytest.mark.parametrize("flag, value", [("--since", "2026-13-01"), ("--since", "yesterday"), ("--until", "2026/01/05"),
                                         ("--since", "2026-02-30")])
def test_a_bad_date_exits_2_and_names_the_flag(built, flag, value):
    corpus, index = built
    result = qa("ask", FORO, flag, value, *where(corpus, index))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: {flag} takes a date as YYYY-MM-DD, not {value!r}\n"


@pytest.mark.parametrize("args, says", [(("-k", "0"), "Invalid value for '-k' / '--top-k': 0 is not 1 or more."),
                                        (("--min-score", "1.5"), "Invalid value for '--min-score': 1.5 is not between 0 and 1."),
                                        (("--min-score", "-0.1"), "Invalid value for '--min-score': -0.1 is not between 0 and 1.")])
def test_out_of_range_options_are_usage_errors(built, args, says):
    corpus, index = built
    result = qa("ask", FORO, *args, *where(corpus, index))
    assert result.exit_code == 2
    assert says in result.stderr


@pytest.mark.parametrize("args", [("-k", "0"), ("--min-score", "1.5")])
def test_chat_rejects_out_of_range_options_before_opening(tmp_path, args):
    result = qa("chat", *args, *where(tmp_path / "corpus", tmp_path / "index"))
    assert result.exit_code == 2
    assert args[0] in result.stderr


def test_chat_hands_its_options_to_the_app(monkeypatch, tmp_path):
    from qa.tui import app as tui_app

    made = {}

    class Recorder:
        def run(self):
            made["ran"] = True

    def fake_make_app(**kwargs):
        made.update(kwargs)
        return Recorder()

    monkeypatch.setattr(tui_app, "make_app", fake_make_app)
    result = qa("chat", "-k", "5", "--min-score", "0.2", *where(tmp_path / "c", tmp_path / "i"))
    assert result.exit_code == 0, result.output
    assert made == {"corpus": tmp_path / "c", "index": tmp_path / "i", "model": None, "top_k": 5, "min_score": 0.2,
                    "ran": True}


def test_ask_with_a_missing_corpus_and_no_index_exits_2(tmp_path, fake_encoder):
    result = qa("ask", FORO, *where(tmp_path / "nowhere", tmp_path / "index"), *FAKE)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.endswith(f"error: corpus folder {tmp_path / 'nowhere'} does not exist\n")


def test_index_build_with_a_missing_corpus_exits_2_and_leaves_nothing(tmp_path, fake_encoder):
    for command in (("index", "build"), ("index", "update"), ("ask", FORO)):
        result = qa(*command, *where(tmp_path / "nowhere", tmp_path / "index"), *FAKE)
        assert result.exit_code == 2
        assert result.stderr.endswith(f"error: corpus folder {tmp_path / 'nowhere'} does not exist\n")
        assert not (tmp_path / "index").exists()  # no empty index folder, no lock file


def test_a_failed_build_into_an_existing_folder_leaves_no_lock(tmp_path, fake_encoder):
    (tmp_path / "index").mkdir()
    result = qa("index", "build", *where(tmp_path / "nowhere", tmp_path / "index"), *FAKE)
    assert result.exit_code == 2
    assert list((tmp_path / "index").iterdir()) == []


def test_a_corpus_of_unreadable_files_exits_2(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.md").write_bytes(b"\x89PNG\x00\x00")
    for command in (("index", "build"), ("ask", FORO)):
        result = qa(*command, *where(corpus, tmp_path / "index"), *FAKE)
        assert result.exit_code == 2, command
        assert result.stderr.endswith(f"error: no readable document in {corpus} "
                                      "(skipped: empty.txt is empty; image.md looks binary)\n")
    assert not (tmp_path / "index").exists()


def test_unreadable_files_are_skipped_with_one_warning_each(seed_corpus, tmp_path, fake_encoder):
    (seed_corpus / "empty.txt").write_bytes(b"")
    (seed_corpus / "sub").mkdir()
    (seed_corpus / "sub" / "scan.md").write_bytes(b"%PDF\x00\x01")
    (seed_corpus / "latin1.txt").write_bytes("Caf\xe9 au lait for the envoy's staff.".encode("latin-1"))  # read, not skipped
    (seed_corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    result = qa("index", "build", *where(seed_corpus, tmp_path / "index"), *FAKE)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: skipped empty.txt: is empty", "warning: skipped sub/scan.md: looks binary",
                        "warning: skipped table.xlsx: is not in a format qa reads (.xlsx)"]
    assert result.stdout.startswith("indexed 6 documents, ")
    loaded = api.open_index(tmp_path / "index")
    assert "Café au lait" in loaded.texts[loaded.doc_numbers[doc_id_for("latin1.txt")]]


# a missing index is built first

def test_ask_builds_a_missing_index_first_then_answers(seed_corpus, tmp_path, fake_encoder):
    index = tmp_path / "fresh-index"
    (seed_corpus / "empty.md").write_bytes(b"\n")
    result = qa("ask", FORO, "--json", "--min-score", "0", *where(seed_corpus, index), *FAKE)
    assert result.exit_code == 0, result.stderr
    stderr = result.stderr.splitlines()
    assert stderr[0] == f"no index at {index} yet; building it from {seed_corpus}"  # absolute, as given
    assert "reading 6/6 files" in stderr and "writing 1/1" in stderr
    assert any(re.fullmatch(r"embedding (\d+)/\1 chunks( in \d+s)?", line) for line in stderr)
    assert "warning: skipped empty.md: is empty" in stderr
    check_json_answer(json.loads(result.stdout), seed_corpus, FORO)
    assert (index / "CURRENT").is_file()
    assert fake_encoder.calls > 0


# index build / status, environment variables

def test_index_build_prints_the_one_line_summary(seed_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    result = qa("index", "build", *where(seed_corpus, index), *FAKE)
    assert result.exit_code == 0, result.stderr
    match = re.fullmatch(r"indexed 5 documents, (\d+) chunks in \d+\.\d s -> (.+)\n", result.stdout)
    assert match and match.group(2) == str(index)
    assert int(match.group(1)) == len(api.open_index(index).chunks) > 0


def test_index_status_reports_the_holding_and_later_corpus_changes(built):
    corpus, index = built
    chunks = len(api.open_index(index).chunks)
    before = qa("index", "status", *where(corpus, index))
    assert before.exit_code == 0
    lines = before.stdout.splitlines()
    assert lines[0] == f"index     {index}"
    assert lines[2] == f"model     {FakeEncoder.name} ({FakeEncoder.dim} dimensions, flat)"
    assert lines[3] == f"holds     5 documents, {chunks} chunks"
    assert lines[4] == f"corpus    {corpus} unchanged since the build"

    (corpus / "new.md").write_text("Venezuela freed more prisoners on Friday.\n", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")  # unreadable: not counted as added
    after = qa("index", "status", *where(corpus, index))
    assert after.exit_code == 0
    assert after.stdout.splitlines()[4] == ("corpus    changed since the build: 1 added (new.md), 0 changed, "
                                            f"0 removed; run: qa index update --corpus {corpus} --index {index}")

    asked = qa("ask", FORO, "--min-score", "0", *where(corpus, index))
    assert ("warning: the corpus changed since the index was built (1 added, 0 changed, 0 removed); "
            f"run: qa index update --corpus {corpus} --index {index}") in asked.stderr.splitlines()


def test_index_status_check_exits_1_when_the_corpus_changed_like_git_diff(built):
    corpus, index = built
    assert qa("index", "status", "--check", *where(corpus, index)).exit_code == 0
    (corpus / "new.md").write_text("Venezuela freed more prisoners on Friday.\n", encoding="utf-8")
    plain = qa("index", "status", *where(corpus, index))
    checked = qa("index", "status", "--check", *where(corpus, index))
    assert (plain.exit_code, checked.exit_code) == (0, 1)  # plain status stays informational
    assert checked.stdout == plain.stdout
    assert plain.stdout.splitlines()[4] == ("corpus    changed since the build: 1 added (new.md), 0 changed, 0 removed; "
                                            f"run: qa index update --corpus {corpus} --index {index}")
    api.update(corpus, index, model=FakeEncoder.name)
    assert qa("index", "status", "--check", *where(corpus, index)).exit_code == 0


def test_index_status_check_exits_2_when_the_corpus_cannot_be_read(built, tmp_path):
    _corpus, index = built
    result = qa("index", "status", "--check", *where(tmp_path / "gone", index))
    assert result.exit_code == 2
    assert result.stdout.splitlines()[4] == f"corpus    {tmp_path / 'gone'} cannot be read"
    assert qa("index", "status", *where(tmp_path / "gone", index)).exit_code == 0


def test_index_status_without_an_index_exits_1_and_repeats_the_folders(tmp_path):
    result = qa("index", "status", *where(tmp_path, tmp_path / "index"))
    assert result.exit_code == 1
    assert result.stdout == f"no index at {tmp_path / 'index'}; build one with: qa index build --corpus {tmp_path} --index {tmp_path / 'index'}\n"
    assert qa("index", "status", "--check", *where(tmp_path, tmp_path / "index")).exit_code == 1
    bare = qa("index", "status")
    assert bare.stdout == "no index at ./index; build one with: qa index build\n"
    odd = qa("index", "status", "--index", "my index")
    assert odd.stdout == "no index at './my index'; build one with: qa index build --index 'my index'\n"


def test_relative_folders_are_named_so_they_cannot_be_misread(seed_corpus, tmp_path, fake_encoder):
    result = qa("ask", FORO, "--json", "--min-score", "0", "--index", "idx", *FAKE)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == "no index at ./idx yet; building it from ./corpus"
    status = qa("index", "status", "--index", "idx").stdout.splitlines()
    assert status[0] == "index     ./idx" and status[4] == "corpus    ./corpus unchanged since the build"


def test_a_damaged_index_is_fixed_by_a_command_with_the_folders_given(built, tmp_path):
    corpus, index = built
    current = (index / "CURRENT").read_text().strip()
    (index / current / "vectors.faiss").write_bytes(b"garbage")
    result = qa("ask", FORO, *where(corpus, index))
    assert result.exit_code == 2
    assert result.stderr.endswith(f"\nrebuild it with: qa index build --corpus {corpus} --index {index}\n")
    given = qa("ask", FORO, "--index", index)
    assert given.stderr.endswith(f"\nrebuild it with: qa index build --index {index}\n")


def test_paths_open_from_where_the_user_stands(built, tmp_path, monkeypatch):
    corpus, index = built
    inside = qa("ask", FORO, "--min-score", "0", *where(corpus, index))
    top = api.ask(api.open_index(index), FORO, min_score=0.0).extracts[0]
    assert f" · corpus/{top.citation.path}:{top.citation.line}   score" in inside.stdout  # relative: the corpus is below the working folder
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    outside = qa("ask", FORO, "--min-score", "0", *where(corpus, index))
    assert f" · {corpus / top.citation.path}:{top.citation.line}   score" in outside.stdout  # absolute otherwise
    relative = qa("ask", FORO, "--json", "--min-score", "0", *where("../corpus", "../index"))
    data = json.loads(relative.stdout)["extracts"][0]
    assert data["citation"]["path"] == top.citation.path and data["citation"]["file"] == str(corpus / top.citation.path)


def test_on_a_terminal_the_location_is_a_hyperlink(built):
    import os
    from urllib.parse import quote

    from qa.cli import _render

    corpus, index = built
    answer = session(corpus, index, min_score=0.0).ask(session(corpus, index).open(), FORO)
    top = answer.extracts[0]
    text = _render(answer, color=True)
    link = f"\x1b]8;;file://{quote(os.uname().nodename)}{quote(top.citation.file)}\x1b\\corpus/{top.citation.path}:{top.citation.line}\x1b]8;;\x1b\\"
    assert link in text and "\x1b[1;33m" in text
    assert "\x1b" not in _render(answer, color=False)


def test_also_in_names_the_publisher_in_the_order_of_the_source_line(built):
    from qa.citation import also_in_line, source_line
    from qa.records import Citation, Source

    s = Source("q", "body", Citation("d", "wire/ap.txt", None, "Prisoners freed", "AP", None, "2026-01-14", None, 0, 10, 3))
    assert source_line(s.citation) == "Prisoners freed · AP · 2026-01-14"
    assert also_in_line(s) == "Prisoners freed · AP · 2026-01-14 · wire/ap.txt:3"
    bare = Citation("d", "x.txt", None, None, None, None, None, None, 0, 1, 1)
    assert also_in_line(Source("q", "body", bare)) == "(untitled) · (publisher not stated) · (undated) · x.txt:1"


# --version, --help, completion

def test_version():
    from qa import __version__

    result = qa("--version")
    assert (result.exit_code, result.stdout) == (0, f"qa {__version__}\n")


COMMANDS = [["ask"], ["chat"], ["index", "build"], ["index", "update"], ["index", "status"]]
FLAGS = {"--json", "--check", "--help"}


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_gives_every_default_and_no_type_tags(command):
    result = qa(*command, "--help")
    assert result.exit_code == 0
    for tag in ("INTEGER", "FLOAT", "PATH", "RANGE", "<str>", "<int", "x>=", "<=x", "{"):
        assert tag not in result.stdout, tag
    options = re.findall(r"^  (-\S+(?:, --\S+)?)(?: [A-Z]+)?((?:.*\n)(?:   .*\n)*)", result.stdout, flags=re.M)
    assert len(options) >= 3
    for names, text in options:
        if not set(names.split(", ")) & FLAGS:
            assert "default" in text, names


def test_help_shows_the_fitted_min_score_and_the_folders_in_force(monkeypatch, tmp_path):
    fitted = api.default_min_score()
    assert f"[default:{fitted:.3f}]" in "".join(qa("ask", "--help").stdout.split())
    monkeypatch.setenv("QA_CORPUS", str(tmp_path / "docs"))
    text = "".join(qa("chat", "--help").stdout.split())  # the help wraps long paths anywhere
    assert f"[default:{tmp_path / 'docs'}]" in text and "[default:./index]" in text


def test_shell_completion_is_offered_and_completes():
    top = qa("--help").stdout
    assert "--install-completion" in top and "--show-completion" in top
    script = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="qa")
    assert script.exit_code == 0 and "_QA_COMPLETE=complete_bash" in script.stdout
    env = {"_QA_COMPLETE": "complete_bash", "COMP_WORDS": "qa index st", "COMP_CWORD": "2"}
    assert CliRunner().invoke(app, [], prog_name="qa", env=env).stdout == "status\n"


def test_qa_corpus_and_qa_index_are_honoured(seed_corpus, tmp_path, fake_encoder):
    index = tmp_path / "env-index"
    env = {"QA_CORPUS": str(seed_corpus), "QA_INDEX": str(index)}
    built = qa("index", "build", *FAKE, env=env)
    assert built.exit_code == 0, built.stderr
    assert built.stdout.endswith(f" -> {index}\n") and (index / "CURRENT").is_file()
    assert "run: qa index update\n" not in built.stdout
    status = qa("index", "status", env=env)
    assert status.stdout.splitlines()[0] == f"index     {index}"
    assert f"corpus    {seed_corpus} unchanged since the build" in status.stdout
    asked = qa("ask", FORO, "--json", "--min-score", "0", env=env)
    assert asked.exit_code == 0
    check_json_answer(json.loads(asked.stdout), seed_corpus, FORO)
    # a flag beats the variable
    elsewhere = qa("index", "status", "--index", tmp_path / "other", env=env)
    assert elsewhere.exit_code == 1 and str(tmp_path / "other") in elsewhere.stdout


def test_without_flags_or_variables_corpus_and_index_are_in_the_working_folder(seed_corpus, tmp_path, fake_encoder):
    assert seed_corpus == tmp_path / "corpus"  # the working folder is tmp_path
    result = qa("index", "build", *FAKE)
    assert result.exit_code == 0
    assert result.stdout.endswith(" -> ./index\n") and (tmp_path / "index" / "CURRENT").is_file()


@pytest.mark.parametrize("command", [["index", "build"], ["index", "update"], ["ask", "Who?"]])
def test_an_index_path_that_is_a_file_exits_2(seed_corpus, tmp_path, fake_encoder, command):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("mine", encoding="utf-8")
    result = qa(*command, "--corpus", str(seed_corpus), "--index", str(a_file), *FAKE)
    assert result.exit_code == 2
    assert f"error: index path {a_file} is not a folder" in result.stderr
    assert a_file.read_text(encoding="utf-8") == "mine"
