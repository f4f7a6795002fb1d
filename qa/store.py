"""The index on disk: versioned folders, published atomically, checked on load.

    index/
      CURRENT            name of the live version (replaced by rename)
      .lock              held by the one writer (flock; released if it dies)
      v-<time>-<rand>/   manifest.json, documents.jsonl, chunks.jsonl,
                         vectors.faiss, bm25/, encoder/ (optional)

A writer fills `.tmp-<name>/`, fsyncs it, renames it to `v-<name>/`, then swaps
CURRENT. A reader resolves CURRENT once and reads that folder, so a concurrent
publish never mixes two versions; the previous version is kept so a reader in
the middle of opening it is not pulled out from under.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from qa.errors import QAError

FORMAT = "qa-index"
FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
KEEP_VERSIONS = 2


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_manifest(folder: Path, manifest: dict) -> None:
    """Record every file's checksum, then write and fsync the manifest last."""
    files = {}
    for path in _files(folder):
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())
        files[path.relative_to(folder).as_posix()] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest, "files": files}
    target = folder / MANIFEST
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    for sub in {p.parent for p in _files(folder)} | {folder}:
        _fsync_dir(sub)


def new_workdir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    work = root / f".tmp-{name}"
    work.mkdir()
    return work


def publish(root: Path, work: Path) -> Path:
    """Move a finished work folder into place and make it the live version."""
    final = root / ("v-" + work.name.removeprefix(".tmp-"))
    os.rename(work, final)
    pointer = root / f".{CURRENT}.{os.getpid()}"
    with open(pointer, "w", encoding="utf-8") as fh:
        fh.write(final.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer, root / CURRENT)
    _fsync_dir(root)
    return final


def collect_garbage(root: Path) -> None:
    """Remove unfinished work folders and versions older than the previous one.

    Only called under the writer lock, so any .tmp- folder belongs to a dead writer.
    """
    live = current_name(root)
    for path in root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in root.glob(f".{CURRENT}.*"):
        path.unlink(missing_ok=True)
    versions = sorted((p for p in root.glob("v-*") if p.is_dir()), key=lambda p: p.name)
    older = [p.name for p in versions if p.name != live]
    keep = {live, *older[len(older) - (KEEP_VERSIONS - 1):]}
    for path in versions:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def current_name(root: Path) -> str | None:
    try:
        return (root / CURRENT).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def exists(root: Path) -> bool:
    return current_name(root) is not None


def _broken(root: Path, what: str) -> QAError:
    return QAError(f"the index at {root} is unusable: {what}", hint=f"rebuild it with: qa index build --index {root}")


def open_version(root: Path, verify: bool = True) -> tuple[Path, dict]:
    """Resolve CURRENT and check the version's manifest and files."""
    if root.exists() and not root.is_dir():
        raise QAError(f"index path {root} is not a folder")
    for _attempt in range(3):  # a publish may swap CURRENT while we look
        name = current_name(root)
        if name is None:
            raise QAError(f"no index at {root}", hint="build it with: qa index build")
        folder = root / name
        try:
            raw = (folder / MANIFEST).read_text(encoding="utf-8")
        except FileNotFoundError:
            if current_name(root) != name:
                continue
            raise _broken(root, f"{name}/{MANIFEST} is missing") from None
        except UnicodeDecodeError:
            raise _broken(root, f"{MANIFEST} is not text") from None
        break
    else:
        raise _broken(root, "it changed repeatedly while being opened")
    try:
        manifest = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _broken(root, f"{MANIFEST} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _broken(root, f"{MANIFEST} is not a qa index manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _broken(root, f"format version {manifest.get('format_version')!r} is not the supported {FORMAT_VERSION}")
    if verify:
        verify_files(root, folder, manifest)
    return folder, manifest


def verify_files(root: Path, folder: Path, manifest: dict) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise _broken(root, "the manifest lists no files")
    for rel, info in files.items():
        path = folder / rel
        if not path.is_file():
            raise _broken(root, f"{rel} is missing")
        if path.stat().st_size != info.get("size"):
            raise _broken(root, f"{rel} has {path.stat().st_size} bytes, the manifest says {info.get('size')} (truncated or changed)")
        if sha256_file(path) != info.get("sha256"):
            raise _broken(root, f"{rel} does not match its checksum (corrupted or changed)")


@contextmanager
def writer_lock(root: Path):
    """One writer at a time. The kernel drops a flock when its holder dies, so a
    lock left by a killed process is cleared by the next writer automatically."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            raise QAError(f"another qa index build/update is running on {root} ({holder})", hint="wait for it to finish, then run this again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)
