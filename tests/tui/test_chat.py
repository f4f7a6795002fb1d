"""The chat app driven headless through its keys, over the seed corpus and the fake encoder."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from typer.testing import CliRunner

from qa import api, cli
from qa.api import REFUSAL
from qa.citation import citation, source_line
from qa.records import Filters, Timeline
from qa.tui.app import make_app
from qa.tui.screens.chat import ChatScreen
from qa.tui.screens.document import DocumentScreen
from qa.tui.screens.help import HelpScreen
from qa.tui.screens.save import SaveScreen
from qa.tui.widgets.build_offer import BuildOffer
from qa.tui.widgets.conversation import Conversation
from qa.tui.widgets.document_text import DocumentText
from qa.tui.widgets.extract_card import ExtractCard
from qa.tui.widgets.question_input import QuestionInput
from qa.tui.widgets.turn import Turn
from tests.fakes import FakeEncoder
from tests.tui.helpers import ask, drive, screen_text, settle

# near-verbatim questions, so the fake encoder's lexical signal answers them whatever the tuning
QUESTION = "Foro Penal confirmed 56 prisoners detained for political reasons had been freed"
SECOND = "Foro Penal confirmed that 56 prisoners had been freed"
UNANSWERED = "What is the capital of Mongolia?"
REFUSE_ALL = 1.01  # no score reaches it: a refusal whatever the confidence calibration of the day


def test_first_paint_shows_input_and_index(chat_app):
    async def body(pilot):
        box = pilot.app.screen.query_one(QuestionInput)
        assert box.placeholder == "Ask a question about your documents"
        assert pilot.app.focused is box
        await settle(pilot)
        header = screen_text(pilot.app).splitlines()[0]
        documents = len(api.open_index(Path("index")).documents)
        assert f"{documents} documents" in header
        assert "fake-hashing" in header and "corpus unchanged" in header


    drive(chat_app, body, settled=False)


def test_answer_cards_show_quote_and_source(chat_app):
    async def body(pilot):
        await ask(pilot, QUESTION)
        cards = list(pilot.app.screen.query(ExtractCard))
        assert cards, "no extract card"
        top = cards[0].extract
        assert "Foro Penal" in top.quote and "56" in top.quote
        assert [c.extract.rank for c in cards] == list(range(1, len(cards) + 1))
        rendered = cards[0].render().plain
        assert top.quote in rendered.replace("\n", " ") or top.quote in rendered
        assert f"{top.citation.path}:{top.citation.line}" in rendered
        assert f"score {top.score:.2f}" in rendered
        assert (top.citation.title or "(untitled)") in rendered and (top.citation.date or "(undated)") in rendered
        for other in top.also_in:
            assert "also in: " in rendered and f"{other.citation.path}:{other.citation.line}" in rendered
        shown = screen_text(pilot.app)
        assert "56" in shown and f"{top.citation.path}:{top.citation.line}" in shown


    drive(chat_app, body)


def test_question_asked_while_loading_is_answered_when_ready(chat_app, monkeypatch):
    gate = threading.Event()
    real_open = api.open_index

    def slow_open(*args, **kwargs):
        gate.wait(10)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(api, "open_index", slow_open)

    async def body(pilot):
        await pilot.pause()
        box = pilot.app.screen.query_one(QuestionInput)
        await pilot.press(*"Foro")
        box.value = QUESTION
        await pilot.press("enter")
        await pilot.pause()
        turn = pilot.app.screen.query_one(Turn)
        assert "Loading the index" in screen_text(pilot.app)
        assert turn.answer is None
        gate.set()
        await settle(pilot)
        assert turn.answer is not None and turn.answer.answered
        assert "Loading the index" not in screen_text(pilot.app)


    drive(chat_app, body, settled=False)


def test_document_view_scrolls_to_highlighted_quote_and_esc_returns(chat_app):
    async def body(pilot):
        await ask(pilot, SECOND)
        await ask(pilot, QUESTION)
        await pilot.press("tab")
        card = pilot.app.focused
        assert isinstance(card, ExtractCard)
        chat_scroll = pilot.app.screen.query_one(Conversation).scroll_y
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, DocumentScreen)
        body = screen.query_one(DocumentText)
        e = card.extract
        index = api.open_index(Path("index"))
        text = index.texts[index.doc_numbers[e.citation.doc_id]]
        assert text[e.citation.start:e.citation.end] == e.quote
        assert "".join(body.parts) == text
        assert "".join(body.parts[1:4]) == e.quote
        # the quote is emphasised: its characters carry the quote/highlight styles
        rendered = body.render()
        quote_style = body.get_component_rich_style("document-text--highlight")
        styled = [s for s in rendered.spans if s.style == quote_style]
        assert styled and rendered.plain[styled[0].start:styled[0].end] == body.parts[2]
        # and it is on screen
        scroll = screen.query_one("#doc-scroll")
        row = body.quote_row()
        assert scroll.scroll_y <= row < scroll.scroll_y + scroll.scrollable_content_region.height
        assert " ".join(e.quote.split()[:4]) in screen_text(pilot.app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen)
        assert pilot.app.focused is card
        assert pilot.app.screen.query_one(Conversation).scroll_y == chat_scroll


    drive(chat_app, body)


def notices(app) -> list[str]:
    """The toasts shown so far."""
    return [n.message for n in app._notifications]


def conversation_notes(app) -> list[str]:
    return [str(n.render()) for n in app.chat.query(".note")]


def test_ctrl_c_copies_and_says_it_only_reached_the_terminal(chat_app):
    async def body(pilot):
        await ask(pilot, QUESTION)
        await pilot.press("tab")
        e = pilot.app.focused.extract
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert pilot.app.clipboard.startswith("“" + e.quote.split()[0])
        assert f"corpus/{e.citation.path}:{e.citation.line}" in pilot.app.clipboard  # the file as it opens from here
        assert notices(pilot.app) == [
            "Sent the quote and its source to the terminal's clipboard (OSC 52). Not every terminal accepts it, "
            "and none confirms it: Ctrl+W saves the quote to a file instead."]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DocumentScreen)


    drive(chat_app, body)


def test_a_copy_a_clipboard_tool_took_says_so(chat_app, monkeypatch):
    from qa.tui import clipboard

    taken = []
    monkeypatch.setattr(clipboard, "system_copy", lambda text: taken.append(text) or "xclip")

    async def body(pilot):
        await ask(pilot, QUESTION)
        await pilot.press("tab", "ctrl+c")
        await settle(pilot)
        assert taken == [pilot.app.clipboard] and taken[0].startswith("“")
        assert notices(pilot.app) == ["Copied the quote and its source to the system clipboard (xclip)."]


    drive(chat_app, body)


def test_ctrl_w_saves_the_quote_to_a_file_of_your_choosing(chat_app, tmp_path):
    async def body(pilot):
        await ask(pilot, QUESTION)
        await pilot.press("tab")
        card = pilot.app.focused
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SaveScreen)
        name = pilot.app.screen.query_one("#save-name", Input)
        assert name.value.startswith("qa-quote-1-") and name.value.endswith(".txt")
        assert str(pilot.app.screen.query_one("#save-where").render()) == f"→ {tmp_path / name.value}"
        name.value = "foro.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen) and pilot.app.focused is card
        assert (tmp_path / "foro.txt").read_text(encoding="utf-8") == citation(card.extract) + "\n"
        assert notices(pilot.app) == [f"Saved the quote and its source to {tmp_path / 'foro.txt'}."]


    drive(chat_app, body)


def test_tab_moves_between_cards(chat_app):
    async def body(pilot):
        await ask(pilot, SECOND)
        await ask(pilot, QUESTION)
        first_turn, last_turn = pilot.app.screen.query(Turn)
        await pilot.press("tab")  # from the question box: the newest answer's first card
        assert pilot.app.focused is last_turn.query(ExtractCard).first()
        await pilot.press("shift+tab")  # back to the previous answer's last card
        assert pilot.app.focused is first_turn.query(ExtractCard).last()
        await pilot.press("tab")
        assert pilot.app.focused is last_turn.query(ExtractCard).first()
        for _ in last_turn.query(ExtractCard):
            await pilot.press("tab")
        assert isinstance(pilot.app.focused, QuestionInput)  # past the last card: the question box


    drive(chat_app, body)


@pytest.mark.parametrize("typed", ["confirmed", "open the copy", "qgjk/?# 12"])
def test_typing_on_a_card_goes_to_the_question_box_whole(chat_app, typed):
    async def body(pilot):
        await ask(pilot, QUESTION)
        await pilot.press("tab")
        assert isinstance(pilot.app.focused, ExtractCard)
        await pilot.press(*typed)  # the first key moves the focus; none is taken as a card's key
        box = pilot.app.screen.query_one(QuestionInput)
        assert pilot.app.focused is box and box.value == typed
        assert isinstance(pilot.app.screen, ChatScreen)
        assert pilot.app.clipboard == "" and not notices(pilot.app)


    drive(chat_app, body)


def test_no_binding_of_the_chat_is_a_printable_key(chat_app):
    async def body(pilot):
        await ask(pilot, QUESTION)
        pilot.app.min_score = REFUSE_ALL
        await ask(pilot, UNANSWERED)
        for widget in [pilot.app.screen, *pilot.app.screen.query("*")]:
            widget.focus() if widget.focusable else None
            await pilot.pause()
            printable = [key for key in pilot.app.screen.active_bindings if len(key) == 1 or key == "space"]
            assert printable == [], (widget, printable)


    drive(chat_app, body)


def test_page_keys_scroll_the_conversation_from_the_question_box(chat_app):
    async def body(pilot):
        for question in (QUESTION, SECOND, QUESTION):
            await ask(pilot, question)
        conversation = pilot.app.screen.query_one(Conversation)
        bottom = conversation.scroll_y
        assert bottom > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert conversation.scroll_y < bottom
        await pilot.press("pagedown")
        await pilot.pause()
        assert conversation.scroll_y == bottom


    drive(chat_app, body, size=(80, 24))


def test_questions_are_recalled_in_the_next_chat(built, monkeypatch, private_state):
    corpus, _index = built
    monkeypatch.chdir(corpus.parent)

    async def first(pilot):
        await ask(pilot, "first question")
        await ask(pilot, "second  question")
        await ask(pilot, "second  question")  # asked again at once: kept once

    async def second(pilot):
        box = pilot.app.screen.query_one(QuestionInput)
        await pilot.press("up")
        assert box.value == "second question"  # one line, its spaces as in the file
        await pilot.press("up")
        assert box.value == "first question"

    drive(make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name), first)
    assert (private_state / "qa" / "history").read_text(encoding="utf-8") == "first question\nsecond question\n"
    drive(make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name), second)


def test_the_history_file_keeps_the_last_thousand_questions(private_state):
    from qa.tui import history

    path = private_state / "qa" / "history"
    for n in range(history.KEEP + 5):
        assert history.append(f"question {n}\nwith a line break")
    kept = path.read_text(encoding="utf-8").splitlines()
    assert len(kept) == history.KEEP
    assert kept[0] == "question 5 with a line break" and kept[-1] == f"question {history.KEEP + 4} with a line break"
    assert history.load() == kept


def test_an_unwritable_history_is_said_once_and_asking_goes_on(chat_app, private_state):
    private_state.mkdir()
    (private_state / "qa").write_text("a file, not a folder", encoding="utf-8")

    async def body(pilot):
        await ask(pilot, QUESTION)
        await ask(pilot, SECOND)
        assert notices(pilot.app) == [f"Could not keep the question history in {private_state / 'qa' / 'history'}."]
        assert all(t.answer is not None for t in pilot.app.screen.query(Turn))


    drive(chat_app, body)


def test_up_and_down_recall_earlier_questions(chat_app):
    async def body(pilot):
        await ask(pilot, "first question")
        await ask(pilot, "second question")
        box = pilot.app.screen.query_one(QuestionInput)
        box.value = "draft"
        await pilot.press("up")
        assert box.value == "second question"
        await pilot.press("up")
        assert box.value == "first question"
        await pilot.press("up")
        assert box.value == "first question"
        await pilot.press("down")
        assert box.value == "second question"
        await pilot.press("down")
        assert box.value == "draft"


    drive(chat_app, body)


def test_refusal_says_so_and_offers_nearest(chat_app):
    async def body(pilot):
        pilot.app.min_score = REFUSE_ALL
        await ask(pilot, UNANSWERED)
        turn = pilot.app.screen.query_one(Turn)
        assert turn.answer is not None and not turn.answer.answered
        assert REFUSAL in screen_text(pilot.app)
        nearest = [c for c in pilot.app.screen.query(ExtractCard)]
        assert nearest and all(c.low_confidence for c in nearest)
        assert not any(c.display and c.region.height for c in nearest)  # collapsed
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert "low confidence" in screen_text(pilot.app)


    drive(chat_app, body)


def test_a_refusal_says_how_many_weaker_extracts_scored_below_in_the_words_of_qa_ask(chat_app):
    async def body(pilot):
        pilot.app.min_score = REFUSE_ALL
        await ask(pilot, UNANSWERED)
        turn = pilot.app.screen.query_one(Turn)
        n = len(turn.answer.nearest)
        assert n and not turn.answer.answered
        said = f"({n} weaker extract{'s' * (n != 1)} scored below --min-score 1.01; lower it to see {'them' if n != 1 else 'it'})"
        assert str(turn.query_one(".refusal-why", Static).render()) == said
        assert turn.notes == (said,)  # so the saved conversation says it too


    drive(chat_app, body)


def test_an_empty_timeline_reads_the_same_in_the_chat_and_from_qa_timeline(chat_app, monkeypatch):
    monkeypatch.setattr(api, "timeline", lambda index, topic, **_: Timeline(topic, (), ()))

    async def body(pilot):
        await ask(pilot, "/timeline the price of tea")
        turn = pilot.app.screen.query_one(Turn)
        assert str(turn.query_one(".refusal", Static).render()) == "The documents say nothing about this with confidence."


    drive(chat_app, body)
    result = CliRunner().invoke(cli.app, ["timeline", "the", "price", "of", "tea", "--corpus", "corpus", "--index", "index",
                                          "--model", FakeEncoder.name])
    assert (result.exit_code, result.stdout) == (1, "The documents say nothing about this with confidence: the price of tea\n")


def test_a_date_the_filter_cannot_read_is_said_in_the_words_of_qa_ask(chat_app):
    async def body(pilot):
        await pilot.press("ctrl+f")
        await pilot.pause()
        pilot.app.screen.query_one("#filter-since", Input).value = " 2026-13-01 "
        await pilot.click("#filter-apply")
        await pilot.pause()
        assert str(pilot.app.screen.query_one("#filter-error", Static).render()) == \
            "since takes a date as YYYY-MM-DD, not '2026-13-01'"  # qa ask: --since takes a date as ...
        assert pilot.app.filters == Filters()


    drive(chat_app, body)


def test_ctrl_s_saves_the_conversation_as_markdown(chat_app, tmp_path):
    async def body(pilot):
        await ask(pilot, QUESTION)
        pilot.app.min_score = REFUSE_ALL
        pilot.app._set_filters(Filters(source="cnn", since="2026-01-15"))
        await ask(pilot, UNANSWERED)
        top = pilot.app.screen.query(ExtractCard).first().extract
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SaveScreen)
        name = pilot.app.screen.query_one("#save-name", Input).value
        assert re.fullmatch(r"qa-chat-\d{8}-\d{6}\.md", name)
        assert str(pilot.app.screen.query_one("#save-where").render()) == f"→ {tmp_path / name}"  # where it goes, in full
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen)
        text = (tmp_path / name).read_text(encoding="utf-8")
        index = api.open_index(Path("index"))
        version = api.version(index)
        assert "the documents in `./corpus`." in text
        assert f"Index: `./index`, model {FakeEncoder.name}." in text
        default = api.default_min_score()
        assert (f"## {QUESTION}\n\n_Searched all documents · --min-score {default:g} · index version {version}._\n\n"
                f"1. {source_line(top.citation, top.kind)}") in text
        assert f"`corpus/{top.citation.path}:{top.citation.line}`" in text
        assert top.quote.split(". ")[0].split("\n")[0] in text
        assert (f"## {UNANSWERED}\n\n_Searched documents with source “cnn”, a date from 2026-01-15 · --min-score 1.01 · "
                f"index version {version}._\n\n_The documents do not answer this question._") in text
        assert conversation_notes(pilot.app)[-1] == f"Saved the conversation to {tmp_path / name}"


    drive(chat_app, body)


def test_ctrl_s_takes_the_name_you_type_and_asks_before_replacing(chat_app, tmp_path):
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")

    async def body(pilot):
        await ask(pilot, QUESTION)
        await pilot.press("ctrl+s")
        await pilot.pause()
        pilot.app.screen.query_one("#save-name", Input).value = "notes.md"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SaveScreen)
        assert "notes.md already exists: Save again to replace it." in screen_text(pilot.app)
        assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "mine"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen)
        assert f"## {QUESTION}" in (tmp_path / "notes.md").read_text(encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen) and sorted(p.name for p in tmp_path.glob("*.md")) == ["notes.md"]


    drive(chat_app, body)


def test_filter_limits_the_next_questions(chat_app):
    async def body(pilot):
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press(*"no-such-source", "enter")
        await pilot.pause()
        assert pilot.app.filters == Filters(source="no-such-source")
        assert "no-such-source" in screen_text(pilot.app).splitlines()[0]
        assert conversation_notes(pilot.app)[-1] == ("The next questions only search documents with source “no-such-source”. "
                                                     "No document's publisher or path contains “no-such-source”.")
        await ask(pilot, QUESTION)
        turn = pilot.app.screen.query(Turn).last()
        assert not turn.answer.answered
        # the same words as `qa ask --source no-such-source`
        assert turn.notes == ("No document's publisher or path contains “no-such-source”.",)
        lines = [line.strip() for line in screen_text(pilot.app).splitlines()]
        assert lines[lines.index(REFUSAL) + 1] == "No document's publisher or path contains “no-such-source”."


    drive(chat_app, body)


def test_the_header_notices_a_corpus_changed_while_the_chat_is_open(chat_app):
    async def body(pilot):
        await ask(pilot, QUESTION)
        assert "corpus unchanged" in screen_text(pilot.app).splitlines()[0]
        Path("corpus", "zz_new.txt").write_text("A brand new story.\n\nThe llama parade happened in Lima.\n", encoding="utf-8")
        await ask(pilot, SECOND)
        shown = screen_text(pilot.app)
        header = " ".join(line.strip() for line in shown.splitlines()[:2])
        assert "corpus changed: 1 added, 0 changed, 0 removed (ctrl+r updates)" in header
        offer = ("The corpus changed since the index was built (1 added, 0 changed, 0 removed): Ctrl+R updates the "
                 "index, and you can keep asking meanwhile.")
        assert conversation_notes(pilot.app).count(offer) == 1
        await ask(pilot, QUESTION)  # the same change is offered once
        assert conversation_notes(pilot.app).count(offer) == 1


    drive(chat_app, body)


def test_markup_and_escapes_in_documents_show_literally(tmp_path, fake_encoder, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    hostile = ("The zebra committee wrote [bold]x[/] and [link=x]click[/link] and \x1b[31mred\x1b[0m "
               "in its zebra report on Monday.")
    (corpus / "markup.txt").write_text(f"Zebra report\n\n{hostile}\n\nNothing else happened.\n", encoding="utf-8")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    monkeypatch.chdir(tmp_path)
    app = make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name)

    async def body(pilot):
        await ask(pilot, "zebra committee report [bold]")
        cards = list(pilot.app.screen.query(ExtractCard))
        assert cards, "the hostile sentence was not found"
        shown = screen_text(pilot.app)
        for literal in ("[bold]x[/]", "[link=x]click[/link]", "\\x1b[31mred\\x1b[0m", "report [bold]"):
            assert literal in shown, literal
        assert "\x1b" not in cards[0].render().plain and "\x1b" not in shown
        await pilot.press("tab", "enter")
        await pilot.pause()
        shown = screen_text(pilot.app)
        assert isinstance(pilot.app.screen, DocumentScreen)
        assert "[bold]x[/]" in shown and "\\x1b[31mred" in shown


    drive(app, body)


def test_missing_index_is_offered_built_then_answers(seed_corpus, tmp_path, fake_encoder, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name)

    async def body(pilot):
        assert pilot.app.screen.query_one(BuildOffer)
        assert "There is no index at ./index yet" in screen_text(pilot.app)
        await ask(pilot, QUESTION)
        turn = pilot.app.screen.query_one(Turn)
        assert turn.answer is None and "build it (the button above, or Ctrl+R)" in screen_text(pilot.app)
        await pilot.click("#build-index")
        await settle(pilot)
        assert (tmp_path / "index" / "CURRENT").exists()
        assert turn.answer is not None and turn.answer.answered
        assert pilot.app.screen.query(ExtractCard)
        assert "corpus unchanged" in screen_text(pilot.app).splitlines()[0]
        assert not pilot.app.screen.query(BuildOffer)


    drive(app, body)


def test_ctrl_r_updates_a_changed_corpus_and_reopens(chat_app):
    async def body(pilot):
        before = len(pilot.app.index.documents)
        Path("corpus", "zz_new.txt").write_text("A brand new story.\n\nThe llama parade happened on Friday in Lima.\n",
                                                encoding="utf-8")
        pilot.app.load_index()
        await settle(pilot)
        assert "corpus changed: 1 added" in screen_text(pilot.app).splitlines()[0]
        seen = []
        pilot.app.chat.progress.step = lambda *a: seen.append(a)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(pilot.app.index.documents) == before + 1
        assert "corpus unchanged" in screen_text(pilot.app).splitlines()[0]
        assert {s[0] for s in seen} >= {"read", "write"}
        await ask(pilot, "llama parade Lima")
        assert pilot.app.screen.query(Turn).last().answer.answered


    drive(chat_app, body)


def test_unusable_index_is_a_message_not_a_traceback(built, monkeypatch):
    corpus, index = built
    monkeypatch.chdir(corpus.parent)
    current = (index / "CURRENT").read_text().strip()
    (index / current / "vectors.faiss").write_bytes(b"garbage")
    app = make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name)

    async def body(pilot):
        await ask(pilot, QUESTION)
        shown = screen_text(pilot.app)
        assert "could not be opened" in shown and "Traceback" not in shown
        assert pilot.app.screen.query_one(Turn).error
        assert pilot.app.screen.query_one(BuildOffer)


    drive(app, body)


def test_help_fits_and_scrolls_at_60x20(chat_app):
    async def body(pilot):
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        box = pilot.app.screen.query_one("#help-box")
        assert pilot.app.focused is box
        region = box.region
        assert region.x >= 0 and region.y >= 0 and region.right <= 60 and region.bottom <= 20
        assert box.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert "Esc closes this help" in screen_text(pilot.app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChatScreen)


    drive(chat_app, body, size=(60, 20))


def test_the_footer_shows_quit(chat_app):
    async def body(pilot):
        assert "^q Quit" in screen_text(pilot.app).splitlines()[-1]


    drive(chat_app, body, size=(80, 24))


def test_the_chat_says_chunks_never_passages(chat_app):
    async def body(pilot):
        await ask(pilot, QUESTION)
        pilot.app.min_score = REFUSE_ALL
        await ask(pilot, UNANSWERED)
        await pilot.press("ctrl+r")
        await settle(pilot)
        shown = [screen_text(pilot.app)]
        await pilot.press("f1")
        await pilot.pause()
        shown.append(screen_text(pilot.app))
        assert "chunks" in shown[0] and "Nearest extract" in shown[0]
        assert not any("passage" in text.lower() for text in shown)


    drive(chat_app, body, size=(100, 60))


def test_a_timeline_shows_each_documents_date_and_is_saved(chat_app, tmp_path):
    from qa.tui.widgets.timeline_row import TimelineRow

    async def body(pilot):
        await ask(pilot, "/timeline Foro Penal prisoners freed")
        rows = list(pilot.app.screen.query(TimelineRow))
        assert rows, "no timeline entry"
        assert [r.extract.rank for r in rows] == list(range(1, len(rows) + 1))  # "quote #n", never #0
        index = api.open_index(Path("index"))
        dated = {d.path: d.date for d in index.documents}
        for row in rows:
            assert row.entry.citation.date == dated[row.entry.citation.path]
            assert f" · {dated[row.entry.citation.path] or '(undated)'} · " in row.render().plain
        await pilot.press("ctrl+s")
        await pilot.pause()
        name = pilot.app.screen.query_one("#save-name", Input).value
        await pilot.press("enter")
        await pilot.pause()
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "(not answered yet)" not in text
        for row in rows:
            assert f"“{row.entry.quote}”" in text and f"`corpus/{row.entry.citation.path}:{row.entry.citation.line}`" in text

    drive(chat_app, body)


def test_who_says_what_is_a_card_above_the_answers_whose_rows_open_their_sentence(chat_app):
    from qa.tui.widgets.claims_card import ClaimRow, ClaimsCard

    question = "How many prisoners did Foro Penal confirm had been freed?"

    async def body(pilot):
        await ask(pilot, question)
        answer = api.ask(api.open_index(Path("index")), question, min_score=api.default_min_score())
        assert answer.claims, "the seed corpus gives a figure for this question"
        turn = list(pilot.app.screen.query(Turn))[-1]
        card = turn.query_one(ClaimsCard)
        extracts = [c for c in turn.query(ExtractCard) if not isinstance(c, ClaimRow)]
        assert extracts and card.region.y < extracts[0].region.y  # above the answer cards
        rows = list(card.query(ClaimRow))
        assert [(r.claim.value, r.source.citation.path) for r in rows] == [(c.value, s.citation.path) for c in answer.claims for s in c.sources]
        for row in rows:
            plain = row.render().plain
            assert f"{row.source.citation.path}:{row.source.citation.line}" in plain
            # one line per value, its speaker once; the claim's other documents folded under it
            assert "\n" not in plain and (not row.first or plain.startswith(row.claim.value + "  "))
            assert row.display == row.first
        rows[0].focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DocumentScreen)
        parts = pilot.app.screen.query_one(DocumentText).parts  # before, quote, value, quote, after
        assert "".join(parts[1:4]) == rows[0].source.quote and parts[2] == rows[0].source.value
        assert "the value highlighted" in str(pilot.app.screen.query_one("#doc-header", Static).render())

    drive(chat_app, body)


@pytest.fixture
def crowded_app(tmp_path, fake_encoder, monkeypatch, accept_all):
    """Nine sources each giving its own figure, four of them in two documents."""
    from tests.fakes import write

    corpus = tmp_path / "corpus"
    speakers = ["navy", "coast guard", "mayor", "governor", "port authority", "red cross", "fire brigade", "police", "army"]
    for n, who in enumerate(speakers):
        sentence = f"The {who} said that {40 + n} sailors were rescued."
        write(corpus, f"{n}.txt", f" date 2026-03-0{1 + n % 9} Ferry\n\n{sentence}\n")
        if n < 4:
            write(corpus, f"copy-{n}.txt", f"Ferry\n\n{sentence}\n")
    api.build(corpus, tmp_path / "index", model=FakeEncoder.name)
    monkeypatch.chdir(tmp_path)
    return make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name, top_k=3, min_score=0.0)


def test_many_values_leave_the_first_quote_on_screen_and_unfold_on_demand(crowded_app):
    from qa.tui.widgets.claims_card import ClaimRow, ClaimsCard

    question = "How many sailors were rescued?"

    async def body(pilot):
        await ask(pilot, question)
        turn = list(pilot.app.screen.query(Turn))[-1]
        card = turn.query_one(ClaimsCard)
        assert len(card.claims) >= 5, [c.value for c in card.claims]
        first_quote = next(c for c in turn.query(ExtractCard) if not isinstance(c, ClaimRow))
        assert 0 <= first_quote.region.y < pilot.app.size.height - 4  # on the 100x30 screen, above the question box
        folded = [r for r in card.query(ClaimRow) if not r.first]
        assert folded and not any(r.display for r in folded)
        owner = next(r for r in card.query(ClaimRow) if r.first and r.claim is folded[0].claim)
        owner.focus()
        await pilot.press("right")
        await pilot.pause()
        assert all(r.display for r in card.query(ClaimRow) if r.claim is owner.claim)
        await pilot.press("left")
        await pilot.pause()
        assert not any(r.display for r in card.query(ClaimRow) if r.claim is owner.claim and not r.first)

    drive(crowded_app, body)
