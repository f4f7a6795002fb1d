"""One question and what the documents say about it (cards, a plain refusal, or an error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Static

from qa.api import EMPTY_TIMELINE, REFUSAL
from qa.citation import visible, visible_lines
from qa.records import Answer, Filters, Timeline
from qa.tui.widgets.claims_card import ClaimsCard
from qa.tui.widgets.extract_card import ExtractCard
from qa.tui.widgets.timeline_row import TimelineRow

if TYPE_CHECKING:
    from qa.api import Index


class Turn(Vertical):
    def __init__(self, question: str) -> None:
        super().__init__(classes="turn")
        self.question = question
        self.answer: Answer | None = None
        self.error: str | None = None
        self.index: Index | None = None  # the index that answered, for opening its documents
        # what was in force when it was asked, for the saved conversation
        self.filters = Filters()
        self.min_score: float | None = None
        self.version: str | None = None
        self.notes: tuple[str, ...] = ()
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("› " + visible(self.question)), classes="question")
        yield Static("", classes="status")

    def set_status(self, text: str) -> None:
        status = self.query_one(".status", Static)
        status.update(Text(text))
        status.display = bool(text)

    def show_answer(self, answer: Answer, notes: tuple[str, ...] = ()) -> None:
        """The cards, or the refusal; `notes` say what the filter did (api.Session.explain)."""
        self.answer, self.notes = answer, notes
        self.set_status("")
        if answer.answered:
            if notes:
                self.mount(Static(Text(" ".join(notes)), classes="status"))
            if answer.claims and answer.agreement:
                self.mount(ClaimsCard(answer.claims, answer.agreement))
            self.mount_all([ExtractCard(e) for e in answer.extracts])
            return
        self.mount(Static(Text(REFUSAL), classes="refusal"))
        if notes:
            self.mount(Static(Text(" ".join(notes)), classes="refusal-why"))
        if answer.nearest:
            n = len(answer.nearest)
            title = f"Nearest extract{'s' if n > 1 else ''} ({n}, low confidence)"
            cards = [ExtractCard(e, low_confidence=True) for e in answer.nearest]
            # hidden from the first layout on, not only once the Collapsible has mounted
            self.mount(Collapsible(*cards, title=title, collapsed=True, classes="nearest -collapsed"))

    def show_timeline(self, found: Timeline) -> None:
        """A timeline asked for with /timeline TOPIC: its entries by date, then the undated ones."""
        self.timeline = found
        self.set_status("")
        if not found.entries and not found.undated:
            self.mount(Static(Text(EMPTY_TIMELINE), classes="refusal"))
            return
        self.mount_all([TimelineRow(e, n) for n, e in enumerate((*found.entries, *found.undated), 1)])

    def show_error(self, error: str) -> None:
        self.error = error
        self.set_status("")
        self.mount(Static(Text(visible_lines(error)), classes="error"))  # the message, then the hint
