"""What a document's text says about itself: title, publisher and date, each with its basis.

Metadata comes only from the text: an optional front matter block
(`---` / `title: ...` / `---`), the seeds' leading ` date YYYY-MM-DD` marker,
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

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_BYLINE = re.compile(r"^\s*By\s+([^\n,]+),\s*([A-Z][\w .&'’-]{1,40}?)\s*$", re.MULTILINE)
_NAME = r"[A-Z][\w.'’-]+(?:[ \t]+(?:[A-Z][\w.'’-]+|de|da|van|von|del|la)){1,4}"
_NAME_OUTLET = re.compile(rf"^[ \t]*({_NAME}),[ \t]*([A-Z][\w.&'’-]*(?:[ \t]+[A-Z][\w.&'’-]*){{0,3}})[ \t]*$", re.MULTILINE)
# Words a byline puts where an outlet goes without naming one ("By Staff, Agencies").
_NO_OUTLET = frozenset(
    "agencies agency staff staffers wires wire services reporters correspondents desk editors contributors".split()
)
_BYLINE_NAME = re.compile(r"^[ \t]*By[ \t]+([A-Z][\w.'’-]+(?:[ \t]+(?:[A-Z][\w.'’-]+|de|da|van|von|del|la)){1,5})[ \t]*$", re.MULTILINE)
_DATELINE = re.compile(r"^\s*(?:[A-Z][\w ,.'’/]{0,40}?\s)?\(([A-Z][\w .&-]{1,30})\)\s*[—–-]", re.MULTILINE)
_STAMP = re.compile(
    r"\b(?:originally\s+)?(published|updated):?\s+(?:on\s+)?"
    r"([0-9]{1,2} [A-Za-z]{3,9},? [0-9]{2,4}|[A-Za-z]{3,9}\.? [0-9]{1,2},? [0-9]{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_DATE_FORMATS = ("%d %b %y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%Y-%m-%d")
_FILE_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NOT_TITLE = re.compile(r"^\W*(advertisement|sponsored( content)?|skip to (main )?content|menu|share( this)?|"
                        r"subscribe|sign in|log in|breaking news|live updates?)\W*$", re.IGNORECASE)


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
        line = _DATE_MARKER.sub("", line).strip()
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
    "published-line", "updated-line" (or "text" for the seeds' ` date` marker).
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
    state("date", marker.group(1) if marker else None, "text")
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
