"""The Excel workbook of a consolidation: the figures of many contrats de ville, typed, filterable, copyable.

    from bie.consolidate_excel import write_consolidation_excel
    write_consolidation_excel(consolidation, Path("consolidation.bie.xlsx"))   # Consolidation.write calls it

Sheets (French names by default, English with ``lang="en"``; words in ``labels_consolidate.yaml``,
``excel``): Synthèse (grouping, basis and how it was chosen, totals, the files lacking the basis, identical
files), Classement (one row per group: typed numbers, autofilter, frozen header), Toile (group × element
levels, 0 to 3, empty when unknown), Rapprochement (each file's reconciliation, then the sum per basis,
never across bases), Fichiers (one row per file and group: its basis, actions and rows).

Everything comes from the :class:`~bie.consolidate.Consolidation`: nothing is recomputed here. The safe
writers, the formats and the table writer are those of the audit workbook (:mod:`bie.report.excel`):
``strings_to_formulas`` off, every string through :func:`bie.export.write_text` (a file named ``=cmd…`` is
written as text), numbers typed with euro and percentage formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from bie.consolidate import Consolidation, Figures
from bie.i18n import check_lang, fmt_in
from bie.report.excel import (
    _HEAD,
    _HEADING,
    _NOTE,
    _NUMBER_FORMATS,
    _TOP,
    _WRAP,
    _Book,
    _parse_date,
    open_workbook,
    write_book,
)
from bie.report.model import CATEGORY_ORDER, basis_label
from bie.resources import load_data

__all__ = ["write_consolidation_excel"]


def write_consolidation_excel(
    consolidation: Consolidation, path: str | Path, lang: str | None = None
) -> None:
    """Write the workbook of ``consolidation`` (in ``lang``, by default its own) to ``path`` (overwritten;
    :meth:`~bie.consolidate.Consolidation.write` writes it all-or-nothing)."""
    chosen = check_lang(lang or consolidation.lang)
    write_book(
        path,
        lambda target, tmpdir: _ConsolidationBook(consolidation, chosen, target, tmpdir),
        lambda book: book.write_all(),
    )


@dataclass
class _Col:
    """One column: its header, its kind (text, int, euro, pct, bool) and its values."""

    header: str
    kind: str
    values: list[Any]


class _ConsolidationBook(_Book):
    """The audit workbook's safe writers and formats (:class:`bie.report.excel._Book`), with the sheets of a
    consolidation."""

    def __init__(self, consolidation: Consolidation, lang: str, path: Path, tmpdir: Path) -> None:
        # Not _Book.__init__: that one sets up an audit's workbook; every attribute its writers use is here.
        self.cons = consolidation
        self.path = path
        self.lang = lang
        self.words = load_data("labels_excel.yaml")
        self.shared = load_data("labels.yaml")
        self.own: Mapping[str, Any] = load_data("labels_consolidate.yaml")
        self.nf = _NUMBER_FORMATS[lang]
        self.marker = str(self.words["truncated_marker"])
        self.truncated = 0
        self._formats = {}
        self.wb = open_workbook(path, tmpdir)
        meta = consolidation.meta
        self.wb.set_properties(
            {
                "title": self._clip(self.title(), 255),
                "author": "bie",
                "comments": f"bie; rules {meta['rules_version']}; web {meta['web_version']}",
                "created": _parse_date(meta["generated_at"]),
            }
        )
        self.sheet_names = {}

    # ------------------------------------------------------------------ words
    def c(self, key: str, **params: Any) -> str:
        """A word of ``labels_consolidate.yaml`` (a dotted key)."""
        node: Any = self.own
        for part in key.split("."):
            node = node[part]
        text = str(node[self.lang])
        return fmt_in(self.lang, text, **params) if params else text

    def title(self) -> str:
        return self.c("words.title", n=len(self.cons.files), by=self.c(f"by.{self.cons.by}"))

    def basis(self, basis: str) -> str:
        return basis_label(basis, self.lang, self.cons.funder)

    def category(self, cat: str) -> str:
        return str(self.shared["categories"][cat][self.lang])

    # ----------------------------------------------------------------- tables
    def grid(self, ws: Any, cols: Sequence[_Col], top: int = 0, freeze_cols: int = 0) -> int:
        """Write ``cols`` as a filterable table from row ``top`` (header frozen); returns the next row."""
        n = len(cols[0].values) if cols else 0
        prepared = []
        for col in cols:
            if col.kind in ("text", "bool"):
                values = [self.yes_no(v) if col.kind == "bool" else v for v in col.values]
                texts = [None if v is None or v == "" else str(v) for v in values]
                series, props = pl.Series(col.header, texts, pl.String), dict(_TOP)
            elif col.kind == "int":
                series, props = pl.Series(col.header, col.values, pl.Int64), self.num("int", _TOP)
            else:
                series, props = pl.Series(col.header, col.values, pl.Float64), self.num(col.kind, _TOP)
            prepared.append(
                self.column(col.header, series, props, max_width=60 if col.kind == "text" else 24)
            )
        self.table(
            [ws], prepared, n, first_row=top, freeze_cols=freeze_cols, heights=self.heights(prepared, n)
        )
        return top + n + 1

    # ----------------------------------------------------------------- sheets
    def write_all(self) -> None:
        keys = ("summary", "ranking", "web", "reconciliation", "files")
        sheets = {k: self.wb.add_worksheet(self.c(f"excel.sheets.{k}")) for k in keys}
        self.sheet_names = {k: [self.c(f"excel.sheets.{k}")] for k in keys}
        sheets["summary"].set_tab_color("#1F3864")
        self.write_summary(sheets["summary"])
        self.write_ranking(sheets["ranking"])
        self.write_web_matrix(sheets["web"])
        self.write_reconciliation_sheet(sheets["reconciliation"])
        self.write_files(sheets["files"])

    def figure_rows(self, f: Figures) -> list[tuple[str, Any, str]]:
        """(label, value, number format) of a group's or the totals' figures."""
        rows: list[tuple[str, Any, str]] = [
            (self.c("figures.actions"), f.actions, "int"),
            (self.c("figures.without_amount"), f.actions_without_amount, "int"),
            (self.c("figures.amount"), f.amount_cents / 100, "euro"),
        ]
        for cat in CATEGORY_ORDER:
            m = f.by_category[cat]
            rows.append((self.c("figures.count_of", category=self.category(cat)), m.count, "int"))
            rows.append((self.c("figures.amount_of", category=self.category(cat)), m.cents / 100, "euro"))
        rows += [
            (self.c("figures.weighted"), f.weighted_cents / 100, "euro"),
            (self.c("figures.weighted_share"), f.weighted_share, "pct"),
            (self.c("figures.equality_share"), f.equality_share, "pct"),
            (self.c("figures.to_review"), f.to_review, "int"),
            (self.c("figures.to_review_share"), f.to_review_share, "pct"),
            (self.c("figures.to_review_amount_share"), f.to_review_amount_share, "pct"),
            (self.c("figures.caution"), f.judged_low, "text"),
            (self.c("figures.coverage"), f.actions_with_counts, "int"),
            (self.c("figures.coverage_share"), f.coverage_share, "pct"),
            (self.c("figures.declared"), f.declared, "int"),
            (self.c("figures.declared_not"), f.declared_not_integrated, "int"),
            (self.c("figures.gap"), f.declaration_gap, "pct"),
        ]
        return rows

    def write_summary(self, ws: Any) -> None:
        cons = self.cons
        for col, width in enumerate((56, 24, 24, 14)):
            self.ok(ws.set_column(col, col, width), ws, "a column width")
        self.print_setup(ws, repeat=None, landscape=False)
        self.text(ws, 0, 0, self.title(), {**_HEADING, "font_size": 14})
        meta = cons.meta
        self.text(
            ws,
            1,
            0,
            self.c(
                "excel.subtitle", version=_version(), rules=meta["rules_version"], web=meta["web_version"]
            ),
            _NOTE,
        )
        row = 3
        how = self.c("excel.basis_given" if cons.basis_given else "excel.basis_common")
        for label, value in (
            (self.c("excel.grouping"), self.c(f"by.{cons.by}")),
            (self.c("excel.basis"), self.basis(cons.basis)),
            (self.c("excel.basis_how"), how),
        ):
            self.put_row(ws, row, [label, value], [_WRAP, _WRAP])
            row += 1
        row += 1
        self.text(ws, row, 0, self.c("excel.totals"), _HEADING)
        row += 1
        self.put_row(ws, row, [self.c("excel.figure"), self.c("excel.value")], _HEAD)
        row += 1
        self.put_row(ws, row, [self.c("excel.groups"), len(cons.groups)], [_WRAP, self.num("int", _TOP)])
        row += 1
        self.put_row(ws, row, [self.c("excel.files"), len(cons.files)], [_WRAP, self.num("int", _TOP)])
        for label, value, kind in self.figure_rows(cons.totals):
            row += 1
            props = _TOP if kind == "text" else self.num(kind, _TOP)
            self.put_row(ws, row, [label, value], [_WRAP, props])
        row += 2
        self.text(ws, row, 0, self.c("excel.lacking"), _HEADING)
        row += 1
        if not cons.lacking:
            self.text(ws, row, 0, self.c("excel.lacking_none"), _NOTE)
            row += 1
        else:
            self.put_row(
                ws, row, [self.c("excel.file"), self.c("excel.file_basis"), self.c("excel.actions")], _HEAD
            )
            for x in cons.lacking:
                row += 1
                self.put_row(
                    ws, row, [x.file, self.basis(x.basis), x.actions], [_WRAP, _WRAP, self.num("int", _TOP)]
                )
            row += 1
        if cons.duplicates:
            row += 1
            self.text(ws, row, 0, self.c("excel.duplicates"), _HEADING)
            row += 1
            self.put_row(ws, row, [self.c("excel.file"), self.c("excel.same_as")], _HEAD)
            for f, o in cons.duplicates:
                row += 1
                self.put_row(ws, row, [f, o], [_WRAP, _WRAP])

    def write_ranking(self, ws: Any) -> None:
        groups = self.cons.groups
        f = [g.figures for g in groups]
        cols = [
            _Col(self.c("excel.rank"), "int", [g.rank for g in groups]),
            _Col(self.c(f"group_word.{self.cons.by}"), "text", [g.label(self.lang) for g in groups]),
            _Col(self.c("excel.files"), "int", [len(g.files) for g in groups]),
            _Col(self.c("excel.group_basis"), "text", [self.basis(g.basis) for g in groups]),
            _Col(self.c("excel.counted"), "bool", [g.counted for g in groups]),
            _Col(self.c("figures.actions"), "int", [x.actions for x in f]),
            _Col(self.c("figures.without_amount"), "int", [x.actions_without_amount for x in f]),
            _Col(self.c("figures.amount"), "euro", [x.amount_cents / 100 for x in f]),
            _Col(self.c("figures.weighted"), "euro", [x.weighted_cents / 100 for x in f]),
            _Col(self.c("figures.weighted_share"), "pct", [x.weighted_share for x in f]),
            _Col(self.c("figures.equality_share"), "pct", [x.equality_share for x in f]),
            _Col(self.c("figures.to_review"), "int", [x.to_review for x in f]),
            _Col(self.c("figures.to_review_share"), "pct", [x.to_review_share for x in f]),
            _Col(self.c("figures.to_review_amount_share"), "pct", [x.to_review_amount_share for x in f]),
            _Col(self.c("figures.caution"), "bool", [x.judged_low for x in f]),
            _Col(self.c("figures.coverage_share"), "pct", [x.coverage_share for x in f]),
            _Col(self.c("figures.declared"), "int", [x.declared for x in f]),
            _Col(self.c("figures.declared_not"), "int", [x.declared_not_integrated for x in f]),
            _Col(self.c("figures.gap"), "pct", [x.declaration_gap for x in f]),
            _Col(self.c("excel.shared"), "int", [g.shared for g in groups]),
        ]
        for cat in CATEGORY_ORDER:
            label = self.category(cat)
            cols.append(
                _Col(self.c("figures.count_of", category=label), "int", [x.by_category[cat].count for x in f])
            )
            cols.append(
                _Col(
                    self.c("figures.amount_of", category=label),
                    "euro",
                    [x.by_category[cat].cents / 100 for x in f],
                )
            )
        self.grid(ws, cols, freeze_cols=2)

    def write_web_matrix(self, ws: Any) -> None:
        groups = self.cons.groups
        labels = [e[2] if self.lang == "fr" else e[3] for e in self.cons.web_elements]
        cols = [
            _Col(self.c("excel.rank"), "int", [g.rank for g in groups]),
            _Col(self.c(f"group_word.{self.cons.by}"), "text", [g.label(self.lang) for g in groups]),
        ]
        for i, label in enumerate(labels):
            cols.append(_Col(label, "int", [g.web[i].score if i < len(g.web) else None for g in groups]))
        cols.append(_Col(self.c("excel.web_low"), "bool", [g.web_coverage_low for g in groups]))
        end = self.grid(ws, cols, freeze_cols=2)
        self.note(ws, end + 1, self.c("excel.web_note"))

    def note(self, ws: Any, row: int, text: str) -> None:
        self.text(ws, row, 0, text, _NOTE)

    def write_reconciliation_sheet(self, ws: Any) -> None:
        rec = self.cons.reconciliation
        self.text(ws, 0, 0, self.c("excel.per_basis"), _HEADING)
        bases = list(rec.by_basis.items())
        head = [self.c("excel.file_basis"), self.c("excel.files"), self.c("excel.input")]
        head += [self.c("excel.actions_amount"), self.c("excel.excluded")]
        self.put_row(ws, 1, head, _HEAD)
        euro = self.num("euro", _TOP)
        for i, (b, m) in enumerate(bases):
            values = [
                self.basis(b),
                m.files,
                m.input_cents / 100,
                m.actions_cents / 100,
                m.excluded_cents / 100,
            ]
            self.put_row(ws, 2 + i, values, [_WRAP, self.num("int", _TOP), euro, euro, euro])
        top = 2 + len(bases) + 1
        self.text(ws, top, 0, self.c("excel.per_file"), _HEADING)
        files = rec.files
        cols = [
            _Col(self.c("excel.file"), "text", [f.file for f in files]),
            _Col(self.c("excel.file_basis"), "text", [self.basis(f.basis) for f in files]),
            _Col(self.c("excel.rows"), "int", [f.rows for f in files]),
            _Col(self.c("excel.rows_with_amount"), "int", [f.rows_with_amount for f in files]),
            _Col(self.c("excel.actions"), "int", [f.actions for f in files]),
            _Col(self.c("excel.input"), "euro", [f.input_cents / 100 for f in files]),
            _Col(self.c("excel.actions_amount"), "euro", [f.actions_cents / 100 for f in files]),
            _Col(self.c("excel.excluded"), "euro", [f.excluded_cents / 100 for f in files]),
            _Col(self.c("excel.implausible"), "int", [f.implausible_amounts for f in files]),
            _Col(self.c("excel.balanced"), "bool", [f.balanced for f in files]),
        ]
        self.grid(ws, cols, top=top + 1, freeze_cols=1)

    def write_files(self, ws: Any) -> None:
        rec = {f.file: f for f in self.cons.reconciliation.files}
        files, labels, bases, actions, rows = [], [], [], [], []
        for g in self.cons.groups:
            for name in g.files:
                r = rec.get(name)
                files.append(name)
                labels.append(g.label(self.lang))
                bases.append(self.basis(r.basis) if r else "")
                actions.append(r.actions if r else None)
                rows.append(r.rows if r else None)
        cols = [
            _Col(self.c("excel.file"), "text", files),
            _Col(self.c("excel.group"), "text", labels),
            _Col(self.c("excel.file_basis"), "text", bases),
            _Col(self.c("excel.actions"), "int", actions),
            _Col(self.c("excel.rows"), "int", rows),
        ]
        self.grid(ws, cols, freeze_cols=1)


def _version() -> str:
    from bie._version import __version__

    return __version__
