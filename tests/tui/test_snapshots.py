"""SVG snapshots of the chat at 100x30, 80x24 and 60x20: an answer, a refusal, a document view, the help.

The answers are fixed extracts cut from the seed documents, so the pictures change
with the app's look, not with retrieval tuning. Review a failure in the report,
then accept with `pytest --snapshot-update tests/tui`.
"""

from __future__ import annotations

import pytest

from qa import api
from qa.records import Answer, Extract, Highlight, Source
from qa.tui.widgets.question_input import QuestionInput
from tests.tui.helpers import ask, settle

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 20)], ids=["100x30", "80x24", "60x20"])
QUESTION = "How many prisoners did Foro Penal confirm had been freed?"
UNANSWERED = "What is the capital of Mongolia?"

FORO_PENAL = ("As of Tuesday evening, the Venezuela human rights group Foro Penal had confirmed 56 prisoners "
              "it said were detained for political reasons had been freed.")
NGO = "Foro Penal, a leading local NGO that provides legal support for detainees,"
RELEASES = "But the group also criticized the government for a lack of transparency"


def cut(index, rank: int, path: str, best: str, score: float, *, before: str = "", after: str = "",
        also_in: tuple[Source, ...] = ()) -> Extract:
    """An extract as the library would make it: the quote is document_text[start:end]."""
    number = next(i for i, d in enumerate(index.documents) if d.path == path)
    text = index.texts[number]
    at = text.index(best)
    start = text.rindex(before, 0, at) if before else at
    end = text.index(after, at) + len(after) if after else at + len(best)
    end = text.index(".", end - 1) + 1 if after else end
    return Extract(rank=rank, quote=text[start:end], highlight=Highlight(at - start, at - start + len(best)),
                   score=score, kind="body", citation=index.citation(number, start, end), also_in=also_in)


@pytest.fixture
def fixed_answers(built, monkeypatch):
    index = api.open_index(built[1], corpus=built[0].absolute())
    other = cut(index, 1, "001_00a02d510dd7c0aa.txt", "As of Tuesday evening, Venezuelan", 0.8)
    extracts = (
        cut(index, 1, "000_c49348b2c4adda7c.txt", FORO_PENAL, 0.91,
            also_in=(Source(FORO_PENAL, "body", other.citation),)),
        cut(index, 2, "001_00a02d510dd7c0aa.txt", NGO, 0.62, after="beginning of this year"),
        cut(index, 3, "001_00a02d510dd7c0aa.txt", RELEASES, 0.55, before="As of Tuesday evening, Venezuelan",
            after="under what conditions"),
    )

    def fixed_ask(index, question, **_):
        if question == UNANSWERED:
            nearest = tuple(Extract(**{**e.__dict__, "score": e.score / 4}) for e in extracts)
            return Answer(question, False, (), nearest)
        return Answer(question, True, extracts)

    monkeypatch.setattr(api, "ask", fixed_ask)
    monkeypatch.setattr(api, "default_min_score", lambda: 0.25)  # a refusal names it: fixed, not the fitted one


def scene(question: str, *keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(QuestionInput).cursor_blink = False
        await ask(pilot, question)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


@SIZES
def test_answer(snap_compare, chat_app, fixed_answers, size):
    assert snap_compare(chat_app, terminal_size=size, run_before=scene(QUESTION))


@SIZES
def test_refusal(snap_compare, chat_app, fixed_answers, size):
    assert snap_compare(chat_app, terminal_size=size, run_before=scene(UNANSWERED))


@SIZES
def test_document_view(snap_compare, chat_app, fixed_answers, size):
    assert snap_compare(chat_app, terminal_size=size, run_before=scene(QUESTION, "tab", "enter"))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_help(snap_compare, chat_app, fixed_answers, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(QuestionInput).cursor_blink = False
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(chat_app, terminal_size=size, run_before=run_before)
