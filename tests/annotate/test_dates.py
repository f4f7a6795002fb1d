"""Date rules, one small case each; the document date is Wednesday 14 January 2026 unless stated."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.annotate.dates import WEEKDAYS, explicit_dates, normalise, resolve

WED = "2026-01-14"


def day(value: str):
    return (value, None, None)


def period(first: str, last: str | None):
    return (None, first, last)


NONE = (None, None, None)


@pytest.mark.parametrize(("words", "tense", "expected"), [
    # weekdays: past/present up to the document date (the day itself included), future on or after it
    ("Tuesday", "past", day("2026-01-13")),
    ("Wednesday", "past", day("2026-01-14")),
    ("on Wednesday morning", "past", day("2026-01-14")),
    ("last Wednesday", "past", day("2026-01-07")),
    ("Thursday", "past", day("2026-01-08")),
    ("Monday", "present", day("2026-01-12")),
    ("Thursday", "future", day("2026-01-15")),
    ("Wednesday", "future", day("2026-01-14")),
    ("Tuesday", "future", day("2026-01-20")),
    ("on Sunday", "past", day("2026-01-11")),
    ("last Friday", "future", day("2026-01-09")),
    ("next Wednesday", "past", day("2026-01-21")),
    ("Tuesday evening", "past", day("2026-01-13")),
    ("Tuesday night", "past", day("2026-01-13")),
    ("Tuesday afternoon", "past", day("2026-01-13")),
    ("late on Friday evening", "past", day("2026-01-09")),
    ("Tuesday’s", "past", day("2026-01-13")),
    # days named relative to today
    ("yesterday", "past", day("2026-01-13")),
    ("today", "present", day("2026-01-14")),
    ("tonight", "future", day("2026-01-14")),
    ("tomorrow", "future", day("2026-01-15")),
    ("last night", "past", day("2026-01-13")),
    ("three days ago", "past", day("2026-01-11")),
    ("two years ago", "past", period("2024-01-01", "2024-12-31")),
    # weeks, weekends, months, quarters, years
    ("last week", "past", period("2026-01-05", "2026-01-11")),
    ("this week", "past", period("2026-01-12", "2026-01-14")),
    ("earlier this week", "past", period("2026-01-12", "2026-01-14")),
    ("this week", "future", period("2026-01-14", "2026-01-18")),
    ("later this week", "past", period("2026-01-14", "2026-01-18")),
    ("next week", "future", period("2026-01-19", "2026-01-25")),
    ("over the weekend", "past", period("2026-01-10", "2026-01-11")),
    ("the weekend", "present", period("2026-01-10", "2026-01-11")),
    ("this weekend", "future", period("2026-01-17", "2026-01-18")),
    ("earlier this month", "past", period("2026-01-01", "2026-01-14")),
    ("this month", "past", period("2026-01-01", "2026-01-14")),
    ("last month", "past", period("2025-12-01", "2025-12-31")),
    ("next month", "future", period("2026-02-01", "2026-02-28")),
    ("last quarter", "past", period("2025-10-01", "2025-12-31")),
    ("last year", "past", period("2025-01-01", "2025-12-31")),
    ("last year’s", "past", period("2025-01-01", "2025-12-31")),
    ("this year", "past", period("2026-01-01", "2026-01-14")),
    ("the beginning of this year", "past", period("2026-01-01", "2026-01-14")),
    ("next year", "future", period("2027-01-01", "2027-12-31")),
    ("the past week", "past", period("2026-01-07", "2026-01-14")),
    # months without a year: the most recent one (this one once begun), or the next in a future clause
    ("In July", "past", period("2025-07-01", "2025-07-31")),
    ("January", "past", period("2026-01-01", "2026-01-31")),
    ("in March", "future", period("2026-03-01", "2026-03-31")),
    ("August last year", "past", period("2025-08-01", "2025-08-31")),
    ("early January", "past", period("2026-01-01", "2026-01-31")),
    # days of a month: the year if written, else the most recent (or, in the future, the next)
    ("3 January", "past", day("2026-01-03")),
    ("January 3", "past", day("2026-01-03")),
    ("Jan 13", "past", day("2026-01-13")),
    ("Jan. 13", "past", day("2026-01-13")),
    ("the 3rd of January", "past", day("2026-01-03")),
    ("20 January", "past", day("2025-01-20")),
    ("20 January", "future", day("2026-01-20")),
    ("14 January", "past", day("2026-01-14")),
    ("Dec 24", "future", day("2026-12-24")),
    ("Tuesday, Jan 13", "past", day("2026-01-13")),
    ("January 5, 2026", "past", day("2026-01-05")),
    ("5 January 2026", "future", day("2026-01-05")),
    ("01 FEB 25", "past", day("2025-02-01")),
    ("2026-01-14", "past", day("2026-01-14")),
    ("February 30", "past", NONE),
    # years, decades, months of a year, ranges, since
    ("2022", "past", period("2022-01-01", "2022-12-31")),
    ("mid-2025", "past", period("2025-01-01", "2025-12-31")),
    ("the 1990s", "past", period("1990-01-01", "1999-12-31")),
    ("December 2023", "past", period("2023-12-01", "2023-12-31")),
    ("2017 to 2021", "past", period("2017-01-01", "2021-12-31")),
    ("between 2017 and 2021", "past", period("2017-01-01", "2021-12-31")),
    ("2017–2021", "past", period("2017-01-01", "2021-12-31")),
    ("since 2013", "past", period("2013-01-01", None)),
    ("since early January 2026", "past", period("2026-01-01", None)),
    ("since last week", "past", period("2026-01-05", None)),
    # not calendar dates, or not pinned down: never guessed
    ("in recent months", "past", NONE),
    ("a day before", "past", NONE),
    ("days later", "past", NONE),
    ("the same day", "past", NONE),
    ("37-year-old", "past", NONE),
    ("five years", "past", NONE),
    ("annual", "past", NONE),
    ("the coming weeks", "future", NONE),
    ("2021 to 2017", "past", NONE),
    ("", "past", NONE),
])
def test_rule(words, tense, expected):
    assert resolve(words, WED, tense) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ("January 5, 2026", day("2026-01-05")),
    ("December 2023", period("2023-12-01", "2023-12-31")),
    ("2022", period("2022-01-01", "2022-12-31")),
    ("since 2013", period("2013-01-01", None)),
    ("01 FEB 25", day("2025-02-01")),
    ("3 January", NONE),  # no year, no document date
    ("Jan 13", NONE),
    ("Tuesday", NONE),
    ("yesterday", NONE),
    ("last week", NONE),
    ("In July", NONE),
    ("over the weekend", NONE),
])
def test_an_undated_document_resolves_only_written_dates(words, expected):
    assert resolve(words, None, "past") == expected


def test_a_missing_year_reaches_back_to_a_leap_day():
    assert resolve("29 February", "2026-01-14", "past") == day("2024-02-29")
    assert resolve("29 February", "2026-01-14", "future") == day("2028-02-29")


def test_weekends_around_the_weekend():
    assert resolve("the weekend", "2026-01-18", "past") == period("2026-01-17", "2026-01-18")  # a Sunday
    assert resolve("the weekend", "2026-01-17", "past") == period("2026-01-10", "2026-01-11")  # a Saturday
    assert resolve("next weekend", "2026-01-17", "past") == period("2026-01-17", "2026-01-18")


def test_a_weekday_in_the_paper_of_that_day_is_that_day():
    assert resolve("early on Monday morning", "2023-02-06", "past") == day("2023-02-06")  # Monday 6 February


def test_months_and_years_wrap():
    assert resolve("last month", "2026-03-31", "past") == period("2026-02-01", "2026-02-28")
    assert resolve("next month", "2025-12-05", "future") == period("2026-01-01", "2026-01-31")
    assert resolve("last week", "2026-01-01", "past") == period("2025-12-22", "2025-12-28")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.sampled_from(sorted(WEEKDAYS)))
def test_weekday_arithmetic(doc, name):
    past = date.fromisoformat(resolve(name, doc.isoformat(), "past")[0])
    present = date.fromisoformat(resolve(name, doc.isoformat(), "present")[0])
    future = date.fromisoformat(resolve(name, doc.isoformat(), "future")[0])
    assert past.weekday() == future.weekday() == WEEKDAYS[name]
    assert timedelta(0) <= doc - past <= timedelta(days=6)
    assert present == past
    assert timedelta(0) <= future - doc <= timedelta(days=6)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_last_week_is_the_monday_to_sunday_before(doc):
    _, first, last = resolve("last week", doc.isoformat(), "past")
    first, last = date.fromisoformat(first), date.fromisoformat(last)
    assert first.weekday() == 0 and last - first == timedelta(days=6)
    assert timedelta(days=1) <= doc - last <= timedelta(days=7)


def test_normalise():
    assert normalise("Tuesday’s  Jan. 13,") == "tuesday jan 13"
    assert normalise("2017–2021") == "2017 - 2021"


def test_explicit_dates_found_in_text():
    text = "Updated: 01 FEB 25 00:09 ET; filed 2026-01-14, on January 5, 2026. On 1 May 12 people died."
    assert [text[a:b] for a, b in explicit_dates(text)] == ["01 FEB 25", "2026-01-14", "January 5, 2026"]
