"""The machine's encoder cache: one verified copy per key, exported again when missing or damaged,
never corrupted by two exports at once."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from qa.embed import cache

FILES = ("model.onnx", "model.data", "tokenizer.json", "model.json")


def exporter(log: Path):
    """An export that writes dummy files (different bytes each time) and logs that it ran."""

    def export(folder: Path) -> bool:
        folder.mkdir(parents=True)
        for name in FILES:
            (folder / name).write_bytes(os.urandom(2048))
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return True

    return export


def _export_in_a_process(cache_dir: str, log: str, start, answer: str) -> None:
    os.environ["QA_CACHE_DIR"] = cache_dir
    start.wait()  # both processes ask at once
    Path(answer).write_text(str(cache.ensure("k" * 32, exporter(Path(log)))), encoding="utf-8")


def _entries(root: Path) -> list[str]:
    return sorted(p.name for p in (root / cache.ENCODERS).iterdir() if not p.name.endswith(".lock"))


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_root() == tmp_path / "mine"
    monkeypatch.delenv("QA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() == tmp_path / "xdg" / "qa"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_root() == tmp_path / "home" / ".cache" / "qa"


def test_an_export_is_made_once_and_then_reused(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    log = tmp_path / "log"
    first = cache.ensure("a" * 32, exporter(log))
    again = cache.ensure("a" * 32, exporter(log))
    assert first == again == cache.folder_of("a" * 32) and cache.verified(first)
    assert len(log.read_text().splitlines()) == 1
    assert _entries(tmp_path / "cache") == ["a" * 32]


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "missing file", "extra file", "no checksums", "gone"])
def test_a_damaged_or_missing_copy_is_exported_again_never_trusted(monkeypatch, tmp_path, damage):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    log = tmp_path / "log"
    folder = cache.ensure("b" * 32, exporter(log))
    data = folder / "model.data"
    if damage == "flipped byte":
        raw = bytearray(data.read_bytes())
        raw[100] ^= 0xFF
        data.write_bytes(bytes(raw))
    elif damage == "truncated":
        data.write_bytes(data.read_bytes()[:-1])
    elif damage == "missing file":
        data.unlink()
    elif damage == "extra file":
        (folder / "stray.bin").write_bytes(b"x")
    elif damage == "no checksums":
        (folder / cache.CHECKSUMS).unlink()
    else:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    assert not cache.verified(folder)
    assert cache.ensure("b" * 32, exporter(log)) == folder and cache.verified(folder)
    assert len(log.read_text().splitlines()) == 2
    assert _entries(tmp_path / "cache") == ["b" * 32]  # the damaged copy is gone, nothing half-written is left


def test_two_exports_at_once_leave_one_valid_copy(tmp_path):
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    log = tmp_path / "log"
    workers = [context.Process(target=_export_in_a_process, args=(str(tmp_path / "cache"), str(log), start, str(tmp_path / f"answer{n}")))
               for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    folders = [(tmp_path / f"answer{n}").read_text(encoding="utf-8") for n in range(2)]
    assert folders[0] == folders[1]
    assert _entries(tmp_path / "cache") == ["k" * 32] and cache.verified(Path(folders[0]))
    assert len(log.read_text().splitlines()) == 1  # the second waited for the first's copy


def test_an_export_finished_second_gives_way_to_a_valid_copy(monkeypatch, tmp_path):
    """Without the lock (another machine sharing the folder over NFS, say), the rename still decides."""
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    log = tmp_path / "log"
    kept = cache.ensure("c" * 32, exporter(log))
    before = {p.name: p.read_bytes() for p in kept.iterdir()}
    late = tmp_path / "cache" / cache.ENCODERS / ".tmp-late"
    exporter(log)(late)
    assert cache.install(late, "c" * 32) == kept
    assert not late.exists() and {p.name: p.read_bytes() for p in kept.iterdir()} == before


def test_a_failed_export_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))

    def failing(folder: Path) -> bool:
        folder.mkdir(parents=True)
        (folder / "model.onnx").write_bytes(b"half")
        raise OSError(28, "No space left on device", str(folder / "model.onnx"))

    with pytest.raises(OSError):
        cache.ensure("d" * 32, failing)
    assert _entries(tmp_path / "cache") == []
    assert cache.ensure("d" * 32, lambda folder: False) is None  # a model that cannot be exported
    assert _entries(tmp_path / "cache") == []
