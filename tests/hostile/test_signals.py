"""Ctrl-C (a real SIGINT to a real process) at every stage: a cold ask, a build, an update.

Each ends promptly with exit 130 and the one line "interrupted" (or had already finished),
prints no traceback, and leaves the index whole and unlocked."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from qa import api
from qa.index import store
from tests.fakes import FakeEncoder
from tests.hostile.conftest import HARBOUR, qa, start_qa, where

ROUNDS = int(os.environ.get("QA_HOSTILE_ROUNDS", "12"))  # Ctrl-Cs per command; scripts/hostile_table.py tries 60
NOTES = ("note: this index has no fast query encoder",)  # said by the fake index before an interrupt may come


def run_once(args) -> float:
    proc = start_qa(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"QA_TEST_READY": "1"})
    assert proc.stderr.readline() == b"ready\n"
    began = time.perf_counter()
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), err
    return time.perf_counter() - began


def interrupt(args, delay: float) -> tuple[int, str, float]:
    """Start `qa ARGS`, send SIGINT after `delay` seconds, and return (exit code, stderr, seconds to exit)."""
    proc = start_qa(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"QA_TEST_READY": "1"})
    assert proc.stderr.readline() == b"ready\n"  # qa's own work starts here
    time.sleep(delay)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"qa {args[0]} still running 20 s after Ctrl-C (a hang)") from None
    return proc.returncode, err.decode("utf-8", "replace"), time.perf_counter() - sent


def check_interrupted(code: int, err: str, took: float) -> None:
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "Exception ignored" not in err, err
    if code in (0, 1):  # it had finished before the signal came
        return
    assert code == 130, (code, err)
    lines = [line for line in err.splitlines() if not line.startswith(NOTES) and not line.startswith(("reading", "annotating", "embedding",
                                                                                                        "writing", "warning"))]
    assert lines == ["interrupted"], err
    assert took < 6, took


def delays(span: float, seed: int, rounds: int = ROUNDS) -> list[float]:
    rng = random.Random(seed)
    out = [(i + rng.random()) / rounds * span * 1.2 for i in range(rounds)]
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("command", [["ask", HARBOUR], ["index", "status"], ["docs"]], ids=["ask", "status", "docs"])
def test_ctrl_c_during_a_cold_read_ends_at_once_with_130(small_built, command, record_property):
    corpus, index = small_built
    args = [*command, "--index", str(index), "--corpus", str(corpus)]
    span = run_once(args)
    for delay in delays(span, 15):
        check_interrupted(*interrupt(args, delay))
    record_property("cases", ROUNDS)


@pytest.mark.model
def test_ctrl_c_during_a_cold_ask_with_the_real_encoder_ends_at_once_with_130(real_index, record_property):
    """The real index: a thread loads the ONNX encoder while another verifies checksums."""
    corpus, index = real_index
    args = ["ask", HARBOUR, "--index", str(index), "--corpus", str(corpus)]
    span = run_once(args)
    for delay in delays(span, 40, rounds=40):  # as many as the hostile run tried
        check_interrupted(*interrupt(args, delay))
    record_property("cases", 40)


@pytest.mark.parametrize("command", ["build", "update"])
def test_ctrl_c_during_a_build_or_update_leaves_the_index_whole_and_unlocked(seed_corpus, tmp_path, fake_encoder, command,
                                                                             record_property):
    index = tmp_path / "index"
    api.build(seed_corpus, index, model=FakeEncoder.name)
    args = ["index", command, "--model", FakeEncoder.name, "--index", str(index), "--corpus", str(seed_corpus)]
    edit = seed_corpus / "zz_extra.txt"
    edit.write_text("Extra note 0: the ferry carried 10 passengers.\n", encoding="utf-8")
    span = run_once(args)
    for n, delay in enumerate(delays(span, 7)):
        edit.write_text(f"Extra note {n}: the ferry carried {n + 11} passengers.\n", encoding="utf-8")
        code, err, took = interrupt(args, delay)
        check_interrupted(code, err, took)
        store.open_version(index)  # old or new, every byte checks out
        assert api.ask(api.open_index(index), HARBOUR, min_score=0.0).extracts
        if code == 130:  # its work folder is removed (an old version it was removing is renamed garbage, for the next writer)
            assert not [p for p in index.glob(".tmp-*") if not p.name.startswith(".tmp-gone-")], "the unfinished version is left"
    assert qa("index", "update", *where(seed_corpus, index)).exit_code == 0  # and nothing is left locked
    record_property("cases", ROUNDS)


def _workers(pid: int) -> set[int]:
    """The spawned worker processes of `pid` (not multiprocessing's resource tracker, which leaves on its own
    once every process that writes to it is gone)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return {c for c in found if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()}


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_sigterm_during_annotation_stops_the_workers_and_keeps_the_index(tmp_path, small_built):
    """A build stopped by SIGTERM while its two spaCy workers ran used to leave them running (0.5 GB each,
    parent pid 1) and its lock file behind."""
    from qa.annotate.pipeline import PARALLEL_FROM

    _small, index = small_built
    before = store.current_name(index)
    corpus = tmp_path / "big"
    corpus.mkdir()
    for d in range(10):  # enough distinct sentences for two worker processes
        lines = [f"Report {d}-{i}: the ferry from harbour {i % 17} carried {i * 7 + d} passengers on day {i}."
                 for i in range(PARALLEL_FROM // 10 + 100)]
        (corpus / f"report{d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = start_qa("index", "build", "--model", FakeEncoder.name, *where(corpus, index), stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    for line in proc.stderr:
        if line.startswith(b"annotating"):  # printed once both workers run
            break
    workers = _workers(proc.pid)
    deadline = time.monotonic() + 10
    while len(workers) < 2 and time.monotonic() < deadline:  # the kernel's list of children can miss one
        time.sleep(0.05)  # while processes start or end (proc(5)), and a loaded machine spawns slowly
        workers |= _workers(proc.pid)
    assert len(workers) >= 2, workers
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.decode().splitlines()[-1:] == ["interrupted"], err
    assert not [pid for pid in workers if _alive(pid)], "annotation workers outlived the build"
    assert store.current_name(index) == before and not list(index.glob(".tmp-*"))
    store.open_version(index)  # whole, every byte checks out
    with store.writer_lock(index):  # and not locked
        pass


def _readers(pid: int) -> set[int]:
    """The processes reading documents for `pid` (qa.ingest.budget)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return {c for c in found if _alive(c) and b"qa.ingest.budget" in Path(f"/proc/{c}/cmdline").read_bytes()}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_ctrl_c_while_two_processes_read_web_pages_ends_with_130_and_stops_both(tmp_path):
    """Two threads each wait on their own reading process; Ctrl-C stops both processes while the threads
    still use them, and once the two stops raced to close the same connection (an OSError, exit 2)."""
    corpus = tmp_path / "pages"
    corpus.mkdir()
    for d in range(16):
        paragraphs = "".join(f"<p>Page {d}, note {i}: the ferry from harbour {i % 17} carried {i * 7 + d} passengers.</p>"
                             for i in range(1500))
        (corpus / f"page{d:02}.html").write_text(f"<html><body><article>{paragraphs}</article></body></html>", encoding="utf-8")
    for attempt in range(4):
        index = tmp_path / f"index{attempt}"
        proc = start_qa("index", "build", "--model", FakeEncoder.name, *where(corpus, index), stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
        began, readers = time.perf_counter(), set()
        while len(readers) < 2 and proc.poll() is None and time.perf_counter() - began < 60:
            readers = _readers(proc.pid)
            time.sleep(0.05)
        assert len(readers) == 2, readers
        time.sleep(0.3 * attempt)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
        check_interrupted(proc.returncode, err.decode("utf-8", "replace"), 0)
        assert not [pid for pid in readers if _alive(pid)], "reading processes outlived the build"
