"""Measure the tagger on labelled corpora: precision, recall, F1, confusion matrix, calibration.

>>> from bie.tagging.evaluate import metrics
>>> m = metrics(["specific", "not_integrated"], ["specific", "to_review"], [0.9, 0.2])
>>> m.accuracy
0.5

Three kinds of labelled corpus are read (:func:`load_corpus`):

- the French YAML case files of ``tests/rules/`` (``action`` + ``attendu.categorie``; see
  :mod:`bie.tagging.cases`), split into ``dev`` and ``test`` by a split file (``split.yaml``: for each case
  file, the ``nom`` of its ``test`` and ``dev`` cases; a case it does not list is ``dev``). Cases without
  an expected category, with manual decisions or with local overlays are skipped and counted: they do not
  measure the rules;
- a real-text corpus (``tests/corpus/real.yaml``: ``textes`` with ``objet``/``titre``/``description``,
  ``porteur``, ``etiquette``, ``partie``), scored apart as ``real-dev`` / ``real-test``;
- a CSV or spreadsheet read by :func:`bie.read`, with a label column (``etiquette``, ``label``,
  ``categorie`` or ``category``) and optionally a part column (``partie`` or ``part``; ``dev`` when absent);
  labels are the internal ids or the words of the reports (« action spécifique », « Intégrée »…).

:func:`evaluate` tags every text with one call to :func:`bie.tagging.tag` and returns an
:class:`Evaluation`. Macro-F1 averages the F1 of the categories that are expected or predicted at least
once (a category absent from both has no F1 and does not count).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import CorpusError, FileNotFound, Text
from bie.resources import load_data, load_yaml_text, read_config_text
from bie.tagging import tag
from bie.tagging.calibration import DEFAULT_MIN_BIN, DEFAULT_PRIOR, Calibration, fit, today
from bie.tagging.cases import load_cases
from bie.tagging.engine import INPUT_COLUMNS, INPUT_INT_COLUMNS, P, run
from bie.tagging.explain import frame_from_rows, row_from_mapping
from bie.tagging.rules import CATEGORIES, RulePack, load_rules
from bie.vocabulary import fold, key

__all__ = [
    "CALIBRATION_BINS",
    "PARTS",
    "CalibrationBin",
    "ClassScore",
    "Disagreement",
    "Evaluation",
    "Labelled",
    "Metrics",
    "calibrate",
    "evaluate",
    "find_split",
    "load_corpus",
    "metrics",
    "parse_label",
]

#: Values of ``part``: which texts are measured.
PARTS = ("dev", "test", "all")
#: Confidence bins of the calibration table: ``[low, high)``, the last one closed.
CALIBRATION_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (0.5, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 1.0),
)
#: Headers (folded, without spaces) of the label and part columns of a CSV or spreadsheet corpus.
LABEL_HEADERS = ("etiquette", "label", "categorie", "category", "etiquetteattendue", "categorieattendue")
PART_HEADERS = ("partie", "part")
_REAL_KEYS = frozenset(
    {
        "id",
        "objet",
        "titre",
        "description",
        "porteur",
        "source",
        "type_source",
        "etiquette",
        "motif",
        "partie",
        "objet_reconstitue",
    }
)
_EXCERPT = 160


@dataclass(frozen=True)
class ClassScore:
    """Scores of one category; ``None`` where undefined (nothing predicted, nothing expected)."""

    category: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int
    predicted: int


@dataclass(frozen=True)
class CalibrationBin:
    """One confidence bin: how many texts, their mean stated confidence, the share actually right."""

    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class Metrics:
    """The scores of one set of texts. ``confusion[i][j]``: expected ``CATEGORIES[i]``, predicted ``[j]``."""

    count: int
    accuracy: float | None
    macro_f1: float | None
    classes: tuple[ClassScore, ...]
    confusion: tuple[tuple[int, ...], ...]
    calibration: tuple[CalibrationBin, ...]
    #: Expected calibration error: the count-weighted mean gap between confidence and accuracy per bin.
    calibration_error: float | None

    def score(self, category: str) -> ClassScore:
        return self.classes[CATEGORIES.index(category)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "classes": {
                c.category: {
                    "precision": c.precision,
                    "recall": c.recall,
                    "f1": c.f1,
                    "support": c.support,
                    "predicted": c.predicted,
                }
                for c in self.classes
            },
            "confusion": {
                "rows_expected_cols_predicted": list(CATEGORIES),
                "matrix": [list(r) for r in self.confusion],
            },
            "calibration": [
                {
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "mean_confidence": b.mean_confidence,
                    "accuracy": b.accuracy,
                }
                for b in self.calibration
            ],
            "calibration_error": self.calibration_error,
        }


@dataclass(frozen=True)
class Labelled:
    """One labelled text: where it comes from, its part, its expected category, its tagger input row."""

    source: str
    line: int | None
    id: str
    corpus: str  # "cases", "real" or "table"
    part: str  # "dev" or "test"
    expected: str
    row: Mapping[str, Any]

    @property
    def group(self) -> str:
        """The named part it is scored in: ``dev``/``test`` (cases), ``real-…``, ``table-…``."""
        return self.part if self.corpus == "cases" else f"{self.corpus}-{self.part}"

    @property
    def text(self) -> str:
        parts = [str(self.row[k]) for k in ("title", "objectives", "description") if self.row.get(k)]
        return " | ".join(parts)


@dataclass(frozen=True)
class Disagreement:
    """A text whose predicted category is not the expected one."""

    id: str
    source: str
    line: int | None
    part: str
    expected: str
    predicted: str
    confidence: float
    rules: tuple[str, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "line": self.line,
            "part": self.part,
            "expected": self.expected,
            "predicted": self.predicted,
            "confidence": self.confidence,
            "rules": list(self.rules),
            "text": self.text,
        }


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`: overall scores, scores per named part, the disagreements."""

    part: str
    rules_version: str
    sources: tuple[str, ...]
    overall: Metrics
    #: Named part (``dev``, ``test``, ``real-dev``, ``real-test``, ``table-dev``…) -> its scores.
    parts: dict[str, Metrics]
    disagreements: tuple[Disagreement, ...]
    #: Why texts were not measured -> how many: ``no_category``, ``manual_decision``, ``local_overlay``,
    #: ``no_label`` (a table row with an empty label cell).
    skipped: dict[str, int] = field(default_factory=dict)

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        labels = load_data("labels.yaml")["categories"]
        return {
            "part": self.part,
            "rules_version": self.rules_version,
            "sources": list(self.sources),
            "labels": {c: labels[c]["en" if lang == "en" else "fr"] for c in CATEGORIES},
            "skipped": dict(self.skipped),
            "overall": self.overall.to_dict(),
            "parts": {name: m.to_dict() for name, m in self.parts.items()},
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


# --------------------------------------------------------------------------------------------- metrics


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def metrics(
    expected: Sequence[str], predicted: Sequence[str], confidence: Sequence[float] | None = None
) -> Metrics:
    """Scores of ``predicted`` against ``expected`` (category ids), with the stated ``confidence``."""
    if len(expected) != len(predicted) or (confidence is not None and len(confidence) != len(expected)):
        raise ValueError("expected, predicted and confidence must have the same length")
    conf = [float("nan")] * len(expected) if confidence is None else [float(c) for c in confidence]
    frame = pl.DataFrame(
        {"expected": list(expected), "predicted": list(predicted), "confidence": conf},
        schema={"expected": pl.String, "predicted": pl.String, "confidence": pl.Float64},
    )
    unknown = (
        set(frame.get_column("expected").unique().to_list())
        | set(frame.get_column("predicted").unique().to_list())
    ) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories: {sorted(map(str, unknown))}")
    pairs = frame.group_by("expected", "predicted").len()
    counts = {(e, p): n for e, p, n in pairs.iter_rows()}
    confusion = tuple(tuple(counts.get((e, p), 0) for p in CATEGORIES) for e in CATEGORIES)
    classes = []
    for i, cat in enumerate(CATEGORIES):
        tp = confusion[i][i]
        support = sum(confusion[i])
        pred = sum(row[i] for row in confusion)
        precision, recall = _ratio(tp, pred), _ratio(tp, support)
        if support == 0 and pred == 0:
            f1 = None
        elif tp == 0:
            f1 = 0.0
        else:
            assert precision is not None and recall is not None
            f1 = 2 * precision * recall / (precision + recall)
        classes.append(ClassScore(cat, precision, recall, f1, support, pred))
    f1s = [c.f1 for c in classes if c.f1 is not None]
    n = frame.height
    correct = sum(confusion[i][i] for i in range(len(CATEGORIES)))
    bins, error = _calibration(frame) if confidence is not None else ((), None)
    return Metrics(
        count=n,
        accuracy=_ratio(correct, n),
        macro_f1=sum(f1s) / len(f1s) if f1s else None,
        classes=tuple(classes),
        confusion=confusion,
        calibration=bins,
        calibration_error=error,
    )


def _calibration(frame: pl.DataFrame) -> tuple[tuple[CalibrationBin, ...], float | None]:
    last = len(CALIBRATION_BINS) - 1
    conf = pl.col("confidence")
    index: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for i, (low, high) in reversed(list(enumerate(CALIBRATION_BINS))):
        inside = (conf >= low) & ((conf <= high) if i == last else (conf < high))
        index = pl.when(inside).then(pl.lit(i, dtype=pl.Int64)).otherwise(index)
    stats = (
        frame.with_columns(index.alias("bin"), (pl.col("expected") == pl.col("predicted")).alias("ok"))
        .filter(pl.col("bin").is_not_null())
        .group_by("bin")
        .agg(pl.len().alias("n"), conf.mean().alias("conf"), pl.col("ok").mean().alias("acc"))
    )
    by_bin = {b: (n, c, a) for b, n, c, a in stats.iter_rows()}
    bins = []
    gap = 0.0
    total = 0
    for i, (low, high) in enumerate(CALIBRATION_BINS):
        n, c, a = by_bin.get(i, (0, None, None))
        bins.append(CalibrationBin(low, high, n, c, a))
        if n and c is not None and a is not None:
            gap += n * abs(a - c)
            total += n
    return tuple(bins), (gap / total if total else None)


# --------------------------------------------------------------------------------------------- labels


@functools.cache
def _label_words() -> dict[str, str]:
    words: dict[str, str] = {}
    labels = load_data("labels.yaml")["categories"]
    for cat in CATEGORIES:
        words[fold(cat)] = cat
        words[fold(cat.replace("_", " "))] = cat
        for value in labels[cat].values():
            words[fold(str(value))] = cat
    extra = {
        "specifique": "specific",
        "action specifique": "specific",
        "transversale": "transversal",
        "integree": "transversal",
        "egalite integree": "transversal",
        "non integree": "not_integrated",
        "non integre": "not_integrated",
        "non prise en compte": "not_integrated",
        "a revoir": "to_review",
        "a examiner": "to_review",
    }
    words.update(extra)
    return words


def _accepted(lang: str) -> str:
    labels = load_data("labels.yaml")["categories"]
    shown = ", ".join(
        f"« {labels[c][lang]} »" if lang == "fr" else f'"{labels[c][lang]}"' for c in CATEGORIES
    )
    ids = ", ".join(CATEGORIES)
    return f"{shown} ou {ids}" if lang == "fr" else f"{shown} or {ids}"


def parse_label(value: object) -> str | None:
    """The category id of a label as a person or a report writes it; ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    return _label_words().get(fold(value))


def _unknown(path: str | Path, where: Text, value: object, what: Text, accepted: Text) -> CorpusError:
    """« ligne N, étiquette « x » inconnue (admises : …) »: one message shape for every unknown value."""
    shown = str(value)[:80]
    return CorpusError(
        path,
        detail=Text(
            f"{where.fr}, {what.fr} « {shown} » inconnue (admises : {accepted.fr})",
            f'{where.en}, unknown {what.en} "{shown}" (accepted: {accepted.en})',
        ),
    )


def _bad_label(path: str | Path, where: Text, value: object) -> CorpusError:
    accepted = Text(_accepted("fr"), _accepted("en"))
    return _unknown(path, where, value, Text("étiquette", "label"), accepted)


def _bad_part(path: str | Path, where: Text, value: object) -> CorpusError:
    return _unknown(path, where, value, Text("partie", "part"), Text("dev, test", "dev, test"))


def _line_text(line: int | None, name: str | None = None) -> Text:
    if line is None:
        return Text(f"texte « {name} »", f'text "{name}"')
    return Text(f"ligne {line}", f"line {line}")


# --------------------------------------------------------------------------------------------- loaders


def find_split(case_file: str | Path) -> Path | None:
    """The split file of a case file: ``split.yaml`` beside it, or in a sibling ``corpus`` folder."""
    folder = Path(case_file).resolve().parent
    for candidate in (folder / "split.yaml", folder.parent / "corpus" / "split.yaml"):
        if candidate.is_file():
            return candidate
    return None


def _load_split(path: Path) -> dict[str, dict[str, str]]:
    """Case file name -> case name -> part."""
    data = load_yaml_text(read_config_text(path, CorpusError), str(path), CorpusError)
    files = data.get("fichiers") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise CorpusError(path, detail=Text("« fichiers » manquant", '"fichiers" missing'))
    out: dict[str, dict[str, str]] = {}
    for name, entry in files.items():
        parts: dict[str, str] = {}
        if isinstance(entry, dict):
            for part in ("dev", "test"):
                for case in entry.get(part) or ():
                    parts[str(case)] = part
        out[str(name)] = parts
    return out


def _load_case_file(
    path: Path, split: Path | None, splits: dict[Path, dict[str, dict[str, str]]], skipped: dict[str, int]
) -> list[Labelled]:
    split_path = split if split is not None else find_split(path)
    parts: dict[str, str] = {}
    if split_path is not None:
        if split_path not in splits:
            splits[split_path] = _load_split(split_path)
        parts = splits[split_path].get(path.name, {})
    out = []
    for case in load_cases(path):
        reason = (
            "no_category"
            if "categorie" not in case.expected
            else "manual_decision"
            if case.decisions
            else "local_overlay"
            if case.overlays
            else None
        )
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        out.append(
            Labelled(
                source=str(path),
                line=case.line,
                id=case.name,
                corpus="cases",
                part=parts.get(case.name, "dev"),
                expected=str(case.expected["categorie"]),
                row=row_from_mapping(case.action),
            )
        )
    return out


_REAL_TOP = re.compile(r"^textes\s*:", re.MULTILINE)
_REAL_ITEM = re.compile(r"^- ", re.MULTILINE)


def _load_real(path: Path, text: str) -> list[Labelled]:
    data = load_yaml_text(text, str(path), CorpusError)
    entries = data.get("textes") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CorpusError(path, detail=Text("« textes » doit être une liste", '"textes" must be a list'))
    # Lines of the items without composing the document a second time: the items of the top-level
    # « textes » list are the lines starting with « - » after it (when the count differs, no line numbers).
    start = _REAL_TOP.search(text)
    offset = start.start() if start else 0
    first = text.count("\n", 0, offset) + 1
    lines = [first + text.count("\n", offset, m.start()) for m in _REAL_ITEM.finditer(text, offset)]
    if len(lines) != len(entries):
        lines = []
    out = []
    for i, raw in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        where = _line_text(line, str(i + 1))
        if not isinstance(raw, dict) or "etiquette" not in raw or "id" not in raw:
            raise CorpusError(
                path,
                detail=Text(
                    f"{where.fr} : un texte a au moins « id » et « etiquette »",
                    f'{where.en}: a text has at least "id" and "etiquette"',
                ),
            )
        unknown = set(raw) - _REAL_KEYS
        if unknown:
            keys = ", ".join(sorted(map(str, unknown)))
            raise CorpusError(
                path,
                detail=Text(f"{where.fr} : clé(s) inconnue(s) {keys}", f"{where.en}: unknown key(s) {keys}"),
            )
        expected = parse_label(raw["etiquette"])
        if expected is None:
            raise _bad_label(path, where, raw["etiquette"])
        part = str(raw.get("partie") or "dev").strip().lower()
        if part not in ("dev", "test"):
            raise _bad_part(path, where, raw.get("partie"))
        described = [str(raw[k]) for k in ("objet", "description") if raw.get(k)]
        row = {
            "title": str(raw["titre"]) if raw.get("titre") else None,
            "description": "\n".join(described) or None,
            "carrier": str(raw["porteur"]) if raw.get("porteur") else None,
        }
        out.append(
            Labelled(
                str(path), line, str(raw["id"]), "real", part, expected, {k: v for k, v in row.items() if v}
            )
        )
    return out


def _load_table(path: Path, skipped: dict[str, int]) -> tuple[list[Labelled], pl.DataFrame]:
    from bie.reader import read

    result = read(path)
    original = result.original
    label_col = next((c for c in original.columns if c != "_row" and key(c) in LABEL_HEADERS), None)
    if label_col is None:
        raise CorpusError(
            path,
            detail=Text(
                "aucune colonne d'étiquette (« etiquette », « label » ou « categorie »)",
                'no label column ("etiquette", "label" or "categorie")',
            ),
        )
    part_col = next((c for c in original.columns if c != "_row" and key(c) in PART_HEADERS), None)
    mapped_away = {
        f
        for f, col in result.mapping.fields.items()
        if result.mapping.headers.get(col) in (label_col, part_col)
    }
    keep = [c for c in INPUT_COLUMNS if c in result.actions.columns and c not in mapped_away]
    extra = [pl.col(label_col).cast(pl.String).alias("__label")]
    if part_col is not None:
        extra.append(pl.col(part_col).cast(pl.String).alias("__part"))
    labels = original.select(pl.col("_row"), *extra)
    inputs = result.actions.select(keep).join(labels, on="_row", how="left", maintain_order="left")
    empty = pl.col("__label").is_null() | (pl.col("__label").str.strip_chars() == "")
    n_empty = inputs.filter(empty).height
    if n_empty:
        skipped["no_label"] = skipped.get("no_label", 0) + n_empty
    inputs = inputs.filter(~empty)
    items = []
    for row in inputs.iter_rows(named=True):
        line = row.get("_row")
        where = _line_text(line)
        expected = parse_label(row["__label"])
        if expected is None:
            raise _bad_label(path, where, row["__label"])
        part = str(row.get("__part") or "dev").strip().lower()
        if part not in ("dev", "test"):
            raise _bad_part(path, where, row.get("__part"))
        action = {k: row[k] for k in keep if row.get(k) is not None}
        ident = str(row.get("action_id") or (f"ligne {line}" if line is not None else "?"))
        items.append(Labelled(str(path), line, ident, "table", part, expected, action))
    return items, inputs.select(keep)


def load_corpus(
    paths: Iterable[str | Path], split: str | Path | None = None
) -> tuple[list[Labelled], dict[str, int], pl.DataFrame]:
    """Read labelled corpora (a folder stands for its ``*.yaml`` case files).

    Returns the texts, the counts of skipped texts by reason, and the tagger's input frame: one row per
    text, in the same order (YAML rows built from their mappings, table rows as :func:`bie.read` typed them).
    """
    skipped: dict[str, int] = {}
    splits: dict[Path, dict[str, dict[str, str]]] = {}
    split_path = Path(split) if split is not None else None
    items: list[Labelled] = []
    pieces: list[pl.DataFrame] = []
    for raw_path in paths:
        p = Path(raw_path)
        if not p.exists():
            raise FileNotFound(p)
        files = sorted(f for f in p.glob("*.yaml") if f.name != "split.yaml") if p.is_dir() else [p]
        for f in files:
            if f.suffix.lower() in (".yaml", ".yml"):
                text = read_config_text(f, CorpusError)
                # Parsing YAML is the slow part: each file is parsed once, by the loader of its kind.
                if _REAL_TOP.search(text):
                    loaded = _load_real(f, text)
                else:
                    loaded = _load_case_file(f, split_path, splits, skipped)
                frame = frame_from_rows([it.row for it in loaded])
            else:
                loaded, frame = _load_table(f, skipped)
            items.extend(loaded)
            pieces.append(frame)
    return items, skipped, _concat(pieces)


def _concat(pieces: Sequence[pl.DataFrame]) -> pl.DataFrame:
    casts = {c: (pl.Int64 if c in INPUT_INT_COLUMNS else pl.String) for c in INPUT_COLUMNS}
    typed = [
        p.select([pl.col(c).cast(casts[c], strict=False) for c in p.columns if c in casts])
        for p in pieces
        if p.height
    ]
    if not typed:
        return pl.DataFrame({"title": []}, schema={"title": pl.String})
    return pl.concat(typed, how="diagonal_relaxed")


# --------------------------------------------------------------------------------------------- evaluate


def _part_of(
    corpus_paths: Iterable[str | Path], part: str, pack: RulePack | None, split: str | Path | None
) -> tuple[RulePack, list[Labelled], dict[str, int], pl.DataFrame, list[bool]]:
    """The pack (built-in by default), the corpus's texts, skipped counts, input frame, and which texts are
    in ``part`` (``dev``, ``test`` or ``all``)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    items, skipped, frame = load_corpus(corpus_paths, split)
    assert frame.height == len(items) or not items, "evaluate: input frame and texts differ"
    keep = [part in ("all", it.part) for it in items]
    return (pack if pack is not None else load_rules()), items, skipped, frame, keep


def evaluate(
    corpus_paths: Iterable[str | Path],
    part: str = "dev",
    pack: RulePack | None = None,
    split: str | Path | None = None,
) -> Evaluation:
    """Tag every labelled text of ``corpus_paths`` (one :func:`bie.tagging.tag` run) and score it.

    ``part``: ``dev`` (default: the texts rules may be tuned on), ``test`` (the set-aside texts: measure,
    never tune) or ``all``; ``pack``: the rule pack (the built-in one by default); ``split``: the split file
    of the YAML cases (by default ``split.yaml`` beside them or in a sibling ``corpus/`` folder).
    """
    pack, items, skipped, frame, keep = _part_of(corpus_paths, part, pack, split)
    selected = [it for it, k in zip(items, keep, strict=True) if k]
    if selected:
        mask = pl.Series(keep, dtype=pl.Boolean)
        out = tag(frame.filter(mask), pack).frame
        predicted = out.get_column("category").to_list()
        confidence = [float(c) for c in out.get_column("confidence").fill_null(0.0).to_list()]
        reasons = out.get_column("reasons").to_list()
    else:
        predicted, confidence, reasons = [], [], []
    expected = [it.expected for it in selected]
    groups: dict[str, list[int]] = {}
    for i, it in enumerate(selected):
        groups.setdefault(it.group, []).append(i)
    order = {"dev": 0, "test": 1}
    named = sorted(
        groups,
        key=lambda g: (g.startswith(("real", "table")), g.split("-")[0], order.get(g.split("-")[-1], 2)),
    )
    parts = {
        g: metrics(
            [expected[i] for i in groups[g]],
            [predicted[i] for i in groups[g]],
            [confidence[i] for i in groups[g]],
        )
        for g in named
    }
    disagreements = tuple(
        Disagreement(
            id=it.id,
            source=it.source,
            line=it.line,
            part=it.group,
            expected=it.expected,
            predicted=predicted[i],
            confidence=confidence[i],
            rules=tuple(dict.fromkeys(r["rule"] for r in reasons[i] or [])),
            text=_excerpt(it.text),
        )
        for i, it in enumerate(selected)
        if predicted[i] != it.expected
    )
    return Evaluation(
        part=part,
        rules_version=pack.full_version,
        sources=tuple(dict.fromkeys(it.source for it in items)),
        overall=metrics(expected, predicted, confidence),
        parts=parts,
        disagreements=disagreements,
        skipped=dict(sorted(skipped.items())),
    )


def calibrate(
    corpus_paths: Iterable[str | Path],
    part: str = "dev",
    pack: RulePack | None = None,
    split: str | Path | None = None,
    *,
    prior_strength: float = DEFAULT_PRIOR,
    min_bin: int = DEFAULT_MIN_BIN,
) -> Calibration:
    """Fit the confidence calibration (:mod:`bie.tagging.calibration`) on the ``part`` of labelled corpora.

    The shipped calibration is fitted on the development part of the real corpus only
    (``tests/corpus/real.yaml``): the hand-written cases were written with the rules and are all right.
    """
    pack, items, _skipped, frame, keep = _part_of(corpus_paths, part, pack, split)
    selected = [it for it, k in zip(items, keep, strict=True) if k]
    if not selected:
        raise CorpusError(
            next(iter(corpus_paths), ""),
            detail=Text("aucun texte étiqueté dans cette partie", "no labelled text in this part"),
        )
    out, internal, _issues = run(frame.filter(pl.Series(keep, dtype=pl.Boolean)), pack)
    predicted = out.get_column("category").to_list()
    cal = fit(
        internal.get_column(f"{P}step").to_list(),
        [float(x) for x in internal.get_column(f"{P}score").to_list()],
        [p == it.expected for p, it in zip(predicted, selected, strict=True)],
        prior_strength=prior_strength,
        min_bin=min_bin,
    )
    return replace(
        cal,
        rules_version=pack.full_version,
        corpus=tuple(dict.fromkeys(_portable(it.source) for it in selected)),
        part=part,
        fitted=today(),
    )


def _portable(source: str) -> str:
    """A corpus path as recorded in the calibration file: relative to the working folder when inside it."""
    p = Path(source)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.name


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"
