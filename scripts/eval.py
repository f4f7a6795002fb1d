"""Score answer quality through the same code as `qa ask`, on every question set (scripts/evalsets.py).

hit@1: the top extract answers; hit@3: one of the first three does (a refusal is a
miss). Refused: the share of answerable questions answered "the documents do not
answer", and the share of unanswerable ones. Beside the final system, three
baselines over the same candidates, quote windows and duplicate folding: BM25
alone, MiniLM cosine alone, and their plain reciprocal-rank fusion; and the
reader (qa/reader) alone on the ranking's best 20. `pool` scores retrieval
itself: its hit@1 column is the share of answerable questions whose answer sentence is
among the ranking's best 20 candidates (what the reader reads), its hit@3 column among
all of them. Every extract's
quote and also_in span is checked against the document text at its offsets (the
verbatim invariant); a violation fails the run.

    python scripts/eval.py                                  # final system, every set, both splits
    python scripts/eval.py --sets short --systems final,bm25,dense,rrf --split heldout
    python scripts/eval.py --sets squad --sample 1000 -v    # a fixed sample, with the misses
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import api  # noqa: E402
from qa.answer import select  # noqa: E402
from qa.pipeline import ranked as candidates  # noqa: E402
from qa.rank import model  # noqa: E402
from qa.reader import model as reader_model  # noqa: E402
from scripts import evalsets  # noqa: E402
from scripts.evalsets import Question  # noqa: E402

DENSE_ONLY_THRESHOLD = 0.35  # the cosine baseline refuses below this
RRF_K = 60
READER_POOL = 20
SYSTEMS = ("final", "reader", "bm25", "dense", "rrf", "pool")


def load_questions(name: str = "eval") -> list[Question]:
    return evalsets.load(name)


def run_system(index, question: str, system: str, min_score: float | None = None, top_k: int = 3):
    """One answer from the final system or a single-signal baseline (same windows, same dedup)."""
    if system == "final":
        return api.ask(index, question, top_k=top_k, min_score=min_score)
    ranked = candidates(index, question)
    floor = 0.0
    if system == "reader":  # the reader alone on the ranking's best READER_POOL; never refuses
        head = sorted(ranked, key=lambda c: (-c.relevance, c.row))[:READER_POOL]
        logits = reader_model.load().logits(question, [index.passage(c.row).text for c in head])
        ranked = [replace(c, relevance=float(1 / (1 + math.exp(-z)))) for c, z in zip(head, logits)]
    elif system == "bm25":  # refuses only when no sentence shares a term with the question
        ranked = [replace(c, relevance=c.get("lexical")) for c in ranked if c.get("lexical") > 0]
    elif system == "dense":
        ranked = [replace(c, relevance=c.get("dense")) for c in ranked]
        floor = DENSE_ONLY_THRESHOLD
    elif system == "rrf":  # never refuses while anything was found
        by_dense = sorted(ranked, key=lambda c: -c.get("dense"))
        by_bm25 = sorted((c for c in ranked if c.get("lexical") > 0), key=lambda c: -c.get("lexical"))
        fused = {c.row: 1 / (RRF_K + r) for r, c in enumerate(by_dense, 1)}
        for r, c in enumerate(by_bm25, 1):
            fused[c.row] += 1 / (RRF_K + r)
        best = max(fused.values(), default=1.0)  # on the 0-1 scale of the others, which MMR and windows compare against
        ranked = [replace(c, relevance=fused[c.row] / best) for c in ranked]
    else:
        raise SystemExit(f"unknown system {system!r}")
    ranked.sort(key=lambda c: (-c.relevance, c.row))
    return select.select(index, question, ranked, top_k=top_k, min_score=floor, score=lambda c: c.relevance)


def check_verbatim(index, result) -> None:
    for extract in (*result.extracts, *result.nearest):
        cited = extract.citation
        text = index.texts[index.doc_numbers[cited.doc_id]]
        assert text[cited.start : cited.end] == extract.quote, f"quote not verbatim: {extract}"
        assert 0 <= extract.highlight.start < extract.highlight.end <= len(extract.quote)
        for source in extract.also_in:
            other = index.texts[index.doc_numbers[source.citation.doc_id]]
            assert other[source.citation.start : source.citation.end] == source.quote, f"also_in not verbatim: {source}"


def pool(index, questions: list[Question]) -> dict:
    """How often the answer sentence is among the ranking's best READER_POOL candidates, and among all."""
    best = found = answerable = 0
    for q in questions:
        if not q.answerable:
            continue
        answerable += 1
        ranked = sorted(candidates(index, q.question), key=lambda c: (-c.relevance, c.row))
        hits = [q.answered_by(SimpleNamespace(citation=p.citation, quote=p.text))
                for p in (index.passage(c.row) for c in ranked)]
        best += any(hits[:READER_POOL])
        found += any(hits)
    return {"system": "pool", "answerable": answerable, "unanswerable": 0, "hit@1": best / max(answerable, 1),
            "hit@3": found / max(answerable, 1), "unanswerable_refused": 0.0, "answerable_refused": 0.0}


def score(index, questions: list[Question], system: str, verbose: bool = False, min_score: float | None = None) -> dict:
    if system == "pool":
        return pool(index, questions)
    hit1 = hit3 = answerable = refused_wrong = unanswerable = refused_right = 0
    for q in questions:
        result = run_system(index, q.question, system, min_score)
        check_verbatim(index, result)
        if q.answerable:
            answerable += 1
            hits = [q.answered_by(e) for e in result.extracts]
            hit1 += bool(hits[:1] and hits[0])
            hit3 += any(hits[:3])
            refused_wrong += not result.answered
            if verbose and not (hits[:1] and hits[0]):
                top = result.extracts[0].quote[:150].replace("\n", " ") if result.extracts else "(refused)"
                print(f"  MISS {q.id} {q.question}\n       top: {top}", file=sys.stderr)
        else:
            unanswerable += 1
            refused_right += not result.answered
            if verbose and result.answered:
                print(f"  ANSWERED {q.id} {q.question}\n       top: {result.extracts[0].quote[:150]} "
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
    parser.add_argument("--sets", default="eval,short,squad", help=f"comma list of: {', '.join(evalsets.SETS)}")
    parser.add_argument("--split", choices=("train", "heldout", "both", "all"), default="both", help="which questions to score")
    parser.add_argument("--kind", help="only questions of this kind (direct, paraphrase; who, how_many, said, statement, ...)")
    parser.add_argument("--systems", default="final", help=f"comma list of: {', '.join(SYSTEMS)}")
    parser.add_argument("--min-score", help="the final system's threshold, or a comma list of them to trace the "
                        "refusal trade-off (default: qa's; 0 scores the ranking alone)")
    parser.add_argument("--sample", type=int, help="score a fixed random sample of this many questions per set")
    parser.add_argument("--ranker", type=Path, help="score with this ranker file instead of qa/rank/ranker.json "
                        "(e.g. an earlier one, from `git show REV:qa/rank/ranker.json`)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-eval"), help="folder for the cached indexes")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss and wrong answer")
    args = parser.parse_args()

    if args.ranker:
        ranker = model.load(args.ranker)
        model.load = lambda path=model.FILE: ranker  # type: ignore[assignment]
    thresholds = [float(t) for t in args.min_score.split(",")] if args.min_score else [None]
    runs = [(s, t) for s in args.systems.split(",") for t in (thresholds if s == "final" else [None])]
    names = args.sets.split(",")
    unknown = [n for n in names if n not in evalsets.SETS]
    if unknown:
        raise SystemExit(f"unknown set {unknown[0]!r}: one of {', '.join(evalsets.SETS)}")
    width = max(6, *map(len, names))
    print(f"{'set':<{width}} {'system':<12} {'split':<8} {'n':>5} {'hit@1':>6} {'hit@3':>6} {'unans. refused':>15} {'ans. refused':>13}")
    for name in names:
        index = api.open_index(evalsets.index_for(name, args.work))
        questions = load_questions(name)
        if args.kind:
            questions = [q for q in questions if q.kind == args.kind]
        if args.sample and len(questions) > args.sample:
            questions = random.Random(0).sample(questions, args.sample)
        splits = {"train": ["train"], "heldout": ["heldout"], "both": ["train", "heldout"], "all": ["all"]}[args.split]
        for system, threshold in runs:
            label = system if threshold is None else f"{system}@{threshold:g}"
            for split in splits:
                subset = [q for q in questions if split == "all" or q.split == split]
                if not subset:
                    continue
                if args.verbose:
                    print(f"[{name} / {label} / {split}]", file=sys.stderr)
                r = score(index, subset, system, args.verbose, threshold)
                cells = [f"{r[key]:.3f}" if n else "-" for key, n in (("hit@1", r["answerable"]), ("hit@3", r["answerable"]),
                         ("unanswerable_refused", r["unanswerable"]),
                         ("answerable_refused", r["answerable"] if system != "pool" else 0))]
                print(f"{name:<{width}} {label:<12} {split:<8} {len(subset):>5} {cells[0]:>6} {cells[1]:>6} {cells[2]:>15} {cells[3]:>13}",
                      flush=True)


if __name__ == "__main__":
    main()
