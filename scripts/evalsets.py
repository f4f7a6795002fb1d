"""The question sets answer quality is measured on, and the indexes they are asked against.

    eval    tests/data/eval.jsonl over corpus/: 108 questions, many worded like their answer
    short   tests/data/short.jsonl over corpus/: questions as a reader types them, near-topic
            questions the articles cannot answer, and statements to check
    squad   ../shared/bench/squad: half of SQuAD v1.1 dev, 24 Wikipedia articles, 5,397 questions
    <story> tests/data/stories/<story>/: one news event told by several outlets that give different
            figures (the articles, sources.csv, questions.jsonl, claims.jsonl), each its own corpus;
            its questions and expected (figure, source) pairs were written before qa was run on it

Own sets are split by question (their `split` field); SQuAD by article (sha256 of the
file name, a third held out), never by question. An extract answers when its quote
contains one of the answer strings (own sets) or its span contains one of the
accepted answer spans in the same document (SQuAD). Indexes are built once per
corpus and code version and cached in --work.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "bench" / "squad"
STORIES = ROOT / "tests" / "data" / "stories"
STORY_SETS = tuple(sorted(p.parent.name for p in STORIES.glob("*/questions.jsonl")))
SETS = ("eval", "short", "squad", *STORY_SETS)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    split: str  # train or heldout
    answers: tuple[str, ...] = ()  # substrings any of which makes a quote an answer (own sets)
    spans: tuple[tuple[str, int, int], ...] = ()  # (path, start, end) of accepted answers (SQuAD)
    kind: str = ""

    def answered_by(self, extract) -> bool:
        if self.spans:
            cited = extract.citation
            return any(cited.path == p and cited.start <= s and e <= cited.end for p, s, e in self.spans)
        return any(a in extract.quote for a in self.answers)


def corpus_of(name: str) -> Path:
    if name == "squad":
        return SQUAD / "corpus"
    return STORIES / name if name in STORY_SETS else ROOT / "corpus"


def claims_file(name: str) -> Path:
    """The expected who-says-what of a set: the bundled corpus's, or a story's."""
    return STORIES / name / "claims.jsonl" if name in STORY_SETS else ROOT / "tests" / "data" / "claims.jsonl"


def squad_split(path: str) -> str:
    return "heldout" if int(hashlib.sha256(path.encode()).hexdigest(), 16) % 3 == 0 else "train"


def load(name: str) -> list[Question]:
    if name == "squad":
        out = []
        for line in (SQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            spans = tuple(dict.fromkeys((row["path"], a["start"], a["end"]) for a in row["answers"]))
            out.append(Question(row["id"], row["question"], True, squad_split(row["path"]), spans=spans))
        return out
    file = STORIES / name / "questions.jsonl" if name in STORY_SETS else ROOT / "tests" / "data" / f"{name}.jsonl"
    rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Question(r["id"], r["question"], r["answerable"], r["split"], tuple(r.get("answers", ())),
                     kind=r.get("kind") or ("paraphrase" if r.get("paraphrase") else "direct")) for r in rows]


def _fingerprint(corpus: Path) -> str:
    """The corpus files and the code that turns them into an index."""
    digest = hashlib.sha256()
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        digest.update(path.relative_to(corpus).as_posix().encode() + b"\0" + path.read_bytes())
    for path in sorted(p for p in (ROOT / "qa").rglob("*") if p.suffix in (".py", ".json")):
        if path.parts[-2] in ("ingest", "readers", "index", "embed", "annotate", "rules"):  # rules: the word lists
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def index_for(name: str, work: Path) -> Path:
    """A built index of the set's corpus, rebuilt only when the corpus or the build code changed."""
    from qa import api

    corpus = corpus_of(name)
    label = "squad" if name == "squad" else name if name in STORY_SETS else "seed"
    folder = work / f"{label}-{_fingerprint(corpus)}"
    if not (folder / "CURRENT").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        api.build(corpus, folder)
    return folder
