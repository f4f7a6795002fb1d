"""The word lists are data (qa/rules/english.json): versioned, each with a reason, each used, none repeating a word."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qa import rules

ROOT = Path(__file__).resolve().parent.parent
LISTS = json.loads((ROOT / "qa" / "rules" / "english.json").read_text(encoding="utf-8"))
NAMES = [name for name, entry in LISTS.items() if isinstance(entry, dict)]


def test_the_file_has_a_version_and_every_list_says_why_it_exists():
    assert isinstance(LISTS["version"], int) and rules.version() == LISTS["version"]
    assert NAMES and all(len(rules._text(LISTS[name]["why"]).split()) >= 8 for name in NAMES)


def test_every_list_is_read_by_the_code():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "qa").rglob("*.py"))
    assert [name for name in NAMES if not re.search(rf"""rules\.\w+\(["']{name}["']\)""", source)] == []


def test_no_list_repeats_a_word():
    for name in NAMES:
        entry = LISTS[name]
        if "words" in entry:
            assert len(rules.ordered(name)) == len(rules.words(name)), name
        if "phrases" in entry:
            assert len(entry["phrases"]) == len(set(entry["phrases"])), name
        if "table" in entry:
            every = [w for forms in rules.table(name).values() for w in forms]
            assert len(every) == len(set(every)), name


def test_the_months_and_weekdays_are_in_calendar_order():
    assert rules.ordered("months")[0] == "january" and rules.ordered("months")[11] == "december"
    assert len(rules.ordered("months")) == 12 and rules.ordered("weekdays")[0] == "monday"
