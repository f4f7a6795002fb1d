"""Who says what: the values the documents give for what a question asks, grouped into claims.

For a question that asks for a figure, a name, a date or a place, every candidate
sentence qa would show (calibrated score at or above --min-score) that gives such a
value is read: the value from the build's entities (and, for figures, the words that
qualify them: "about 50", "more than 100"), who the sentence says gave it (its
statement's speaker; none when the outlet states it in its own voice). Sentences
giving the same value are one claim, with every document that reports it in its own
words; a figure read differently but resting on the same number from the same kind
of speaker ("over 400" from the government, beside its 400) joins that claim marked
compatible. The sources agree when one claim remains, and differ otherwise.

A value must say what was asked, not merely stand in a relevant sentence: the value
scorer (answer/values.py, fitted on SQuAD) must accept it ("69" in "69 persons died from
a magnitude 6.9 quake" for how many died, not "6.9"), and a sentence gives one value per
source it credits, its most probable. When the question names who gave the figure
("what does the government say"), only that speaker's values count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from qa import rules
from qa.answer import values
from qa.answer.amounts import compatible, read
from qa.answer.select import threshold
from qa.index.loaded import Index
from qa.index.notes import fold
from qa.rank import model
from qa.rank.model import Candidate
from qa.records import Amount, Answer, Claim, ClaimSource, Passage
from qa.retrieve.query import Query
from qa.retrieve.question import NUMBER, Asked

KINDS = {"PERSON": "person", "ORG": "organization", "NORP": "organization", "GPE": "place", "LOC": "place",
         "FAC": "place", "DATE": "date", "TIME": "date"}
_REPORTING = rules.words("attributing_words")
_WHO_IS = re.compile(r"^\s*(?:who|what)\s+(?:is|was|are|were)\s+(?:the\s+)?[A-Z]?[\w’'.-]+(?:\s+[\w’'.-]+){0,3}\s*\??\s*$",
                     re.IGNORECASE)
CLAIM_POOL = 60  # the most relevant candidates whose values are gathered into claims


@dataclass(frozen=True)
class _Found:
    row: int
    value: str
    start: int  # document offsets of the value
    end: int
    kind: str
    amount: Amount | None
    key: str  # what makes two values the same claim
    speaker: str | None
    support: float = 0.0  # the value scorer's probability that it is what was asked


_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})(?:\s*([ap])\.?\s?m\b\.?)?", re.IGNORECASE)


def _date_key(p: Passage, start: int, end: int) -> str:
    text = p.words(start, end)
    clock = _CLOCK.search(text)
    if clock and int(clock[1]) < 24 and int(clock[2]) < 60:  # "4:17 a.m." and "04:17" are one time
        hour = int(clock[1]) % 12 + (12 if (clock[3] or "").lower() == "p" else 0) if clock[3] else int(clock[1])
        return f"time:{hour:02d}:{clock[2]}"
    for d in p.dates:
        if d.start < end and start < d.end and (d.date or d.start_date):
            return f"date:{d.date or d.start_date}:{d.end_date or ''}"
    words = fold(text)
    months = re.findall(r"[a-z]+", words)
    days = re.findall(r"\d+", words)
    return f"date:{' '.join(sorted(months))}:{' '.join(days)}"  # "3 january" and "january 3" alike


def _speaker(p: Passage) -> str | None:
    """Who the sentence says is speaking. A pronoun stands for its antecedent only when it opens the
    sentence ("He added, ..."); one inside it ("prisoners it says were held") reports something else."""
    if p.statement is None or p.antecedent is None:
        return p.speaker()
    return p.antecedent if len(_WORDS.findall(p.words(p.start, p.statement.speaker.start))) <= 2 else None


_WORDS = re.compile(r"[^\W\d_][\w’'-]*", re.UNICODE)


def _values(index: Index, query: Query, p: Passage, scorer: values.Scorer, sentence: float) -> list[_Found]:
    """The values of a sentence the scorer accepts as what the question asks for, the best per speaker."""
    asked = query.asked
    speaker = _speaker(p)
    found: list[_Found] = []
    statement = p.statement
    if asked.said and asked.wants & {"PERSON", "ORG"} and statement is not None:  # "who said ...": its speaker
        span = statement.speaker
        value = p.words(span.start, span.end)
        if fold(value) not in asked.folded:
            kind = next((KINDS.get(e.label, "other") for e in p.entities if span.start <= e.start and e.end <= span.end), "person")
            found.append(_Found(p.row, value, span.start, span.end, kind, None, f"{kind}:{fold(value)}", None, 1.0))
    candidates = values.candidates(p, asked)
    for v, probability in zip(candidates, scorer.score(index, query, p, candidates, sentence)):
        if probability < scorer.threshold or (found and found[0].start <= v.start and v.end <= found[0].end):
            continue  # not what was asked, or the name inside a speaker already found
        value = p.words(v.start, v.end)
        if v.label in NUMBER:
            amount = read(value)
            credit = next((c for c in p.credits if c.figure.start < v.end and v.start < c.figure.end), None)
            if amount is None or (credit is not None and not credit.asserted):
                continue  # denied, never said, or said by no one: no one's figure
            credited = p.words(credit.speaker.start, credit.speaker.end) if credit else speaker
            found.append(_Found(p.row, value, v.start, v.end, "number", amount,
                                f"number:{amount.low}:{amount.high}:{amount.approximate}", credited, probability))
        else:
            kind = KINDS.get(v.label, "other")
            key = _date_key(p, v.start, v.end) if kind == "date" else f"{kind}:{fold(value)}"
            found.append(_Found(p.row, value, v.start, v.end, kind, None, key, speaker, probability))
    best: dict[str, float] = {}  # a sentence gives one value for the thing asked, per source it credits
    for f in found:
        best[_speaker_head(f.speaker)] = max(best.get(_speaker_head(f.speaker), 0.0), f.support)
    return [f for f in found if f.support == best[_speaker_head(f.speaker)]]


def _asked_speaker(question: str, asked: Asked, values: list[_Found]) -> set[str]:
    """The words naming who gave the figure, when the question asks what someone said or confirmed and
    names one of the speakers found ("what does the government say", "has Foro Penal confirmed")."""
    from qa.index.word_vectors import words_of

    words = set(words_of(question))
    if not set(_WORDS.findall(question.lower())) & _REPORTING:  # words_of drops "said", "according"
        return set()
    spoken = {_speaker_head(v.speaker) for v in values if v.speaker}
    named = {w for name in asked.names for w in name.split()}
    return (words | named) & spoken - _REPORTING


def _speaker_head(speaker: str | None) -> str:
    words = fold(speaker).split() if speaker else []
    return words[-1] if words else ""


def _dated_as_asked(p: Passage, question: str) -> bool:
    """False when the question names a year that the sentence's own dates, or else its document's
    date, contradict ("released in 2025" is not answered by a January 2026 release)."""
    years = set(re.findall(rf"\b{rules.YEAR}\b", question))
    if not years:
        return True
    found = [day for d in p.dates if (day := d.date or d.start_date)]
    if not found:
        found = [p.citation.date] if p.citation.date else []
    return not found or any(day[:4] in years for day in found)


def add(index: Index, query: Query, answer: Answer, ranked: list[Candidate], min_score: float | None) -> Answer:
    """The answer with who says what, read from the candidates qa would quote (at or above the threshold)."""
    if not answer.answered:
        return answer
    ranker, bar = model.load(), threshold(query, min_score)
    shown = [c for c in ranked[:CLAIM_POOL] if ranker.calibrated(c) >= bar]
    found, agreement = gather(index, query, shown, ranker.calibrated)
    return replace(answer, claims=found, agreement=agreement)


def gather(index: Index, query: Query, shown: Sequence[Candidate],
           score: Callable[[Candidate], float]) -> tuple[tuple[Claim, ...], str | None]:
    """The claims for a question, and whether the sources agree; ((), None) when it asks for no value."""
    asked, question = query.asked, query.text
    if not asked.wants or asked.statement or _WHO_IS.match(question):
        return (), None  # "who is Jorge Rodríguez" asks what he is, not for a name
    scorer = values.load()
    found = [v for c in shown if _dated_as_asked(p := index.passage(c.row), question)
             for v in _values(index, query, p, scorer, score(c))]
    speakers = _asked_speaker(question, asked, found)
    if speakers:
        found = [v for v in found if _speaker_head(v.speaker) in speakers]
    groups: dict[str, list[_Found]] = {}
    for v in found:
        groups.setdefault(v.key, []).append(v)
    # a compatible reading from the same kind of speaker joins the claim on the same figure; a surname
    # alone ("Rodríguez") joins the one full name found that ends with it ("Delcy Rodríguez")
    merged: dict[str, list[tuple[_Found, bool]]] = {}
    for key, items in sorted(groups.items(), key=lambda kv: -kv[0].count(" ")):  # fuller names first
        first = items[0]
        home = next((k for k, members in merged.items() if first.amount and members[0][0].amount
                     and compatible(first.amount, members[0][0].amount)
                     and _speaker_head(first.speaker) == _speaker_head(members[0][0].speaker)), None)
        if home is None and first.kind in ("person", "organization"):
            # a shorter name joins the one fuller name ending with it ("Rodríguez", "Delcy Rodríguez";
            # "Foro Penal", "Venezuelan human rights group Foro Penal"); an organisation's first word
            # alone the one starting with it ("Foro", "Foro Penal")
            kind, word = key.split(":", 1)
            fuller = [k for k in merged if k.startswith(kind + ":") and (k.endswith(" " + word) or (
                kind == "organization" and " " not in word and k.startswith(f"{kind}:{word} ")))]
            home = fuller[0] if len(fuller) == 1 else None
        if home is None:
            merged[key] = [(v, False) for v in items]
        else:
            merged[home] += [(v, True) for v in items]
    claims = []
    for members in merged.values():
        sources: dict[str, ClaimSource] = {}
        for v, is_compatible in members:
            p = index.passage(v.row)  # syndicated or repeated: one source per document
            sources.setdefault(p.citation.doc_id, ClaimSource(p.text, v.value, v.start, v.end, v.speaker, p.citation,
                                                              is_compatible))
        first = members[0][0]
        claims.append(Claim(first.value, first.kind, first.amount, first.speaker, tuple(sources.values())))
    if not claims:
        return (), None
    if len(claims) > 1:
        return tuple(claims), "differ"
    # agreement takes two: one document giving a value agrees with no one
    return tuple(claims), "agree" if len(claims[0].sources) > 1 else "single"
