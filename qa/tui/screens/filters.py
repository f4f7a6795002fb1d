"""Limit the next questions to some sources or dates (records.Filters)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from qa.api import day
from qa.errors import QAError
from qa.records import Filters


class FilterScreen(ModalScreen[Filters | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: Filters) -> None:
        super().__init__()
        self.current = current
        self._dismissing = False

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical(id="filter-box"):
            yield Static("Only answer from documents that match (empty fields are ignored):", markup=False)
            yield Label("Source: publisher or path contains", markup=False)
            yield Input(c.source or "", placeholder="e.g. cnn", id="filter-source")
            yield Label("Dated on or after (YYYY-MM-DD)", markup=False)
            yield Input(c.since or "", placeholder="e.g. 2026-01-01", id="filter-since")
            yield Label("Dated on or before (YYYY-MM-DD)", markup=False)
            yield Input(c.until or "", placeholder="e.g. 2026-01-31", id="filter-until")
            yield Static("", id="filter-error", markup=False)
            with Horizontal(id="filter-buttons"):
                yield Button("Apply", variant="primary", id="filter-apply")
                yield Button("Clear", id="filter-clear")
                yield Button("Cancel", id="filter-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#filter-apply")
    def apply(self) -> None:
        try:
            filters = Filters(
                source=self.query_one("#filter-source", Input).value.strip() or None,
                since=day(self.query_one("#filter-since", Input).value.strip() or None, "since"),
                until=day(self.query_one("#filter-until", Input).value.strip() or None, "until"),
            )
        except QAError as exc:
            self.query_one("#filter-error", Static).update(str(exc))
            return
        self._dismiss_once(filters)

    @on(Button.Pressed, "#filter-clear")
    def clear(self) -> None:
        self._dismiss_once(Filters())

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        self._dismiss_once(None)

    def _dismiss_once(self, result: Filters | None) -> None:
        """Dismiss once: keys already queued for this screen (a second quick Enter, Esc) arrive after
        it has left the stack, and a second dismiss would pop the chat itself (ScreenStackError)."""
        if self._dismissing or not self.is_active:
            return
        self._dismissing = True
        self.dismiss(result)
