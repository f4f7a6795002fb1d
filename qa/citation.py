"""How an extract and its source are written for a person, in the CLI and the TUI alike.

Document text is data, never markup or terminal control: every document string
reaches a screen through here, on one line, with control characters (line breaks,
tabs and ANSI escapes included) shown as their escapes (\\n, \\x1b...), so a file
name or a title can never print a forged extract below a real one. A line break
inside a quote is shown as " ¶ ". Rich `Text` is never parsed for markup.
"""

from __future__ import annotations

import re

from qa.controls import escape, escape_keeping_lines
from qa.records import Extract, Source

PARAGRAPH = " ¶ "  # how a line break inside a quote is shown
SHOWN_MOST = 5_000  # characters of one quote part shown (an index built before sentences were bounded)
_BREAK = re.compile(r"[ \t]*\n\s*")


def visible(text: str) -> str:
    """`text` on one line, with every control character (ANSI escapes, \\n, \\t included) written as its escape."""
    return escape(text)


def visible_lines(text: str) -> str:
    """A whole document as text: line breaks and tabs kept, every other control character escaped."""
    return escape_keeping_lines(text)


def source_line(e: Extract | Source) -> str:
    """Title · publisher · date, saying so when the document does not state one."""
    parts = (e.title or "(untitled)", e.publisher or "(publisher not stated)", e.date or "(undated)")
    return " · ".join(visible(p) for p in parts)


def location(e: Extract | Source) -> str:
    """path:line, and the page of a paged document (its printed label when it has one)."""
    page = e.page_label or (str(e.page) if e.page else None)
    return f"{visible(e.path)}:{e.line}" + (f" (p. {visible(page)})" if page else "")


def also_in_line(s: Source) -> str:
    """Where else the same passage appears: location first, as the title may wrap."""
    return f"{location(s)} · {visible(s.date or '(undated)')} · {visible(s.title or s.publisher or '(untitled)')}"


def _shown(part: str) -> str:
    """Part of a quote on one line: line breaks as " ¶ ", at most SHOWN_MOST characters of it."""
    if len(part) > SHOWN_MOST:
        half = SHOWN_MOST // 2
        part = f"{part[:half]} … ({len(part) - 2 * half:,} characters not shown) … {part[-half:]}"
    return visible(_BREAK.sub(PARAGRAPH, part))


def quote_parts(e: Extract) -> tuple[str, str, str]:
    """The quote split around its highlighted sentence, each part made visible."""
    h0, h1 = e.highlight.start, e.highlight.end
    return _shown(e.quote[:h0]), _shown(e.quote[h0:h1]), _shown(e.quote[h1:])


def citation(e: Extract) -> str:
    """The quote with its source, as copied to the clipboard."""
    return f"“{''.join(quote_parts(e))}”\n— {source_line(e)} · {location(e)}"
