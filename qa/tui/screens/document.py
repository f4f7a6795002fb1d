"""The full document an extract came from, scrolled to the quote; Esc goes back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from qa.citation import location, source_line
from qa.records import Document, Extract
from qa.tui.widgets.document_text import DocumentText
from qa.tui.widgets.extract_card import ExtractCard


class DocumentScreen(Screen, inherit_bindings=False):  # Back first in the footer; its one widget needs no Tab
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+c,c", "copy", "Copy", key_display="^c"),
        Binding("ctrl+w", "save_quote", "Save quote"),
        Binding("g", "to_quote", "Back to the quote", show=False),
    ]

    def __init__(self, document: Document, text: str, extract: Extract) -> None:
        super().__init__()
        self.document = document
        self.text = text
        self.extract = extract

    def compose(self) -> ComposeResult:
        e = self.extract
        shown = f"quote #{e.rank}" if e.rank else "the value"  # a who-says-what row highlights its value
        yield Static(Text(f"{source_line(e.citation, e.kind)}\n{location(e.citation)} · {shown} highlighted · Esc returns"),
                     id="doc-header")
        with VerticalScroll(id="doc-scroll"):
            yield DocumentText(self.text, e, id="doc-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#doc-scroll").focus()
        self.call_after_refresh(self.action_to_quote)

    def action_to_quote(self) -> None:
        row = self.query_one(DocumentText).quote_row()
        self.query_one("#doc-scroll", VerticalScroll).scroll_to(y=max(0, row - 2), animate=False)

    def action_copy(self) -> None:
        self.post_message(ExtractCard.CopyRequested(self.extract))

    def action_save_quote(self) -> None:
        self.post_message(ExtractCard.SaveRequested(self.extract))
