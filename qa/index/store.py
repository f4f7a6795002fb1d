"""The index on disk: versioned folders, published atomically, checked on load.

    index/
      CURRENT            name of the live version (replaced by rename)
      .lock              held by the one writer (flock; released if it dies)
      v-<time>-<rand>/   manifest.json, documents.jsonl, rows.npz, vectors.faiss,
                         bm25/, words/, notes.npz, names.json

A writer fills `.tmp-<name>/`, fsyncs it, renames it to `v-<name>/`, then swaps
CURRENT, so a kill at any moment leaves the old or the new version live. A
reader resolves CURRENT once and pins that folder with a shared flock for as
long as it keeps the index open: garbage collection (writer only) skips pinned
folders, so a reader never loses files it may still read (the query encoder is
loaded on first question). The manifest carries every file's size and XXH3-64
checksum and its own checksum, so corruption is reported, never half-read. As
Lucene does with CRC32 segment footers, the check is a fast non-cryptographic
hash: every byte is verified on every open, in milliseconds (sha256 of the
90 MB query encoder alone cost 0.17 s). Document content hashes stay sha256.

The query encoder is not in a version: the manifest names its key in the
machine's encoder cache (qa.embed.cache), which checks it as this module checks a
version. Once a new version is live, the one before is removed unless a reader
still has it open, so an update never leaves the index twice its size. A write that fails (a full disk, an I/O error, a
read-only file system) is reported naming the file, and leaves the live version
as it was. A manifest is checked for the shape of every field it is read for,
so a damaged or hand-edited one is an error naming the field, never a crash.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import time
import weakref
from contextlib import contextmanager, suppress
from pathlib import Path

from qa.checksum import checksum_file
from qa.errors import QAError, denied, in_words, write_error

FORMAT = "qa-index"
FORMAT_VERSION = 2  # 2: XXH3 file checksums, rows.npz, corpus file stats
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
KEEP_VERSIONS = 1  # the live one (and any a reader still has open): an update must not double the index on disk
_VERSION_NAME = re.compile(r"v-[0-9A-Za-z.-]+")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _manifest_checksum(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def write_manifest(folder: Path, manifest: dict) -> None:
    """Record every file's checksum, then write and fsync the manifest last."""
    files = {}
    for path in _files(folder):
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        files[path.relative_to(folder).as_posix()] = {"xxh3": checksum_file(path), "size": path.stat().st_size}
    manifest = _as_text({"format": FORMAT, "format_version": FORMAT_VERSION, **manifest, "files": files})
    manifest["checksum"] = _manifest_checksum(manifest)
    target = folder / MANIFEST
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    for sub in {p.parent for p in _files(folder)} | {folder}:
        _fsync_dir(sub)


def new_workdir(root: Path) -> Path:
    now = time.time_ns()
    # sortable by creation time, to the nanosecond, so "the version before" is well defined
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f".{now % 10**9:09d}-" + secrets.token_hex(3)
    work = root / f".tmp-{name}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        work.mkdir()
    except OSError as exc:
        raise write_error(exc, work, left=f"the index at {root} is as it was") or exc from None
    return work


def publish(root: Path, work: Path) -> Path:
    """Move a finished work folder into place and make it the live version."""
    final = root / ("v-" + work.name.removeprefix(".tmp-"))
    os.rename(work, final)
    _fsync_dir(root)
    pointer = root / f".{CURRENT}.{os.getpid()}"
    try:
        with open(pointer, "w", encoding="utf-8") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        _move_aside(root / CURRENT)
        os.replace(pointer, root / CURRENT)
    except BaseException:  # not published: the version is removed, CURRENT still names the one before
        pointer.unlink(missing_ok=True)
        if current_name(root) != final.name:
            shutil.rmtree(final, ignore_errors=True)
        raise
    _fsync_dir(root)
    return final


def _move_aside(path: Path) -> None:
    """A CURRENT or .lock that is a folder (or anything but a file) cannot be replaced or locked:
    it is renamed out of the way, kept (nothing is deleted), so the command that was advised works."""
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            return
    except FileNotFoundError:
        return
    with suppress(FileNotFoundError):  # another writer moved it first
        os.rename(path, path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(2)}"))


def collect_garbage(root: Path) -> None:
    """Remove unfinished work folders, unpublished versions and versions older than
    the previous one, except those a reader has pinned.

    Only called under the writer lock, so any .tmp- folder belongs to a dead writer.
    """
    live = current_name(root)
    for path in root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in root.glob(f".{CURRENT}.*"):
        path.unlink(missing_ok=True)
    versions = sorted(p.name for p in root.glob("v-*") if p.is_dir())
    older = [name for name in versions if live is None or name < live]
    keep = {live, *older[len(older) - (KEEP_VERSIONS - 1):]}
    for name in versions:
        if name not in keep:
            _remove_unless_pinned(root, name)


def _remove_unless_pinned(root: Path, name: str) -> None:
    path = root / name
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a reader still has it open
        # renamed first, so a removal cut short is plain garbage for the next writer
        trash = root / f".tmp-gone-{name}"
        try:
            os.rename(path, trash)
        except OSError:
            return  # left for the next writer; it is not the live version either way
    finally:
        os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)


def _read_current(root: Path) -> str | None:
    """The raw content of CURRENT, or None when there is no CURRENT file."""
    try:
        return (root / CURRENT).read_bytes().decode("utf-8", "replace").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError:
        raise denied(root, root / CURRENT) from None
    except OSError:
        return ""  # unreadable: reported as broken by open_pinned


def current_name(root: Path) -> str | None:
    """The live version's folder name, if CURRENT names one validly."""
    name = _read_current(root)
    return name if name and _VERSION_NAME.fullmatch(name) else None


def exists(root: Path) -> bool:
    """Whether an index was published here (even a broken one: that is reported, not rebuilt silently).
    An index path that is a file is an error: building there would fail too."""
    if root.exists() and not root.is_dir():
        raise QAError(f"index path {root} is not a folder", hint="give --index a folder (or move that file away)")
    return _read_current(root) is not None


def _broken(root: Path, what: str) -> QAError:
    return QAError(f"the index at {root} is unusable: {what}", hint=f"rebuild it with: qa index build --index {root}")


class Pin:
    """A shared flock on a version folder; garbage collection leaves the folder alone while it is held."""

    def __init__(self, fd: int):
        self.fd = fd
        self._close = weakref.finalize(self, os.close, fd)

    def release(self) -> None:
        self._close()


def _pin(folder: Path) -> Pin | None:
    """Pin the folder, or None if it is gone or being removed."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except PermissionError:
        raise denied(folder.parent, folder) from None
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        now = os.stat(folder)
        held = os.fstat(fd)
        if (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            return Pin(fd)
    except (BlockingIOError, FileNotFoundError):
        pass
    os.close(fd)
    return None


def open_version(root: Path, verify: bool = True) -> tuple[Path, dict]:
    """Resolve CURRENT and check the version's manifest and files."""
    folder, manifest, pin = open_pinned(root, verify)
    pin.release()
    return folder, manifest


def open_pinned(root: Path, verify: bool = True) -> tuple[Path, dict, Pin]:
    """Like open_version, and keep the version from garbage collection until the Pin is released or dropped."""
    if root.exists() and not root.is_dir():
        raise QAError(f"index path {root} is not a folder")
    for _attempt in range(20):  # a writer may publish and collect while we look
        raw_name = _read_current(root)
        if raw_name is None:
            raise QAError(f"no index at {root}", hint="build it with: qa index build")
        if not _VERSION_NAME.fullmatch(raw_name):
            raise _broken(root, f"{CURRENT} does not name a version folder (it holds {raw_name[:40]!r})")
        folder = root / raw_name
        pin = _pin(folder)
        if pin is None:
            if _read_current(root) != raw_name:
                continue
            raise _broken(root, f"{CURRENT} names the folder {raw_name}, which does not exist")
        try:
            manifest = _check_manifest(root, folder)
            if verify:
                verify_files(root, folder, manifest)
        except BaseException:
            pin.release()
            raise
        return folder, manifest, pin
    raise _broken(root, "it changed repeatedly while being opened")


def _check_manifest(root: Path, folder: Path) -> dict:
    try:
        raw = (folder / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _broken(root, f"{folder.name}/{MANIFEST} is missing") from None
    except PermissionError:
        raise denied(root, folder / MANIFEST) from None
    except UnicodeDecodeError:
        raise _broken(root, f"{MANIFEST} is not text (corrupted)") from None
    try:
        manifest = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _broken(root, f"{MANIFEST} is not valid JSON ({exc.msg}, line {exc.lineno}: truncated or corrupted)") from None
    except RecursionError:
        raise _broken(root, f"{MANIFEST} is nested too deeply to be a manifest (corrupted)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _broken(root, f"{MANIFEST} is not a qa index manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _broken(root, f"{MANIFEST} has format version {manifest.get('format_version')!r}; this qa reads version {FORMAT_VERSION}")
    if manifest.get("checksum") != _manifest_checksum(manifest):
        raise _broken(root, f"{MANIFEST} does not match its checksum (corrupted or changed)")
    problem = manifest_problem(manifest)
    if problem:
        raise _broken(root, f"{MANIFEST}: {problem}")
    return manifest


def verify_files(root: Path, folder: Path, manifest: dict) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise _broken(root, "the manifest lists no files")
    for rel, info in files.items():
        path = folder / rel
        try:
            if not path.is_file():
                raise _broken(root, f"{rel} is missing")
            if path.stat().st_size != info.get("size"):
                raise _broken(root, f"{rel} has {path.stat().st_size} bytes, the manifest says {info.get('size')} (truncated or changed)")
            if checksum_file(path) != info.get("xxh3"):
                raise _broken(root, f"{rel} does not match its checksum (corrupted or changed)")
        except PermissionError:
            raise denied(root, path) from None
        except OSError as exc:
            raise _broken(root, f"{rel} cannot be read ({exc.strerror or exc})") from None


@contextmanager
def writer_lock(root: Path):
    """One writer at a time. The kernel drops a flock when its holder dies, so a
    lock left by a killed process is cleared by the next writer automatically. A
    write that fails before publishing anything leaves no index folder or lock file it created."""
    try:
        existed, had_lock = root.exists(), (root / LOCK).exists()
    except OSError:  # cannot even look (permission denied): what is there is left alone
        existed = had_lock = True
    try:
        with _locked(root):
            yield
    except BaseException:
        if not had_lock and root.is_dir() and not exists(root):
            with suppress(OSError):
                fd = os.open(root / LOCK, os.O_RDWR)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # not while another writer holds it
                    (root / LOCK).unlink()
                finally:
                    os.close(fd)
        if not existed:
            with suppress(OSError):
                root.rmdir()  # only if nothing else is in it
        raise


@contextmanager
def _locked(root: Path):
    if root.exists() and not root.is_dir():
        raise QAError(f"index path {root} is not a folder", hint="give --index a folder (or move that file away)")
    try:
        root.mkdir(parents=True, exist_ok=True)
        _move_aside(root / LOCK)
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        raise write_error(exc, root / LOCK, left=f"the index at {root} is as it was") or _unwritable(root, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "process unknown"
            raise QAError(f"another qa index build/update is running on {root} ({holder})",
                          hint="wait for it to finish, then run this again") from None
        try:  # who holds the lock, for the message a second writer prints; not needed to hold it
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        except OSError:
            pass
        yield
    finally:
        os.close(fd)


def _unwritable(root: Path, exc: OSError) -> QAError:
    try:
        kernel = os.statvfs(root).f_blocks == 0  # procfs, sysfs: no blocks of their own, no files of ours
    except OSError:
        kernel = False
    what = "is on a kernel file system (like /proc or /sys), where no file can be written" if kernel else \
        f"cannot hold an index: {in_words(exc)} while creating {root / LOCK}"
    return QAError(f"the index folder {root} {what}", hint="give --index a folder on an ordinary disk")


def _as_text(value):
    """`value` with every string made encodable: a path's bytes that are not UTF-8 (lone
    surrogates) as \\xNN escapes, so the manifest is always valid UTF-8 JSON."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass

    def text(item):
        if isinstance(item, str):
            return item.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if _unencodable(item) else item
        if isinstance(item, dict):
            return {text(k): text(v) for k, v in item.items()}
        if isinstance(item, list):
            return [text(v) for v in item]
        return item

    return text(value)


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def write_failure(exc: BaseException, work: Path) -> QAError | None:
    """A failed write into the work folder `work` as a QAError naming the file (the newest file
    there when the library that failed did not say, as FAISS and numpy do not), or None when
    `exc` is not a write failure (a bug, an interrupt)."""
    name = getattr(exc, "filename", None)
    target = Path(name) if isinstance(name, (str, os.PathLike)) else _newest(work)
    return write_error(exc, target or work, left=f"the index at {work.parent} is as it was")


def _newest(folder: Path) -> Path | None:
    try:
        files = [(p.stat().st_mtime_ns, p) for p in folder.rglob("*") if p.is_file()]
    except OSError:
        return None
    return max(files, key=lambda item: item[0])[1] if files else None


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_FIELDS: dict[str, tuple[type, ...]] = {
    "model": (dict,), "counts": (dict,), "files": (dict,), "documents": (dict,), "stats": (dict,), "skipped": (dict,),
    "chunking": (dict,), "readers": (dict,), "created": (str,), "corpus": (str,), "analysis": (str,),
    "index_type": (str,), "sources_csv": (str, type(None)), "follow_symlinks": (bool,),
}


def _safe_rel(rel: object) -> bool:
    from pathlib import PurePosixPath

    if not isinstance(rel, str) or not rel or "\x00" in rel:
        return False
    parts = PurePosixPath(rel).parts
    return not PurePosixPath(rel).is_absolute() and ".." not in parts


def manifest_problem(manifest: dict) -> str | None:
    """What is wrong with the shape of a manifest's fields (the ones qa reads), or None."""
    for key, kinds in _FIELDS.items():
        if key in manifest and not isinstance(manifest[key], kinds):
            return f"{key} is a {type(manifest[key]).__name__}, not a {' or '.join(k.__name__ for k in kinds)}"
    for key in ("model", "counts", "files"):
        if key not in manifest:
            return f"{key} is missing"
    model = manifest["model"]
    if not isinstance(model.get("name"), str) or not model["name"]:
        return "model.name is not a model name"
    if not _int(model.get("dim")) or model["dim"] <= 0:
        return "model.dim is not a positive whole number"
    for key in ("documents", "chunks"):
        if not _int(manifest["counts"].get(key)) or manifest["counts"][key] < 0:
            return f"counts.{key} is not a whole number"
    for rel, info in manifest["files"].items():
        if not _safe_rel(rel):
            return f"files lists {str(rel)[:60]!r}, which is not a path inside the version"
        if not isinstance(info, dict) or not isinstance(info.get("xxh3"), str) or not _int(info.get("size")):
            return f"files.{rel} is not a checksum and a size"
    for key, check, what in (("documents", lambda v: isinstance(v, str), "a hash"),
                             ("skipped", lambda v: isinstance(v, str), "a reason"),
                             ("stats", lambda v: isinstance(v, list) and len(v) == 2 and all(_int(x) for x in v), "a size and a time"),
                             ("chunking", _int, "a whole number")):
        for name, value in manifest.get(key, {}).items():
            if not check(value):
                return f"{key}.{name} is not {what}"
    return None
