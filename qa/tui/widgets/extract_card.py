"""One extract: the verbatim quote with its best sentence emphasised, then where it comes from.

Its keys cannot be part of a question (Enter, Ctrl+C, Ctrl+W): any printable key
typed while a card has focus goes on in the question box (ChatScreen.on_key)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from qa.citation import also_in_line, location, quote_parts, source_line
from qa.records import Extract


class ExtractCard(Widget, can_focus=True):
    COMPONENT_CLASSES = {
        "extract-card--quote",
        "extract-card--highlight",
        "extract-card--source",
        "extract-card--meta",
    }
    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("ctrl+c", "copy", "Copy"),
        Binding("ctrl+w", "save_quote", "Save quote"),
    ]

    @dataclass
    class OpenRequested(Message):
        card: ExtractCard

    @dataclass
    class CopyRequested(Message):
        """Copy the quote with its source (posted by a card, or by the document view of its quote)."""
        extract: Extract

    @dataclass
    class SaveRequested(Message):
        """Save the quote with its source to a file (from a card, or the document view of its quote)."""
        extract: Extract

    def __init__(self, extract: Extract, *, low_confidence: bool = False) -> None:
        super().__init__(classes="low-confidence" if low_confidence else None)
        self.extract = extract
        self.low_confidence = low_confidence

    def render(self) -> Text:
        e = self.extract
        quote = self.get_component_rich_style("extract-card--quote")
        best = self.get_component_rich_style("extract-card--highlight")
        source = self.get_component_rich_style("extract-card--source")
        meta = self.get_component_rich_style("extract-card--meta")
        before, sentence, after = quote_parts(e)
        text = Text(end="")
        text.append("“" + before, quote)
        text.append(sentence, best)
        text.append(after + "”", quote)
        text.append("\n— " + source_line(e.citation, e.kind), source)
        facts = [location(e.citation), f"#{e.rank}", f"score {e.score:.2f}"]
        if self.low_confidence:
            facts.append("low confidence")
        text.append("\n  " + " · ".join(facts), meta)
        for other in e.also_in:
            text.append("\n  also in: " + also_in_line(other), meta)
        return text

    def on_click(self) -> None:
        self.focus()

    def action_open(self) -> None:
        self.post_message(self.OpenRequested(self))

    def action_copy(self) -> None:
        self.post_message(self.CopyRequested(self.extract))

    def action_save_quote(self) -> None:
        self.post_message(self.SaveRequested(self.extract))
