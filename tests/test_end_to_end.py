"""The real bundled model, end to end: build over the seed corpus, ask, and run the installed `qa` script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa import api

FORO = "How many prisoners did Foro Penal confirm had been freed?"
QA = Path(sys.executable).parent / "qa"

pytestmark = pytest.mark.model


def test_the_real_model_finds_the_number_foro_penal_confirmed(real_index):
    corpus, index = real_index
    loaded = api.open_index(index)
    assert loaded.model_name == "all-MiniLM-L6-v2"
    answer = api.ask(loaded, FORO)
    assert answer.answered
    top = answer.extracts[0]
    assert "56" in top.quote[top.highlight.start:top.highlight.end]
    assert top.quote == (corpus / top.citation.path).read_text(encoding="utf-8")[top.citation.start:top.citation.end]


def test_the_real_model_refuses_a_question_the_documents_do_not_answer(real_index):
    _corpus, index = real_index
    answer = api.ask(api.open_index(index), "What is the recipe for chocolate cake?")
    assert (answer.answered, answer.extracts) == (False, ())


def test_the_installed_qa_script_answers_in_json(real_index):
    corpus, index = real_index
    assert QA.is_file(), f"{QA} is missing; run: make setup"
    done = subprocess.run([str(QA), "ask", FORO, "--json", "--corpus", str(corpus), "--index", str(index)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["question"] == FORO and data["answered"] is True
    top = data["extracts"][0]
    assert "56" in top["quote"]
    text = (corpus / top["citation"]["path"]).read_text(encoding="utf-8")
    assert top["quote"] == text[top["citation"]["start"]:top["citation"]["end"]]
    assert top["citation"]["line"] == text.count("\n", 0, top["citation"]["start"]) + 1
