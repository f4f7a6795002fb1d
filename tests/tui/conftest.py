"""The chat app over the seed corpus, built with the fake encoder, with paths shown relative."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.tui import clipboard
from qa.tui.app import make_app
from tests.fakes import FakeEncoder


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    """The question history goes to a state folder of the test's own, and no system clipboard tool runs."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(clipboard, "system_copy", lambda text: None)
    return tmp_path / "state"


@pytest.fixture
def chat_app(built, monkeypatch):
    corpus, _index = built
    monkeypatch.chdir(corpus.parent)  # paths on screen and saved files stay inside tmp_path, shown relative
    return make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name)
