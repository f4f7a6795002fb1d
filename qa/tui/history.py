"""Questions asked in earlier chats, so Up recalls them after a restart.

A plain file, one question per line, in the user's state folder
($XDG_STATE_HOME/qa/history, else ~/.local/state/qa/history); only the last
`KEEP` questions are kept. Losing it loses nothing but convenience, so a file that
cannot be read is treated as empty.
"""

from __future__ import annotations

import os
from pathlib import Path

KEEP = 1000


def history_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "qa" / "history"


def load(path: Path | None = None) -> list[str]:
    """The last KEEP questions, oldest first."""
    try:
        lines = (path or history_file()).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line for line in lines if line.strip()][-KEEP:]


def append(question: str, path: Path | None = None) -> bool:
    """Add one question (on one line), keeping the file to the last KEEP; False if it cannot be written."""
    path = path or history_file()
    line = " ".join(question.split())
    if not line:
        return True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = load(path)
        if len(kept) < KEEP:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        else:
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_text("".join(q + "\n" for q in [*kept[-(KEEP - 1):], line]), encoding="utf-8")
            os.replace(temporary, path)
    except OSError:
        return False
    return True
