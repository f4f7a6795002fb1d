"""The conversation: what the index holds, the questions and their answers, the question box.

It asks nothing itself: a question goes to the app as a message (Asked), as a card's
requests and the build button's press bubble up to it."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from qa.tui.messages import Asked
from qa.tui.widgets.build_progress import BuildProgress
from qa.tui.widgets.conversation import Conversation
from qa.tui.widgets.index_header import IndexHeader
from qa.tui.widgets.question_input import QuestionInput

WELCOME = ("Answers are verbatim quotes from your documents, best first, each with its source. "
           "Tab moves between them; F1 lists the keys.")


class ChatScreen(Screen):
    BINDINGS = [
        Binding("escape", "focus_question", "Question", show=False),
        Binding("tab", "next_card", "Next quote", show=False),
        Binding("pageup", "page(-1)", "Scroll up", show=False),
        Binding("pagedown", "page(1)", "Scroll down", show=False),
    ]

    # under 12 lines the question box comes first: the header shrinks to one line and the key hints go
    VERTICAL_BREAKPOINTS = [(0, "-short"), (12, "-roomy")]

    def compose(self) -> ComposeResult:
        yield IndexHeader(id="index-header")
        with Conversation(id="conversation"):
            yield Static(Text(WELCOME), classes="note")
        yield BuildProgress(id="build-progress")
        yield QuestionInput(id="question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QuestionInput).focus()

    @property
    def header(self) -> IndexHeader:
        return self.query_one(IndexHeader)

    @property
    def conversation(self) -> Conversation:
        return self.query_one(Conversation)

    @property
    def progress(self) -> BuildProgress:
        return self.query_one(BuildProgress)

    def action_focus_question(self) -> None:
        self.query_one(QuestionInput).focus()

    def action_page(self, direction: int) -> None:
        """PageUp/PageDown scroll the conversation wherever the focus is."""
        if direction < 0:
            self.conversation.scroll_page_up(animate=False)
        else:
            self.conversation.scroll_page_down(animate=False)

    def action_next_card(self) -> None:
        """From the question box Tab goes to the newest answer; elsewhere to the next card."""
        if isinstance(self.focused, QuestionInput):
            chain = self.focus_chain
            for turn in reversed(self.conversation.turns()):
                inside = [w for w in chain if turn in w.ancestors]
                if inside:
                    self.set_focus(inside[0])
                    return
        self.focus_next()

    def on_key(self, event: events.Key) -> None:
        """Any printable key typed outside the question box goes on in it: no widget of this
        screen binds a printable key, so none is ever swallowed.

        The box stops the keys it takes, so a printable key that gets here was sent to
        another widget, maybe just before the box took the focus.
        """
        box = self.query_one(QuestionInput)
        if not event.is_printable:
            return
        event.stop()
        event.prevent_default()
        self.set_focus(box)  # at once, not after a refresh: the next keys already belong to the box
        box.insert_text_at_cursor(event.character or "")

    @on(Input.Submitted, "#question")
    def submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        box = self.query_one(QuestionInput)
        box.remember(question)
        box.value = ""
        self.post_message(Asked(question))
