"""The question box; Up and Down walk back through earlier questions like a shell, and the
questions of earlier chats are kept (qa.tui.history)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from qa.api import pasted_question
from qa.tui import history


class QuestionInput(Input):
    BINDINGS = [
        Binding("up", "recall(-1)", "Earlier question", show=False),
        Binding("down", "recall(1)", "Later question", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="Ask a question about your documents", select_on_focus=False, **kwargs)
        self.history: list[str] = history.load()
        self._position: int | None = None  # None: editing a new question
        self._draft = ""
        self._warned = False

    def remember(self, question: str) -> None:
        if not self.history or self.history[-1] != question:
            self.history.append(question)
            del self.history[:-history.KEEP]
            if not history.append(question) and not self._warned:
                self._warned = True
                self.notify(f"Could not keep the question history in {history.history_file()}.", severity="warning",
                            markup=False)
        self._position = None
        self._draft = ""

    def action_recall(self, step: int) -> None:
        if not self.history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.value
            self._position = len(self.history)
        self._position = max(0, self._position + step)
        if self._position >= len(self.history):
            self._position = None
            self.value = self._draft
        else:
            self.value = self.history[self._position]
        self.cursor_position = len(self.value)

    def _on_paste(self, event: events.Paste) -> None:
        """Pasted text without its escape sequences and control characters, its lines joined."""
        event.prevent_default()  # Input's own handler would insert the raw text too
        event.stop()
        text = pasted_question(event.text)
        if not text:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)
