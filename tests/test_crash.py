"""SIGKILL at any moment of a build or update leaves the old or the new index live and whole."""

from __future__ import annotations

import importlib.util
import os
import random
import re
import signal
import time
from pathlib import Path

from qa import api
from qa.index import store
from qa.ingest.documents import file_hash
from tests.fakes import FakeEncoder
from tests.writer import Writer

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 22
QUESTION = "How many storms did the Quillmouth lighthouse keeper log?"


def generate(folder: Path, docs: int) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "scripts" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(folder, docs)


def lighthouse(storms: int) -> str:
    return (f"Lighthouse log for the winter\n\nThe Quillmouth lighthouse keeper logged {storms} storms this winter, "
            "the harbour office said on Friday.\n")


def state(corpus: Path) -> dict[str, str]:
    return {p.name: file_hash(p) for p in corpus.glob("*.txt")}


def edit(corpus: Path, rng: random.Random, storms: int) -> None:
    """Change the lighthouse document and add or remove a generated one."""
    (corpus / "zz_lighthouse.txt").write_text(lighthouse(storms), encoding="utf-8")
    generated = sorted(corpus.glob("gen_*.txt"))
    if rng.random() < 0.5 and len(generated) > 20:
        rng.choice(generated).unlink()
    else:
        (corpus / f"gen_x{storms}.txt").write_text(generated[0].read_text(encoding="utf-8") + f"Extra {storms}.\n",
                                                   encoding="utf-8")


def storms_answered(index: Path) -> int:
    extracts = api.ask(api.open_index(index), QUESTION, top_k=5, min_score=0.0).extracts
    found = [int(m.group(1)) for e in extracts if (m := re.search(r"logged (\d+) storms", e.quote))]
    assert len(found) == 1, [e.quote for e in extracts]
    return found[0]


def test_kill_at_random_moments(tmp_path, fake_encoder):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    generate(corpus, 40)
    (corpus / "zz_lighthouse.txt").write_text(lighthouse(1000), encoding="utf-8")
    api.build(corpus, index, model=FakeEncoder.name)

    # how long each kind of writer run takes once started, to spread the kills over it
    spans = {}
    for storms, mode in enumerate(("update", "build"), start=1001):
        edit(corpus, random.Random(storms), storms)
        writer = Writer(mode, corpus, index)
        writer.expect("ready")
        began = time.perf_counter()
        writer.expect("done")
        spans[mode] = time.perf_counter() - began
        assert writer.finish() == 0

    seed = random.randrange(10**6)
    rng = random.Random(seed)
    live_storms, live_state = 1002, state(corpus)
    # random delays, stratified over 0..1.5x the run so kills land early, late and after publishing
    delays = [(i + rng.random()) / ROUNDS * 1.5 for i in range(ROUNDS)]
    rng.shuffle(delays)
    outcomes = []
    for round_, share in enumerate(delays):
        storms = 1003 + round_
        edit(corpus, rng, storms)
        mode = "build" if round_ % 2 else "update"
        delay = share * spans[mode]
        writer = Writer(mode, corpus, index)
        writer.expect("ready")
        time.sleep(delay)  # the random moment of the kill, not a wait for something
        os.kill(writer.proc.pid, signal.SIGKILL)
        writer.finish()
        where = f"seed {seed}, round {round_}, {mode} killed after {delay:.3f} s of {spans[mode]:.3f} s"

        loaded = api.open_index(index)
        documents = loaded.manifest["documents"]
        assert documents in (live_state, state(corpus)), where
        new = documents == state(corpus)
        assert storms_answered(index) == (storms if new else live_storms), where
        outcomes.append(new)
        del loaded

        api.update(corpus, index, model=FakeEncoder.name)  # the next run: takes the lock, clears the debris
        assert not [p.name for p in index.iterdir() if p.name.startswith((".tmp-", ".CURRENT."))], where
        assert len(list(index.glob("v-*"))) <= store.KEEP_VERSIONS, where
        assert storms_answered(index) == storms, where
        live_storms, live_state = storms, state(corpus)
    assert 0 < sum(outcomes) < ROUNDS, f"seed {seed}: kills all landed on one side ({outcomes})"
