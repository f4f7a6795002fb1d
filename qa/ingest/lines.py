"""Where a sentence of a rebuilt text begins in the original file.

A web page's or an e-mail's text is rebuilt by its reader (tags, headers and
encodings gone), so a line counted in that text names no line of the file. Each
sentence's first words are looked for in the file itself, in order, with markup,
entities or quoting allowed between and inside them; a sentence whose words are
not found (a quoted-printable body, text the reader joined) has no line, rather
than a wrong one.
"""

from __future__ import annotations

import bisect
import html
import re

WORDS = 6  # how many of a sentence's first words must be found together
WINDOW = 200_000  # how far past the last sentence found the next one is looked for
NEAR = 5_000  # how far a sentence of fewer words is looked for
_GAP = r"(?:\s|<[^>]*>|&nbsp;|&#160;|(?<=\n)>)+"  # white space, tags, a non-breaking space, e-mail quoting
_BODY = {True: re.compile(r"<body\b", re.IGNORECASE), False: re.compile(r"\r?\n\r?\n")}  # after a page's head, a message's headers


def _word(word: str, markup: bool) -> str:
    """A pattern for one word as the file may write it: an entity for any character that is not a letter."""
    if not markup:
        return re.escape(word)
    parts = []
    for ch in word:
        if ch.isalnum():
            parts.append(re.escape(ch))
        else:
            named = html.escape(ch)
            alternatives = {re.escape(ch), re.escape(named), f"&#0*{ord(ch)};", f"&#[xX]0*{ord(ch):x};", "&[A-Za-z]+;"}
            parts.append("(?:" + "|".join(sorted(alternatives)) + ")")
    return "(?:<[^>]*>)*".join(parts)


def locate(source: str, text: str, spans: list[tuple[int, int]], markup: bool) -> tuple[tuple[int, int], ...]:
    """(start, line) for each sentence span of `text` whose first words are found in `source`, in order;
    `markup`: the source is HTML (tags and entities may sit between and inside words)."""
    newlines = [i for i, ch in enumerate(source) if ch == "\n"]
    body = _BODY[markup].search(source)
    cursor = body.end() if body else 0
    out = []
    for start, end in sorted(spans):
        words = text[start:min(end, start + 400)].split()[:WORDS]
        if not words:
            continue
        pattern = re.compile(_GAP.join(_word(w, markup) for w in words))
        few = len(words) < WORDS  # "Sniffer" recurs anywhere: a short sentence is looked for nearby, and never moves the search on
        found = pattern.search(source, cursor, cursor + (NEAR if few else WINDOW))
        if found is None or (markup and _inside_tag(source, found.start())):
            continue
        out.append((start, bisect.bisect_left(newlines, found.start()) + 1))
        cursor = cursor if few else found.end()
    return tuple(out)


def _inside_tag(source: str, pos: int) -> bool:
    return source.rfind("<", 0, pos) > source.rfind(">", 0, pos)
