"""Which files of a corpus folder are documents, and what they look like on disk.

Every file is accounted for: a document qa reads, or a file it skips with the
reason (a format it does not read). The stale check compares size and
modification time before it hashes anything, so asking a question never reads a
corpus file that has not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.records import Skipped

SOURCES_FILE = "sources.csv"  # metadata a person states (qa.ingest.sources), not a document


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


def scan(corpus: Path) -> tuple[list[Path], list[Skipped]]:
    """The document files below `corpus` (hidden folders skipped), sorted by relative path, and the
    other files with the reason they are not read."""
    from qa.ingest.readers import SUFFIXES

    if not corpus.exists():
        raise QAError(f"corpus folder {corpus} does not exist")
    if not corpus.is_dir():
        raise QAError(f"corpus {corpus} is not a folder")
    files, skipped = [], []
    for p in corpus.rglob("*"):
        rel = p.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if p.suffix.lower() in SUFFIXES:
            files.append(p)
        elif rel.as_posix() != SOURCES_FILE:
            skipped.append(Skipped(rel.as_posix(), f"is not in a format qa reads ({p.suffix or 'no suffix'})"))
    return sorted(files, key=lambda p: relative(p, corpus)), sorted(skipped, key=lambda s: s.path)


def discover(corpus: Path) -> list[Path]:
    """The document files below `corpus`."""
    return scan(corpus)[0]


def relative(path: Path, corpus: Path) -> str:
    return path.relative_to(corpus).as_posix()


def stat_of(path: Path) -> FileStat:
    st = path.stat()
    return FileStat(st.st_size, st.st_mtime_ns)
