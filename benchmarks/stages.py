"""Where the seconds and the megabytes of one audit go, stage by stage (read, tag, web, analyse, each report).

Usage: python -m benchmarks.stages FILE [FORMATS]   (FORMATS: json by default, e.g. html,xlsx,json)

The audit's own progress callback (:mod:`bie.progress`) marks the stages; a thread samples the process's
resident memory (``VmRSS``, Linux) every 50 ms. For each stage: its wall-clock seconds and the highest
resident memory seen while it ran. One process, one run: for a question ("which stage holds the memory?"),
not for ratios (``benchmarks.harness`` measures those).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

import bie


def rss_mb() -> int:
    """The process's resident memory in MiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


class Stages:
    """Seconds and peak memory per stage, fed by the progress callback."""

    def __init__(self) -> None:
        self.current = "start"
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peaks[self.current] = max(self.peaks.get(self.current, 0), rss_mb())
            self._stop.wait(0.05)

    def enter(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.started
        self.peaks[self.current] = max(self.peaks.get(self.current, 0), rss_mb())
        self.current, self.started = stage, now

    def __call__(self, stage: str, done: int, total: int) -> None:
        key = stage.partition(":")[0]
        if key != self.current:
            self.enter(key)

    def close(self) -> None:
        self.enter("end")
        self._stop.set()
        self._thread.join()

    def table(self) -> str:
        lines = [f"{'stage':<10}{'seconds':>9}{'peak MB':>9}"]
        for stage, seconds in self.seconds.items():
            lines.append(f"{stage:<10}{seconds:>9.2f}{self.peaks.get(stage, 0):>9}")
        lines.append(f"{'total':<10}{sum(self.seconds.values()):>9.2f}{max(self.peaks.values()):>9}")
        return "\n".join(lines)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    path = Path(sys.argv[1])
    formats = sys.argv[2].split(",") if len(sys.argv) > 2 else ["json"]
    stages = Stages()
    audit = bie.audit(path, progress=stages)
    stages.enter("write")
    with tempfile.TemporaryDirectory() as out:
        audit.write(out, formats=formats, progress=stages)
    stages.close()
    print(f"{path.name}: {audit.actions.height:,} actions, reports {', '.join(formats)}")
    print(stages.table())


if __name__ == "__main__":
    main()
