"""Plain immutable records that cross module boundaries.

The JSON that `qa ask --json` prints is `dataclasses.asdict` of these, so a field
added here shows up in the output without a second hand-built dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str  # relative to the corpus folder, with forward slashes
    title: str | None
    publisher: str | None
    date: str | None  # YYYY-MM-DD
    sha256: str
    size: int


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    start: int
    end: int
    boilerplate: bool


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...]  # document offsets of each sentence


@dataclass(frozen=True)
class Source:
    doc_id: str
    path: str
    title: str | None
    publisher: str | None
    date: str | None
    start: int
    end: int
    line: int
    file: str | None = None  # the absolute path, filled in by api.Session (the index knows only `path`)


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int


@dataclass(frozen=True)
class Extract:
    rank: int
    quote: str
    highlight: Highlight
    score: float
    doc_id: str
    path: str
    title: str | None
    publisher: str | None
    date: str | None
    start: int
    end: int
    line: int
    also_in: tuple[Source, ...] = ()
    file: str | None = None  # the absolute path, filled in by api.Session (the index knows only `path`)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    extracts: tuple[Extract, ...]
    nearest: tuple[Extract, ...] = field(default=(), metadata={"json": False})


@dataclass(frozen=True)
class Filters:
    source: str | None = None
    since: str | None = None
    until: str | None = None

    def admits(self, doc: Document) -> bool:
        if self.source:
            needle = self.source.lower()
            hay = f"{doc.publisher or ''}\n{doc.path}".lower()
            if needle not in hay:
                return False
        if self.since and (doc.date is None or doc.date < self.since):
            return False
        return not (self.until and (doc.date is None or doc.date > self.until))

    @property
    def active(self) -> bool:
        return bool(self.source or self.since or self.until)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    embedded: int  # chunks whose vectors were computed (not reused)
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True)
class CorpusDiff:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)
