"""The questions on real files (tests/data/real/questions.jsonl, asked by scripts/eval_real.py) are
well formed: each names a set and a file of that set in the manifest, and where the file is one of
tests/data/real, each answer is a verbatim piece of its text as the readers read it. Files taken from
Debian packages are not here, so their answers are checked only when the script runs."""

from __future__ import annotations

from collections import Counter

import pytest

from qa.ingest.documents import LoadedDocument, read_document
from scripts.eval_real import REAL, load_manifest, load_questions

QUESTIONS = load_questions()
MANIFEST = load_manifest()
LOCAL = {entry["as"]: entry["local"] for spec in MANIFEST["sets"].values() for entry in spec["files"] if "local" in entry}


def test_each_question_has_its_fields_and_a_file_of_its_set():
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    for q in QUESTIONS:
        assert isinstance(q["question"], str) and q["question"].strip(), q["id"]
        assert q["answerable"] is True and q["split"] in ("train", "heldout"), q["id"]
        assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), q["id"]
        assert q["file"] in {entry["as"] for entry in MANIFEST["sets"][q["set"]]["files"]}, q["id"]
    assert Counter(q["set"] for q in QUESTIONS) == {"html": 12, "pdf": 14, "mixed": 10}


def test_each_file_comes_from_tests_data_real_or_a_named_package():
    for spec in MANIFEST["sets"].values():
        for entry in spec["files"]:
            if "local" in entry:
                assert (REAL / entry["local"]).is_file(), entry
            else:
                assert entry["package"] in MANIFEST["packages"] and entry["path"].startswith("usr/"), entry


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q["file"] in LOCAL], ids=lambda q: q["id"])
def test_each_answer_is_verbatim_in_the_text_read_from_its_file(question):
    loaded = read_document(REAL / LOCAL[question["file"]], REAL)
    assert isinstance(loaded, LoadedDocument), loaded
    for answer in question["answers"]:
        assert answer in loaded.text
