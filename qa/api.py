"""The small library API that both faces (the CLI and the chat) call, and the policy they share.

A `Session` owns the defaults (folders, --top-k, the fitted --min-score),
building an index that is missing, the staleness check and the wording of
refusals and warnings, so the faces only present what it returns. Nothing here
imports typer, textual or rich; heavy libraries load on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from qa import saving
from qa.citation import visible
from qa.controls import shell_word, strip_pasted
from qa.errors import QAError
from qa.incoming import MAX_CHARS as MAX_QUESTION_CHARS
from qa.incoming import Line, read_lines
from qa.incoming import check as check_question
from qa.paths import default_paths
from qa.records import (
    Answer,
    BuildReport,
    CorpusDiff,
    Document,
    Filters,
    Listed,
    Listing,
    Shown,
    Skipped,
    Timeline,
)

if TYPE_CHECKING:
    from qa.index.build import Progress
    from qa.index.loaded import Index

__all__ = ["MAX_QUESTION_CHARS", "REFUSAL", "Answer", "BuildReport", "Filters", "Line", "Session", "Status",
           "answer_dict", "ask", "build", "changes", "check_question", "default_min_score", "default_paths",
           "filter_notes", "formats", "listing", "open_index", "pasted_question", "preload", "read_lines", "show", "shown",
           "status", "timeline", "update", "version"]

REFUSAL = "The documents do not answer this question."
EMPTY_TIMELINE = "The documents say nothing about this with confidence."
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


def build_warnings(report: BuildReport) -> list[str]:
    """What a build skipped or noticed, one warning a line."""
    return [*(f"warning: skipped {visible(s.path)}: {visible(s.reason)}" for s in report.skipped),
            *(f"warning: {visible(note)}" for note in report.notes)]


def open_index(index: Path, *, model: str | None = None, corpus: Path | None = None) -> Index:
    """The live version of an index; with `corpus`, its citations name each file's absolute path."""
    from qa.index.loaded import load_index

    return load_index(index, model=model, corpus=corpus)


def ask(index: Index, question: str, *, top_k: int = TOP_K, filters: Filters = Filters(),
        min_score: float | None = None) -> Answer:
    """Answer with quotes; `min_score` None means the fitted default."""
    from qa import pipeline

    question = check_question(question)  # text, not empty, at most MAX_QUESTION_CHARS
    if top_k < 1:
        raise QAError("--top-k must be at least 1")
    return pipeline.ask(index, question, top_k=top_k, filters=filters, min_score=min_score)


def timeline(index: Index, topic: str, *, filters: Filters = Filters(), min_score: float | None = None) -> Timeline:
    """What the documents say about `topic`, ordered by when it happened or was said."""
    from qa import pipeline

    topic = topic.strip()
    if not topic:
        raise QAError("the topic is empty")
    topic = check_question(topic)  # bounded as a question is
    return pipeline.dated(index, topic, filters, min_score)


def formats() -> str:
    """The file suffixes a build reads, in words: ".txt, .md, .html, ... and .eml"."""
    from qa.ingest.readers import SUFFIXES

    return ", ".join(SUFFIXES[:-1]) + " and " + SUFFIXES[-1]


def shown(path: Path) -> str:
    """A folder as messages name it: as given, but never a bare word ("./index", not "index"),
    and quoted for the shell when it holds spaces or the like."""
    text = path.as_posix()
    if not path.is_absolute() and not text.startswith("."):
        text = "./" + text
    return shell_word(text)


def version(index: Index) -> str:
    """Which version of the index answered: its folder name and when it was built."""
    created = index.manifest.get("created")
    return f"{index.folder.name} (built {created})" if created else index.folder.name


def filter_notes(documents: Sequence[Document], filters: Filters, *, answered: bool = True) -> tuple[str, ...]:
    """What a filter did that a reader should know: which filter matched no document (for a refusal),
    and how many documents a date filter left out because they are undated."""
    if not filters.active:
        return ()
    sourced = [d for d in documents if Filters(source=filters.source).admits(d)]
    dated = filters.since or filters.until
    notes = []
    if not answered and not any(filters.admits(d) for d in documents):
        where = f"whose publisher or path contains “{visible(filters.source or '')}”"
        when = _dates(filters)
        if not sourced:
            notes.append(f"No document's publisher or path contains “{visible(filters.source or '')}”.")
        elif not any(Filters(since=filters.since, until=filters.until).admits(d) for d in documents):
            notes.append(f"No document is dated {when}.")
        else:
            notes.append(f"No document {where} is dated {when}.")
    undated = sum(d.date is None for d in sourced) if dated else 0
    if undated:
        among = "documents that match the source" if filters.source else "documents"
        verb, them = ("is", "it") if undated == 1 else ("are", "them")
        notes.append(f"{undated} of the {len(sourced)} {among} {verb} undated, so the date filter leaves {them} out.")
    return tuple(notes)


def _dates(filters: Filters) -> str:
    if filters.since and filters.until:
        return f"from {filters.since} to {filters.until}"
    return f"on or after {filters.since}" if filters.since else f"on or before {filters.until}"


def answer_dict(answer: Answer) -> dict:
    """The JSON of an answer: its record, without the fields marked json=False (the nearest weak extracts)."""
    shown = {f.name for f in fields(Answer) if f.metadata.get("json", True)}
    return {k: v for k, v in asdict(answer).items() if k in shown}


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
        onnx.preload(_encoder_folder(index / name))


def _encoder_folder(version: Path) -> Path:
    """Where the version's query encoder is: the machine's cache entry its manifest names (checked,
    as every file, when the index opens), else the folder an older qa stored in the version."""
    import json

    from qa.embed import cache

    try:
        key = json.loads((version / "manifest.json").read_text(encoding="utf-8"))["model"]["encoder"]
    except (OSError, ValueError, KeyError, TypeError):
        key = None
    return cache.folder_of(key) if isinstance(key, str) and key.isalnum() else version / "encoder"


def listing(index: Path, corpus: Path | None = None) -> Listing:
    """Every indexed document with its metadata and where each field came from, and the skipped files."""
    from qa.index.loaded import read_documents

    manifest, docs = read_documents(index)
    listed = tuple(Listed(d.cite("", corpus=corpus), d.format, len(d.pages) or None, dict(d.origins), d.notes) for d in docs)
    skipped = tuple(Skipped(path, reason) for path, reason in sorted(manifest.get("skipped", {}).items()))
    return Listing(listed, skipped)


def sources_file(corpus: Path) -> Path:
    """Where a corpus's sources.csv is."""
    from qa.ingest.files import SOURCES_FILE

    return corpus / SOURCES_FILE


def sources_template(found: Listing, header: bool) -> str:
    """A sources.csv to fill in for the documents that lack a title, publisher or date."""
    from qa.ingest.sources import template

    fields = ("title", "publisher", "author", "date", "url")
    return template([(d.citation.path, {name: getattr(d.citation, name) for name in fields}) for d in found.documents
                     if not (d.citation.title and d.citation.publisher and d.citation.date)], header=header)


def show(index: Index, corpus: Path, path: str) -> Shown:
    """The indexed text of one document, given by its path in the corpus (or as a path to the file)."""
    rel = _corpus_path(corpus, path)
    number = next((n for n, d in enumerate(index.documents) if d.path == rel), None)
    if number is None:
        raise QAError(f"no document {rel!r} in the index", hint="qa docs lists the indexed documents")
    return index.shown(number)


def _corpus_path(corpus: Path, path: str) -> str:
    """`path` relative to the corpus: as given, or as a path to a file inside the corpus folder."""
    given = Path(path)
    if given.exists():
        try:
            return given.resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            pass
    return path.replace("\\", "/").removeprefix("./")


def day(value: str | None, name: str) -> str | None:
    """A date a filter takes, as YYYY-MM-DD; a QAError naming its flag or field (`name`) otherwise."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise QAError(f"{name} takes a date as YYYY-MM-DD, not {value!r}") from None


def weaker(answer: Answer, min_score: float) -> tuple[str, ...]:
    """For a refusal, how many weaker extracts scored below --min-score, since lowering it would show them."""
    n = 0 if answer.answered else len(answer.nearest)
    return (f"({n} weaker extract{'s' if n != 1 else ''} scored below --min-score {min_score:g}; "
            f"lower it to see {'them' if n != 1 else 'it'})",) if n else ()


def changes(diff: CorpusDiff) -> str:
    """A corpus change in words: "1 added, 2 changed, 0 removed"."""
    return f"{len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed"


class Session:
    """One corpus and its index, as a face uses them: opened on demand, built when missing.

    The core is handed absolute folders, so what it says names them unambiguously;
    commands it advises repeat the folders and model as the user gave them."""

    def __init__(self, corpus: Path | None = None, index: Path | None = None, *, model: str | None = None,
                 top_k: int = TOP_K, min_score: float | None = None) -> None:
        self.corpus, self.index_path = default_paths(corpus, index)
        self._given = (("--corpus", corpus), ("--index", index))
        self._corpus = Path(os.path.abspath(self.corpus))
        self._index = Path(os.path.abspath(self.index_path))
        self.model = model
        self.top_k = top_k
        self._min_score = min_score

    @property
    def min_score(self) -> float:
        return default_min_score() if self._min_score is None else self._min_score

    @min_score.setter
    def min_score(self, value: float | None) -> None:
        self._min_score = value

    def command(self, verb: str) -> str:
        """The `qa index` command that fixes something, with the folders and model this session was given."""
        words = ["qa", "index", verb]
        for flag, value in (*self._given, ("--model", self.model)):
            if value is not None:
                words += [flag, shell_word(str(value))]
        return " ".join(words)

    def _advised(self, exc: QAError) -> QAError:
        """The core's advice to run `qa index build`, with this session's folders."""
        if exc.hint and "qa index build" in exc.hint:
            exc.hint = exc.hint.split("qa index build", 1)[0] + self.command("build")
        return exc

    def has_index(self) -> bool:
        """Whether an index was published (even a broken one: that is reported, not rebuilt silently)."""
        from qa.index import store

        return store.exists(self._index)

    def build(self, progress: Progress | None = None, *, incremental: bool = False, index_type: str = "auto",
              follow_symlinks: bool | None = None) -> BuildReport:
        run = update if incremental else build
        try:
            return run(self._corpus, self._index, model=self.model or self.index_model(), index_type=index_type,
                       progress=progress, follow_symlinks=follow_symlinks)
        except QAError as exc:
            raise self._advised(exc) from None

    def index_model(self) -> str | None:
        """The model the existing index was built with (a rebuild keeps it unless --model says otherwise)."""
        from qa.index import store

        try:
            return store.open_version(self._index, verify=False)[1]["model"]["name"]
        except (QAError, KeyError, TypeError):
            return None

    def open(self) -> Index:
        try:
            return open_index(self._index, model=self.model, corpus=self._corpus)
        except QAError as exc:
            raise self._advised(exc) from None

    def opened(self, progress: Progress | None = None, say: Callable[[str], None] = lambda line: None) -> Index:
        """The index, built first when there is none: `say` hears so, then the build's warnings."""
        if not self.has_index():
            say(f"no index at {shown(self.index_path)} yet; building it from {shown(self.corpus)}")
            for line in build_warnings(self.build(progress)):
                say(line)
        return self.open()

    def status(self) -> Status:
        try:
            return status(self._corpus, self._index)
        except QAError as exc:
            raise self._advised(exc) from None

    def stale(self, index: Index) -> CorpusDiff | None:
        """How the corpus changed since `index` was built (None: the corpus folder cannot be read)."""
        return index.corpus_diff(self._corpus)

    def readable_corpus(self, index: Index) -> CorpusDiff:
        """How the corpus changed since `index` was built; a QAError naming the corpus folder when it cannot be
        read, since every source line would then name a file that cannot be opened or checked."""
        diff = self.stale(index)
        if diff is None:
            from qa.ingest.files import discover

            try:
                discover(self._corpus)
                why = f"corpus folder {self._corpus} cannot be read"
            except QAError as exc:
                why = exc.message
            raise QAError(f"{why}, so no quote could be shown from it; give the corpus this index was built from "
                          "with --corpus")
        return diff

    def ask(self, index: Index, question: str, filters: Filters = Filters()) -> Answer:
        return ask(index, question, top_k=self.top_k, filters=filters, min_score=self.min_score)

    def timeline(self, index: Index, topic: str, filters: Filters = Filters()) -> Timeline:
        return timeline(index, topic, filters=filters, min_score=self.min_score)

    def listing(self) -> Listing:
        return listing(self._index, self._corpus)

    def save_target(self, name: str) -> Path:
        """The file a name typed in a save dialog names, or a QAError saying why nothing may be saved there."""
        return saving.target(name, {"the index folder": self._index, "the corpus folder": self._corpus})

    def save(self, path: Path, text: str) -> None:
        """Write `text` to `path` whole or not at all, checked again as it is written."""
        saving.write_text(self.save_target(str(path)), text)

    def explain(self, answer: Answer, index: Index, filters: Filters) -> tuple[str, ...]:
        """What the filters did to this answer, in words both faces show as they are."""
        return filter_notes(index.documents, filters, answered=answer.answered)


def pasted_question(text: str) -> str:
    """Pasted text as question text: escape sequences and control characters dropped, line breaks as spaces."""
    return strip_pasted(text)
