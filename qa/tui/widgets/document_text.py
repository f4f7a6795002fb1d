"""A whole document, literally, with the quote and its best sentence highlighted."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.widget import Widget

from qa.citation import visible_lines
from qa.records import Extract


class DocumentText(Widget):
    COMPONENT_CLASSES = {"document-text--quote", "document-text--highlight"}

    def __init__(self, text: str, extract: Extract, **kwargs) -> None:
        super().__init__(**kwargs)
        start, end = extract.citation.start or 0, extract.citation.end or len(text)
        h0, h1 = start + extract.highlight.start, start + extract.highlight.end
        bounds = [0, start, h0, h1, end, len(text)]
        self.parts = [visible_lines(text[a:b]) for a, b in zip(bounds, bounds[1:])]

    def render(self) -> Text:
        quote = self.get_component_rich_style("document-text--quote")
        best = self.get_component_rich_style("document-text--highlight")
        text = Text(end="")
        styles: tuple[Style | str, ...] = ("", quote, best, quote, "")
        for part, style in zip(self.parts, styles):
            text.append(part, style)
        return text

    def quote_row(self) -> int:
        """The wrapped line on which the quote starts, at the current width."""
        width = self.content_region.width
        if width <= 0:
            return 0
        prefix = self.parts[0]
        if not prefix:
            return 0
        return len(Content(prefix + "x").wrap(width)) - 1
