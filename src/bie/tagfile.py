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

    def write(self, path: str | Path) -> Path:
        """Write :attr:`table` as .xlsx, .csv (``;``, UTF-8 with BOM) or .json, chosen by the extension.

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
        with atomic_path(target, self.input_files) as tmp:
            if suffix == ".xlsx":
                money = [c for c in self.table.columns if c.startswith(("Montant", "montant"))]
                export.write_xlsx(self.table, tmp, "Actions", money)
            elif suffix == ".csv":
                export.write_csv(self.table, tmp)
            else:
                export.write_json(self.table, tmp)
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
    source_row = "ligne source" if lang == "fr" else "source row"
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
    )
