"""The `qa` command's entry point: start what a cold `qa ask` waits for, then run the CLI.

Creating the query encoder's onnxruntime session takes most of a cold question, and
mostly outside the GIL, so it starts on another thread before typer is even
imported (importing and parsing take ~0.1 s). A wrong guess at --index only wastes
that work.
"""

from __future__ import annotations

import sys
from pathlib import Path


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
    preload(default_paths(None, given)[1])


def main() -> None:
    if sys.argv[1:2] == ["ask"]:
        _preload(sys.argv[2:])
    from qa.cli import main as run

    run()
