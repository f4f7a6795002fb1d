"""The chat under hostile keys, pastes and documents, driven headless (Pilot)."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

from textual import events
from textual.app import App
from textual.widgets import Input, Static

from qa import api
from qa.records import Filters
from qa.tui.app import make_app
from qa.tui.screens.chat import ChatScreen
from qa.tui.screens.filters import FilterScreen
from qa.tui.widgets.claims_card import ClaimRow
from qa.tui.widgets.extract_card import ExtractCard
from qa.tui.widgets.question_input import QuestionInput
from qa.tui.widgets.turn import Turn
from tests.fakes import FakeEncoder
from tests.hostile.conftest import HARBOUR, HARBOUR_TEXT, qa
from tests.hostile.test_output import CONTROL, FORGED
from tests.tui.helpers import ask, drive, settle


def chat_over(corpus: Path, monkeypatch) -> App:
    monkeypatch.chdir(corpus.parent)
    return make_app(corpus=Path(corpus.name), index=Path("index"), model=FakeEncoder.name)


def test_the_filter_dialog_survives_repeated_keys(small_built, monkeypatch, record_property):
    corpus, _index = small_built
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        for keys in (["enter", "enter"], ["escape", "enter"], ["enter", "escape"], ["escape", "escape"], ["enter"] * 4):
            await pilot.press("ctrl+f")
            await pilot.pause()
            assert isinstance(pilot.app.screen, FilterScreen)
            source = pilot.app.screen.query_one("#filter-source", Input)
            source.value = "harbour"
            await pilot.press(*keys)
            await pilot.pause()
            assert isinstance(pilot.app.screen, ChatScreen), keys
        # the same keys arriving before the dialog has gone: queued on the dialog itself
        await pilot.press("ctrl+f")
        await pilot.pause()
        dialog = pilot.app.screen
        source = dialog.query_one("#filter-source", Input)
        source.value = "quill"
        for _ in range(3):
            source.post_message(Input.Submitted(source, source.value))
        dialog.post_message(events.Key("escape", None))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen) and len(pilot.app.screen_stack) == 1
        assert pilot.app.filters == Filters(source="quill")
        await ask(pilot, HARBOUR)
        assert pilot.app.screen.query(Turn).last().answer is not None

    drive(app, body)
    assert app.return_code in (None, 0)
    record_property("cases", 6)


def test_a_paste_with_escape_sequences_becomes_the_question_it_meant(small_built, monkeypatch):
    corpus, _index = small_built
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        box = pilot.app.screen.query_one(QuestionInput)
        box.focus()
        box.post_message(events.Paste("\x1b[31mHow many\x1b[0m boats\x1b]0;title\x07 did the\n\tQuillmouth \x9b1mharbour "
                                      "master count?\x1b[K"))
        await pilot.pause()
        assert box.value == "How many boats did the Quillmouth harbour master count?"
        box.value = ""
        box.post_message(events.Paste("\x1b[200~\x00\x07\x1b"))  # nothing but control: nothing inserted
        await pilot.pause()
        assert box.value == ""

    drive(app, body)


def test_forged_file_names_and_titles_cannot_add_lines_to_a_card(seed_corpus, tmp_path, fake_encoder, monkeypatch):
    (seed_corpus / FORGED).write_text(HARBOUR_TEXT, encoding="utf-8")
    (seed_corpus / "sources.csv").write_text(f'path,title,publisher\n"{FORGED}","A\n\nB","\u202eP\x1b[2J"\n', encoding="utf-8")
    api.build(seed_corpus, tmp_path / "index", model=FakeEncoder.name)
    app = chat_over(seed_corpus, monkeypatch)

    async def body(pilot):
        await ask(pilot, HARBOUR)
        cards = list(pilot.app.screen.query(ExtractCard))
        assert any(card.extract.citation.path == FORGED for card in cards)
        for card in cards:
            plain = card.render().plain
            if isinstance(card, ClaimRow):
                lines = 0  # one line per row: the value and its speaker (first document only), then where
            else:
                lines = 2 + len(card.extract.also_in)  # quote, source, facts, also in
            assert plain.count("\n") == lines, plain
            assert not CONTROL.search(plain.replace("\n", ""))

    drive(app, body)


def test_a_megabyte_one_line_document_does_not_freeze_the_chat(tmp_path, fake_encoder, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "log.txt").write_text(" ".join(f"harbour{i % 500} boats{i % 7}" for i in range(60_000)), encoding="utf-8")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        began = time.perf_counter()
        await ask(pilot, "harbour12 boats5 harbour13")
        cards = list(pilot.app.screen.query(ExtractCard))
        assert cards and all(len(card.render().plain) < 4_000 for card in cards)
        await pilot.press("tab", "enter")  # the document view, too
        await pilot.pause()
        assert time.perf_counter() - began < 20

    drive(app, body)


def test_an_over_long_question_in_the_chat_is_an_error_in_its_turn(small_built, monkeypatch):
    corpus, _index = small_built
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        await ask(pilot, "boats " * 2000)
        turn = pilot.app.screen.query(Turn).last()
        assert turn.error and re.search(r"at most 2,000 characters", turn.error)
        await ask(pilot, HARBOUR)  # and the chat goes on
        assert pilot.app.screen.query(Turn).last().answer is not None

    drive(app, body)


def test_a_crash_of_the_chat_never_exits_0(monkeypatch, tmp_path):
    from qa.tui import app as tui_app

    class Crashed:
        return_code = 1  # what Textual sets when an exception ends the app

        def run(self):
            pass

    monkeypatch.setattr(tui_app, "make_app", lambda **kwargs: Crashed())
    assert qa("chat", "--corpus", tmp_path, "--index", tmp_path / "i").exit_code == 1

    class Failing(App):
        def on_mount(self) -> None:
            raise RuntimeError("boom")

    crashing = Failing()

    async def body(pilot):
        await settle(pilot)

    with contextlib.suppress(RuntimeError):
        drive(crashing, body, settled=False)
    assert crashing.return_code == 1


def test_an_error_in_a_turn_keeps_its_hint_on_its_own_line(small_built, monkeypatch):
    corpus, index = small_built
    current = (index / "CURRENT").read_text().strip()
    (index / current / "vectors.faiss").write_bytes(b"garbage\x1b[2J")
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        await ask(pilot, HARBOUR)
        box = pilot.app.screen.query_one(Turn).query_one(".error", Static)
        shown = str(box.render())
        assert "\nrebuild it with: qa index build" in shown and "\\n" not in shown

    drive(app, body)
