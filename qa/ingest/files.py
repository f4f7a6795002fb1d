"""Which files of a corpus folder are documents, and what they look like on disk.

The stale check compares size and modification time before it hashes anything,
so asking a question never reads a corpus file that has not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError

SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


def discover(corpus: Path) -> list[Path]:
    """Every document file below `corpus` (hidden folders skipped), sorted by relative path."""
    if not corpus.exists():
        raise QAError(f"corpus folder {corpus} does not exist")
    if not corpus.is_dir():
        raise QAError(f"corpus {corpus} is not a folder")
    files = [
        p for p in corpus.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(corpus).as_posix())


def relative(path: Path, corpus: Path) -> str:
    return path.relative_to(corpus).as_posix()


def stat_of(path: Path) -> FileStat:
    st = path.stat()
    return FileStat(st.st_size, st.st_mtime_ns)
