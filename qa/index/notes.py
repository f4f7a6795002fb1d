"""What the annotation stage found in every sentence, stored as arrays in `notes.npz`.

Answering reads entities, speakers and dates for a few hundred candidate sentences
per question, so they are kept as flat numpy arrays indexed by sentence (a
compressed-row layout: sentence i's entities are rows ent_ptr[i]:ent_ptr[i+1]),
read with allow_pickle=False, not parsed from JSON on every open. Dates are day
ordinals (datetime.date.toordinal), -1 where there is none.

`names.json` maps every named entity of the corpus, folded (lower case, accents
and a leading "the" removed), to the documents that name it, so a question's
names can be matched whole at query time without a parser.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa.annotate.records import EMPTY, Credit, DateMention, Entity, SentenceNotes, Span, Statement

FILE = "notes.npz"
NAMES_FILE = "names.json"
NAMED = ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """A name as compared: lower case, without accents, possessive or a leading "the"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("’", "'")
    text = text.removesuffix("'s").strip(" .,;:'\"“”")
    return text.removeprefix("the ").strip()


def _day(value: str | None) -> int:
    return date.fromisoformat(value).toordinal() if value else -1


def _iso(value: int) -> str | None:
    return date.fromordinal(int(value)).isoformat() if value >= 0 else None


@dataclass(frozen=True)
class Notes:
    labels: tuple[str, ...]  # entity label of each code
    verbs: tuple[str, ...]  # reporting verb of each code
    ent_ptr: np.ndarray  # per sentence, into the entity arrays
    ent_label: np.ndarray
    ent_start: np.ndarray
    ent_end: np.ndarray
    st_sentence: np.ndarray  # the sentences that hold a statement, sorted
    st_span: np.ndarray  # (k, 6): speaker start/end, via start/end, refers_to start/end (-1: none)
    st_verb: np.ndarray
    date_ptr: np.ndarray  # per sentence, into the date arrays
    date_span: np.ndarray  # (d, 2)
    date_days: np.ndarray  # (d, 3): one day, first day, last day of a period (-1: none)
    credit_ptr: np.ndarray  # per sentence, into credit_span
    credit_span: np.ndarray  # (c, 6): a figure's start/end, who its clause credits with it, that clause (-1: none)

    @classmethod
    def make(cls, per_sentence: Sequence[SentenceNotes]) -> Notes:
        labels = sorted({e.label for n in per_sentence for e in n.entities})
        verbs = sorted({n.statement.verb for n in per_sentence if n.statement})
        code = {label: i for i, label in enumerate(labels)}
        verb = {v: i for i, v in enumerate(verbs)}
        ents = [e for n in per_sentence for e in n.entities]
        dates = [d for n in per_sentence for d in n.dates]
        said = [(i, n.statement) for i, n in enumerate(per_sentence) if n.statement]

        def pair(span: Span | None) -> list[int]:
            return [span.start, span.end] if span else [-1, -1]

        return cls(
            tuple(labels), tuple(verbs),
            np.concatenate([[0], np.cumsum([len(n.entities) for n in per_sentence])]).astype(np.int64),
            np.asarray([code[e.label] for e in ents], dtype=np.int16),
            np.asarray([e.start for e in ents], dtype=np.int64), np.asarray([e.end for e in ents], dtype=np.int64),
            np.asarray([i for i, _ in said], dtype=np.int64),
            np.asarray([pair(s.speaker) + pair(s.via) + pair(s.refers_to) for _, s in said], dtype=np.int64).reshape(-1, 6),
            np.asarray([verb[s.verb] for _, s in said], dtype=np.int16),
            np.concatenate([[0], np.cumsum([len(n.dates) for n in per_sentence])]).astype(np.int64),
            np.asarray([[d.start, d.end] for d in dates], dtype=np.int64).reshape(-1, 2),
            np.asarray([[_day(d.date), _day(d.start_date), _day(d.end_date)] for d in dates], dtype=np.int64).reshape(-1, 3),
            np.concatenate([[0], np.cumsum([len(n.credits) for n in per_sentence])]).astype(np.int64),
            np.asarray([[c.figure.start, c.figure.end, c.speaker.start, c.speaker.end] + pair(c.scope)
                        for n in per_sentence for c in n.credits], dtype=np.int64).reshape(-1, 6),
        )

    def save(self, path: Path) -> None:
        arrays = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("labels", "verbs")}
        with open(path, "wb") as fh:
            np.savez(fh, labels=np.asarray(self.labels, dtype=str), verbs=np.asarray(self.verbs, dtype=str), **arrays)

    @classmethod
    def load(cls, path: Path) -> Notes:
        with np.load(path, allow_pickle=False) as data:
            missing = set(cls.__dataclass_fields__) - set(data.files)
            if missing:
                raise ValueError(f"{path.name} lacks {', '.join(sorted(missing))}")
            fields = {name: data[name] for name in cls.__dataclass_fields__}
        fields["labels"] = tuple(str(x) for x in fields["labels"])
        fields["verbs"] = tuple(str(x) for x in fields["verbs"])
        return cls(**fields)

    @property
    def sentences(self) -> int:
        return len(self.ent_ptr) - 1

    def entities(self, i: int) -> tuple[Entity, ...]:
        lo, hi = int(self.ent_ptr[i]), int(self.ent_ptr[i + 1])
        return tuple(Entity(self.labels[c], s, e) for c, s, e in zip(self.ent_label[lo:hi].tolist(),
                                                                       self.ent_start[lo:hi].tolist(), self.ent_end[lo:hi].tolist()))

    def statement(self, i: int) -> Statement | None:
        at = int(np.searchsorted(self.st_sentence, i))
        if at >= len(self.st_sentence) or self.st_sentence[at] != i:
            return None
        a, b, c, d, e, f = self.st_span[at].tolist()
        return Statement(Span(a, b), self.verbs[int(self.st_verb[at])], Span(c, d) if c >= 0 else None,
                         Span(e, f) if e >= 0 else None)

    def dates(self, i: int) -> tuple[DateMention, ...]:
        lo, hi = int(self.date_ptr[i]), int(self.date_ptr[i + 1])
        return tuple(DateMention(s, e, _iso(day), _iso(first), _iso(last))
                     for (s, e), (day, first, last) in zip(self.date_span[lo:hi].tolist(), self.date_days[lo:hi].tolist()))

    def credits(self, i: int) -> tuple[Credit, ...]:
        lo, hi = int(self.credit_ptr[i]), int(self.credit_ptr[i + 1])
        return tuple(Credit(Span(a, b), Span(c, d), Span(e, f) if e >= 0 else None)
                     for a, b, c, d, e, f in self.credit_span[lo:hi].tolist())

    def of(self, i: int) -> SentenceNotes:
        return SentenceNotes(self.entities(i), self.statement(i), self.dates(i), self.credits(i))


Reusable = dict[tuple[str, str | None], list[SentenceNotes]]  # (document sha256, date) -> its sentences' notes


def previous(notes: Notes, hashes: Sequence[str], dates: Sequence[str | None], doc_first: np.ndarray) -> Reusable:
    """A live version's notes per document, by content hash and date (dates resolve against it)."""
    return {(h, d): [notes.of(i) for i in range(int(doc_first[n]), int(doc_first[n + 1]))]
            for n, (h, d) in enumerate(zip(hashes, dates))}


def annotate_documents(docs: Sequence[tuple[str, str, str | None]], spans_of: Sequence[Sequence[tuple[int, int]]],
                       kinds_of: Sequence[Sequence[str]], reuse: Reusable, progress=None) -> tuple[Notes, int]:
    """Notes for every sentence of every (text, sha256, date) document: reused where the same
    document was annotated by the same code, else read by spaCy now (boilerplate is not read).
    Returns the notes and how many sentences were annotated."""
    from qa.annotate.pipeline import annotate

    todo = [n for n, (_, sha, day) in enumerate(docs) if (sha, day) not in reuse]
    wanted = [[k for k, kind in enumerate(kinds_of[n]) if kind != "boilerplate"] for n in todo]
    fresh = annotate([(docs[n][0], [spans_of[n][k] for k in ks], docs[n][2]) for n, ks in zip(todo, wanted)],
                     progress=progress) if todo else []
    made: dict[int, list[SentenceNotes]] = {}
    for n, ks, found in zip(todo, wanted, fresh):
        per = [EMPTY] * len(spans_of[n])
        for k, sentence_notes in zip(ks, found):
            per[k] = sentence_notes
        made[n] = per
    per_sentence = [s for n, (_, sha, day) in enumerate(docs) for s in (made[n] if n in made else reuse[(sha, day)])]
    return Notes.make(per_sentence), sum(len(ks) for ks in wanted)


def names(texts: Sequence[str], doc_of_sentence: np.ndarray, notes: Notes) -> dict[str, list[int]]:
    """Every named entity, folded, with the documents that name it."""
    found: dict[str, set[int]] = {}
    named = {i for i, label in enumerate(notes.labels) if label in NAMED}
    for i in range(notes.sentences):
        lo, hi = int(notes.ent_ptr[i]), int(notes.ent_ptr[i + 1])
        n = int(doc_of_sentence[i])
        for k in range(lo, hi):
            if int(notes.ent_label[k]) in named:
                name = fold(texts[n][int(notes.ent_start[k]):int(notes.ent_end[k])])
                if len(name) > 1:
                    found.setdefault(name, set()).add(n)
    return {name: sorted(docs) for name, docs in sorted(found.items())}


def save_names(table: dict[str, list[int]], path: Path) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")


def load_names(path: Path) -> dict[str, list[int]]:
    table = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(table, dict):
        raise ValueError(f"{path.name} is not a table of names")
    return table


__all__ = ["EMPTY", "FILE", "NAMES_FILE", "Notes", "fold", "load_names", "names", "save_names"]
