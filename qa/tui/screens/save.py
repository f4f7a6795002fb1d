"""Where to save: a file name, proposed in the current folder and shown as a full path.

Whether a name may be saved to is the core's to say (`Session.save_target`): the dialog shows its
reason under the name, and is dismissed only with a path it accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from qa.errors import QAError


class SaveScreen(ModalScreen[Path | None]):
    """Dismissed with the chosen path (relative names are in the current folder), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, default: str, check: Callable[[str], Path]) -> None:
        super().__init__()
        self.what = what
        self.default = default
        self.check = check  # the path a name stands for, or a QAError saying why it cannot be saved to
        self._replace: Path | None = None  # a path that exists and was confirmed once

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box"):
            yield Static(f"Save {self.what} as:", markup=False)
            yield Input(self.default, id="save-name")
            yield Static("", id="save-where", markup=False)
            yield Static("", id="save-error", markup=False)
            with Horizontal(id="save-buttons"):
                yield Button("Save", variant="primary", id="save-ok")
                yield Button("Cancel", id="save-cancel")

    def on_mount(self) -> None:
        self._where(self.default)

    @on(Input.Changed, "#save-name")
    def changed(self, event: Input.Changed) -> None:
        self._where(event.value)
        self.query_one("#save-error", Static).update("")
        self._replace = None

    def _where(self, name: str) -> None:
        try:
            text = f"→ {self.check(name)}"
        except QAError as exc:
            text = str(exc)
        self.query_one("#save-where", Static).update(text)

    @on(Input.Submitted, "#save-name")
    @on(Button.Pressed, "#save-ok")
    def save(self) -> None:
        error = self.query_one("#save-error", Static)
        try:
            target = self.check(self.query_one("#save-name", Input).value)
        except QAError as exc:
            error.update(str(exc))
            return
        if target.exists() and self._replace != target:
            self._replace = target
            error.update(f"{target.name} already exists: Save again to replace it.")
            return
        self.dismiss(target)

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
