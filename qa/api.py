"""The small library API that both faces (the CLI and the chat) call, and the policy they share.

A `Session` owns the defaults (folders, --top-k, the fitted --min-score),
building an index that is missing, the staleness check and the wording of
refusals and warnings, so the faces only present what it returns. Nothing here
imports typer, textual or rich; heavy libraries load on first use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa.controls import strip_pasted
from qa.errors import QAError
from qa.paths import default_paths
from qa.questions import MAX_CHARS as MAX_QUESTION_CHARS
from qa.questions import Line, read_lines
from qa.questions import check as check_question
from qa.records import Answer, BuildReport, CorpusDiff, Filters, Listed, Listing, Shown, ShownSentence, Skipped

if TYPE_CHECKING:
    from qa.index.build import Progress
    from qa.index.loaded import Index

__all__ = ["MAX_QUESTION_CHARS", "REFUSAL", "Answer", "BuildReport", "Filters", "Line", "Session", "Status", "answer_dict",
           "ask", "build", "changes", "check_question", "default_min_score", "default_paths", "listing", "open_index",
           "pasted_question", "preload", "read_lines", "show", "status", "update"]

REFUSAL = "The documents do not answer this question."
TOP_K = 3


def default_min_score() -> float:
    """The confidence an extract needs by default: fitted with the answer model (qa/rank/ranker.json)."""
    from qa.rank import model

    return model.load().min_score


def build(corpus: Path, index: Path, *, model: str | None = None, index_type: str = "auto",
          progress: Progress | None = None, encoder=None, follow_symlinks: bool | None = None) -> BuildReport:
    """Full rebuild: every chunk is embedded again. Links leading out of the corpus folder are
    read only with `follow_symlinks`."""
    from qa.index.build import build_index

    return build_index(corpus, index, model=model, index_type=index_type, progress=progress, encoder=encoder,
                       follow_symlinks=follow_symlinks)


def update(corpus: Path, index: Path, *, model: str | None = None, index_type: str = "auto",
           progress: Progress | None = None, encoder=None, follow_symlinks: bool | None = None) -> BuildReport:
    """Incremental: only new or changed chunks are embedded; `follow_symlinks` None reads the
    corpus as the live version was read."""
    from qa.index.build import build_index

    return build_index(corpus, index, model=model, index_type=index_type, progress=progress, encoder=encoder,
                       incremental=True, follow_symlinks=follow_symlinks)


def open_index(index: Path, *, model: str | None = None) -> Index:
    from qa.index.loaded import load_index

    return load_index(index, model=model)


def ask(index: Index, question: str, *, top_k: int = TOP_K, filters: Filters = Filters(),
        min_score: float | None = None) -> Answer:
    """Answer with quotes; `min_score` None means the fitted default."""
    from qa.answer import select

    question = check_question(question)  # text, not empty, at most MAX_QUESTION_CHARS
    if top_k < 1:
        raise QAError("--top-k must be at least 1")
    return select.ask(index, question, top_k=top_k, filters=filters, min_score=min_score)


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
    skipped: tuple[Skipped, ...] = ()


def status(corpus: Path, index: Path) -> Status:
    """What the index holds, from its manifest, and how the corpus differs from it. Every file's
    checksum is verified (cheap), but nothing is parsed."""
    from qa.index import store
    from qa.index.loaded import corpus_diff

    if not store.exists(index):
        return Status(index, False, None, None, None, 0, 0, None, None)
    _folder, m = store.open_version(index)
    skipped = tuple(Skipped(p, r) for p, r in sorted(m.get("skipped", {}).items()))
    return Status(index, True, m["model"]["name"], m["model"]["dim"], m.get("index_type"),
                  m["counts"]["documents"], m["counts"]["chunks"], m.get("created"), corpus_diff(m, corpus), skipped)


def preload(index: Path) -> None:
    """Start loading the live version's query encoder in the background (`qa ask` calls this first)."""
    from qa.embed import onnx
    from qa.index import store

    name = store.current_name(index)
    if name:
        onnx.preload(index / name / "encoder")


def listing(index: Path) -> Listing:
    """Every indexed document with its metadata and where each field came from, and the skipped files."""
    from qa.index.loaded import read_documents

    manifest, docs = read_documents(index)
    listed = tuple(Listed(d.path, d.format, d.title, d.publisher, d.author, d.date, d.url, len(d.pages) or None,
                          dict(d.origins), d.notes) for d in docs)
    skipped = tuple(Skipped(path, reason) for path, reason in sorted(manifest.get("skipped", {}).items()))
    return Listing(listed, skipped)


def show(index: Index, corpus: Path, path: str) -> Shown:
    """The indexed text of one document, given by its path in the corpus (or as a path to the file)."""
    rel = _corpus_path(corpus, path)
    number = next((n for n, d in enumerate(index.documents) if d.path == rel), None)
    if number is None:
        raise QAError(f"no document {rel!r} in the index", hint="qa docs lists the indexed documents")
    sentences = tuple(ShownSentence(s, e, k) for s, e, k in index.sentence_spans[number])
    return Shown(rel, index.texts[number], sentences)


def _corpus_path(corpus: Path, path: str) -> str:
    """`path` relative to the corpus: as given, or as a path to a file inside the corpus folder."""
    given = Path(path)
    if given.exists():
        try:
            return given.resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            pass
    return path.replace("\\", "/").removeprefix("./")


def changes(diff: CorpusDiff) -> str:
    """A corpus change in words: "1 added, 2 changed, 0 removed"."""
    return f"{len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed"


class Session:
    """One corpus and its index, as a face uses them: opened on demand, built when missing."""

    def __init__(self, corpus: Path | None = None, index: Path | None = None, *, model: str | None = None,
                 top_k: int = TOP_K, min_score: float | None = None) -> None:
        self.corpus, self.index_path = default_paths(corpus, index)
        self.model = model
        self.top_k = top_k
        self._min_score = min_score

    @property
    def min_score(self) -> float:
        return default_min_score() if self._min_score is None else self._min_score

    def has_index(self) -> bool:
        """Whether an index was published (even a broken one: that is reported, not rebuilt silently)."""
        from qa.index import store

        return store.exists(self.index_path)

    def build(self, progress: Progress | None = None, *, incremental: bool = False, index_type: str = "auto",
              follow_symlinks: bool | None = None) -> BuildReport:
        run = update if incremental else build
        return run(self.corpus, self.index_path, model=self.model or self.index_model(), index_type=index_type,
                   progress=progress, follow_symlinks=follow_symlinks)

    def index_model(self) -> str | None:
        """The model the existing index was built with (a rebuild keeps it unless --model says otherwise)."""
        from qa.index import store

        try:
            return store.open_version(self.index_path, verify=False)[1]["model"]["name"]
        except (QAError, KeyError, TypeError):
            return None

    def open(self) -> Index:
        return open_index(self.index_path, model=self.model)

    def stale(self, index: Index) -> CorpusDiff | None:
        """How the corpus changed since `index` was built (None: the corpus folder cannot be read)."""
        return index.corpus_diff(self.corpus)

    def ask(self, index: Index, question: str, filters: Filters = Filters()) -> Answer:
        return ask(index, question, top_k=self.top_k, filters=filters, min_score=self.min_score)


def pasted_question(text: str) -> str:
    """Pasted text as question text: escape sequences and control characters dropped, line breaks as spaces."""
    return strip_pasted(text)
