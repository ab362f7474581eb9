"""What ``bie compare`` prints: the periods, the headline figures of each pair side by side with their change,
the renewed, new and discontinued actions, the caveats, the findings and the files written. Every figure and
sentence comes from the comparison model (:mod:`bie.comparison.model`); words: labels_cli.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bie.i18n import Numbers
from bie_cli.labels import t
from bie_cli.render import safe


def _signed(n: Numbers, value: float | None, money: bool = False) -> str:
    if value is None:
        return n.na
    text = n.money(value) if money else n.integer(value)
    return text if value <= 0 else f"+{text}"


def _headline_table(headline: Any, n: Numbers, lang: str) -> Table:
    h = headline
    table = Table(title=safe(h.title), title_justify="left")
    table.add_column("")
    table.add_column(safe(h.before), justify="right")
    table.add_column(safe(h.after), justify="right")
    table.add_column(t("cmp_change", lang), justify="right")
    a = h.actions
    table.add_row(t("cmp_actions", lang), n.integer(a.before), n.integer(a.after), _signed(n, a.change))
    m = h.amount_total
    change = _signed(n, m.change, money=True) if m.change is not None else safe(h.basis_short) or n.na
    table.add_row(t("cmp_amount", lang), n.money(m.before), n.money(m.after), change)
    if h.shown:
        s = h.weighted_share
        points = n.na if s.points is None else t("cmp_points", lang, points=n.points(s.points))
        table.add_row(t("weighted_spend", lang), n.pct(s.before, 1), n.pct(s.after, 1), points)
    return table


def render_comparison_summary(console: Console, comparison: Any, written: list[Path], lang: str) -> None:
    """The summary of ``bie compare`` (``comparison``: a :class:`bie.comparison.Comparison`)."""
    model = comparison.in_lang(lang)
    n = Numbers(lang)
    sep = " : " if lang == "fr" else ": "
    console.print(f"[bold]{t('cmp_periods', lang)}{sep}{' → '.join(safe(x) for x in model.labels)}[/]")
    for pair in model.pairs:
        console.print(_headline_table(pair.headline, n, lang))
        m = pair.matching
        console.print(
            t(
                "cmp_actions_line",
                lang,
                renewed=n.integer(len(pair.matches)),
                changed=n.integer(len(pair.changed)),
                new=n.integer(m.new),
                gone=n.integer(m.discontinued),
            ),
            soft_wrap=True,
        )
        if pair.headline.basis_caveat:
            console.print(f"[bold yellow]⚠ {safe(pair.headline.basis_caveat)}[/]", soft_wrap=True)
        for finding in pair.findings:
            console.print(f"• {safe(finding.text)}", soft_wrap=True)
        console.print()
    if len(model.periods) > 2:
        console.print(_headline_table(model.overall, n, lang))
    for caveat in model.caveats:
        console.print(f"[bold yellow]⚠ {safe(caveat)}[/]", soft_wrap=True)
    for path in written:
        # soft_wrap: a long path is left whole for the terminal to wrap, so it can be copied or clicked.
        console.print(f"{t('written', lang)}{sep}[bold]{safe(path)}[/]", soft_wrap=True)
    html = [p for p in written if p.suffix == ".html"]
    if html:
        console.print(f"{t('open_report', lang)}{sep}{safe(html[0].resolve().as_uri())}", soft_wrap=True)
