"""The conversation as Markdown: each question, what was searched, then its quotes with their citations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from qa.api import EMPTY_TIMELINE, REFUSAL
from qa.citation import (
    also_in_line,
    claim_lines,
    date_basis,
    location,
    place,
    quote_line,
    quote_parts,
    source_fields,
    source_line,
    visible,
    visible_lines,
)
from qa.records import Answer, Filters, Timeline, TimelineEntry
from qa.tui.widgets.index_header import describe


class TurnLike(Protocol):
    question: str
    answer: Answer | None
    error: str | None
    filters: Filters
    min_score: float | None
    version: str | None
    notes: tuple[str, ...]
    timeline: Timeline | None


def default_name(now: datetime | None = None) -> str:
    """The file name proposed for a conversation saved now."""
    return f"qa-chat-{(now or datetime.now()):%Y%m%d-%H%M%S}.md"


def searched(turn: TurnLike) -> str:
    """What a question searched: the filter, the minimum score and the index version in force."""
    parts = [f"documents with {describe(turn.filters)}" if turn.filters.active else "all documents"]
    if turn.min_score is not None:
        parts.append(f"--min-score {turn.min_score:g}")
    if turn.version:
        parts.append(f"index version {turn.version}")
    return " · ".join(parts)


def to_markdown(turns: Iterable[TurnLike], *, saved: str, corpus: str, index: str = "", model: str = "") -> str:
    lines = ["# qa chat", "", f"Saved {saved}. Every answer below is a verbatim quote from the documents in `{corpus}`."]
    if index:
        lines += ["", f"Index: `{index}`" + (f", model {model}" if model else "") + "."]
    lines.append("")
    for turn in turns:
        lines += [f"## {visible(turn.question)}", "", f"_Searched {searched(turn)}._", ""]
        if turn.error is not None:
            lines += [f"Error: {visible_lines(turn.error)}", ""]
        elif turn.timeline is not None:
            lines += timeline_lines(turn.timeline)
        elif turn.answer is None:
            lines += ["(not answered yet)", ""]
        elif not turn.answer.answered:
            lines += [f"_{REFUSAL}_", ""]
            lines += [*(f"_{note}_" for note in turn.notes), ""] if turn.notes else []
        else:
            lines += [*(f"_{note}_" for note in turn.notes), ""] if turn.notes else []
            compared = claim_lines(turn.answer.claims, turn.answer.agreement)
            lines += ["```", *compared, "```", ""] if compared else []
            for e in turn.answer.extracts:
                before, best, after = quote_parts(e)
                # emphasise the best sentence only when the quote holds more than it
                body = f"{before}**{best}**{after}" if (before.strip() or after.strip()) and best.strip() else before + best + after
                lines += [f"{e.rank}. {source_line(e.citation, e.kind)}", ""]
                lines += ["> " + line if line else ">" for line in f"“{body}”".split("\n")]
                lines += ["", f"- at `{location(e.citation)}` · score {e.score:.2f}"]
                lines += [f"- also in: {also_in_line(s)}" for s in e.also_in]
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def timeline_lines(found: Timeline) -> list[str]:
    """A timeline as Markdown: each entry's date and what it rests on, its quote and its source."""
    if not found.entries and not found.undated:
        return [f"_{EMPTY_TIMELINE}_", ""]

    def entry(e: TimelineEntry, heading: str) -> list[str]:
        c = e.citation
        return [heading, "", f"> “{quote_line(e.quote)}”", "", f"- {source_fields(c.title, c.publisher, c.date)} · at `{place(c)}`", ""]

    lines: list[str] = []
    for e in found.entries:
        when = (e.date or "") + (f" to {e.date_end}" if e.date_end else "")
        basis = date_basis(e)
        lines += entry(e, f"**{when}**" + (f" ({basis})" if basis else ""))
    for e in found.undated:
        lines += entry(e, "**Undated** (neither the sentence nor its document gives a date)")
    return lines


def markdown(turns: Sequence[TurnLike], *, corpus: str, index: str = "", model: str = "") -> str:
    """The conversation as saved now."""
    return to_markdown(turns, saved=f"{datetime.now():%Y-%m-%d %H:%M}", corpus=corpus, index=index, model=model)
