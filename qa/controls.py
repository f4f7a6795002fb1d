"""Control characters in text that reaches a person, and in text a person pastes.

Whatever a document, a file name or a manifest holds is data: shown, never obeyed.
A newline in a file name would otherwise print a forged extract under a real one,
an escape sequence repaint the terminal, a right-to-left override reverse the
words a journalist reads. So every such character is written as its escape
(`\\n`, `\\x1b`, `\\u202e`); only a whole document shown as a document keeps its
line breaks and tabs. Pasted text goes the other way: escape sequences are
dropped and line breaks become spaces, so a question is what the person meant.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, the Unicode line and paragraph separators, and the
# bidirectional marks, embeddings, overrides and isolates (they reorder what follows).
_UNICODE = "\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ANY = re.compile(f"[\x00-\x1f{_UNICODE}]")
_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_UNICODE}]")  # tab (\x09) and line feed (\x0a) kept

# ECMA-48 sequences: CSI (ESC [ or 0x9b) ... final byte; OSC, DCS, SOS, PM, APC strings up to
# BEL or ST; and two-character escapes.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_SPACES = re.compile("[\t\n\v\f\r\x85\u2028\u2029]+")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape(text: str) -> str:
    """`text` on one line: every control character (line breaks and tabs too) written as its escape."""
    return _ANY.sub(_escape, text)


def escape_keeping_lines(text: str) -> str:
    """Like `escape`, but line breaks and tabs stay: for a whole document shown as one."""
    return _BUT_LINES.sub(_escape, text)


def shell_word(text: str) -> str:
    """`text` as one word a POSIX shell reads back as it is, on one line: quoted as shlex does, or, when it
    holds a control character, as bash's $'...' with that character escaped ($'new\\nline')."""
    import shlex

    if not _ANY.search(text):
        return shlex.quote(text)
    inner = _ANY.sub(_escape, text.replace("\\", "\\\\").replace("'", "\\'"))
    return f"$'{inner}'"


def strip_pasted(text: str) -> str:
    """Pasted text as a one-line question: escape sequences and control characters removed,
    line breaks and tabs turned into single spaces."""
    text = _SEQUENCE.sub("", text)
    text = _SPACES.sub(" ", text)
    return _ANY.sub("", text)
