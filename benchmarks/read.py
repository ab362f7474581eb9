"""bie.read on a generated 100,000-row workbook against fastexcel alone, in the same run.

Usage: python benchmarks/read.py [ROWS] [ROUNDS]

Prints the median time of each method and the median within-round ratio to fastexcel's default read
(the goal for bie.read is under 1.5×). It is a benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import sys

import fastexcel

import bie
from benchmarks.common import programmation, report, timed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    path = programmation(rows)
    print(f"workbook: {path} ({path.stat().st_size / 2**20:.1f} MB, {rows} rows)")
    times = timed(
        {
            "fastexcel (default, typed)": lambda: fastexcel.read_excel(path).load_sheet(0).to_polars(),
            "fastexcel (all cells as text)": lambda: (
                fastexcel.read_excel(path)
                .load_sheet(0, header_row=None, dtypes="string", skip_rows=0)
                .to_polars()
            ),
            "bie.read": lambda: bie.read(path),
        },
        rounds=rounds,
    )
    report(times, "fastexcel (default, typed)")


if __name__ == "__main__":
    main()
