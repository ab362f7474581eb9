"""The JSON path at 10,000, 100,000 and 1,000,000 actions, from a workbook and from a CSV export: does the
time grow linearly and the memory stay bounded?

Usage: python -m benchmarks.scale [--rows 10000,100000,1000000] [--rounds 3,1,1] [--formats json]
       [--inputs xlsx,csv] [--json FILE] [--markdown]

Each measurement runs in a fresh process (:mod:`benchmarks.harness`): the bare read of the same file
(fastexcel, polars ``read_csv``), then ``bie.audit(path).write(folder, formats=FORMATS)``. Printed: one
table (the columns of ``make bench``), then the targets of issue 13 it allows to check: the JSON path at
100k against the bare read and under 1 GB, at 1M under 2 GB, and ``time(1M) / (10 × time(100k))`` ≤ 1.2.
The inputs are generated once in ``benchmarks/_data/``: the 1M workbook takes a few minutes (xlsxwriter,
``constant_memory``), the 1M CSV under a minute. ``--formats html,xlsx,json`` adds the other reports; above
``--skip-slow-above`` rows (100,000) they are skipped and said so.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from benchmarks.harness import BARE, FORMATS, execute, normalise, parser, split_methods


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = parser(__doc__.split("\n")[0] if __doc__ else None)
    p.set_defaults(rows=[10_000, 100_000, 1_000_000], inputs="xlsx,csv", methods=None)
    p.add_argument("--formats", default="json", help=f"report formats of the audit ({','.join(FORMATS)})")
    args = p.parse_args(argv)
    methods = [BARE, normalise(f"audit:{args.formats}")]
    if args.methods:  # --methods still works: e.g. --methods tag adds the tagging alone
        methods += split_methods(args.methods)
    execute(args, argv, list(dict.fromkeys(methods)))


if __name__ == "__main__":
    main()
