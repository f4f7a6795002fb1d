"""What a question asks for, read from its wording in microseconds (no parser runs at query time).

The build stored what every sentence holds (entities, speakers, dates); a question
only needs to say what it wants: the kinds of entity that would answer it ("who" a
person, organisation or nationality; "where" a place; "when" a date; "how many" a
number; "which city" a place), the names it mentions, matched whole against the
names the corpus holds ("Jorge Rodríguez" is not "Delcy Rodríguez"), and whether it
asks what someone said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa import rules
from qa.index.notes import fold
from qa.records import Document

NUMBER = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
TIME = frozenset({"DATE", "TIME"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
WHO = frozenset({"PERSON", "ORG", "NORP"})

# the noun after "what"/"which" ("which city", "what year", "the name of the team") -> what answers it
_NOUNS = {w: frozenset(labels.split()) for labels, nouns in rules.table("answer_nouns").items() for w in nouns}

_HOW = re.compile(r"\bhow (many|much|long|old|far|tall|big|large|high|fast|often|wide|deep|heavy)\b|"
                  r"\b(?:number|count|tally|figure|total) of\b")
_WHEN = re.compile(r"\bwhen\b|\b(?:what|which) (?:year|date|century|decade|month|day|time|period|era)\b|\bsince when\b")
_WHERE = re.compile(r"\bwhere\b")
_WHO = re.compile(r"\bwho(?:m|se)?\b")
_WHAT_NOUN = re.compile(r"\b(?:what|which)\s+(?:is |was |were |are )?(?:the )?(?:name of |names of |one of |kind of |type of "
                        r"|sort of )?(?:the |a |an )?([a-z]+)")
_NAME_OF = re.compile(r"\bnames? of (?:the |a |an )?([a-z]+)")
_SAID = re.compile(r"\b(?:" + "|".join(rules.ordered("asks_what_was_said")) + r")\b")
_QUESTION_START = re.compile(r"^\s*(?:" + "|".join(rules.ordered("question_openers")) + r")\b", re.IGNORECASE)
_WORD = re.compile(r"[\w’'-]+")
_FINITE = rules.words("finite_verbs")  # a claim states something: it has a finite verb


@dataclass(frozen=True)
class Asked:
    wants: frozenset[str]  # entity labels that would answer it (empty: no kind of thing in particular)
    names: tuple[str, ...]  # the corpus names the question mentions, folded, longest first
    said: bool  # it asks what someone said, claimed, posted...
    statement: bool  # a claim to check rather than a question
    folded: str  # the question folded like the names, to tell a name it already contains


def how(question: str) -> re.Match[str] | None:
    """The "how many"/"how much"/"number of" cue of a question (offsets into its lower-cased text), if any."""
    return _HOW.search(question.lower())


def wants(question: str) -> frozenset[str]:
    """The kinds of entity that answer the question, by the cue that comes first in it ("who said a
    number of prisoners ..." asks for a speaker, not a number). A "who" after a noun ("the person who
    spoke ..., how many") is a relative pronoun, no cue."""
    q = question.lower()
    cues = []
    for pattern, kind in ((_HOW, "how"), (_WHEN, "when"), (_WHERE, "where"), (_NAME_OF, "noun"), (_WHAT_NOUN, "noun"),
                          (_WHO, "who")):
        match = next((m for m in pattern.finditer(q) if kind != "who" or not _relative(q, m.start())), None)
        if match and (kind != "noun" or _noun_kind(match.group(1), pattern is _NAME_OF)):
            cues.append((match.start(), kind, match))
    if not cues:
        return frozenset()
    _, kind, match = min(cues, key=lambda c: c[0])
    if kind == "how":
        return NUMBER | TIME if match.group(1) in ("long", "old", "often") else NUMBER
    if kind == "noun":
        return _noun_kind(match.group(1), match.re is _NAME_OF) or frozenset()
    return {"when": TIME, "where": PLACE, "who": WHO}[kind]


_OPENS_CLAUSE = rules.words("opens_clause")  # after these, "who" asks: "tell me who"


def _relative(q: str, at: int) -> bool:
    """Whether the "who" at `at` follows a noun, as a relative pronoun does ("the person who spoke")."""
    before = q[:at].rstrip()
    if not before or before[-1] in ",;:(–—-\"“":
        return False
    return before.split()[-1].strip("’'") not in _OPENS_CLAUSE


def _noun_kind(word: str, name_of: bool) -> frozenset[str] | None:
    found = _NOUNS.get(word) or _NOUNS.get(word.removesuffix("s"))
    if found:
        return found
    return frozenset({"PERSON"}) if name_of else None  # "the name of the detained sailor": a person's name


def names_in(question: str, table: dict[str, list[int]], longest: int = 6) -> tuple[str, ...]:
    """The corpus's names that the question mentions, longest first, none inside another."""
    words = [fold(w) for w in _WORD.findall(question)]
    found: list[str] = []
    taken: set[int] = set()
    for size in range(min(longest, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if taken & set(range(i, i + size)):
                continue
            name = " ".join(words[i:i + size])
            if name in table and (size > 1 or len(name) > 2):
                found.append(name)
                taken.update(range(i, i + size))
    return tuple(found)


def is_statement(question: str) -> bool:
    """A claim pasted to be checked ("Venezuela freed 400 prisoners"), not a question or a few
    keywords ("names of the Spanish citizens freed"): it does not ask, and it has a finite verb."""
    text = question.strip()
    if text.endswith("?") or _QUESTION_START.match(text):
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    return len(words) >= 4 and any(w in _FINITE or (w.endswith("ed") and i < len(words) - 1) for i, w in enumerate(words))


def asks(question: str, table: dict[str, list[int]]) -> Asked:
    """What a question asks for: the kinds of value, the names it mentions, whether it asks what was said."""
    statement = is_statement(question)
    return Asked(frozenset() if statement else wants(question), names_in(question, table),
                 bool(_SAID.search(question.lower())) and not statement, statement, fold(question))


_YEAR = re.compile(rf"\b{rules.YEAR}\b")
_MONTHS = rules.ordered("months")


def date_match(question: str, documents: Sequence[Document]) -> np.ndarray:
    """Per document: does the question's year (and month, if named) agree with the document's date?"""
    q = question.lower()
    years = set(_YEAR.findall(q))
    months = {i + 1 for i, m in enumerate(_MONTHS) if re.search(rf"\b{m}\b", q)}
    out = np.zeros(len(documents))
    if not years:
        return out
    for n, doc in enumerate(documents):
        if doc.date:
            same = doc.date[:4] in years and (not months or int(doc.date[5:7]) in months)
            out[n] = 1.0 if same else -1.0
    return out
