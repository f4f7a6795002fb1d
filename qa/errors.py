"""One exception type for everything a user can fix; the faces turn it into a message and exit 2.

A message may name a file, a folder or a manifest field, which are data: they are
written with their control characters escaped (qa.controls), so no message can
print a forged line. A failed write (a full disk, an I/O error, a read-only file
system) is one such error too, naming the file, never a library's own words.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from qa.controls import escape


class QAError(Exception):
    def __init__(self, message: str, *, hint: str | None = None, code: int = 2):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        return f"{escape(self.message)}\n{escape(self.hint)}" if self.hint else escape(self.message)


_WRITE_FAILURES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EIO: "input/output error (the disk may be failing)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}
# what libraries that write from C (FAISS, numpy, protobuf) put in their messages instead of an errno
_SAID = {"no space left on device": errno.ENOSPC, "not enough free space": errno.ENOSPC, " requested and ": errno.ENOSPC,
         "input/output error": errno.EIO, "read-only file system": errno.EROFS}
FULL_BELOW = 1 << 20  # bytes free under which a device counts as full after a failed write


def free_bytes(path: Path | str) -> int | None:
    """Bytes a writer can still use on the device holding `path` (or its nearest existing folder)."""
    here = Path(path)
    while not here.exists() and here != here.parent:
        here = here.parent
    try:
        st = os.statvfs(here)
    except OSError:
        return None
    return (st.f_bfree if os.geteuid() == 0 else st.f_bavail) * st.f_frsize


def write_error_code(exc: BaseException, path: Path | str) -> int | None:
    """The errno of a failed write, if it is one a person can act on: from the exception, its
    message, or (for a library that lost the errno) a device found full right after it."""
    if not isinstance(exc, Exception):
        return None  # KeyboardInterrupt, SystemExit: not a write failure
    code = getattr(exc, "errno", None)
    if code in _WRITE_FAILURES:
        return code
    said = str(exc).lower()
    for words, found in _SAID.items():
        if words in said:
            return found
    if isinstance(exc, OSError) and exc.errno is not None:
        return None  # it says what it is (a kernel file system reports no free space, yet is not full)
    free = free_bytes(path)
    if isinstance(exc, (OSError, RuntimeError, ValueError)) and free is not None and free < FULL_BELOW:
        return errno.ENOSPC
    return None


def write_error(exc: BaseException, path: Path | str, *, left: str = "") -> QAError | None:
    """A failed write of `path` as a QAError saying what happened and what to do, or None when
    `exc` is not a write failure. `left` says what was left as it was ("the index at index/ ...")."""
    code = write_error_code(exc, path)
    if code is None:
        return None
    what = {errno.ENOSPC: "free some space on that disk", errno.EDQUOT: "free some space or raise the quota",
            errno.EIO: "check the disk", errno.EROFS: "use a folder on a writable disk",
            errno.EACCES: "use a folder you can write to", errno.EPERM: "use a folder you can write to"}[code]
    return QAError(f"{_WRITE_FAILURES[code]} while writing {path}",
                   hint=f"{what}, then run the command again" + (f"; {left}" if left else ""))


_WORDS = {**_WRITE_FAILURES, errno.EFBIG: "the file would be too large (a file size limit)",
          errno.ENAMETOOLONG: "the file name is too long", errno.ELOOP: "too many levels of symbolic links",
          errno.ENOTDIR: "a part of the path is not a folder"}


def in_words(exc: OSError) -> str:
    """An OSError as words ("the file name is too long"), never a bare "[Errno 36]"."""
    code = exc.errno
    if code in _WORDS:
        return _WORDS[code]
    if code is not None:
        return os.strerror(code).lower()
    return str(exc) or type(exc).__name__


def denied(root: Path | str, path: Path | str) -> QAError:
    """Permission to read part of the index at `root` is denied: rebuilding is not the remedy."""
    return QAError(f"permission denied reading {path}",
                   hint=f"the index at {root} belongs to another user or was written under a strict umask: "
                        f"ask its owner to make it readable (chmod -R a+rX {root}), or use an index of your own with --index")
