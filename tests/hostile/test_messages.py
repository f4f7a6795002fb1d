"""Messages that must be true: a corpus that cannot be read is said to be so (not answered from as if
it were there), a denied permission is a denied permission (not "rebuild it"), a kernel file system is
not a full disk, a path with a newline stays on one line, and --help names the formats read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa import api
from qa.errors import QAError
from tests.hostile.conftest import FAKE, FAKE_QA, HARBOUR, ROOT, no_traceback, qa, run_qa, where


@pytest.mark.parametrize("corpus", ["/nonexistent/x", "/dev/null", "~nosuchuser/c", "/etc/hostname", "{tmp}/gone"])
@pytest.mark.parametrize("mode", ["words", "json", "stdin"])
def test_ask_over_a_corpus_that_cannot_be_read_says_so(small_built, corpus, mode, tmp_path):
    _corpus, index = small_built
    corpus = corpus.format(tmp=tmp_path)
    args = {"words": [HARBOUR], "json": [HARBOUR, "--json"], "stdin": ["-"]}[mode]
    done = qa("ask", *args, "--corpus", corpus, "--index", index, input=HARBOUR + "\n")
    assert done.exit_code == 2 and done.stdout == "", done.output
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: corpus"), lines
    assert "so no quote could be shown from it" in lines[0], lines
    assert corpus.lstrip("/").split("/")[-1] in lines[0]


def test_the_chat_and_the_cli_share_the_refusal(small_built, tmp_path):
    _corpus, index = small_built
    session = api.Session(tmp_path / "nothing", index)
    with pytest.raises(QAError, match="does not exist, so no quote could be shown from it"):
        session.readable_corpus(session.open())


def _as_another_user() -> list[str]:
    """A command prefix that runs without the power to read others' files (root without CAP_DAC_*)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv cannot drop the power to read any file")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


@pytest.mark.parametrize("layout", ["umask 077", "CURRENT unreadable", "version folder unreadable", "a file unreadable"])
def test_an_index_that_cannot_be_read_says_permission_denied(layout, tmp_path, fake_encoder, small_corpus,
                                                              record_property):
    index = tmp_path / "index"
    old = os.umask(0o077)
    try:
        api.build(small_corpus, index, model=FAKE[1])
    finally:
        os.umask(old)
    version = index / (index / "CURRENT").read_text().strip()
    for path in [index, *index.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    denied = {"umask 077": [index, *index.rglob("*")], "CURRENT unreadable": [index / "CURRENT"],
              "version folder unreadable": [version], "a file unreadable": [version / "manifest.json"]}[layout]
    for path in denied:
        path.chmod(0o700 if path.is_dir() else 0o600)
    prefix = _as_another_user()
    if os.geteuid() == 0:
        for path in [index, *index.rglob("*")]:
            os.chown(path, 65534, 65534)
    tmp_path.chmod(0o755)
    small_corpus.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for command in (["ask", HARBOUR], ["index", "status"], ["docs"], ["show", "harbour.txt"], ["index", "update"]):
        done = subprocess.run([*prefix, sys.executable, str(FAKE_QA), *command, *where(small_corpus, index)],
                              capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        no_traceback(done.stderr)
        assert "permission denied" in done.stderr and "rebuild" not in done.stderr, (command, done.stderr)
    record_property("cases", 5)


@pytest.mark.parametrize("index", ["/proc/self", "/proc/self/fd", "/sys/kernel", "/proc/self/status"])
def test_a_kernel_file_system_as_the_index_is_not_called_a_full_disk(small_corpus, index):
    for command in (["ask", HARBOUR], ["index", "build"], ["index", "update"], ["index", "status"]):
        done = run_qa(*command, "--corpus", small_corpus, *FAKE, env={"QA_INDEX": index})
        stderr = done.stderr.decode()
        no_traceback(stderr)
        assert "no space" not in stderr and "quota" not in stderr, (command, stderr)
        if command[0] != "index" or command[1] != "status":
            assert done.returncode == 2 and index in stderr, (command, stderr)


def test_an_index_path_with_a_newline_is_printed_on_one_line(small_corpus, tmp_path, fake_encoder, monkeypatch):
    monkeypatch.chdir(tmp_path)
    index = Path("new\nline")
    commands = (["index", "build", *FAKE], ["index", "update"], ["index", "status"], ["docs"], ["ask", HARBOUR],
                ["ask", "-"], ["show", "harbour.txt"])
    for command in commands:
        done = qa(*command, "--corpus", small_corpus, "--index", index, input=HARBOUR + "\n")
        assert done.exit_code in (0, 1), done.output
        for line in done.output.splitlines():
            assert not line.startswith("line"), (command, done.output)
    shutil.rmtree(index)
    done = qa("ask", HARBOUR, "--corpus", small_corpus, "--index", index, *FAKE)  # builds it first, and says so
    assert "$'./new\\nline'" in done.stderr and not any(line.startswith("line") for line in done.output.splitlines())
    (index / "CURRENT").write_text("garbage")
    done = qa("ask", HARBOUR, "--corpus", small_corpus, "--index", index)
    assert done.exit_code == 2 and "qa index build --corpus" in done.stderr
    assert not any(line.startswith("line") for line in done.stderr.splitlines()), done.stderr


@pytest.mark.parametrize("command", [["index", "build"], ["index", "update"], ["index", "status"], ["ask"], ["chat"],
                                     ["docs"], ["show"], ["timeline"]])
def test_help_names_every_format_the_build_reads(command):
    from qa.ingest.readers import SUFFIXES

    shown = " ".join(qa(*command, "--help").stdout.split())
    assert "FORMATS" not in shown
    if "--corpus" in shown:
        assert all(suffix in shown for suffix in SUFFIXES), shown
