"""Turn the words of a date mention into calendar dates, against the document's date.

A journalist filtering by "what was said on 13 January" needs "Tuesday" in a
story dated Wednesday 14 January to mean 13 January. That arithmetic is done
here, in pure Python (no spaCy), so every rule can be unit-tested on its own.

The rules are one ordered table of patterns. A mention that matches none of
them stays unresolved: nothing is ever guessed. Relative words ("Tuesday",
"last week", "3 January") need the document's date, so an undated document only
resolves dates written out in full ("January 5, 2026", "December 2023", "2022").

Tense decides the direction of a bare reference: "Tuesday" in a past or present
clause is the most recent Tuesday strictly before the document date; in a future
clause it is the next Tuesday on or after it. Qualifiers that only narrow a
period ("early", "late", "the end of") resolve to the whole containing period,
which is true, if wide.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from qa import rules

Resolved = tuple[str | None, str | None, str | None]  # (date, start_date, end_date)
UNRESOLVED: Resolved = (None, None, None)

MONTHS = {m: n for n, name in enumerate(rules.ordered("months"), 1) for m in (name, name[:3])} | {"sept": 9}
WEEKDAYS = {name: n for n, name in enumerate(rules.ordered("weekdays"))}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
DAY_WORDS = {"yesterday": -1, "last night": -1, "today": 0, "tonight": 0, "this morning": 0,
             "this afternoon": 0, "this evening": 0, "tomorrow": 1}

_MON = "(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_WD_NAMES = "|".join(WEEKDAYS)
_WD = f"(?:{_WD_NAMES})"
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_PART = r"(?: (?:morning|afternoon|evening|night))?"
_NUM = r"(?P<n>\d{1,2}|" + "|".join(NUMBERS) + ")"
# Words that only place the mention ("on Tuesday", "late on Friday") or narrow a
# period to a part of it ("early January"): stripped, the containing period stays.
_LEAD = re.compile(r"^(?:(?:on|in|at|by|during|of|as of|early|late|mid|(?:the )?(?:beginning|start|end|middle) of|the)\b ?)+")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _day(year: int, month: int, day: int) -> tuple[date, date] | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found, found


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), _month_end(year, month)


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _quarter(year: int, first_month: int) -> tuple[date, date]:
    return date(year, first_month, 1), _month_end(year, first_month + 2)


def _week(monday: date) -> tuple[date, date]:
    return monday, monday + timedelta(days=6)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _full_date(m, doc, future):
    return _day(int(m["y"]), int(m["m"]), int(m["d"]))


def _dated_day(m, doc, future):
    """A day of a month, with the year written ("January 5, 2026", "01 FEB 25") or not ("Jan 13")."""
    month, day = MONTHS[m["mon"]], int(m["d"])
    if m["y"]:
        year = int(m["y"])
        return _day(year + 2000 if year < 100 else year, month, day)
    if doc is None:
        return None
    step = 1 if future else -1
    for offset in range(0, 9 * step, step):  # nine years reach a 29 February
        found = _day(doc.year + offset, month, day)
        if found and (found[0] >= doc if future else found[0] <= doc):
            return found
    return None


def _month_year(m, doc, future):
    return _month(int(m["y"]), MONTHS[m["mon"]])


def _bare_month(m, doc, future):
    """"In July": the most recent July (this one if it has begun), or the next one in a future clause."""
    if doc is None:
        return None
    month = MONTHS[m["mon"]]
    relative = {"last year": -1, "this year": 0, "next year": 1}
    if m["rel"]:
        return _month(doc.year + relative[m["rel"]], month)
    if future:
        return _month(doc.year if month >= doc.month else doc.year + 1, month)
    return _month(doc.year if month <= doc.month else doc.year - 1, month)


def _year_rule(m, doc, future):
    return _year(int(m["y"]))


def _decade(m, doc, future):
    start = int(m["y"])
    return date(start, 1, 1), date(start + 9, 12, 31)


def _day_word(m, doc, future):
    if doc is None:
        return None
    day = doc + timedelta(days=DAY_WORDS[m[0]])
    return day, day


def _weekday(m, doc, future):
    """Past or present: the last such day up to the document's date, that day itself included ("early on
    Monday morning" in Monday's paper is that Monday); "last Monday" strictly before it. Future: on or after it."""
    if doc is None:
        return None
    target = WEEKDAYS[m["wd"]]
    rel = m["rel"]
    if rel == "next" or (future and rel != "last"):
        day = doc + timedelta(days=(target - doc.weekday()) % 7 or (7 if rel == "next" else 0))
    else:
        day = doc - timedelta(days=(doc.weekday() - target) % 7 or (7 if rel == "last" else 0))
    return day, day


def _weekend(m, doc, future):
    if doc is None:
        return None
    if m["rel"] == "next" or (future and m["rel"] != "last"):
        saturday = doc + timedelta(days=(5 - doc.weekday()) % 7)
    else:
        saturday = doc - timedelta(days=(doc.weekday() - 5) % 7 or 7)
    return saturday, saturday + timedelta(days=1)


def _period(m, doc, future):
    """last/this/next/earlier this/later this week, month, quarter or year."""
    if doc is None:
        return None
    rel, unit = m["rel"], m["unit"]
    if unit == "week":
        monday = doc - timedelta(days=doc.weekday())
        whole = {"last": _week(monday - timedelta(days=7)), "next": _week(monday + timedelta(days=7))}
        this = _week(monday)
    elif unit == "month":
        whole = {"last": _month(*_shift_month(doc.year, doc.month, -1)), "next": _month(*_shift_month(doc.year, doc.month, 1))}
        this = _month(doc.year, doc.month)
    elif unit == "quarter":
        first = doc.month - (doc.month - 1) % 3
        whole = {rel: _quarter(*_shift_month(doc.year, first, by)) for rel, by in (("last", -3), ("next", 3))}
        this = _quarter(doc.year, first)
    else:
        whole = {"last": _year(doc.year - 1), "next": _year(doc.year + 1)}
        this = _year(doc.year)
    if rel in whole:
        return whole[rel]
    if rel == "later this" or (rel == "this" and future):
        return doc, this[1]
    return this[0], doc  # "this week" in a past or present clause, "earlier this week"


def _rolling(m, doc, future):
    """"the past week/month/year": the span ending on the document date."""
    if doc is None:
        return None
    days = {"week": 7, "month": 30, "year": 365}[m["unit"]]
    return doc - timedelta(days=days), doc


def _ago(m, doc, future):
    """"three days ago" is a day; "two months ago" / "two years ago" the containing month or year."""
    if doc is None:
        return None
    n = int(m["n"]) if m["n"].isdigit() else NUMBERS[m["n"]]
    unit = m["unit"]
    if unit in ("day", "week"):
        day = doc - timedelta(days=n * (7 if unit == "week" else 1))
        return day, day
    if unit == "month":
        return _month(*_shift_month(doc.year, doc.month, -n))
    return _year(doc.year - n)


# (pattern, handler): the first pattern that matches the whole normalised mention decides.
RULES = [
    (r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})", _full_date),
    (rf"(?:{_WD} )?{_MON} {_DAY}(?: (?P<y>\d{{4}}))?{_PART}", _dated_day),
    (rf"(?:{_WD} )?{_DAY} (?:of )?{_MON}(?: (?P<y>\d{{4}}|\d{{2}}))?{_PART}", _dated_day),
    (rf"{_MON} (?P<y>\d{{4}})", _month_year),
    (rf"{_MON}(?: (?P<rel>last year|this year|next year))?", _bare_month),
    (r"(?P<y>1\d{3}|2\d{3})", _year_rule),
    (r"(?P<y>1\d{2}0|2\d{2}0)s", _decade),
    (r"yesterday|last night|today|tonight|this morning|this afternoon|this evening|tomorrow", _day_word),
    (rf"(?:(?P<rel>last|this|next) )?(?P<wd>{_WD_NAMES}){_PART}", _weekday),
    (r"(?:over )?(?:the |(?P<rel>last|this|next) )?weekend", _weekend),
    (r"(?P<rel>last|this|next|earlier this|later this) (?P<unit>week|month|quarter|year)", _period),
    (r"(?:the )?past (?P<unit>week|month|year)", _rolling),
    (rf"{_NUM} (?P<unit>day|week|month|year)s? ago", _ago),
]
_COMPILED = [(re.compile(pattern), handler) for pattern, handler in RULES]
_SINCE = re.compile(r"^(?:ever )?since (?P<x>.+)$")
_RANGE = re.compile(r"^(?:from |between )?(?P<a>.+?) (?:to|until|through|and|-) (?P<b>.+)$")


def normalise(words: str) -> str:
    """Lower case, no possessive, dashes between years spaced out, no other punctuation, single spaces."""
    text = words.lower().replace("’", "'").replace("–", " - ").replace("—", " - ")
    text = re.sub(r"'s\b", "", text).replace("mid-", "mid ")
    text = re.sub(r"(?<=\d{4})-(?=\d{4}\b)", " - ", text)
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


def _period_of(text: str, doc: date | None, future: bool) -> tuple[date, date] | None:
    text = _LEAD.sub("", text).strip()
    for pattern, handler in _COMPILED:
        match = pattern.fullmatch(text)
        if match:
            try:
                return handler(match, doc, future)
            except (OverflowError, ValueError):  # a day past 9999-12-31 or before 0001-01-01 stays unresolved
                return None
    return None


def _as_result(period: tuple[date, date] | None) -> Resolved:
    if period is None:
        return UNRESOLVED
    start, end = period
    return (_iso(start), None, None) if start == end else (None, _iso(start), _iso(end))


def resolve(words: str, doc_date: str | None, tense: str) -> Resolved:
    """(date, start_date, end_date) as ISO strings for a mention; all None when not understood."""
    doc = date.fromisoformat(doc_date) if doc_date else None
    future = tense == "future"
    text = normalise(words)
    since = _SINCE.match(_LEAD.sub("", text))
    if since:
        period = _period_of(since["x"], doc, False)
        return (None, _iso(period[0]), None) if period else UNRESOLVED
    whole = _period_of(text, doc, future)
    if whole:
        return _as_result(whole)
    span = _RANGE.match(_LEAD.sub("", text))
    if span:
        first, last = _period_of(span["a"], doc, future), _period_of(span["b"], doc, future)
        if first and last and first[0] <= last[1]:
            return _as_result((first[0], last[1]))
    return UNRESOLVED


# Words that name a day only by the day mentioned just before them, and how far from it they are.
ANAPHORA = {"the same day": 0, "that day": 0, "that same day": 0, "the next day": 1, "the following day": 1}


def resolve_anaphor(words: str, previous_day: str | None) -> Resolved:
    """"The same day" after "On Monday" is that Monday; with no day just before, it stays unresolved."""
    shift = ANAPHORA.get(normalise(words))
    if shift is None or previous_day is None:
        return UNRESOLVED
    try:
        return (_iso(date.fromisoformat(previous_day) + timedelta(days=shift)), None, None)
    except OverflowError:  # the day after 9999-12-31
        return UNRESOLVED


# Dates written out in full that a statistical tagger may miss in datelines ("01 FEB 25 00:07 ET").
# A two-digit year only in that upper-case dateline form: "on 1 May 12 people died" is no date.
_MONTH_WORD = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_EXPLICIT = [
    re.compile(rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}} {_MONTH_WORD} \d{{4}}|{_MONTH_WORD}\.? \d{{1,2}}, \d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b\d{{2}} (?:{'|'.join(month[:3].upper() for month in rules.ordered('months'))}) \d{{2}}\b"),
]


def explicit_dates(text: str) -> list[tuple[int, int]]:
    """(start, end) of every fully written date in `text`, so none is lost when the tagger misses it."""
    found = {m.span() for pattern in _EXPLICIT for m in pattern.finditer(text) if resolve(m.group(), None, "past")[0]}
    return sorted(found)
