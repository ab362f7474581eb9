"""Issue 9, point 5: would a small statistical second opinion help the rules? A measurement, not a feature.

A Bernoulli naive Bayes over folded words and word pairs (title, objectives, description and carrier) is
trained on the hand-written ``dev`` cases plus four fifths of the real ``dev`` texts, and predicts the fifth
left out (5 folds, fixed seed). It reads the ``dev`` parts only: the ``test`` parts are never touched.

It prints, on the real ``dev`` texts:

- macro-F1 and accuracy of the rules, of the model alone, and of the rules with every rule/model
  disagreement sent to « à examiner » (only when the model is at least ``threshold`` sure);
- how often the rules are right when the model agrees with them, and when it does not.

Usage: python -m benchmarks.second_opinion
"""

from __future__ import annotations

import collections
import itertools
import math
import random
import re

import polars as pl

from bie.tagging import load_rules, tag
from bie.tagging.evaluate import load_corpus, metrics
from bie.tagging.rules import CATEGORIES
from bie.vocabulary import fold

ROOT_CORPUS = ["tests/corpus/real.yaml", "tests/rules"]
SPLIT = "tests/corpus/split.yaml"

Model = dict[str, tuple[float, float, dict[str, float]]]


def features(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", fold(text).lower())
    found = set(words) | {f"{a}_{b}" for a, b in itertools.pairwise(words)}
    if len(words) < 4:
        found.add("__short")
    return found


def train(rows: list[tuple[set[str], str]], alpha: float = 0.5) -> Model:
    """Per category: log prior, the sum of log(1 - p) over the vocabulary, and log(p / (1 - p)) by feature."""
    counts = {c: collections.Counter[str]() for c in CATEGORIES}
    prior = collections.Counter[str]()
    for feats, label in rows:
        prior[label] += 1
        counts[label].update(feats)
    vocab = set().union(*counts.values())
    model: Model = {}
    for c in CATEGORIES:
        n = prior[c]
        p = {f: (counts[c][f] + alpha) / (n + 2 * alpha) for f in vocab}
        model[c] = (
            math.log((n + 1) / (len(rows) + len(CATEGORIES))),
            sum(math.log(1 - v) for v in p.values()),
            {f: math.log(v / (1 - v)) for f, v in p.items()},
        )
    return model


def predict(model: Model, feats: set[str]) -> tuple[str, float]:
    scores = {c: lp + off + sum(w.get(f, 0.0) for f in feats) for c, (lp, off, w) in model.items()}
    top = max(scores.values())
    total = sum(math.exp(v - top) for v in scores.values())
    best = max(scores, key=lambda c: scores[c])
    return best, 1.0 / total


def main() -> None:
    items, _skipped, frame = load_corpus(ROOT_CORPUS, SPLIT)
    keep = [it.part == "dev" for it in items]
    dev = [it for it, k in zip(items, keep, strict=True) if k]
    out = tag(frame.filter(pl.Series(keep)), load_rules()).frame
    rules = dict(zip((id(it) for it in dev), out.get_column("category").to_list(), strict=True))
    feats = {id(it): features(f"{it.text} {it.row.get('carrier') or ''}") for it in dev}
    hand = [it for it in dev if it.group == "dev"]
    real = [it for it in dev if it.group == "real-dev"]
    random.Random(1).shuffle(real)
    folds = [real[k::5] for k in range(5)]
    model_says: dict[int, tuple[str, float]] = {}
    for k, fold_items in enumerate(folds):
        train_rows = [(feats[id(it)], it.expected) for it in hand]
        train_rows += [(feats[id(it)], it.expected) for j, f in enumerate(folds) if j != k for it in f]
        model = train(train_rows)
        for it in fold_items:
            model_says[id(it)] = predict(model, feats[id(it)])
    expected = [it.expected for it in real]
    by_rules = [rules[id(it)] for it in real]
    by_model = [model_says[id(it)][0] for it in real]

    def line(name: str, got: list[str]) -> None:
        m = metrics(expected, got, [0.5] * len(got))
        print(f"{name:<46} macro-F1 {m.macro_f1:.3f}  accuracy {m.accuracy:.3f}")

    print(f"real dev texts: {len(real)} (5-fold, model trained with {len(hand)} hand-written dev cases)")
    line("rules", by_rules)
    line("model alone", by_model)
    for threshold in (0.6, 0.8, 0.95):
        combined = [
            r if r == m or r == "to_review" or model_says[id(it)][1] < threshold else "to_review"
            for it, r, m in zip(real, by_rules, by_model, strict=True)
        ]
        line(f"disagreements to review (model >= {threshold})", combined)
    for agree in (True, False):
        right = [e == r for e, r, m in zip(expected, by_rules, by_model, strict=True) if (r == m) == agree]
        share = sum(right) / len(right) if right else float("nan")
        print(f"rules right when the model {'agrees' if agree else 'disagrees'}: {share:.2f} of {len(right)}")


if __name__ == "__main__":
    main()
