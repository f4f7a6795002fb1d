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

import bisect
import codecs
import logging
import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from qa import rules
from qa.ingest.readers.base import Layout, Metadata, ReadResult, Unreadable, library_version, metadata, normalise

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
    layout: Layout


class HtmlReader:
    name = "trafilatura"
    suffixes: tuple[str, ...] = (".html", ".htm")

    @property
    def version(self) -> str:
        return library_version("trafilatura")  # read when a build records it, not on every start

    def read(self, data: bytes, path: str) -> ReadResult:
        page = extract(decode(data))
        return ReadResult(text=page.text, format="html", metadata=page.metadata, notes=page.notes, layout=page.layout)


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
        return Extracted("", Metadata(), (), (), Layout(wrapped=False))
    tree = load_html(html)
    if tree is None:  # trafilatura takes a page without an <html> near its start for a fragment
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        raise Unreadable("is not an HTML page")
    if _depth(tree) >= _PARSER_DEPTH:  # libxml2 drops everything nested deeper: read the page as a stream instead
        lines = _streamed(html)
        return Extracted("\n\n".join(lines), Metadata(), (), (DEEP_NOTE.format(_PARSER_DEPTH),) if lines else (),
                         Layout(wrapped=False))
    visible = _visible(deepcopy(tree))
    dates = set_date_params(extensive=False)  # original_date stays on: the publication date, not the last edit
    found: Any = None
    blocks: list[tuple[str, str]] = []
    notes: tuple[str, ...] = ()
    passes = []
    for precision in (True, False):
        found = bare_extraction(tree, with_metadata=with_metadata, include_comments=False, include_tables=True,
                                favor_precision=precision, date_extraction_params=dates)
        passes.append(_blocks(found.body) if found is not None and found.body is not None else [])
        if not _fragment(passes[-1], visible):
            break
    else:
        passes.append([("p", line) for line in visible])
        notes = (FALLBACK_NOTE,)
    blocks = passes[-1]
    if len(passes) == 1:  # what the balanced pass finds inside the article joins it
        # fast: without the readability and jusText comparisons, which decide the page's main text: the
        # precision pass already did, and only blocks between two of its own are taken from this one
        balanced: Any = bare_extraction(tree, with_metadata=False, include_comments=False, include_tables=True,
                                        favor_precision=False, fast=True)
        blocks = _inside(blocks, _blocks(balanced.body) if balanced is not None and balanced.body is not None else [])
    if with_metadata and found is None:
        found = extract_metadata(tree, date_config=dates)
    meta = _metadata(found, html) if with_metadata else Metadata()
    text: list[str] = []
    spans: dict[str, list[tuple[int, int]]] = {"quote": [], "head": [], "code": [], "p": []}
    pos = 0
    for tag, block in blocks:
        block = normalise(block).strip("\n") if tag == "code" else normalise(block).strip()
        if not block.strip():
            continue
        pos += 2 if text else 0
        spans[tag].append((pos, pos + len(block)))
        text.append(block)
        pos += len(block)
    layout = Layout(wrapped=False, headings=tuple(spans["head"]), blocks=tuple(spans["code"]))
    return Extracted("\n\n".join(text), meta, tuple(spans["quote"]), notes, layout)


def _inside(kept: list[tuple[str, str]], balanced: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The precision pass's blocks, and the blocks the balanced pass finds between two of them. Precision
    drops a short paragraph holding a link (a documentation page's note, "If you want the adler32 ...
    see zlib"), as it drops a "more stories" box; a box sits around the article, a note inside it."""
    where: dict[tuple[str, str], list[int]] = {}
    for n, block in enumerate(balanced):
        where.setdefault(_same(block), []).append(n)
    # a kept block the balanced pass reads a little otherwise ("$ source ..." for " source ...") is not added twice
    own = [text for kind, text in map(_same, kept) if (kind, text) not in where and text]
    out: list[tuple[str, str]] = []
    at = -1  # the balanced block the last kept block was found at (-1: none yet)
    for block in kept:
        places = where.get(_same(block), [])
        n = bisect.bisect_right(places, at)
        if n < len(places):
            between = balanced[at + 1:places[n]] if at >= 0 else []
            out += [b for b in between if not any(t in _same(b)[1] or _same(b)[1] in t for t in own)]
            at = places[n]
        out.append(block)
    return out


def _same(block: tuple[str, str]) -> tuple[str, str]:
    return block[0], " ".join(block[1].split())


def _fragment(blocks: list[tuple[str, str]], visible: list[str]) -> bool:
    """Nothing, or under 20% of the visible text and under 200 characters: not the page's main text."""
    size = sum(len(b) for _, b in blocks)
    whole = sum(len(line) for line in visible)
    return size == 0 or (size < _FRAGMENT_SHARE * whole and size < _FRAGMENT_CHARS)


_BLOCK_TAGS = frozenset({"p", "head", "quote", "list", "item", "table", "row", "cell", "code", "div"})
_MONTHS = tuple(month[:3] for month in rules.ordered("months"))
_ANCHOR = re.compile(r"\s*¶$")  # Sphinx's permalink sign after a title or a definition


def _blocks(body) -> list[tuple[str, str]]:
    """(kind, text) of each block of trafilatura's XML: paragraphs, headings ("head"), list items,
    table cells and code each on their own, nested ones too, so that no sentence runs from one into
    the next; "code" keeps its lines, the others their words with <lb/> as line breaks.

    The text is read from the XML here rather than through trafilatura's xmltotxt,
    which unescapes it a second time and so prints a page's literal "&lt;" as "<".
    """
    out: list[tuple[str, str]] = []
    _walk(body, out)
    return out


def _is_code_block(el) -> bool:
    parent = el.getparent()
    return el.tag == "code" and parent is not None and parent.tag in ("body", "item", "cell", "quote", "list", "div") \
        and (parent.tag == "body" or "\n" in "".join(el.itertext()).strip())


def _walk(el, out: list[tuple[str, str]]) -> None:
    """Add `el`'s own words as one block, and each nested block as blocks of their own, in order."""
    if _is_code_block(el):
        lines = [line.rstrip() for line in "".join(el.itertext()).split("\n")]
        out.append(("code", "\n".join(lines).strip("\n")))
        return
    kind = "head" if el.tag == "head" else "quote" if el.tag == "quote" else "p"
    run = [_spaces(el.text)]
    for child in el:
        if child.tag in _BLOCK_TAGS and (child.tag != "code" or _is_code_block(child)):
            _flush(run, kind, out)
            _walk(child, out)
            run = [_spaces(child.tail)]
        else:
            run += ["\n" if child.tag == "lb" else _inline(child), _spaces(child.tail)]
    _flush(run, kind, out)


def _flush(run: list[str], kind: str, out: list[tuple[str, str]]) -> None:
    lines = [_ANCHOR.sub("", _squash(line)) for line in "".join(run).split("\n")]
    text = "\n".join(line for line in lines if line)
    if text:
        out.append((kind, text))


def _inline(el) -> str:
    """An inline element's words (white space as one space), with its line breaks (<lb/>)."""
    parts = [_spaces(el.text)]
    for child in el:
        parts += ["\n" if child.tag == "lb" else _inline(child), _spaces(child.tail)]
    return "".join(parts)


def _spaces(text: str | None) -> str:
    """Source line breaks and runs of white space inside a paragraph are one space, as a browser shows them."""
    return re.sub(r"\s+", " ", text or "")


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


def _stated(day: str | None, html: str) -> str | None:
    """The date, if the page states that day: htmldate turns "2026-02-30" into 2026-02-01 and "2026-02" into
    the day it runs, dates the page never stated."""
    if not day:
        return None
    y, m, d = day.split("-")
    month = _MONTHS[int(m) - 1]
    forms = (rf"{y}-{m}-{d}", rf"{y}/{m}/{d}", rf"{y}{m}{d}", rf"{d}/{m}/{y}", rf"{m}/{d}/{y}",
             rf"\b0?{int(d)}(?:st|nd|rd|th)?\s+{month}[a-z]*\.?,?\s+{y}", rf"{month}[a-z]*\.?\s+0?{int(d)}(?:st|nd|rd|th)?,?\s+{y}")
    return day if re.search("|".join(forms), html, re.IGNORECASE) else None


def _metadata(found, html: str) -> Metadata:
    title = _ANCHOR.sub("", found.title or "") or None
    site = found.sitename
    if site and title and " ".join(site.split()).lower() in " ".join(title.split()).lower():
        site = None  # trafilatura falls back to the page's title, which names the page, not who published it
    return metadata("html-meta", title=title, publisher=site, author=found.author, date=_stated(found.date, html), url=found.url)


def _quiet() -> None:
    """trafilatura logs a warning for every page it discards; with no handler those reach stderr."""
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
