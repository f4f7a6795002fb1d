"""Re-capture the README's `$ qa ask ...` and `$ qa timeline ...` sample outputs from real runs (tests/test_readme.py checks them).

    .venv/bin/python scripts/readme_samples.py          # show what differs
    .venv/bin/python scripts/readme_samples.py --write  # and rewrite the README

Each command runs as tests/test_readme.py runs it: in a folder holding a copy of the
bundled corpus as ./corpus and an index built from it with the real model as ./index.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from qa import api  # noqa: E402
from qa.cli import app  # noqa: E402
from tests.test_readme import README, sessions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite the README with the outputs of today")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        shutil.copytree(ROOT / "corpus", here / "corpus")
        api.build(here / "corpus", here / "index")
        import os

        os.chdir(here)
        os.environ.pop("QA_CORPUS", None)
        os.environ.pop("QA_INDEX", None)
        changed = 0
        for command, stdin, output in sessions():
            result = CliRunner().invoke(app, shlex.split(command)[1:], input=stdin)
            now = (result.stderr + result.stdout).strip("\n")
            if now != output:
                changed += 1
                print(f"--- {command}\n{output}\n+++ now\n{now}\n")
                at = text.index(f"$ {command}")  # the output follows its command line (which may read `< FILE`)
                indent = text[text.rindex("\n", 0, at) + 1:at]  # a block inside a list item is indented with it

                def indented(lines: str, indent: str = indent) -> str:
                    return "\n".join(indent + line if line else line for line in lines.split("\n"))

                if output:
                    found = text.index(indented(output), at)
                    text = text[:found] + indented(now) + text[found + len(indented(output)):]
                else:  # a new sample: its output goes on the lines after the command
                    found = text.index("\n", at) + 1
                    text = text[:found] + indented(now) + "\n" + text[found:]
    if args.write and changed:
        README.write_text(text, encoding="utf-8")
    print(f"{changed} sample(s) differ" + (" and were rewritten" if args.write and changed else ""))


if __name__ == "__main__":
    main()
