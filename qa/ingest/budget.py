"""A budget of time and memory for reading one file, so one file cannot hold up or kill a build.

Plain text is decoded here, in time linear in its size. Every other format goes through a library
(lxml, trafilatura, PDFium, docx2python) whose time and memory on a hostile file cannot be bounded
from Python: a page of 100,000 attributes, a million paragraphs, a .docx that unpacks to gigabytes.
Those files are read in a worker process whose address space is capped (RLIMIT_AS) and which is
killed when one file takes longer than its time; the file is then skipped with the reason, and the
next file gets a fresh worker. Each thread that reads gets its own worker, started on its first such
file and reused, so two threads read two files at once; `stop_workers` ends them all.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import threading
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.ingest.readers import ReadResult, Unreadable, read, reader_for
from qa.ingest.readers.text import TextReader

SECONDS_ENV, MEMORY_ENV = "QA_READ_SECONDS", "QA_READ_MEMORY_MB"
SECONDS, MEMORY_MB = 60.0, 2048.0
_UNPACKED_SHARE = 4  # a .docx's XML takes about this many times its size once parsed


@dataclass(frozen=True)
class Budget:
    seconds: float  # 0: no limit
    memory_mb: float  # 0: no limit


def budget() -> Budget:
    """$QA_READ_SECONDS and $QA_READ_MEMORY_MB (0: no limit), else 60 s and 2,048 MB."""
    values = []
    for name, default in ((SECONDS_ENV, SECONDS), (MEMORY_ENV, MEMORY_MB)):
        raw = os.environ.get(name, "").strip()
        try:
            value = float(raw) if raw else default
        except ValueError:
            value = -1.0
        if not value >= 0 or value == float("inf"):
            unit = "seconds" if name == SECONDS_ENV else "megabytes"
            raise QAError(f"{name} must be a number of {unit} (0 for no limit), not {raw!r}")
        values.append(value)
    return Budget(*values)


def read_within(data: bytes, path: str, limits: Budget | None = None) -> ReadResult:
    """`read(data, path)`, within the time and memory budget; Unreadable, naming the limit, when over it."""
    limits = limits or budget()
    if isinstance(reader_for(path), TextReader) or (not limits.seconds and not limits.memory_mb):
        return read(data, path)
    _unpacked_size(data, path, limits)
    return _worker(limits).read(data, path)


def _unpacked_size(data: bytes, path: str, limits: Budget) -> None:
    """A .docx is a zip: what its parts say they unpack to is known before anything is unpacked."""
    if not limits.memory_mb or not path.lower().endswith(".docx"):
        return
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # the reader says what is wrong with it
    if unpacked * _UNPACKED_SHARE > limits.memory_mb * 1024 * 1024:
        raise Unreadable(f"needs over {_mb(limits.memory_mb)} MB to read (it unpacks to {unpacked / 1024 / 1024:,.0f} MB; "
                         f"set {MEMORY_ENV} higher, or 0, to read it)")


def _mb(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


class _Worker:
    """One process that reads files sent to it, one at a time, under an address-space limit."""

    def __init__(self, limits: Budget) -> None:
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        self.limits = limits
        self.stopping = threading.Lock()
        ours, theirs = socket.socketpair()
        # a fresh interpreter (no threads or models inherited, no main module re-run), with this qa on its path
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        with theirs:
            self.process = subprocess.Popen([sys.executable, "-m", "qa.ingest.budget", str(theirs.fileno()),
                                             str(limits.memory_mb)], pass_fds=[theirs.fileno()], env=env,
                                            stdin=subprocess.DEVNULL)
        self.conn = Connection(ours.detach())
        try:  # the libraries load before any file's time starts
            self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            raise QAError("the process that reads documents could not start",
                          hint=f"check that {sys.executable} runs, or set {SECONDS_ENV}=0 and {MEMORY_ENV}=0 to read "
                               "in this process") from None

    def read(self, data: bytes, path: str) -> ReadResult:
        try:
            self.conn.send((data, path))
            if not self.conn.poll(self.limits.seconds or None):
                self.stop()
                raise Unreadable(f"took over {_mb(self.limits.seconds)} s to read (set {SECONDS_ENV} higher, or 0, "
                                 "to read it)")
            kind, value = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):  # the worker died: out of memory, or killed
            self.stop()
            raise Unreadable(self._over_memory()) from None
        except BaseException:
            self.stop()  # Ctrl-C, or an error: the worker is not left reading on
            raise
        if kind == "memory":
            self.stop()  # what a MemoryError left behind is not worth keeping
            raise Unreadable(self._over_memory())
        if kind == "unreadable":
            raise Unreadable(value)
        return value

    def _over_memory(self) -> str:
        if self.limits.memory_mb:
            return f"needs over {_mb(self.limits.memory_mb)} MB to read (set {MEMORY_ENV} higher, or 0, to read it)"
        return "made the process reading it stop (it may need more memory than there is)"

    def stop(self) -> None:
        with self.stopping:  # its reading thread and stop_workers (an interrupt) may stop it at once
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            with contextlib.suppress(OSError):
                self.conn.close()
        if getattr(_local, "worker", None) is self:
            _local.worker = None
        with _lock:
            if self in _started:
                _started.remove(self)


_local = threading.local()  # this thread's worker
_started: list[_Worker] = []  # every thread's, to stop them all
_lock = threading.Lock()


def _worker(limits: Budget) -> _Worker:
    current: _Worker | None = getattr(_local, "worker", None)
    if current is not None and (current.limits != limits or current.process.poll() is not None):
        current.stop()
        current = None
    if current is None:
        current = _local.worker = _Worker(limits)
        with _lock:
            _started.append(current)
    return current


@atexit.register
def stop_workers() -> None:
    """Stop every thread's worker: after reading a corpus, on an interrupt, at exit."""
    with _lock:
        workers = list(_started)
    for worker in workers:
        worker.stop()


def _serve(conn: Any, memory_mb: float) -> None:
    """The worker: read what arrives, send back ("ok", result), ("unreadable", reason) or ("memory", "")."""
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops this process
    _die_with_parent()
    for sample, name in ((b"<html><body><p>The libraries load now.</p></body></html>", "warm.html"), (b"", "warm.pdf"),
                         (b"", "warm.docx")):
        with contextlib.suppress(Unreadable):
            read(sample, name)
    with contextlib.suppress(ImportError):
        importlib.import_module("docx2python")
    if memory_mb:
        limit = int(memory_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", None))
    while True:
        try:
            data, path = conn.recv()
        except (EOFError, OSError):
            return
        peak = _peak_kb()
        try:
            reply: tuple[str, Any] = ("ok", read(data, path))
        except Unreadable as exc:
            # a C parser that cannot allocate says "broken XML": a failure that took the address space to the cap is the cap's
            over = memory_mb and _peak_kb() > peak and _peak_kb() >= 0.9 * memory_mb * 1024
            reply = ("memory", "") if over or "too large to read in memory" in exc.reason else ("unreadable", exc.reason)
        except MemoryError:
            reply = ("memory", "")
        del data
        conn.send(reply)


def _peak_kb() -> int:
    """This process's peak address space (Linux's VmPeak), in KB; 0 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmPeak:")), 0)
    except (OSError, ValueError):
        return 0


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the build that started it dies, however it dies."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent was already gone
        os._exit(0)


if __name__ == "__main__":
    import sys
    from multiprocessing.connection import Connection

    _serve(Connection(int(sys.argv[1])), float(sys.argv[2]))
