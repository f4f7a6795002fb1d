"""Which files of a corpus folder are documents, and reading one safely.

Every path is accounted for: a document qa reads, or a path it skips with the
reason, named by build, update and status (a format it does not read, a FIFO or
device, a dangling link, a link leading out of the corpus, a folder it may not
list, a name that is not UTF-8, a path too long for the system, a file over the
size limit). Hidden files and folders are left out silently. Only regular files
are opened, never blocking, and never files of the kernel (procfs, sysfs, /dev):
a link to a log device would otherwise hang every command that reads the corpus.

A document is read once, through one descriptor, and checked against its own
`fstat` before and after: a file rewritten during a build is read again, and
skipped with a reason if it keeps changing. The stale check compares size and
modification time before it hashes anything, so asking a question never reads a
corpus file that has not changed, and never one over the size limit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.records import Skipped

SOURCES_FILE = "sources.csv"  # metadata a person states (qa.ingest.sources), not a document
MAX_FILE_MB = 50  # default size limit for one corpus file
MAX_FILE_ENV = "QA_MAX_FILE_MB"
MB = 1 << 20
READ_ATTEMPTS = 3  # a file that changes while it is read is read again, this many times in all
_KERNEL_ROOTS = ("/proc", "/sys", "/dev")


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


class Refused(OSError):
    """A corpus file qa will not read; `reason` follows the file's name in a warning."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def max_file_bytes() -> int:
    """The size limit for one file: $QA_MAX_FILE_MB megabytes, default MAX_FILE_MB; 0 means none."""
    raw = os.environ.get(MAX_FILE_ENV, "").strip()
    if not raw:
        return MAX_FILE_MB * MB
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise QAError(f"{MAX_FILE_ENV} must be a number of megabytes (0 for no limit), not {raw!r}")
    return round(value * MB)


def shown_name(rel: str) -> str:
    """A relative path as text: bytes that are not UTF-8 (lone surrogates from the file system) as \\xNN."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _kernel_devices() -> set[int]:
    found = set()
    for root in _KERNEL_ROOTS:
        with contextlib.suppress(OSError):
            found.add(os.stat(root).st_dev)
    return found


def _of_the_kernel(real: str, st: os.stat_result, devices: set[int]) -> bool:
    """A file of procfs, sysfs or /dev: its bytes are the kernel's, not a document's (reading may block)."""
    return st.st_dev in devices or any(_inside(real, root) for root in _KERNEL_ROOTS)


def why_unreadable(exc: OSError) -> str:
    """Why a path cannot be read, as the words after its name."""
    return _why(exc)


def _why(exc: OSError) -> str:
    if isinstance(exc, Refused):
        return exc.reason
    if exc.errno == errno.ENAMETOOLONG:
        return "has a path longer than the system allows (PATH_MAX); move it higher up"
    if exc.errno == errno.ELOOP:
        return "is a link that leads round in a loop"
    return f"cannot be read ({exc.strerror or exc})"


def _folder_why(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "is a folder whose path is longer than the system allows (PATH_MAX); move it higher up"
    if isinstance(exc, FileNotFoundError):
        return "is a folder that vanished while the corpus was read"
    return f"is a folder that cannot be listed ({exc.strerror or exc})"


def scan(corpus: Path, follow_symlinks: bool = False) -> tuple[list[Path], list[Skipped]]:
    """The document files below `corpus`, sorted by relative path, and every other path with the
    reason it is not read. Links are followed only to files inside the corpus folder, unless
    `follow_symlinks`; links to folders only with `follow_symlinks` (loops are cut)."""
    from qa.ingest.readers import SUFFIXES

    if not corpus.exists():
        raise QAError(f"corpus folder {corpus} does not exist")
    if not corpus.is_dir():
        raise QAError(f"corpus {corpus} is not a folder")
    top = os.path.realpath(corpus)
    devices = _kernel_devices()
    files: list[Path] = []
    skipped: list[Skipped] = []
    named_like_documents: list[str] = []
    first = os.stat(corpus)
    seen = {(first.st_dev, first.st_ino)}
    pending: list[tuple[Path, str, str]] = [(corpus, "", top)]  # folder, its relative path + "/", its real path
    while pending:
        folder, prefix, real_folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if not prefix:
                raise QAError(f"corpus folder {corpus} cannot be read ({exc.strerror or exc})") from None
            skipped.append(Skipped(shown_name(prefix), _folder_why(exc)))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden, like .git/ (and never a document)
            rel = prefix + entry.name
            shown = shown_name(rel)
            if shown != rel:
                skipped.append(Skipped(shown, "has a name that is not valid UTF-8; rename it to read it"))
                continue
            path = Path(entry.path)
            try:
                link = entry.is_symlink()
                st = os.stat(entry.path)
            except FileNotFoundError:
                target = _link_target(entry.path)
                skipped.append(Skipped(rel, f"is a link to nothing ({shown_name(target)} does not exist)" if target
                                       else "vanished while the folder was read"))
                continue
            except OSError as exc:
                skipped.append(Skipped(rel, _why(exc)))
                continue
            real = os.path.realpath(entry.path) if link else os.path.join(real_folder, entry.name)
            if link and not follow_symlinks and not _inside(real, top):
                skipped.append(Skipped(rel, f"is a link to {shown_name(real)}, outside the corpus folder "
                                            "(qa index build --follow-symlinks reads it)"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if link and not follow_symlinks:
                    skipped.append(Skipped(rel + "/", "is a link to a folder inside the corpus, read where it is "
                                                      "(--follow-symlinks reads it here too)"))
                    continue
                if (st.st_dev, st.st_ino) in seen:
                    skipped.append(Skipped(rel + "/", "is a link back to a folder already read (a loop)"))
                    continue
                seen.add((st.st_dev, st.st_ino))
                if Path(entry.name).suffix.lower() in SUFFIXES:
                    named_like_documents.append(rel + "/")
                pending.append((path, rel + "/", real))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append(Skipped(rel, f"is {_kind(st.st_mode)}, not a document file"))
            elif _of_the_kernel(real, st, devices):
                skipped.append(Skipped(rel, f"is a file of the kernel ({shown_name(real)}), not a document"))
            elif path.suffix.lower() in SUFFIXES:
                files.append(path)
            elif rel != SOURCES_FILE:
                skipped.append(Skipped(rel, f"is not in a format qa reads ({path.suffix or 'no suffix'})"))
    for folder_rel in named_like_documents:
        if not any(relative(p, corpus).startswith(folder_rel) for p in files):
            skipped.append(Skipped(folder_rel, "is a folder, not a document (and holds no document)"))
    return sorted(files, key=lambda p: relative(p, corpus)), sorted(skipped, key=lambda s: s.path)


def _link_target(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def discover(corpus: Path, follow_symlinks: bool = False) -> list[Path]:
    """The document files below `corpus`."""
    return scan(corpus, follow_symlinks)[0]


def relative(path: Path, corpus: Path) -> str:
    return path.relative_to(corpus).as_posix()


def stat_of(path: Path) -> FileStat:
    st = path.stat()
    return FileStat(st.st_size, st.st_mtime_ns)


def _megabytes(size: float) -> str:
    return f"{size / MB:,.2f}".rstrip("0").rstrip(".")


def _too_large(size: int, limit: int) -> str:
    shown = f"{size / MB:,.1f} MB" if size >= MB // 10 else f"{size / 1024:,.0f} KB"
    return (f"is {shown}, over the {_megabytes(limit)} MB limit for one file "
            f"(set {MAX_FILE_ENV} to a larger number of megabytes, or 0, to read it)")


def read_file(path: Path, limit: int | None = None) -> tuple[bytes, FileStat]:
    """The whole content of a regular file, read once through one descriptor, and its size and
    modification time as they were while it was read. Raises Refused (an OSError) for anything
    that is not a regular file, a file of the kernel, a file over `limit` bytes (default:
    max_file_bytes()), or one that kept changing while it was read; OSError if it cannot be read."""
    limit = max_file_bytes() if limit is None else limit
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):  # checked before opening: opening some devices has effects
        raise Refused(f"is {_kind(st.st_mode)}, not a document file")
    if limit and st.st_size > limit:
        raise Refused(_too_large(st.st_size, limit))
    fd = os.open(path, flags)
    try:
        for _attempt in range(READ_ATTEMPTS):
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise Refused(f"is {_kind(before.st_mode)}, not a document file")
            if _of_the_kernel(os.path.realpath(path), before, _kernel_devices()):
                raise Refused(f"is a file of the kernel ({shown_name(os.path.realpath(path))}), not a document")
            if limit and before.st_size > limit:
                raise Refused(_too_large(before.st_size, limit))
            data = _read_all(fd, limit)
            after = os.fstat(fd)
            if (len(data), before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
                return data, FileStat(after.st_size, after.st_mtime_ns)
            os.lseek(fd, 0, os.SEEK_SET)
        raise Refused("kept changing while it was read; run qa index update once it is written")
    finally:
        os.close(fd)


def _read_all(fd: int, limit: int) -> bytes:
    """Every byte from `fd` (at most limit + 1, so a file that grew past the limit is noticed)."""
    chunks = []
    total = 0
    while True:
        want = 1 << 20 if not limit else min(1 << 20, limit + 1 - total)
        if want <= 0:
            break
        try:
            chunk = os.read(fd, want)
        except BlockingIOError:
            raise Refused("would block when read (not a regular file)") from None
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
