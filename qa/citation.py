"""How an extract and its source are written for a person, in the CLI and the TUI alike.

Document text is data, never markup or terminal control: every document string
reaches a screen through here, with control characters (ANSI escapes included)
shown as their escapes (\\x1b...). Rich `Text` is never parsed for markup.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from qa.records import Extract, Source

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with control characters (ANSI escapes included) written as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def source_line(e: Extract | Source) -> str:
    """Title · publisher · date, saying so when the document does not state one."""
    parts = (e.title or "(untitled)", e.publisher or "(publisher not stated)", e.date or "(undated)")
    return " · ".join(visible(p) for p in parts)


def openable(e: Extract | Source) -> str:
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


def also_in_line(s: Source, *, link: bool = False) -> str:
    """Where else the same sentence appears, with the same fields in the same order as a source line."""
    return f"{source_line(s)} · {location(s, link=link)}"


def quote_parts(e: Extract) -> tuple[str, str, str]:
    """The quote split around its highlighted sentence, each part made visible."""
    h0, h1 = e.highlight.start, e.highlight.end
    return visible(e.quote[:h0]), visible(e.quote[h0:h1]), visible(e.quote[h1:])


def citation(e: Extract) -> str:
    """The quote with its source, as copied to the clipboard."""
    return f"“{visible(e.quote)}”\n— {source_line(e)} · {location(e)}"
