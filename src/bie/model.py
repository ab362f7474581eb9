"""The typed result of reading one input file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from bie.issues import Issue, count_by_code
from bie.mapping import FUNDING_PREFIX, ColumnMapping

#: Stages of the amount, as keys of :meth:`ReadResult.amounts`.
STAGE_FIELDS = {
    "requested": "amount_requested",
    "proposed": "amount_proposed",
    "granted": "amount_granted",
    "total_cost": "total_cost",
}


@dataclass
class SheetInfo:
    name: str
    status: str  # read | hidden | empty | not_chosen | unreadable | no_header
    score: float | None = None


@dataclass
class ReadResult:
    """Everything bie knows after reading a file: the actions, the fate of every source row, the issues."""

    path: str
    format: str
    sheet: str
    sheets: list[SheetInfo]
    header_rows: list[int]
    mapping: ColumnMapping
    #: One row per action: ``_sheet``, ``_row`` (first source row), canonical fields (typed), one
    #: ``funding:<funder>`` column per co-funder (euros).
    actions: pl.DataFrame
    #: The same actions with their original columns (source headers, text as read).
    original: pl.DataFrame
    #: One row per source row of the sheet: ``sheet``, ``row``, ``status`` (action|excluded), ``reason``,
    #: ``action_row`` (the action a continuation row was folded into) and ``text`` (a preview of the cells).
    ledger: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    #: Number of issues per code, counting those beyond the per-code cap kept in ``issues``.
    issue_counts: dict[str, int] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str | None = None
    #: The amounts of every data row below the header (actions and excluded rows): ``_row`` and one Float64
    #: column per amount field or ``funding:<funder>`` column. Used to reconcile the input total.
    row_amounts: pl.DataFrame | None = None

    @property
    def funders(self) -> dict[str, float]:
        """Funder name -> total of its funding column over the actions (euros, to the cent)."""
        out: dict[str, float] = {}
        for f in self.mapping.funding:
            col = f"{FUNDING_PREFIX}{f.funder}"
            out[f.funder] = cents_sum(self.actions, col)
        return out

    @property
    def amounts(self) -> dict[str, float]:
        """Stage (requested, proposed, granted, total_cost) -> total over the actions, for stages present.

        A stage with no amount column of its own but with co-funder columns of that stage (« Financements
        sollicités / État », « … / Ville ») totals those columns."""
        out: dict[str, float] = {}
        for stage, col in STAGE_FIELDS.items():
            if col in self.actions.columns:
                out[stage] = cents_sum(self.actions, col)
                continue
            funding = [f"{FUNDING_PREFIX}{f.funder}" for f in self.mapping.funding if f.stage == stage]
            if funding:
                out[stage] = round(sum(cents_sum(self.actions, c) for c in funding), 2)
        return out

    @property
    def excluded(self) -> pl.DataFrame:
        return self.ledger.filter(pl.col("status") == "excluded")

    def excluded_by_reason(self) -> dict[str, int]:
        counts = self.excluded.group_by("reason").len().sort("reason")
        return dict(
            zip(counts.get_column("reason").to_list(), counts.get_column("len").to_list(), strict=True)
        )

    def columns_map(self) -> dict[str, str]:
        """Canonical field (or ``funding:<funder>``) -> source header."""
        out = {f: self.mapping.headers[c] for f, c in sorted(self.mapping.fields.items())}
        for f in self.mapping.funding:
            out[f"{FUNDING_PREFIX}{f.funder}"] = f.header
        return out

    def to_inspect_dict(self, lang: str = "fr") -> dict[str, Any]:
        """The object ``bie inspect --json`` prints."""
        excluded = [
            {"row": r, "reason": reason, "text": text}
            for r, reason, text in self.excluded.select("row", "reason", "text").iter_rows()
        ]
        return {
            "file": self.path,
            "format": self.format,
            "sheet": self.sheet,
            "sheets": [{"name": s.name, "status": s.status} for s in self.sheets],
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_rows": self.header_rows,
            "columns": self.columns_map(),
            "confidence": {k: round(v, 2) for k, v in sorted(self.mapping.confidence.items())},
            "unmapped": [self.mapping.headers[c] for c in self.mapping.unmapped],
            "actions": self.actions.height,
            "rows": self.ledger.height,
            "excluded": excluded,
            "excluded_by_reason": self.excluded_by_reason(),
            "amounts": self.amounts,
            "funders": self.funders,
            "issue_counts": self.issue_counts or count_by_code(self.issues),
            "issues": [
                {k: v for k, v in i.to_dict(lang).items() if k != "severity"} | {"severity": i.severity}
                for i in self.issues
            ],
        }


def cents_sum(frame: pl.DataFrame, column: str) -> float:
    """Exact sum of a euro column: values are rounded to cents and added as integers."""
    if column not in frame.columns or frame.height == 0:
        return 0.0
    total = frame.select((pl.col(column) * 100).round(0).cast(pl.Int64).cast(pl.Int128).sum()).item()
    return round((total or 0) / 100, 2)
