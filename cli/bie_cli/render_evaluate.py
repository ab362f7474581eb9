"""Rich rendering of :class:`bie.tagging.evaluate.Evaluation` (``bie rules evaluate``). Presentation only."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from bie.resources import load_data
from bie.tagging.calibration import Calibration
from bie.tagging.evaluate import Evaluation, Metrics
from bie.tagging.rules import CATEGORIES
from bie_cli.labels import t
from bie_cli.render import CATEGORY_STYLE, safe


def w(key: str, lang: str, **params: object) -> str:
    return t(f"eval.{key}", lang, **params)


def num(value: float | None, lang: str, digits: int = 2) -> str:
    """0,85 (fr) or 0.85 (en); « — » when undefined."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def _label(category: str, lang: str) -> str:
    labels = load_data("labels.yaml")["categories"]
    return str(labels[category]["short_en" if lang == "en" else "short_fr"])


def _styled(category: str, lang: str) -> str:
    return f"[{CATEGORY_STYLE[category]}]{_label(category, lang)}[/]"


def _parts_table(result: Evaluation, lang: str) -> Table:
    """One column per named part (and the whole when there are several), one row per figure."""
    columns = list(result.parts.items())
    if len(columns) > 1:
        columns.append((w("total", lang), result.overall))
    table = Table(title=w("parts_title", lang), title_justify="left")
    table.add_column("")
    for name, _m in columns:
        table.add_column(safe(name), justify="right", no_wrap=True)
    table.add_row(w("texts", lang), *[str(m.count) for _n, m in columns])
    table.add_row(w("accuracy", lang), *[num(m.accuracy, lang) for _n, m in columns])
    table.add_row(
        f"[bold]{w('macro_f1', lang)}[/]", *[f"[bold]{num(m.macro_f1, lang)}[/]" for _n, m in columns]
    )
    for cat in CATEGORIES:
        table.add_row(f"F1 {_styled(cat, lang)}", *[num(m.score(cat).f1, lang) for _n, m in columns])
    return table


def _classes_table(m: Metrics, group: str, lang: str) -> Table:
    table = Table(title=w("classes_title", lang, group=group), title_justify="left")
    table.add_column(w("category", lang))
    for key in ("precision", "recall"):
        table.add_column(w(key, lang), justify="right")
    table.add_column("F1", justify="right", style="bold")
    table.add_column(w("support", lang), justify="right")
    table.add_column(w("predicted", lang), justify="right")
    for c in m.classes:
        table.add_row(
            _styled(c.category, lang),
            num(c.precision, lang),
            num(c.recall, lang),
            num(c.f1, lang),
            str(c.support),
            str(c.predicted),
        )
    table.add_row(
        f"[bold]{w('macro_f1', lang)}[/]", "", "", num(m.macro_f1, lang), str(m.count), str(m.count)
    )
    return table


def _confusion_table(m: Metrics, group: str, lang: str) -> Table:
    table = Table(title=w("confusion_title", lang, group=group), title_justify="left")
    table.add_column(w("expected_obtained", lang))
    for cat in CATEGORIES:
        table.add_column(_label(cat, lang), justify="right")
    for cat, row in zip(CATEGORIES, m.confusion, strict=True):
        cells = [
            f"[bold]{n}[/]" if i == CATEGORIES.index(cat) else (str(n) if n else "·")
            for i, n in enumerate(row)
        ]
        table.add_row(_styled(cat, lang), *cells)
    return table


def _calibration_table(m: Metrics, group: str, lang: str) -> Table:
    table = Table(title=w("calibration_title", lang, group=group), title_justify="left")
    table.add_column(w("bin", lang))
    table.add_column(w("texts", lang), justify="right")
    table.add_column(w("mean_confidence", lang), justify="right")
    table.add_column(w("observed", lang), justify="right", style="bold")
    last = len(m.calibration) - 1
    for i, b in enumerate(m.calibration):
        close = "]" if i == last else "["
        sep = " ; " if lang == "fr" else ", "
        table.add_row(
            f"[{num(b.low, lang, 1)}{sep}{num(b.high, lang, 1)}{close}",
            str(b.count),
            num(b.mean_confidence, lang),
            num(b.accuracy, lang),
        )
    table.caption = f"{w('ece', lang)}{' : ' if lang == 'fr' else ': '}{num(m.calibration_error, lang)}"
    table.caption_justify = "left"
    return table


def _disagreements(console: Console, result: Evaluation, lang: str) -> None:
    """One short block per disagreement (readable at any terminal width)."""
    sep = " : " if lang == "fr" else ": "
    console.print(f"[bold]{w('disagreements_title', lang, count=len(result.disagreements))}[/]")
    for d in result.disagreements:
        where = d.source if d.line is None else f"{d.source}:{d.line}"
        rules = ", ".join(d.rules) or "—"
        console.print(f"[dim]{safe(d.part)}[/] · [bold]{safe(d.id)}[/] · {safe(where)}", soft_wrap=True)
        console.print(
            f"  {w('expected', lang)}{sep}{_styled(d.expected, lang)} ; {w('obtained', lang)}{sep}"
            f"{_styled(d.predicted, lang)} ({w('confidence', lang).lower()} {num(d.confidence, lang)}) ; "
            f"{w('rules_fired', lang).lower()}{sep}{safe(rules)}",
            soft_wrap=True,
        )
        if d.text:
            quoted = f"« {safe(d.text)} »" if lang == "fr" else f"“{safe(d.text)}”"
            console.print(f"  [dim]{quoted}[/]", soft_wrap=True)


def render_evaluation(console: Console, result: Evaluation, lang: str) -> None:
    sep = " : " if lang == "fr" else ": "
    console.print(
        f"[bold]{w('title', lang)}[/] — {w('rules', lang)} {safe(result.rules_version)} — "
        f"{w('part', lang)}{sep}{w('part.' + result.part, lang)}",
        soft_wrap=True,
    )
    skipped = sum(result.skipped.values())
    line = f"{w('measured', lang)}{sep}{result.overall.count}"
    if skipped:
        detail = ", ".join(f"{w('skip.' + k, lang)} {n}" for k, n in result.skipped.items())
        line += f"{' ; ' if lang == 'fr' else '; '}{w('skipped', lang)}{sep}{skipped} ({detail})"
    console.print(line, soft_wrap=True)
    console.print()
    if result.overall.count == 0:
        console.print(w("nothing", lang))
        return
    console.print(_parts_table(result, lang))
    for name, m in result.parts.items():
        console.print()
        console.print(_classes_table(m, safe(name), lang))
        console.print(_confusion_table(m, safe(name), lang))
        console.print(_calibration_table(m, safe(name), lang))
    console.print()
    if result.disagreements:
        _disagreements(console, result, lang)
    else:
        console.print(w("no_disagreement", lang))


def render_calibration(console: Console, cal: Calibration, lang: str, written: Path | None) -> None:
    """``bie rules calibrate``: one row per score bin of each decision step."""
    table = Table(
        title=w(
            "cal_title",
            lang,
            version=safe(cal.rules_version),
            part=w(f"part.{cal.part}", lang),
            texts=cal.texts,
        ),
        title_justify="left",
    )
    table.add_column(w("cal_step", lang))
    table.add_column(w("cal_score", lang), justify="right")
    table.add_column(w("texts", lang), justify="right")
    table.add_column(w("cal_right", lang), justify="right")
    table.add_column(w("cal_confidence", lang), justify="right", style="bold")
    for name, step in cal.steps.items():
        low = 0.0
        for k, b in enumerate(step.bins):
            shown = f"[{num(low, lang)} ; {num(b.score_max, lang)}]" if len(step.bins) > 1 else "—"
            table.add_row(
                w(f"step.{name}", lang) if k == 0 else "",
                shown,
                str(b.texts),
                str(b.right),
                num(b.confidence, lang),
            )
            low = b.score_max
    console.print(table)
    if written is None:
        console.print(w("cal_not_written", lang))
    else:
        console.print(w("cal_written", lang, path=safe(str(written))))
