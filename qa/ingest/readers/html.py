"""Web pages: the article's own words, not the site around them.

trafilatura finds the main text and the page's metadata. It runs in precision mode
first, because an ad or a "more stories" box quoted as if it were the article is
worse than a sentence missed; when that finds only a fragment a balanced pass is
tried, and when that too finds a fragment (under 20% of the page's visible text
and under 200 characters) the page's whole visible text is indexed instead, with a
note, so that a page trafilatura does not understand is still searchable.

Dates come from the page's markup only (meta tags, JSON-LD, <time>, the URL):
htmldate's extensive search also reads free text, where it turns a footer's
"(c) 2023" into 2023-01-01, a date the page never stated.

The declared charset is honoured after UTF-8 (a page that decodes as UTF-8 is UTF-8
whatever it declares); only then is the encoding guessed, because trafilatura's
guess ignores the declaration and often picks cp1250 for short Western pages.
"""

from __future__ import annotations

import codecs
import logging
import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from qa.ingest.readers.base import Metadata, ReadResult, Unreadable, library_version, metadata, normalise

FALLBACK_NOTE = "main text not found: the page's full text is indexed"
DEEP_NOTE = ("elements are nested over {} deep, deeper than the HTML parser builds a tree: the page's visible "
             "text is indexed, without its metadata")
_PARSER_DEPTH = 256  # libxml2's limit without XML_PARSE_HUGE, counting <html> and <body>
_FRAGMENT_SHARE, _FRAGMENT_CHARS = 0.2, 200
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
# WHATWG: pages that say Latin-1 or ASCII are read as windows-1252 by every browser.
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252"}
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_BLOCKS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul".split()
)


@dataclass(frozen=True)
class Extracted:
    text: str
    metadata: Metadata
    quotes: tuple[tuple[int, int], ...]  # spans of <blockquote> text, for e-mail replies
    notes: tuple[str, ...]


class HtmlReader:
    name = "trafilatura"
    suffixes: tuple[str, ...] = (".html", ".htm")

    @property
    def version(self) -> str:
        return library_version("trafilatura")  # read when a build records it, not on every start

    def read(self, data: bytes, path: str) -> ReadResult:
        page = extract(decode(data))
        return ReadResult(text=page.text, format="html", metadata=page.metadata, notes=page.notes)


def decode(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:8192]:
        raise Unreadable("looks binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _DECLARED.search(data[:4096])
    if match:
        declared = (match.group(1) or match.group(2)).decode("ascii", "ignore").lower()
        try:
            return data.decode(_ALIASES.get(declared, declared))
        except (LookupError, UnicodeDecodeError):
            pass
    from trafilatura.utils import decode_file

    return decode_file(data)


def extract(html: str, *, with_metadata: bool = True) -> Extracted:
    """The main text of a page (blocks separated by blank lines) and what the page says about itself."""
    from trafilatura import bare_extraction
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    _quiet()
    if not html.strip():
        return Extracted("", Metadata(), (), ())
    tree = load_html(html)
    if tree is None:  # trafilatura takes a page without an <html> near its start for a fragment
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        raise Unreadable("is not an HTML page")
    if _depth(tree) >= _PARSER_DEPTH:  # libxml2 drops everything nested deeper: read the page as a stream instead
        lines = _streamed(html)
        return Extracted("\n\n".join(lines), Metadata(), (), (DEEP_NOTE.format(_PARSER_DEPTH),) if lines else ())
    visible = _visible(deepcopy(tree))
    dates = set_date_params(extensive=False)  # original_date stays on: the publication date, not the last edit
    found: Any = None
    blocks: list[tuple[str, str]] = []
    notes: tuple[str, ...] = ()
    for precision in (True, False):
        found = bare_extraction(tree, with_metadata=with_metadata, include_comments=False, include_tables=True,
                                favor_precision=precision, date_extraction_params=dates)
        blocks = _blocks(found.body) if found is not None and found.body is not None else []
        if not _fragment(blocks, visible):
            break
    else:
        blocks, notes = [("p", line) for line in visible], (FALLBACK_NOTE,)
    if with_metadata and found is None:
        found = extract_metadata(tree, date_config=dates)
    meta = _metadata(found) if with_metadata else Metadata()
    text: list[str] = []
    quotes: list[tuple[int, int]] = []
    pos = 0
    for tag, block in blocks:
        block = normalise(block).strip()
        if not block:
            continue
        pos += 2 if text else 0
        if tag == "quote":
            quotes.append((pos, pos + len(block)))
        text.append(block)
        pos += len(block)
    return Extracted("\n\n".join(text), meta, tuple(quotes), notes)


def _fragment(blocks: list[tuple[str, str]], visible: list[str]) -> bool:
    """Nothing, or under 20% of the visible text and under 200 characters: not the page's main text."""
    size = sum(len(b) for _, b in blocks)
    whole = sum(len(line) for line in visible)
    return size == 0 or (size < _FRAGMENT_SHARE * whole and size < _FRAGMENT_CHARS)


def _blocks(body) -> list[tuple[str, str]]:
    """(tag, text) of each top-level block of trafilatura's XML: list items and table rows one per line.

    The text is read from the XML here rather than through trafilatura's xmltotxt,
    which unescapes it a second time and so prints a page's literal "&lt;" as "<".
    """
    out = [("p", body.text)] if (body.text or "").strip() else []
    for el in body:
        if el.tag == "list":
            text = "\n".join(_squash(_own_text(item)) for item in el.iter("item"))
        elif el.tag == "table":
            text = "\n".join(" | ".join(_squash("".join(c.itertext())) for c in row) for row in el.iter("row"))
        else:
            text = "\n".join(filter(None, map(_squash, _inline(el).split("\n"))))
        out.append((el.tag, text))
        if (el.tail or "").strip():
            out.append(("p", el.tail))
    return out


def _inline(el) -> str:
    """An element's words, with its line breaks (<lb/>) and nested blocks on lines of their own."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag in ("p", "head", "quote", "list", "item", "row", "table"):
            parts.append("\n" + _inline(child) + "\n")
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _own_text(item) -> str:
    """An item's words without those of the lists nested in it (they are items of their own)."""
    parts = [item.text or ""]
    for child in item:
        if child.tag != "list":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _visible(tree) -> list[str]:
    """The page's visible text, one line per block element, for the fallback and the fragment test (changes `tree`)."""
    for el in tree.xpath("|".join(f"//{tag}" for tag in _INVISIBLE)):
        if el.getparent() is not None:
            el.drop_tree()
    body = tree.find(".//body")
    root = body if body is not None else tree
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    return [line for line in map(_squash, root.text_content().split("\n")) if line]


def _depth(tree) -> int:
    """How deep the parsed tree's elements are nested."""
    from lxml import etree

    depth = deepest = 0
    for event, _el in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _streamed(html: str) -> list[str]:
    """The visible text, one line per block element, read as a stream of tags (no tree, so no depth limit)."""
    from html.parser import HTMLParser

    lines: list[str] = []
    current: list[str] = []
    hidden = 0

    def cut() -> None:
        line = _squash("".join(current))
        if line:
            lines.append(line)
        current.clear()

    class Stream(HTMLParser):
        def handle_starttag(self, tag, attrs) -> None:
            nonlocal hidden
            hidden += tag in _INVISIBLE
            if tag in _BLOCKS:
                cut()

        def handle_endtag(self, tag) -> None:
            nonlocal hidden
            if tag in _INVISIBLE:
                hidden = max(0, hidden - 1)
            if tag in _BLOCKS:
                cut()

        def handle_data(self, data) -> None:
            if not hidden:
                current.append(data)

    stream = Stream(convert_charrefs=True)
    stream.feed(html)
    stream.close()
    cut()
    return [normalise(line) for line in lines]


def _metadata(found) -> Metadata:
    return metadata("html-meta", title=found.title, publisher=found.sitename, author=found.author,
                    date=found.date, url=found.url)


def _quiet() -> None:
    """trafilatura logs a warning for every page it discards; with no handler those reach stderr."""
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
