"""Questions that are not clean text (bytes that are not UTF-8, UTF-16, byte order marks, NULs), on
stdin and in argv; stdin answered line by line as it arrives; a reader that goes away."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qa import api
from tests.hostile.conftest import HARBOUR, no_traceback, qa, run_qa, start_qa, where

GOOD = HARBOUR.encode()


def answered_questions(stdout: str) -> list[str]:
    return [json.loads(line)["question"] for line in stdout.splitlines() if line]


def test_invalid_utf8_on_stdin_is_read_with_replacement_and_the_batch_goes_on(small_built):
    corpus, index = small_built
    data = GOOD + b"\n\xff\xfe bad \xc3( bytes?\n" + GOOD + b"\n"
    result = qa("ask", "-", "--json", *where(corpus, index), input=data)
    no_traceback(result.stderr)
    assert result.exit_code in (0, 1)
    assert answered_questions(result.stdout) == [HARBOUR, "\ufffd\ufffd bad \ufffd( bytes?", HARBOUR]
    assert "warning: stdin line 2 is not valid UTF-8" in result.stderr


def test_utf16_stdin_with_a_byte_order_mark_is_decoded(small_built):
    corpus, index = small_built
    for encoding in ("utf-16", "utf-16-be"):
        data = ("\ufeff" if encoding.endswith("be") else "") + f"{HARBOUR}\r\nWho counted the boats?\n"
        result = qa("ask", "-", "--json", *where(corpus, index), input=data.encode(encoding))
        no_traceback(result.stderr)
        assert answered_questions(result.stdout) == [HARBOUR, "Who counted the boats?"], encoding


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_question(small_built):
    corpus, index = small_built
    result = qa("ask", "-", "--json", *where(corpus, index), input=b"\xef\xbb\xbf" + GOOD + b"\n")
    assert answered_questions(result.stdout) == [HARBOUR]


def test_a_line_with_nul_characters_is_refused_by_number_and_the_rest_answered(small_built):
    corpus, index = small_built
    result = qa("ask", "-", "--json", *where(corpus, index), input=b"H\x00o\x00w\x00?\x00\n" + GOOD + b"\n")
    assert result.exit_code == 2
    assert "error: stdin line 1 is not text" in result.stderr
    assert answered_questions(result.stdout) == [HARBOUR]


def test_undecodable_bytes_in_argv_are_replaced_not_a_crash(small_built):
    corpus, index = small_built
    surrogates = "How many \udcff\udcfe boats did the Quillmouth harbour master count?"  # what Python makes of bad argv bytes
    result = qa("ask", surrogates, "--json", *where(corpus, index))
    no_traceback(result.stderr)
    assert result.exit_code in (0, 1)
    assert json.loads(result.stdout)["question"] == "How many \ufffd\ufffd boats did the Quillmouth harbour master count?"
    real = run_qa("ask", os.fsencode(surrogates), "--index", index, "--corpus", corpus, "--json")  # real bytes in argv
    no_traceback(real.stderr)
    assert real.returncode in (0, 1) and "\ufffd" in json.loads(real.stdout)["question"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_any_bytes_on_stdin_become_lines_of_clean_bounded_text(data):
    from qa.incoming import MAX_CHARS, read_lines

    for line in read_lines(io.BytesIO(data)):
        if line.text is None:
            assert line.problem and line.problem.startswith(f"stdin line {line.number} ")
            continue
        assert line.text == line.text.strip() and line.text
        assert len(line.text) <= MAX_CHARS and "\x00" not in line.text
        line.text.encode("utf-8")  # always encodable: no lone surrogates reach the tokenizer


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_question_text_is_cleaned_to_encodable_text(text):
    from qa.incoming import clean

    cleaned = clean(text)
    cleaned.encode("utf-8")
    assert not cleaned.startswith("\ufeff")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(question=st.text(st.characters(codec="utf-8"), min_size=1, max_size=300))
def test_any_question_is_answered_refused_or_a_usage_error_never_a_crash(small_built, question):
    corpus, index = small_built
    assume(question != "-")  # that one means stdin
    result = qa("ask", *where(corpus, index), "--", question)  # after "--", even "-x" is a question
    assert result.exit_code in (0, 1, 2)
    no_traceback(result.stderr)
    if result.exit_code == 2:
        assert result.stderr.startswith("error: the question is empty")


def test_stdin_is_answered_line_by_line_as_it_arrives(small_built):
    corpus, index = small_built
    proc = start_qa("ask", "-", "--json", "--index", index, "--corpus", corpus, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(GOOD + b"\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 30)  # stdin is still open: the first answer must come now
        assert ready, "no answer to the first line while stdin stays open"
        first = json.loads(proc.stdout.readline())
        assert first["question"] == HARBOUR
        proc.stdin.write(b"Who counted the boats?\n")
        proc.stdin.close()
        rest = proc.stdout.read().decode()
        assert answered_questions(rest) == ["Who counted the boats?"]
        assert proc.wait(30) in (0, 1)
        no_traceback(proc.stderr.read())
    finally:
        proc.kill()
        proc.wait()


def test_a_reader_that_goes_away_ends_qa_quietly(small_built):
    corpus, index = small_built
    proc = start_qa("ask", "-", "--index", index, "--corpus", corpus, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    try:
        try:
            proc.stdin.write(GOOD + b"\n")
            proc.stdin.flush()
            assert select.select([proc.stdout], [], [], 30)[0], "no answer to the first line while stdin stays open"
            proc.stdout.readline()
            proc.stdout.close()  # like `head -1`
            for _ in range(50):
                proc.stdin.write(GOOD + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass  # qa already left
        code = proc.wait(30)
        stderr = proc.stderr.read()
        no_traceback(stderr)
        assert b"BrokenPipe" not in stderr and code in (0, 1, -13, 141)
    finally:
        proc.kill()
        proc.wait()


def test_stdin_that_is_empty_or_blank_still_says_so(small_built):
    corpus, index = small_built
    for data in (b"", b"\n \n\t\n", b"\xef\xbb\xbf\n"):
        result = qa("ask", "-", *where(corpus, index), input=data)
        assert (result.exit_code, result.stderr) == (2, "error: no question on stdin (one question per line; blank lines and lines starting with # are "
                                                       "skipped)\n")


def test_the_question_api_cleans_too(small_built):
    _corpus, index = small_built
    answer = api.ask(api.open_index(index), "\ufeff  How many \udcff boats?  ")
    assert answer.question == "How many \ufffd boats?"
