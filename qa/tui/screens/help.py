"""F1: what the keys do."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Enter", "ask the question in the box"),
    ("Up / Down", "recall earlier questions, also from earlier chats"),
    ("Tab / Shift+Tab", "move between the answer cards"),
    ("PageUp / PageDown", "scroll the conversation"),
    ("Enter on a card", "open its document at the quote"),
    ("Ctrl+C on a card", "copy the quote with its source"),
    ("Ctrl+W on a card", "save the quote with its source to a file"),
    ("typing anywhere", "goes to the question box"),
    ("Esc", "back to the conversation (from a document)"),
    ("g", "in a document: back to the quote"),
    ("Ctrl+S", "save the conversation as Markdown (you pick the file)"),
    ("Ctrl+R", "update the index from the corpus folder"),
    ("Ctrl+F", "only search some sources or dates"),
    ("/timeline TOPIC", "what the documents say about a topic, by date"),
    ("Ctrl+P", "command palette: every action by name"),
    ("F1", "this help"),
    ("Ctrl+Q", "quit"),
]

ABOUT = ("Answers are only verbatim quotes from your documents, best first, each with its source. "
         "When the documents do not answer, qa says so; the nearest extracts can still be opened, "
         "marked low confidence.")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with VerticalScroll(id="help-box"):
            yield Static(Text("Keys", style="bold"))
            yield Static(table)
            yield Static(Text(ABOUT), id="help-about")
            yield Static(Text("Esc closes this help; Up, Down and PageDown scroll it.", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()  # so the keys scroll it when it does not fit
