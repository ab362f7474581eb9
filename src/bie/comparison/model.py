"""The comparison of periods (issue 12): one contrat de ville over years or successive committees.

:func:`build` sets the audits of two or more periods side by side, in one language, as a
:class:`Comparison`: the renderers (HTML, Excel, JSON, command line) lay it out and recompute nothing.
Every figure of a period comes from its audit's report model (:class:`bie.report.model.AuditReport`); the
comparison adds only the changes, the matching of actions (:mod:`bie.comparison.match`) and what follows from
it: the changes of each renewed action, the new and discontinued actions, the flow table and the findings.

Decisions, for every output alike:

- **Money on each period's own basis.** A period's amounts are those of its audit (granted, else proposed,
  else requested…). When the two periods are not on the same basis (or one mixes bases), no change in euros
  is computed (``change`` is None), :attr:`HeadlineChange.same_basis` is False and
  :attr:`HeadlineChange.basis_caveat` says so; shares and counts still compare.
- **Flow table.** Each action counts once in each period it belongs to: a renewed action goes from its
  category in A to its category in B, a discontinued action from its category in A to « discontinued », a
  new one from « new » to its category in B. ``amount_before`` is the action's amount in A (0 for a new
  one), ``amount_after`` in B (0 for a discontinued one): the before column adds up to A's total, the after
  column to B's, each on its period's basis (added in cents, exact).
- **Direction of a category change**: specific > mainstreamed > not taken into account
  (``compare.yaml``, ``rank``); a change from or to « à examiner » is ``unknown``.
- **Findings** (``findings_compare.yaml``) are silenced, as in the audit, when too much is « à examiner »
  in either period; the audit's caveat is then carried by :attr:`PairComparison.caveats`.
- With more than two periods: consecutive pairs (A→B, B→C) and the overall first→last headline.
"""

from __future__ import annotations

import json
import math
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from bie.comparison.match import Matching, match_actions
from bie.i18n import Numbers, check_lang, fmt_in
from bie.report.model import (
    CATEGORY_ORDER,
    SEVERITY_ORDER,
    AuditReport,
    Breakdown,
    CategoryFigures,
    Finding,
    Group,
    Headline,
    Judged,
    action_label,
    category_label,
)
from bie.resources import load_data
from bie.vocabulary import fold

if TYPE_CHECKING:
    from bie.audit import Audit

__all__ = [
    "EQUALITY",
    "ActionRef",
    "BreakdownChange",
    "CategoryChange",
    "Comparison",
    "CountChange",
    "DeclarationChange",
    "DeclarationGap",
    "FlowCell",
    "FlowTable",
    "GroupChange",
    "HeadlineChange",
    "MatchSummary",
    "MatchedAction",
    "MoneyChange",
    "PairComparison",
    "Period",
    "ShareChange",
    "WebChange",
    "build",
    "declaration_gap",
    "findings",
    "plain",
]

EQUALITY: tuple[str, ...] = ("specific", "transversal")
"""Categories that take equality into account (EU weight above 0)."""

NEW = "new"
DISCONTINUED = "discontinued"

Direction = Literal["better", "worse", "same", "unknown"]

# --------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class CountChange:
    """A count in the earlier and the later period."""

    before: int
    after: int
    change: int


@dataclass(frozen=True)
class MoneyChange:
    """An amount in euros in each period. ``change`` and ``relative`` (change / before) are None when the
    two amounts are not on the same basis, when one is missing, or (``relative``) when ``before`` is 0."""

    before: float | None
    after: float | None
    change: float | None
    relative: float | None


@dataclass(frozen=True)
class ShareChange:
    """A share (fraction between 0 and 1) in each period; ``points``: the change, as a fraction (0.032 reads
    « +3,2 points »), None when either share is unknown."""

    before: float | None
    after: float | None
    points: float | None


@dataclass(frozen=True)
class CategoryChange:
    """One category's figures side by side."""

    category: str
    label: str
    short_label: str
    eu_weight: float | None
    count: CountChange
    amount: MoneyChange
    share: ShareChange
    share_count: ShareChange


@dataclass(frozen=True)
class HeadlineChange:
    """The headline figures of two periods side by side with their change.

    ``same_basis``: both periods' amounts are on one basis (never « mixed »); otherwise every
    :class:`MoneyChange` has ``change`` None and ``basis_caveat`` says why (``basis_short``: the caveat in a
    few words, for a table cell). ``shown``: both audits could judge at least one action (their headline is
    shown); ``judged_low``: too much is « à examiner » in either period (``caveats``: the audits' own)."""

    before: str
    after: str
    title: str
    actions: CountChange
    amount_total: MoneyChange
    weighted_amount: MoneyChange
    weighted_share: ShareChange
    unweighted_amount: MoneyChange
    unweighted_share: ShareChange
    to_review_share: ShareChange
    categories: tuple[CategoryChange, ...]
    basis_before: str
    basis_after: str
    basis_label_before: str
    basis_label_after: str
    same_basis: bool
    basis_caveat: str
    basis_short: str
    shown: bool
    judged_low: bool
    caveats: tuple[str, ...]

    def category(self, category: str) -> CategoryChange:
        for c in self.categories:
            if c.category == category:
                return c
        raise KeyError(category)


@dataclass(frozen=True)
class GroupChange:
    """One group (a pillar, a theme, a quartier, a co-funder) in both periods, joined by its key (folded);
    ``before``/``after`` False when the group is absent from that period (its figures are then 0)."""

    key: str | None
    label: str
    special: str | None
    before: bool
    after: bool
    count: CountChange
    amount: MoneyChange
    share: ShareChange
    equality_share: ShareChange


@dataclass(frozen=True)
class BreakdownChange:
    """One dimension's groups side by side: the later period's order, then the groups it no longer has."""

    dimension: str
    label: str
    groups: tuple[GroupChange, ...]
    note: str


@dataclass(frozen=True)
class ActionRef:
    """One action of one period as the comparison lists it (``index``: its row in the audit's actions)."""

    index: int
    file: str
    row: int
    action_id: str | None
    carrier: str | None
    title: str
    category: str
    category_label: str
    amount: float | None
    declared_category: str | None
    declared_label: str
    declaration_mismatch: bool | None


@dataclass(frozen=True)
class MatchedAction:
    """An action renewed from one period to the next, and what changed.

    ``change_label``: « non prise en compte → égalité intégrée » when the category changed, else the
    category; ``direction``: better, worse, same or unknown (from or to « à examiner »);
    ``amount_changed``: None when the amounts cannot be compared (a missing amount, different bases)."""

    before: ActionRef
    after: ActionRef
    method: str
    method_label: str
    score: float
    category_changed: bool
    direction: Direction
    direction_label: str
    change_label: str
    amount: MoneyChange
    amount_changed: bool | None
    declaration_changed: bool
    declaration_label: str


@dataclass(frozen=True)
class MatchSummary:
    """How the actions were matched, with the thresholds used and a sentence that says it."""

    ids_stable: bool
    id_share: float | None
    id_threshold: float
    title_threshold: float
    by_id: int
    by_title: int
    new: int
    discontinued: int
    note: str


@dataclass(frozen=True)
class FlowCell:
    """The actions going from ``source`` (a category of A, or « new ») to ``target`` (a category of B, or
    « discontinued »): how many, and their money in each period (on each period's basis)."""

    source: str
    target: str
    source_label: str
    target_label: str
    count: int
    amount_before: float
    amount_after: float


@dataclass(frozen=True)
class FlowTable:
    """Category in A → category in B, with « new » and « discontinued »: every cell of the grid (zeros
    included, never new → discontinued). ``amount_before`` adds up to A's total, ``amount_after`` to B's."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    labels: Mapping[str, str]
    cells: tuple[FlowCell, ...]
    count_before: int
    count_after: int
    total_before: float
    total_after: float
    same_basis: bool
    note: str

    def cell(self, source: str, target: str) -> FlowCell:
        for c in self.cells:
            if c.source == source and c.target == target:
                return c
        raise KeyError((source, target))


@dataclass(frozen=True)
class WebChange:
    """One element of the web of institutionalisation in both periods (scores 0-3, None unknown)."""

    id: str
    label: str
    sphere: str
    sphere_label: str
    before: int | None
    after: int | None
    before_label: str
    after_label: str
    change: int | None
    direction: Direction
    direction_label: str


@dataclass(frozen=True)
class DeclarationGap:
    """Declarations against evidence in one period: actions declared specific or mainstreamed, how many of
    them bie finds not integrated, and that share."""

    label: str
    declared: int
    overstated: int
    share: float | None


@dataclass(frozen=True)
class DeclarationChange:
    before: DeclarationGap
    after: DeclarationGap
    share: ShareChange


@dataclass(frozen=True)
class Period:
    """One period: its label, its files and its audit's report model (every figure of the period)."""

    label: str
    files: tuple[str, ...]
    basis: str
    basis_label: str
    declarations: DeclarationGap
    report: AuditReport = field(compare=False, repr=False)


@dataclass(frozen=True)
class PairComparison:
    """Two consecutive periods compared."""

    before: str
    after: str
    title: str
    headline: HeadlineChange
    breakdowns: tuple[BreakdownChange, ...]
    matching: MatchSummary
    matches: tuple[MatchedAction, ...]
    new: tuple[ActionRef, ...]
    discontinued: tuple[ActionRef, ...]
    flows: FlowTable
    web: tuple[WebChange, ...]
    declarations: DeclarationChange
    metrics: Mapping[str, float]
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> tuple[MatchedAction, ...]:
        """The renewed actions whose category changed."""
        return tuple(m for m in self.matches if m.category_changed)


@dataclass(frozen=True)
class Comparison:
    """Periods compared, in one language. ``pairs``: consecutive periods; ``overall``: the first and the
    last period's headline side by side (the only pair's headline when there are two periods)."""

    lang: str
    labels: tuple[str, ...]
    periods: tuple[Period, ...]
    pairs: tuple[PairComparison, ...]
    overall: HeadlineChange
    same_basis: bool
    judged_low: bool
    caveats: tuple[str, ...]
    _source: _Source = field(compare=False, repr=False)

    def in_lang(self, lang: str) -> Comparison:
        """The same comparison in ``lang`` (the audits and the matching are reused)."""
        return self if check_lang(lang) == self.lang else self._source.build(lang)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The comparison as JSON-safe objects: keys stable in every language, words in ``lang``."""
        model = self.in_lang(lang or self.lang)
        return {
            "lang": model.lang,
            "labels": list(model.labels),
            "same_basis": model.same_basis,
            "judged_low": model.judged_low,
            "caveats": list(model.caveats),
            "periods": [_period_dict(p) for p in model.periods],
            "overall": plain(model.overall),
            "pairs": [plain(p) for p in model.pairs],
        }

    def write(
        self,
        directory: str | os.PathLike[str] = ".",
        formats: Sequence[str] = ("html", "xlsx", "json"),
        lang: str | None = None,
        stem: str | None = None,
    ) -> list[Path]:
        """Write ``<stem>.bie-compare.html``, ``.xlsx``, ``.json`` in ``directory`` (``stem``: the labels
        joined, « 2023-2024 »), all or nothing and never over an input (:func:`bie.outputs.write_set`)."""
        from bie.outputs import safe_stem, write_set

        unknown = [f for f in formats if f not in ("html", "xlsx", "json")]
        if unknown or not formats:
            raise ValueError(f"unknown format {unknown[0] if unknown else ''!r}; use html, xlsx or json")
        model = self.in_lang(lang or self.lang)
        name = safe_stem(stem or "-".join(model.labels))

        def render(fmt: str) -> Callable[[Path], None]:
            def run(tmp: Path) -> None:
                if fmt == "json":
                    text = json.dumps(model.to_dict(), ensure_ascii=False, indent=2) + "\n"
                    tmp.write_text(text, encoding="utf-8", newline="\n")
                elif fmt == "html":
                    from bie.comparison.html import render_comparison_html

                    tmp.write_text(render_comparison_html(model), encoding="utf-8", newline="\n")
                else:
                    from bie.comparison.excel import write_comparison_excel

                    write_comparison_excel(model, tmp)

            return run

        renders = [(f"{name}.bie-compare.{f}", render(f)) for f in dict.fromkeys(formats)]
        inputs = tuple(i for a in self._source.audits for i in a.input_files)
        return write_set(directory, renders, inputs)


# ----------------------------------------------------------------------------------------------- words


def _word(group: str, key: str, lang: str) -> str:
    entry = load_data("labels_compare.yaml")[group].get(key)
    return str(entry[lang]) if isinstance(entry, Mapping) else key


def _basis_word(key: str, lang: str, **params: Any) -> str:
    return fmt_in(lang, _word("words", key, lang), **params)


# ------------------------------------------------------------------------------------------- changes


def _cents(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def _money(before: float | None, after: float | None, comparable: bool = True) -> MoneyChange:
    cb, ca = _cents(before), _cents(after)
    if not comparable or cb is None or ca is None:
        return MoneyChange(before, after, None, None)
    change = (ca - cb) / 100
    return MoneyChange(before, after, change, round((ca - cb) / cb, 6) if cb else None)


def _share(before: float | None, after: float | None) -> ShareChange:
    points = None if before is None or after is None else round(after - before, 6)
    return ShareChange(before, after, points)


def _count(before: int, after: int) -> CountChange:
    return CountChange(before, after, after - before)


def _same_basis(a: AuditReport, b: AuditReport) -> bool:
    return a.basis == b.basis and a.basis_label == b.basis_label and a.basis not in ("mixed", "none")


def _headline(a: Period, b: Period, lang: str, overall: bool = False) -> HeadlineChange:
    ra, rb = a.report, b.report
    same = _same_basis(ra, rb)
    ha: Headline = ra.headline
    hb: Headline = rb.headline
    cats = []
    for cat in CATEGORY_ORDER:
        ca: CategoryFigures = ra.category(cat)
        cb: CategoryFigures = rb.category(cat)
        cats.append(
            CategoryChange(
                category=cat,
                label=cb.label,
                short_label=cb.short_label,
                eu_weight=cb.eu_weight,
                count=_count(ca.count, cb.count),
                amount=_money(ca.amount, cb.amount, same),
                share=_share(ca.share, cb.share),
                share_count=_share(ca.share_count, cb.share_count),
            )
        )
    params = {"a": a.basis_label, "b": b.basis_label, "from": a.label, "to": b.label}
    caveats = tuple(
        fmt_in(lang, _word("words", "judged_low", lang), label=p.label, caveat=p.report.judged.caveat)
        for p in (a, b)
        if p.report.judged.low
    )
    ja: Judged = ra.judged
    jb: Judged = rb.judged
    arrow = _basis_word("overall" if overall else "arrow", lang, **{"from": a.label, "to": b.label})
    return HeadlineChange(
        before=a.label,
        after=b.label,
        title=arrow,
        actions=_count(ra.actions, rb.actions),
        amount_total=_money(ra.amount_total, rb.amount_total, same),
        weighted_amount=_money(ha.weighted_amount, hb.weighted_amount, same),
        weighted_share=_share(ha.weighted_share, hb.weighted_share),
        unweighted_amount=_money(ha.unweighted_amount, hb.unweighted_amount, same),
        unweighted_share=_share(ha.unweighted_share, hb.unweighted_share),
        to_review_share=_share(ja.to_review_share, jb.to_review_share),
        categories=tuple(cats),
        basis_before=ra.basis,
        basis_after=rb.basis,
        basis_label_before=ra.basis_label,
        basis_label_after=rb.basis_label,
        same_basis=same,
        basis_caveat="" if same else _basis_word("basis_differs", lang, **params),
        basis_short="" if same else _basis_word("basis_short", lang),
        shown=ha.shown and hb.shown,
        judged_low=ja.low or jb.low,
        caveats=caveats,
    )


def _group_key(g: Group) -> tuple[str, str]:
    if g.special is not None and (g.key is None or g.special == "others"):
        return ("special", g.special)
    return ("key", fold(g.key or ""))


def _breakdown(dim: str, a: Breakdown | None, b: Breakdown | None, same: bool, lang: str) -> BreakdownChange:
    ga = {_group_key(g): g for g in (a.groups if a else ())}
    gb = {_group_key(g): g for g in (b.groups if b else ())}
    keys = list(gb) + [k for k in ga if k not in gb]
    groups = []
    for k in keys:
        x, y = ga.get(k), gb.get(k)
        shown = y or x
        assert shown is not None
        groups.append(
            GroupChange(
                key=shown.key,
                label=shown.label,
                special=shown.special,
                before=x is not None,
                after=y is not None,
                count=_count(x.count if x else 0, y.count if y else 0),
                amount=_money(x.amount if x else 0.0, y.amount if y else 0.0, same),
                share=_share(x.share if x else 0.0, y.share if y else 0.0),
                equality_share=_share(x.equality_share if x else None, y.equality_share if y else None),
            )
        )
    entry = load_data("labels.yaml")["dimensions"].get(dim)
    shown_breakdown = b or a
    note = shown_breakdown.note if shown_breakdown is not None else ""
    return BreakdownChange(
        dimension=dim,
        label=str(entry[lang]) if isinstance(entry, Mapping) else dim,
        groups=tuple(groups),
        note=note,
    )


def _rank(category: str) -> int | None:
    value = load_data("compare.yaml")["rank"].get(category)
    return None if value is None else int(value)


def _direction(before: int | None, after: int | None) -> Direction:
    if before is None or after is None:
        return "unknown"
    return "better" if after > before else ("worse" if after < before else "same")


ACTION_COLUMNS = (
    "_file",
    "_row",
    "action_id",
    "carrier",
    "title",
    "objectives",
    "description",
    "category",
    "_amount",
    "declared_category",
    "declaration_mismatch",
)


def _refs(report: AuditReport, lang: str) -> list[ActionRef]:
    """Every action of a period, in the order of its actions frame."""
    frame = report.action_rows
    rows = frame.select([c for c in ACTION_COLUMNS if c in frame.columns]).to_dicts()
    untitled = _word("words", "untitled", lang)
    none = _word("declaration", "none", lang)
    out = []
    for i, r in enumerate(rows):
        cat = str(r.get("category") or "to_review")
        declared = r.get("declared_category")
        amount = r.get("_amount")
        mismatch = r.get("declaration_mismatch")
        out.append(
            ActionRef(
                index=i,
                file=str(r.get("_file") or ""),
                row=int(r.get("_row") or 0),
                action_id=None if r.get("action_id") is None else str(r["action_id"]),
                carrier=None if r.get("carrier") is None else str(r["carrier"]),
                title=action_label(r, untitled),
                category=cat,
                category_label=category_label(cat, lang),
                amount=None if amount is None else float(amount),
                declared_category=None if declared is None else str(declared),
                declared_label=none if declared is None else category_label(str(declared), lang),
                declaration_mismatch=None if mismatch is None else bool(mismatch),
            )
        )
    return out


def _matched(x: ActionRef, y: ActionRef, method: str, score: float, same: bool, lang: str) -> MatchedAction:
    changed = x.category != y.category
    direction = _direction(_rank(x.category), _rank(y.category))
    amount = _money(x.amount, y.amount, same)
    arrow = _word("words", "arrow", lang)
    declaration_changed = x.declared_category != y.declared_category
    return MatchedAction(
        before=x,
        after=y,
        method=method,
        method_label=_word("method", method, lang),
        score=score,
        category_changed=changed,
        direction=direction,
        direction_label=_word("direction", direction, lang),
        change_label=fmt_in(lang, arrow, **{"from": x.category_label, "to": y.category_label})
        if changed
        else y.category_label,
        amount=amount,
        amount_changed=None if amount.change is None else amount.change != 0,
        declaration_changed=declaration_changed,
        declaration_label=fmt_in(lang, arrow, **{"from": x.declared_label, "to": y.declared_label})
        if declaration_changed
        else y.declared_label,
    )


def _flows(
    matches: Sequence[MatchedAction],
    new: Sequence[ActionRef],
    gone: Sequence[ActionRef],
    a: Period,
    b: Period,
    same: bool,
    lang: str,
) -> FlowTable:
    cells: dict[tuple[str, str], list[int]] = {}

    def add(source: str, target: str, before: float | None, after: float | None) -> None:
        cell = cells.setdefault((source, target), [0, 0, 0])
        cell[0] += 1
        cell[1] += _cents(before) or 0
        cell[2] += _cents(after) or 0

    for m in matches:
        add(m.before.category, m.after.category, m.before.amount, m.after.amount)
    for x in gone:
        add(x.category, DISCONTINUED, x.amount, None)
    for y in new:
        add(NEW, y.category, None, y.amount)
    sources = (*CATEGORY_ORDER, NEW)
    targets = (*CATEGORY_ORDER, DISCONTINUED)
    labels = {c: category_label(c, lang) for c in CATEGORY_ORDER}
    labels[NEW] = _word("flow", NEW, lang)
    labels[DISCONTINUED] = _word("flow", DISCONTINUED, lang)
    grid = tuple(
        FlowCell(
            source=s,
            target=t,
            source_label=labels[s],
            target_label=labels[t],
            count=cells.get((s, t), [0, 0, 0])[0],
            amount_before=cells.get((s, t), [0, 0, 0])[1] / 100,
            amount_after=cells.get((s, t), [0, 0, 0])[2] / 100,
        )
        for s in sources
        for t in targets
        if not (s == NEW and t == DISCONTINUED)
    )
    params = {"a": a.basis_label, "b": b.basis_label, "from": a.label, "to": b.label}
    return FlowTable(
        sources=sources,
        targets=targets,
        labels=labels,
        cells=grid,
        count_before=sum(c.count for c in grid if c.source != NEW),
        count_after=sum(c.count for c in grid if c.target != DISCONTINUED),
        total_before=sum(v[1] for v in cells.values()) / 100,
        total_after=sum(v[2] for v in cells.values()) / 100,
        same_basis=same,
        note=_basis_word("flow_note", lang, **params),
    )


def _web(a: AuditReport, b: AuditReport, lang: str) -> tuple[WebChange, ...]:
    before = {e.id: e for e in a.web.elements}
    out = []
    for e in b.web.elements:
        x = before.get(e.id)
        sa = x.score if x is not None else None
        direction = _direction(sa, e.score)
        out.append(
            WebChange(
                id=e.id,
                label=e.label,
                sphere=e.sphere,
                sphere_label=e.sphere_label,
                before=sa,
                after=e.score,
                before_label=x.score_label if x is not None else "",
                after_label=e.score_label,
                change=None if sa is None or e.score is None else e.score - sa,
                direction=direction,
                direction_label=_word("direction", direction, lang),
            )
        )
    return tuple(out)


def declaration_gap(label: str, report: AuditReport) -> DeclarationGap:
    """Actions declared specific or mainstreamed, those bie finds not integrated, and the share."""
    frame = report.action_rows
    if "declared_category" not in frame.columns or "category" not in frame.columns:
        return DeclarationGap(label, 0, 0, None)
    declared = frame.filter(pl.col("declared_category").is_in(list(EQUALITY)))
    overstated = declared.filter(pl.col("category") == "not_integrated").height
    share = round(overstated / declared.height, 6) if declared.height else None
    return DeclarationGap(label, declared.height, overstated, share)


def _match_note(m: Matching, a: Period, b: Period, lang: str) -> str:
    numbers = Numbers(lang)
    ends = {"from": a.label, "to": b.label}
    if m.id_share is None:
        how = _basis_word("how_title_none", lang)
    else:
        key = "how_id" if m.ids_stable else "how_title"
        how = _basis_word(key, lang, share=numbers.pct(m.id_share), **ends)
    return _basis_word(
        "match_note",
        lang,
        how=how,
        by_id=numbers.integer(m.by_id),
        by_title=numbers.integer(m.by_title),
        threshold=numbers.decimal(m.settings.title_threshold, 2),
    )


# ----------------------------------------------------------------------------------------------- findings

_OPS: Mapping[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _holds(metrics: Mapping[str, float], cond: Mapping[str, Any]) -> bool:
    value = metrics.get(str(cond["metric"]))
    return value is not None and _OPS[str(cond["op"])](value, float(cond["threshold"]))


def _shown(value: float, form: str, lang: str) -> str:
    n = Numbers(lang)
    if form == "percent":
        return n.pct(abs(value))
    if form == "points":
        return n.decimal(abs(value) * 100, 1)
    if form == "money":
        return n.money(value)
    return n.integer(value)


def findings(metrics: Mapping[str, float], before: str, after: str, lang: str) -> tuple[Finding, ...]:
    """The findings of ``findings_compare.yaml`` whose condition holds, warnings first."""
    out = []
    for f in load_data("findings_compare.yaml")["findings"]:
        value = metrics.get(str(f["metric"]))
        if value is None or not _holds(metrics, f):
            continue
        if any(_holds(metrics, cond) for cond in f.get("unless") or ()):
            continue
        money = metrics.get(str(f.get("money") or ""))
        text = fmt_in(
            lang,
            str(f[lang]),
            value=_shown(value, str(f.get("format") or "count"), lang),
            n=round(value),
            money=Numbers(lang).money(money),
            **{"from": before, "to": after},
        )
        out.append(
            Finding(
                id=str(f["id"]),
                severity=str(f.get("severity") or "info"),
                text=text,
                metric=str(f["metric"]),
                value=value,
                refs=tuple(str(r) for r in f.get("refs") or ()),
            )
        )
    order = {f.id: i for i, f in enumerate(out)}
    return tuple(sorted(out, key=lambda f: (SEVERITY_ORDER.get(f.severity, 2), order[f.id])))


def _metrics(
    matches: Sequence[MatchedAction],
    new: Sequence[ActionRef],
    gone: Sequence[ActionRef],
    headline: HeadlineChange,
    declarations: DeclarationChange,
) -> dict[str, float]:
    def cents(refs: Sequence[ActionRef]) -> float:
        return sum(_cents(r.amount) or 0 for r in refs) / 100

    gained = [m for m in matches if m.before.category == "not_integrated" and m.after.category in EQUALITY]
    lost = [m for m in matches if m.before.category in EQUALITY and m.after.category == "not_integrated"]
    new_eq = [r for r in new if r.category in EQUALITY]
    gone_eq = [r for r in gone if r.category in EQUALITY]
    out: dict[str, float] = {
        "renewed.gained_equality": len(gained),
        "renewed.gained_amount": cents([m.after for m in gained]),
        "renewed.lost_equality": len(lost),
        "renewed.lost_amount": cents([m.before for m in lost]),
        "new.equality": len(new_eq),
        "new.equality_amount": cents(new_eq),
        "discontinued.equality": len(gone_eq),
        "discontinued.equality_amount": cents(gone_eq),
        "amounts.basis_differs": 0 if headline.same_basis else 1,
        "judged.low": 1 if headline.judged_low else 0,
    }
    if headline.shown and headline.weighted_share.points is not None:
        out["headline.weighted_share_points"] = headline.weighted_share.points
    if declarations.share.points is not None:
        out["declarations.gap_points"] = declarations.share.points
    return out


# ------------------------------------------------------------------------------------------------ build


def _pair(a: Period, b: Period, matching: Matching, lang: str, dimensions: Sequence[str]) -> PairComparison:
    headline = _headline(a, b, lang)
    same = headline.same_basis
    refs_a, refs_b = _refs(a.report, lang), _refs(b.report, lang)
    matches = tuple(
        _matched(refs_a[m.a_index], refs_b[m.b_index], m.method, m.score, same, lang) for m in matching.pairs
    )
    new = tuple(refs_b[i] for i in matching.new)
    gone = tuple(refs_a[i] for i in matching.discontinued)
    declarations = DeclarationChange(
        a.declarations, b.declarations, _share(a.declarations.share, b.declarations.share)
    )
    metrics = _metrics(matches, new, gone, headline, declarations)
    breakdowns = tuple(
        _breakdown(d, a.report.breakdown(d), b.report.breakdown(d), same, lang)
        for d in dimensions
        if a.report.breakdown(d) is not None or b.report.breakdown(d) is not None
    )
    return PairComparison(
        before=a.label,
        after=b.label,
        title=headline.title,
        headline=headline,
        breakdowns=breakdowns,
        matching=MatchSummary(
            ids_stable=matching.ids_stable,
            id_share=matching.id_share,
            id_threshold=matching.settings.id_stable_share,
            title_threshold=matching.settings.title_threshold,
            by_id=matching.by_id,
            by_title=matching.by_title,
            new=len(new),
            discontinued=len(gone),
            note=_match_note(matching, a, b, lang),
        ),
        matches=matches,
        new=new,
        discontinued=gone,
        flows=_flows(matches, new, gone, a, b, same, lang),
        web=_web(a.report, b.report, lang),
        declarations=declarations,
        metrics=metrics,
        findings=findings(metrics, a.label, b.label, lang),
    )


@dataclass(frozen=True)
class _Source:
    """What a comparison is built from, kept to build it again in another language."""

    audits: tuple[Audit, ...]
    labels: tuple[str, ...]
    matchings: tuple[Matching, ...]
    cache: dict[str, Comparison] = field(default_factory=dict, compare=False)

    def build(self, lang: str) -> Comparison:
        check_lang(lang)
        found = self.cache.get(lang)
        if found is None:
            found = self.cache[lang] = _build(self, lang)
        return found


def _build(source: _Source, lang: str) -> Comparison:
    dimensions = tuple(str(d) for d in load_data("compare.yaml")["dimensions"])
    periods = tuple(
        Period(
            label=label,
            files=tuple(audit.input_names),
            basis=(report := audit.report(lang)).basis,
            basis_label=report.basis_label,
            declarations=declaration_gap(label, report),
            report=report,
        )
        for audit, label in zip(source.audits, source.labels, strict=True)
    )
    pairs = tuple(
        _pair(periods[k], periods[k + 1], source.matchings[k], lang, dimensions)
        for k in range(len(periods) - 1)
    )
    overall = pairs[0].headline if len(periods) == 2 else _headline(periods[0], periods[-1], lang, True)
    caveats = tuple(
        fmt_in(lang, _word("words", "judged_low", lang), label=p.label, caveat=p.report.judged.caveat)
        for p in periods
        if p.report.judged.low
    )
    return Comparison(
        lang=lang,
        labels=source.labels,
        periods=periods,
        pairs=pairs,
        overall=overall,
        same_basis=all(p.headline.same_basis for p in pairs) and overall.same_basis,
        judged_low=bool(caveats),
        caveats=caveats,
        _source=source,
    )


def build(audits: Sequence[Audit], labels: Sequence[str], lang: str = "fr") -> Comparison:
    """The comparison of ``audits`` (one per period, in order), labelled ``labels``, in ``lang``."""
    if len(audits) < 2:
        raise ValueError("a comparison needs at least two periods")
    if len(labels) != len(audits):
        raise ValueError(f"{len(labels)} labels for {len(audits)} periods")
    matchings = tuple(match_actions(audits[k].actions, audits[k + 1].actions) for k in range(len(audits) - 1))
    return _Source(tuple(audits), tuple(str(x) for x in labels), matchings).build(check_lang(lang))


# ------------------------------------------------------------------------------------------------- JSON


def plain(value: Any) -> Any:
    """A model value as JSON-safe objects: dataclasses as objects (their field names as keys), tuples as
    lists, non-finite floats as None."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value) if not f.name.startswith("_")}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _period_dict(p: Period) -> dict[str, Any]:
    r = p.report
    return {
        "label": p.label,
        "files": list(p.files),
        "basis": p.basis,
        "basis_label": p.basis_label,
        "actions": r.actions,
        "amount_total": r.amount_total,
        "categories": plain(r.categories),
        "headline": plain(r.headline),
        "judged": plain(r.judged),
        "declarations": plain(p.declarations),
        "web": [{"id": e.id, "label": e.label, "score": e.score, "level": e.level} for e in r.web.elements],
        "findings": [f.to_dict() for f in r.findings],
    }
