"""A damaged index is reported by name with the command that fixes it (exit 2), never half-read."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.index import store
from tests.fakes import FakeEncoder

QUESTION = "Who was released from prison?"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """(corpus, index) built once; each case damages a copy."""
    from qa import api
    from qa.embed import encoder as encoders

    base = tmp_path_factory.mktemp("pristine")
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", base / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(encoders.REGISTRY, FakeEncoder.name, FakeEncoder)
        api.build(base / "corpus", base / "index", model=FakeEncoder.name)
    return base / "corpus", base / "index"


@pytest.fixture
def index(pristine, tmp_path, fake_encoder):
    shutil.copytree(pristine[1], tmp_path / "index")
    return tmp_path / "index"


def index_files(index: Path) -> list[str]:
    """Every file a reader depends on, relative to the index root."""
    name = store.current_name(index)
    manifest = json.loads((index / name / store.MANIFEST).read_text(encoding="utf-8"))
    return [store.CURRENT, f"{name}/{store.MANIFEST}", *(f"{name}/{rel}" for rel in manifest["files"])]


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x04
    path.write_bytes(bytes(data))


def flip_header(path: Path) -> None:
    """A flipped byte in a header (a FAISS or .npy shape, a JSON key) rather than in the data."""
    data = bytearray(path.read_bytes())
    data[min(9, len(data) - 1)] ^= 0x10
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def delete(path: Path) -> None:
    path.unlink()


def run(args: list[str], index: Path, corpus: Path):
    return CliRunner().invoke(app, [*args, "--index", str(index), "--corpus", str(corpus)])


def refused(result, index: Path, *names: str) -> str | None:
    """Why the result is not the clear error we want (None if it is)."""
    if result.exit_code != 2:
        return f"exit {result.exit_code}"
    if not isinstance(result.exception, SystemExit) or "Traceback" in result.output:
        return f"raised {result.exception!r}"
    if not result.stderr.startswith(f"error: the index at {index} is unusable: "):
        return f"said {result.stderr!r}"
    if not any(name in result.stderr for name in names):
        return f"did not name {names}: {result.stderr!r}"
    if not re.search(rf"rebuild it with: qa index build --corpus \S+ --index {re.escape(str(index))}\n$", result.stderr):
        return f"gave no fix: {result.stderr!r}"
    return None


@pytest.mark.parametrize("damage", [flip, flip_header, truncate, delete], ids=["flip", "flip-header", "truncate", "delete"])
def test_each_damaged_file_is_named(pristine, tmp_path, fake_encoder, damage):
    corpus = pristine[0]
    files = index_files(pristine[1])
    assert len(files) >= 10  # CURRENT, the manifest, documents, chunks, vectors and five bm25 files
    problems = []
    for rel in files:
        if damage is delete and rel == store.CURRENT:
            continue  # no CURRENT means no index: see test_without_current_there_is_no_index
        index = tmp_path / rel.replace("/", "_")
        shutil.copytree(pristine[1], index)
        damage(index / rel)
        named = (store.CURRENT,) if rel == store.CURRENT else (rel.split("/", 1)[1],)
        for args in (["ask", QUESTION], ["index", "status"]):
            why = refused(run(args, index, corpus), index, *named)
            if why:
                problems.append(f"{damage.__name__} {rel}, {args[0]}: {why}")
        repaired = run(["index", "update", "--model", FakeEncoder.name], index, corpus)
        asked = run(["ask", QUESTION, "--min-score", "0"], index, corpus)
        if repaired.exit_code != 0 or asked.exit_code != 0:
            problems.append(f"{damage.__name__} {rel}: update did not repair it: {repaired.output} {asked.output}")
    assert problems == []


def rewrite_manifest(index: Path, change) -> None:
    path = index / store.current_name(index) / store.MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_unknown_format_version(index, pristine):
    rewrite_manifest(index, lambda m: m.update(format_version=99))
    result = run(["ask", QUESTION], index, pristine[0])
    assert refused(result, index, f"format version 99; this qa reads version {store.FORMAT_VERSION}") is None


def test_not_a_manifest(index, pristine):
    rewrite_manifest(index, lambda m: m.pop("format"))
    assert refused(run(["ask", QUESTION], index, pristine[0]), index, "manifest.json is not a qa index manifest") is None


def test_an_edited_manifest_fails_its_own_checksum(index, pristine):
    rewrite_manifest(index, lambda m: m["model"].update(dim=65))
    assert refused(run(["ask", QUESTION], index, pristine[0]), index, "manifest.json does not match its checksum") is None


def test_current_names_a_missing_folder(index, pristine):
    (index / store.CURRENT).write_text("v-20200101T000000.000000000-abcdef\n", encoding="utf-8")
    result = run(["ask", QUESTION], index, pristine[0])
    assert refused(result, index, "CURRENT names the folder v-20200101T000000.000000000-abcdef, which does not exist") is None


def test_current_names_something_else(index, pristine):
    (index / store.CURRENT).write_text("../../etc\n", encoding="utf-8")
    assert refused(run(["ask", QUESTION], index, pristine[0]), index, "CURRENT does not name a version folder") is None


def test_a_different_model_is_refused(index, pristine):
    result = run(["ask", QUESTION, "--model", "other-model"], index, pristine[0])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.stderr == (f"error: the index at {index} was built with model 'fake-hashing', not 'other-model'\n"
                             f"rebuild it with: qa index build --corpus {pristine[0]} --index {index} --model other-model\n")


def test_without_current_there_is_no_index(index, pristine):
    """A first build killed before publishing leaves a version but no CURRENT: that is "no index yet"."""
    (index / store.CURRENT).unlink()
    status = run(["index", "status"], index, pristine[0])
    assert status.exit_code == 1 and status.stdout.startswith(f"no index at {index}")
    asked = run(["ask", QUESTION, "--min-score", "0", "--model", FakeEncoder.name], index, pristine[0])
    assert asked.exit_code == 0 and f"no index at {index} yet; building it" in asked.stderr
