"""`qa chat`: the App, its workers, and the one factory the CLI and the tests use.

The app holds no retrieval logic: it opens, asks, builds and updates only through
qa.api, always in thread workers, so the screen paints at once and stays usable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button
from textual.worker import get_current_worker

from qa import api
from qa.api import Session
from qa.citation import citation
from qa.errors import QAError
from qa.records import CorpusDiff, Extract, Filters
from qa.tui import clipboard
from qa.tui.messages import (
    Answered,
    Asked,
    AskFailed,
    BuildDone,
    BuildFailed,
    BuildStep,
    Copied,
    CorpusChecked,
    Dated,
    IndexFailed,
    IndexMissing,
    IndexReady,
    LoadStage,
)
from qa.tui.screens.chat import ChatScreen
from qa.tui.screens.document import DocumentScreen
from qa.tui.screens.filters import FilterScreen
from qa.tui.screens.help import HelpScreen
from qa.tui.screens.save import SaveScreen
from qa.tui.transcript import default_name, markdown
from qa.tui.widgets.build_offer import BuildOffer
from qa.tui.widgets.extract_card import ExtractCard
from qa.tui.widgets.index_header import describe
from qa.tui.widgets.turn import Turn

if TYPE_CHECKING:
    from qa.api import Index


class _Cancelled(Exception):
    """Raised from a build's progress callback when its worker was cancelled."""


def shown(path: Path) -> str:
    """A folder as every message names it (api.shown): as given, never a bare word."""
    return api.shown(path)


def timeline_topic(question: str) -> str | None:
    """The topic of a "/timeline TOPIC" request, or None for a question."""
    head, _, rest = question.strip().partition(" ")
    return rest.strip() or None if head.lower() == "/timeline" else None


def _failure(exc: Exception) -> str:
    if isinstance(exc, QAError):
        return str(exc)
    return f"unexpected {exc.__class__.__name__}: {exc}"


class QAApp(App[None], inherit_bindings=False):  # Textual's Ctrl+Q is hidden and sorts first; here it shows, last
    CSS_PATH = "app.tcss"
    TITLE = "qa"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+r", "update_index", "Update", priority=True),
        Binding("ctrl+f", "filter", "Filter"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(self, corpus: Path, index: Path, model: str | None = None, *, top_k: int = 3,
                 min_score: float | None = None) -> None:
        super().__init__()
        self.session = Session(corpus, index, model=model, top_k=top_k, min_score=min_score)
        self.corpus, self.index_path = self.session.corpus, self.session.index_path
        self.filters = Filters()
        self.index: Index | None = None
        self.state = "loading"  # loading, ready, missing or failed
        self.failure = ""
        self.building = False
        self._waiting: deque[Turn] = deque()
        self._asking = False
        self._stale: CorpusDiff | None = None  # the change last reported, so it is noted once
        self._copied: Extract | None = None  # the quote last copied, to save to a file instead

    @property
    def min_score(self) -> float:
        return self.session.min_score

    @min_score.setter
    def min_score(self, value: float | None) -> None:
        self.session.min_score = value

    def get_default_screen(self) -> Screen:
        return ChatScreen()

    @property
    def chat(self) -> ChatScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.load_index()

    # -- opening the index -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def load_index(self) -> None:
        worker = get_current_worker()
        try:
            if not self.session.has_index():
                self.post_message(IndexMissing(f"There is no index at {shown(self.index_path)} yet."))
                return
            self.post_message(LoadStage("opening the index…"))
            index = self.session.open()  # numpy, FAISS and BM25 load here, after the first paint
            if not index.documents or not index.chunk_count:
                self.post_message(IndexMissing(f"The index at {shown(self.index_path)} holds no chunks."))
                return
            if worker.is_cancelled:
                return
            self.post_message(LoadStage("checking the corpus folder…"))
            diff = self.session.stale(index)
            if worker.is_cancelled:
                return
            self.post_message(LoadStage("loading the question encoder…"))
            index.query_encoder()  # loaded now, not on the first question
            if not worker.is_cancelled:
                self.post_message(IndexReady(index, diff))
        except Exception as exc:  # shown in the conversation, never as a traceback
            self.post_message(IndexFailed(_failure(exc)))

    def on_load_stage(self, message: LoadStage) -> None:
        if self.state != "ready":
            self.chat.header.show_loading(message.text)

    def on_index_ready(self, message: IndexReady) -> None:
        index = message.index
        self.index, self.state = index, "ready"
        self.chat.query(BuildOffer).remove()
        self.chat.header.ready(len(index.documents), index.chunk_count, index.model_name, message.diff)
        self._stale = message.diff if message.diff is not None and message.diff.stale else None
        self._pump()

    def on_index_missing(self, message: IndexMissing) -> None:
        self.index, self.state = None, "missing"
        self.chat.header.missing("no index yet")
        offer = (f"{message.reason} Build it now from the documents in {shown(self.corpus)}? "
                 "Every document is read and embedded once; a large folder takes a while.")
        self.chat.conversation.add_widget(BuildOffer(offer))
        for turn in self._waiting:
            turn.set_status(self._missing_status())

    def on_index_failed(self, message: IndexFailed) -> None:
        self.state, self.failure = "failed", message.error
        self.chat.header.missing("the index could not be opened")
        self.chat.conversation.add_widget(BuildOffer(f"The index could not be opened: {message.error}"))
        while self._waiting:
            self._waiting.popleft().show_error(message.error)

    # -- asking ------------------------------------------------------------------------------------

    async def on_asked(self, message: Asked) -> None:
        turn = await self.chat.conversation.add_turn(message.question)
        turn.filters, turn.min_score = self.filters, self.session.min_score
        if self.state == "failed":
            turn.show_error(self.failure)
            return
        self._waiting.append(turn)
        if self.state == "loading":
            turn.set_status("Loading the index… this question is answered as soon as it is ready.")
        elif self.state == "missing":
            turn.set_status(self._missing_status())
        self._pump()

    def _pump(self) -> None:
        """Answer the next waiting question, one at a time, once an index is open."""
        if self.state != "ready" or self._asking or not self._waiting:
            return
        turn = self._waiting.popleft()
        self._asking = True
        turn.index = self.index
        turn.version = api.version(self.index) if self.index is not None else None
        turn.set_status("Searching the documents…")
        self.ask_worker(self.index, turn, self.filters)

    @work(thread=True, exclusive=True, group="ask", exit_on_error=False)
    def ask_worker(self, index: Index, turn: Turn, filters: Filters) -> None:
        worker = get_current_worker()
        try:
            topic = timeline_topic(turn.question)
            if topic is not None:  # "/timeline TOPIC": what was said about it, by date
                found = self.session.timeline(index, topic, filters)
                if not worker.is_cancelled:
                    self.post_message(Dated(turn, found))
                return
            answer = self.session.ask(index, turn.question, filters)
            notes = self.session.explain(answer, index, filters) + api.weaker(answer, self.session.min_score)
        except Exception as exc:
            self.post_message(AskFailed(turn, _failure(exc)))
            return
        if worker.is_cancelled:
            return
        self.post_message(Answered(turn, answer, notes))
        diff = self.session.stale(index)  # after the answer, so it never waits for this
        if not worker.is_cancelled:
            self.post_message(CorpusChecked(index, diff))

    def on_dated(self, message: Dated) -> None:
        message.turn.show_timeline(message.timeline)
        self.chat.conversation.reveal(message.turn)
        self._asking = False
        self._pump()

    def on_answered(self, message: Answered) -> None:
        message.turn.show_answer(message.answer, message.notes)
        self.chat.conversation.reveal(message.turn)
        self._asking = False
        self._pump()

    def on_corpus_checked(self, message: CorpusChecked) -> None:
        """The corpus moved on while the chat is open: say so in the header, and once in the conversation."""
        index, diff = message.index, message.diff
        if index is not self.index or self.building:
            return
        self.chat.header.ready(len(index.documents), index.chunk_count, index.model_name, diff)
        stale = diff if diff is not None and diff.stale else None
        if stale is not None and stale != self._stale:
            self.chat.conversation.add_note(
                f"The corpus changed since the index was built ({api.changes(stale)}): "
                "Ctrl+R updates the index, and you can keep asking meanwhile.")
        self._stale = stale

    def on_ask_failed(self, message: AskFailed) -> None:
        message.turn.show_error(message.error)
        self._asking = False
        self._pump()

    # -- building and updating ---------------------------------------------------------------------

    def _missing_status(self) -> str:
        if self.building:
            return "The index is being built; this question is answered once it is ready."
        return "There is no index yet: build it (the button above, or Ctrl+R) and this question is answered then."

    @on(Button.Pressed, "#build-index")
    def build_pressed(self, event: Button.Pressed) -> None:
        event.button.disabled = True
        self.action_build_index()

    def action_build_index(self) -> None:
        self._start_build(incremental=False)

    def action_update_index(self) -> None:
        self._start_build(incremental=True)  # an update of a missing or broken index is a full build

    def _start_build(self, incremental: bool) -> None:
        if self.building:
            self.notify("The index is already being built.", severity="warning")
            return
        self.building = True
        what = "updating the index" if incremental and self.state != "missing" else "building the index"
        self.chat.progress.start(what)
        self.chat.conversation.add_note(f"{what.capitalize()} from {shown(self.corpus)}; you can keep asking meanwhile.")
        self.build_worker(incremental)

    @work(thread=True, exclusive=True, group="build", exit_on_error=False)
    def build_worker(self, incremental: bool) -> None:
        worker = get_current_worker()

        def progress(stage: str, done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Cancelled
            self.post_message(BuildStep(stage, done, total))

        try:
            report = self.session.build(progress, incremental=incremental)
        except _Cancelled:
            return
        except Exception as exc:
            self.post_message(BuildFailed(_failure(exc)))
        else:
            self.post_message(BuildDone(report))

    def on_build_step(self, message: BuildStep) -> None:
        self.chat.progress.step(message.stage, message.done, message.total)

    def on_build_done(self, message: BuildDone) -> None:
        r = message.report
        self.building = False
        self.chat.progress.finish()
        skipped = f"; skipped {len(r.skipped)} unreadable files" if r.skipped else ""
        self.chat.conversation.add_note(
            f"The index now holds {r.documents} documents and {r.chunks} chunks "
            f"({r.embedded} newly embedded{skipped}).")
        if self.state != "ready":
            self.state = "loading"
        self.load_index()

    def on_build_failed(self, message: BuildFailed) -> None:
        self.building = False
        self.chat.progress.finish()
        self.chat.conversation.add_note(f"Building the index failed: {message.error}", "error")
        for button in self.chat.query("#build-index"):
            button.disabled = False

    # -- cards, saving, filters, help --------------------------------------------------------------

    def on_extract_card_open_requested(self, message: ExtractCard.OpenRequested) -> None:
        self.open_document(message.card)

    def on_extract_card_copy_requested(self, message: ExtractCard.CopyRequested) -> None:
        self.copy_extract(message.extract)

    def on_extract_card_save_requested(self, message: ExtractCard.SaveRequested) -> None:
        self.save_extract(message.extract)

    def open_document(self, card: ExtractCard) -> None:
        turn = card.query_ancestor(Turn)
        found = turn.index.document(card.extract.citation.doc_id) if turn.index else None
        if found is None:
            self.notify("That document is no longer in the index.", severity="error")
            return
        self.push_screen(DocumentScreen(*found, card.extract))

    def copy_extract(self, extract: Extract) -> None:
        """Copy through the system clipboard when a tool for it works, and through the terminal (OSC 52)
        always; then say which of the two happened (Copied)."""
        text = citation(extract)
        self._copied = extract
        self.copy_to_clipboard(text)
        self.copy_worker(text)

    @work(thread=True, exclusive=True, group="copy", exit_on_error=False)
    def copy_worker(self, text: str) -> None:
        self.post_message(Copied(text, clipboard.system_copy(text)))

    def on_copied(self, message: Copied) -> None:
        if message.via:
            self.notify(f"Copied the quote and its source to the system clipboard ({message.via}).", markup=False)
        else:
            self.notify("Sent the quote and its source to the terminal's clipboard (OSC 52). Not every terminal "
                        "accepts it, and none confirms it: Ctrl+W saves the quote to a file instead.",
                        severity="warning", timeout=8, markup=False)

    def save_extract(self, extract: Extract | None = None) -> None:
        """Ask for a file name, then write the quote with its citation there."""
        extract = extract or self._copied
        if extract is None:
            self.notify("Nothing to save: Tab to an answer card first.", severity="warning")
            return

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            try:
                self.session.save(path, citation(extract) + "\n")
            except QAError as exc:
                self.notify(f"The quote was not saved. {exc}", severity="error", markup=False)
                return
            self.notify(f"Saved the quote and its source to {path}.", markup=False)

        name = f"qa-quote-{extract.rank}-{default_name().removeprefix('qa-chat-').removesuffix('.md')}.txt"
        self.push_screen(SaveScreen("the quote and its source", name, self.session.save_target), chosen)

    def action_save(self) -> None:
        turns = self.chat.conversation.turns()
        if not turns:
            self.notify("Nothing to save yet: ask a question first.", severity="warning")
            return
        self.push_screen(SaveScreen("the conversation (Markdown)", default_name(), self.session.save_target), self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            return
        model = self.index.model_name if self.index is not None else ""
        text = markdown(self.chat.conversation.turns(), corpus=shown(self.corpus), index=shown(self.index_path), model=model)
        try:
            self.session.save(path, text)
        except QAError as exc:
            self.notify(f"The conversation was not saved (it is still here). {exc}", severity="error", markup=False)
            return
        self.chat.conversation.add_note(f"Saved the conversation to {path}")

    def action_filter(self) -> None:
        self.push_screen(FilterScreen(self.filters), self._set_filters)

    def _set_filters(self, filters: Filters | None) -> None:
        if filters is None:
            return
        self.filters = filters
        self.chat.header.set_filters(filters)
        if filters.active:
            # what the filter leaves out is said now, in the words a refused question would get
            found = api.filter_notes(self.index.documents, filters, answered=False) if self.index is not None else ()
            self.chat.conversation.add_note(" ".join([f"The next questions only search documents with {describe(filters)}.",
                                                      *found]))
        else:
            self.chat.conversation.add_note("Filter cleared: the next questions search every document.")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Save conversation", "Save the questions, quotes and sources as Markdown (ctrl+s)", self.action_save)
        yield SystemCommand("Update index", "Embed new and changed documents, then reopen the index (ctrl+r)", self.action_update_index)
        yield SystemCommand("Rebuild index", "Rebuild the whole index from the corpus folder", self.action_build_index)
        yield SystemCommand("Filter by source or date", "Only search some documents for the next questions (ctrl+f)", self.action_filter)
        if self.filters.active:
            yield SystemCommand("Clear filter", "Search every document again", lambda: self._set_filters(Filters()))
        yield SystemCommand("Help", "Show the keys (F1)", self.action_help)
        focused = screen.focused
        if isinstance(focused, ExtractCard):
            yield SystemCommand("Open document", "Open the focused quote's document at the quote (enter)", focused.action_open)
            yield SystemCommand("Copy quote", "Copy the focused quote with its source (ctrl+c)", focused.action_copy)
            yield SystemCommand("Save quote", "Save the focused quote with its source to a file (ctrl+w)", focused.action_save_quote)
        elif self._copied is not None:
            yield SystemCommand("Save copied quote", "Save the quote copied last to a file", self.save_extract)


def make_app(corpus: Path, index: Path, model: str | None = None, *, top_k: int = 3,
             min_score: float | None = None) -> QAApp:
    """The app for `qa chat` and for the tests (which pass model="fake-hashing" after registering it)."""
    return QAApp(corpus, index, model, top_k=top_k, min_score=min_score)
