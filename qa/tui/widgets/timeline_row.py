"""One entry of a timeline: when, what that date rests on, the quote and its source; Enter opens it."""

from __future__ import annotations

from rich.text import Text

from qa.citation import date_basis, location, quote_line, source_line
from qa.records import Extract, Highlight, TimelineEntry
from qa.tui.widgets.extract_card import ExtractCard


class TimelineRow(ExtractCard):
    def __init__(self, entry: TimelineEntry, number: int) -> None:
        super().__init__(Extract(rank=number, quote=entry.quote, highlight=Highlight(0, len(entry.quote)), score=0.0,
                                 kind="body", citation=entry.citation))
        self.entry = entry
        self.add_class("timeline-row")

    def render(self) -> Text:
        e = self.entry
        when = (e.date or "undated") + (f" to {e.date_end}" if e.date_end else "")
        basis = date_basis(e)
        text = Text(end="")
        text.append(f"{when}", self.get_component_rich_style("extract-card--highlight"))
        text.append(f"  {basis}\n" if basis else "\n", self.get_component_rich_style("extract-card--meta"))
        text.append(f"“{quote_line(e.quote)}”\n", self.get_component_rich_style("extract-card--quote"))
        text.append(f"— {source_line(e.citation)} · {location(e.citation)}", self.get_component_rich_style("extract-card--source"))
        return text
