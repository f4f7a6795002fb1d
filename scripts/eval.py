"""Score answer quality on tests/data/eval.jsonl through the same code as `qa ask`.

hit@1: the top extract contains one of the question's answer substrings;
hit@3: one of the first three does. Refusal: the share of unanswerable questions
answered with "the documents do not answer", and the share of answerable ones
wrongly refused. Every extract's quote and also_in span is checked against the
document text at its offsets (the verbatim invariant); a violation fails the run.

    python scripts/eval.py                      # final system, both splits
    python scripts/eval.py --systems bm25,dense,final --split heldout
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import api  # noqa: E402
from qa.answer import select  # noqa: E402
from qa.rank.ranking import candidates  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval.jsonl"
DENSE_ONLY_THRESHOLD = 0.35  # baseline refusal: best chunk cosine below this


@contextmanager
def opened_index(root: Path | None, corpus: Path = ROOT / "corpus"):
    """The index at `root`, or one built from `corpus` in a temporary folder for the duration."""
    with tempfile.TemporaryDirectory() as tmp:
        if root is None:
            root = Path(tmp) / "index"
            api.build(corpus, root)
        yield api.open_index(root)


def load_questions(path: Path = EVAL) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_system(index, question: str, system: str, min_score: float | None = None):
    """One answer from the final system or a single-signal baseline (same windows, same dedup)."""
    if system == "final":
        return api.ask(index, question, min_score=min_score)
    ranked = candidates(index, question)
    if system == "bm25":  # refuses only when no sentence shares a term with the question
        ranked = [replace(c, relevance=c.get("lexical")) for c in ranked if c.get("lexical") > 0]
        floor = 0.0
    elif system == "dense":
        ranked = [replace(c, relevance=c.get("dense")) for c in ranked]
        floor = DENSE_ONLY_THRESHOLD
    else:
        raise SystemExit(f"unknown system {system!r}")
    ranked.sort(key=lambda c: (-c.relevance, c.row))
    return select.select(index, question, ranked, top_k=3, min_score=floor, score=lambda c: c.relevance)


def check_verbatim(index, result) -> None:
    for extract in (*result.extracts, *result.nearest):
        text = index.texts[index.doc_numbers[extract.doc_id]]
        assert text[extract.start : extract.end] == extract.quote, f"quote not verbatim: {extract}"
        assert 0 <= extract.highlight.start < extract.highlight.end <= len(extract.quote)
        for source in extract.also_in:
            other = index.texts[index.doc_numbers[source.doc_id]]
            assert 0 <= source.start < source.end <= len(other), f"also_in out of range: {source}"


def score(index, questions: list[dict], system: str, verbose: bool = False, min_score: float | None = None) -> dict:
    hit1 = hit3 = answerable = refused_wrong = unanswerable = refused_right = 0
    for q in questions:
        result = run_system(index, q["question"], system, min_score)
        check_verbatim(index, result)
        if q["answerable"]:
            answerable += 1
            quotes = [e.quote for e in result.extracts]
            hits = [any(a in quote for a in q["answers"]) for quote in quotes]
            hit1 += bool(hits[:1] and hits[0])
            hit3 += any(hits[:3])
            refused_wrong += not result.answered
            if verbose and not (hits[:1] and hits[0]):
                top = quotes[0][:150].replace("\n", " ") if quotes else "(refused)"
                print(f"  MISS {q['id']} {q['question']}\n       top: {top}", file=sys.stderr)
        else:
            unanswerable += 1
            refused_right += not result.answered
            if verbose and result.answered:
                print(f"  ANSWERED {q['id']} {q['question']}\n       top: {result.extracts[0].quote[:150]} "
                      f"({result.extracts[0].score})", file=sys.stderr)
    return {
        "system": system,
        "answerable": answerable,
        "unanswerable": unanswerable,
        "hit@1": hit1 / answerable if answerable else 0.0,
        "hit@3": hit3 / answerable if answerable else 0.0,
        "unanswerable_refused": refused_right / unanswerable if unanswerable else 0.0,
        "answerable_refused": refused_wrong / answerable if answerable else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="use this built index (default: build one from corpus/ in a temp folder)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="corpus to build from")
    parser.add_argument("--split", choices=("train", "heldout", "both", "all"), default="both", help="which questions to score")
    parser.add_argument("--kind", choices=("any", "direct", "paraphrase"), default="any",
                        help="score only answerable questions worded like their answer (direct) or reworded (paraphrase)")
    parser.add_argument("--systems", default="final", help="comma list of: final, bm25, dense")
    parser.add_argument("--min-score", help="the final system's threshold, or a comma list of them to trace the "
                        "refusal trade-off (default: qa's; 0 scores the ranking alone)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss and wrong answer")
    args = parser.parse_args()

    with opened_index(args.index, args.corpus) as index:
        questions = load_questions()
        if args.kind != "any":
            questions = [q for q in questions if q["answerable"] and q["paraphrase"] == (args.kind == "paraphrase")]
        splits = {"train": ["train"], "heldout": ["heldout"], "both": ["train", "heldout"], "all": ["all"]}[args.split]
        print(f"{'system':<12} {'split':<8} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'unans. refused':>15} {'ans. refused':>13}")
        thresholds = [float(t) for t in args.min_score.split(",")] if args.min_score else [None]
        runs = [(s, t) for s in args.systems.split(",") for t in (thresholds if s == "final" else [None])]
        for system, threshold in runs:
            label = system if threshold is None else f"{system}@{threshold:g}"
            for split in splits:
                subset = [q for q in questions if split == "all" or q["split"] == split]
                if args.verbose:
                    print(f"[{label} / {split}]", file=sys.stderr)
                r = score(index, subset, system, args.verbose, threshold)
                cells = [f"{r[key]:.3f}" if n else "-" for key, n in (("hit@1", r["answerable"]), ("hit@3", r["answerable"]),
                         ("unanswerable_refused", r["unanswerable"]), ("answerable_refused", r["answerable"]))]
                print(f"{label:<12} {split:<8} {len(subset):>4} {cells[0]:>6} {cells[1]:>6} {cells[2]:>15} {cells[3]:>13}")


if __name__ == "__main__":
    main()
