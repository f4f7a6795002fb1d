"""Corpus folders that break what reads them: names that are not UTF-8, paths over PATH_MAX, FIFOs,
kernel files, dangling and outside links, unreadable folders, huge files, files rewritten
during a build. Each is skipped with its name and reason, and build, update, status, docs and
ask all go on; nothing hangs."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa import api
from qa.ingest import files
from tests.fakes import FakeEncoder
from tests.hostile.conftest import FAKE, HARBOUR, no_traceback, qa, run_qa, where

COMMANDS = (["index", "build", *FAKE], ["index", "update"], ["index", "status"], ["docs"], ["ask", HARBOUR, "--json"])


def every_command_works(corpus: Path, index: Path, expected: str, *, extra: tuple[str, ...] = ()) -> None:
    """build, update, status, docs and ask each succeed, and build and status name `expected` as skipped."""
    for command in COMMANDS:
        args = [*command, *(extra if command[:2] in (["index", "build"], ["index", "update"]) else ())]
        result = qa(*args, *where(corpus, index))
        no_traceback(result.stderr)
        assert result.exit_code in ((0, 1) if command[0] == "ask" else (0,)), (command, result.stderr, result.stdout)
        if command[:2] == ["index", "build"]:
            assert f"warning: skipped {expected}" in result.stderr, result.stderr
        if command[:2] == ["index", "status"]:
            assert f"skipped   {expected}" in result.stdout
            assert "unchanged since the build" in result.stdout, result.stdout


def test_a_file_name_that_is_not_utf8_is_skipped_by_name(small_corpus, tmp_path, fake_encoder):
    with open(os.path.join(os.fsencode(small_corpus), b"bad\xff\xfename.txt"), "wb") as fh:
        fh.write(b"Some text about boats.\n")
    every_command_works(small_corpus, tmp_path / "index", "bad\\xff\\xfename.txt: has a name that is not valid UTF-8")


def test_a_path_longer_than_path_max_is_skipped_by_name(small_corpus, tmp_path, fake_encoder):
    top = os.open(small_corpus, os.O_RDONLY | os.O_DIRECTORY)
    fd = top
    part = "d" * 200
    for _ in range(22):  # 22 x 201 bytes: past PATH_MAX (4096) below the corpus
        os.mkdir(part, dir_fd=fd)
        deeper = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        if fd != top:
            os.close(fd)
        fd = deeper
    doc = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(doc, b"A document too deep to open by its path.\n")
    os.close(doc)
    os.close(fd)
    os.close(top)
    index = tmp_path / "index"
    every_command_works(small_corpus, index, "")
    report = api.build(small_corpus, index, model=FakeEncoder.name)
    assert any("longer than the system allows (PATH_MAX)" in s.reason for s in report.skipped)


def test_fifos_devices_and_kernel_files_are_refused_without_reading(small_corpus, tmp_path, record_property):
    os.mkfifo(small_corpus / "pipe.txt")
    links = {"kmsg.txt": "/proc/kmsg", "zero.txt": "/dev/zero", "maps.txt": "/proc/self/maps", "null.md": "/dev/null"}
    for name, target in links.items():
        if os.path.exists(target):
            os.symlink(target, small_corpus / name)
    index = tmp_path / "index"
    for follow in ((), ("--follow-symlinks",)):
        for command in COMMANDS:
            args = [*command, *(follow if command[:2] in (["index", "build"], ["index", "update"]) else ())]
            done = run_qa(*args, *where(small_corpus, index), timeout=60)  # a hang fails, it does not wait forever
            no_traceback(done.stderr)
            assert done.returncode in ((0, 1) if command[0] == "ask" else (0,)), (args, done.stderr)
            if command[:2] == ["index", "build"]:
                stderr = done.stderr.decode()
                assert "warning: skipped pipe.txt: is a FIFO, not a document file" in stderr
                for name, target in links.items():
                    if os.path.exists(target):
                        assert f"warning: skipped {name}: " in stderr
                        if follow:
                            assert ("is a file of the kernel" in stderr.split(f"skipped {name}: ")[1].split("\n")[0]
                                    or "device" in stderr.split(f"skipped {name}: ")[1].split("\n")[0])
    record_property("cases", 2 * len(COMMANDS) * (1 + sum(os.path.exists(t) for t in links.values())))


def test_dangling_links_loops_and_folders_named_like_documents_are_named(small_corpus, tmp_path, fake_encoder):
    os.symlink("nowhere.txt", small_corpus / "dangling.txt")
    os.symlink("loop-b.txt", small_corpus / "loop-a.txt")
    os.symlink("loop-a.txt", small_corpus / "loop-b.txt")
    (small_corpus / "empty.txt").mkdir()
    (small_corpus / "notes.md").mkdir()
    (small_corpus / "notes.md" / "inner.txt").write_text("The inner note counts 7 boats.\n", encoding="utf-8")
    found, skipped = files.scan(small_corpus)
    reasons = {s.path: s.reason for s in skipped}
    assert reasons["dangling.txt"] == "is a link to nothing (nowhere.txt does not exist)"
    assert reasons["loop-a.txt"] == reasons["loop-b.txt"] == "is a link that leads round in a loop"
    assert reasons["empty.txt/"] == "is a folder, not a document (and holds no document)"
    assert "notes.md/" not in reasons  # its document is read
    assert [files.relative(p, small_corpus) for p in found] == ["harbour.txt", "notes.md/inner.txt"]
    every_command_works(small_corpus, tmp_path / "index", "dangling.txt: is a link to nothing")


def test_a_folder_that_cannot_be_listed_is_named(small_corpus, tmp_path, fake_encoder, monkeypatch):
    (small_corpus / "private").mkdir()
    (small_corpus / "private" / "secret.txt").write_text("Hidden boats.\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("private"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    every_command_works(small_corpus, tmp_path / "index", "private/: is a folder that cannot be listed (Permission denied)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder: chmod 000 denies nothing")
def test_a_folder_without_permission_is_named(small_corpus, fake_encoder):
    private = small_corpus / "private"
    private.mkdir()
    (private / "secret.txt").write_text("Hidden boats.\n", encoding="utf-8")
    private.chmod(0)
    try:
        _found, skipped = files.scan(small_corpus)
    finally:
        private.chmod(0o755)
    assert [s.path for s in skipped] == ["private/"]


def test_links_out_of_the_corpus_are_read_only_with_follow_symlinks(small_corpus, tmp_path, fake_encoder):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "folder").mkdir(parents=True)
    (elsewhere / "secret.txt").write_text("The secret ledger counts 999 boats.\n", encoding="utf-8")
    (elsewhere / "folder" / "more.txt").write_text("More boats elsewhere, 31 of them.\n", encoding="utf-8")
    os.symlink(elsewhere / "secret.txt", small_corpus / "outside.txt")
    os.symlink(elsewhere / "folder", small_corpus / "linked")
    os.symlink(small_corpus, small_corpus / "myself")  # a loop once links to folders are followed
    os.symlink("harbour.txt", small_corpus / "alias.txt")  # inside: read
    index = tmp_path / "index"
    every_command_works(small_corpus, index, f"outside.txt: is a link to {elsewhere / 'secret.txt'}, outside the corpus folder")
    paths = {d.path for d in api.open_index(index).documents}
    assert paths == {"harbour.txt", "alias.txt"}

    followed = qa("index", "build", "--follow-symlinks", *where(small_corpus, index), *FAKE)
    assert followed.exit_code == 0, followed.stderr
    assert "warning: skipped myself/: is a link back to a folder already read (a loop)" in followed.stderr
    assert {d.path for d in api.open_index(index).documents} == {"harbour.txt", "alias.txt", "outside.txt", "linked/more.txt"}
    status = qa("index", "status", *where(small_corpus, index))
    assert "unchanged since the build" in status.stdout  # the stale check reads the corpus as the build did
    assert qa("index", "update", *where(small_corpus, index)).stdout.startswith("added     0")
    assert "outside.txt" in {d.path for d in api.open_index(index).documents}  # an update keeps --follow-symlinks
    plain = qa("index", "update", "--no-follow-symlinks", *where(small_corpus, index))
    assert "removed   2" in plain.stdout


_opened: list[str] = []
_watching = threading.Event()


def _audit(event: str, args: tuple) -> None:
    if _watching.is_set() and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def test_files_over_the_size_limit_are_never_read(small_corpus, tmp_path, fake_encoder, monkeypatch):
    big = small_corpus / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(1 << 30)  # a sparse 1 GiB file
    index = tmp_path / "index"
    _opened.clear()
    _watching.set()
    try:
        every_command_works(small_corpus, index, "big.txt: is 1,024.0 MB, over the 50 MB limit for one file "
                                                 "(set QA_MAX_FILE_MB to a larger number of megabytes, or 0, to read it)")
        os.utime(big, ns=(1, 1))  # moved on since the build: status and ask look again, and still must not read it
        for command in (["index", "status"], ["ask", HARBOUR]):
            assert qa(*command, *where(small_corpus, index)).exit_code in (0, 1)
    finally:
        _watching.clear()
    assert not [p for p in _opened if p.endswith("big.txt")]


def test_the_size_limit_is_configurable(small_corpus, tmp_path, fake_encoder, monkeypatch):
    (small_corpus / "medium.txt").write_text("Boats in the harbour. " * 2000, encoding="utf-8")  # 44 KB
    index = tmp_path / "index"
    monkeypatch.setenv("QA_MAX_FILE_MB", "0.01")
    limited = qa("index", "build", *where(small_corpus, index), *FAKE)
    assert "warning: skipped medium.txt: is 43 KB, over the 0.01 MB limit for one file" in limited.stderr
    monkeypatch.setenv("QA_MAX_FILE_MB", "0")
    assert "medium.txt" not in qa("index", "build", *where(small_corpus, index), *FAKE).stderr
    monkeypatch.setenv("QA_MAX_FILE_MB", "lots")
    bad = qa("index", "build", *where(small_corpus, index), *FAKE)
    assert bad.exit_code == 2 and bad.stderr.startswith("error: QA_MAX_FILE_MB must be a number of megabytes")


REWRITER = r"""
import os, sys, time
path, stop = sys.argv[1], sys.argv[2]
n = 0
while not os.path.exists(stop):
    n += 1
    body = "".join(f"Version {n} line {k}: the harbour holds {n * k} boats.\n" for k in range(300)) + f"End of version {n}.\n"
    if n % 2:
        with open(path, "w") as fh:  # rewritten in place: truncated, then written in pieces
            for i in range(0, len(body), 512):
                fh.write(body[i:i + 512])
                fh.flush()
    else:
        with open(path + ".new", "w") as fh:
            fh.write(body)
        os.replace(path + ".new", path)  # replaced whole
"""


def test_a_file_rewritten_during_builds_never_aborts_one(small_corpus, tmp_path, fake_encoder, record_property):
    moving = small_corpus / "moving.txt"
    moving.write_text("Version 0 line 0.\nEnd of version 0.\n", encoding="utf-8")
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", REWRITER, str(moving), str(stop)])
    index = tmp_path / "index"
    try:
        for round_ in range(12):
            run = api.update if round_ % 2 else api.build
            report = run(small_corpus, index, model=FakeEncoder.name)
            loaded = api.open_index(index)
            for doc, text in zip(loaded.documents, loaded.texts):
                if doc.path == "moving.txt":  # the bytes of one read: one version (maybe caught mid-write), never two
                    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == doc.sha256
                    version = text.split(" ", 2)[1]
                    starts = (f"Version {version} ", f"End of version {version}.")
                    *lines, last = text.splitlines()
                    assert all(line.startswith(starts) for line in lines)
                    # a read that caught the file mid-write ends inside a line, perhaps inside its first words
                    assert any(last.startswith(start) or start.startswith(last) for start in starts), last
            reasons = [s.reason for s in report.skipped if s.path == "moving.txt"]
            assert all(r.startswith(("kept changing", "is empty", "vanished")) for r in reasons), reasons
    finally:
        stop.touch()
        writer.wait(30)
    record_property("cases", 12)
