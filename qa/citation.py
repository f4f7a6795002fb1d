"""How an extract and its source are written for a person, in the CLI and the TUI alike.

Document text is data, never markup or terminal control: every document string
reaches a screen through here, on one line, with control characters (line breaks,
tabs and ANSI escapes included) shown as their escapes (\\n, \\x1b...), so a file
name or a title can never print a forged extract below a real one. A line break
inside a quote is shown as " ¶ ". Rich `Text` is never parsed for markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from urllib.parse import quote

from qa.controls import escape, escape_keeping_lines
from qa.records import Citation, Claim, Extract, Source, TimelineEntry

PARAGRAPH = " ¶ "  # how a line break inside a quote is shown
SHOWN_MOST = 5_000  # characters of one quote part shown (an index built before sentences were bounded)
_BREAK = re.compile(r"[ \t]*\n\s*")


def visible(text: str) -> str:
    """`text` on one line, with every control character (ANSI escapes, \\n, \\t included) written as its escape."""
    return escape(text)


def visible_lines(text: str) -> str:
    """A whole document as text: line breaks and tabs kept, every other control character escaped."""
    return escape_keeping_lines(text)


_KIND_LABEL = {"caption": "photo caption", "quoted": "quoted in the message"}


def source_fields(title: str | None, publisher: str | None, date: str | None) -> str:
    """Title · publisher · date, each saying so when the document does not state it."""
    return " · ".join(visible(p) for p in (title or "(untitled)", publisher or "(publisher not stated)", date or "(undated)"))


def source_line(c: Citation, kind: str = "body") -> str:
    """Title · publisher · date, saying so when the document does not state one; and what kind of text
    the quote is when it is not the article's body (a photo caption, someone else's words quoted)."""
    label = _KIND_LABEL.get(kind)
    return source_fields(c.title, c.publisher, c.date) + (f" · ({label})" if label else "")


_BASIS = {"stated": "stated", "resolved": "from “{}”", "published": "the document's date"}


def date_basis(e: TimelineEntry) -> str:
    """What a timeline entry's date rests on, in words ("from “Tuesday night”")."""
    return _BASIS.get(e.date_basis or "", "").format(visible(e.date_text or ""))


def entry_source(e: TimelineEntry, *, link: bool = False) -> str:
    """A timeline entry's source, as a source line: title · publisher · its document's date · path:line."""
    return f"{source_fields(e.citation.title, e.citation.publisher, e.citation.date)} · {_where(e.citation, link)}"


def openable(e: Citation) -> str:
    """The file as it opens from the current folder: relative when the file is below it, else
    absolute; the path inside the corpus when the absolute one is not known."""
    if e.file is None:
        return e.path
    here = os.getcwd()
    inside = os.path.commonpath([here, e.file]) == here
    return os.path.relpath(e.file, here) if inside else e.file


def place(e: Citation) -> str:
    """`path:line`, the line of the original file; `path#page=N` for a page of a PDF; or the path and that
    no exact line is known (a sentence of a web page or an e-mail whose words the file does not hold as such)."""
    if e.line is not None:
        return f"{visible(openable(e))}:{e.line}"
    return f"{visible(openable(e))}#page={e.page}" if e.page else f"{visible(openable(e))} (line not known)"


def _where(e: Citation, link: bool) -> str:
    """`place(e)`; with `link`, the path is an OSC 8 hyperlink to the file for terminals that support one."""
    text = place(e)
    if link and e.file:
        text = f"\x1b]8;;file://{quote(os.uname().nodename)}{quote(e.file)}\x1b\\{text}\x1b]8;;\x1b\\"
    return text


def location(e: Citation, *, link: bool = False) -> str:
    """`path:line`, and the page of a paged document (its printed label when it has one)."""
    page = e.page_label or (str(e.page) if e.page else None)
    said = e.line is None and page == str(e.page)  # already in `path#page=N`
    return _where(e, link) + (f" (p. {visible(page)})" if page and not said else "")


def also_in_line(s: Source, *, link: bool = False, wording: str | None = None) -> str:
    """Where else the same sentence appears, with the same fields in the same order as a source line,
    and that document's own words when they differ from `wording` (the extract's sentence)."""
    own = f": “{quote_line(s.quote)}”" if s.quote and wording is not None and s.quote != wording else ""
    return f"{source_line(s.citation, s.kind)} · {location(s.citation, link=link)}{own}"


_KIND_WORDS = {"number": ("figure", "figures"), "person": ("name", "names"), "organization": ("name", "names"),
               "place": ("place", "places"), "date": ("date", "dates"), "other": ("answer", "answers")}


def claim_lines(claims: Sequence[Claim], agreement: str | None, *, link: bool = False) -> list[str]:
    """Who says what, before the extracts: each value, who gave it, and every document giving it."""
    if not claims or agreement is None:
        return []
    kind = _KIND_WORDS.get(claims[0].kind, _KIND_WORDS["other"])
    count = f"({len(claims)} {kind[0] if len(claims) == 1 else kind[1]})"
    head = {"agree": f"Sources agree {count}:", "single": f"One source {count}:"}.get(agreement, f"Sources differ {count}:")
    width = min(24, max(len(visible(c.value)) for c in claims))
    who = min(28, max(len(visible(c.attributed_to or "")) for c in claims))
    lines = [head]
    for c in claims:
        places = []
        for n, s in enumerate(c.sources):
            place = _where(s.citation, link) + (f" ({visible(s.citation.date)})" if n == 0 and s.citation.date else "")
            if s.value != c.value:
                place += f" (“{visible(s.value)}”)"
            places.append(place)
        lines.append(f"  {visible(c.value):<{width}}  {visible(c.attributed_to or '—'):<{who}}  {' · '.join(places)}")
    return lines


def quote_line(part: str) -> str:
    """Part of a quote on one line: line breaks as " ¶ ", at most SHOWN_MOST characters of it."""
    if len(part) > SHOWN_MOST:
        half = SHOWN_MOST // 2
        part = f"{part[:half]} … ({len(part) - 2 * half:,} characters not shown) … {part[-half:]}"
    return visible(_BREAK.sub(PARAGRAPH, part))


def quote_parts(e: Extract) -> tuple[str, str, str]:
    """The quote split around its highlighted sentence, each part made visible."""
    h0, h1 = e.highlight.start, e.highlight.end
    return quote_line(e.quote[:h0]), quote_line(e.quote[h0:h1]), quote_line(e.quote[h1:])


def citation(e: Extract) -> str:
    """The quote with its source, as copied to the clipboard."""
    return f"“{''.join(quote_parts(e))}”\n— {source_line(e.citation, e.kind)} · {location(e.citation)}"
