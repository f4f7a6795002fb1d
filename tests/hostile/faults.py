"""A fault-injection layer: the n-th write into an index folder fails as a full or failing disk fails.

Every file of a version is written through Python's `open` (documents, rows, BM25, word
vectors, manifest, CURRENT) except the FAISS file, which FAISS writes from C++; while the
layer is installed FAISS's save goes through `open` as well, so that its writes count
and fail too. A failure comes in the shape each writer really shows: an OSError with
errno ENOSPC or EIO (Python), an OSError without errno ("661 requested and 496 written",
numpy's tofile, or numpy's own "Not enough free space"), or a RuntimeError (FAISS, with or
without the reason). Half of the failing write reaches the disk,
as it would on a full one. The real-disk counterpart is the tmpfs tests.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

SHAPES = ("ENOSPC", "EIO", "numpy-short", "numpy-fallocate", "faiss", "faiss-bare")


def failure(shape: str, path: str) -> BaseException:
    """The exception each writer really raises (messages as numpy 2.4 and FAISS 1.15 word them)."""
    if shape == "ENOSPC":
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    if shape == "EIO":
        return OSError(errno.EIO, os.strerror(errno.EIO), path)
    if shape == "numpy-short":
        return OSError("661 requested and 496 written")
    if shape == "numpy-fallocate":
        return OSError("Not enough free space to write 25600000 bytes after offset 128")
    where = "Error in void faiss::write_index(const Index*, IOWriter*, int) at /project/faiss/impl/index_write.cpp:499: "
    if shape == "faiss":
        return RuntimeError(f"{where}Error: 'ret == (size * 4)' failed: write error in {path}: 1048531 != 2560000 "
                            "(No space left on device)")
    return RuntimeError(f"{where}Error: 'ret == (size * 4)' failed")  # no reason given: only statvfs tells


class _Writer:
    """A file object that counts its writes and fails the chosen one."""

    def __init__(self, inner, faults: DiskFaults, path: str):
        self._inner, self._faults, self._path = inner, faults, path

    def write(self, data):
        self._faults.writes += 1
        self._faults.by_file.setdefault(self._path, []).append(self._faults.writes)
        if self._faults.writes == self._faults.fail_at:
            half = data[: len(data) // 2]
            if half:
                self._inner.write(half)
                self._inner.flush()
            self._faults.failed = self._path
            raise failure(self._faults.shape, self._path)
        return self._inner.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._inner.close()

    def __iter__(self):
        return iter(self._inner)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class DiskFaults:
    """Install with `install(monkeypatch)`; `fail_at` 0 only counts the writes (a clean run)."""

    def __init__(self, root: Path, fail_at: int = 0, shape: str = "ENOSPC"):
        self.root = os.path.abspath(root)
        self.fail_at, self.shape = fail_at, shape
        self.writes = 0
        self.by_file: dict[str, list[int]] = {}  # file -> the numbers of its writes
        self.failed: str | None = None

    def points(self) -> list[int]:
        """Writes worth failing, from a counting run: the first, a middle and the last write of every file."""
        chosen = set()
        for numbers in self.by_file.values():
            chosen.update((numbers[0], numbers[len(numbers) // 2], numbers[-1]))
        return sorted(chosen)

    def install(self, monkeypatch) -> None:
        real_open = io.open
        faults = self

        def opener(file, mode="r", *args, **kwargs):
            inner = real_open(file, mode, *args, **kwargs)
            if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+"):
                path = os.path.abspath(os.fspath(file))
                if path.startswith(faults.root + os.sep):
                    return _Writer(inner, faults, path)
            return inner

        monkeypatch.setattr(builtins, "open", opener)
        monkeypatch.setattr(io, "open", opener)

        from qa.index import vectors

        def save(store, path: Path) -> None:  # FAISS writes from C++; here through `open`, a piece at a time
            import faiss

            data = faiss.serialize_index(store._index).tobytes()
            with open(path, "wb") as fh:
                for at in range(0, len(data), 1 << 14):
                    fh.write(data[at:at + (1 << 14)])

        monkeypatch.setattr(vectors.FaissVectors, "save", save)
        if self.shape == "faiss-bare":  # no errno, no reason: a disk that is full says so in statvfs
            from qa import errors

            real_free = errors.free_bytes
            monkeypatch.setattr(errors, "free_bytes", lambda path: 0 if faults.failed else real_free(path))
