"""Shown instead of an error when there is no index yet: say so and offer to build one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static


class BuildOffer(Vertical):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(Text(self.text), classes="offer-text")
        yield Button("Build the index now", id="build-index", variant="primary")
