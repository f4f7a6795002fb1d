"""Fit the answer model (qa/rank/ranker.json) on SQuAD's training articles and the own sets' training split.

Relevance: every candidate sentence of every training question is an example,
positive when it overlaps an answer (an accepted SQuAD span in the same document, or
an answer string of an own-set question). One listwise logistic model maximises the
softmax probability of the answer sentences within each question, which is what
hit@1 rewards; the own sets' questions weigh OWN_WEIGHT times a SQuAD question, so
that the news questions count for about a fifth of the loss. The boundary between
the two regimes (questions worded like the text and reworded ones) is chosen on
SQuAD's validation articles among REWORDED_GRID (0.0: one model for all).

Calibration: the top extract of every training question is an example, positive
when it answers (so never for an unanswerable one). Platt scaling of its relevance,
with the question-level signs that the corpus lacks what is asked (CALIBRATION_SETS,
the set with the best validation log-loss). The default --min-score is the highest
threshold that refuses at most MAX_REFUSED of the answerable training questions of
every set: refusing an answerable question is the error a reader can least recover from.

The own sets' held-out split is never read here, and neither is anything of the
SQuAD validation articles but the scores that choose between the grid's models.

    python scripts/fit.py [--out FILE] [--sample N]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import api  # noqa: E402
from qa.answer import select  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.pipeline import ranked as candidates  # noqa: E402
from qa.rank import model  # noqa: E402
from qa.rank.features import NAMES  # noqa: E402
from qa.rank.ranking import blend_reader  # noqa: E402
from scripts import evalsets  # noqa: E402
from scripts.eval import score  # noqa: E402

REWORDED_GRID = (0.0, 0.3, 0.4)
REGIME_MARGIN = 0.005  # SQuAD validation hit@1 a second regime must add to be kept
OWN_WEIGHT = 5.0
MAX_REFUSED = 0.03
L2 = 0.1
READER_POOL = 20  # candidates the reader is fitted on
READER_GRID = (8, 12, 16, 20)
READER_MARGIN = 0.003
CALIBRATION_SETS = (("relevance_logit",), ("relevance_logit", "dense"), ("relevance_logit", "missing", "unmatched"),
                    ("relevance_logit", "dense", "missing", "unmatched", "type_none"))


def overlaps(index, q: evalsets.Question, row: int) -> int:
    """Positive when an answer overlaps the candidate sentence itself."""
    n = int(index.answer_doc[row])
    start, end = int(index.answer_start[row]), int(index.answer_end[row])
    if q.spans:
        path = index.documents[n].path
        return int(any(p == path and s < end and e > start for p, s, e in q.spans))
    text = index.texts[n]
    for a in q.answers:
        at = text.find(a)
        while at >= 0:
            if at < end and at + len(a) > start:
                return 1
            at = text.find(a, at + 1)
    return 0


class Examples:
    """Per question: its candidates' features and labels, and its top extract (for calibration)."""

    def __init__(self, index, questions, weight: float):
        self.index, self.questions, self.weight = index, questions, weight
        self.groups = []  # (overlap, x, y)
        for q in questions:
            ranked = candidates(index, q.question)
            if ranked:
                x = np.asarray([c.values for c in ranked])
                self.groups.append((ranked[0].facts.overlap, x, np.asarray([overlaps(index, q, c.row) for c in ranked])))
            else:
                self.groups.append((0.0, np.zeros((0, len(NAMES))), np.zeros(0)))


def fit_listwise(groups, weights, names, l2: float) -> dict[str, float]:
    """Weights that maximise the softmax probability of each question's answer sentences, then a bias
    that makes the score a probability."""
    columns = [NAMES.index(n) for n in names]
    return listwise([(x[:, columns], y) for x, y in groups], weights, names, l2)


def listwise(groups, weights, names, l2: float) -> dict[str, float]:
    """fit_listwise over groups whose columns are `names`."""
    from scipy.optimize import minimize  # development tools only, never imported by qa

    useful = [(x, y, w) for (x, y), w in zip(groups, weights) if y.any()]

    def loss(beta):
        total, grad = l2 * beta @ beta, 2 * l2 * beta
        for x, y, w in useful:
            s = x @ beta
            s = s - s.max()
            p = np.exp(s) / np.exp(s).sum()
            pos = y.astype(bool)
            qp = np.exp(s[pos]) / np.exp(s[pos]).sum()
            total -= w * np.log(np.exp(s[pos]).sum() / np.exp(s).sum())
            grad -= w * (x[pos].T @ qp - x.T @ p)
        return total, grad

    beta = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    z = np.concatenate([x @ beta for (x, _y), _w in zip(groups, weights)])
    y = np.concatenate([y for (_x, y), _w in zip(groups, weights)])
    bias, slope = _platt(z.reshape(-1, 1), y)
    return {"bias": round(bias, 3), **{n: round(float(v * slope[0]), 3) for n, v in zip(names, beta)}}


def _platt(x: np.ndarray, y: np.ndarray, balance: float = 3.0) -> tuple[float, np.ndarray]:
    from sklearn.linear_model import LogisticRegression  # a development tool only

    fitted = LogisticRegression(C=1.0, max_iter=10000, class_weight={0: 1.0, 1: balance}).fit(x, y)
    return float(fitted.intercept_[0]), fitted.coef_[0]


def fit_relevance(ranker: model.Ranker, train: list[Examples]) -> None:
    """One listwise model per regime, on that regime's questions (in place)."""
    for regime in model.REGIMES:
        groups, weights = [], []
        for ex in train:
            for overlap, x, y in ex.groups:
                if len(y) and ranker.regime(overlap) == regime:
                    groups.append((x, y))
                    weights.append(ex.weight)
        ranker.regimes[regime] = fit_listwise(groups, weights, model.regime_features(regime), L2) if groups else {"bias": 0.0}


class Ranked:
    """Per question of a set: qa's ranking without the reader, computed once, and the reader's logits for
    its best READER_POOL, so that the blend and the calibration are fitted without asking again."""

    def __init__(self, index, questions, weight: float = 1.0, reader: bool = True):
        from qa.reader import model as reader_model

        self.index, self.questions, self.weight = index, questions, weight
        self.ranked = [candidates(index, q.question) for q in questions]
        self.logits = [reader_model.load().logits(q.question, [index.passage(c.row).text for c in r[:READER_POOL]])
                       if reader and r else np.zeros(0) for q, r in zip(questions, self.ranked)]

    def groups(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per question: the reader's logit and the ranking's for the ranking's best, and the labels."""
        out = []
        for q, ranked, logits in zip(self.questions, self.ranked, self.logits):
            if ranked:
                p = np.clip([c.relevance for c in ranked[:READER_POOL]], 1e-6, 1 - 1e-6)
                y = np.asarray([overlaps(self.index, q, c.row) for c in ranked[:READER_POOL]])
                out.append((np.column_stack([logits, np.log(p / (1 - p))]), y))
        return out

    def final(self, i: int, ranker: model.Ranker) -> list:
        """Question i's candidates as qa orders them with this ranker (the reader's blend, if it has one)."""
        if not ranker.reader or not self.ranked[i]:
            return self.ranked[i]
        logits = self.logits[i]

        class Cached:
            def logits(self, _question, sentences):
                return logits[: len(sentences)]

        return blend_reader(self.index, self.questions[i].question, self.ranked[i], ranker, Cached())


def _hit1(groups, weights: dict, top_n: int) -> float:
    """hit@1 of the blend on the reader's first top_n, the ranking's order after them."""
    hits = 0
    for x, y in groups:
        z = weights["reader"] * x[:top_n, 0] + weights["ranking"] * x[:top_n, 1]
        hits += int(y[int(np.argmax(z))]) if len(z) else 0
    return hits / max(1, len(groups))


def fit_reader(train: list[Ranked], valid: Ranked) -> tuple[dict, dict]:
    """The blend of the reader's logit with the ranking's, and how many candidates the reader reads
    (the fewest whose SQuAD validation hit@1 is within READER_MARGIN of the best: each costs time)."""
    groups = [(g, ex.weight) for ex in train for g in ex.groups()]
    held = valid.groups()
    fitted, report = {}, {"ranking alone": round(_hit1(held, {"reader": 0.0, "ranking": 1.0}, 1), 4)}
    for top_n in READER_GRID:
        weights = listwise([(x[:top_n], y[:top_n]) for (x, y), _w in groups], [w for _g, w in groups], ("reader", "ranking"), L2)
        fitted[top_n] = {"top_n": top_n, **weights}
        report[top_n] = round(_hit1(held, weights, top_n), 4)
        print(f"  reader on the best {top_n}: SQuAD validation hit@1 {report[top_n]:.3f} "
              f"(ranking alone {report['ranking alone']:.3f})", flush=True)
    best = max(v for k, v in report.items() if k in READER_GRID)
    top_n = min(n for n in READER_GRID if report[n] >= best - READER_MARGIN)
    return fitted[top_n], report


def top_examples(ex: Ranked, ranker: model.Ranker) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question, the calibration inputs of its top extract, whether it answers, and whether it is answerable."""
    xs, ys, answerable = [], [], []
    for i, q in enumerate(ex.questions):
        ranked = ex.final(i, ranker)
        result = select.select(ex.index, q.question, ranked, top_k=1, min_score=0.0, score=lambda c: c.relevance)
        if not ranked or not result.extracts:
            continue
        values = model.calibration_inputs(ranked[0])
        xs.append([values[n] for n in model.CALIBRATION_INPUTS])
        ys.append(int(q.answered_by(result.extracts[0])))
        answerable.append(q.answerable)
    return np.asarray(xs), np.asarray(ys), np.asarray(answerable, dtype=bool)


def _logloss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def calibrate(squad: tuple, own: list[tuple], valid: tuple) -> tuple[dict, dict]:
    """The calibration input set with the best held-out log-loss, fitted on all training tops. Held out:
    SQuAD's validation articles (answerable only), and the own sets in 5 folds (they hold the
    unanswerable questions the corpus-lacks-it inputs are for); the two count equally."""
    from sklearn.linear_model import LogisticRegression

    x = np.concatenate([squad[0], *(o[0] for o in own)])
    y = np.concatenate([squad[1], *(o[1] for o in own)])
    ox, oy = np.concatenate([o[0] for o in own]), np.concatenate([o[1] for o in own])
    folds = np.arange(len(oy)) % 5
    best, report = None, {}
    for names in CALIBRATION_SETS:
        cols = [model.CALIBRATION_INPUTS.index(n) for n in names]
        fitted = LogisticRegression(C=1.0, max_iter=10000).fit(x[:, cols], y)
        on_squad = _logloss(fitted.predict_proba(valid[0][:, cols])[:, 1], valid[1])
        held = np.zeros(len(oy))
        for k in range(5):
            rest = np.concatenate([squad[0][:, cols], ox[folds != k][:, cols]]), np.concatenate([squad[1], oy[folds != k]])
            held[folds == k] = LogisticRegression(C=1.0, max_iter=10000).fit(*rest).predict_proba(ox[folds == k][:, cols])[:, 1]
        loss = (on_squad + _logloss(held, oy)) / 2
        report[", ".join(names)] = round(loss, 4)
        weights = {"bias": round(float(fitted.intercept_[0]), 3), **{n: round(float(w), 3) for n, w in zip(names, fitted.coef_[0])}}
        if best is None or loss < best[0]:
            best = (loss, weights)
    assert best is not None
    return best[1], report


def calibrated(weights: dict, x: np.ndarray) -> np.ndarray:
    z = weights["bias"] + sum(weights.get(n, 0.0) * x[:, i] for i, n in enumerate(model.CALIBRATION_INPUTS))
    return 1 / (1 + np.exp(-z))


def choose_min_score(weights: dict, sets: dict[str, tuple]) -> tuple[float, dict]:
    """The highest threshold refusing at most MAX_REFUSED of every training set's answerable questions."""
    limit = 1.0
    for x, _y, answerable in sets.values():
        scores = np.sort(calibrated(weights, x[answerable]))
        allowed = math.floor(MAX_REFUSED * len(scores))  # refusing this many is within budget
        limit = min(limit, float(scores[allowed]) if allowed < len(scores) else 1.0)
    threshold = math.floor(limit * 1000) / 1000
    effect = {}
    for name, (x, _y, answerable) in sets.items():
        s = calibrated(weights, x)
        effect[name] = {"answerable refused": round(float((s[answerable] < threshold).mean()), 3),
                        "unanswerable refused": round(float((s[~answerable] < threshold).mean()), 3) if (~answerable).any() else None}
    return threshold, effect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=model.FILE, help="where to write the fitted model")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-eval"), help="folder for the cached indexes")
    parser.add_argument("--no-reader", action="store_true", help="fit the ranking alone (no reader blend)")
    parser.add_argument("--reader-only", action="store_true", help="keep the fitted ranking; fit the reader's blend, "
                        "the calibration and --min-score")
    parser.add_argument("--sample", type=int, help="at most this many SQuAD questions per split (a quicker, rougher fit)")
    args = parser.parse_args()

    squad_index = api.open_index(evalsets.index_for("squad", args.work))
    seed_index = api.open_index(evalsets.index_for("eval", args.work))
    squad = evalsets.load("squad")
    squad_train = [q for q in squad if q.split == "train"]
    squad_valid = [q for q in squad if q.split == "heldout"]
    if args.sample:
        rng = np.random.default_rng(0)
        squad_train = [squad_train[i] for i in sorted(rng.choice(len(squad_train), min(args.sample, len(squad_train)), replace=False))]
        squad_valid = [squad_valid[i] for i in sorted(rng.choice(len(squad_valid), min(args.sample, len(squad_valid)), replace=False))]
    own = {name: [q for q in evalsets.load(name) if q.split == "train"] for name in ("eval", "short")}
    print(f"fitting on {len(squad_train)} SQuAD training questions and {sum(map(len, own.values()))} own training questions; "
          f"validating on {len(squad_valid)} SQuAD questions of other articles", flush=True)

    try:
        ranker = model.load()  # fitted in place: the scoring below goes through it
    except QAError as exc:  # fitted on other features: start from nothing
        if args.reader_only:
            raise SystemExit(f"--reader-only needs a fitted ranking: {exc}") from None
        print(f"starting from a blank model ({exc})")
        ranker = model.blank()
        model.load = lambda path=model.FILE: ranker  # type: ignore[assignment]
    object.__setattr__(ranker, "reader", {})  # the ranking is fitted first, then the reader's blend on top of it
    if not args.reader_only:
        train = [Examples(squad_index, squad_train, 1.0), *(Examples(seed_index, qs, OWN_WEIGHT) for qs in own.values())]
        hit1 = {}
        for threshold in REWORDED_GRID:
            object.__setattr__(ranker, "reworded_below", threshold)
            fit_relevance(ranker, train)
            hit1[threshold] = score(squad_index, squad_valid, "final", min_score=0.0)["hit@1"]
            print(f"  reworded_below {threshold}: SQuAD validation hit@1 {hit1[threshold]:.3f}", flush=True)
        # two regimes only when they beat one by more than noise: a model that is not needed is not kept
        best = max(REWORDED_GRID, key=lambda t: (hit1[t] - (REGIME_MARGIN if t > 0 else 0.0), -t))
        object.__setattr__(ranker, "reworded_below", best)
        fit_relevance(ranker, train)
        print(f"regimes = {json.dumps(ranker.regimes)}")
    with_reader = not args.no_reader
    if with_reader:
        # the reader's scores on questions it was trained on are overconfident: its blend and the calibration
        # are fitted on the training articles it was not trained on (its validation articles)
        unseen = set(json.loads((ROOT / "qa" / "reader" / "reader.json").read_text())["data"]["squad"]["articles_validation"])
        squad_train = [q for q in squad_train if q.spans[0][0] in unseen]
        print(f"the reader's blend and the calibration: {len(squad_train)} SQuAD questions of {', '.join(sorted(unseen))}", flush=True)
    ranked = {"squad": Ranked(squad_index, squad_train, 1.0, with_reader),
              **{name: Ranked(seed_index, qs, OWN_WEIGHT, with_reader) for name, qs in own.items()}}
    valid = Ranked(squad_index, squad_valid, 1.0, with_reader)
    if with_reader:
        blend, reader_report = fit_reader(list(ranked.values()), valid)
        object.__setattr__(ranker, "reader", blend)
        print(f"reader = {json.dumps(blend)}", flush=True)
    tops = {name: top_examples(r, ranker) for name, r in ranked.items()}
    valid_tops = top_examples(valid, ranker)
    weights, report = calibrate(tops["squad"], [tops[name] for name in own], valid_tops)
    print(f"calibration held-out log-loss by inputs: {report}")
    object.__setattr__(ranker, "calibration", weights)
    threshold, effect = choose_min_score(weights, tops)
    object.__setattr__(ranker, "min_score", threshold)
    print(f"calibration = {weights}\nmin_score = {threshold}; on the training sets: {effect}")
    fitted_on = dict(ranker.fitted_on) if args.reader_only else {
        "squad": f"{len(squad_train)} questions of the SQuAD training articles (../shared/bench/squad, split by article)",
        "own": {name: f"tests/data/{name}.jsonl, split train ({len(qs)} questions) over corpus/" for name, qs in own.items()},
        "own_weight": OWN_WEIGHT, "l2": L2, "reworded_below_chosen_by": "SQuAD validation hit@1"}
    fitted_on.pop("reader", None)
    if with_reader:
        fitted_on["reader"] = (f"qa/reader/reader.json; blend and calibration fitted on {len(squad_train)} questions of the SQuAD "
                               "training articles the reader was not trained on and the own sets' training split; top_n the "
                               f"fewest within {READER_MARGIN} of the best validation hit@1 among {list(READER_GRID)}: {reader_report}")
    fitted_on.update({"min_score_rule": f"highest threshold refusing at most {MAX_REFUSED:.0%} of each training set's answerable questions",
                      "script": "scripts/fit.py" + (" --reader-only" if args.reader_only else "")})
    object.__setattr__(ranker, "fitted_on", fitted_on)
    args.out.write_text(json.dumps(ranker.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
