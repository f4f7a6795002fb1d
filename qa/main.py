"""The `qa` command's entry point: signals first, then what a cold `qa ask` waits for, then the CLI.

Ctrl-C ends any command at once with exit 130 and the one line "interrupted": a
Python KeyboardInterrupt could land anywhere (an import, a thread join, a
library's cleanup) and print a traceback, or leave the process waiting on the
threads that load the query encoder and verify checksums. Read-only commands
simply leave (`os._exit`): they hold nothing but flocks, which the kernel drops.
A build or update gets one chance, on Ctrl-C or SIGTERM, to stop its annotation
workers and remove its unfinished version folder (a second signal, or a cleanup that takes over a few seconds, leaves it at once; the
next writer removes what is left, and the live version is whole either way).
A reader of the output that goes away (`qa ask - | head -1`) ends `qa` quietly,
as it ends `cat`. The chat is left alone: Textual reads Ctrl+C as a key.

Creating the query encoder's onnxruntime session takes most of a cold question, and
mostly outside the GIL, so it starts on another thread before typer is even
imported (importing and parsing take ~0.1 s). A wrong guess at --index only wastes
that work.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import suppress
from pathlib import Path

INTERRUPTED = 130
_WRITERS = (["index", "build"], ["index", "update"])  # their work folder is worth a cleanup on Ctrl-C
CLEANUP_SECONDS = 5.0


class Interrupted(BaseException):
    """Ctrl-C in a build or update: unwinds it (its work folder is removed) to `main`, which exits 130.
    A BaseException, so neither `except Exception` in qa nor click's KeyboardInterrupt handling eats it."""


def _leave(signum=None, frame=None) -> None:
    try:
        os.write(2, b"interrupted\n")
    finally:
        os._exit(INTERRUPTED)


def _unwind(signum, frame) -> None:
    signal.signal(signal.SIGINT, _leave)  # a second Ctrl-C (or SIGTERM) leaves at once
    signal.signal(signal.SIGTERM, _leave)
    timer = threading.Timer(CLEANUP_SECONDS, _leave)
    timer.daemon = True
    timer.start()
    _raise_outside_imports(signum, frame)


def _raise_outside_imports(signum, frame) -> None:
    """Raise Interrupted, but not inside an import: C code there (numpy's, PyCapsule_Import) turns
    any exception into an ImportError with a traceback. Retried every 20 ms until the import is done."""
    here = frame
    while here is not None:
        if here.f_code.co_filename.startswith("<frozen importlib"):
            signal.signal(signal.SIGALRM, _raise_outside_imports)
            signal.setitimer(signal.ITIMER_REAL, 0.02)
            return
        here = here.f_back
    raise Interrupted


def _install_signals(args: list[str]) -> None:
    if args[:1] == ["chat"] or threading.current_thread() is not threading.main_thread():
        return
    writer = args[:2] in _WRITERS
    signal.signal(signal.SIGINT, _unwind if writer else _leave)
    if writer:  # SIGTERM (a supervisor, `kill`) cleans up as Ctrl-C does: workers stopped, lock and work folder removed
        signal.signal(signal.SIGTERM, _unwind)
    if not writer:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # the reader went away: stop, as cat does


def _preload(args: list[str]) -> None:
    if any(a in ("--model", "--help") or a.startswith("--model=") for a in args):
        return
    from qa.api import preload
    from qa.paths import default_paths

    given = None
    for i, arg in enumerate(args):
        if arg == "--index" and i + 1 < len(args):
            given = Path(args[i + 1])
        elif arg.startswith("--index="):
            given = Path(arg.split("=", 1)[1])
    with suppress(Exception):  # a guess at an index that is not there or not usable: the command itself says so
        preload(default_paths(None, given)[1])


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else None
    try:
        _install_signals(sys.argv[1:])
        if command == "ask":
            _preload(sys.argv[2:])
        from qa.cli import main as run

        run()
    except Interrupted:
        pass  # left below, once the exception and the frames it holds (a worker pool's semaphores) are freed
    except SystemExit as exc:
        if command == "chat":
            raise
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, _leave)  # nothing is left to clean up: no Interrupted while leaving
        # Everything is written and synced; leave without the interpreter's teardown, during which
        # a Ctrl-C would kill the process by the signal rather than exit 130.
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        with suppress(Exception):
            sys.stdout.flush()
        with suppress(Exception):
            sys.stderr.flush()
        os._exit(code)
    else:
        return
    if "concurrent.futures.process" in sys.modules:  # a worker pool ran (annotation)
        import gc

        gc.collect()  # multiprocessing unregisters the semaphores it made: no "leaked semaphore" warning after we leave
    _leave()
