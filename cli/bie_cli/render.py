"""Rich rendering of library results. No logic here beyond presentation.

Everything printed goes through :class:`SafeConsole`, which shows control characters as visible escapes
(:func:`bie.safetext.printable`); every value that comes from outside bie's own words (cell text, headers,
sheet and file names, rule texts, messages quoting them) goes through :func:`safe`, which also keeps it on
one line and escapes rich markup, so ``[red]`` or ``[link=…]`` in a cell stays literal.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from bie.i18n import Numbers
from bie.model import ReadResult
from bie.progress import split_stage
from bie.resources import load_data
from bie.safetext import printable
from bie.vocabulary import field_label
from bie_cli.labels import catalogue, money, t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
REASON_ORDER = ("action", "blank", "header", "section", "total", "note", "continuation", "duplicate")


class SafeConsole(Console):
    """A rich Console that never lets a control character reach the terminal: every string it renders
    (printed text, table cells, titles) has its control characters shown as visible escapes first."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text, one_line=False), **kwargs)


def safe(value: object) -> str:
    """A value from outside bie's own words, ready for rich markup: one line, no control character,
    markup escaped."""
    return escape(printable(value, one_line=True))


def resolve_sheet(file: Path, sheet: str | None) -> str | None:
    return sheet


def _kv(table: Table, key: str, value: object) -> None:
    table.add_row(f"[bold]{escape(key)}[/]", safe(value))


def render_inspect(console: Console, result: ReadResult, lang: str) -> None:
    summary = Table.grid(padding=(0, 2))
    summary.add_column()
    summary.add_column()
    _kv(summary, t("file", lang), result.path)
    fmt = result.format + (f" ({result.encoding}, « {result.delimiter} »)" if result.delimiter else "")
    _kv(summary, t("format", lang), fmt.replace("«", "'").replace("»", "'") if lang == "en" else fmt)
    _kv(summary, t("sheet", lang), result.sheet)
    others = [
        f"{printable(s.name)} ({t('sheet.' + s.status, lang)})"
        for s in result.sheets
        if s.name != result.sheet
    ]
    if others:
        _kv(summary, t("sheets", lang), "; ".join(others))
    header = "header_row" if len(result.header_rows) == 1 else "header_rows"
    _kv(summary, t(header, lang), ", ".join(str(r) for r in result.header_rows))
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
        cols.add_row(safe(field_label(fld, lang)), safe(header), "" if conf is None else f"{conf:.0%}")
    console.print(cols)
    if result.mapping.unmapped:
        console.print(
            f"[bold]{t('unmapped_title', lang)}[/] : "
            if lang == "fr"
            else f"[bold]{t('unmapped_title', lang)}[/]: ",
            safe(", ".join(result.mapping.headers[c] for c in result.mapping.unmapped)),
        )
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
            funders.add_row(safe(f.funder), safe(f.header), money(result.funders[f.funder], lang))
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
        issues.add_row(
            f"[{SEVERITY_STYLE[sev]}]{t('severity.' + sev, lang)}[/]",
            safe(code),
            str(counts[code]),
            safe(first.get(code, "")),
        )
    console.print(issues)


def _labels() -> dict[str, dict[str, str]]:
    from bie.resources import load_data

    return dict(load_data("labels.yaml")["categories"])


def _zone(zone: str, lang: str) -> str:
    from bie.tagging.explain import zone_label

    return zone_label(zone, lang)


def _audience(audience: str, lang: str) -> str:
    from bie.resources import load_data

    return str(load_data("labels.yaml")["audience"].get(audience, {}).get(lang, audience))


CATEGORY_STYLE = {
    # the palette of every output (bie/data/palette.yaml): the same colour in the terminal, HTML and Excel
    cat: f"bold {colours['fill']}"
    for cat, colours in load_data("palette.yaml")["colours"].items()
    if cat in ("specific", "transversal", "not_integrated", "to_review")
}


def render_tag_summary(console: Console, result: object, written: Path, lang: str) -> None:
    from bie.tagfile import TaggedFile

    assert isinstance(result, TaggedFile)
    labels = _labels()
    actions = result.actions
    table = Table(title=t("categories_title", lang), title_justify="left")
    table.add_column(t("category", lang))
    table.add_column(t("count", lang), justify="right")
    table.add_column(t("share", lang), justify="right")
    n = actions.height or 1
    counts = dict(
        zip(
            *actions.get_column("category").value_counts(sort=True).to_dict(as_series=False).values(),
            strict=True,
        )
    )
    for cat in ("specific", "transversal", "not_integrated", "to_review"):
        k = counts.get(cat, 0)
        share = f"{k / n:.0%}".replace("%", "\u00a0%") if lang == "fr" else f"{k / n:.0%}"
        table.add_row(f"[{CATEGORY_STYLE[cat]}]{labels[cat][lang]}[/]", str(k), share)
    console.print(table)
    mism = int(actions.get_column("declaration_mismatch").fill_null(False).sum())
    if mism:
        console.print(
            f"{t('mismatches', lang)} : {mism}" if lang == "fr" else f"{t('mismatches', lang)}: {mism}"
        )
    sep = " : " if lang == "fr" else ": "
    version = safe(result.rules_version)
    line = f"{t('rules_version', lang)} {version} — {t('written', lang)}{sep}{safe(written)}"
    console.print(line, soft_wrap=True)


def render_explanation(console: Console, explanation: object, lang: str) -> None:
    from bie.tagging import Explanation

    assert isinstance(explanation, Explanation)
    labels = _labels()
    zones = Table(title=t("zones", lang), title_justify="left", show_lines=True)
    zones.add_column(t("zone", lang), style="cyan", no_wrap=True)
    zones.add_column(t("text", lang))
    for z in explanation.zones:
        if z.text and any(ch.isalnum() for ch in z.text):
            zones.add_row(safe(_zone(z.zone, lang)), safe(" ".join(z.text.split())))
    console.print(zones)
    hits = Table(title=t("rules_fired", lang), title_justify="left")
    hits.add_column(t("rule", lang), style="cyan", no_wrap=True)
    hits.add_column(t("evidence", lang))
    hits.add_column(t("zone", lang))
    hits.add_column(t("words", lang))
    hits.add_column("")
    opening, closing = ("« ", " »") if lang == "fr" else ('"', '"')
    for h in explanation.hits:
        words = f"{opening}{safe(h.match)}{closing}"
        hits.add_row(
            safe(h.rule), safe(h.kind(lang)), safe(_zone(h.zone, lang)), words, safe(h.title_in(lang))
        )
    if not explanation.hits:
        hits.add_row(t("none", lang), "", "", "", "")
    console.print(hits)
    if explanation.neutralised:
        console.print(f"[bold]{t('neutralised', lang)}[/]")
        for h in explanation.neutralised:
            zone = safe(_zone(h.zone, lang)) + (":" if lang == "en" else " :")
            console.print(f"  • {safe(h.rule)} — {zone} {opening}{safe(h.match)}{closing}")
    console.print(f"[bold]{t('steps', lang)}[/]")
    for step in explanation.steps:
        mark = "[bold green]→[/]" if step.chosen else ("✓" if step.holds else "[dim]✗[/]")
        outcome = f" ⇒ {labels[step.category][lang]}" if step.category in labels else ""
        console.print(f"  {mark} {safe(step.label_in(lang))}{outcome}")
        if step.chosen:
            break
    cat = explanation.category
    marker = "—" if explanation.dac_marker is None else str(explanation.dac_marker)
    from bie.i18n import Numbers

    weight = Numbers(lang).pct(explanation.eu_weight)
    sep = " : " if lang == "fr" else ": "
    console.print()
    console.print(
        f"[bold]{t('result', lang)}[/]{sep}[{CATEGORY_STYLE[cat]}]{labels[cat][lang]}[/] "
        f"({t('dac', lang)} {marker}, {t('eu_weight', lang)} {weight}, "
        f"{t('confidence_word', lang)} {Numbers(lang).decimal(explanation.confidence, 2)})"
    )
    audience = _audience(explanation.audience, lang)
    console.print(f"{t('audience', lang)}{sep}{audience}")
    if explanation.declared_category is not None:
        agree = {True: t("disagrees", lang), False: t("agrees", lang), None: t("not_compared", lang)}[
            explanation.declaration_mismatch
        ]
        console.print(f"{t('declared', lang)}{sep}{labels[explanation.declared_category][lang]} ({agree})")
    if explanation.override:
        console.print(f"{t('override', lang)}{sep}{safe(explanation.override)}")
    if explanation.review_reason is not None:
        from bie.tagging.explain import explain_words

        console.print(explain_words("review_reason", lang, reason=explanation.review_reason_label(lang)))
    console.print(f"[dim]{t('rules_version', lang)} {safe(explanation.rules_version)}[/]")


#: Seconds a run lasts before its progress bars are shown: a quick run prints nothing but its summary.
PROGRESS_DELAY = 1.0


class audit_progress:
    """One progress bar per stage (reading, tagging, web, analysis, each report…) driven by the library's
    ``progress(stage, done, total)`` (:mod:`bie.progress`), each stage worded by ``step_<key>`` in
    labels_cli.yaml. Shown only on a terminal, once the run has lasted :data:`PROGRESS_DELAY` seconds;
    silent in pipes, in tests and with ``quiet``. The bars stay on screen when the run ends, each with the
    time its stage took.

    ``with audit_progress(console, lang) as progress: bie.audit(files, progress=progress)``"""

    def __init__(self, console: Console, lang: str, quiet: bool = False) -> None:
        self.console = console
        self.lang = lang
        self.bar: Progress | None = None
        self.tasks: dict[str, TaskID] = {}
        self.counted: set[str] = set()
        self.current: str | None = None
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        self.shown = False
        self.closed = False
        if console.is_terminal and not quiet:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                console=console,
            )

    def __enter__(self) -> Callable[[str, int, int], None]:
        if self.bar is not None:
            if PROGRESS_DELAY <= 0:
                self._show()
            else:
                self.timer = threading.Timer(PROGRESS_DELAY, self._show)
                self.timer.daemon = True
                self.timer.start()
        return self.step

    def _show(self) -> None:
        with self.lock:
            if self.bar is not None and not self.shown and not self.closed:
                self.bar.start()
                self.shown = True

    def _words(self, key: str, detail: str, done: int, total: int) -> str:
        if key == "read" and total > 1 and done == total:
            return t("step_read_all", self.lang, n=Numbers(self.lang).integer(total))
        if f"step_{key}" in catalogue()["words"]:
            return t(f"step_{key}", self.lang, x=safe(detail))
        return t("step_other", self.lang)  # a stage without words: never its id

    def step(self, stage: str, done: int, total: int) -> None:
        """The library's progress callback."""
        bar = self.bar
        if bar is None:
            return
        key, detail = split_stage(stage)
        if key != self.current and self.current in self.tasks:
            self._finish(self.tasks[self.current])
        self.current = key
        if total > 1:
            self.counted.add(key)
        n = Numbers(self.lang)
        count = f"{n.integer(done)}/{n.integer(total)}" if key in self.counted else ""
        words = self._words(key, detail, done, total)
        task = self.tasks.get(key)
        if task is None:
            self.tasks[key] = bar.add_task(words, total=total or None, completed=done, count=count)
            return
        state = self._state(task)
        if done < state.completed or (done == 0 and state.finished):
            bar.reset(task, total=total or None, completed=done, description=words, count=count)
        else:
            bar.update(task, total=total or None, completed=done, description=words, count=count)

    def _state(self, task: TaskID) -> Task:
        assert self.bar is not None
        return next(state for state in self.bar.tasks if state.id == task)

    def _finish(self, task: TaskID) -> None:
        assert self.bar is not None
        state = self._state(task)
        if not state.finished:
            total = state.total or 1
            self.bar.update(task, total=total, completed=total)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.timer is not None:
            self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.bar is None or not self.shown:
                return
            if exc_type is None:
                for task in self.tasks.values():
                    self._finish(task)
            self.bar.stop()


def render_audit_summary(console: Console, audit: object, written: list[Path], lang: str) -> None:
    from bie.audit import Audit

    assert isinstance(audit, Audit)
    report = audit.report(lang)  # every figure and word decided once (bie.report.model)
    n = report.numbers
    table = Table(title=f"{t('summary', lang)} — {safe(report.basis_label)}", title_justify="left")
    table.add_column(t("category", lang))
    table.add_column(t("count", lang), justify="right")
    table.add_column(t("amount", lang), justify="right")
    table.add_column(t("share", lang), justify="right")
    for c in report.categories:
        table.add_row(
            f"[{CATEGORY_STYLE[c.category]}]{safe(c.label)}[/]",
            n.integer(c.count),
            n.money(c.amount),
            n.pct(c.share, 1),
        )
    table.add_row(
        f"[bold]{t('total', lang)}[/]",
        f"[bold]{n.integer(report.actions)}[/]",
        f"[bold]{n.money(report.amount_total)}[/]",
        "",
    )
    console.print(table)
    h = report.headline
    sep = " : " if lang == "fr" else ": "
    if h.shown:
        # Two lines, so that a narrow terminal never wraps a figure away from its label.
        weighted = f"{n.money(h.weighted_amount)} ({n.pct(h.weighted_share, 1)})"
        console.print(f"[bold]{t('weighted_spend', lang)}{sep}{weighted}[/]")
        console.print(
            f"  {t('unweighted', lang)}{sep}{n.money(h.unweighted_amount)} ({n.pct(h.unweighted_share, 1)})"
        )
    elif h.note:
        console.print(f"[bold]{t('weighted_spend', lang)}{sep}[/]{safe(h.note)}")
    if report.judged.caveat:
        console.print(f"[bold yellow]⚠ {safe(report.judged.caveat)}[/]")
    for finding in report.findings:
        console.print(f"• {safe(finding.text)}")
    console.print()
    for path in written:
        # soft_wrap: a long path is left whole for the terminal to wrap, so it can be copied or clicked.
        console.print(f"{t('written', lang)}{sep}[bold]{safe(path)}[/]", soft_wrap=True)
    html = [p for p in written if p.suffix == ".html"]
    if html:
        console.print(f"{t('open_report', lang)}{sep}{safe(html[0].resolve().as_uri())}", soft_wrap=True)
