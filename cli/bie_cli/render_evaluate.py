"""Rich rendering of :class:`bie.tagging.evaluate.Evaluation` (``bie rules evaluate``). Presentation only."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bie.resources import load_data
from bie.tagging.evaluate import Evaluation, Metrics
from bie.tagging.rules import CATEGORIES
from bie_cli.render import CATEGORY_STYLE, safe

WORDS: dict[str, dict[str, str]] = {
    "title": {"fr": "Évaluation du marqueur", "en": "Evaluation of the tagger"},
    "rules": {"fr": "règles", "en": "rules"},
    "part": {"fr": "partie", "en": "part"},
    "part.dev": {"fr": "dev (réglage)", "en": "dev (tuning)"},
    "part.test": {"fr": "test (mis à part)", "en": "test (set aside)"},
    "part.all": {"fr": "toutes", "en": "all"},
    "measured": {"fr": "Textes mesurés", "en": "Texts measured"},
    "skipped": {"fr": "non mesurés", "en": "not measured"},
    "skip.no_category": {"fr": "sans catégorie attendue", "en": "no expected category"},
    "skip.manual_decision": {"fr": "décision manuelle", "en": "manual decision"},
    "skip.local_overlay": {"fr": "surcouche locale", "en": "local overlay"},
    "skip.no_label": {"fr": "étiquette vide", "en": "empty label"},
    "nothing": {
        "fr": "Aucun texte étiqueté dans cette partie : rien à mesurer.",
        "en": "No labelled text in this part: nothing to measure.",
    },
    "parts_title": {"fr": "Résultats par partie", "en": "Results by part"},
    "texts": {"fr": "Textes", "en": "Texts"},
    "accuracy": {"fr": "Exactitude", "en": "Accuracy"},
    "macro_f1": {"fr": "Macro-F1", "en": "Macro-F1"},
    "classes_title": {"fr": "Scores par catégorie — {group}", "en": "Scores by category — {group}"},
    "category": {"fr": "Catégorie", "en": "Category"},
    "precision": {"fr": "Précision", "en": "Precision"},
    "recall": {"fr": "Rappel", "en": "Recall"},
    "support": {"fr": "Attendus", "en": "Expected"},
    "predicted": {"fr": "Obtenus", "en": "Predicted"},
    "confusion_title": {
        "fr": "Matrice de confusion — {group} (lignes : attendu ; colonnes : obtenu)",
        "en": "Confusion matrix — {group} (rows: expected; columns: predicted)",
    },
    "expected_obtained": {"fr": "Attendu \\ obtenu", "en": "Expected \\ predicted"},
    "calibration_title": {
        "fr": "Calibration — {group} (confiance annoncée et exactitude observée)",
        "en": "Calibration — {group} (stated confidence and observed accuracy)",
    },
    "bin": {"fr": "Confiance", "en": "Confidence"},
    "mean_confidence": {"fr": "Confiance moyenne", "en": "Mean confidence"},
    "observed": {"fr": "Exactitude observée", "en": "Observed accuracy"},
    "ece": {"fr": "Écart moyen de calibration", "en": "Expected calibration error"},
    "disagreements_title": {"fr": "Désaccords ({count})", "en": "Disagreements ({count})"},
    "no_disagreement": {"fr": "Aucun désaccord.", "en": "No disagreement."},
    "expected": {"fr": "Attendu", "en": "Expected"},
    "obtained": {"fr": "Obtenu", "en": "Predicted"},
    "confidence": {"fr": "Confiance", "en": "Confidence"},
    "rules_fired": {"fr": "Règles", "en": "Rules"},
    "total": {"fr": "ensemble", "en": "overall"},
}


def w(key: str, lang: str, **params: object) -> str:
    text = WORDS[key][lang]
    return text.format(**params) if params else text


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
