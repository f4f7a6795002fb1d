"""Fit the value scorer (qa/answer/values.json) on SQuAD's training articles.

Every SQuAD question that asks for a kind of value (question.asks: a figure, a date,
a person, a place...) gives examples: the values qa.answer.values.candidates finds in
its answer sentence, positive when they overlap an accepted answer span, and in the
NEGATIVES best ranked sentences holding no answer span, positive only when they read
as an answer; of these sentences, only those at or above the default --min-score, the
ones claims read. A logistic regression over
values.features is fitted on the training articles but VALIDATION of them; the
acceptance threshold is chosen on those VALIDATION articles: the lowest probability
at which the values qa would show (each sentence's best) are right at least
PRECISION of the time, since the who-says-what table would rather show nothing than
a wrong figure. The held-out articles (evalsets.squad_split) are scored once, at
the end, and only reported.

    python scripts/fit_values.py [--out FILE] [--work DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import api  # noqa: E402
from qa.answer import values  # noqa: E402
from qa.index.notes import fold  # noqa: E402
from qa.pipeline import ranked  # noqa: E402
from qa.rank import model  # noqa: E402
from qa.retrieve.query import read_question  # noqa: E402
from scripts import evalsets  # noqa: E402
from scripts.fit import overlaps  # noqa: E402

VALIDATION = 4  # training articles held out to choose the threshold (the first by sha256 of their name)
PRECISION = 0.75  # the share of accepted values that must be right on the validation articles (SQuAD marks one
# answer span per question, so a right value worded otherwise counts wrong there)
C = 1.0  # inverse L2 strength of the logistic regression
NEGATIVES = 4  # ranked sentences holding no answer, per question: the values claims would read there are wrong


def answer_row(index, path: str, start: int) -> int | None:
    """The index row (sentence) holding a document offset."""
    n = next((i for i, d in enumerate(index.documents) if d.path == path), None)
    if n is None:
        return None
    rows = np.flatnonzero(index.answer_doc == n)
    hit = rows[(index.answer_start[rows] <= start) & (start < index.answer_end[rows])]
    return int(hit[0]) if len(hit) else None


@dataclass(frozen=True)
class Group:
    """One question's candidates in one sentence: features, labels, and whether it is the answer sentence."""

    question: int
    x: np.ndarray
    y: np.ndarray
    answer: bool


def sentences(index, questions, work: Path) -> dict[str, list[tuple[int, float]]]:
    """Per question: its answer sentence (when qa's ranking finds it) and the NEGATIVES best ranked sentences that
    hold no answer, each with its calibrated score; cached in `work` per question set and ranker."""
    ranker = model.load()
    cache = work / f"values-sentences-{sha256(model.FILE)[:12]}.json"
    known = json.loads(cache.read_text()) if cache.is_file() else {}
    for q in questions:
        if q.id in known:
            continue
        path, start, _end = q.spans[0]
        row = answer_row(index, path, start)
        found = ranked(index, q.question)
        answer = [(c.row, ranker.calibrated(c)) for c in found if c.row == row]
        others = [(c.row, ranker.calibrated(c)) for c in found if c.row != row and not overlaps(index, q, c.row)]
        known[q.id] = answer + others[:NEGATIVES]
    cache.write_text(json.dumps(known))
    return known


def examples(index, questions, ranked_sentences: dict[str, list[tuple[int, float]]]) -> list[Group]:
    """Per question that asks for a kind of value: the candidates of its answer sentence, and those of the
    best ranked sentences that hold no answer (every value there is a wrong one)."""
    out, bar = [], model.load().min_score
    for n, q in enumerate(questions):
        query = read_question(index, q.question)
        if not query.asked.wants:
            continue
        texts = {d.path: index.texts[i] for i, d in enumerate(index.documents) if d.path in {pa for pa, _s, _e in q.spans}}
        answers = {fold(texts[pa][s:e]) for pa, s, e in q.spans}
        for row, score in ranked_sentences[q.id]:
            if score < bar:
                continue  # claims read only the sentences qa would quote
            p = index.passage(row)
            found = values.candidates(p, query.asked)
            if found:  # a value is right where an answer stands, and where another sentence gives the same one
                y = np.asarray([any(pa == p.citation.path and s < v.end and v.start < e for pa, s, e in q.spans)
                                or fold(p.words(v.start, v.end)) in answers for v in found], dtype=float)
                right = any(pa == p.citation.path and s < p.start + len(p.text) and p.start < e for pa, s, e in q.spans)
                out.append(Group(n, values.features(index, query, p, found, score), y, right))
    return out


def _best(scorer: values.Scorer, groups: list[Group]) -> list[tuple[float, float]]:
    """Per sentence: the probability of its most probable value, and whether that value is right."""
    out = []
    for g in groups:
        p = scorer.probabilities(g.x)
        out.append((float(p.max()), float(g.y[int(np.argmax(p))])))
    return out


def report(scorer: values.Scorer, groups: list[Group], threshold: float) -> dict:
    """Top-1 accuracy over the answer sentences that hold the answer among their candidates; the precision
    of the values accepted at the threshold (each sentence's best, answer sentences and ranked others
    alike) and the share of those answer sentences whose answer is accepted."""
    answering = [g for g in groups if g.answer and g.y.any()]
    top1 = [right for _p, right in _best(scorer, answering)]
    accepted = [right for p, right in _best(scorer, groups) if p >= threshold]
    return {"questions": len({g.question for g in groups}), "answer among candidates": len(answering),
            "sentences": len(groups), "top-1 accuracy": round(float(np.mean(top1)), 3) if top1 else None,
            "accepted": len(accepted), "precision": round(float(np.mean(accepted)), 3) if accepted else None,
            "recall": round(sum(accepted) / max(1, len(answering)), 3)}


def choose_threshold(scorer: values.Scorer, groups: list[Group]) -> float:
    """The lowest threshold at which each sentence's best value, when accepted, is right PRECISION of the time."""
    best = sorted(_best(scorer, groups), reverse=True)
    chosen, right = 1.0, 0.0
    for n, (p, ok) in enumerate(best, 1):
        right += ok
        if right / n >= PRECISION:
            chosen = p
    return round(chosen, 3)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    from sklearn.linear_model import LogisticRegression  # a development tool only

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=values.FILE, help="where to write the fitted scorer")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-eval"), help="folder for the cached SQuAD index")
    parser.add_argument("--curve", action="store_true", help="print validation precision and recall by threshold")
    args = parser.parse_args()

    index = api.open_index(evalsets.index_for("squad", args.work))
    squad = evalsets.load("squad")
    train_articles = sorted({q.spans[0][0] for q in squad if q.split == "train"})
    validation = sorted(train_articles, key=lambda a: hashlib.sha256(a.encode()).hexdigest())[:VALIDATION]
    parts = {"train": [q for q in squad if q.split == "train" and q.spans[0][0] not in validation],
             "validation": [q for q in squad if q.spans[0][0] in validation],
             "heldout": [q for q in squad if q.split == "heldout"]}
    ranked_sentences = sentences(index, squad, args.work)
    groups = {name: examples(index, qs, ranked_sentences) for name, qs in parts.items()}
    x = np.concatenate([g.x for g in groups["train"]])
    y = np.concatenate([g.y for g in groups["train"]])
    fitted = LogisticRegression(C=C, max_iter=10000).fit(x, y)
    weights = {"bias": round(float(fitted.intercept_[0]), 4),
               **{n: round(float(w), 4) for n, w in zip(values.NAMES, fitted.coef_[0])}}
    threshold = choose_threshold(values.Scorer(weights, 0.5, {}), groups["validation"])
    if args.curve:
        for t in np.arange(0.2, 0.9, 0.05):
            print(f"  threshold {t:.2f}: validation {report(values.Scorer(weights, t, {}), groups['validation'], t)}")
    scorer = values.Scorer(weights, threshold, {})
    figures = {name: report(scorer, g, threshold) for name, g in groups.items()}
    print(json.dumps({"weights": weights, "threshold": threshold, "figures": figures}, indent=1), flush=True)
    squad_dir = evalsets.SQUAD
    fitted_on = {
        "data": {"squad": "../shared/bench/squad (SQuAD v1.1 dev, half; CC BY-SA 4.0), split by article",
                 "files": {f: sha256(squad_dir / f) for f in ("questions.jsonl",)},
                 "corpus_sha256": hashlib.sha256(b"".join(sha256(p).encode() for p in sorted((squad_dir / "corpus").glob("*")))).hexdigest(),
                 "articles_train": len(train_articles) - len(validation), "articles_validation": validation,
                 "articles_heldout": "evalsets.squad_split(path) == 'heldout', scored once at the end",
                 "model": index.manifest["model"]},  # its word vectors and scores come from this export (qa.embed.cache)
        "recipe": ("per SQuAD question that asks for a kind of value, the candidates of values.candidates in its answer "
                   f"sentence, positive when they overlap an accepted answer, and in the {NEGATIVES} best ranked sentences "
                   "that hold no answer, negative unless they read as an answer; only sentences at or above the default "
                   "--min-score (those claims read); sklearn LogisticRegression "
                   f"(C={C}) over values.features; threshold: the lowest at which each validation sentence's best value, "
                   f"when accepted, is right at least {PRECISION:.0%} of the time"),
        "figures": figures,
        "script": "scripts/fit_values.py"}
    args.out.write_text(json.dumps(values.Scorer(weights, threshold, fitted_on).to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
