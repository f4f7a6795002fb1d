"""Which value in a sentence answers the question: a logistic model fitted on SQuAD (values.json).

A sentence that answers "how many people died?" may give several figures ("69 persons
died from a magnitude 6.9 earthquake"); a sentence that answers "when" may hold a
clock time and a weekday. The candidates are what the build's annotation found: the
figures of the sentence (with the words that qualify them) and its entities of the
kinds the question asks for. Each is scored by what makes it the answer, in any text:
- its kind of entity (a count is CARDINAL more often than MONEY);
- the words right before and right after it, compared with the question's words by
  the index's word vectors ("69 persons" counts people; "magnitude 6.9" does not), and
  for a count, the words after it with what the question counts;
- how near it stand the sentence's words that carry the question, also next to the
  sentence's other values (the one the question's words stand beside);
- whether the question already holds it (an answer is what the question lacks);
- whether it is a decimal asked as a count, or the sentence's speaker;
- how surely the sentence answers the question (the ranking's calibrated score): a
  figure of the right kind in a sentence about something else is no answer.
scripts/fit_values.py fits the weights and the acceptance threshold and writes them,
with what they were fitted on, to values.json; nothing fitted lives in this source.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.annotate.dates import MONTHS
from qa.answer.amounts import FIGURE, read
from qa.errors import QAError
from qa.index.notes import fold
from qa.index.word_vectors import MATCH, words_of
from qa.rank import model
from qa.records import Passage
from qa.retrieve.question import NUMBER, Asked, how

if TYPE_CHECKING:
    from qa.index.loaded import Index
    from qa.retrieve.query import Query

FILE = Path(__file__).with_name("values.json")
FORMAT, FORMAT_VERSION = "qa-values", 1
LABELS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME", "PERSON", "ORG", "NORP", "PLACE", "OTHER")
_PLACE = frozenset({"GPE", "LOC", "FAC"})
NAMES = (*(f"label_{label.lower()}" for label in LABELS), "in_question", "before", "after", "counted", "near",
         "carried", "decimal_count", "speaker", "alone", "sentence", "near_lead", "after_lead")
WINDOW = 3  # content words on each side that say what a value is
NEAR = 6  # words: a question word this far from a value counts half
_WORD = re.compile(r"[^\W\d_][\w’'-]*", re.UNICODE)
# a day after its month ("JANUARY 5:") is part of a date the recogniser missed, not a figure
_MONTH_BEFORE = re.compile(r"\b(?:" + "|".join(m for m in MONTHS if len(m) > 3) + r")\.? $", re.IGNORECASE)


@dataclass(frozen=True)
class Value:
    """A candidate answer in a sentence: its document offsets and its kind of entity."""

    start: int
    end: int
    label: str  # spaCy's label; a figure the recogniser did not label is CARDINAL


def candidates(p: Passage, asked: Asked) -> list[Value]:
    """The values of the sentence that are of a kind the question asks for: figures (with their qualifiers,
    "more than 100"), not inside a date or a clock time, and entities."""
    out: list[Value] = []
    s0, text = p.start, p.text
    if asked.wants & NUMBER:
        times = [(e.start - s0, e.end - s0) for e in p.entities if e.label in ("DATE", "TIME", "ORDINAL")]
        times += [(d.start - s0, d.end - s0) for d in p.dates]
        for m in FIGURE.finditer(text):
            a, b = m.start(), m.end()
            if any(x < b and a < y for x, y in times) or _in_clock(text, a, b) or _MONTH_BEFORE.search(text, max(0, a - 12), a) \
                    or read(m.group()) is None:
                continue
            label = next((e.label for e in p.entities if e.label in NUMBER and e.start - s0 < b and a < e.end - s0), "CARDINAL")
            out.append(Value(a + s0, b + s0, label))
    for e in p.entities:
        if e.label in asked.wants and e.label not in NUMBER and (e.label != "NORP" or asked.wants == {"NORP"}):
            out.append(Value(e.start, e.end, e.label))
    return out


def _in_clock(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] is the hour or the minutes of a clock time ("10:51"), not a figure of its own."""
    return (a >= 2 and text[a - 1] == ":" and text[a - 2].isdigit()) or (text[b:b + 1] == ":" and text[b + 1:b + 2].isdigit())


def _group(label: str) -> str:
    return "PLACE" if label in _PLACE else label if label in LABELS else "OTHER"


def _words(text: str) -> list[tuple[int, int, str]]:
    """The sentence's words with their offsets in it, lower-cased as the index stores them."""
    return [(m.start(), m.end(), m.group().lower().strip("’'-")) for m in _WORD.finditer(text)]


class _Similar:
    """The cosine of a sentence word with each of the question's words (1 for the same word)."""

    def __init__(self, index: Index, words: Sequence[str], vectors: np.ndarray):
        self.index, self.words, self.vectors = index, list(words), vectors
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, word: str) -> np.ndarray:
        if word not in self.cache:
            mine = self.index.word_vector(word)
            sims = np.zeros(len(self.words)) if mine is None or not self.words else self.vectors @ mine
            self.cache[word] = np.maximum(sims, [1.0 if w == word else 0.0 for w in self.words]) if self.words else sims
        return self.cache[word]


def features(index: Index, query: Query, p: Passage, values: Sequence[Value], sentence: float) -> np.ndarray:
    """One row per value, one column per NAMES; `sentence`: the ranking's calibrated score of the sentence."""
    cue = how(query.text)
    cue_words = set(cue.group().split()) if cue else set()
    keep = [i for i, w in enumerate(query.words) if w not in cue_words]
    qwords = [query.words[i] for i in keep]
    qvectors = query.word_vectors[keep] if len(keep) else np.zeros((0, 1))
    similar = _Similar(index, qwords, qvectors)
    counted_at = [i for i, w in enumerate(qwords) if cue and w in words_of(query.text[cue.end():])][:3]
    counting = cue is not None and cue.group(1) in ("many", None)  # "how much" may be a decimal sum
    words = [(a, b, w) for a, b, w in _words(p.text) if w and words_of(w)]
    in_question = set(re.findall(r"\w+", fold(query.text)))  # the question's whole words
    clamped = min(max(sentence, 1e-3), 1 - 1e-3)
    logit = math.log(clamped / (1 - clamped))  # the same for every value of the sentence
    rows = []
    for v in values:
        a, b = v.start - p.start, v.end - p.start
        before = [w for x, _y, w in words if x < a][-WINDOW:]
        after = [w for x, _y, w in words if x >= b][:WINDOW]
        inside = {w for x, _y, w in words if a <= x < b}
        outside = [(i, w) for i, (x, _y, w) in enumerate(words) if not a <= x < b]
        first = next((i for i, (x, _y, _w) in enumerate(words) if x >= a), len(words))
        last = next((i for i in range(len(words) - 1, -1, -1) if words[i][1] <= b), first - 1)
        row = dict.fromkeys(NAMES, 0.0)
        row[f"label_{_group(v.label).lower()}"] = 1.0
        own = [w for w in fold(p.text[a:b]).split() if w.isalpha() or w.isdigit()]
        row["in_question"] = sum(1 for w in own if w in in_question) / max(1, len(own))
        if qwords:
            row["before"] = max((float(similar(w).max()) for w in before if w not in inside), default=0.0)
            row["after"] = max((float(similar(w).max()) for w in after[:2] if w not in inside), default=0.0)
            if counted_at:
                row["counted"] = max((float(similar(w)[counted_at].max()) for w in after[:2]), default=0.0)
            best = np.zeros(len(qwords))
            for i, w in outside:
                gap = first - i - 1 if i < first else i - last - 1
                best = np.maximum(best, (similar(w) >= MATCH) / (1.0 + max(gap, 0) / NEAR))
            row["near"] = float(best.mean())
            row["carried"] = float((best > 0).mean())
        text = p.text[a:b]
        row["decimal_count"] = float(counting and re.search(r"\d\.\d", text) is not None)
        statement = p.statement
        row["speaker"] = float(statement is not None and statement.speaker.start <= v.start and v.end <= statement.speaker.end)
        row["alone"] = 1.0 / sum(1 for u in values if u.label == v.label)
        row["sentence"] = logit
        rows.append(row)
    for i, row in enumerate(rows):  # the value the question's words stand beside, of the sentence's several
        others = [r for j, r in enumerate(rows) if j != i]
        row["near_lead"] = row["near"] - max((r["near"] for r in others), default=row["near"])
        row["after_lead"] = row["after"] - max((r["after"] for r in others), default=row["after"])
    return np.asarray([[row[n] for n in NAMES] for row in rows], dtype=np.float64).reshape(len(values), len(NAMES))


@dataclass(frozen=True)
class Scorer:
    weights: dict[str, float]  # "bias" and one per NAMES
    threshold: float  # a value is accepted at this probability or above
    fitted_on: dict

    @classmethod
    def from_dict(cls, data: dict, source: str = "values.json") -> Scorer:
        """Parse and check: the weights must be those of this code's features, and match their checksum."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise QAError(f"{source} is not a {FORMAT} file of version {FORMAT_VERSION}")
        weights = data.get("weights", {})
        if list(data.get("features", ())) != list(NAMES) or set(weights) != {"bias", *NAMES}:
            raise QAError(f"{source} was fitted on other features than this qa defines; refit it with scripts/fit_values.py")
        if data.get("sha256") != checksum(weights, data.get("threshold")):
            raise QAError(f"{source}: its weights do not match their checksum; refit it with scripts/fit_values.py")
        return cls({k: float(v) for k, v in weights.items()}, float(data["threshold"]), data.get("fitted_on", {}))

    def to_dict(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "features": list(NAMES), "weights": self.weights,
                "threshold": self.threshold, "sha256": checksum(self.weights, self.threshold), "fitted_on": self.fitted_on}

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        z = self.weights["bias"] + matrix @ np.asarray([self.weights[n] for n in NAMES])
        return 1.0 / (1.0 + np.exp(-z))

    def score(self, index: Index, query: Query, p: Passage, values: Sequence[Value], sentence: float) -> list[float]:
        """The probability that each value is what the question asks for, in a sentence of this calibrated score."""
        return self.probabilities(features(index, query, p, values, sentence)).tolist() if values else []


def checksum(weights: dict, threshold: object) -> str:
    return hashlib.sha256(json.dumps({"weights": weights, "threshold": threshold}, sort_keys=True).encode()).hexdigest()


@functools.cache
def load(path: Path = FILE) -> Scorer:
    return Scorer.from_dict(model.read(path, "value model"), path.name)
