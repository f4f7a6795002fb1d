"""The top line: what the index holds and whether the corpus has moved on since it was built."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from qa.citation import visible
from qa.records import CorpusDiff, Filters


def describe(filters: Filters) -> str:
    """The active filter in words, e.g. source “cnn”, a date from 2026-01-01."""
    parts = []
    if filters.source:
        parts.append(f"source “{visible(filters.source)}”")
    if filters.since and filters.until:
        parts.append(f"a date from {filters.since} to {filters.until}")
    elif filters.since:
        parts.append(f"a date from {filters.since}")
    elif filters.until:
        parts.append(f"a date up to {filters.until}")
    return ", ".join(parts)


class IndexHeader(Widget):
    COMPONENT_CLASSES = {"index-header--title", "index-header--warning"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state = "loading the index…"
        self._stale = ""
        self._filters = Filters()

    def show_loading(self, text: str) -> None:
        self._state, self._stale = text, ""
        self._refresh()

    def missing(self, text: str) -> None:
        self._state, self._stale = text, ""
        self._refresh()

    def ready(self, documents: int, chunks: int, model: str, diff: CorpusDiff | None) -> None:
        self._state = f"{documents} documents · {chunks} chunks · {model}"
        if diff is None:
            self._stale = "corpus folder unreadable"
        elif diff.stale:
            self._stale = (f"corpus changed: {len(diff.added)} added, {len(diff.changed)} changed, "
                           f"{len(diff.removed)} removed (ctrl+r updates)")
        else:
            self._stale = ""
            self._state += " · corpus unchanged"
        self._refresh()

    def set_filters(self, filters: Filters) -> None:
        self._filters = filters
        self._refresh()

    def _refresh(self) -> None:
        self.refresh(layout=True)

    def render(self) -> Text:
        text = Text(end="")
        text.append("qa ", self.get_component_rich_style("index-header--title"))
        text.append(self._state)
        if self._stale:
            text.append(" · ")
            text.append(self._stale, self.get_component_rich_style("index-header--warning"))
        if self._filters.active:
            text.append(" · ")
            text.append("filter: " + describe(self._filters), self.get_component_rich_style("index-header--warning"))
        return text
