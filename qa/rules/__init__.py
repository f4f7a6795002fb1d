"""The English rules qa still decides by, as data: english.json, each list with a line on why.

A list of words is a closed class (reporting verbs, month names, a news page's furniture) that a
model would only guess at. The file is read once, on first use; JSON, because the query path
already imports json and a cold `qa ask` should pay for nothing more.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# A year as news text writes one; a question's year and a file name's year are read with it.
YEAR = r"(?:19|20)\d\d"


@cache
def _lists() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "english.json").read_text(encoding="utf-8"))


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else " ".join(value)


def version() -> int:
    return int(_lists()["version"])


def ordered(name: str) -> tuple[str, ...]:
    """A list's words in the order the file gives them (the months, Monday first)."""
    return tuple(_text(_lists()[name]["words"]).split())


def words(name: str) -> frozenset[str]:
    return frozenset(ordered(name))


def phrases(name: str) -> str:
    """A list's phrases as one regular-expression alternation, in the file's order."""
    return "|".join(_lists()[name]["phrases"])


def table(name: str) -> dict[str, tuple[str, ...]]:
    """A list keyed by what its words stand for (a lemma, an entity label), in the file's order."""
    return {key: tuple(_text(value).split()) for key, value in _lists()[name]["table"].items()}
