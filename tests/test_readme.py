"""The README's sample output of `qa ask` is what the command prints today (real model, bundled corpus)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"


def sessions() -> list[tuple[str, str, str]]:
    """(command, stdin, output) for each `$ qa ask ...` and `$ qa timeline ...` in the README's code blocks, with the lines after it;
    `< NAME` reads what a `$ cat NAME` before it showed."""
    blocks, block, inside, indent = [], [], False, ""
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            if inside:
                blocks.append(block)
            block, inside, indent = [], not inside, line[: len(line) - len(line.lstrip())]
        elif inside:
            block.append(line.removeprefix(indent))  # a block inside a list item is indented with it
    found, files = [], {}
    for lines in blocks:
        for i, line in enumerate(lines):
            if not line.startswith("$ "):
                continue
            out = []
            for later in lines[i + 1:]:
                if later.startswith("$ "):
                    break
                out.append(later)
            command = line[2:]
            if command.startswith("cat "):
                files[command[4:]] = "\n".join(out) + "\n"
            elif command.startswith(("qa ask ", "qa timeline ")):
                command, _, source = command.partition(" < ")
                found.append((command, files.get(source, ""), "\n".join(out).strip("\n")))
    return found


def test_the_readme_has_qa_ask_sessions():
    assert len(sessions()) >= 4


@pytest.mark.model
@pytest.mark.parametrize("command, stdin, output", sessions(), ids=[c for c, _, _ in sessions()])
def test_the_readme_shows_what_qa_ask_prints(real_index, monkeypatch, command, stdin, output):
    corpus, _index = real_index
    monkeypatch.chdir(corpus.parent)  # ./corpus and ./index, as in the README
    for name in ("QA_CORPUS", "QA_INDEX"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, shlex.split(command)[1:], input=stdin)
    assert (result.stderr + result.stdout).strip("\n") == output
