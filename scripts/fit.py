"""Fit the two answer models on the training split only, and print them.

Stage 1, relevance (the "regimes" of qa/rank/ranker.json): every candidate
sentence of every training question is an example, positive when the quote cut
around it contains an answer substring. Questions worded alike and reworded
ones (Ranker.regime) each get their own model; the boundary between them
("reworded_below") is the one at which the refitted ranking's train hit@1 is
best.

Stage 2, calibration ("calibration" in ranker.json): the top extract of every
training question is an example, positive when it contains an answer (so for
unanswerable questions, negative). Its inputs are the candidate set
(CALIBRATION_SETS) whose show/withhold decisions are right most often in
leave-one-out on train. Its output is the extract score that --min-score and
refusal use; the default --min-score is the threshold at which showing or
withholding the top extract is right most often on train.

The held-out split is never read here, so scripts/eval.py can report it
honestly. The result is written to qa/rank/ranker.json (or --out).

    python scripts/fit.py [--index DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import select  # noqa: E402
from qa.rank import model  # noqa: E402
from qa.rank.features import NAMES  # noqa: E402
from qa.rank.ranking import candidates  # noqa: E402
from scripts.eval import EVAL, load_questions, opened_index, score  # noqa: E402

REWORDED_GRID = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)  # 0.0: one model for every question
# candidate calibration inputs, smallest first: the ranker's own score (Platt scaling), with the raw
# cosine, with the signs that the corpus lacks the question's words, and with everything
CALIBRATION_SETS = (("relevance_logit",), ("relevance_logit", "dense"),
                    ("relevance_logit", "dense", "missing", "unmatched"), model.CALIBRATION_INPUTS)


def _contains(q: dict, quote: str) -> int:
    return int(q["answerable"] and any(a in quote for a in q["answers"]))


def _overlaps_answer(index, q: dict, row: int) -> int:
    """Positive when an occurrence of an answer substring overlaps the sentence itself."""
    if not q["answerable"]:
        return 0
    text = index.texts[int(index.answer_doc[row])]
    start, end = int(index.answer_start[row]), int(index.answer_end[row])
    for a in q["answers"]:
        at = text.find(a)
        while at >= 0:
            if at < end and at + len(a) > start:
                return 1
            at = text.find(a, at + 1)
    return 0


def relevance_examples(index, questions):
    """Per question: (its overlap, the features of every candidate, which ones overlap an answer).
    Features do not depend on the weights, so they are computed once for every refit."""
    examples = []
    for q in questions:
        ranked = candidates(index, q["question"])
        if ranked:
            x = np.asarray([c.values for c in ranked])
            examples.append((ranked[0].facts.overlap, x, np.asarray([_overlaps_answer(index, q, c.row) for c in ranked])))
    return examples


def fit_listwise(groups, names, l2: float) -> dict[str, float]:
    """Weights that maximise the softmax probability of the answer sentences within each question
    (what hit@1 rewards), then a bias that turns the score into a probability."""
    from scipy.optimize import minimize  # development tools only, never imported by qa

    useful = [(x, y) for x, y in groups if y.any()]

    def loss(w):
        total, grad = l2 * w @ w, 2 * l2 * w
        for x, y in useful:
            s = x @ w
            s = s - s.max()
            p = np.exp(s) / np.exp(s).sum()
            pos = y.astype(bool)
            q = np.exp(s[pos]) / np.exp(s[pos]).sum()
            total -= np.log(np.exp(s[pos]).sum() / np.exp(s).sum())
            grad -= x[pos].T @ q - x.T @ p
        return total, grad

    w = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    x = np.concatenate([g[0] for g in groups]) @ w
    y = np.concatenate([g[1] for g in groups])
    bias = fit(x.reshape(-1, 1), y, ["scale"], C=1.0, balance=3.0)
    weights = {"bias": bias["bias"]}
    weights.update({n: round(float(v * bias["scale"]), 3) for n, v in zip(names, w)})
    return weights


def fit_relevance(ranker: model.Ranker, examples, l2: float, verbose: bool = False) -> None:
    """One listwise model per regime, on that regime's questions and features (in place)."""
    for regime in model.REGIMES:
        names = model.regime_features(regime)
        columns = [NAMES.index(n) for n in names]
        groups = [(x[:, columns], y) for overlap, x, y in examples if ranker.regime(overlap) == regime]
        ranker.regimes[regime] = fit_listwise(groups, names, l2) if groups else {}
        if verbose:
            print(f"relevance, {regime}: {len(groups)} questions, {sum(int(g[1].sum()) for g in groups)} positive sentences")


def calibration_examples(index, questions):
    """Per question, the top extract: positive when it answers (so unanswerable ones are negative)."""
    xs, ys, answerable = [], [], []
    for q in questions:
        ranked = candidates(index, q["question"])
        # with nothing chosen yet, MMR picks the most relevant candidate: the top extract is ranked[0]'s
        result = select.select(index, q["question"], ranked, top_k=1, min_score=0.0, score=lambda c: c.relevance)
        for e in result.extracts:
            values = model.calibration_inputs(ranked[0])
            xs.append([values[n] for n in model.CALIBRATION_INPUTS])
            ys.append(_contains(q, e.quote))
            answerable.append(q["answerable"])
    return np.asarray(xs), np.asarray(ys), np.asarray(answerable)


def _columns(names) -> list[int]:
    return [model.CALIBRATION_INPUTS.index(n) for n in names]


def _scores(x, weights, names) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ np.asarray([weights[n] for n in names]) + weights["bias"])))


def leave_one_out(x, y, names, C: float) -> float:
    """How often the show/withhold decision is right for a question the model and threshold
    were fitted without: the calibration has few examples, so extra features can hurt."""
    x = x[:, _columns(names)]
    right = 0
    for i in range(len(y)):
        rest = np.arange(len(y)) != i
        weights = fit(x[rest], y[rest], names, C)
        threshold = choose_min_score(_scores(x[rest], weights, names), y[rest])
        right += (_scores(x[i : i + 1], weights, names)[0] >= threshold) == bool(y[i])
    return right / len(y)


def choose_min_score(scores: np.ndarray, correct: np.ndarray) -> float:
    """The threshold at which showing the top extract is right most often on the training split:
    shown when it answers, withheld when it does not (wrong quote, or nothing to find). Ties go to
    the lower threshold, which refuses less."""
    cuts = np.unique(np.concatenate([[0.0], np.round(scores, 3)]))
    accuracy = [((scores >= t) == correct.astype(bool)).mean() for t in cuts]
    return float(cuts[int(np.argmax(accuracy))])


def fit(x, y, names, C: float, balance: float = 1.0) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression  # a development tool only, never imported by qa

    model = LogisticRegression(C=C, max_iter=10000, class_weight={0: 1.0, 1: balance})
    model.fit(x, y)
    weights = {"bias": round(float(model.intercept_[0]), 3)}
    weights.update({n: round(float(w), 3) for n, w in zip(names, model.coef_[0])})
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="a built index of corpus/ (default: build one in a temp folder)")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength (calibration)")
    parser.add_argument("--l2", type=float, default=0.1, help="L2 penalty of the listwise relevance model")
    parser.add_argument("--out", type=Path, default=model.FILE, help="where to write the fitted model")
    args = parser.parse_args()
    # fitted in place on the loaded model, which the scoring below uses
    ranker = model.load()
    with opened_index(args.index) as index:
        train = [q for q in load_questions() if q["split"] == "train"]
        examples = relevance_examples(index, train)
        hit1 = {}
        for threshold in REWORDED_GRID:  # the regime boundary: best train hit@1 of the refitted ranking
            object.__setattr__(ranker, "reworded_below", threshold)
            fit_relevance(ranker, examples, args.l2)
            hit1[threshold] = score(index, train, "final", min_score=0.0)["hit@1"]
        object.__setattr__(ranker, "reworded_below", max(REWORDED_GRID, key=lambda t: (hit1[t], -t)))
        print("train hit@1 by reworded_below: " + ", ".join(f"{t}: {h:.3f}" for t, h in hit1.items()))
        print(f"reworded_below = {ranker.reworded_below}")
        fit_relevance(ranker, examples, args.l2, verbose=True)
        print(f"regimes = {ranker.regimes}")
        x, y, answerable = calibration_examples(index, train)
        print(f"calibration: {len(y)} examples, {int(y.sum())} positive")
        accuracy = {names: leave_one_out(x, y, names, args.C) for names in CALIBRATION_SETS}
        for names, acc in accuracy.items():
            print(f"  leave-one-out accuracy {acc:.3f}: {', '.join(names)}")
        names = max(CALIBRATION_SETS, key=lambda n: (accuracy[n], -len(n)))
        object.__setattr__(ranker, "calibration", fit(x[:, _columns(names)], y, names, args.C))
        print(f"calibration = {ranker.calibration}")
        scores = _scores(x[:, _columns(names)], ranker.calibration, names)
        min_score = choose_min_score(scores, y)
        answerable = answerable.astype(bool)
        print(f"min_score = {min_score}")
        print(f"train at that threshold: {(scores[~answerable] < min_score).mean():.3f} of unanswerable refused, "
              f"{(scores[answerable] < min_score).mean():.3f} of answerable refused")
        object.__setattr__(ranker, "min_score", min_score)
        object.__setattr__(ranker, "fitted_on", {"questions": f"{EVAL.relative_to(ROOT)}, split train ({len(train)} questions)",
                                                 "corpus": "corpus/ (5 news articles)", "script": "scripts/fit.py",
                                                 "l2": args.l2, "C": args.C})
        args.out.write_text(json.dumps(ranker.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
