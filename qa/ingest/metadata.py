"""What a document's text says about itself: title, publisher and date, each with its basis.

Metadata comes only from the text: an optional front matter block
(`---` / `title: ...` / `---`), a leading date line ("date 2026-01-14", "Posted on Feb. 1, 2025"),
a headline line (not "Advertisement"), bylines such as "By ..., CNN" or a line
"Jane Roe, Reuters", a "WASHINGTON (AP) —" or "Feb. 7 (UPI) —" dateline and
"Published"/"Updated" stamps ("Updated" only when nothing states the publication).
What the text does not state stays None: a byline's "Agencies" or "Staff" names no
outlet, and a date that is not a day of the calendar is no date. A file name that
holds a date (`upi-2023-02-07.txt`) states it too (qa.ingest.documents).
"""

from __future__ import annotations

import re
from datetime import datetime

from qa import rules

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
# A date as news pages write one: "2025-02-01", "2025/02/01", "February 1, 2025", "Sat., Feb. 1st 2025",
# "1 February 2025", "01 FEB 25" (a two-digit year only after its month's name, as datelines write it).
_MONTH = "|".join(sorted({m for name in rules.ordered("months") for m in (name, name[:3])} | {"sept"}, key=len, reverse=True))
_WEEKDAY = rf"(?:(?:{'|'.join(day[:3] for day in rules.ordered('weekdays'))})[a-z]*\.?,?\s+)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = (rf"(?:\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}|{_WEEKDAY}?(?:{_DAY}\s+(?:{_MONTH})\.?,?\s+(?:\d{{4}}|\d\d)"
        rf"|(?:{_MONTH})\.?\s+{_DAY},?\s+\d{{4}}))(?!\d)")
# A line that states its page's date before anything else: "date 2026-01-14", "Date: 14 January 2026", "Posted on ...";
# not a header with its time ("Date: Fri, 20 Apr 2001 20:16:13 -0400" in a forwarded e-mail), which stays whole.
DATE_LINE = re.compile(rf"\s*(?:date|posted(?:\s+on)?)\s*:?\s+({DATE})(?=[ \t]+[^\d\s]|\s*(?:\n|$))", re.IGNORECASE)
_BYLINE = re.compile(r"^\s*By\s+([^\n,]+),\s*([A-Z][\w .&'’-]{1,40}?)\s*$", re.MULTILINE)
_NAME = r"[A-Z][\w.'’-]+(?:[ \t]+(?:[A-Z][\w.'’-]+|de|da|van|von|del|la)){1,4}"
_NAME_OUTLET = re.compile(rf"^[ \t]*({_NAME}),[ \t]*([A-Z][\w.&'’-]*(?:[ \t]+[A-Z][\w.&'’-]*){{0,3}})[ \t]*$", re.MULTILINE)
_NO_OUTLET = rules.words("no_outlet")  # "By Staff, Agencies" names no outlet
_BYLINE_NAME = re.compile(r"^[ \t]*By[ \t]+([A-Z][\w.'’-]+(?:[ \t]+(?:[A-Z][\w.'’-]+|de|da|van|von|del|la)){1,5})[ \t]*$", re.MULTILINE)
_DATELINE = re.compile(r"^\s*(?:[A-Z][\w ,.'’/]{0,40}?\s)?\(([A-Z][\w .&-]{1,30})\)\s*[—–-]", re.MULTILINE)
_STAMP = re.compile(rf"\b(?:originally\s+)?(published|updated):?\s+(?:on\s+)?({DATE})", re.IGNORECASE)
_DATE_FORMATS = ("%d %b %y", "%d %b %Y", "%d %B %y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%Y-%m-%d", "%Y/%m/%d")
_NOT_WRITTEN = re.compile(rf"^{_WEEKDAY}|(?<=\d)(?:st|nd|rd|th)\b|(?<=sep)t\b|[,.]", re.IGNORECASE)  # what strptime does not read
_FILE_DATE = re.compile(rf"(?<!\d)({rules.YEAR})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NOT_TITLE = re.compile(rf"^\W*({rules.phrases('not_a_title')})\W*$", re.IGNORECASE)


def parse_date(value: str) -> str | None:
    cleaned = " ".join(_NOT_WRITTEN.sub(" ", value.strip()).split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _front_matter(text: str) -> dict[str, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields


def file_date(name: str) -> str | None:
    """The date a file's name states (`upi-2023-02-07.txt`, `20230207-story.txt`), when it is a day of the calendar."""
    match = _FILE_DATE.search(name.rsplit("/", 1)[-1])
    return parse_date("-".join(match.groups())) if match else None


def _outlet(value: str | None) -> str | None:
    """A byline's outlet, unless it is a word such as "Agencies" that names none."""
    if not value or value.strip().lower() in _NO_OUTLET or any(w in _NO_OUTLET for w in value.lower().split()[:1]):
        return None
    return value.strip()


def _headline(text: str) -> str | None:
    for line in text.splitlines()[:6]:
        line = DATE_LINE.sub("", line, count=1).strip()
        if not line or line == "---" or _NOT_TITLE.match(line):
            continue
        words = line.split()
        if 4 <= len(words) <= 25 and line[-1] not in ".:" and not _STAMP.search(line):
            return line
        return None
    return None


def describe(text: str) -> tuple[str | None, str | None, str | None]:
    """Title, publisher and date (YYYY-MM-DD) as far as the text states them."""
    found = {name: value for name, value, _ in describe_sourced(text)}
    return found.get("title"), found.get("publisher"), found.get("date")


def describe_sourced(text: str) -> tuple[tuple[str, str, str], ...]:
    """(field, value, origin) for each of title, publisher, author, date and url that the text states.

    The origin is "front-matter" for a value from the front matter block, and otherwise
    names what in the words themselves states it: "headline", "byline", "dateline",
    "published-line", "updated-line" (or "text" for a leading date line).
    """
    text = text.removeprefix("\ufeff")  # a byte order mark (Windows editors) must not hide front matter
    meta = _front_matter(text)
    head = text[:3000]
    found: dict[str, tuple[str, str]] = {}

    def state(name: str, value: str | None, origin: str) -> None:
        if value and name not in found:
            found[name] = (value, origin)

    state("date", meta.get("date") and parse_date(meta["date"]), "front-matter")
    marker = DATE_LINE.match(head)
    state("date", marker and parse_date(marker.group(1)), "text")
    stamps = [(m.group(1).lower(), parse_date(m.group(2))) for m in _STAMP.finditer(head)]
    state("date", next((d for kind, d in stamps if kind == "published" and d), None), "published-line")
    state("date", next((d for kind, d in stamps if kind == "updated" and d), None), "updated-line")
    state("publisher", meta.get("publisher") or meta.get("source"), "front-matter")
    byline = _BYLINE.search(head)
    paired = _NAME_OUTLET.search(head[:600])
    dateline = _DATELINE.search(head)
    state("publisher", _outlet(byline and byline.group(2)), "byline")
    state("publisher", _outlet(paired and paired.group(2)), "byline")
    state("publisher", dateline and dateline.group(1).strip(), "dateline")
    state("title", meta.get("title"), "front-matter")
    state("title", None if meta else _headline(text), "headline")
    state("author", meta.get("author"), "front-matter")
    named = byline or _BYLINE_NAME.search(head) or paired
    author = named and named.group(1).strip()
    named_one = author and author[0].isupper() and len(author.split()) <= 6 and author.lower() not in _NO_OUTLET
    state("author", author if named_one else None, "byline")
    state("url", meta.get("url") or meta.get("link"), "front-matter")
    order = ("title", "publisher", "author", "date", "url")
    return tuple((name, *found[name]) for name in order if name in found)
