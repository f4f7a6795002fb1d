"""`qa` as a subprocess with the fake encoder registered as model "fake-hashing" (no real model).

    python tests/hostile/fake_qa.py ARGS...      runs qa.main.main() as the `qa` command would

The signal and pipe tests need a real process: its own signal handlers, its own
stdin and stdout, its own exit code. Signals are set up first, as `qa` does, and
with QA_TEST_READY set "ready" is written to stderr then, so that a test times its
Ctrl-C from the start of qa's own work rather than from interpreter start-up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qa import main as entry

if __name__ == "__main__":
    install = getattr(entry, "_install_signals", None)  # (absent from a qa that predates them)
    if install is not None:
        install(sys.argv[1:])
    if os.environ.get("QA_TEST_READY"):
        os.write(2, b"ready\n")
    try:
        from qa.embed import encoder as encoders
        from tests.fakes import FakeEncoder

        encoder = FakeEncoder()
        encoders.REGISTRY[FakeEncoder.name] = lambda: encoder
    except getattr(entry, "Interrupted", KeyboardInterrupt):
        entry._leave()
    sys.argv[0] = "qa"
    entry.main()
