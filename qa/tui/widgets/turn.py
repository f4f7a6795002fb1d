"""One question and what the documents say about it (cards, a plain refusal, or an error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Static

from qa.api import REFUSAL
from qa.citation import visible, visible_lines
from qa.records import Answer
from qa.tui.widgets.extract_card import ExtractCard

if TYPE_CHECKING:
    from qa.api import Index


class Turn(Vertical):
    def __init__(self, question: str) -> None:
        super().__init__(classes="turn")
        self.question = question
        self.answer: Answer | None = None
        self.error: str | None = None
        self.index: Index | None = None  # the index that answered, for opening its documents

    def compose(self) -> ComposeResult:
        yield Static(Text("› " + visible(self.question)), classes="question")
        yield Static("", classes="status")

    def set_status(self, text: str) -> None:
        status = self.query_one(".status", Static)
        status.update(Text(text))
        status.display = bool(text)

    def show_answer(self, answer: Answer) -> None:
        self.answer = answer
        self.set_status("")
        if answer.answered:
            self.mount_all([ExtractCard(e) for e in answer.extracts])
            return
        self.mount(Static(Text(REFUSAL), classes="refusal"))
        if answer.nearest:
            n = len(answer.nearest)
            title = f"Nearest passage{'s' if n > 1 else ''} ({n}, low confidence)"
            cards = [ExtractCard(e, low_confidence=True) for e in answer.nearest]
            # hidden from the first layout on, not only once the Collapsible has mounted
            self.mount(Collapsible(*cards, title=title, collapsed=True, classes="nearest -collapsed"))

    def show_error(self, error: str) -> None:
        self.error = error
        self.set_status("")
        self.mount(Static(Text(visible_lines(error)), classes="error"))  # the message, then the hint
