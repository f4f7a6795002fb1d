"""How qa reads real documents: the share of sentence spans taken for headings, and of fragments.

A fragment is an answerable span that starts in lower case: a piece of a sentence cut at a
line break. Run over folders of files nobody here wrote (Debian's Python docs, gnuplot's
manual, the Python test suite's e-mails) before and after a change to the readers, the
sentence splitter or the classifier:

    .venv/bin/python scripts/measure_reading.py FOLDER [FOLDER ...]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.ingest.boilerplate import HEADING, answerable, classify, split_credits
from qa.ingest.readers import Unreadable, read, reader_for
from qa.ingest.sentences import split_sentences


def measure(folder: Path) -> dict[str, float]:
    kinds: Counter[str] = Counter()
    fragments = files = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or reader_for(path.name) is None:
            continue
        try:
            got = read(path.read_bytes(), path.name)
        except Unreadable:
            continue
        files += 1
        layout = (got.layout,) if hasattr(got, "layout") else ()  # readers before #22 gave no layout
        spans = split_credits(got.text, split_sentences(got.text, *layout))
        for (start, _), kind in zip(spans, classify(got.text, spans, got.noise, got.quoted, *layout)):
            kinds[kind] += 1
            fragments += answerable(kind) and got.text[start].islower()
    total = sum(kinds.values()) or 1
    body = sum(n for k, n in kinds.items() if answerable(k)) or 1
    return {"files": files, "spans": total, "headings": kinds[HEADING] / total, "fragments": fragments / body}


def main(argv: list[str]) -> None:
    print(f"{'folder':30} {'files':>5} {'spans':>7} {'headings':>9} {'fragments':>10}")
    for name in argv:
        m = measure(Path(name))
        print(f"{name:30} {m['files']:5d} {m['spans']:7d} {m['headings']:9.1%} {m['fragments']:10.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
