"""The conversation as Markdown: each question, then its quotes with their citations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from qa.api import REFUSAL
from qa.citation import also_in_line, location, quote_parts, source_line, visible, visible_lines
from qa.records import Answer


class TurnLike(Protocol):
    question: str
    answer: Answer | None
    error: str | None


def to_markdown(turns: Iterable[TurnLike], *, saved: str, corpus: str) -> str:
    lines = ["# qa chat", "", f"Saved {saved}. Every answer below is a verbatim quote from the documents in `{corpus}`.", ""]
    for turn in turns:
        lines += [f"## {visible(turn.question)}", ""]
        if turn.error is not None:
            lines += [f"Error: {visible_lines(turn.error)}", ""]
        elif turn.answer is None:
            lines += ["(not answered yet)", ""]
        elif not turn.answer.answered:
            lines += [f"_{REFUSAL}_", ""]
        else:
            for e in turn.answer.extracts:
                before, best, after = quote_parts(e)
                # emphasise the best sentence only when the quote holds more than it
                body = f"{before}**{best}**{after}" if (before.strip() or after.strip()) and best.strip() else before + best + after
                lines += [f"{e.rank}. {source_line(e)}", ""]
                lines += ["> " + line if line else ">" for line in f"“{body}”".split("\n")]
                lines += ["", f"- at `{location(e)}` · score {e.score:.2f}"]
                lines += [f"- also in: {also_in_line(s)}" for s in e.also_in]
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def save_markdown(turns: Sequence[TurnLike], folder: Path, *, corpus: str) -> Path:
    """Write the conversation to a new timestamped file in `folder` and return its path."""
    now = datetime.now()
    stem = f"qa-chat-{now:%Y%m%d-%H%M%S}"
    path, n = folder / f"{stem}.md", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.md"
    path.write_text(to_markdown(turns, saved=f"{now:%Y-%m-%d %H:%M}", corpus=corpus), encoding="utf-8")
    return path
