"""One exported ONNX encoder per machine, shared by every index that uses the model.

An export was 90 MB (23 MB since its weights are int8), so storing it in each
index version doubled an index on its first update. It lives instead in the
user's cache folder, once per model and exporter:

    $QA_CACHE_DIR, else $XDG_CACHE_HOME/qa, else ~/.cache/qa
      encoders/<key>/         model.onnx, model.data, tokenizer.json, model.json, checksums.json
      encoders/<key>.lock     held while the folder is checked or exported

The key is a hash of what the export is made from (the model's files, the
exporter's format, onnxruntime's version), so an index version refers to its
encoder by key alone, and an export made again from the same model has the same
key. `checksums.json` holds every file's size and XXH3-64 checksum: a folder that
does not match it, or is missing, is exported again, never trusted. An export is
written to a temporary folder and renamed into place under the key's lock, so two
builds exporting at once leave one valid copy. Nothing here prunes the cache:
pruning index versions never removes an encoder, and deleting the cache by hand
only costs one export on the next build or question.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from qa.checksum import checksum_file

ENCODERS = "encoders"
CHECKSUMS = "checksums.json"


def cache_root() -> Path:
    """The user's cache folder for qa (which need not exist yet)."""
    if os.environ.get("QA_CACHE_DIR"):
        return Path(os.environ["QA_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "qa"


def root_text() -> str:
    return str(cache_root() / ENCODERS)


def folder_of(key: str) -> Path:
    return cache_root() / ENCODERS / key


def model_key(name: str, location: str, format_version: int) -> str:
    """The key of the export of the model at `location`: its files' contents, the exporter's format
    (qa.embed.onnx's, which imports this module) and onnxruntime's version (the graph is optimised for it).
    Hashing 90 MB of model files would cost every build and update 20-150 ms, even one with nothing
    to do, so a process hashes them again only when a file's size or time changed."""
    folder = Path(location)
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    seen = (name, str(folder), format_version, tuple((str(p), *_stamp(p)) for p in files))
    if seen not in _keys:
        digest = hashlib.sha256(f"qa-onnx {format_version} onnxruntime {_version('onnxruntime')}\0".encode())
        for path in files:
            digest.update(f"{path.relative_to(folder).as_posix()}\0{checksum_file(path)}\0".encode())
        if not folder.is_dir():  # a hub name (nothing is downloaded here): the name is all there is to go by
            digest.update(name.encode())
        _keys[seen] = digest.hexdigest()[:32]
    return _keys[seen]


_keys: dict[tuple, str] = {}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def _checksums(folder: Path) -> dict[str, dict]:

    return {p.name: {"size": p.stat().st_size, "xxh3": checksum_file(p)}
            for p in sorted(folder.iterdir()) if p.is_file() and p.name != CHECKSUMS}


def verified(folder: Path) -> bool:
    """Whether the folder holds exactly the files its checksums.json lists, each unchanged."""
    try:
        listed = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
        return isinstance(listed, dict) and bool(listed) and _checksums(folder) == listed
    except (OSError, ValueError):
        return False


@contextmanager
def _locked(key: str):
    root = cache_root() / ENCODERS
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another build exporting the same model: wait for its copy
        yield
    finally:
        os.close(fd)


def install(work: Path, key: str) -> Path:
    """Move a finished export into place as `key`, unless a valid copy is there already (then `work`
    is removed); a damaged copy is moved aside first. Returns the key's folder."""
    (work / CHECKSUMS).write_text(json.dumps(_checksums(work), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for path in work.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
    target = folder_of(key)
    for _attempt in range(3):
        try:
            os.rename(work, target)
            return target
        except OSError:
            if verified(target):
                shutil.rmtree(work, ignore_errors=True)
                return target
            _discard(target)
    raise OSError(f"cannot move the exported encoder into {target}")


def _discard(folder: Path) -> None:
    """Remove a folder by renaming it out of the way first (a removal cut short is plain garbage)."""
    trash = folder.with_name(f".gone-{folder.name}-{secrets.token_hex(3)}")
    try:
        os.rename(folder, trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def ensure(key: str, export: Callable[[Path], bool]) -> Path | None:
    """The verified folder of `key`, made with `export(folder)` when it is missing or damaged;
    None when the model cannot be exported (`export` returns False)."""
    target = folder_of(key)
    if verified(target):
        return target
    with _locked(key):
        if verified(target):  # another build exported it while we waited
            return target
        root = target.parent
        for stale in root.glob(f".tmp-{key}-*"):  # left by a killed export of this key (we hold its lock)
            shutil.rmtree(stale, ignore_errors=True)
        work = root / f".tmp-{key}-{os.getpid()}-{secrets.token_hex(3)}"
        try:
            if not export(work):
                shutil.rmtree(work, ignore_errors=True)
                return None
            return install(work, key)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
