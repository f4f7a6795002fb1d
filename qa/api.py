"""The small library API that both faces (CLI and TUI) call.

Nothing here imports typer, textual or rich; heavy libraries load on first use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from qa import answer as _answer
from qa import store
from qa.build import Progress, build_index
from qa.errors import QAError
from qa.index import Index, load_index
from qa.paths import default_paths
from qa.records import Answer, BuildReport, CorpusDiff, Filters

__all__ = ["Answer", "BuildReport", "Filters", "Index", "Status", "answer_dict", "ask", "build", "default_paths",
           "open_index", "status", "update"]

MIN_SCORE = _answer.MIN_SCORE


def build(corpus: Path, index: Path, *, model: str | None = None, index_type: str = "auto",
          progress: Progress | None = None, encoder=None) -> BuildReport:
    """Full rebuild: every chunk is embedded again."""
    return build_index(corpus, index, model=model, index_type=index_type, progress=progress, encoder=encoder)


def update(corpus: Path, index: Path, *, model: str | None = None, index_type: str = "auto",
           progress: Progress | None = None, encoder=None) -> BuildReport:
    """Incremental: only new or changed chunks are embedded."""
    return build_index(corpus, index, model=model, index_type=index_type, progress=progress, encoder=encoder,
                       incremental=True)


def open_index(index: Path, *, model: str | None = None) -> Index:
    return load_index(index, model=model)


def ask(index: Index, question: str, *, top_k: int = 3, filters: Filters = Filters(),
        min_score: float = MIN_SCORE) -> Answer:
    question = question.strip()
    if not question:
        raise QAError("the question is empty")
    if top_k < 1:
        raise QAError("--top-k must be at least 1")
    return _answer.ask(index, question, top_k=top_k, filters=filters, min_score=min_score)


def answer_dict(answer: Answer) -> dict:
    """The JSON shape of an answer (the nearest low-confidence passages are left out)."""
    data = asdict(answer)
    data.pop("nearest")
    return data


@dataclass(frozen=True)
class Status:
    index: Path
    exists: bool
    model: str | None
    dim: int | None
    index_type: str | None
    documents: int
    chunks: int
    created: str | None
    diff: CorpusDiff | None


def status(corpus: Path, index: Path) -> Status:
    if not store.exists(index):
        return Status(index, False, None, None, None, 0, 0, None, None)
    loaded = load_index(index)
    m = loaded.manifest
    return Status(index, True, m["model"]["name"], m["model"]["dim"], m.get("index_type"),
                  m["counts"]["documents"], m["counts"]["chunks"], m.get("created"), loaded.corpus_diff(corpus))
