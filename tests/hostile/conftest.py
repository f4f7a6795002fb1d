"""Helpers for the hostile-input and fault tests: the CLI in-process and as a real process,
a small corpus, and whether this process may mount a tmpfs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa import api
from qa.cli import app
from tests.fakes import FakeEncoder

ROOT = Path(__file__).resolve().parents[2]
FAKE_QA = Path(__file__).with_name("fake_qa.py")
FAKE = ("--model", FakeEncoder.name)
HARBOUR = "How many boats did the Quillmouth harbour master count?"
HARBOUR_TEXT = ("Harbour count in Quillmouth\n\nThe Quillmouth harbour master counted 412 sailing boats in the marina "
                "on Sunday, the port office said.\n\nThe count is made every spring.\n")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("QA_CORPUS", "QA_INDEX", "QA_DEBUG", "QA_MAX_FILE_MB"):
        monkeypatch.delenv(name, raising=False)


def qa(*args, input=None, env=None):
    """The CLI in this process (CliRunner): stdout and stderr apart. An exception escaping the command
    (which `qa` would print as "unexpected ...") fails the test at once."""
    result = CliRunner().invoke(app, [a if isinstance(a, str) else str(a) for a in args], input=input, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    return result


def where(corpus, index):
    return ("--corpus", str(corpus), "--index", str(index))


def run_qa(*args, input: bytes | None = None, timeout: float = 60, cwd=None, env=None) -> subprocess.CompletedProcess:
    """`qa ARGS` as a real process (fake encoder), bytes in and out."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, str(FAKE_QA), *map(os.fsencode, args)], input=input, capture_output=True,
                          timeout=timeout, cwd=cwd, env=full_env)


def start_qa(*args, cwd=None, env=None, **kwargs) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, str(FAKE_QA), *map(os.fsencode, args)], cwd=cwd, env=full_env, **kwargs)


def no_traceback(stderr: bytes | str) -> None:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text and "unexpected" not in text, text


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """One document: the Quillmouth harbour count."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(HARBOUR_TEXT, encoding="utf-8")
    return corpus


@pytest.fixture
def small_built(small_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    api.build(small_corpus, index, model=FakeEncoder.name)
    return small_corpus, index


def can_mount() -> bool:
    return os.geteuid() == 0 and sys.platform.startswith("linux")


@pytest.fixture
def tmpfs(tmp_path):
    """A 2 MB tmpfs mounted at tmp_path/disk (root only), unmounted afterwards."""
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
