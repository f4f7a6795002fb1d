"""Saving what the chat shows to a file the user names.

A save never writes into the index or the corpus (a transcript over `index/CURRENT` breaks the
index; one in the corpus becomes a document), never opens a FIFO or a device (which would block),
and never leaves a file half-written: the text goes to a temporary file in the same folder, is
synced, then renamed over the old one, which survives any failure before that.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from qa.errors import QAError, in_words


def target(name: str, refuse: Mapping[str, Path], cwd: Path | None = None) -> Path:
    """The file `name` names (relative names are in `cwd`), or a QAError saying why it cannot be saved to.
    `refuse` maps a description ("the index folder") to a folder nothing may be saved in."""
    text = name.strip()
    if not text:
        raise QAError("Type a file name.")
    if "\x00" in text:
        raise QAError("A file name cannot hold a NUL character.")
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~nosuchuser, or no home folder at all
        raise QAError(f"{text.split('/', 1)[0]} names no home folder on this system.") from None
    path = Path(os.path.abspath((cwd or Path.cwd()) / path))
    st = _stat(path, path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise QAError(f"{path} is a folder; type a file name.")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise QAError(f"{path} is not a regular file (a FIFO, device or socket); type another name.")
    if st is None:
        try:
            if not stat.S_ISDIR(os.stat(path.parent).st_mode):
                raise QAError(f"{path.parent} is not a folder.")
        except FileNotFoundError:
            raise QAError(f"There is no folder {path.parent}.") from None
        except OSError as exc:
            raise QAError(f"Cannot save to {path}: {in_words(exc)}.") from None
    real = Path(os.path.realpath(path))
    for what, folder in refuse.items():
        inside = Path(os.path.realpath(folder))
        if real == inside or inside in real.parents:
            raise QAError(f"{path} is inside {what} ({folder}); save it somewhere else.")
    return path


def _stat(path: Path, named: Path) -> os.stat_result | None:
    """What is at `path` (None: nothing), or a QAError naming `named` and why it cannot be looked at."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise QAError(f"Cannot save to {named}: {in_words(exc)}.") from None


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, synced, then renamed over it.
    A failure leaves any old file as it was and raises a QAError naming the file and the cause in words."""
    real = Path(os.path.realpath(path))  # a link to a file: the file it leads to is replaced, not the link
    old = _stat(real, path)
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise QAError(f"{path} is not a regular file (a FIFO, device or socket or folder); nothing was saved.")
    temporary = real.with_name(f".{real.name[:200]}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if old is None else stat.S_IMODE(old.st_mode))
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(text.encode("utf-8"))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, real)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        kept = "; the file already there is unchanged" if old is not None else ""
        raise QAError(f"Could not save to {path}: {in_words(exc)}{kept}.") from None
    try:  # the rename itself survives a crash only once the folder is synced
        folder = os.open(real.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass
