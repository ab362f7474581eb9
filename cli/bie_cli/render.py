"""Rich rendering of library results. No logic here beyond presentation."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bie.model import ReadResult
from bie_cli.labels import money, t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
REASON_ORDER = ("action", "blank", "header", "section", "total", "note", "continuation", "duplicate")


def resolve_sheet(file: Path, sheet: str | None) -> str | None:
    return sheet


def _kv(table: Table, key: str, value: object) -> None:
    table.add_row(f"[bold]{escape(key)}[/]", escape(str(value)))


def render_inspect(console: Console, result: ReadResult, lang: str) -> None:
    summary = Table.grid(padding=(0, 2))
    summary.add_column()
    summary.add_column()
    _kv(summary, t("file", lang), result.path)
    fmt = result.format + (f" ({result.encoding}, « {result.delimiter} »)" if result.delimiter else "")
    _kv(summary, t("format", lang), fmt.replace("«", "'").replace("»", "'") if lang == "en" else fmt)
    _kv(summary, t("sheet", lang), result.sheet)
    others = [f"{s.name} ({t('sheet.' + s.status, lang)})" for s in result.sheets if s.name != result.sheet]
    if others:
        _kv(summary, t("sheets", lang), "; ".join(others))
    _kv(summary, t("header_rows", lang), ", ".join(str(r) for r in result.header_rows))
    _kv(summary, t("rows", lang), result.ledger.height)
    _kv(summary, t("actions", lang), result.actions.height)
    console.print(summary)
    console.print()

    cols = Table(title=t("columns_title", lang), title_justify="left", show_lines=False)
    cols.add_column(t("field", lang), style="cyan")
    cols.add_column(t("source_header", lang))
    cols.add_column(t("confidence", lang), justify="right")
    for fld, header in result.columns_map().items():
        conf = result.mapping.confidence.get(fld)
        cols.add_row(escape(fld), escape(header), "" if conf is None else f"{conf:.0%}")
    console.print(cols)
    if result.mapping.unmapped:
        console.print(f"[bold]{t('unmapped_title', lang)}[/] : " if lang == "fr" else f"[bold]{t('unmapped_title', lang)}[/]: ",
                      escape(", ".join(result.mapping.headers[c] for c in result.mapping.unmapped)))
    console.print()

    rows = Table(title=t("rows_title", lang), title_justify="left")
    rows.add_column(t("reason", lang))
    rows.add_column(t("count", lang), justify="right")
    rows.add_column(t("examples", lang))
    by_reason: dict[str, list[int]] = defaultdict(list)
    for status, reason, row in result.ledger.select("status", "reason", "row").iter_rows():
        by_reason[reason or status].append(row)
    for reason in REASON_ORDER:
        if reason in by_reason:
            found = by_reason[reason]
            sample = ", ".join(str(r) for r in found[:8]) + (" …" if len(found) > 8 else "")
            rows.add_row(t(f"reason.{reason}", lang), str(len(found)), sample)
    console.print(rows)
    console.print()

    if result.amounts:
        amounts = Table(title=t("amounts_title", lang), title_justify="left")
        amounts.add_column(t("stage", lang))
        amounts.add_column(t("total", lang), justify="right")
        for stage, value in result.amounts.items():
            amounts.add_row(t(f"stage.{stage}", lang), money(value, lang))
        console.print(amounts)
    if result.funders:
        funders = Table(title=t("funders_title", lang), title_justify="left")
        funders.add_column(t("funder", lang))
        funders.add_column(t("source_header", lang))
        funders.add_column(t("total", lang), justify="right")
        for f in result.mapping.funding:
            funders.add_row(escape(f.funder), escape(f.header), money(result.funders[f.funder], lang))
        console.print(funders)
    console.print()

    counts = result.issue_counts
    if not counts:
        console.print(t("no_issue", lang))
        return
    issues = Table(title=t("issues_title", lang), title_justify="left")
    issues.add_column(t("severity", lang))
    issues.add_column(t("code", lang), style="cyan")
    issues.add_column(t("count", lang), justify="right")
    issues.add_column(t("first", lang))
    first: dict[str, str] = {}
    severity: dict[str, str] = {}
    for issue in result.issues:
        if issue.code not in first:
            where = f"{t('row', lang)} {issue.row} — " if issue.row else ""
            first[issue.code] = where + issue.message(lang)
            severity[issue.code] = issue.severity
    order = {"error": 0, "warning": 1, "info": 2}
    for code in sorted(counts, key=lambda c: (order.get(severity.get(c, "info"), 3), c)):
        sev = severity.get(code, "info")
        issues.add_row(f"[{SEVERITY_STYLE[sev]}]{t('severity.' + sev, lang)}[/]", code, str(counts[code]),
                       escape(first.get(code, "")))
    console.print(issues)
