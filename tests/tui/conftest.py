"""The chat app over the seed corpus, built with the fake encoder, with paths shown relative."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.tui.app import make_app
from tests.fakes import FakeEncoder


@pytest.fixture
def chat_app(built, monkeypatch):
    corpus, _index = built
    monkeypatch.chdir(corpus.parent)  # paths on screen and saved files stay inside tmp_path, shown relative
    return make_app(corpus=Path("corpus"), index=Path("index"), model=FakeEncoder.name)
