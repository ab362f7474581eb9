"""bie.consolidate on 200 generated contracts against 20, in the same run: does the cost per file stay flat?

Usage: python -m benchmarks.consolidate [FILES] [ROUNDS] [BY]    (defaults: 200 3 file)

The contracts come from the test generator (tests/contracts.py: six layouts, CSV and xlsx, three bases,
3 to 52 actions each). Each measurement runs in its own process (so that its peak memory is its own),
after a warm-up consolidation of one file (the data files are read once per process); the rounds are
interleaved so that a noisy machine affects every method alike. Printed: the median time of each method,
its peak resident memory, and the median within-round ratio of its cost **per file** to the baseline's
(20 files consolidated in one call). « 20 audits, one per file » is the other way of doing it (one
bie.audit per file, then adding up): it shows why the consolidation audits once and splits. It is a
benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "_data"


def contracts(n: int) -> Path:
    """``n`` generated contracts in ``benchmarks/_data/contracts_<n>/`` (written once)."""
    sys.path.insert(0, str(ROOT))
    from tests.contracts import generate

    folder = DATA / f"contracts_{n}"
    if not (folder / ".done").exists():
        generate(folder, n)
        (folder / ".done").write_text("", encoding="utf-8")
    return folder


def child(method: str, folder: Path, by: str) -> None:
    """One measurement, in this process: prints {"seconds", "maxrss_mb", "files"} as JSON."""
    import resource

    import bie
    from bie.consolidate import consolidate, table_files

    files = table_files(folder)
    consolidate(files[:1], by=by)  # warm-up: data files, rule pack and web model loaded
    start = time.perf_counter()
    if method == "consolidate":
        result = consolidate(files, by=by)
        assert len(result.files) == len(files)
    else:
        for path in files:
            bie.audit(path)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"seconds": seconds, "maxrss_mb": rss, "files": len(files)}))


def measure(method: str, folder: Path, by: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.consolidate", "--child", method, str(folder), by],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), sys.argv[4])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    by = sys.argv[3] if len(sys.argv) > 3 else "file"
    small, large = contracts(20), contracts(n)
    runs = {
        f"consolidate 20 files (by {by})": ("consolidate", small),
        f"consolidate {n} files (by {by})": ("consolidate", large),
        "20 audits, one per file": ("audits", small),
    }
    times: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (method, folder) in runs.items():
            times[name].append(measure(method, folder, by))
    baseline = times[f"consolidate 20 files (by {by})"]
    print(f"{'method':<36}{'median s':>10}{'peak MB':>9}{'s/file':>8}   per-file ratio (median of rounds)")
    for name, values in times.items():
        ratios = [
            (v["seconds"] / v["files"]) / (b["seconds"] / b["files"])
            for v, b in zip(values, baseline, strict=True)
        ]
        med = statistics.median(v["seconds"] for v in values)
        files = values[0]["files"]
        print(
            f"{name:<36}{med:>10.2f}{max(v['maxrss_mb'] for v in values):>9.0f}{med / files:>8.3f}"
            f"{statistics.median(ratios):>11.2f}×"
        )


if __name__ == "__main__":
    main()
