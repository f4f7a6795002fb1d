"""A writer process for the crash and concurrency tests, with the fake encoder (no real model).

    python tests/writer.py build|update CORPUS INDEX     one build or update
    python tests/writer.py hold CORPUS INDEX             a build that stops mid-embedding
                                                         until a line arrives on stdin
    python tests/writer.py cycle CORPUS INDEX N          N updates, editing CORPUS before each

It prints "ready" once its imports are done, so a test can time a kill from the
start of the real work rather than from interpreter start-up. Tests drive it
through `Writer`.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa import api
from qa.embed import encoder as encoders
from tests.fakes import FakeEncoder

CYCLE_DOC = "zz_cycle.txt"


def cycle_text(i: int) -> str:
    """The i-th version of the document that `cycle` keeps rewriting (removed when i % 3 == 2)."""
    return (f"Harbour count number {i} in Quillmouth\n\nThe Quillmouth harbour master counted {1000 + i} sailing boats "
            f"in the marina on Sunday, revision {i} of the tally.\n")


class Writer:
    """The test's side: start a writer process and wait for its lines with a timeout."""

    def __init__(self, *args: object):
        self.proc = subprocess.Popen([sys.executable, __file__, *map(str, args)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def expect(self, wanted: str, timeout: float = 60) -> None:
        """Wait for a line starting with `wanted`; fail if the process ends or goes quiet first."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"writer printed no {wanted!r} within {timeout} s") from None
            if line is None:
                raise AssertionError(f"writer ended (exit {self.proc.wait()}) before {wanted!r}: {self.proc.stderr.read()}")
            if line.startswith(wanted):
                return

    def finish(self, timeout: float = 60) -> int:
        self.proc.stdin.close()
        code = self.proc.wait(timeout)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


class HoldingEncoder(FakeEncoder):
    def encode(self, texts, progress=None):
        print("embedding", flush=True)
        sys.stdin.readline()
        return super().encode(texts, progress)


def main(argv: list[str]) -> None:
    mode, corpus, index = argv[0], Path(argv[1]), Path(argv[2])
    encoder = HoldingEncoder() if mode == "hold" else FakeEncoder()
    encoders.REGISTRY[FakeEncoder.name] = lambda: encoder
    print("ready", flush=True)
    if mode in ("build", "hold"):
        api.build(corpus, index, model=FakeEncoder.name)
    elif mode == "update":
        api.update(corpus, index, model=FakeEncoder.name)
    elif mode == "cycle":
        for i in range(int(argv[3])):
            if i % 3 == 2:
                (corpus / CYCLE_DOC).unlink(missing_ok=True)
            else:
                (corpus / CYCLE_DOC).write_text(cycle_text(i), encoding="utf-8")
            api.update(corpus, index, model=FakeEncoder.name)
            print(f"published {i}", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
