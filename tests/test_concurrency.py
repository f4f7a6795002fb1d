"""Readers keep answering while a writer publishes; writers take turns."""

from __future__ import annotations

import os
import re
import signal

from typer.testing import CliRunner

from qa import api
from qa.cli import app
from qa.errors import QAError
from qa.index import store
from tests.fakes import FakeEncoder
from tests.writer import CYCLE_DOC, Writer, cycle_text

QUESTION = "How many sailing boats did the Quillmouth harbour master count?"
UPDATES = 13


def boats(index: api.Index) -> int | None:
    """The boat count this index answers with, None if it does not know."""
    for extract in api.ask(index, QUESTION, top_k=5, min_score=0.0).extracts:
        if match := re.search(r"counted (\d+) sailing boats", extract.quote):
            return int(match.group(1))
    return None


def expected_boats(index: api.Index) -> int | None:
    """What the version itself says, read from the document text it stores."""
    for doc, text in zip(index.documents, index.texts):
        if doc.path == CYCLE_DOC:
            return int(re.search(r"counted (\d+) sailing boats", text).group(1))
    return None


def test_readers_keep_answering_during_updates(built, fake_encoder):
    corpus, index = built
    never_asked = api.open_index(index)  # its query encoder loads only after every update
    busy = api.open_index(index)
    writer = Writer("cycle", corpus, index, UPDATES)
    writer.expect("ready")
    reads = overlapped = 0
    seen = set()
    for _ in range(5000):  # bounded: the writer finishes long before this
        running = writer.proc.poll() is None
        fresh = api.open_index(index)
        assert boats(fresh) == expected_boats(fresh)
        seen.add(fresh.folder.name)
        assert boats(busy) is None
        reads += 1
        overlapped += running
        if not running:
            break
    writer.expect("done")
    assert writer.finish() == 0
    assert overlapped >= 3 and len(seen) >= 3, (overlapped, seen)
    assert never_asked.folder.is_dir() and store.current_name(index) != never_asked.folder.name
    assert boats(never_asked) is None
    last = UPDATES - 1
    assert boats(api.open_index(index)) == (None if last % 3 == 2 else 1000 + last)


def test_a_second_writer_is_refused_until_the_first_dies(built, fake_encoder):
    corpus, index = built
    (corpus / CYCLE_DOC).write_text(cycle_text(7), encoding="utf-8")
    holder = Writer("hold", corpus, index)
    holder.expect("embedding")  # it holds the lock now, in the middle of a build

    message = f"another qa index build/update is running on {index} (pid {holder.proc.pid}, started "
    for command in ("update", "build"):
        result = CliRunner().invoke(app, ["index", command, "--corpus", str(corpus), "--index", str(index),
                                          "--model", FakeEncoder.name])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        assert result.stderr.startswith(f"error: {message}")
        assert result.stderr.endswith("wait for it to finish, then run this again\n")
    assert boats(api.open_index(index)) is None  # readers are not blocked by a writer

    os.kill(holder.proc.pid, signal.SIGKILL)
    holder.finish()
    assert f"pid {holder.proc.pid}," in (index / store.LOCK).read_text()  # a dead holder's note stays behind
    result = CliRunner().invoke(app, ["index", "update", "--corpus", str(corpus), "--index", str(index),
                                      "--model", FakeEncoder.name])
    assert result.exit_code == 0, result.output
    assert not list(index.glob(".tmp-*"))
    assert boats(api.open_index(index)) == 1007


def test_a_second_writer_in_the_same_process_is_refused(built, fake_encoder):
    corpus, index = built
    with store.writer_lock(index):
        try:
            api.update(corpus, index, model=FakeEncoder.name)
        except QAError as exc:
            assert f"pid {os.getpid()}" in str(exc)
        else:
            raise AssertionError("a second writer in the same process got the lock")
    api.update(corpus, index, model=FakeEncoder.name)
