"""Plain immutable records that cross module boundaries.

The JSON that `qa ask --json` prints is `dataclasses.asdict` of these, so a field
added here shows up in the output without a second hand-built dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    number: int  # 1-based physical page
    label: str | None  # the printed label ("iv", "A-3") when the PDF defines labels
    start: int  # offset of the page's first character in the document's text


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str  # relative to the corpus folder, with forward slashes
    title: str | None
    publisher: str | None
    date: str | None  # YYYY-MM-DD
    sha256: str
    size: int
    author: str | None = None
    url: str | None = None
    format: str = "text"  # text, markdown, html, pdf, docx, email
    pages: tuple[Page, ...] = ()  # where each page starts (paged formats only)
    origins: tuple[tuple[str, str], ...] = ()  # (field, where it was read): ("date", "pdf-info"), ("publisher", "sources.csv")
    notes: tuple[str, ...] = ()  # how the text was got, when a reader had to say ("main text not found: ...")

    def page_at(self, offset: int) -> Page | None:
        """The page holding `offset` (None for a format without pages)."""
        found = None
        for page in self.pages:
            if page.start > offset:
                break
            found = page
        return found


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
    author: str | None = None
    url: str | None = None
    page: int | None = None  # 1-based physical page of `start`, for paged formats
    page_label: str | None = None  # that page's printed label, when the document defines labels
    kind: str = "body"  # body, caption (a photo caption in the outlet's words) or quoted (someone else's, in an e-mail)
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
    author: str | None = None
    url: str | None = None
    page: int | None = None
    page_label: str | None = None
    kind: str = "body"
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
    notes: tuple[str, ...] = ()  # warnings that stopped nothing (a sources.csv row naming no document, ...)


# What the build's annotation stage (qa.annotate) found in a sentence; offsets are document offsets.
@dataclass(frozen=True)
class Entity:
    label: str  # spaCy's label: PERSON, ORG, GPE, LOC, FAC, NORP, DATE, TIME, CARDINAL, MONEY, ...
    start: int
    end: int


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Statement:
    speaker: Span  # who speaks: "a person familiar with the matter", "He"
    verb: str  # the reporting verb's lemma ("say", "tell", "confirm") or "according to"
    via: Span | None = None  # an outlet relaying it: "told the New York Times", "according to Reuters"
    refers_to: Span | None = None  # for a pronoun speaker, its antecedent in an earlier sentence


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: str | None = None  # one day, ISO
    start_date: str | None = None  # a period, inclusive; end_date None for "since 2013"
    end_date: str | None = None

    @property
    def resolved(self) -> bool:
        return self.date is not None or self.start_date is not None


@dataclass(frozen=True)
class SentenceNotes:
    entities: tuple[Entity, ...] = ()
    statement: Statement | None = None
    dates: tuple[DateMention, ...] = ()


@dataclass(frozen=True)
class Listed:
    """One indexed document as `qa docs` lists it."""

    path: str
    format: str
    title: str | None
    publisher: str | None
    author: str | None
    date: str | None
    url: str | None
    pages: int | None  # None for a format without pages
    origins: dict[str, str]  # field -> where it was read (html-meta, pdf-info, front-matter, sources.csv, text, ...)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listing:
    documents: tuple[Listed, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class ShownSentence:
    start: int
    end: int
    kind: str  # body, heading, boilerplate, quoted, caption
    entities: tuple[Entity, ...] = ()
    statement: Statement | None = None
    dates: tuple[DateMention, ...] = ()


@dataclass(frozen=True)
class Shown:
    """A document's text exactly as indexed (every quote's offsets refer to it), sentence by sentence."""

    path: str
    text: str
    sentences: tuple[ShownSentence, ...]


@dataclass(frozen=True)
class CorpusDiff:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)
