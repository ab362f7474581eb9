"""What ``bie consolidate`` prints: a progress bar while the files are read (on a terminal only), then the
grouping and basis, the ten first groups of the ranking, the files lacking the basis and the files written.
Every figure comes from the consolidation (:class:`bie.consolidate.Consolidation`); words: labels_cli.yaml
and labels_consolidate.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from bie.i18n import Numbers
from bie.report.model import basis_label
from bie.resources import load_data
from bie_cli.labels import t
from bie_cli.render import safe

#: Groups shown in the terminal (the reports have them all).
TOP = 10


class consolidate_progress:
    """A progress bar driven by :func:`bie.consolidate`'s ``progress(done, total, name)``, on a terminal
    only (silent in tests, pipes and with ``quiet``)."""

    def __init__(self, console: Console, lang: str, quiet: bool = False) -> None:
        self.console = console
        self.lang = lang
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> consolidate_progress:
        if self.console.is_terminal and not self.quiet:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.__enter__()
        return self

    def __call__(self, done: int, total: int, name: str) -> None:
        if self.bar is None:
            return
        text = t("cons_reading", self.lang, x=safe(name))
        if self.task is None:
            self.task = self.bar.add_task(text, total=total)
        self.bar.update(self.task, completed=done, total=total, description=text)
        if done == total:
            self.bar.update(self.task, description=t("cons_grouping", self.lang))

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _word(key: str, lang: str, **params: Any) -> str:
    from bie.i18n import fmt_in

    node: Any = load_data("labels_consolidate.yaml")
    for part in key.split("."):
        node = node[part]
    return fmt_in(lang, str(node[lang]), **params)


def render_consolidation_summary(
    console: Console, consolidation: Any, written: list[Path], lang: str
) -> None:
    """The summary of ``bie consolidate`` (``consolidation``: a :class:`bie.consolidate.Consolidation`)."""
    c = consolidation
    n = Numbers(lang)
    sep = " : " if lang == "fr" else ": "

    def basis(b: str) -> str:
        return basis_label(b, lang, c.funder)

    title = _word("words.title", lang, n=n.integer(len(c.files)), by=_word(f"by.{c.by}", lang))
    console.print(f"[bold]{title}[/]", soft_wrap=True)
    key = "words.basis_given" if c.basis_given else "words.basis_common"
    console.print(_word(key, lang, basis=safe(basis(c.basis))), soft_wrap=True)
    f = c.totals
    console.print(
        t(
            "cons_totals",
            lang,
            groups=n.integer(len(c.groups)),
            actions=n.integer(f.actions),
            amount=n.money(f.amount_cents / 100),
            share=n.pct(f.weighted_share, 1),
        ),
        soft_wrap=True,
    )
    table = Table(title=t("cons_top", lang, n=n.integer(min(TOP, len(c.groups)))), title_justify="left")
    table.add_column(_word("html.ranking.rank", lang), justify="right")
    table.add_column(_word(f"group_word.{c.by}", lang))
    table.add_column(_word("html.ranking.actions", lang), justify="right")
    table.add_column(_word("html.ranking.amount", lang), justify="right")
    table.add_column(_word("html.ranking.weighted", lang), justify="right")
    table.add_column(_word("html.ranking.to_review", lang), justify="right")
    mark = _word("words.caveat_mark", lang)
    for g in c.groups[:TOP]:
        gf = g.figures
        review = n.pct(gf.to_review_share, 1)
        amount = n.money(gf.amount_cents / 100)
        table.add_row(
            n.integer(g.rank),
            safe(g.label(lang)),
            n.integer(gf.actions),
            amount if g.counted else f"[dim]{amount}[/]",
            n.pct(gf.weighted_share, 1),
            f"[yellow]{review} {mark}[/]" if gf.judged_low else review,
        )
    console.print(table)
    if len(c.groups) > TOP:
        console.print(t("cons_more", lang, n=n.integer(len(c.groups) - TOP)), soft_wrap=True)
    if c.lacking:
        console.print(
            f"[bold yellow]⚠ {_word('words.lacking_title', lang, n=n.integer(len(c.lacking)))}[/]",
            soft_wrap=True,
        )
        for x in c.lacking:
            item = _word(
                "words.lacking_item",
                lang,
                file=safe(x.file),
                basis=safe(basis(x.basis)),
                n=n.integer(x.actions),
            )
            console.print(f"  • {item}", soft_wrap=True)
    if c.skipped:
        console.print(
            f"[bold red]⚠ {_word('words.skipped_title', lang, n=n.integer(len(c.skipped)))}[/]",
            soft_wrap=True,
        )
        for f, fr, en in c.skipped:
            item = _word("words.skipped_item", lang, file=safe(f), why=safe(fr if lang == "fr" else en))
            console.print(f"  • {item}", soft_wrap=True)
    for path in written:
        # soft_wrap: a long path is left whole for the terminal to wrap, so it can be copied or clicked.
        console.print(f"{t('written', lang)}{sep}[bold]{safe(path)}[/]", soft_wrap=True)
    html = [p for p in written if p.suffix == ".html"]
    if html:
        console.print(f"{t('open_report', lang)}{sep}{safe(html[0].resolve().as_uri())}", soft_wrap=True)
