"""The fitted answer model, read from a versioned data file and checked against the feature table.

`ranker.json` holds two listwise logistic relevance models (questions worded like
the text, and reworded ones: no candidate covers `reworded_below` of the question's
IDF-weighted terms, so exact-word matches there are mostly on the wrong words),
the calibration that turns a top candidate's relevance into the score that
--min-score and refusal use, the default --min-score, and what it was all fitted
on. scripts/fit.py writes it; nothing fitted lives in Python source.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.errors import QAError
from qa.rank.features import LEXICAL, NAMES, QuestionFacts

FILE = Path(__file__).with_name("ranker.json")
FORMAT = "qa-ranker"
FORMAT_VERSION = 1
REGIMES = ("worded_alike", "reworded")
# inputs the calibration may use; relevance_logit is the ranking score's logit
READER_BLEND = ("top_n", "bias", "reader", "ranking")  # the reader reads the ranking's best top_n
CALIBRATION_INPUTS = ("relevance_logit", "dense", "coverage", "soft", "missing", "unmatched", "type_none")


@dataclass(frozen=True)
class Candidate:
    row: int  # answer row (BM25 row)
    values: tuple[float, ...]  # one per features.NAMES
    facts: QuestionFacts
    relevance: float = 0.0

    def get(self, name: str) -> float:
        return self.values[NAMES.index(name)]


@dataclass(frozen=True)
class Ranker:
    regimes: dict  # regime -> {"bias": b, feature: weight, ...}
    reworded_below: float
    calibration: dict  # {"bias": b, input: weight, ...}
    min_score: float
    fitted_on: dict
    reader: dict = field(default_factory=dict)  # {"top_n", "bias", "reader", "ranking"}: the blend; empty: no reader

    @classmethod
    def from_dict(cls, data: dict, source: str = "ranker.json") -> Ranker:
        """Parse and check a ranker: every weight must name a feature this code defines."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise QAError(f"{source} is not a {FORMAT} file of version {FORMAT_VERSION}")
        if set(data.get("features", ())) != set(NAMES):
            raise QAError(f"{source} was fitted on other features than this qa defines; refit it with scripts/fit.py")
        regimes = data.get("regimes", {})
        if set(regimes) != set(REGIMES):
            raise QAError(f"{source} must define the regimes {', '.join(REGIMES)}")
        for name, weights in regimes.items():
            allowed = set(regime_features(name)) | {"bias"}
            unknown = set(weights) - allowed
            if unknown:
                raise QAError(f"{source}: regime {name} weighs {', '.join(sorted(unknown))}, not features of this qa")
        unknown = set(data.get("calibration", {})) - set(CALIBRATION_INPUTS) - {"bias"}
        if unknown:
            raise QAError(f"{source}: calibration uses unknown inputs {', '.join(sorted(unknown))}")
        reader = data.get("reader") or {}
        if reader and set(reader) != set(READER_BLEND):
            raise QAError(f"{source}: the reader blend must give {', '.join(READER_BLEND)}")
        return cls(regimes, float(data["reworded_below"]), data["calibration"], float(data["min_score"]),
                   data.get("fitted_on", {}), reader)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "features": list(NAMES),
                "regimes": self.regimes, "reworded_below": self.reworded_below, "calibration": self.calibration,
                "min_score": self.min_score, "fitted_on": self.fitted_on, "reader": self.reader}

    def regime(self, overlap: float) -> str:
        return "reworded" if overlap < self.reworded_below else "worded_alike"

    def relevance(self, matrix: np.ndarray, facts: QuestionFacts) -> np.ndarray:
        weights = self.regimes[self.regime(facts.overlap)]
        z = weights.get("bias", 0.0) + matrix @ np.asarray([weights.get(name, 0.0) for name in NAMES])
        return 1.0 / (1.0 + np.exp(-z))

    def blended(self, reader_logits: np.ndarray, relevance: np.ndarray) -> np.ndarray:
        """The relevance of the candidates the reader read: its logit and the ranking's, weighed as fitted."""
        p = np.clip(relevance, 1e-6, 1 - 1e-6)
        z = self.reader["bias"] + self.reader["reader"] * reader_logits + self.reader["ranking"] * np.log(p / (1 - p))
        return 1.0 / (1.0 + np.exp(-z))

    def calibrated(self, c: Candidate) -> float:
        """The calibrated score of a candidate; an input without a weight is not used."""
        values = calibration_inputs(c)
        z = self.calibration["bias"] + sum(self.calibration.get(n, 0.0) * values[n] for n in CALIBRATION_INPUTS)
        return 1.0 / (1.0 + math.exp(-z))


def regime_features(name: str) -> tuple[str, ...]:
    return tuple(f for f in NAMES if name == "worded_alike" or f not in LEXICAL)


def calibration_inputs(c: Candidate) -> dict[str, float]:
    p = min(max(c.relevance, 1e-6), 1 - 1e-6)
    return {"relevance_logit": math.log(p / (1 - p)), "dense": c.get("dense"), "coverage": c.get("coverage"),
            "soft": c.get("soft"), "missing": c.facts.missing, "unmatched": c.facts.unmatched,
            "type_none": c.get("type_none")}


def blank() -> Ranker:
    """A model with no weights (every candidate alike), the starting point of scripts/fit.py."""
    return Ranker({name: {"bias": 0.0} for name in REGIMES}, 0.0, {"bias": 0.0}, 0.0, {})


def read(path: Path, what: str) -> dict:
    """A fitted model's JSON file, or a one-line error naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise QAError(f"cannot read the {what} {path}: {exc}") from None


@functools.cache
def load(path: Path = FILE) -> Ranker:
    return Ranker.from_dict(read(path, "answer model"), path.name)
