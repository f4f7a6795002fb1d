"""The layout's promises, checked on the code itself: stages after the index read passages, never
the index's arrays; and a question's path from the face to its answer climbs back up to the
pipeline once per hand-over between its stages, at most 4 times (scripts/climbs.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# what only qa/index may touch: the index's parallel arrays and its stores
ARRAYS = re.compile(r"answer_doc\[|\.notes\.|\.words\.|\.lexical\.")


def array_reads(root: Path) -> list[str]:
    """`file:line` of every read of the index's arrays outside qa/index/."""
    return [f"{path.relative_to(root)}:{n}" for path in sorted((root / "qa").rglob("*.py"))
            if "index" not in path.relative_to(root / "qa").parts[:1]
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ARRAYS.search(line)]


def test_no_stage_outside_the_index_reads_its_arrays():
    assert array_reads(ROOT) == []


def test_the_check_sees_an_array_read(tmp_path):
    (tmp_path / "qa" / "answer").mkdir(parents=True)
    (tmp_path / "qa" / "index").mkdir()
    (tmp_path / "qa" / "answer" / "x.py").write_text("doc = index.answer_doc[row]\nnames = index.notes.entities(1)\n")
    (tmp_path / "qa" / "index" / "y.py").write_text("doc = self.answer_doc[row]\n")
    assert array_reads(tmp_path) == ["qa/answer/x.py:1", "qa/answer/x.py:2"]


def test_a_question_climbs_back_up_once_per_stage():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "climbs.py")], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    counts = re.search(r"climbs (\d+), climbs back up (\d+)", done.stdout)
    assert counts, done.stdout
    against, back = map(int, counts.groups())
    assert against == 0 and 1 <= back <= 4, done.stdout
