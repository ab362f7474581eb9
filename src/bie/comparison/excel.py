"""The Excel workbook of a comparison of periods: one workbook an officer filters, copies from and defends.

    from bie.comparison.excel import write_comparison_excel
    write_comparison_excel(comparison, Path("2023-2024.bie-compare.xlsx"))      # Comparison.write calls it

Sheets (French names by default, English with ``lang="en"``; words in ``bie/data/labels_compare.yaml``,
``excel``, and for the breakdown sheets and yes/no those of the audit workbook, ``labels_excel.yaml``):
Synthèse (the periods, the headline figures side by side with their change, findings, caveats), Flux (every
cell of the flow table, then the flow matrices), Actions reconduites (one row per renewed action), Nouvelles,
Arrêtées, Par pilier, Par thème, Par quartier, Par financeur, Toile, Méthode. With more than two periods,
every table has a first column naming the pair (« 2023 → 2024 ») and « avant » / « après » stand for the
periods in the headers; with two, the headers name the periods (« Montant 2023 »).

Everything comes from the :class:`~bie.comparison.model.Comparison`: nothing is recomputed or worded again
here. The safe writers, the formats and the table writer are those of the audit workbook
(:mod:`bie.report.excel`): ``strings_to_formulas`` off, every string through :func:`bie.export.write_text`,
numbers typed with euro and percentage formats, frozen header rows and an autofilter on every table.
Changes of shares are written in percentage points (0.032 is written 3.2 with a signed format).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

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
from bie.resources import load_data

if TYPE_CHECKING:
    from bie.comparison.model import (
        ActionRef,
        Comparison,
        HeadlineChange,
        MoneyChange,
        PairComparison,
        ShareChange,
    )

__all__ = ["write_comparison_excel"]

#: Signed formats for changes (the same in both languages: Excel shows each reader's own separators).
_SIGNED = {
    "signed_int": "+#,##0;-#,##0;0",
    "points": "+0.0;-0.0;0.0",
    "signed_pct": "+0.0%;-0.0%;0.0%",
    "score": "0.00",
}
_SIGNED_EURO = {
    "fr": '+#,##0.00\\ "€";-#,##0.00\\ "€";0.00\\ "€"',
    "en": '+"€"#,##0.00;-"€"#,##0.00;"€"0.00',
}
_DIMENSIONS = ("pillar", "theme", "territory", "funder")


def write_comparison_excel(comparison: Comparison, path: str | Path, lang: str | None = None) -> None:
    """Write the workbook of ``comparison`` (in ``lang``, by default the comparison's) to ``path``
    (overwritten; :meth:`~bie.comparison.model.Comparison.write` writes it all-or-nothing)."""
    model = comparison.in_lang(check_lang(lang or comparison.lang))
    write_book(
        path, lambda target, tmpdir: _CompareBook(model, target, tmpdir), lambda book: book.write_all()
    )


@dataclass
class _Col:
    """One column of a table: its header, its kind (text, int, euro, pct, points, score, signed_int,
    signed_euro, bool, category) and its values; ``codes``: the category of each row (its colour)."""

    header: str
    kind: str
    values: list[Any]
    codes: list[str] | None = field(default=None)


def _points(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 6)


class _CompareBook(_Book):
    """The audit workbook's safe writers and formats (:class:`bie.report.excel._Book`), with the sheets of
    a comparison."""

    def __init__(self, comparison: Comparison, path: Path, tmpdir: Path) -> None:
        # Not _Book.__init__: that one sets up an audit's workbook; every attribute its writers use is here.
        self.cmp = comparison
        self.model = comparison.periods[-1].report
        self.path = path
        self.lang = lang = comparison.lang
        self.words = load_data("labels_excel.yaml")
        self.shared = load_data("labels.yaml")
        self.cwords: Mapping[str, Any] = load_data("labels_compare.yaml")["excel"]
        self.nf = {**_NUMBER_FORMATS[lang], **_SIGNED, "signed_euro": _SIGNED_EURO[lang]}
        self.marker = str(self.words["truncated_marker"])
        self.truncated = 0
        self._formats = {}
        self.wb = open_workbook(path, tmpdir)
        meta = self.model.meta
        self.wb.set_properties(
            {
                "title": self._clip(self.c("title", labels=" → ".join(comparison.labels)), 255),
                "subject": self.c("subtitle"),
                "author": "bie",
                "comments": f"bie {meta.bie_version}",
                "created": _parse_date(meta.generated_at),
            }
        )
        self.sheet_names = {}
        self.two = len(comparison.periods) == 2

    # ------------------------------------------------------------------ words
    def c(self, key: str, **params: Any) -> str:
        """A word of ``labels_compare.yaml`` (``excel``)."""
        return fmt_in(self.lang, str(self.cwords[key][self.lang]), **params)

    def side(self, pair: PairComparison, after: bool) -> str:
        """How a header names a period: its label with two periods, « avant » / « après » with more."""
        if self.two:
            return pair.after if after else pair.before
        return self.c("after" if after else "before")

    def both(self, key: str, pair: PairComparison) -> tuple[str, str]:
        return self.c(key, label=self.side(pair, False)), self.c(key, label=self.side(pair, True))

    # ----------------------------------------------------------------- tables
    def series(self, col: _Col) -> tuple[pl.Series, dict[str, Any]]:
        kind = col.kind
        if kind in ("text", "category", "bool"):
            values = [self.yes_no(v) if kind == "bool" else v for v in col.values]
            texts = [None if v is None or v == "" else str(v) for v in values]
            return pl.Series(col.header, texts, pl.String), dict(_TOP)
        if kind in ("int", "signed_int"):
            return pl.Series(col.header, col.values, pl.Int64), self.num(kind, _TOP)
        values = [_points(v) if kind == "points" else v for v in col.values]
        fmt = {"pct": "pct", "points": "points", "score": "score", "signed_euro": "signed_euro"}.get(
            kind, kind
        )
        return pl.Series(col.header, values, pl.Float64), self.num(fmt, _TOP)

    def grid(self, ws: Any, cols: Sequence[_Col], top: int = 0, freeze_cols: int = 0) -> int:
        """Write ``cols`` as a filterable table from row ``top`` (header frozen); returns the next row."""
        n = len(cols[0].values) if cols else 0
        prepared = []
        for col in cols:
            series, props = self.series(col)
            fmts = None
            if col.codes is not None:
                fmts = [self.f(self.cat_props(code, props)) for code in col.codes]
            max_width = 60 if col.kind == "text" else 40
            prepared.append(self.column(col.header, series, props, fmts=fmts, max_width=max_width))
        self.table(
            [ws], prepared, n, first_row=top, freeze_cols=freeze_cols, heights=self.heights(prepared, n)
        )
        return top + n + 1

    def note(self, ws: Any, row: int, text: str, width: int = 8) -> int:
        """A note in italics over ``width`` columns; returns the next row."""
        if text:
            self.ok(ws.merge_range(row, 0, row, width - 1, "", self.f(_NOTE)), ws, "a merged note")
            self.text(ws, row, 0, text, _NOTE)
            self.ok(ws.set_row(row, 15.0 * max(1, len(text) // 110 + 1)), ws, "a note height")
        return row + 1

    def pair_col(self, pair: PairComparison, n: int) -> list[_Col]:
        return [] if self.two else [_Col(self.c("pair"), "text", [pair.title] * n)]

    # ----------------------------------------------------------------- sheets
    def write_all(self) -> None:
        names = {
            "summary": self.c("sheet_summary"),
            "flows": self.c("sheet_flows"),
            "matches": self.c("sheet_matches"),
            "new": self.c("sheet_new"),
            "discontinued": self.c("sheet_discontinued"),
            **{d: self.w("sheets", d) for d in _DIMENSIONS},
            "web": self.c("sheet_web"),
            "method": self.c("sheet_method"),
        }
        sheets = {key: self.wb.add_worksheet(name) for key, name in names.items()}
        self.sheet_names = {key: [name] for key, name in names.items()}
        sheets["summary"].set_tab_color("#1F3864")
        self.write_summary(sheets["summary"])
        self.write_flows(sheets["flows"])
        self.write_matches(sheets["matches"])
        self.write_refs(sheets["new"], after=True)
        self.write_refs(sheets["discontinued"], after=False)
        for d in _DIMENSIONS:
            self.write_dimension(sheets[d], d)
        self.write_web_changes(sheets["web"])
        self.write_method_sheet(sheets["method"])

    def write_summary(self, ws: Any) -> None:
        cmp = self.cmp
        for col, width in enumerate((52, 18, 18, 18, 14, 30)):
            self.ok(ws.set_column(col, col, width), ws, "a column width")
        self.print_setup(ws, repeat=None, landscape=False)
        self.text(ws, 0, 0, self.c("title", labels=" → ".join(cmp.labels)), {**_HEADING, "font_size": 14})
        self.text(ws, 1, 0, self.c("subtitle"), _NOTE)
        ws.freeze_panes(2, 0)
        row = 3
        self.text(ws, row, 0, self.c("periods"), _HEADING)
        row += 1
        head = [self.c("period"), self.c("actions"), self.c("amount_total"), self.c("weighted_share")]
        head += [self.c("basis"), self.c("files")]
        self.put_row(ws, row, head, _HEAD)
        for p in cmp.periods:
            row += 1
            r = p.report
            share = r.headline.weighted_share if r.headline.shown else None
            self.put_row(
                ws,
                row,
                [p.label, r.actions, r.amount_total, share, p.basis_label, ", ".join(p.files)],
                [_TOP, self.num("int", _TOP), self.num("euro", _TOP), self.num("pct", _TOP), _WRAP, _WRAP],
            )
        row += 2
        headlines = [p.headline for p in cmp.pairs]
        if len(cmp.periods) > 2:
            headlines.append(cmp.overall)
        for h in headlines:
            row = self.write_headline(ws, row, h) + 1
        for pair in cmp.pairs:
            title = self.c("findings") if self.two else f"{self.c('findings')} — {pair.title}"
            self.text(ws, row, 0, title, _HEADING)
            row += 1
            if not pair.findings:
                self.text(ws, row, 0, self.c("no_findings"), _NOTE)
                row += 2
                continue
            self.put_row(ws, row, [self.c("finding"), self.c("severity")], _HEAD)
            for finding in pair.findings:
                row += 1
                self.put_row(ws, row, [finding.text, self.severity(finding.severity)], [_WRAP, _TOP])
                self.ok(ws.set_row(row, 15.0 * max(1, len(finding.text) // 50 + 1)), ws, "a row height")
            row += 2
        # The basis caveats are under their headline; here, the periods whose audits could not conclude.
        caveats = list(cmp.caveats)
        if caveats:
            self.text(ws, row, 0, self.c("caveats"), _HEADING)
            row += 1
            for caveat in caveats:
                row = self.note(ws, row, caveat, 6)

    def write_headline(self, ws: Any, row: int, h: HeadlineChange) -> int:
        self.text(ws, row, 0, h.title, _HEADING)
        row += 1
        self.put_row(
            ws, row, [self.c("figure"), h.before, h.after, self.c("change"), self.c("relative")], _HEAD
        )

        def money(label: str, m: MoneyChange) -> None:
            nonlocal row
            row += 1
            values = [label, m.before, m.after, m.change, m.relative]
            euro = self.num("euro", _TOP)
            self.put_row(
                ws, row, values, [_WRAP, euro, euro, self.num("signed_euro", _TOP), self.num("signed_pct")]
            )
            if m.change is None and not h.same_basis:
                self.text(ws, row, 3, h.basis_short, _NOTE)

        def share(label: str, s: ShareChange) -> None:
            nonlocal row
            row += 1
            pct = self.num("pct", _TOP)
            self.put_row(
                ws, row, [label, s.before, s.after, _points(s.points)], [_WRAP, pct, pct, self.num("points")]
            )

        row += 1
        a = h.actions
        self.put_row(
            ws,
            row,
            [self.c("actions"), a.before, a.after, a.change],
            [_WRAP, self.num("int", _TOP), self.num("int", _TOP), self.num("signed_int", _TOP)],
        )
        money(self.c("amount_total"), h.amount_total)
        if h.shown:
            money(self.c("weighted_amount"), h.weighted_amount)
            share(self.c("weighted_share"), h.weighted_share)
            money(self.c("unweighted_amount"), h.unweighted_amount)
            share(self.c("unweighted_share"), h.unweighted_share)
        share(self.c("to_review_share"), h.to_review_share)
        for cat in h.categories:
            row += 1
            counts = [self.c("category_count", category=cat.label), cat.count.before, cat.count.after]
            cat_props = self.cat_props(cat.category, _WRAP)
            self.put_row(
                ws,
                row,
                [*counts, cat.count.change],
                [cat_props, self.num("int", _TOP), self.num("int", _TOP), self.num("signed_int", _TOP)],
            )
            money(self.c("category_amount", category=cat.label), cat.amount)
            share(self.c("category_share", category=cat.label), cat.share)
        row += 1
        row = self.note(ws, row, self.c("points_note"), 5)
        if h.basis_caveat:
            row = self.note(ws, row, h.basis_caveat, 5)
        for caveat in h.caveats:
            row = self.note(ws, row, caveat, 5)
        return row

    def write_flows(self, ws: Any) -> None:
        cols: dict[str, _Col] = {}
        rows: list[tuple[PairComparison, Any]] = [(p, cell) for p in self.cmp.pairs for cell in p.flows.cells]
        first = self.cmp.pairs[0]
        before, after = self.both("flow_amount", first)
        cols = {
            "from": _Col(
                self.c("flow_from"),
                "category",
                [c.source_label for _, c in rows],
                [c.source for _, c in rows],
            ),
            "to": _Col(
                self.c("flow_to"), "category", [c.target_label for _, c in rows], [c.target for _, c in rows]
            ),
            "count": _Col(self.c("flow_count"), "int", [c.count for _, c in rows]),
            "before": _Col(before, "euro", [c.amount_before for _, c in rows]),
            "after": _Col(after, "euro", [c.amount_after for _, c in rows]),
        }
        pair = [] if self.two else [_Col(self.c("pair"), "text", [p.title for p, _ in rows])]
        row = self.grid(ws, [*pair, *cols.values()]) + 1
        for p in self.cmp.pairs:
            flows = p.flows
            row = self.note(ws, row, flows.note, 7)
            ends = {"title": p.title, "from": p.before, "to": p.after}
            row = self.matrix(ws, row + 1, p, self.c("flow_matrix", **ends), "count") + 1
            for after_side, label in ((False, p.before), (True, p.after)):
                title = self.c("flow_matrix_amount", label=label, **ends)
                row = self.matrix(ws, row, p, title, "amount_after" if after_side else "amount_before") + 1

    def matrix(self, ws: Any, row: int, pair: PairComparison, title: str, what: str) -> int:
        flows = pair.flows
        self.text(ws, row, 0, title, _HEADING)
        row += 1
        targets = list(flows.targets)
        self.put_row(ws, row, ["", *(flows.labels[t] for t in targets), self.c("total")], _HEAD)
        kind = "int" if what == "count" else "euro"
        fmt = self.num(kind, _TOP)
        total_fmt = self.num(kind, {**_TOP, "bold": True})
        column_totals = [0.0] * len(targets)
        for source in flows.sources:
            row += 1
            values: list[float] = []
            for j, target in enumerate(targets):
                if source == "new" and target == "discontinued":
                    values.append(0.0)
                    continue
                value = float(getattr(flows.cell(source, target), what))
                values.append(value)
                column_totals[j] += value
            self.text(ws, row, 0, flows.labels[source], self.cat_props(source, {**_TOP, "bold": True}))
            cells: list[float | None] = [
                None if source == "new" and t == "discontinued" else v
                for t, v in zip(targets, values, strict=True)
            ]
            self.put_row(ws, row, [*cells, round(sum(values), 2)], [*([fmt] * len(cells)), total_fmt], col=1)
        row += 1
        self.text(ws, row, 0, self.c("total"), {**_TOP, "bold": True})
        totals = [round(v, 2) for v in column_totals]
        self.put_row(ws, row, [*totals, round(sum(totals), 2)], total_fmt, col=1)
        return row + 2

    def write_matches(self, ws: Any) -> None:
        pairs = self.cmp.pairs
        first = pairs[0]
        rows = [(p, m) for p in pairs for m in p.matches]
        files = any(len(p.files) > 1 for p in self.cmp.periods)

        def both(key: str) -> tuple[str, str]:
            return self.both(key, first)

        cols: list[_Col] = [] if self.two else [_Col(self.c("pair"), "text", [p.title for p, _ in rows])]
        for k in (0, 1):
            refs = [m.after if k else m.before for _, m in rows]
            if files:
                cols.append(_Col(both("file")[k], "text", [r.file for r in refs]))
            cols.append(_Col(both("id")[k], "text", [r.action_id for r in refs]))
            cols.append(_Col(both("row")[k], "int", [r.row for r in refs]))
        cols += [
            _Col(self.c("title_col"), "text", [m.after.title for _, m in rows]),
            _Col(self.c("carrier"), "text", [m.after.carrier for _, m in rows]),
            _Col(
                both("category")[0],
                "category",
                [m.before.category_label for _, m in rows],
                [m.before.category for _, m in rows],
            ),
            _Col(
                both("category")[1],
                "category",
                [m.after.category_label for _, m in rows],
                [m.after.category for _, m in rows],
            ),
            _Col(self.c("category_change"), "text", [m.change_label for _, m in rows]),
            _Col(self.c("direction"), "text", [m.direction_label for _, m in rows]),
            _Col(both("amount")[0], "euro", [m.before.amount for _, m in rows]),
            _Col(both("amount")[1], "euro", [m.after.amount for _, m in rows]),
            _Col(self.c("amount_change"), "signed_euro", [m.amount.change for _, m in rows]),
            _Col(self.c("declaration"), "text", [m.declaration_label for _, m in rows]),
            _Col(self.c("declaration_changed"), "bool", [m.declaration_changed for _, m in rows]),
            _Col(self.c("method"), "text", [m.method_label for _, m in rows]),
            _Col(self.c("score"), "score", [m.score for _, m in rows]),
        ]
        self.grid(ws, cols, freeze_cols=0)

    def write_refs(self, ws: Any, after: bool) -> None:
        pairs = self.cmp.pairs
        rows: list[tuple[PairComparison, ActionRef]] = [
            (p, r) for p in pairs for r in (p.new if after else p.discontinued)
        ]
        label = self.side(pairs[0], after)
        files = any(len(p.files) > 1 for p in self.cmp.periods)
        cols: list[_Col] = [] if self.two else [_Col(self.c("pair"), "text", [p.title for p, _ in rows])]
        if files:
            cols.append(_Col(self.c("file", label=label), "text", [r.file for _, r in rows]))
        cols += [
            _Col(self.c("id", label=label), "text", [r.action_id for _, r in rows]),
            _Col(self.c("row", label=label), "int", [r.row for _, r in rows]),
            _Col(self.c("title_col"), "text", [r.title for _, r in rows]),
            _Col(self.c("carrier"), "text", [r.carrier for _, r in rows]),
            _Col(
                self.c("category", label=label),
                "category",
                [r.category_label for _, r in rows],
                [r.category for _, r in rows],
            ),
            _Col(self.c("amount", label=label), "euro", [r.amount for _, r in rows]),
            _Col(self.c("declaration"), "text", [r.declared_label for _, r in rows]),
        ]
        self.grid(ws, cols)

    def write_dimension(self, ws: Any, dim: str) -> None:
        first = self.cmp.pairs[0]
        rows = [(p, g) for p in self.cmp.pairs for b in p.breakdowns if b.dimension == dim for g in b.groups]
        cols: list[_Col] = [] if self.two else [_Col(self.c("pair"), "text", [p.title for p, _ in rows])]
        a, b = (self.side(first, False), self.side(first, True))
        cols += [
            _Col(self.c("group"), "text", [g.label for _, g in rows]),
            _Col(self.c("present", label=a), "bool", [g.before for _, g in rows]),
            _Col(self.c("present", label=b), "bool", [g.after for _, g in rows]),
            _Col(self.c("count", label=a), "int", [g.count.before for _, g in rows]),
            _Col(self.c("count", label=b), "int", [g.count.after for _, g in rows]),
            _Col(self.c("count_change"), "signed_int", [g.count.change for _, g in rows]),
            _Col(self.c("amount", label=a), "euro", [g.amount.before for _, g in rows]),
            _Col(self.c("amount", label=b), "euro", [g.amount.after for _, g in rows]),
            _Col(self.c("amount_change"), "signed_euro", [g.amount.change for _, g in rows]),
            _Col(self.c("share", label=a), "pct", [g.share.before for _, g in rows]),
            _Col(self.c("share", label=b), "pct", [g.share.after for _, g in rows]),
            _Col(self.c("share_points"), "points", [g.share.points for _, g in rows]),
            _Col(self.c("equality_share", label=a), "pct", [g.equality_share.before for _, g in rows]),
            _Col(self.c("equality_share", label=b), "pct", [g.equality_share.after for _, g in rows]),
            _Col(self.c("equality_points"), "points", [g.equality_share.points for _, g in rows]),
        ]
        row = self.grid(ws, cols, freeze_cols=1 if self.two else 2) + 1
        notes = dict.fromkeys(
            b.note for p in self.cmp.pairs for b in p.breakdowns if b.dimension == dim and b.note
        )
        for text in notes:
            row = self.note(ws, row, text, 8)

    def write_web_changes(self, ws: Any) -> None:
        first = self.cmp.pairs[0]
        rows = [(p, e) for p in self.cmp.pairs for e in p.web]
        a, b = (self.side(first, False), self.side(first, True))
        cols: list[_Col] = [] if self.two else [_Col(self.c("pair"), "text", [p.title for p, _ in rows])]
        cols += [
            _Col(self.c("sphere"), "text", [e.sphere_label for _, e in rows]),
            _Col(self.c("element"), "text", [e.label for _, e in rows]),
            _Col(self.c("web_score", label=a), "int", [e.before for _, e in rows]),
            _Col(self.c("web_score", label=b), "int", [e.after for _, e in rows]),
            _Col(self.c("change"), "signed_int", [e.change for _, e in rows]),
            _Col(self.c("direction"), "text", [e.direction_label for _, e in rows]),
            _Col(self.c("web_level", label=a), "text", [e.before_label for _, e in rows]),
            _Col(self.c("web_level", label=b), "text", [e.after_label for _, e in rows]),
        ]
        self.grid(ws, cols)

    def write_method_sheet(self, ws: Any) -> None:
        spec = load_data("compare.yaml")
        match = spec["match"]
        meta = self.model.meta
        rows: list[tuple[str, Any, str, str]] = [
            (self.c("id_threshold"), float(match["id_stable_share"]), "pct0", self.c("id_threshold_why")),
            (
                self.c("title_threshold"),
                float(match["title_threshold"]),
                "score",
                self.c("title_threshold_why"),
            ),
            (self.c("stop_words"), ", ".join(str(w) for w in match.get("stop_words") or ()), "text", ""),
            (self.c("direction"), self.c("direction_rule"), "text", ""),
            (self.c("basis"), self.c("basis_rule"), "text", ""),
            (self.c("settings_version"), str(spec.get("version") or ""), "text", ""),
            (self.c("bie_version"), str(meta.bie_version), "text", ""),
        ]
        for p in self.cmp.periods:
            rows.append((f"{self.c('period')} {p.label} — {self.c('basis')}", p.basis_label, "text", ""))
            rows.append((f"{self.c('period')} {p.label} — {self.c('files')}", ", ".join(p.files), "text", ""))
        for pair in self.cmp.pairs:
            m = pair.matching
            prefix = f"{self.c('matching')} {pair.title}"
            ends = {"from": pair.before, "to": pair.after}
            rows += [
                (prefix, m.note, "text", ""),
                (f"{prefix} — {self.c('id_share', **ends)}", m.id_share, "pct", ""),
                (f"{prefix} — {self.c('by_id')}", m.by_id, "int", ""),
                (f"{prefix} — {self.c('by_title')}", m.by_title, "int", ""),
                (f"{prefix} — {self.c('new')}", m.new, "int", ""),
                (f"{prefix} — {self.c('discontinued')}", m.discontinued, "int", ""),
            ]
        for col, width in enumerate((60, 60, 70)):
            self.ok(ws.set_column(col, col, width), ws, "a column width")
        self.put_row(ws, 0, [self.c("setting"), self.c("value"), self.c("why")], _HEAD)
        ws.freeze_panes(1, 0)
        self.ok(ws.autofilter(0, 0, len(rows), 2), ws, "the autofilter")
        self.print_setup(ws, repeat=0, landscape=True)
        for i, (label, value, kind, why) in enumerate(rows, start=1):
            props = _WRAP if kind == "text" else self.num(kind, {**_TOP, "align": "left"})
            self.put_row(ws, i, [label, value, why], [_WRAP, props, _WRAP])
            longest = max(len(label) // 60, len(str(value)) // 60 if kind == "text" else 0, len(why) // 70)
            if longest:
                self.ok(ws.set_row(i, 15.0 * min(longest + 1, 6)), ws, "a row height")
