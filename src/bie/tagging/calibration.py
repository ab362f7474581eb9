"""Confidence that means what it says (issue 9, point 7): the tagger's evidence score mapped to the share of
texts a trained reader labels the same way.

The decision chain gives each action a *score* (``settings.confidence`` in the rule pack: how clear the
evidence is, see ``docs/regles.md`` §2.8). The score orders actions within a step but is not a probability:
on real subsidy objects, « à examiner » with a score of 0.2 is right 86 % of the time. The *confidence* shown
to readers is the calibrated score: for the action's decision step and score, the observed accuracy on the
development part of the real labelled corpus (``tests/corpus/real.yaml``, ``partie: dev``), read from
``bie/data/calibration.yaml``.

The fit (:func:`fit`) is deliberately simple and reproducible, so that a reviewer can redo it by hand:

1. per decision step, texts are sorted by score and grouped by equal score;
2. the groups are pooled into a non-decreasing accuracy (pool-adjacent-violators: a higher score never
   gives a lower confidence), then merged into bins of at least ``min_bin`` texts;
3. each step's accuracy is shrunk towards the overall one (Laplace), and each bin's towards its step's,
   with a prior of ``prior_strength`` texts: ``(right + m × parent) / (texts + m)``; a step with one bin
   has its step's confidence, a step no text reached the overall accuracy;
4. the mapping is read as: the first bin whose ``score_max`` is at least the action's score.

The shipped file is refitted with ``bie rules calibrate tests/corpus/real.yaml --output
src/bie/data/calibration.yaml`` whenever the rules change; a test checks it is current.

>>> cal = fit(["none", "none", "little_text"], [0.6, 0.9, 0.2], [False, True, True], min_bin=1)
>>> [b.confidence for b in cal.steps["none"].bins]
[0.47, 0.64]
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import yaml

from bie.resources import load_data

__all__ = [
    "STEP_NAMES",
    "Bin",
    "Calibration",
    "StepCalibration",
    "calibrated_expr",
    "fit",
    "load_calibration",
]

STEP_NAMES: tuple[str, ...] = ("little_text", "contradiction", "aim_lead", "secondary", "ambiguous", "none")
"""The decision steps that are calibrated (a manual decision has a confidence of 1)."""

DEFAULT_PRIOR = 5.0
DEFAULT_MIN_BIN = 10


@dataclass(frozen=True)
class Bin:
    """Texts of one step whose score is at most ``score_max`` (and above the previous bin's)."""

    score_max: float
    confidence: float
    texts: int
    right: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "score_max": self.score_max,
            "confidence": self.confidence,
            "texts": self.texts,
            "right": self.right,
        }


@dataclass(frozen=True)
class StepCalibration:
    """One decision step: how many texts reached it, how many were right, its bins (by rising score)."""

    texts: int
    right: int
    confidence: float
    bins: tuple[Bin, ...]

    def lookup(self, score: float) -> float:
        for b in self.bins:
            if score <= b.score_max:
                return b.confidence
        return self.bins[-1].confidence if self.bins else self.confidence


@dataclass(frozen=True)
class Calibration:
    """A fitted calibration: per decision step, score bins and their confidence."""

    steps: dict[str, StepCalibration]
    texts: int
    right: int
    prior_strength: float = DEFAULT_PRIOR
    min_bin: int = DEFAULT_MIN_BIN
    rules_version: str = ""
    corpus: tuple[str, ...] = ()
    part: str = "dev"
    fitted: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def confidence(self, step: str, score: float) -> float:
        """The calibrated confidence of one action (its decision step and score)."""
        return self.steps[step].lookup(score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules_version": self.rules_version,
            "fitted": self.fitted,
            "corpus": list(self.corpus),
            "part": self.part,
            "texts": self.texts,
            "right": self.right,
            "prior_strength": self.prior_strength,
            "min_bin": self.min_bin,
            "steps": {
                name: {
                    "texts": s.texts,
                    "right": s.right,
                    "confidence": s.confidence,
                    "bins": [b.to_dict() for b in s.bins],
                }
                for name, s in self.steps.items()
            },
        }

    def to_yaml(self) -> str:
        """The calibration as the YAML of ``bie/data/calibration.yaml`` (with its header comment)."""
        header = (
            "# Calibration de la confiance (issue 9, point 7) : pour chaque étape de la décision, la part\n"
            "# de textes bien classés selon le score de preuve, mesurée sur la partie « dev » du corpus\n"
            "# réel étiqueté.\n"
            "# Fichier produit par « bie rules calibrate » : ne pas le modifier à la main (méthode :\n"
            "# bie/tagging/calibration.py et docs/regles.md §2.8).\n"
        )
        body = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=110)
        return header + body


def _shrink(right: float, texts: int, parent: float, m: float) -> float:
    return (right + m * parent) / (texts + m)


def _pav(blocks: list[list[float]]) -> list[list[float]]:
    """Pool adjacent violators on blocks ``[score_max, texts, right]`` (sorted by score)."""
    out: list[list[float]] = []
    for b in blocks:
        out.append(list(b))
        while len(out) > 1 and out[-2][2] / out[-2][1] > out[-1][2] / out[-1][1]:
            last = out.pop()
            out[-1] = [last[0], out[-1][1] + last[1], out[-1][2] + last[2]]
    return out


def _merge_small(blocks: list[list[float]], min_bin: int) -> list[list[float]]:
    out: list[list[float]] = []
    for b in blocks:
        if out and out[-1][1] < min_bin:
            out[-1] = [b[0], out[-1][1] + b[1], out[-1][2] + b[2]]
        else:
            out.append(list(b))
    if len(out) > 1 and out[-1][1] < min_bin:
        last = out.pop()
        out[-1] = [last[0], out[-1][1] + last[1], out[-1][2] + last[2]]
    return out


def fit(
    steps: Sequence[str],
    scores: Sequence[float],
    right: Sequence[bool],
    *,
    prior_strength: float = DEFAULT_PRIOR,
    min_bin: int = DEFAULT_MIN_BIN,
) -> Calibration:
    """Fit the calibration on labelled texts: each text's decision step, score and whether it was right."""
    if not len(steps) == len(scores) == len(right):
        raise ValueError("fit: steps, scores and right must have the same length")
    unknown = sorted(set(steps) - set(STEP_NAMES))
    if unknown:
        raise ValueError(f"fit: unknown decision steps {unknown}")
    n, c = len(steps), sum(bool(r) for r in right)
    overall = (c + 1) / (n + 2)  # Laplace: no text at all gives one half
    m = float(prior_strength)
    fitted: dict[str, StepCalibration] = {}
    for name in STEP_NAMES:
        rows = sorted(
            (round(float(s), 2), bool(r)) for st, s, r in zip(steps, scores, right, strict=True) if st == name
        )
        texts, ok = len(rows), sum(r for _, r in rows)
        step_conf = round(_shrink(ok, texts, overall, m), 2)
        blocks: list[list[float]] = []
        for score, ok_row in rows:
            if blocks and blocks[-1][0] == score:
                blocks[-1][1] += 1
                blocks[-1][2] += int(ok_row)
            else:
                blocks.append([score, 1, int(ok_row)])
        pooled = _merge_small(_pav(blocks), max(1, min_bin)) if blocks else []
        bins: list[Bin] = []
        floor = 0.0
        for k, (score_max, t, r) in enumerate(pooled):
            # one bin holds the whole step: its confidence is the step's (not shrunk twice)
            conf = step_conf if len(pooled) == 1 else max(floor, round(_shrink(r, int(t), step_conf, m), 2))
            floor = conf
            top = 1.0 if k == len(pooled) - 1 else score_max
            bins.append(Bin(score_max=top, confidence=conf, texts=int(t), right=int(r)))
        if not bins:
            bins.append(Bin(score_max=1.0, confidence=step_conf, texts=0, right=0))
        fitted[name] = StepCalibration(texts=texts, right=ok, confidence=step_conf, bins=tuple(bins))
    return Calibration(steps=fitted, texts=n, right=c, prior_strength=m, min_bin=min_bin)


def from_dict(data: dict[str, Any]) -> Calibration:
    steps = {
        str(name): StepCalibration(
            texts=int(s["texts"]),
            right=int(s["right"]),
            confidence=float(s["confidence"]),
            bins=tuple(
                Bin(float(b["score_max"]), float(b["confidence"]), int(b["texts"]), int(b["right"]))
                for b in s["bins"]
            ),
        )
        for name, s in data["steps"].items()
    }
    missing = sorted(set(STEP_NAMES) - set(steps))
    if missing:
        raise ValueError(f"calibration: steps missing {missing}")
    return Calibration(
        steps=steps,
        texts=int(data["texts"]),
        right=int(data["right"]),
        prior_strength=float(data["prior_strength"]),
        min_bin=int(data["min_bin"]),
        rules_version=str(data.get("rules_version", "")),
        corpus=tuple(str(c) for c in data.get("corpus") or ()),
        part=str(data.get("part", "dev")),
        fitted=str(data.get("fitted", "")),
    )


@functools.lru_cache(maxsize=1)
def load_calibration() -> Calibration:
    """The calibration shipped in ``bie/data/calibration.yaml``."""
    return from_dict(load_data("calibration.yaml"))


def calibrated_expr(step: pl.Expr, score: pl.Expr, calibration: Calibration | None = None) -> pl.Expr:
    """The calibrated confidence of every action, from its decision step and score columns."""
    cal = calibration or load_calibration()
    chain: Any = None
    for name in STEP_NAMES:
        for b in cal.steps[name].bins[:-1]:
            cond = (step == name) & (score <= b.score_max)
            chain = (
                pl.when(cond).then(pl.lit(b.confidence))
                if chain is None
                else chain.when(cond).then(b.confidence)
            )
        last = cal.steps[name].bins[-1].confidence
        cond = step == name
        chain = pl.when(cond).then(pl.lit(last)) if chain is None else chain.when(cond).then(last)
    result: pl.Expr = chain.otherwise(pl.lit(None, pl.Float64)).cast(pl.Float64)
    return result


def today() -> str:
    return dt.date.today().isoformat()
