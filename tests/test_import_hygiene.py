"""The headless core never imports a UI library, and answering never imports torch.

Each check runs in a fresh interpreter, because this test process has imported
everything already (harlequin's tests/unit_tests/test_import_hygiene.py does the same).
"""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# every module of the core: the whole package but its two faces
HEADLESS = sorted(m.name for m in pkgutil.walk_packages([str(ROOT / "qa")], "qa.")
                  if m.name != "qa.cli" and not m.name.startswith("qa.tui"))
UI = ("textual", "typer", "rich", "click")
HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn", "spacy", "thinc")


def loaded_after(code: str, watch: tuple[str, ...]) -> list[str]:
    """Which of `watch` (or their submodules) are in sys.modules after running `code` in a new interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(watch)!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_imports_no_ui(module):
    assert loaded_after(f"import {module}", UI) == []


def test_the_probe_can_see_a_ui_import():
    assert "typer" in loaded_after("import typer", UI)


@pytest.mark.model
def test_answering_imports_no_torch(real_index):
    _corpus, index = real_index
    code = (
        "from pathlib import Path\n"
        "from qa import api\n"
        f"loaded = api.open_index(Path({str(index)!r}))\n"
        "answer = api.ask(loaded, 'How many prisoners were freed?')\n"
        "assert answer.extracts or answer.nearest\n"
        "assert type(loaded.query_encoder()).__name__ == 'OnnxEncoder'\n"
    )
    assert loaded_after(code, HEAVY) == []


@pytest.mark.model
def test_cli_ask_imports_no_torch(real_index):
    corpus, index = real_index
    code = (
        "import sys\n"
        "from qa.cli import app\n"
        "try:\n"
        f"    app(['ask', 'How many prisoners were freed?', '--index', {str(index)!r}, '--corpus', {str(corpus)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, 1), exc.code\n"
    )
    assert loaded_after(code, HEAVY) == []


def test_the_layers_hold():
    """.importlinter: the faces import only the core's API, and each stage only the stages below it."""
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module, back", [("qa/tui/screens/chat.py", "qa.tui.app"),
                                          ("qa/embed/transformer.py", "qa.embed.encoder")])
def test_an_import_cycle_put_back_breaks_the_contracts(tmp_path, module, back):
    """.importlinter allows no cycle: a copy of the package with one of the old ones put back fails."""
    shutil.copytree(ROOT / "qa", tmp_path / "qa", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    with open(tmp_path / module, "a", encoding="utf-8") as fh:
        fh.write(f"\nimport {back}  # noqa: E402\n")
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No import cycles anywhere in qa BROKEN" in done.stdout and "Contracts: 3 kept, 1 broken." in done.stdout
