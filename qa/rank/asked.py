"""What kind of thing a question asks for, by its wording, and whether a sentence holds one.

"How many" wants a number, "when" a date, "who" a name; a sentence that holds
such a thing that the question does not already contain is a better answer.
"""

from __future__ import annotations

import re

import numpy as np

_NUMBER = re.compile(
    r"\b((?!(?:19|20)\d\d\b)\d[\d,.]*|one(?!\s+of\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"millions?|several|multiple|scores)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|sept?|oct|nov|dec|yesterday|today|tonight|last (week|month|year)|"
    r"this (week|month|year)|weekend|(?<!-)\d{4}(?!-))\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_AGE = re.compile(r"\b\d{1,3}-year-old\b|\baged? \d{1,3}\b|\b\d{1,3} years old\b|, \d{1,3},", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][a-zà-ÿ][\w’'-]*(?:\s+(?:de\s+)?[A-Z][a-zà-ÿ][\w’'-]*)+")
_NOT_NAME = frozenset("""the a an in on at of for by to from as and but with after before during since under
january february march april may june july august september october november december monday tuesday wednesday
thursday friday saturday sunday president senator leader officials official""".split())
_PLACE = re.compile(r"\b(?:in|at|from|outside|near)\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)")
# question wording -> what an answer holds; the first match wins
ASKED = (
    (r"\bhow old\b|\bwhat age\b", _AGE),
    (r"\b(what|which) year\b", _YEAR),
    (r"\bhow (many|much|long|large)\b|\bwhat (number|percentage|share|figure|tally|count)\b", _NUMBER),
    (r"\bwhen\b|\bwhat (day|date|month|time)\b|\bon which day\b", _DATE),
    (r"\bwhere\b|\b(which|what) (city|country|prison|place|town)\b", _PLACE),
    (r"\bwho\b|\bwhom\b|\bwhose\b|\bname of\b|\bwhich\b", _NAME),
)
_YEAR_IN_QUESTION = re.compile(r"\b(?:19|20)\d\d\b")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


def asked_for(question: str) -> re.Pattern | None:
    """The kind of thing the question asks for, by its wording; the first match wins."""
    q = question.lower()
    return next((kind for wording, kind in ASKED if re.search(wording, q)), None)


def novel_match(pattern: re.Pattern | None, text: str, question: str) -> bool:
    """Does `text` hold a match of `pattern` (a number, date, name, place) that the question lacks?

    A name counts only when none of its words is in the question ("Donald Trump" does not
    answer "who warned Trump"), and capitalised function words or titles are not names."""
    if pattern is None:
        return False
    asked = question.lower()
    asked_words = set(re.findall(r"\w+", asked))
    for match in pattern.finditer(text):
        found = (match.group(1) if pattern is _PLACE else match.group(0)).lower()
        if pattern is _NAME:
            words = [w for w in re.findall(r"[\w’'-]+", found) if w not in _NOT_NAME]
            if len(words) >= 2 and not any(w in asked_words or w.split("’")[0] in asked_words for w in words):
                return True
        elif found not in asked and found not in {"the", "a"}:
            return True
    return False


def date_match(question: str, documents) -> np.ndarray:
    """Per document: does the question's year (and month, if named) agree with the document's date?"""
    q = question.lower()
    years = set(_YEAR_IN_QUESTION.findall(q))
    months = {i + 1 for i, m in enumerate(_MONTHS) if re.search(rf"\b{m}\b", q)}
    out = np.zeros(len(documents))
    if not years:
        return out
    for n, doc in enumerate(documents):
        if doc.date:
            same = doc.date[:4] in years and (not months or int(doc.date[5:7]) in months)
            out[n] = 1.0 if same else -1.0
    return out
