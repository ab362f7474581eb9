"""The HTML page of a comparison of periods: one self-contained, printable page laid out from a
:class:`bie.comparison.model.Comparison` (it recomputes nothing; every figure comes from the model).

    html = render_comparison_html(bie.compare([a, b]), "en")

It is the audit report's sibling and shares its machinery (:mod:`bie.report.html`): the Jinja2 environment
(autoescape everywhere, undefined names raise), the table helpers and macros, the stylesheet, the charts,
patterns and swatches of :mod:`bie.report.charts`, and the same Content-Security-Policy. The page has no
script: the policy's only script hash is that of the empty script, so nothing can run. Data (titles,
carriers, period labels) reaches the template as plain ``str`` and is escaped; the only Markup inserted as
is comes from :mod:`bie.report.charts` (built from escaped text) and :func:`flow_chart` below, built with the
same escaping builders.

Words: ``labels_compare.yaml`` (groups ``html_…``), plus the category, dimension and severity words of
``labels.yaml``; numbers: :class:`bie.i18n.Numbers`. Sections: the findings for the committee first, then,
for each consecutive pair of periods, its key figures, the flow of money between categories, the renewed
actions that change category, the new and discontinued actions, the breakdowns and the web; then the
declarations against evidence over time, the matching of actions and the method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from bie.comparison.model import (
    ActionRef,
    BreakdownChange,
    Comparison,
    FlowTable,
    HeadlineChange,
    MatchedAction,
    MoneyChange,
    PairComparison,
    ShareChange,
    WebChange,
)
from bie.i18n import Numbers, check_lang
from bie.report import charts
from bie.report.html import Words as BaseWords
from bie.report.html import _Tables, cell, column, content_security_policy, environment, row
from bie.report.model import CATEGORY_ORDER, SEVERITY_ORDER
from bie.workshop.readout import _bar as level_bar

__all__ = ["CAP_LIST", "flow_chart", "render_comparison_html"]

TEMPLATE = "compare.html.j2"
#: Rows of each list of actions (changed, new, discontinued, matched); the Excel workbook and JSON have all.
CAP_LIST = 100
#: Where each reference of a finding (``findings_compare.yaml``, ``refs``) points on the page.
REFS = {
    "headline": "headline",
    "flows": "flows",
    "matches": "changed",
    "new": "new",
    "discontinued": "discontinued",
    "declarations": "declarations",
}
PAIR_SECTIONS = ("headline", "flows", "changed", "new", "discontinued", "breakdowns", "web")
NEW, DISCONTINUED = "new", "discontinued"
#: Fills of the two periods in the web's paired bars (as on the workshop readout's web screen).
BEFORE_FILL, AFTER_FILL = "stage", "transversal"
WEB_W, WEB_H = 120.0, 12.0


class Words(BaseWords):
    """The page's words in one language: ``labels_compare.yaml`` (groups ``html_…``) and ``labels.yaml``."""

    def __init__(self, lang: str) -> None:
        super().__init__(lang, "labels_compare.yaml", prefix="html_")

    def lower(self, text: str) -> str:
        return text[:1].lower() + text[1:]


# ------------------------------------------------------------------------------------------- the flow chart
def _stack(
    keys: Sequence[str], sizes: Mapping[str, float], top: float, scale: float, gap: float
) -> dict[str, tuple[float, float]]:
    """Each node's (top, height) in a column, in ``keys`` order; empty nodes take no room."""
    out: dict[str, tuple[float, float]] = {}
    y = top
    for k in keys:
        if sizes[k] <= 0:
            continue
        h = sizes[k] * scale
        out[k] = (y, h)
        y += h + gap
    return out


def _spread(centres: list[float], room: float, top: float, bottom: float) -> list[float]:
    """Label positions near ``centres`` (in order), at least ``room`` apart, inside [top, bottom]."""
    out: list[float] = []
    for c in centres:
        out.append(max(c, out[-1] + room) if out else max(c, top))
    for i in range(len(out) - 1, -1, -1):
        limit = bottom if i == len(out) - 1 else out[i + 1] - room
        out[i] = min(out[i], limit)
    return out


def flow_chart(
    flows: FlowTable,
    *,
    before: str,
    after: str,
    labels: Mapping[str, str],
    node_text: Mapping[tuple[str, str], str],
    chart_id: str,
    title: str,
    desc: str,
    width: float = 720,
) -> Markup:
    """Two stacked columns (the categories of A and the new actions; those of B and the discontinued ones)
    joined by bands: each band carries the actions going from one category to another, its width at each end
    their money in that period. One euro scale for both columns when the periods share a basis, else each
    column fills the height on its own. ``node_text[(side, key)]``: figures written under a node's name."""
    sources, targets = list(flows.sources), list(flows.targets)
    left = {s: 0.0 for s in sources}
    right = {t: 0.0 for t in targets}
    for c in flows.cells:
        left[c.source] += c.amount_after if c.source == NEW else c.amount_before
        right[c.target] += c.amount_before if c.target == DISCONTINUED else c.amount_after
    size, small, head = charts.FONT_SIZE, 12.0, 30.0
    height, gap, node_w = 380.0, 12.0, 16.0
    label_w = (
        max(
            [charts.text_width(labels[k], size, bold=True) for k in (*sources, *targets)]
            + [charts.text_width(v, small, bold=True) for v in node_text.values()]
            + [60.0]
        )
        + 14
    )
    x0, x1 = label_w, width - label_w - node_w
    room_l = height - gap * max(sum(1 for v in left.values() if v > 0) - 1, 0)
    room_r = height - gap * max(sum(1 for v in right.values() if v > 0) - 1, 0)
    total_l, total_r = sum(left.values()), sum(right.values())
    if flows.same_basis:
        scale_l = scale_r = min(room_l, room_r) / (max(total_l, total_r) or 1.0)
    else:
        scale_l, scale_r = room_l / (total_l or 1.0), room_r / (total_r or 1.0)
    nodes_l = _stack(sources, left, head, scale_l, gap)
    nodes_r = _stack(targets, right, head, scale_r, gap)
    body: list[Markup] = []
    # bands, in the order of the source node (targets in order), then of the target node (sources in order)
    out_y = {k: y for k, (y, _) in nodes_l.items()}
    in_y = {k: y for k, (y, _) in nodes_r.items()}
    bands: list[Markup] = []
    order = {t: i for i, t in enumerate(targets)}
    cells = sorted(flows.cells, key=lambda c: (sources.index(c.source), order[c.target]))
    ends: dict[tuple[str, str], tuple[float, float, float, float]] = {}
    for c in cells:
        wl = (c.amount_after if c.source == NEW else c.amount_before) * scale_l
        if c.source in out_y and wl > 0:
            ends[(c.source, c.target)] = (out_y[c.source], wl, 0.0, 0.0)
            out_y[c.source] += wl
    for c in sorted(flows.cells, key=lambda c: (order[c.target], sources.index(c.source))):
        wr = (c.amount_before if c.target == DISCONTINUED else c.amount_after) * scale_r
        if c.target in in_y and wr > 0:
            ya, wl, _, _ = ends.get((c.source, c.target), (in_y[c.target], 0.0, 0.0, 0.0))
            ends[(c.source, c.target)] = (ya, wl, in_y[c.target], wr)
            in_y[c.target] += wr
    mid = (x0 + node_w + x1) / 2
    for (source, target), (ya, wl, yb, wr) in ends.items():
        if wl <= 0 and wr <= 0:
            continue
        key = target if source == NEW else source
        xa, xb = x0 + node_w, x1
        path = (
            f"M{charts._num(xa)},{charts._num(ya)} C{charts._num(mid)},{charts._num(ya)} "
            f"{charts._num(mid)},{charts._num(yb)} {charts._num(xb)},{charts._num(yb)} "
            f"L{charts._num(xb)},{charts._num(yb + wr)} C{charts._num(mid)},{charts._num(yb + wr)} "
            f"{charts._num(mid)},{charts._num(ya + wl)} {charts._num(xa)},{charts._num(ya + wl)} Z"
        )
        fill = charts.fill("stage" if key in (NEW, DISCONTINUED) else key)
        bands.append(
            charts._el(
                "path",
                {"d": path, "fill": fill, "fill-opacity": 0.45, "stroke": "#ffffff", "stroke-width": 0.6},
            )
        )
    body.extend(bands)
    # nodes and their labels (name, then amount and count)
    for side, nodes, x in (("before", nodes_l, x0), ("after", nodes_r, x1)):
        keys = list(nodes)
        for k in keys:
            y, h = nodes[k]
            body.append(
                charts._el(
                    "rect",
                    {
                        "x": x,
                        "y": y,
                        "width": node_w,
                        "height": max(h, 1.0),
                        "fill": charts.fill("stage" if k in (NEW, DISCONTINUED) else k),
                        "stroke": charts.INK,
                        "stroke-width": 1,
                    },
                )
            )
        centres = _spread([nodes[k][0] + nodes[k][1] / 2 for k in keys], 32.0, head + 8, head + height - 8)
        anchor = "end" if side == "before" else "start"
        tx = x - 8 if side == "before" else x + node_w + 8
        for k, centre in zip(keys, centres, strict=True):
            body.append(charts._label(tx, centre - 8, labels[k], anchor=anchor, cls="lbl strong"))
            body.append(
                charts._label(
                    tx, centre + 8, node_text.get((side, k), ""), anchor=anchor, cls="val", size=small
                )
            )
    body.append(charts._label(x0 + node_w / 2, 12, before, anchor="middle", cls="lbl strong", size=size + 1))
    body.append(charts._label(x1 + node_w / 2, 12, after, anchor="middle", cls="lbl strong", size=size + 1))
    return charts._svg(chart_id, width, head + height + 8, title, desc, *body)


# ------------------------------------------------------------------------------------------- the page


def web_overlay(
    chart_id: str,
    changes: Sequence[WebChange],
    before: str,
    after: str,
    title: str,
    desc: str,
) -> Markup:
    """The two periods' webs on one diagram: one axis per element (numbered as in the table below, in the
    model's order), rings for levels 0 to 3 (0 at the centre ring), the earlier period as a dashed grey
    line, the later as a solid blue one with its points; an element unknown in a period has no point there
    (the line skips it, never drawn as 0). A marker ▲/▼ beside an axis number says the level rose or fell."""
    import math

    size, centre, inner, ring = 420.0, 210.0, 26.0, 44.0
    count = max(len(changes), 1)

    def point(k: int, level: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * k / count
        radius = inner + ring * level
        return centre + radius * math.cos(angle), centre + radius * math.sin(angle)

    body: list[Markup] = []
    for level in range(4):
        body.append(
            charts._el(
                "circle",
                {
                    "cx": centre,
                    "cy": centre,
                    "r": inner + ring * level,
                    "fill": "none",
                    "stroke": "#c8ccd2",
                    "stroke-width": 1,
                },
            )
        )
        body.append(charts._label(centre + 3, centre - inner - ring * level - 7, str(level), size=11))
    for k, w in enumerate(changes):
        x, y = point(k, 3.45)
        x0, y0 = point(k, 0)
        x3, y3 = point(k, 3)
        body.append(charts._el("line", {"x1": x0, "y1": y0, "x2": x3, "y2": y3, "stroke": "#c8ccd2"}))
        mark = {"better": " ▲", "worse": " ▼"}.get(w.direction, "")
        anchor = "middle" if abs(x - centre) < 20 else ("start" if x > centre else "end")
        body.append(
            charts._label(x, y, f"{k + 1}{mark}", anchor=anchor, cls="lbl strong", size=12, halo=True)
        )

    def line(attr: str, dashed: bool, colour: str) -> None:
        runs: list[list[tuple[float, float]]] = [[]]
        for k, w in enumerate(changes):
            level = getattr(w, attr)
            if level is None:
                runs.append([])
            else:
                runs[-1].append(point(k, float(level)))
        whole = all(getattr(w, attr) is not None for w in changes)
        for run in runs:
            if not run:
                continue
            coords = " ".join(f"{charts._num(x)},{charts._num(y)}" for x, y in run)
            attrs: dict[str, str | float | None] = {
                "points": coords,
                "fill": colour if whole else "none",
                "fill-opacity": 0.12 if whole else None,
                "stroke": colour,
                "stroke-width": 2.5,
                "stroke-dasharray": "6 4" if dashed else None,
            }
            body.append(charts._el("polygon" if whole else "polyline", attrs))
            for x, y in run:
                body.append(
                    charts._el("circle", {"cx": x, "cy": y, "r": 3.5 if not dashed else 2.5, "fill": colour})
                )

    line("before", True, "#6b7280")
    line("after", False, "#0072B2")
    legend_y = size + 14
    body.append(
        charts._el(
            "line",
            {
                "x1": 10,
                "y1": legend_y,
                "x2": 40,
                "y2": legend_y,
                "stroke": "#6b7280",
                "stroke-width": 2.5,
                "stroke-dasharray": "6 4",
            },
        )
    )
    body.append(charts._label(46, legend_y, before, size=12))
    x_after = 60 + charts.text_width(before, 12)
    body.append(
        charts._el(
            "line",
            {
                "x1": x_after,
                "y1": legend_y,
                "x2": x_after + 30,
                "y2": legend_y,
                "stroke": "#0072B2",
                "stroke-width": 2.5,
            },
        )
    )
    body.append(charts._label(x_after + 36, legend_y, after, size=12))
    return charts._svg(chart_id, size, size + 28, title, desc, *body, cls="chart web-overlay")


class _ComparePage:
    """Builds the template context of one comparison (in its language)."""

    def __init__(self, comparison: Comparison) -> None:
        self.c = comparison
        self.lang = comparison.lang
        self.t = Words(self.lang)
        self.n = Numbers(self.lang)
        self.tables = _Tables(self.t("page.scroll_hint"))
        self.several = len(comparison.pairs) > 1

    # ------------------------------------------------------------------ formatting
    def sid(self, name: str, k: int) -> str:
        """A section's id: ``flows`` with one pair, ``flows-2`` for the second of several."""
        return f"{name}-{k + 1}" if self.several else name

    def signed(self, value: float | None) -> str:
        text = self.n.integer(value)
        return f"+{text}" if value is not None and value > 0 else text

    def signed_money(self, value: float | None) -> str:
        text = self.n.money(value)
        return f"+{text}" if value is not None and round(value, 2) > 0 else text

    def points(self, value: float | None) -> str:
        return self.n.na if value is None else self.t("headline.points", value=self.n.points(value))

    def money_change(self, m: MoneyChange, basis_short: str = "") -> dict[str, Any]:
        if m.change is None:
            return cell(self.n.na, "num", sub=basis_short)
        rel = m.relative
        sub = "" if not rel else (f"+{self.n.pct(rel)}" if rel > 0 else self.n.pct(rel))
        return cell(self.signed_money(m.change), "num", sub=sub)

    def short(self, cat: str, label: str) -> str:
        """A category's short label (« Non prise en compte »), else ``label``."""
        shared = self.t.shared["categories"].get(cat)
        return str(shared[f"short_{self.lang}"]) if shared else self.upper(label)

    @staticmethod
    def upper(text: str) -> str:
        return text[:1].upper() + text[1:]

    def cat_cell(self, cat: str, label: str) -> dict[str, Any]:
        known = cat in CATEGORY_ORDER
        return cell(label, "cat", cat=cat if known else None, swatch=charts.swatch(cat) if known else None)

    def action_cell(self, a: ActionRef) -> dict[str, Any]:
        return cell(a.title, sub=" · ".join(x for x in (a.carrier, a.action_id) if x))

    def capped(self, shown: int, total: int) -> str:
        if total <= shown:
            return ""
        return self.t("page.capped", shown=self.n.integer(shown), total=self.n.integer(total))

    # ------------------------------------------------------------------ findings
    def findings(self) -> dict[str, Any]:
        groups = []
        for k, p in enumerate(self.c.pairs):
            items = [
                {
                    "text": f.text,
                    "severity": f.severity if f.severity in SEVERITY_ORDER else "info",
                    "severity_label": self.t.shared_word("severity", f.severity),
                    "refs": [
                        {
                            "id": self.sid(REFS[r], k) if r != "declarations" else "declarations",
                            "label": self.t(f"sections.{REFS[r]}"),
                        }
                        for r in f.refs
                        if r in REFS
                    ],
                }
                for f in p.findings
            ]
            groups.append({"title": p.title, "items": items})
        caveats = list(self.c.caveats)
        headlines = [p.headline for p in self.c.pairs] + ([self.c.overall] if self.several else [])
        for h in headlines:
            if h.basis_caveat and h.basis_caveat not in caveats:
                caveats.append(h.basis_caveat)
        return {"groups": groups, "caveats": caveats, "several": self.several}

    # ------------------------------------------------------------------ key figures
    def headline(self, h: HeadlineChange, section: str, bars: Sequence[tuple[str, Any]]) -> dict[str, Any]:
        t, n = self.t, self.n
        change_head = t("headline.change")

        def money_row(key: str, m: MoneyChange) -> dict[str, Any]:
            return row(
                cell(t(key)),
                [
                    cell(n.money(m.before), "num"),
                    cell(n.money(m.after), "num"),
                    self.money_change(m, h.basis_short),
                ],
            )

        def share_row(key: str, s: ShareChange) -> dict[str, Any]:
            return row(
                cell(t(key)),
                [
                    cell(n.pct(s.before, 1), "num"),
                    cell(n.pct(s.after, 1), "num"),
                    cell(self.points(s.points), "num"),
                ],
            )

        shown = h.shown
        rows = [
            row(
                cell(t("headline.actions")),
                [
                    cell(n.integer(h.actions.before), "num"),
                    cell(n.integer(h.actions.after), "num"),
                    cell(self.signed(h.actions.change), "num"),
                ],
            ),
            money_row("headline.amount_total", h.amount_total),
            row(
                cell(t("headline.basis")),
                [
                    cell(h.basis_label_before, "num"),
                    cell(h.basis_label_after, "num"),
                    cell(h.basis_short, "num"),
                ],
            ),
        ]
        if shown:
            rows += [
                money_row("headline.weighted_amount", h.weighted_amount),
                share_row("headline.weighted_share", h.weighted_share),
                money_row("headline.unweighted_amount", h.unweighted_amount),
                share_row("headline.unweighted_share", h.unweighted_share),
            ]
        rows.append(share_row("headline.to_review_share", h.to_review_share))
        table = self.tables.make(
            "headline",
            t("headline.caption", **{"from": h.before, "to": h.after}),
            [
                column(t("headline.indicator")),
                column(h.before, num=True),
                column(h.after, num=True),
                column(change_head, num=True),
            ],
            rows,
            cls="headline",
            table_id=f"t-{section}",
        )
        cat_rows = [
            row(
                self.cat_cell(c.category, self.upper(c.label)),
                [
                    cell(n.integer(c.count.before), "num"),
                    cell(n.integer(c.count.after), "num"),
                    cell(self.signed(c.count.change), "num"),
                    cell(n.money(c.amount.before), "num"),
                    cell(n.money(c.amount.after), "num"),
                    self.money_change(c.amount, h.basis_short),
                    cell(n.pct(c.share.before, 1), "num"),
                    cell(n.pct(c.share.after, 1), "num"),
                    cell(self.points(c.share.points), "num"),
                ],
                category=c.category,
            )
            for c in h.categories
        ]
        ends = {"from": h.before, "to": h.after}
        categories = self.tables.make(
            "headline",
            t("headline.cat_caption", **ends),
            [
                column(t("headline.category")),
                column(t("headline.cat_count", label=h.before), num=True),
                column(t("headline.cat_count", label=h.after), num=True),
                column(change_head, num=True),
                column(t("headline.cat_amount", label=h.before), num=True),
                column(t("headline.cat_amount", label=h.after), num=True),
                column(change_head, num=True),
                column(t("headline.cat_share", label=h.before), num=True),
                column(t("headline.cat_share", label=h.after), num=True),
                column(change_head, num=True),
            ],
            cat_rows,
            cls="categories",
            table_id=f"t-{section}-categories",
        )
        ws = h.weighted_share
        tiles = [
            {
                "label": t("headline.tile_weighted"),
                "value": f"{n.pct(ws.before)} → {n.pct(ws.after)}" if shown else n.na,
                "sub": self.points(ws.points) if shown else t("headline.not_shown"),
                "cls": "headline",
            },
            {
                "label": t("headline.tile_total"),
                "value": f"{n.money(h.amount_total.before)} → {n.money(h.amount_total.after)}",
                "sub": self.signed_money(h.amount_total.change)
                if h.amount_total.change is not None
                else h.basis_short,
                "cls": "wide-value",
            },
            {
                "label": t("headline.tile_actions"),
                "value": f"{n.integer(h.actions.before)} → {n.integer(h.actions.after)}",
                "sub": self.signed(h.actions.change),
                "cls": "",
            },
        ]
        # room for the period labels (stacked_bars' own estimate is tight for long, symbol-laden labels)
        label_w = (
            max(charts.text_width(label, charts.FONT_SIZE + 1, bold=True) for label, _ in bars) * 1.15 + 16
        )
        chart = charts.stacked_bars(
            [
                charts.Bar(
                    label,
                    [charts.Segment(c.category, c.share, n.pct(c.share)) for c in report.categories],
                )
                for label, report in bars
            ],
            chart_id=f"chart-{section}",
            label_width=label_w,
            title=t("headline.chart_title"),
            desc=t("headline.chart_desc")
            + " "
            + t("headline.chart_sep").join(
                t(
                    "headline.chart_item",
                    label=label,
                    shares=", ".join(f"{c.label} {n.pct(c.share)}" for c in report.categories),
                )
                for label, report in bars
            ),
        )
        return {
            "id": section,
            "tiles": tiles,
            "chart": chart,
            "table": table,
            "categories": categories,
            "caveats": list(h.caveats) + ([h.basis_caveat] if h.basis_caveat else []),
        }

    # ------------------------------------------------------------------ flows
    def flows(self, p: PairComparison, k: int) -> dict[str, Any]:
        t, n, f = self.t, self.n, p.flows
        ends = {"from": p.before, "to": p.after}
        labels = {key: self.short(key, f.labels[key]) for key in (*f.sources, *f.targets)}
        node_text: dict[tuple[str, str], str] = {}
        for s in f.sources:
            cs = [c for c in f.cells if c.source == s]
            amount = sum(c.amount_after if s == NEW else c.amount_before for c in cs)
            count = sum(c.count for c in cs)
            node_text[("before", s)] = t(
                "flows.node", amount=n.money(amount), count=n.integer(count), n=count
            )
        for tg in f.targets:
            cs = [c for c in f.cells if c.target == tg]
            amount = sum(c.amount_before if tg == DISCONTINUED else c.amount_after for c in cs)
            count = sum(c.count for c in cs)
            node_text[("after", tg)] = t(
                "flows.node", amount=n.money(amount), count=n.integer(count), n=count
            )
        section = self.sid("flows", k)
        chart = flow_chart(
            f,
            before=p.before,
            after=p.after,
            labels=labels,
            node_text=node_text,
            chart_id=f"chart-{section}",
            title=t("flows.chart_title", **ends),
            desc=t("flows.chart_desc", **ends),
        )
        rows = [
            row(
                self.cat_cell(c.source, labels[c.source]),
                [
                    self.cat_cell(c.target, labels[c.target]),
                    cell(n.integer(c.count), "num"),
                    cell(n.money(c.amount_before) if c.source != NEW else n.na, "num"),
                    cell(n.money(c.amount_after) if c.target != DISCONTINUED else n.na, "num"),
                ],
                cls="moved" if c.source != c.target else "",
            )
            for c in f.cells
            if c.count
        ]
        foot = [
            row(
                cell(t("flows.total")),
                [
                    cell(""),
                    cell(f"{n.integer(f.count_before)} → {n.integer(f.count_after)}", "num"),
                    cell(n.money(f.total_before), "num"),
                    cell(n.money(f.total_after), "num"),
                ],
                cls="total",
            )
        ]
        table = self.tables.make(
            "flows",
            t("flows.caption", **ends),
            [
                column(t("flows.source", **ends)),
                column(t("flows.target", **ends)),
                column(t("flows.count"), num=True),
                column(t("flows.amount", label=p.before), num=True),
                column(t("flows.amount", label=p.after), num=True),
            ],
            rows,
            foot=foot,
            table_id=f"t-{section}",
        )
        return {
            "id": section,
            "intro": t("flows.intro", **ends),
            "chart": chart,
            "scale": "" if f.same_basis else t("flows.scale_own"),
            "table": table,
            "note": f.note,
        }

    # ------------------------------------------------------------------ actions
    @staticmethod
    def _by_amount(value: float | None) -> tuple[bool, float]:
        return (value is None, -(value or 0.0))

    def changed(self, p: PairComparison, k: int) -> dict[str, Any]:
        t = self.t
        ends = {"from": p.before, "to": p.after}
        changed = sorted(
            p.changed, key=lambda m: (*self._by_amount(m.after.amount), m.after.file, m.after.row)
        )
        rows = [self._changed_row(m) for m in changed[:CAP_LIST]]
        section = self.sid("changed", k)
        table = self.tables.make(
            "changed",
            t("actions.changed_caption", **ends),
            [
                column(t("actions.action"), cls="wide"),
                column(t("flows.source", **ends)),
                column(t("flows.target", **ends)),
                column(t("actions.direction")),
                column(t("actions.amount", label=p.before), num=True),
                column(t("actions.amount", label=p.after), num=True),
                column(t("actions.amount_change"), num=True),
                column(t("actions.declaration")),
                column(t("actions.match")),
            ],
            rows,
            note=self.capped(len(rows), len(changed)),
            cls="actions-list",
            table_id=f"t-{section}",
        )
        return {
            "id": section,
            "intro": t("actions.changed_intro"),
            "table": table if rows else None,
            "empty": t("actions.changed_none"),
        }

    def _changed_row(self, m: MatchedAction) -> dict[str, Any]:
        n = self.n
        return row(
            None,
            [
                self.action_cell(m.after),
                self.cat_cell(m.before.category, self.short(m.before.category, m.before.category_label)),
                self.cat_cell(m.after.category, self.short(m.after.category, m.after.category_label)),
                cell(m.direction_label, cls=f"dir dir-{m.direction}"),
                cell(n.money(m.before.amount), "num"),
                cell(n.money(m.after.amount), "num"),
                self.money_change(m.amount),
                cell(m.declaration_label, cls="changed" if m.declaration_changed else ""),
                cell(m.method_label, sub=self.t("actions.score", score=n.decimal(m.score, 2))),
            ],
            category=m.after.category,
        )

    def action_list(self, p: PairComparison, k: int, which: str) -> dict[str, Any]:
        t, n = self.t, self.n
        ends = {"from": p.before, "to": p.after}
        refs = p.new if which == "new" else p.discontinued
        ordered = sorted(refs, key=lambda a: (*self._by_amount(a.amount), a.file, a.row))
        rows = [
            row(
                None,
                [
                    self.action_cell(a),
                    self.cat_cell(a.category, self.short(a.category, a.category_label)),
                    cell(n.money(a.amount), "num"),
                    cell(a.declared_label),
                ],
                category=a.category,
            )
            for a in ordered[:CAP_LIST]
        ]
        label = p.after if which == "new" else p.before
        section = self.sid(which, k)
        table = self.tables.make(
            which,
            t("actions.new_caption" if which == "new" else "actions.gone_caption", **ends),
            [
                column(t("actions.action"), cls="wide"),
                column(t("actions.category")),
                column(t("actions.amount", label=label), num=True),
                column(t("actions.declared")),
            ],
            rows,
            note=self.capped(len(rows), len(ordered)),
            cls="actions-list",
            table_id=f"t-{section}",
        )
        summary = []
        for cat in CATEGORY_ORDER:
            sub = [a for a in refs if a.category == cat]
            amount = sum(round((a.amount or 0) * 100) for a in sub) / 100
            summary.append(
                row(
                    self.cat_cell(cat, self.upper(self.t.shared_word("categories", cat))),
                    [cell(n.integer(len(sub)), "num"), cell(n.money(amount), "num")],
                    category=cat,
                )
            )
        what = t(f"sections.{which}")
        summary_table = self.tables.make(
            which,
            t("actions.summary_caption", what=what),
            [
                column(t("actions.category")),
                column(t("actions.count"), num=True),
                column(t("actions.amount", label=label), num=True),
            ],
            summary,
            cls="compact",
            table_id=f"t-{section}-summary",
        )
        return {
            "id": section,
            "intro": t("actions.new_intro" if which == "new" else "actions.gone_intro", **ends),
            "summary": summary_table,
            "table": table if rows else None,
            "empty": t("page.none"),
        }

    # ------------------------------------------------------------------ breakdowns
    def breakdowns(self, p: PairComparison, k: int) -> dict[str, Any]:
        groups = [self._breakdown(b, p, k) for b in p.breakdowns if b.groups]
        return {"id": self.sid("breakdowns", k), "groups": groups, "empty": self.t("breakdowns.none")}

    def _breakdown(self, b: BreakdownChange, p: PairComparison, k: int) -> dict[str, Any]:
        t, n = self.t, self.n
        basis_short = p.headline.basis_short
        rows = []
        for g in b.groups:
            absent = (
                t("breakdowns.absent", label=p.before)
                if not g.before
                else (t("breakdowns.absent", label=p.after) if not g.after else "")
            )
            rows.append(
                row(
                    cell(g.label, sub=absent),
                    [
                        cell(n.integer(g.count.before), "num"),
                        cell(n.integer(g.count.after), "num"),
                        cell(n.money(g.amount.before), "num"),
                        cell(n.money(g.amount.after), "num"),
                        self.money_change(g.amount, basis_short),
                        cell(n.pct(g.equality_share.before), "num"),
                        cell(n.pct(g.equality_share.after), "num"),
                        cell(self.points(g.equality_share.points), "num"),
                    ],
                    cls="others" if g.special is not None else "",
                )
            )
        ends = {"from": p.before, "to": p.after}
        table = self.tables.make(
            "breakdowns",
            t("breakdowns.caption", dim=t.lower(b.label), **ends),
            [
                column(b.label),
                column(t("breakdowns.count", label=p.before), num=True),
                column(t("breakdowns.count", label=p.after), num=True),
                column(t("breakdowns.amount", label=p.before), num=True),
                column(t("breakdowns.amount", label=p.after), num=True),
                column(t("breakdowns.change"), num=True),
                column(t("breakdowns.equality", label=p.before), num=True),
                column(t("breakdowns.equality", label=p.after), num=True),
                column(t("breakdowns.points"), num=True),
            ],
            rows,
            cls="breakdown",
            table_id=f"t-{self.sid('by-' + b.dimension, k)}",
        )
        return {"id": self.sid(f"by-{b.dimension}", k), "title": b.label, "table": table, "note": b.note}

    # ------------------------------------------------------------------ web
    def web(self, p: PairComparison, k: int) -> dict[str, Any]:
        t, n = self.t, self.n
        rows: list[dict[str, Any]] = []
        counts = {"better": 0, "worse": 0, "same": 0, "unknown": 0}
        for w in p.web:
            counts[w.direction] += 1
            bars = level_bar((w.before or 0) / 3, BEFORE_FILL, WEB_W, WEB_H) + level_bar(
                (w.after or 0) / 3, AFTER_FILL, WEB_W, WEB_H
            )
            change = self.signed(w.change) if w.change else ""
            rows.append(
                row(
                    cell(f"{len(rows) + 1}. {w.label}", sub=w.sphere_label),
                    [
                        cell(w.before_label or n.na, "score", level=self._level(w.before)),
                        cell(w.after_label, "score", level=self._level(w.after)),
                        cell("", "bar", svg=bars),
                        cell(
                            w.direction_label,
                            sub=change,
                            cls=f"dir dir-{w.direction}",
                        ),
                    ],
                    cls={"better": "gap-more", "worse": "gap-less"}.get(w.direction, ""),
                )
            )
        section = self.sid("web", k)
        table = self.tables.make(
            "web",
            t("web.caption", **{"from": p.before, "to": p.after}),
            [
                column(t("web.element")),
                column(p.before),
                column(p.after),
                column(t("web.levels"), cls="bar"),
                column(t("web.change")),
            ],
            rows,
            cls="web-compare",
            table_id=f"t-{section}",
        )
        numbered = [w.label for w in p.web]
        overlay = web_overlay(
            f"chart-{section}",
            p.web,
            p.before,
            p.after,
            t("web.caption", **{"from": p.before, "to": p.after}),
            ", ".join(f"{i}. {label}" for i, label in enumerate(numbered, start=1)),
        )
        return {
            "id": section,
            "table": table,
            "overlay": overlay,
            "legend": [
                {"label": p.before, "swatch": charts.swatch(BEFORE_FILL)},
                {"label": p.after, "swatch": charts.swatch(AFTER_FILL)},
            ],
            "summary": t("web.summary", **{key: n.integer(v) for key, v in counts.items()}),
        }

    @staticmethod
    def _level(score: int | None) -> str:
        return str(score) if score in (0, 1, 2, 3) else "unknown"

    # ------------------------------------------------------------------ declarations
    def declarations(self) -> dict[str, Any]:
        t, n = self.t, self.n
        rows = []
        previous: float | None = None
        for i, period in enumerate(self.c.periods):
            d = period.declarations
            change = (
                self.points(d.share - previous)
                if i and d.share is not None and previous is not None
                else ("" if i == 0 else n.na)
            )
            rows.append(
                row(
                    cell(period.label),
                    [
                        cell(n.integer(d.declared), "num"),
                        cell(n.integer(d.overstated), "num"),
                        cell(n.pct(d.share, 1), "num"),
                        cell(change, "num"),
                    ],
                )
            )
            previous = d.share
        table = self.tables.make(
            "declarations",
            t("declarations.caption"),
            [
                column(t("declarations.period")),
                column(t("declarations.declared"), num=True),
                column(t("declarations.overstated"), num=True),
                column(t("declarations.share"), num=True),
                column(t("declarations.change"), num=True),
            ],
            rows,
            cls="compact",
            table_id="t-declarations",
        )
        bars = [
            charts.Bar(
                p.label,
                [
                    charts.Segment(
                        "not_integrated", p.declarations.share or 0.0, n.pct(p.declarations.share)
                    ),
                    charts.Segment("stage", 1 - (p.declarations.share or 0.0), ""),
                ],
            )
            for p in self.c.periods
            if p.declarations.share is not None
        ]
        chart = (
            charts.stacked_bars(
                bars,
                chart_id="chart-declarations",
                title=t("declarations.caption"),
                desc=t("declarations.intro"),
            )
            if bars
            else None
        )
        return {
            "intro": t("declarations.intro"),
            "table": table,
            "chart": chart,
            "legend": [
                {"label": t("declarations.overstated"), "swatch": charts.swatch("not_integrated")},
            ],
            "empty": t("declarations.none")
            if not any(p.declarations.declared for p in self.c.periods)
            else "",
        }

    # ------------------------------------------------------------------ matching
    def matching(self, p: PairComparison, k: int) -> dict[str, Any]:
        t, n, m = self.t, self.n, p.matching
        ends = {"from": p.before, "to": p.after}
        items = [
            ("matching.id_share", n.pct(m.id_share)),
            ("matching.id_threshold", n.pct(m.id_threshold)),
            ("matching.ids_stable", t("matching.yes") if m.ids_stable else t("matching.no")),
            ("matching.title_threshold", n.decimal(m.title_threshold, 2)),
            ("matching.by_id", n.integer(m.by_id)),
            ("matching.by_title", n.integer(m.by_title)),
            ("matching.new", n.integer(m.new)),
            ("matching.discontinued", n.integer(m.discontinued)),
        ]
        summary = self.tables.make(
            "matching",
            t("matching.caption", **ends),
            [column(t("matching.item")), column(t("matching.value"), num=True)],
            [row(cell(t(key, **ends)), [cell(v, "num")]) for key, v in items],
            cls="compact",
            table_id=f"t-{self.sid('matching', k)}",
        )
        ordered = sorted(p.matches, key=lambda x: (x.score, x.before.file, x.before.row))
        rows = [
            row(
                None,
                [
                    self.action_cell(x.before),
                    self.action_cell(x.after),
                    cell(x.method_label),
                    cell(n.decimal(x.score, 2), "num"),
                ],
            )
            for x in ordered[:CAP_LIST]
        ]
        pairs = self.tables.make(
            "matching",
            t("matching.pairs_caption", **ends),
            [
                column(t("matching.before", label=p.before), cls="wide"),
                column(t("matching.after", label=p.after), cls="wide"),
                column(t("matching.method")),
                column(t("matching.score"), num=True),
            ],
            rows,
            note=self.capped(len(rows), len(ordered)),
            cls="actions-list",
            table_id=f"t-{self.sid('matching', k)}-pairs",
        )
        return {
            "title": p.title,
            "intro": t("matching.intro", **ends),
            "note": m.note,
            "summary": summary,
            "pairs": pairs if rows else None,
        }

    # ------------------------------------------------------------------ method
    def method(self) -> dict[str, Any]:
        t, n = self.t, self.n
        rows = [
            row(
                cell(period.label),
                [
                    cell(i.name, sha=i.sha256),
                    cell(n.integer(i.rows), "num"),
                    cell(n.integer(i.actions), "num"),
                    cell(i.basis_label),
                ],
            )
            for period in self.c.periods
            for i in period.report.meta.inputs
        ]
        inputs = self.tables.make(
            "method",
            t("method.inputs_caption"),
            [
                column(t("method.period")),
                column(t("method.file")),
                column(t("method.rows"), num=True),
                column(t("method.actions"), num=True),
                column(t("method.basis")),
            ],
            rows,
            table_id="t-method-inputs",
        )
        meta = self.c.periods[-1].report.meta
        return {
            "intro": t("method.intro"),
            "paragraphs": [t("method.money"), t("method.direction"), t("method.weights")],
            "inputs": inputs,
            "versions": t(
                "page.versions",
                rules=meta.rules_version,
                web=meta.web_version,
                vocabulary=meta.vocabulary_version,
            ),
            "sources": list(self.c.periods[-1].report.method_sources),
        }

    # ------------------------------------------------------------------ context
    def pair(self, p: PairComparison, k: int) -> dict[str, Any]:
        a, b = self.c.periods[k].report, self.c.periods[k + 1].report
        return {
            "id": f"pair-{k + 1}",
            "title": p.title,
            "headline": self.headline(p.headline, self.sid("headline", k), [(p.before, a), (p.after, b)]),
            "flows": self.flows(p, k),
            "changed": self.changed(p, k),
            "new": self.action_list(p, k, "new"),
            "discontinued": self.action_list(p, k, "discontinued"),
            "breakdowns": self.breakdowns(p, k),
            "web": self.web(p, k),
        }

    def context(self) -> dict[str, Any]:
        t, n = self.t, self.n
        c = self.c
        title = t("page.title", periods=" → ".join(c.labels))
        pairs = [self.pair(p, k) for k, p in enumerate(c.pairs)]
        toc = [{"id": "findings", "label": t("sections.findings")}]
        if self.several:
            toc.append({"id": "overall", "label": t("sections.overall")})
            toc += [{"id": p["id"], "label": p["title"]} for p in pairs]
        else:
            toc += [{"id": s, "label": t(f"sections.{s}")} for s in PAIR_SECTIONS]
        toc += [{"id": s, "label": t(f"sections.{s}")} for s in ("declarations", "matching", "method")]
        periods = [
            t(
                "page.period",
                label=p.label,
                files=", ".join(p.files),
                count=n.integer(p.report.actions),
                n=p.report.actions,
                total=n.money(p.report.amount_total),
                basis=p.basis_label,
            )
            for p in c.periods
        ]
        meta = c.periods[-1].report.meta
        overall = (
            self.headline(c.overall, "overall", [(p.label, p.report) for p in c.periods])
            if self.several
            else None
        )
        legend = [
            {"label": t.shared_word("categories", cat), "swatch": charts.swatch(cat)}
            for cat in CATEGORY_ORDER
        ]
        ends = f"{self._flow_word(NEW)} / {self._flow_word(DISCONTINUED)}"
        flow_legend = [*legend, {"label": ends, "swatch": charts.swatch("stage")}]
        return {
            "lang": self.lang,
            "t": t,
            "csp": content_security_policy(""),
            "title": title,
            "generated": t("page.generated", date=meta.generated_at[:10], version=meta.bie_version),
            "generated_at": meta.generated_at,
            "periods": periods,
            "toc": toc,
            "patterns": charts.pattern_defs(),
            "legend": legend,
            "flow_legend": flow_legend,
            "several": self.several,
            "findings": self.findings(),
            "overall": overall,
            "pairs": pairs,
            "declarations": self.declarations(),
            "matching": [self.matching(p, k) for k, p in enumerate(c.pairs)],
            "method": self.method(),
            "version": meta.bie_version,
        }

    def _flow_word(self, key: str) -> str:
        word = str(self.t.html["flow"][key][self.lang])
        return word[:1].upper() + word[1:]


def render_comparison_html(comparison: Comparison, lang: str | None = None) -> str:
    """The comparison as one self-contained HTML page, in ``lang`` (the comparison's own when None)."""
    model = comparison.in_lang(check_lang(lang)) if lang is not None else comparison
    env = environment()
    html = env.get_template(TEMPLATE).render(_ComparePage(model).context())
    return html if html.endswith("\n") else html + "\n"
