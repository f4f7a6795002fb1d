"""The chat in terminals far smaller than 80x24: the question box stays on screen (the header shrinks to a
line and the key hints go first), and a question typed there is asked and answered."""

from __future__ import annotations

import pytest

from qa.tui.widgets.index_header import IndexHeader
from qa.tui.widgets.question_input import QuestionInput
from qa.tui.widgets.turn import Turn
from tests.hostile.conftest import HARBOUR
from tests.hostile.test_chat import chat_over
from tests.tui.helpers import drive, settle


def on_screen(app, widget) -> bool:
    region = widget.region
    width, height = app.size
    return region.height > 0 and region.width > 0 and region.y >= 0 and region.bottom <= height and region.right <= width


@pytest.mark.parametrize("size", [(20, 5), (20, 4), (12, 6), (30, 8), (100, 5), (20, 11), (20, 30), (40, 12)])
def test_the_question_box_stays_visible_at_any_size(size, small_built, monkeypatch, tmp_path):
    corpus, _index = small_built
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        box = pilot.app.screen.query_one(QuestionInput)
        assert on_screen(pilot.app, box), (size, box.region)
        header = pilot.app.screen.query_one(IndexHeader)
        assert header.region.height <= max(1, size[1] // 4), header.region
        box.focus()
        await pilot.press(*HARBOUR[:30])
        assert box.value == HARBOUR[:30]
        box.value = HARBOUR
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen.query(Turn).last().answer is not None
        assert on_screen(pilot.app, pilot.app.screen.query_one(QuestionInput)), size

    drive(app, body, size=size)
