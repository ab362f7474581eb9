"""One table for the performance targets of issue 13: every measurement in a fresh process.

Usage: python -m benchmarks.harness [--rows 20000,100000] [--rounds 3,1] [--methods bare,json,full,tag,peer]
       [--inputs xlsx,csv] [--files 200] [--json FILE] [--markdown]

Each method runs in its own child process (``python -m benchmarks.harness --child METHOD PATH``), so that its
peak resident memory is its own. The child times its work with a wall clock (interpreter start and imports
excluded; the read before the tagging alone and the warm-ups of the many-file methods too, see the ``_``
functions below and docs/performance.md) and prints it as JSON; the parent reads the child's peak RSS from
``os.wait4`` (the child and any process it waited for). The rounds are interleaved (bare read, bie, …, peer;
then again), so a noisy machine affects every method alike. ``make bench`` runs it at 20k and 100k with 200
small files; ``benchmarks/scale.py`` sweeps 10k / 100k / 1M.

Columns: ``seconds`` the median over rounds; ``peak MB`` the largest peak RSS over rounds; ``× bare read``
the median of the within-round ratios of this method's time to the bare read of the same file (fastexcel for
xlsx, polars ``read_csv`` for CSV); ``× peer`` the same against the pandas + openpyxl pipeline of
``benchmarks/audit.py`` (0.20 = five times faster). Below the table, the targets of issue 13 that the
measured rows allow to check. It is a benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Method keys: the bare read, bie's JSON path, bie's full audit, the tagging alone, the peer; and for many
#: small files, their bare reads and their consolidation. ``audit:FORMATS`` is any other set of formats.
BARE, JSON_PATH, FULL, TAG, PEER, READ = "bare", "json", "full", "tag", "peer", "read"
READS, CONSOLIDATE = "reads", "consolidate"
FORMATS = ("html", "xlsx", "json")

LABELS = {
    (BARE, "xlsx"): "fastexcel bare read",
    (BARE, "csv"): "polars read_csv bare (text)",
    JSON_PATH: "bie audit --format json",
    FULL: "bie audit (html, xlsx, json)",
    TAG: "bie tag only (read excluded)",
    READ: "bie.read",
    PEER: "peer: pandas + openpyxl",
    READS: "bare reads, one per file",
    CONSOLIDATE: "bie.audit(files, by='file')",
}
OVERHEAD = "overhead per file beyond the read"
#: Methods skipped above ``--skip-slow-above`` rows unless asked for.
SLOW = (FULL, PEER)


def label(method: str, kind: str) -> str:
    if method == BARE:
        return LABELS[(BARE, "csv" if kind.startswith("csv") else kind)]
    if method.startswith("audit:"):
        formats = method.removeprefix("audit:").split(",")
        if formats == ["json"]:
            return str(LABELS[JSON_PATH])
        return f"bie audit ({', '.join(formats)})"
    return str(LABELS.get(method, method))


def formats_of(method: str) -> list[str]:
    if method == JSON_PATH:
        return ["json"]
    if method == FULL:
        return list(FORMATS)
    return method.removeprefix("audit:").split(",")


# --- in the child ----------------------------------------------------------------------------------------


def _bare(path: Path) -> dict[str, Any]:
    import polars as pl

    start = time.perf_counter()
    if path.suffix == ".csv":
        lossy = ".cp1252" in path.suffixes
        frame = pl.read_csv(
            path, separator=";", infer_schema=False, encoding="utf8-lossy" if lossy else "utf8"
        )
    else:
        import fastexcel

        frame = fastexcel.read_excel(path).load_sheet(0).to_polars()
    return {"seconds": time.perf_counter() - start, "rows": frame.height}


def _audit(path: Path, formats: list[str]) -> dict[str, Any]:
    import bie

    with tempfile.TemporaryDirectory(prefix="bie-bench-") as tmp:
        start = time.perf_counter()
        result = bie.audit(path)
        audited = time.perf_counter()
        result.write(tmp, formats=formats)
        end = time.perf_counter()
        sizes = {p.suffix: p.stat().st_size for p in Path(tmp).iterdir()}
    return {
        "seconds": end - start,
        "audit_seconds": audited - start,
        "write_seconds": end - audited,
        "rows": result.n_actions,
        "output_bytes": sizes,
    }


def _read(path: Path) -> dict[str, Any]:
    import bie

    start = time.perf_counter()
    result = bie.read(path)
    return {"seconds": time.perf_counter() - start, "rows": result.actions.height}


def _tag(path: Path) -> dict[str, Any]:
    import bie
    from bie.tagging import load_rules, tag

    actions = bie.read(path).actions
    pack = load_rules()
    start = time.perf_counter()  # the first call in the process: compiling the rules is counted
    tag(actions, pack)
    return {"seconds": time.perf_counter() - start, "rows": actions.height}


def _peer(path: Path) -> dict[str, Any]:
    from benchmarks.audit import naive_pipeline

    with tempfile.TemporaryDirectory(prefix="bie-bench-") as tmp:
        start = time.perf_counter()
        naive_pipeline(path, Path(tmp) / "naive.json")
        return {"seconds": time.perf_counter() - start}


def _read_one(path: Path) -> int:
    """A bare read of one small contract: fastexcel for a workbook, polars for a CSV (all text, the
    separator guessed from the first line, undecodable bytes replaced)."""
    import polars as pl

    if path.suffix == ".csv":
        with path.open("rb") as handle:
            first = handle.readline()
        sep = ";" if first.count(b";") > first.count(b",") else ","
        frame = pl.read_csv(
            path, separator=sep, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True
        )
    else:
        import fastexcel

        frame = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_polars()
    return frame.height


def _reads(folder: Path) -> dict[str, Any]:
    from bie.consolidate import table_files

    files = table_files(folder)
    _read_one(files[0])  # warm-up: fastexcel and polars loaded
    start = time.perf_counter()
    rows = sum(_read_one(p) for p in files)
    return {"seconds": time.perf_counter() - start, "files": len(files), "rows": rows}


def _consolidate(folder: Path) -> dict[str, Any]:
    import bie
    from bie.consolidate import table_files

    files = table_files(folder)
    bie.audit(files[:1], by="file")  # warm-up: data files, rule pack and web model loaded once per process
    start = time.perf_counter()
    result = bie.audit(files, by="file")
    seconds = time.perf_counter() - start
    assert len(result.files) == len(files)
    return {"seconds": seconds, "files": len(files)}


def child(method: str, path: Path) -> None:
    """Run one method on ``path`` in this process and print its measures as one JSON line."""
    import resource

    runners: dict[str, Callable[[Path], dict[str, Any]]] = {
        BARE: _bare,
        TAG: _tag,
        READ: _read,
        PEER: _peer,
        READS: _reads,
        CONSOLIDATE: _consolidate,
    }
    out = runners[method](path) if method in runners else _audit(path, formats_of(method))
    kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    out["self_peak_mb"] = kb / 1024  # kB on Linux
    print(json.dumps(out))


# --- in the parent ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One method on one input. ``rows``: actions in the input, or files for a consolidation."""

    rows: int
    kind: str  # "xlsx", "csv", "csv-cp1252" (one file), or "files" (a folder of small contracts)
    method: str
    path: Path | None = None
    skipped: str | None = None

    @property
    def label(self) -> str:
        return label(self.method, self.kind)

    @property
    def group(self) -> tuple[int, str]:
        return (self.rows, self.kind)


@dataclass
class Run:
    """One measurement: ``seconds`` timed by the child (None when it failed)."""

    seconds: float | None
    process_seconds: float
    peak_mb: float | None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def measure(case: Case, timeout: float | None = None) -> Run:
    """Run ``case`` in a fresh child process; its peak RSS comes from ``os.wait4`` on that child alone."""
    assert case.path is not None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.harness", "--child", case.method, str(case.path)],
            cwd=ROOT,
            stdout=out,
            stderr=err,
        )
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout and not killed:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace").strip()
        stderr = err.read().decode("utf-8", "replace").strip()
    peak = usage.ru_maxrss / 1024
    if killed:
        return Run(None, wall, peak, f"timed out after {timeout:.0f} s")
    if proc.returncode != 0 or not stdout:
        why = stderr.splitlines()[-1] if stderr else ""
        if proc.returncode == -signal.SIGKILL:
            why = why or "killed (out of memory?)"
        return Run(None, wall, peak, f"failed (exit {proc.returncode}) {why}".strip())
    data = json.loads(stdout.splitlines()[-1])
    seconds = float(data.pop("seconds"))
    return Run(seconds, wall, max(peak, float(data.get("self_peak_mb", 0.0))), None, data)


def run_plan(
    stages: Sequence[tuple[list[Case], int]],
    timeout: float | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[Case, list[Run]]:
    """Each stage is a list of cases measured ``rounds`` times, interleaved: A, B, C, then A, B, C again."""
    results: dict[Case, list[Run]] = {}
    for cases, rounds in stages:
        for case in cases:
            results[case] = []
        for r in range(rounds):
            for case in cases:
                if case.skipped:
                    continue
                run = measure(case, timeout)
                results[case].append(run)
                if log:
                    shown = f"{run.seconds:.2f} s" if run.seconds is not None else run.error
                    log(
                        f"  round {r + 1}/{rounds}  {case.rows:>9,} {case.kind:<5} {case.label:<32} {shown}, "
                        f"{run.peak_mb or 0:.0f} MB"
                    )
    return results


# --- summary ---------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One row of the table."""

    rows: int
    kind: str
    method: str
    label: str
    seconds: float | None
    peak_mb: float | None
    x_bare: float | None
    x_peer: float | None
    skipped: str | None = None
    runs: list[Run] = field(default_factory=list)

    @property
    def input_label(self) -> str:
        return "mixed" if self.kind == "files" else self.kind

    @property
    def errors(self) -> list[str]:
        return [r.error for r in self.runs if r.error]

    @property
    def rows_label(self) -> str:
        return f"{self.rows} files" if self.kind == "files" else f"{self.rows:,}"


def median_ratio(values: Sequence[float | None], bases: Sequence[float | None]) -> float | None:
    """The median of the within-round ratios ``value / base`` (rounds where either failed are left out)."""
    ratios = [v / b for v, b in zip(values, bases, strict=False) if v is not None and b]
    return statistics.median(ratios) if ratios else None


def summarise(results: dict[Case, list[Run]]) -> list[Line]:
    """The table's rows: medians, peaks and ratios within each group (same rows, same input)."""
    by_group: dict[tuple[int, str], dict[str, Case]] = {}
    for case in results:
        by_group.setdefault(case.group, {})[case.method] = case
    lines: list[Line] = []
    for (rows, kind), cases in by_group.items():
        base_case = cases.get(READS if kind == "files" else BARE)
        base = [r.seconds for r in results[base_case]] if base_case else []
        peer = [r.seconds for r in results[cases[PEER]]] if PEER in cases else []
        for method, case in cases.items():
            runs = results[case]
            if case.skipped:
                lines.append(Line(rows, kind, method, case.label, None, None, None, None, case.skipped))
                continue
            seconds = [r.seconds for r in runs]
            done = [s for s in seconds if s is not None]
            lines.append(
                Line(
                    rows,
                    kind,
                    method,
                    case.label,
                    statistics.median(done) if done else None,
                    max((r.peak_mb for r in runs if r.peak_mb is not None), default=None),
                    median_ratio(seconds, base) if base else None,
                    median_ratio(seconds, peer) if peer else None,
                    None,
                    runs,
                )
            )
        if kind == "files" and base_case and CONSOLIDATE in cases:
            whole = [r.seconds for r in results[cases[CONSOLIDATE]]]
            per_file = [
                (w - b) / rows for w, b in zip(whole, base, strict=False) if w is not None and b is not None
            ]
            value = statistics.median(per_file) if per_file else None
            lines.append(Line(rows, kind, OVERHEAD, f"→ {OVERHEAD}", value, None, None, None))
    return lines


def _number(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


HEADINGS = ("rows", "input", "method", "seconds", "peak MB", "× bare read", "× peer")


def cells(line: Line) -> list[str]:
    if line.skipped:
        return [line.rows_label, line.input_label, line.label, line.skipped, "", "", ""]
    if line.runs and line.seconds is None:
        return [line.rows_label, line.input_label, line.label, "failed", _number(line.peak_mb, 0), "", ""]
    digits = 3 if line.method == OVERHEAD else 2
    return [
        line.rows_label,
        line.input_label,
        line.label + (f" ({len(line.errors)} of {len(line.runs)} runs failed)" if line.errors else ""),
        _number(line.seconds, digits),
        _number(line.peak_mb, 0),
        _number(line.x_bare, 2, "×"),
        _number(line.x_peer, 2, "×"),
    ]


def format_table(lines: Sequence[Line], markdown: bool = False) -> str:
    """The one table: text columns aligned left, numbers right; or a Markdown table."""
    rows = [list(HEADINGS), *(cells(line) for line in lines)]
    if markdown:
        out = ["| " + " | ".join(rows[0]) + " |", "|---|---|---|" + "---:|" * 4]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADINGS))]
    text = []
    for r in rows:
        left = [c.ljust(w) for c, w in zip(r[:3], widths[:3], strict=True)]
        right = [c.rjust(w) for c, w in zip(r[3:], widths[3:], strict=True)]
        text.append("  ".join(left + right).rstrip())
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


@dataclass
class Target:
    """One target of issue 13: what was measured, its value shown, the goal, met or not."""

    what: str
    shown: str
    goal: str
    met: bool


def _find(lines: Sequence[Line], rows: int, kind: str, *methods: str) -> Line | None:
    for line in lines:
        if line.rows == rows and line.kind == kind and line.method in methods and line.seconds is not None:
            return line
    return None


def targets(lines: Sequence[Line]) -> list[Target]:
    """The targets of issue 13 that the measured lines allow to check (a failed run is a target missed)."""
    out: list[Target] = []
    json_methods = (JSON_PATH, "audit:json")
    for kind in ("xlsx", "csv"):
        at_100k = _find(lines, 100_000, kind, *json_methods)
        at_1m = _find(lines, 1_000_000, kind, *json_methods)
        if at_100k and at_100k.x_bare is not None:
            x = at_100k.x_bare
            out.append(Target(f"JSON path 100k ({kind}): × bare read", f"{x:.2f}×", "≤ 2×", x <= 2))
        if at_100k and at_100k.peak_mb is not None:
            mb = at_100k.peak_mb
            out.append(Target(f"JSON path 100k ({kind}): peak", f"{mb:,.0f} MB", "< 1 GB", mb < 1024))
        if at_1m and at_1m.peak_mb is not None:
            mb = at_1m.peak_mb
            out.append(Target(f"JSON path 1M ({kind}): peak", f"{mb:,.0f} MB", "< 2 GB", mb < 2048))
        if at_100k and at_1m and at_100k.seconds and at_1m.seconds:
            k = at_1m.seconds / (10 * at_100k.seconds)
            out.append(
                Target(f"JSON path ({kind}): time(1M) / (10 × time(100k))", f"{k:.2f}", "≤ 1.2", k <= 1.2)
            )
    tag = _find(lines, 100_000, "xlsx", TAG)
    if tag and tag.seconds is not None:
        out.append(Target("tagging 100k", f"{tag.seconds:.2f} s", "≤ 2 s", tag.seconds <= 2))
    for line in lines:
        if line.method == FULL and line.kind == "xlsx" and line.x_peer:
            faster = 1 / line.x_peer
            out.append(
                Target(
                    f"full audit {line.rows:,}: faster than the peer", f"{faster:.1f}×", "≥ 5×", faster >= 5
                )
            )
        if line.method == OVERHEAD and line.seconds is not None:
            ms = line.seconds * 1000
            out.append(Target(f"{line.rows} files: {OVERHEAD}", f"{ms:.0f} ms", "≤ 50 ms", ms <= 50))
        if line.errors:
            shown = f"{len(line.errors)}/{len(line.runs)} failed"
            out.append(Target(f"{line.rows_label} {line.kind}: {line.label}", shown, "completes", False))
    return out


def format_targets(found: Sequence[Target]) -> str:
    width = max((len(t.what) for t in found), default=0)
    shown = max((len(t.shown) for t in found), default=0)
    lines = ["targets (issue 13):"]
    for t in found:
        met = "yes" if t.met else "NO"
        lines.append(f"  {t.what:<{width}}  {t.shown:>{shown}}  target {t.goal:<9} met: {met}")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the numbers were measured on (quoted with them)."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()[0].split()[1]
        memory_gb: float | None = round(int(mem) / 2**20, 1)
    except OSError:
        memory_gb = None
    versions: dict[str, str | None] = {}
    for name in ("bie", "polars", "fastexcel", "xlsxwriter", "pandas", "openpyxl"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": round(os.getloadavg()[0], 1),
    }


def describe(info: dict[str, Any]) -> str:
    v = info["versions"]
    return (
        f"{info['date']}, {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {info['system']}, "
        f"Python {info['python']}, bie {v['bie']}, polars {v['polars']}, fastexcel {v['fastexcel']}; "
        f"load average {info['load_before']} before, {os.getloadavg()[0]:.1f} after"
    )


def save(
    path: Path,
    info: dict[str, Any],
    results: dict[Case, list[Run]],
    lines: Sequence[Line],
    argv: Sequence[str],
) -> None:
    """Every measure, round by round, with the machine and the targets, as JSON."""
    found = targets(lines)
    payload = {
        "machine": info | {"load_after": round(os.getloadavg()[0], 1)},
        "argv": list(argv),
        "lines": [
            {k: v for k, v in asdict(line).items() if k != "runs"}
            | {"runs": [asdict(r) for r in line.runs], "rows_label": line.rows_label}
            for line in lines
        ],
        "targets": [asdict(t) for t in found],
        "inputs": sorted({str(c.path) for c in results if c.path}),
    }
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


# --- command line ----------------------------------------------------------------------------------------


def int_list(text: str) -> list[int]:
    return [int(float(x.replace("_", ""))) for x in text.split(",") if x.strip()]


def per_rows(rounds: list[int] | None, rows: list[int]) -> list[int]:
    """``--rounds 3`` for every row count, or one count per row count (``--rounds 3,1``); by default 3
    below 100,000 rows and 1 from there (a full audit and the peer take minutes at 100,000)."""
    if not rounds:
        return [3 if n < 100_000 else 1 for n in rows]
    if len(rounds) == 1:
        return rounds * len(rows)
    if len(rounds) != len(rows):
        raise SystemExit(f"--rounds: give one number or one per row count ({len(rows)})")
    return rounds


def input_path(rows: int, kind: str, log: Callable[[str], None] | None = None) -> Path:
    """The generated input, written once in ``benchmarks/_data/`` (the 1M workbook takes minutes)."""
    from benchmarks.common import DATA, programmation, programmation_csv

    names = {
        "xlsx": f"programmation_{rows}.xlsx",
        "csv": f"programmation_{rows}.csv",
        "csv-cp1252": f"programmation_{rows}.cp1252.csv",
    }
    if kind not in names:
        raise SystemExit(f"unknown input {kind!r}: xlsx, csv or csv-cp1252")
    if log and not (DATA / names[kind]).exists():
        log(f"generating {DATA / names[kind]} (once, kept for the next runs)")
    if kind == "xlsx":
        return programmation(rows)
    return programmation_csv(rows, "utf-8" if kind == "csv" else "cp1252")


def plan(
    rows: list[int],
    rounds: list[int],
    methods: list[str],
    inputs: list[str],
    skip_slow_above: int,
    log: Callable[[str], None],
) -> list[tuple[list[Case], int]]:
    """One stage per row count (every input and method interleaved in each round). The bare read comes
    first and only xlsx has a peer (it reads a workbook)."""
    stages = []
    for n, r in zip(rows, rounds, strict=True):
        cases = []
        for kind in inputs:
            t = time.perf_counter()
            path = input_path(n, kind, log)
            if time.perf_counter() - t > 1:
                log(f"  written in {time.perf_counter() - t:.0f} s")
            short = "csv" if kind.startswith("csv") else kind
            for method in methods:
                if method in (PEER, TAG) and short != "xlsx":
                    continue
                slow = method in SLOW or (method.startswith("audit:") and method != "audit:json")
                skipped = "skipped (too slow)" if slow and n > skip_slow_above else None
                cases.append(Case(n, kind, method, path, skipped))
        stages.append((cases, r))
    return stages


def files_stage(files: int, rounds: int) -> tuple[list[Case], int]:
    from benchmarks.consolidate import contracts

    folder = contracts(files)
    return ([Case(files, "files", READS, folder), Case(files, "files", CONSOLIDATE, folder)], rounds)


def parser(description: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description or __doc__.split("\n")[0])
    p.add_argument("--rows", type=int_list, default=[20_000, 100_000], help="action counts (20000,100000)")
    p.add_argument(
        "--rounds",
        type=int_list,
        default=None,
        help="rounds, one number or one per row count (default: 3 below 100000 rows, then 1)",
    )
    p.add_argument(
        "--methods",
        default="bare,json,full,tag,peer",
        help="json, full, tag, peer, read (bie.read) or audit:FORMATS (audit:json,xlsx); bare always runs",
    )
    p.add_argument("--inputs", default="xlsx", help="xlsx, csv, csv-cp1252 (comma separated)")
    p.add_argument("--files", type=int, default=0, help="also consolidate this many small contracts (0: no)")
    p.add_argument("--files-rounds", type=int, default=3, help="rounds for the consolidation")
    p.add_argument("--skip-slow-above", type=int, default=100_000, help="no full audit nor peer above this")
    p.add_argument("--timeout", type=float, default=None, help="kill a run (whole process) after N seconds")
    p.add_argument("--json", type=Path, default=None, help="save every measure in this file")
    p.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    p.add_argument("--quiet", action="store_true", help="no line per measurement while running")
    return p


def split_methods(text: str) -> list[str]:
    """``bare,json,audit:json,xlsx,tag``: a comma after ``audit:`` continues its list of formats."""
    out: list[str] = []
    for piece in text.split(","):
        part = piece.strip()
        if out and out[-1].startswith("audit:") and part in FORMATS:
            out[-1] += f",{part}"
        elif part:
            out.append(part)
    out = [normalise(m) for m in out if m != BARE]
    return [BARE, *dict.fromkeys(out)]


def normalise(method: str) -> str:
    """``audit:json`` is ``json``, ``audit:html,xlsx,json`` is ``full``; other keys as they are."""
    if method.startswith("audit:"):
        formats = method.removeprefix("audit:").split(",")
        unknown = set(formats) - set(FORMATS)
        if unknown or not formats:
            raise SystemExit(f"unknown report format(s) {sorted(unknown)}: {', '.join(FORMATS)}")
        if formats == ["json"]:
            return JSON_PATH
        if formats == list(FORMATS):
            return FULL
    elif method not in (JSON_PATH, FULL, TAG, PEER, READ):
        raise SystemExit(f"unknown method {method!r}: bare, json, full, tag, peer, read or audit:FORMATS")
    return method


def execute(args: argparse.Namespace, argv: Sequence[str], methods: list[str]) -> list[Line]:
    def log(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    info = machine()
    stages = plan(
        args.rows,
        per_rows(args.rounds, args.rows),
        methods,
        [k.strip() for k in args.inputs.split(",") if k.strip()],
        args.skip_slow_above,
        log,
    )
    if args.files:
        stages.append(files_stage(args.files, args.files_rounds))
    results = run_plan(stages, args.timeout, log)
    lines = summarise(results)
    print(f"machine: {describe(info)}")
    print(format_table(lines, args.markdown))
    found = targets(lines)
    if found:
        print()
        print(format_targets(found))
    failures = sorted({f"{ln.rows_label} {ln.kind} {ln.label}: {e}" for ln in lines for e in ln.errors})
    if failures:
        print()
        print("failures:")
        print("\n".join(f"  {f}" for f in failures))
    if args.json:
        save(args.json, info, results, lines, argv)
        print(f"saved: {args.json}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        child(argv[1], Path(argv[2]))
        return
    args = parser().parse_args(argv)
    execute(args, argv, split_methods(args.methods))


if __name__ == "__main__":
    main()
