"""Tagging 100,000 actions with bie's vectorised engine against the same rules applied with Python's
``re``, row by row, in the same run (the naive baseline is timed on a 10,000-action sample and scaled).

Usage: python -m benchmarks.tag [ACTIONS] [ROUNDS]
"""

from __future__ import annotations

import re
import statistics
import sys
import time
import unicodedata

import polars as pl

import bie
from benchmarks.common import programmation
from bie.tagging import load_rules, tag


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def naive(frame: pl.DataFrame) -> list[str]:
    pack = load_rules()
    compiled = [
        (r.evidence, re.compile(r.regex.replace("(?-u:\\b)", r"\b")))
        for r in pack.rules
        if r.evidence in ("aim", "measure", "trap")
    ]
    out = []
    for title, objectives, description in frame.select("title", "objectives", "description").iter_rows():
        text = fold(" ".join(t or "" for t in (title, objectives, description)))
        for kind, pattern in compiled:
            if kind == "trap":
                text = pattern.sub(" ", text)
        kinds = {kind for kind, pattern in compiled if kind != "trap" and pattern.search(text)}
        out.append(
            "specific" if "aim" in kinds else "transversal" if "measure" in kinds else "not_integrated"
        )
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    actions = bie.read(programmation(n)).actions
    sample = actions.head(10_000)
    pack = load_rules()
    tag(actions.head(100), pack)  # compile once
    fast, slow = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        tag(actions, pack)
        fast.append(time.perf_counter() - start)
        start = time.perf_counter()
        naive(sample)
        slow.append((time.perf_counter() - start) * n / sample.height)
    print(f"{n} actions, {len(pack.rules)} rules (pack {pack.version})")
    print(f"bie.tagging.tag (vectorised)        {statistics.median(fast):8.2f} s")
    print(f"Python re, row by row (scaled)      {statistics.median(slow):8.2f} s")
    ratio = statistics.median(s / f for s, f in zip(slow, fast, strict=True))
    print(f"ratio naive / bie                   {ratio:8.1f}×")


if __name__ == "__main__":
    main()
