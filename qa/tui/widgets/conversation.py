"""The scrolling conversation: notes from the app and one Turn per question."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from qa.tui.widgets.turn import Turn


class Conversation(VerticalScroll, can_focus=False):
    async def add_turn(self, question: str) -> Turn:
        """Mount a new turn (composed by the time this returns) at the end."""
        turn = Turn(question)
        await self.mount(turn)
        self.call_after_refresh(self.scroll_end, animate=False)
        return turn

    def add_note(self, text: str, kind: str = "info") -> Static:
        note = Static(Text(text), classes=f"note {kind}")
        self._add(note)
        return note

    def add_widget(self, widget: Widget) -> Widget:
        self._add(widget)
        return widget

    def turns(self) -> list[Turn]:
        return list(self.query_children(Turn))

    def _add(self, widget: Widget) -> None:
        self.mount(widget)
        self.call_after_refresh(self.scroll_end, animate=False)

    def reveal(self, turn: Turn) -> None:
        """Bring an answered turn into view from its question on."""
        self.call_after_refresh(self.scroll_to_widget, turn, animate=False, top=True)
