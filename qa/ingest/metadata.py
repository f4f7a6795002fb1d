"""What a document's text says about itself: title, publisher and date.

Metadata comes only from the text: an optional front matter block
(`---` / `title: ...` / `---`), the seeds' leading ` date YYYY-MM-DD` marker,
a headline line, bylines such as "By ..., CNN", a "(CNN) —" dateline and
"Published"/"Originally Published" stamps. What the text does not state stays
None; nothing is guessed from the file name.
"""

from __future__ import annotations

import re
from datetime import datetime

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_BYLINE = re.compile(r"^\s*By\s+([^\n,]+),\s*([A-Z][\w .&'’-]{1,40}?)\s*$", re.MULTILINE)
_BYLINE_NAME = re.compile(r"^[ \t]*By[ \t]+([A-Z][\w.'’-]+(?:[ \t]+(?:[A-Z][\w.'’-]+|de|da|van|von|del|la)){1,5})[ \t]*$", re.MULTILINE)
_DATELINE = re.compile(r"^\s*(?:[A-Z][A-Z ,.]+)?\(([A-Z][\w .&-]{1,30})\)\s*[—–-]", re.MULTILINE)
_STAMP = re.compile(
    r"\b(?:originally\s+)?published:?\s+(?:on\s+)?([0-9]{1,2} [A-Za-z]{3,9},? [0-9]{2,4}|[A-Za-z]{3,9}\.? [0-9]{1,2},? [0-9]{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_DATE_FORMATS = ("%d %b %y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%Y-%m-%d")


def parse_date(value: str) -> str | None:
    cleaned = re.sub(r"[,.]", "", value.strip())
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


def _headline(text: str) -> str | None:
    for line in text.splitlines()[:3]:
        line = _DATE_MARKER.sub("", line).strip()
        if not line or line == "---":
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

    The origin is "front-matter" for a value from the front matter block and "text"
    for one read from the words themselves (headline, byline, dateline, stamp).
    """
    text = text.removeprefix("\ufeff")  # a byte order mark (Windows editors) must not hide front matter
    meta = _front_matter(text)
    head = text[:3000]
    found: dict[str, tuple[str, str]] = {}

    def state(name: str, value: str | None, origin: str) -> None:
        if value and name not in found:
            found[name] = (value, origin)

    state("date", meta.get("date") and parse_date(meta["date"]), "front-matter")
    marker = _DATE_MARKER.match(head)
    stamp = _STAMP.search(head)
    state("date", marker.group(1) if marker else (stamp and parse_date(stamp.group(1))), "text")
    state("publisher", meta.get("publisher") or meta.get("source"), "front-matter")
    byline = _BYLINE.search(head)
    dateline = _DATELINE.search(head)
    state("publisher", (byline and byline.group(2).strip()) or (dateline and dateline.group(1).strip()), "text")
    state("title", meta.get("title"), "front-matter")
    state("title", None if meta else _headline(text), "text")
    state("author", meta.get("author"), "front-matter")
    named = byline or _BYLINE_NAME.search(head)
    author = named and named.group(1).strip()
    state("author", author if author and author[0].isupper() and len(author.split()) <= 6 else None, "text")
    state("url", meta.get("url") or meta.get("link"), "front-matter")
    order = ("title", "publisher", "author", "date", "url")
    return tuple((name, *found[name]) for name in order if name in found)
