"""Where a sentence of a rebuilt text begins in the original file.

A web page's or an e-mail's text is rebuilt by its reader (tags, headers and
encodings gone), so a line counted in that text names no line of the file. Each
sentence's first words are looked for in the file itself, in order, with markup,
entities or quoting allowed between and inside them; a sentence whose words are
not found (a quoted-printable body, text the reader joined) has no line, rather
than a wrong one.

The file is read once into its visible characters (tags and white space left out,
entities decoded), each with its offset in the file and what was left out before it,
so a sentence is found with one plain substring search and checked at its word
edges: a compiled pattern for every sentence cost more than reading the page.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

WORDS = 6  # how many of a sentence's first words must be found together
WINDOW = 200_000  # how far past the last sentence found the next one is looked for
NEAR = 5_000  # how far a sentence of fewer words is looked for
_BODY = {True: re.compile(r"<body\b", re.IGNORECASE), False: re.compile(r"\r?\n\r?\n")}  # after a page's head, a message's headers
# what the file may hold that a rebuilt text does not: a page's tags and entities; white space; e-mail quoting
_HIDDEN = {True: re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|\s+"),
           False: re.compile(r"\s+|(?<=\n)>+")}
NOTHING, TAG, GAP = 0, 1, 2  # left out before a visible character: nothing; only tags; white space (maybe with tags)


@dataclass(frozen=True)
class _Visible:
    chars: str  # the file's visible characters, without white space
    at: list[int]  # each one's offset in the file
    before: bytes  # NOTHING, TAG or GAP: what was left out just before it


def _visible(source: str, markup: bool) -> _Visible:
    chars: list[str] = []
    at: list[int] = []
    before = bytearray()
    pending = NOTHING
    last = 0

    def keep(text: str, offset: int) -> None:
        nonlocal pending
        for k, ch in enumerate(text):
            if ch.isspace():  # a non-breaking space too
                pending = GAP
                continue
            chars.append(ch)
            at.append(offset + k)
            before.append(pending)
            pending = NOTHING

    for hidden in _HIDDEN[markup].finditer(source):
        keep(source[last:hidden.start()], last)
        token = hidden.group()
        if token.startswith("&"):  # one character ("&nbsp;" one of white space); else not an entity after all
            decoded = html.unescape(token)
            keep(decoded if len(decoded) == 1 else token, hidden.start())
        elif token.startswith("<"):
            pending = max(pending, TAG)
        else:
            pending = GAP
        last = hidden.end()
    keep(source[last:], last)
    return _Visible("".join(chars), at, bytes(before))


def _found(seen: _Visible, words: list[str], lo: int, hi: int) -> int | None:
    """Offset in the file where `words` begin, between visible characters lo and hi, or None: each
    word whole (tags may sit inside it, nothing else), words parted by white space or tags."""
    needle = "".join(words)
    edges = set()
    k = 0
    for word in words[:-1]:
        k += len(word)
        edges.add(k)
    start = seen.chars.find(needle, lo, hi)
    while start != -1:
        if start + len(needle) <= hi and all(
                (seen.before[start + k] != NOTHING) if k in edges else (seen.before[start + k] != GAP)
                for k in range(1, len(needle))):
            return start
        start = seen.chars.find(needle, start + 1, hi)
    return None


def locate(source: str, text: str, spans: list[tuple[int, int]], markup: bool) -> tuple[tuple[int, int], ...]:
    """(start, line) for each sentence span of `text` whose first words are found in `source`, in order;
    `markup`: the source is HTML (tags and entities may sit between and inside words)."""
    newlines = [m.start() for m in re.finditer("\n", source)]
    body = _BODY[markup].search(source)
    seen = _visible(source, markup)
    cursor = bisect.bisect_left(seen.at, body.end() if body else 0)  # in visible characters
    out = []
    for start, end in sorted(spans):
        words = text[start:min(end, start + 400)].split()[:WORDS]
        if not words:
            continue
        few = len(words) < WORDS  # "Sniffer" recurs anywhere: a short sentence is looked for nearby, and never moves the search on
        limit = seen.at[cursor] + (NEAR if few else WINDOW) if cursor < len(seen.at) else 0
        found = _found(seen, words, cursor, bisect.bisect_right(seen.at, limit - 1))
        if found is None:
            continue
        out.append((start, bisect.bisect_left(newlines, seen.at[found]) + 1))
        cursor = cursor if few else found + len("".join(words))
    return tuple(out)
