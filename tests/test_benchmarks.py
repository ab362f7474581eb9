"""The benchmark harness computes its table right: ratios within rounds, the per-file overhead, the targets
(fake numbers, nothing timed), and the generated CSV holds the same cells as the generated workbook."""

from __future__ import annotations

from pathlib import Path

import fastexcel
import polars as pl
import pytest

from benchmarks import harness
from benchmarks.common import programmation, programmation_csv
from benchmarks.harness import BARE, CONSOLIDATE, FULL, JSON_PATH, OVERHEAD, PEER, READS, Case, Run


def runs(*seconds: float | None, peak: float = 100.0) -> list[Run]:
    return [Run(s, (s or 0) + 0.5, peak, None if s is not None else "failed (exit 1) boom") for s in seconds]


def fake_results() -> dict[Case, list[Run]]:
    p = Path("x.xlsx")
    return {
        Case(100_000, "xlsx", BARE, p): runs(1.0, 2.0, 1.0),
        Case(100_000, "xlsx", JSON_PATH, p): runs(1.5, 5.0, 2.5, peak=900),
        Case(100_000, "xlsx", FULL, p): runs(10.0, 10.0, 10.0),
        Case(100_000, "xlsx", PEER, p): runs(60.0, 40.0, 50.0),
        Case(1_000_000, "xlsx", BARE, p): runs(10.0),
        Case(1_000_000, "xlsx", JSON_PATH, p): runs(25.0, peak=2100),
        Case(1_000_000, "xlsx", PEER, p, "skipped (too slow)"): [],
        Case(200, "files", READS, p): runs(1.0, 2.0),
        Case(200, "files", CONSOLIDATE, p): runs(9.0, 12.0),
    }


def test_ratios_are_medians_of_within_round_ratios() -> None:
    lines = {(x.rows, x.method): x for x in harness.summarise(fake_results())}
    json_100k = lines[(100_000, JSON_PATH)]
    assert json_100k.seconds == 2.5  # median of 1.5, 5.0, 2.5
    assert json_100k.x_bare == 2.5  # within rounds: 1.5, 2.5, 2.5
    assert json_100k.x_peer == pytest.approx(0.05)  # median of 0.025, 0.125, 0.05
    assert json_100k.peak_mb == 900
    assert lines[(100_000, FULL)].x_peer == pytest.approx(0.2)
    assert lines[(1_000_000, PEER)].skipped == "skipped (too slow)"
    # per-file overhead: (9 - 1) / 200 and (12 - 2) / 200, median
    assert lines[(200, OVERHEAD)].seconds == pytest.approx(0.045)


def test_targets_say_met_or_not() -> None:
    found = {t.what: t for t in harness.targets(harness.summarise(fake_results()))}
    assert found["JSON path 100k (xlsx): × bare read"].met is False  # 2.5× > 2×
    assert found["JSON path 100k (xlsx): peak"].met is True  # 900 MB < 1 GB
    assert found["JSON path 1M (xlsx): peak"].met is False  # 2100 MB > 2 GB
    linear = found["JSON path (xlsx): time(1M) / (10 × time(100k))"]
    assert (linear.shown, linear.met) == ("1.00", True)
    assert found["full audit 100,000: faster than the peer"].met is True  # 5.0×
    assert found["200 files: overhead per file beyond the read"].shown == "45 ms"
    text = harness.format_targets(list(found.values()))
    assert "met: NO" in text and "met: yes" in text


def test_a_failed_run_is_shown_and_missed() -> None:
    p = Path("x.xlsx")
    results = {Case(20_000, "xlsx", BARE, p): runs(1.0, 1.0), Case(20_000, "xlsx", FULL, p): runs(None, 4.0)}
    lines = harness.summarise(results)
    assert lines[1].seconds == 4.0 and lines[1].x_bare == 4.0
    table = harness.format_table(lines)
    assert "(1 of 2 runs failed)" in table
    assert any(t.what.endswith("bie audit (html, xlsx, json)") and not t.met for t in harness.targets(lines))


def test_table_has_the_issue_columns() -> None:
    lines = harness.summarise(fake_results())
    text = harness.format_table(lines).splitlines()
    assert text[0].split("  ")[0] == "rows"
    for column in ("seconds", "peak MB", "× bare read", "× peer"):
        assert column in text[0]
    assert any("skipped (too slow)" in t for t in text)
    markdown = harness.format_table(lines, markdown=True).splitlines()
    assert markdown[0].startswith("| rows | input | method |")
    assert len(markdown) == len(lines) + 2


def test_methods_and_rounds_from_the_command_line() -> None:
    assert harness.split_methods("json,audit:html,xlsx,json,tag") == [BARE, JSON_PATH, FULL, "tag"]
    assert harness.split_methods("audit:json,xlsx") == [BARE, "audit:json,xlsx"]
    assert harness.per_rows(None, [20_000, 100_000, 1_000_000]) == [3, 1, 1]
    assert harness.per_rows([2], [1, 2]) == [2, 2]
    with pytest.raises(SystemExit):
        harness.per_rows([1, 2], [1, 2, 3])
    with pytest.raises(SystemExit):
        harness.split_methods("json,teleport")


def test_csv_holds_the_workbook_cells(tmp_path: Path) -> None:
    book = programmation(1_200, tmp_path / "p.xlsx")
    cells = fastexcel.read_excel(book).load_sheet(0, dtypes="string").to_polars()
    for encoding in ("utf-8", "cp1252"):
        csv = programmation_csv(1_200, encoding, tmp_path / f"p.{encoding}.csv")
        text = pl.read_csv(csv.read_bytes().decode(encoding).encode(), separator=";", infer_schema=False)
        if encoding == "cp1252":
            text = text.with_columns(pl.col("Montant Région").str.replace("\xa0", "\u202f"))
        assert text.columns == cells.columns
        assert text.equals(cells)


def test_one_measure_in_a_child_process(tmp_path: Path) -> None:
    run = harness.measure(Case(30, "csv", BARE, programmation_csv(30, path=tmp_path / "p.csv")))
    assert run.error is None and run.seconds is not None and run.seconds < run.process_seconds
    assert run.peak_mb is not None and run.peak_mb > 10
    assert run.extra["rows"] == 30


def test_plan_skips_the_slow_methods_above_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "input_path", lambda rows, kind, log=None: Path(f"{rows}.{kind}"))
    methods = harness.split_methods("json,full,tag,peer")
    stages = harness.plan([20_000, 1_000_000], [3, 1], methods, ["xlsx", "csv"], 100_000, lambda _: None)
    assert [rounds for _, rounds in stages] == [3, 1]
    small, large = (cases for cases, _ in stages)
    assert [(c.kind, c.method) for c in small] == [
        ("xlsx", BARE), ("xlsx", JSON_PATH), ("xlsx", FULL), ("xlsx", "tag"), ("xlsx", PEER),
        ("csv", BARE), ("csv", JSON_PATH), ("csv", FULL),
    ]  # fmt: skip
    assert not any(c.skipped for c in small)
    assert {c.method for c in large if c.skipped} == {FULL, PEER}
