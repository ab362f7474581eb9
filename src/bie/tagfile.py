"""``bie.tag_file``: read a funding table and tag every action, keeping its original columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from bie import export
from bie.errors import OutputError, Text
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.issues import Issue
from bie.model import ReadResult
from bie.outputs import InputFile, atomic_path, display_name, identify
from bie.reader import read
from bie.resources import load_data

#: The columns the tagger adds (also the JSON keys), in output order.
TAG_COLUMNS = (
    "category",
    "category_label",
    "dac_marker",
    "eu_weight",
    "confidence",
    "review_reason",
    "review_reason_label",
    "reasons",
    "audience",
    "declared_category",
    "declaration_mismatch",
    "override",
)
OUTPUT_FORMATS = (".xlsx", ".csv", ".json")
#: The key of the source row in :attr:`TaggedFile.table` (the JSON and ``--codes`` outputs), the same in every
#: language; readers see it as « Ligne » / "Row" (:meth:`TaggedFile.readable`).
SOURCE_ROW = "source_row"
#: The tag columns a reader sees (``bie tag`` without ``--codes``), each with the labels that turn its ids
#: into words (a section of ``labels.yaml``; ``None``: the value is kept). Headers: ``labels_excel.yaml``,
#: ``actions``, the words of the Excel report's Actions sheet.
READER_COLUMNS: dict[str, str | None] = {
    "category": "categories",
    "dac_marker": None,
    "eu_weight": None,
    "confidence": None,
    "review_reason": "review_reasons",
    "reasons": None,
    "audience": "audience",
    "declared_category": "categories",
    "declaration_mismatch": None,
    "override": None,
}


@dataclass
class TaggedFile:
    read: ReadResult
    #: Canonical actions with the tag columns.
    actions: pl.DataFrame
    #: Original columns as read, the source row, then the tag columns: what ``bie tag`` writes.
    table: pl.DataFrame
    rules_version: str
    issues: list[Issue]
    #: The files read (table, mapping, rules, overrides) by their identity on disk: never written over.
    input_files: tuple[InputFile, ...] = field(default_factory=tuple)
    #: The reader's language (headers and words of :meth:`readable`).
    lang: str = "fr"
    #: What each reason id means in :attr:`lang` (rule titles, ``RulePack.rule_titles``).
    rule_titles: dict[str, str] = field(default_factory=dict)

    def readable(self) -> pl.DataFrame:
        """:attr:`table` for a reader, in :attr:`lang`: the original columns untouched, then the tag columns
        with words for headers and values (« Catégorie (bie) » : « action spécifique », « Oui »/« Non »,
        reasons as « Règle ID (titre) — Intitulé de l'action : « mots » »); no internal id left but the
        rule ids."""
        lang = "en" if self.lang == "en" else "fr"
        labels = load_data("labels.yaml")
        words = load_data("labels_excel.yaml")
        heads = words["actions"]
        source_row = self.table.columns[0]  # tag_file puts the source row first
        taken = {c for c in self.table.columns if c not in TAG_COLUMNS}
        exprs: list[pl.Expr] = [pl.col(source_row).alias(str(heads["row"][lang]))]
        taken.discard(source_row)
        taken.add(str(heads["row"][lang]))
        exprs += [pl.col(c) for c in self.table.columns if c != source_row and c not in TAG_COLUMNS]
        for column, section in READER_COLUMNS.items():
            if column not in self.table.columns:
                continue
            header = str(heads[column][lang])
            while header in taken:  # a column of the file has that name already
                header += " (bie)"
            taken.add(header)
            expr = pl.col(column)
            if section is not None:
                names = {k: str(v[lang]) for k, v in labels[section].items()}
                expr = expr.replace_strict(names, default=expr, return_dtype=pl.String)
            elif column == "declaration_mismatch":
                yes, no = str(words["bool_yes"][lang]), str(words["bool_no"][lang])
                expr = pl.when(expr).then(pl.lit(yes)).when(expr.not_()).then(pl.lit(no))
            elif column == "reasons":
                expr = export.reasons_expr(column, lang, self.rule_titles)
            exprs.append(expr.alias(header))
        return self.table.select(exprs)

    def write(self, path: str | Path, *, codes: bool = False) -> Path:
        """Write the actions as .xlsx, .csv (``;``, UTF-8 with BOM) or .json, chosen by the extension.

        .xlsx and .csv are for readers (:meth:`readable`: words in :attr:`lang`) unless ``codes`` is true;
        .json, for tools, always holds :attr:`table` (internal ids, the same keys in every language). With
        ``codes``, .xlsx and .csv hold :attr:`table` too (booleans ``true``/``false`` in CSV, TRUE/FALSE in
        Excel).

        Atomic (a temporary file, then a rename); a path that is one of the files read, by its identity on
        disk (links followed), is refused with :class:`~bie.errors.OutputIsInput`."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in OUTPUT_FORMATS:
            raise OutputError(
                display_name(target),
                detail=Text(
                    f"extension « {suffix or '(aucune)'} » : choisissez .xlsx, .csv ou .json",
                    f"extension “{suffix or '(none)'}”: choose .xlsx, .csv or .json",
                ),
            )
        frame = self.table if codes or suffix == ".json" else self.readable()
        with atomic_path(target, self.input_files) as tmp:
            if suffix == ".xlsx":
                money = [c for c in frame.columns if c.startswith(("Montant", "montant"))]
                export.write_xlsx(frame, tmp, "Actions", money)
            elif suffix == ".csv":
                export.write_csv(frame, tmp, self.lang)
            else:
                export.write_json(frame, tmp)
        return target


def tag_file(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    mapping: str | Path | None = None,
    rules: Sequence[str | Path] = (),
    overrides: str | Path | None = None,
    lang: str = "fr",
    limits: Limits = DEFAULT_LIMITS,
) -> TaggedFile:
    """Read ``path`` and tag each action (see :mod:`bie.tagging`)."""
    from bie.tagging import load_overrides, load_rules, tag

    result = read(path, sheet=sheet, mapping=mapping, limits=limits)
    pack = load_rules([Path(r) for r in rules])
    manual = load_overrides(overrides) if overrides else None
    tagged = tag(result.actions, pack, manual)
    labels = load_data("labels.yaml")
    frame = tagged.frame.with_columns(
        pl.col("category")
        .replace_strict({k: v[lang] for k, v in labels["categories"].items()}, default=None)
        .alias("category_label")
    )
    if "review_reason" in frame.columns:
        frame = frame.with_columns(
            pl.col("review_reason")
            .replace_strict({k: v[lang] for k, v in labels["review_reasons"].items()}, default=None)
            .alias("review_reason_label")
        )
    source_row = SOURCE_ROW
    tags = frame.select(pl.col("_row"), *[pl.col(c) for c in TAG_COLUMNS if c in frame.columns])
    table = result.original.join(tags, on="_row", how="left", maintain_order="left").rename(
        {"_row": source_row}
    )
    table = table.select(source_row, *[c for c in table.columns if c != source_row])
    return TaggedFile(
        read=result,
        actions=frame,
        table=table,
        rules_version=pack.full_version,
        issues=[*result.issues, *tagged.issues],
        input_files=identify([path, mapping, *rules, overrides]),
        lang=lang,
        rule_titles=pack.rule_titles(lang),
    )
