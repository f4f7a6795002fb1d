"""A progress bar for an index build or update, shown above the input while it runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

STAGES = {"read": "reading documents", "annotate": "reading sentences", "embed": "embedding chunks",
          "write": "writing the index"}
NEXT = {"read": "annotate", "annotate": "embed", "embed": "write"}


class BuildProgress(Horizontal):
    def compose(self) -> ComposeResult:
        yield Label("", id="build-label", markup=False)
        yield ProgressBar(show_eta=False, id="build-bar")

    def on_mount(self) -> None:
        self.display = False

    def start(self, what: str) -> None:
        self.display = True
        self.query_one("#build-label", Label).update(what)
        self.query_one("#build-bar", ProgressBar).update(total=None, progress=0)

    def step(self, stage: str, done: int, total: int) -> None:
        label, bar = self.query_one("#build-label", Label), self.query_one("#build-bar", ProgressBar)
        if done >= total and stage in NEXT:
            # the next stage reports only when its first batch is done (the model loads first)
            label.update(STAGES[NEXT[stage]])
            bar.update(total=None, progress=0)
            return
        label.update(STAGES.get(stage, stage))
        bar.update(total=max(total, 1), progress=done)

    def finish(self) -> None:
        self.display = False
