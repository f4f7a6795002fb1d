"""How an extract and its source are written for a person, in the CLI and the TUI alike.

Document text is data, never markup or terminal control: every document string
reaches a screen through here, with control characters (ANSI escapes included)
shown as their escapes (\\x1b...). Rich `Text` is never parsed for markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from urllib.parse import quote

from qa.records import Claim, ClaimSource, Extract, Source, TimelineEntry

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with control characters (ANSI escapes included) written as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_KIND_LABEL = {"caption": "photo caption", "quoted": "quoted in the message"}


def source_line(e: Extract | Source) -> str:
    """Title · publisher · date, saying so when the document does not state one; and what kind of text
    the quote is when it is not the article's body (a photo caption, someone else's words quoted)."""
    parts = (e.title or "(untitled)", e.publisher or "(publisher not stated)", e.date or "(undated)")
    label = _KIND_LABEL.get(e.kind)
    return " · ".join(visible(p) for p in parts) + (f" · ({label})" if label else "")


def openable(e: Extract | Source | ClaimSource | TimelineEntry) -> str:
    """The file as it opens from the current folder: relative when the file is below it, else
    absolute; the path inside the corpus when the absolute one is not known."""
    if e.file is None:
        return e.path
    here = os.getcwd()
    inside = os.path.commonpath([here, e.file]) == here
    return os.path.relpath(e.file, here) if inside else e.file


def location(e: Extract | Source, *, link: bool = False) -> str:
    """`path:line`, and the page of a paged document (its printed label when it has one); with
    `link`, the path is an OSC 8 hyperlink to the file for terminals that support one."""
    page = e.page_label or (str(e.page) if e.page else None)
    text = f"{visible(openable(e))}:{e.line}"
    if link and e.file:
        text = f"\x1b]8;;file://{quote(os.uname().nodename)}{quote(e.file)}\x1b\\{text}\x1b]8;;\x1b\\"
    return text + (f" (p. {visible(page)})" if page else "")


def also_in_line(s: Source, *, link: bool = False, wording: str | None = None) -> str:
    """Where else the same sentence appears, with the same fields in the same order as a source line,
    and that document's own words when they differ from `wording` (the extract's sentence)."""
    own = f": “{visible(s.quote)}”" if s.quote and wording is not None and s.quote != wording else ""
    return f"{source_line(s)} · {location(s, link=link)}{own}"


_KIND_WORDS = {"number": ("figure", "figures"), "person": ("name", "names"), "organization": ("name", "names"),
               "place": ("place", "places"), "date": ("date", "dates"), "other": ("answer", "answers")}


def claim_lines(claims: Sequence[Claim], agreement: str | None, *, link: bool = False) -> list[str]:
    """Who says what, before the extracts: each value, who gave it, and every document giving it."""
    if not claims or agreement is None:
        return []
    kind = _KIND_WORDS.get(claims[0].kind, _KIND_WORDS["other"])
    head = f"Sources {'agree' if agreement == 'agree' else 'differ'} ({len(claims)} {kind[0] if len(claims) == 1 else kind[1]}):"
    width = min(24, max(len(visible(c.value)) for c in claims))
    who = min(28, max(len(visible(c.attributed_to or "")) for c in claims))
    lines = [head]
    for c in claims:
        places = []
        for n, s in enumerate(c.sources):
            where = f"{visible(openable(s))}:{s.line}"
            if link and s.file:
                where = f"\x1b]8;;file://{quote(os.uname().nodename)}{quote(s.file)}\x1b\\{where}\x1b]8;;\x1b\\"
            place = where + (f" ({s.date})" if n == 0 and s.date else "")
            if s.value != c.value:
                place += f" (“{visible(s.value)}”)"
            places.append(place)
        lines.append(f"  {visible(c.value):<{width}}  {visible(c.attributed_to or '—'):<{who}}  {' · '.join(places)}")
    return lines


def quote_parts(e: Extract) -> tuple[str, str, str]:
    """The quote split around its highlighted sentence, each part made visible."""
    h0, h1 = e.highlight.start, e.highlight.end
    return visible(e.quote[:h0]), visible(e.quote[h0:h1]), visible(e.quote[h1:])


def citation(e: Extract) -> str:
    """The quote with its source, as copied to the clipboard."""
    return f"“{visible(e.quote)}”\n— {source_line(e)} · {location(e)}"
