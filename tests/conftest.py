"""Shared fixtures: a fake encoder registered as model "fake-hashing", and small corpora."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qa.embed import encoder as encoders
from tests.fakes import FakeEncoder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus"


@pytest.fixture(scope="session", autouse=True)
def encoder_cache(tmp_path_factory) -> Path:
    """The machine-wide encoder cache (qa.embed.cache) of this test session: never the real ~/.cache.
    One per session, so the real model is exported once."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["QA_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture
def fake_encoder(monkeypatch):
    """One FakeEncoder instance that every load of model "fake-hashing" returns."""
    encoder = FakeEncoder()
    monkeypatch.setitem(encoders.REGISTRY, FakeEncoder.name, lambda: encoder)
    return encoder


@pytest.fixture
def seed_corpus(tmp_path) -> Path:
    """A writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED, target)
    return target


@pytest.fixture
def built(seed_corpus, tmp_path, fake_encoder):
    """(corpus, index) with an index built by the fake encoder."""
    from qa import api

    index = tmp_path / "index"
    api.build(seed_corpus, index, model=FakeEncoder.name)
    return seed_corpus, index


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """(corpus, index) built once per session with the real bundled model; tests only read it."""
    from qa import api

    root = tmp_path_factory.mktemp("real")
    corpus = root / "corpus"
    shutil.copytree(SEED, corpus)
    report = api.build(corpus, root / "index")
    assert (report.documents, report.skipped) == (5, ())
    return corpus, root / "index"


@pytest.fixture
def accept_all(monkeypatch):
    """A value scorer that accepts every candidate: what is tested with it is how accepted values are
    credited, grouped and shown; which value answers is the shipped scorer's (tests/test_values.py),
    whose word vectors are the real model's, which the fake encoder has not."""
    from qa.answer import values

    everything = values.Scorer({"bias": 10.0, **dict.fromkeys(values.NAMES, 0.0)}, 0.5, {})
    monkeypatch.setattr(values, "load", lambda *args: everything)
