"""Time a full build against incremental updates, with the real default model.

Each step runs the `qa` command in a fresh process, as a user would, so model
loading and imports count. Adding one document should cost well under a tenth
of a full build: only its chunks are embedded.

    python scripts/bench_update.py [--docs 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.make_corpus import generate, make_document, seed_sentences


def run(command: str, corpus: Path, index: Path) -> tuple[float, list[str]]:
    qa = Path(sys.executable).with_name("qa")
    began = time.perf_counter()
    done = subprocess.run([str(qa), "index", command, "--corpus", str(corpus), "--index", str(index)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"qa index {command} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout.splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000, help="how many documents to generate")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--repeated", action="store_true",
                        help="reuse whole seed sentences across documents (most chunks repeat, so a full build is cheap)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="qa-bench-"))
    corpus, index = work / "corpus", work / "index"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    generate(corpus, args.docs, distinct=not args.repeated)
    rng, sentences = random.Random(1), [s for s in seed_sentences() if len(s.split()) >= 6]
    print(f"corpus: {args.docs} documents in {corpus}")

    steps = [("full build", "build", lambda: None)]
    steps.append(("update, no change", "update", lambda: None))
    steps.append(("update, one document added", "update",
                  lambda: (corpus / "added.txt").write_text(make_document(rng, sentences, 10**6, distinct=not args.repeated), encoding="utf-8")))

    def change_one() -> None:
        path = corpus / "gen_000007.txt"
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")
        paragraphs[3] = "Officials disputed that account on Thursday. " + paragraphs[3]
        path.write_text("\n\n".join(paragraphs), encoding="utf-8")

    steps.append(("update, one paragraph changed", "update", change_one))
    steps.append(("update, one document removed", "update", lambda: (corpus / "gen_000011.txt").unlink()))

    results = {}
    for label, command, edit in steps:
        edit()
        seconds, lines = run(command, corpus, index)
        results[label] = seconds
        print(f"{label:<32} {seconds:8.1f} s   {lines[-1] if lines else ''}")
    full = results["full build"]
    added = results["update, one document added"]
    print(f"adding one document costs {added / full:.1%} of a full build")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
