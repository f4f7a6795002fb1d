"""How an extract and its source are written for a person, in the CLI and the TUI alike.

Document text is data, never markup or terminal control: every document string
reaches a screen through here, with control characters (ANSI escapes included)
shown as their escapes (\\x1b...). Rich `Text` is never parsed for markup.
"""

from __future__ import annotations

import re

from qa.records import Extract, Source

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with control characters (ANSI escapes included) written as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


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
    return f"{location(s)} · {s.date or '(undated)'} · {visible(s.title or s.publisher or '(untitled)')}"


def quote_parts(e: Extract) -> tuple[str, str, str]:
    """The quote split around its highlighted sentence, each part made visible."""
    h0, h1 = e.highlight.start, e.highlight.end
    return visible(e.quote[:h0]), visible(e.quote[h0:h1]), visible(e.quote[h1:])


def citation(e: Extract) -> str:
    """The quote with its source, as copied to the clipboard."""
    return f"“{visible(e.quote)}”\n— {source_line(e)} · {location(e)}"
