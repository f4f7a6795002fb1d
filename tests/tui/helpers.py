"""Driving the chat app headless: wait for its workers, read what is on the screen."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console
from textual.pilot import Pilot

from qa.tui.widgets.question_input import QuestionInput


def drive(app, body, size: tuple[int, int] = (100, 30), *, settled: bool = True) -> None:
    """Run the app headless and `await body(pilot)` once its workers are done (no asyncio plugin needed)."""
    async def scenario() -> None:
        async with app.run_test(size=size) as pilot:
            if settled:
                await settle(pilot)
            await body(pilot)

    asyncio.run(scenario())


async def settle(pilot: Pilot) -> None:
    """Wait until no worker runs, including workers started by the results of others."""
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(w.is_finished for w in pilot.app.workers):
            await pilot.pause()
            if all(w.is_finished for w in pilot.app.workers):
                return
    raise AssertionError("workers did not settle")


async def ask(pilot: Pilot, question: str) -> None:
    box = pilot.app.screen.query_one(QuestionInput)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app) -> str:
    """The current screen as plain text, as a terminal would show it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()
