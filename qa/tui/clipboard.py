"""Copying to the system clipboard, and saying honestly whether it got there.

Textual's copy_to_clipboard writes OSC 52 to the terminal, which many terminals
(and tmux without set-clipboard) drop without a word. A local clipboard tool, when
one is available, confirms the copy by its exit status.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

TOOLS = (
    ("pbcopy", ("pbcopy",)),
    ("wl-copy", ("wl-copy",)),
    ("xclip", ("xclip", "-selection", "clipboard")),
    ("xsel", ("xsel", "--clipboard", "--input")),
    ("clip.exe", ("clip.exe",)),
)


def _usable(name: str) -> bool:
    if name == "pbcopy":
        return sys.platform == "darwin"
    if name == "wl-copy":
        return bool(os.environ.get("WAYLAND_DISPLAY"))
    if name in ("xclip", "xsel"):
        return bool(os.environ.get("DISPLAY"))
    return "microsoft" in os.uname().release.lower()  # clip.exe: WSL


def system_copy(text: str) -> str | None:
    """Put `text` on the system clipboard with the first tool that works; its name, or None."""
    for name, command in TOOLS:
        if not _usable(name) or shutil.which(command[0]) is None:
            continue
        try:
            # not capture_output: xclip's server child keeps stdout open, and run() would wait for it
            done = subprocess.run(command, input=text.encode("utf-8"), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=3, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return name
    return None
