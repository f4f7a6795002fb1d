"""Faults that must end in a clear error and the previous state: a full or failing disk at every
write, a read-only disk, versions that share files, CURRENT or .lock that are folders, manifests
with fields of the wrong shape, a model path spelled two ways, an index path that is a file."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa import api
from qa.embed import encoder as encoders
from qa.errors import QAError
from qa.index import store
from tests.fakes import FakeEncoder
from tests.hostile.conftest import FAKE, HARBOUR, can_mount, no_traceback, qa, where
from tests.hostile.faults import SHAPES, DiskFaults

WRITE_FAILED = re.compile(r"^(no space left on the device|input/output error \(the disk may be failing\)) while writing (.+)$")


def snapshot(index: Path) -> tuple[list[str], str, list[str]]:
    """What a failed write must leave as it was: the folder's entries, CURRENT, and an answer."""
    entries = sorted(p.name for p in index.iterdir() if p.name != store.LOCK)
    answer = api.ask(api.open_index(index), HARBOUR, min_score=0.0)
    return entries, (index / store.CURRENT).read_text(), [e.quote for e in answer.extracts]


def edit(corpus: Path, n: int) -> None:
    (corpus / "extra.txt").write_text(f"Extra note {n}: the ferry carried {n} passengers across the bay.\n", encoding="utf-8")


def write_points(corpus: Path, index: Path, monkeypatch, incremental: bool) -> tuple[list[int], int]:
    """The writes to fail (first, middle and last of each file) of a clean build or update, run on a copy
    of the index, and how many files it wrote."""
    scratch = index.parent / f"scratch-{incremental}"
    shutil.copytree(index, scratch)
    with monkeypatch.context() as patch:
        faults = DiskFaults(scratch)
        faults.install(patch)
        (api.update if incremental else api.build)(corpus, scratch, model=FakeEncoder.name)
    shutil.rmtree(scratch)
    return faults.points(), len(faults.by_file)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("incremental", [False, True], ids=["build", "update"])
def test_a_failed_write_at_any_point_is_named_and_leaves_the_index_as_it_was(small_built, monkeypatch, shape, incremental,
                                                                            record_property):
    corpus, index = small_built
    edit(corpus, 1)
    points, written = write_points(corpus, index, monkeypatch, incremental)
    assert written >= 10  # documents, rows, vectors, bm25/*, words/*, manifest, CURRENT
    before = snapshot(index)
    for at in points:
        with monkeypatch.context() as patch:
            faults = DiskFaults(index, at, shape)
            faults.install(patch)
            with pytest.raises(QAError) as caught:
                (api.update if incremental else api.build)(corpus, index, model=FakeEncoder.name)
        match = WRITE_FAILED.match(caught.value.message)
        assert match, (at, caught.value.message)
        assert ("input/output" in match.group(1)) == (shape == "EIO")
        named = Path(match.group(2))
        assert named == Path(faults.failed) or not shape.startswith("E"), (named, faults.failed)
        assert str(named).startswith(str(index))
        assert caught.value.hint and "is as it was" in caught.value.hint
        assert snapshot(index) == before, at
        store.open_version(index)  # every byte of the live version still matches its checksum
    record_property("cases", len(points))


def test_a_full_disk_on_the_command_line_is_two_lines_and_exit_2(small_built, monkeypatch):
    corpus, index = small_built
    edit(corpus, 2)
    faults = DiskFaults(index, 5, "numpy-short")
    faults.install(monkeypatch)
    result = qa("index", "update", *where(corpus, index))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-2].startswith("error: no space left on the device while writing ") and lines[-1].startswith("free some space")
    no_traceback(result.stderr)


def test_an_export_that_fails_for_lack_of_space_fails_the_build(monkeypatch, tmp_path, capsys):
    """A fresh build used to print a note, exit 0 and leave no fast query encoder (every ask 7.4 s)."""
    import errno

    from qa.embed import cache, onnx, transformer

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(transformer, "SentenceTransformerEncoder", lambda name, location: SimpleNamespace(model=object()))

    def full(model, name, folder):
        folder.mkdir()
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "model.onnx"))

    monkeypatch.setattr(onnx, "export", full)
    with pytest.raises(QAError, match="no space left on the device while writing"):
        onnx.cached_encoder(None)
    assert [p.name for p in (tmp_path / "cache" / cache.ENCODERS).iterdir() if not p.name.endswith(".lock")] == []

    def unsupported(model, name, folder):
        raise ValueError("an operator the exporter does not know")

    monkeypatch.setattr(onnx, "export", unsupported)
    assert onnx.cached_encoder(None) is None  # not a write failure: the build goes on without it, and says so
    assert "note: no fast encoder for all-MiniLM-L6-v2" in capsys.readouterr().err


# real disks: a tmpfs that is full, or read-only

def fill(disk: Path, leave: int) -> None:
    """Fill the disk up to `leave` free bytes."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with open(filler, "wb") as fh, contextlib.suppress(OSError):
        fh.write(b"\0" * max(0, free - leave))


def test_a_really_full_disk_at_many_points_fails_clearly_and_keeps_the_index(small_corpus, tmpfs, fake_encoder, record_property):
    index = tmpfs / "index"
    api.build(small_corpus, index, model=FakeEncoder.name)
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    before = snapshot(index)
    failed = 0
    steps = list(range(0, size + 8192, max(4096, size // 24)))
    for n, leave in enumerate(steps):
        edit(small_corpus, 100 + n)
        fill(tmpfs, leave)
        result = qa("index", "build", *where(small_corpus, index), *FAKE)
        no_traceback(result.stderr)
        if result.exit_code == 0:
            before = snapshot(index)  # it fitted: that is the new state
            continue
        failed += 1
        assert result.exit_code == 2, result.stderr
        error = result.stderr.splitlines()[-2]
        assert error.startswith("error: no space left on the device while writing "), result.stderr
        assert snapshot(index) == before
        store.open_version(index)
    assert failed >= len(steps) // 2
    (tmpfs / "filler").unlink()
    fresh = tmpfs / "fresh"
    fill(tmpfs, 8192)
    result = qa("index", "build", *where(small_corpus, fresh), *FAKE)
    assert result.exit_code == 2 and "no space left on the device while writing" in result.stderr
    assert not store.exists(fresh) and not list(fresh.glob(".tmp-*"))
    record_property("cases", len(steps) + 1)


def test_a_read_only_disk_fails_writes_clearly_and_still_answers(small_corpus, tmpfs, fake_encoder):
    index = tmpfs / "index"
    api.build(small_corpus, index, model=FakeEncoder.name)
    edit(small_corpus, 3)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    try:
        for command in (["index", "update"], ["index", "build", *FAKE]):
            result = qa(*command, *where(small_corpus, index))
            assert result.exit_code == 2
            assert result.stderr.startswith("error: the file system is read-only while writing "), result.stderr
        asked = qa("ask", HARBOUR, *where(small_corpus, index))
        assert asked.exit_code == 0 and "412 sailing boats" in asked.stdout
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)


@pytest.mark.model
def test_an_export_into_a_nearly_full_cache_fails_the_build_instead_of_dropping_the_fast_encoder(seed_corpus, tmp_path,
                                                                                                 monkeypatch):
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], check=True)  # an export writes its float32 graph (~90 MB) first
    monkeypatch.setenv("QA_CACHE_DIR", str(disk / "cache"))
    try:
        result = qa("index", "build", *where(seed_corpus, tmp_path / "index"))
        assert result.exit_code == 2, result.stderr
        assert "error: no space left on the device while writing" in result.stderr
        assert "note: no fast" not in result.stderr
        assert not store.exists(tmp_path / "index")
        assert [p.name for p in (disk / "cache" / "encoders").iterdir() if not p.name.endswith(".lock")] == []
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


# CURRENT, .lock and the manifest, damaged

@pytest.mark.parametrize("what", ["CURRENT-folder", "lock-folder", "lock-fifo", "lock-link"])
def test_the_advised_build_works_whatever_current_and_lock_are(small_built, what):
    corpus, index = small_built
    if what == "CURRENT-folder":
        (index / store.CURRENT).unlink()
        (index / store.CURRENT).mkdir()
        asked = qa("ask", HARBOUR, *where(corpus, index))
        assert asked.exit_code == 2 and "rebuild it with: qa index build " in asked.stderr and f"--index {index}" in asked.stderr
    elif what == "lock-folder":
        (index / store.LOCK).unlink(missing_ok=True)
        (index / store.LOCK).mkdir()
    elif what == "lock-fifo":
        (index / store.LOCK).unlink(missing_ok=True)
        os.mkfifo(index / store.LOCK)
    else:
        (index / store.LOCK).unlink(missing_ok=True)
        os.symlink("/nonexistent/lock", index / store.LOCK)
    for command in (["index", "build", *FAKE], ["index", "update"]):
        result = qa(*command, *where(corpus, index))
        assert result.exit_code == 0, result.stderr
    assert qa("ask", HARBOUR, *where(corpus, index)).exit_code == 0
    assert list(index.glob("*.broken-*")) or what != "CURRENT-folder"  # moved aside, not deleted


def rewrite_manifest(index: Path, change) -> None:
    folder = index / (index / store.CURRENT).read_text().strip()
    manifest = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    change(manifest)
    manifest["checksum"] = store._manifest_checksum(manifest)  # a well-formed checksum over the damage
    (folder / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def first_key(manifest: dict, field: str) -> str:
    return next(iter(manifest[field]))


DAMAGE = {
    "model is a string": lambda m: m.__setitem__("model", "x"),
    "model.name a number": lambda m: m["model"].__setitem__("name", 5),
    "model.dim a string": lambda m: m["model"].__setitem__("dim", "64"),
    "model.dim a bool": lambda m: m["model"].__setitem__("dim", True),
    "model missing": lambda m: m.pop("model"),
    "counts a list": lambda m: m.__setitem__("counts", []),
    "counts.chunks a string": lambda m: m["counts"].__setitem__("chunks", "many"),
    "files a list": lambda m: m.__setitem__("files", []),
    "files entry a string": lambda m: m["files"].__setitem__(first_key(m, "files"), "abc"),
    "files size a string": lambda m: m["files"][first_key(m, "files")].__setitem__("size", "1"),
    "files outside the version": lambda m: m["files"].__setitem__("../../etc/hostname", {"xxh3": "0", "size": 1}),
    "documents a number": lambda m: m.__setitem__("documents", 3),
    "documents entry null": lambda m: m["documents"].__setitem__(first_key(m, "documents"), None),
    "stats entry short": lambda m: m["stats"].__setitem__(first_key(m, "stats"), [1]),
    "skipped a string": lambda m: m.__setitem__("skipped", "x"),
    "chunking null": lambda m: m.__setitem__("chunking", None),
    "index_type a number": lambda m: m.__setitem__("index_type", 7),
    "sources_csv a number": lambda m: m.__setitem__("sources_csv", 5),
    "follow_symlinks a string": lambda m: m.__setitem__("follow_symlinks", "yes"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_manifest_field_of_the_wrong_shape_is_reported_and_rebuilt(small_built, damage, record_property):
    corpus, index = small_built
    rewrite_manifest(index, DAMAGE[damage])
    for command in (["index", "status"], ["ask", HARBOUR], ["docs"]):
        result = qa(*command, *where(corpus, index))
        no_traceback(result.stderr)
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        assert f"the index at {index} is unusable: manifest.json" in result.stderr, result.stderr
        assert "rebuild it with: qa index build " in result.stderr and f"--index {index}" in result.stderr
    for command in (["index", "build", *FAKE], ["index", "update"]):  # the advised build, then an update of it
        assert qa(*command, *where(corpus, index)).exit_code == 0
    assert qa("ask", HARBOUR, *where(corpus, index)).exit_code == 0
    record_property("cases", 3)  # status, ask and docs on the damaged manifest


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=8)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(["model", "counts", "files", "documents", "stats", "skipped", "chunking", "index_type",
                              "created", "corpus", "analysis", "sources_csv", "readers", "follow_symlinks"]),
       value=json_values)
def test_any_value_in_any_manifest_field_is_never_a_crash(small_built, field, value):
    corpus, index = small_built
    folder = index / (index / store.CURRENT).read_text().strip()
    saved = (folder / store.MANIFEST).read_bytes()
    try:
        rewrite_manifest(index, lambda m: m.__setitem__(field, value))
        for command in (["index", "status"], ["ask", HARBOUR], ["docs"]):
            result = qa(*command, *where(corpus, index))
            no_traceback(result.stderr)
            assert result.exit_code in (0, 1, 2), result.stderr
            if result.exit_code == 2:
                assert "unusable" in result.stderr
    finally:
        (folder / store.MANIFEST).write_bytes(saved)


def test_a_manifest_nested_a_hundred_thousand_deep_is_reported(small_built):
    corpus, index = small_built
    folder = index / (index / store.CURRENT).read_text().strip()
    (folder / store.MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for command in (["index", "status"], ["ask", HARBOUR]):
        result = qa(*command, *where(corpus, index))
        no_traceback(result.stderr)
        assert result.exit_code == 2 and "unusable" in result.stderr
    assert qa("index", "build", *where(corpus, index), *FAKE).exit_code == 0


def test_an_unreadable_index_file_is_named(small_built, monkeypatch):
    import errno

    corpus, index = small_built
    real = store.checksum_file

    def failing(path):
        if path.name == "vectors.faiss":
            raise OSError(errno.EIO, "Input/output error", str(path))
        return real(path)

    monkeypatch.setattr(store, "checksum_file", failing)
    result = qa("ask", HARBOUR, *where(corpus, index))
    assert result.exit_code == 2 and "unusable: vectors.faiss cannot be read (Input/output error)" in result.stderr


# the model, spelled two ways; an index path that is a file

def test_one_model_folder_spelled_two_ways_is_one_model(small_corpus, tmp_path, monkeypatch):
    folder = tmp_path / "othermodel"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    encoder = FakeEncoder()
    for name in ("othermodel", str(folder) + "/", "./othermodel"):
        monkeypatch.setitem(encoders.REGISTRY, name, lambda: encoder)
    index = tmp_path / "index"
    assert qa("index", "build", "--model", "othermodel", *where(small_corpus, index)).exit_code == 0
    for spelling in (str(folder) + "/", "./othermodel", "othermodel"):
        result = qa("ask", HARBOUR, "--model", spelling, *where(small_corpus, index))
        assert result.exit_code == 0, (spelling, result.stderr)
    old_style = tmp_path / "old"
    named = FakeEncoder()
    named.name = "othermodel"  # an index written before names were made absolute
    api.build(small_corpus, old_style, encoder=named)
    assert qa("ask", HARBOUR, "--model", str(folder) + "/", *where(small_corpus, old_style)).exit_code == 0


def test_status_of_an_index_path_that_is_a_file_does_not_advise_a_build(small_corpus, tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("mine", encoding="utf-8")
    result = qa("index", "status", *where(small_corpus, a_file))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: index path {a_file} is not a folder")
    assert "qa index build" not in result.stderr
    assert a_file.read_text(encoding="utf-8") == "mine"
