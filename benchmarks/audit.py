"""The audit on a generated 20,000-action workbook, against fastexcel's bare read and a straightforward
pandas + openpyxl pipeline doing the same tagging, in the same run.

Usage: python benchmarks/audit.py [ROWS] [ROUNDS]   (needs pandas: pip install "bie[bench]")

Prints the median time of each method and its median within-round ratio to fastexcel's bare read. The
pandas pipeline reads with openpyxl, folds the text and runs the same rule patterns with Python's ``re``
row by row, then groups the money by category: what one would write without vectorising. It is a
benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import fastexcel

import bie
from benchmarks.common import programmation, report, timed
from bie.tagging import load_rules


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("'", " ").replace("’", " ")


def naive_pipeline(path: Path, out: Path) -> None:
    import pandas as pd

    frame = pd.read_excel(path, engine="openpyxl", dtype=str)
    pack = load_rules()
    traps = [re.compile(r.regex.replace("(?-u:\\b)", r"\b")) for r in pack.rules if r.evidence == "trap"]
    aims = [
        (r.id, re.compile(r.regex.replace("(?-u:\\b)", r"\b"))) for r in pack.rules if r.evidence == "aim"
    ]
    measures = [
        (r.id, re.compile(r.regex.replace("(?-u:\\b)", r"\b"))) for r in pack.rules if r.evidence == "measure"
    ]
    categories = []
    for row in frame.itertuples(index=False):
        title = fold(str(row[3] or ""))
        rest = fold(f"{row[4] or ''} {row[5] or ''}")
        for trap in traps:
            title, rest = trap.sub(" ", title), trap.sub(" ", rest)
        if any(p.search(title) for _, p in aims):
            categories.append("specific")
        elif any(p.search(rest) for _, p in aims) or any(p.search(title + " " + rest) for _, p in measures):
            categories.append("transversal")
        elif len(title.split()) <= 2 and not rest.strip():
            categories.append("to_review")
        else:
            categories.append("not_integrated")
    frame["category"] = categories
    amount = pd.to_numeric(frame.iloc[:, 9], errors="coerce").fillna(0)
    by = amount.groupby(frame["category"]).agg(["count", "sum"])
    out.write_text(json.dumps(by.to_dict(), default=float), encoding="utf-8")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    path = programmation(rows)
    print(f"workbook: {path} ({path.stat().st_size / 2**20:.1f} MB, {rows} rows)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        runs = {
            "fastexcel bare read": lambda: fastexcel.read_excel(path).load_sheet(0).to_polars(),
            "bie audit --format json": lambda: bie.audit(path).write(out / "json", formats=["json"]),
            "bie audit (html, xlsx, json)": lambda: bie.audit(path).write(out / "all"),
        }
        try:
            import pandas  # noqa: F401

            runs["pandas + openpyxl, row loop"] = lambda: naive_pipeline(path, out / "naive.json")
        except ImportError:
            print("pandas is not installed: the naive pipeline is skipped (pip install 'bie[bench]')")
        times = timed(runs, rounds=rounds)
    report(times, "fastexcel bare read")


if __name__ == "__main__":
    main()
