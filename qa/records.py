"""Plain immutable records that cross module boundaries.

The JSON that `qa ask --json` prints is `dataclasses.asdict` of these, so a field
added here shows up in the output without a second hand-built dict.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path


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
    lines: tuple[tuple[int, int], ...] = ()  # (sentence start, line of the file) where the reader rebuilt the text

    def line_at(self, text: str, offset: int) -> int | None:
        """The line of the original file where the text at `offset` begins: counted in the text for plain
        text and Markdown (the file itself), found for a web page or an e-mail (None where no exact line
        is known), None for a PDF or a Word file (cited by page, or not by line)."""
        if self.format in ("text", "markdown"):
            return text.count("\n", 0, offset) + 1
        i = bisect.bisect_left(self.lines, (offset, 0))
        return self.lines[i][1] if i < len(self.lines) and self.lines[i][0] == offset else None

    def cite(self, text: str, start: int | None = None, end: int | None = None, corpus: Path | None = None) -> Citation:
        """The citation of text[start:end] of this document (its indexed `text`), or of the whole document."""
        page = self.page_at(start) if start is not None else None
        return Citation(self.doc_id, self.path, str(corpus / self.path) if corpus else None, self.title, self.publisher,
                        self.author, self.date, self.url, start, end, None if start is None else self.line_at(text, start),
                        page.number if page else None, page.label if page else None)

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
class Citation:
    """Where a quote is and what it is from: the one record every quote's source line is written from
    (an extract, the other documents carrying it, a claim's sources, a timeline entry, a `qa docs` row).
    Built in one place, `qa.index.loaded.Index.citation`."""

    doc_id: str
    path: str  # relative to the corpus folder, with forward slashes
    file: str | None  # the absolute path (None when the corpus folder is not known)
    title: str | None
    publisher: str | None
    author: str | None
    date: str | None  # the document's date, YYYY-MM-DD
    url: str | None
    start: int | None = None  # the quote's offsets in the document's indexed text (None: the whole document)
    end: int | None = None
    line: int | None = None  # the line of the original file where it begins; None where none is known exactly (PDF, Word)
    page: int | None = None  # 1-based physical page of `start`, for paged formats
    page_label: str | None = None  # that page's printed label, when the document defines labels


@dataclass(frozen=True)
class Passage:
    """One indexed sentence as every stage after the index reads it (`Index.passage(row)`): its text, what
    the build's annotation stage found in it (document offsets) and its citation."""

    row: int  # its number among the sentences that can answer (what retrieval and ranking score)
    text: str  # the document's text[citation.start:citation.end]
    kind: str  # body, heading, caption, quoted
    citation: Citation
    entities: tuple[Entity, ...] = ()
    statement: Statement | None = None
    dates: tuple[DateMention, ...] = ()
    credits: tuple[Credit, ...] = ()  # figures credited by their own clause; the others are the statement's
    antecedent: str | None = None  # for a pronoun speaker, the words it stands for (from an earlier sentence)

    @property
    def start(self) -> int:
        return self.citation.start or 0

    def words(self, start: int, end: int) -> str:
        """The sentence's text between two document offsets."""
        return self.text[start - self.start:end - self.start]

    def speaker(self) -> str | None:
        """Who the statement says speaks, verbatim ("a person familiar with the matter", "He")."""
        return self.words(self.statement.speaker.start, self.statement.speaker.end) if self.statement else None


@dataclass(frozen=True)
class Source:
    """Another document carrying an extract's sentence (syndicated copy), in its own words."""

    quote: str  # this document's own sentence (syndicated copy may differ)
    kind: str  # body, caption (a photo caption in the outlet's words) or quoted (someone else's, in an e-mail)
    citation: Citation


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
    kind: str  # of the best sentence: body, caption, quoted
    citation: Citation  # start/end: the quote's
    also_in: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Amount:
    """What a figure says: "56" is (56, 56, False), "about 50" (50, 50, True), "more than 100" (100, None,
    False), "fewer than 30" (None, 30, False), "800 to 1,200" (800, 1200, False), "dozens" (24, None, True)."""

    low: float | None
    high: float | None
    approximate: bool

    @property
    def anchor(self) -> float | None:
        """The number the reading rests on: two readings with the same anchor do not contradict each other."""
        return self.low if self.low is not None else self.high


@dataclass(frozen=True)
class ClaimSource:
    """One document giving a claim's value, with its own sentence."""

    quote: str  # the sentence: quote == document_text[citation.start:citation.end]
    value: str  # the value as this sentence writes it ("a far higher figure of 400" gives "400")
    value_start: int  # document offsets of the value, inside the sentence
    value_end: int
    attributed_to: str | None  # who this sentence says gave it (verbatim), None in the outlet's own voice
    citation: Citation
    compatible: bool = False  # a reading that admits the claim's value without being it ("over 400" beside 400)


@dataclass(frozen=True)
class Claim:
    """One value the documents give for what was asked, who gave it, and every document reporting it."""

    value: str  # verbatim, as its first sentence writes it
    kind: str  # number, person, organization, place, date, other
    amount: Amount | None  # for a number
    attributed_to: str | None  # verbatim speaker; None when the outlet states it in its own voice
    sources: tuple[ClaimSource, ...]


@dataclass(frozen=True)
class TimelineEntry:
    date: str | None  # YYYY-MM-DD: the first day of what the sentence dates, or its document's date
    date_end: str | None  # the last day, when the sentence dates a period
    date_basis: str | None  # stated (a date written out), resolved (relative words), published (the document's date)
    date_text: str | None  # the words the date came from ("Monday"); None for the document's date
    quote: str  # the sentence, document_text[citation.start:citation.end]
    citation: Citation  # its date is the document's own, shown in the source line


@dataclass(frozen=True)
class Timeline:
    question: str  # the topic asked about
    entries: tuple[TimelineEntry, ...]  # sorted by date
    undated: tuple[TimelineEntry, ...]  # neither the sentence nor its document gives a date: never guessed


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    extracts: tuple[Extract, ...]
    nearest: tuple[Extract, ...] = field(default=(), metadata={"json": False})
    claims: tuple[Claim, ...] = ()  # who says what: the values the documents give for what was asked
    agreement: str | None = None  # "agree" (two documents or more), "differ", "single" (one document), or None when nothing was found


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
class Credit:
    """Who a figure's own clause credits with it: "the government" for 400 in "... compared to the
    government's claim of 400", "Foro Penal" for 56 in "with Foro Penal confirming only 56"."""

    figure: Span
    speaker: Span
    # the reporting verb's clause ("what campaigners say is a tally of more than 800"): what the
    # figure is said of is said there; None for a noun ("claim of 400") or "according to X"
    scope: Span | None = None

    @property
    def asserted(self) -> bool:
        """False when the clause takes the figure back (denied, not said, said by no one, called
        false): the speaker span is then empty."""
        return self.speaker.start < self.speaker.end


@dataclass(frozen=True)
class SentenceNotes:
    entities: tuple[Entity, ...] = ()
    statement: Statement | None = None
    dates: tuple[DateMention, ...] = ()
    credits: tuple[Credit, ...] = ()  # figures credited by their own clause; the others are the statement's


@dataclass(frozen=True)
class Listed:
    """One indexed document as `qa docs` lists it."""

    citation: Citation  # the whole document: no offsets, line or page
    format: str
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
