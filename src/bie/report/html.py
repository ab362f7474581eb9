"""The HTML report: one self-contained, accessible, printable page laid out from the report model of an audit
(:class:`bie.report.model.AuditReport`; see docs/rapport.md). It reads nothing else: every figure and every
word about the data is decided in the model; this module only adds the page's own words and layout.

    html = render_html(audit, "fr")      # what Audit.to_html() returns (audit.report("fr") laid out)

How the page stays safe with hostile input (titles such as ``<script>…`` or ``=HYPERLINK(…)``):

* Jinja2 autoescaping is on for every template and for strings, undefined names raise (``StrictUndefined``),
  and no template uses ``|safe``. Every word and figure reaches the template as a plain ``str``.
* The only :class:`~markupsafe.Markup` inserted as is: the SVG charts of :mod:`bie.report.charts` (built
  from escaped text, see its docstring) and the web drawing of the model (:attr:`WebSection.svg`, drawn by
  bie's own code), which is also checked by :func:`checked_svg` (no script, event handler, link, external
  reference or foreign object) and left out when the check fails (its text alternative and table remain).
* Data never goes into ``href``, ``src``, ``style`` or ``on*`` attributes: links point only to the fixed ids
  of the report's own sections; the sort values of the actions table are numbers in ``data-value``.
* A Content-Security-Policy forbids every request and allows exactly one script, by its SHA-256: the small
  table enhancer of ``templates/report_script.html.j2``. Without it the table is a plain, complete table.

Determinism: the same audit gives byte-identical HTML. Ids are derived from section names and counters, the
date is the audit's ``generated_at`` (which honours ``SOURCE_DATE_EPOCH``), and every list has a stable order.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bie.analysis import AMOUNT, CATEGORIES
from bie.i18n import Numbers as BaseNumbers
from bie.i18n import check_lang, fmt_in
from bie.report import charts
from bie.report.model import AuditReport, HasReport, action_label, reason_texts, report_of, review_why
from bie.resources import load_data, templates_dir

#: Actions shown in the inline table (the largest amounts first); the Excel and JSON reports have them all.
CAP_ACTIONS = 2000
#: Rows of the smaller lists (declaration mismatches, actions to review).
CAP_LIST = 50
SECTIONS = (
    "key-figures",
    "findings",
    "money",
    "breakdowns",
    "stages",
    "beneficiaries",
    "web",
    "data-quality",
    "reconciliation",
    "method",
    "actions",
)
DIMENSIONS = ("pillar", "theme", "funder", "territory", "carrier")
TEMPLATE = "report.html.j2"
SCRIPT_TEMPLATE = "report_script.html.j2"
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# ------------------------------------------------------------------------------------------- words
class Words:
    """Every word of a page, in one language: its own catalogue (``labels_html.yaml`` for the audit report;
    ``labels_compare.yaml`` with the prefix ``html_`` for the comparison, ``labels_consolidate.yaml`` for the
    consolidation) and the shared ``labels.yaml``. ``t("page.title")`` is the entry at that dotted path,
    the prefix added to its first part."""

    def __init__(self, lang: str, catalogue: str = "labels_html.yaml", prefix: str = "") -> None:
        self.lang = check_lang(lang)
        self.html: dict[str, Any] = load_data(catalogue)
        self.prefix = prefix
        self.shared: dict[str, Any] = load_data("labels.yaml")

    def __call__(self, key: str, **params: Any) -> str:
        node: Any = self.html
        for part in f"{self.prefix}{key}".split("."):
            node = node[part]
        text = str(node[self.lang])
        return fmt_in(self.lang, text, **params) if params else text

    def category(self, cat: str | None, short: bool = False) -> str:
        if cat is None:
            return ""
        entry = self.shared["categories"].get(cat)
        if entry is None:
            return cat
        return str(entry[f"short_{self.lang}"] if short else entry[self.lang])

    def shared_word(self, group: str, key: str) -> str:
        entry = self.shared[group].get(key)
        return str(entry[self.lang]) if entry else key

    def month(self, index: int) -> str:
        return str(self.html["months"][self.lang][index - 1])


class Numbers(BaseNumbers):
    """The shared formatter (:class:`bie.i18n.Numbers`) plus dates written with the page's month names."""

    def date(self, iso: str, words: Words) -> str:
        when = dt.datetime.fromisoformat(iso)
        if self.lang == "fr":
            day = "1er" if when.day == 1 else str(when.day)
            return f"{day} {words.month(when.month)} {when.year}"
        return f"{when.day} {words.month(when.month)} {when.year}"


# ------------------------------------------------------------------------------------------- SVG check
_SVG_FORBIDDEN = re.compile(
    r"<\s*(script|foreignobject|iframe|object|embed|image|img|a|use|animate|set|handler|style)\b"
    r"|\son[a-z]+\s*="
    r"|(href|src)\s*="
    r"|url\(\s*['\"]?\s*(?!#)"
    r"|javascript:|data:|@import|<!doctype|<!entity",
    re.IGNORECASE,
)


_DRAWING = re.compile(r"<\s*(circle|ellipse|line|path|polygon|polyline|rect|text)\b", re.IGNORECASE)


def checked_svg(svg: str) -> Markup | None:
    """The web drawing as Markup if it is a plain SVG picture (see the module docstring), else None."""
    text = svg.strip()
    if not text.startswith("<svg") or not text.endswith("</svg>") or _SVG_FORBIDDEN.search(text):
        return None
    return Markup(text)  # noqa: S704 - bie's own drawing, checked above (no script, link or external reference)


# ------------------------------------------------------------------------------------------- templates
@functools.cache
def environment(directory: str | None = None) -> Environment:
    """The Jinja2 environment of the reports: autoescape everywhere, undefined names are errors."""
    return Environment(
        loader=FileSystemLoader(directory or str(templates_dir())),
        autoescape=select_autoescape(["html", "xml", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def script_source(env: Environment) -> str:
    """The inline script exactly as the page includes it (its hash goes into the Content-Security-Policy)."""
    return env.get_template(SCRIPT_TEMPLATE).render()


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(script: str) -> str:
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '{script_hash(script)}'; "
        "base-uri 'none'; form-action 'none'"
    )


# ------------------------------------------------------------------------------------------- tables
def cell(text: str = "", kind: str = "text", **extra: Any) -> dict[str, Any]:
    """A table cell for the ``table`` macro. ``kind``: text, num, cat, bar, reasons, list, code, flag."""
    out: dict[str, Any] = {
        "text": text,
        "kind": kind,
        "sub": "",
        "value": None,
        "svg": None,
        "items": [],
        "cat": None,
        "swatch": None,
        "cls": "",
        "level": "",
        "sha": "",
        "why": "",
    }
    unknown = set(extra) - set(out)
    if unknown:
        raise TypeError(f"unknown cell field(s) {sorted(unknown)}")
    out.update(extra)
    return out


def row(
    head: dict[str, Any] | None,
    cells: Sequence[dict[str, Any]],
    *,
    category: str | None = None,
    cls: str = "",
) -> dict[str, Any]:
    return {
        "head": head,
        "cells": list(cells),
        "category": category if category in CATEGORIES else None,
        "cls": cls,
    }


def column(
    label: str,
    *,
    num: bool = False,
    sort: str | None = None,
    cls: str = "",
    sorted_: str | None = None,
    swatch: Markup | None = None,
) -> dict[str, Any]:
    return {"label": label, "num": num, "sort": sort, "cls": cls, "sorted": sorted_, "swatch": swatch}


class _Tables:
    """Deterministic table ids (``t-<section>-<n>``)."""

    def __init__(self, hint: str = "") -> None:
        self.counts: dict[str, int] = {}
        self.hint = hint  # « scroll sideways », shown above a table on a narrow screen

    def make(
        self,
        section: str,
        caption: str,
        columns: Sequence[dict[str, Any]],
        rows: Sequence[dict[str, Any]],
        *,
        foot: Sequence[dict[str, Any]] = (),
        note: str = "",
        cls: str = "",
        table_id: str | None = None,
    ) -> dict[str, Any]:
        n = self.counts.get(section, 0) + 1
        self.counts[section] = n
        return {
            "id": table_id or f"t-{section}-{n}",
            "caption": caption,
            "columns": list(columns),
            "rows": list(rows),
            "foot": list(foot),
            "note": note,
            "cls": cls,
            "hint": self.hint,
        }


# ------------------------------------------------------------------------------------------- the page
class _Page:
    """Builds the template context of one report model (in its language)."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        self.lang = report.lang
        self.t = Words(self.lang)
        self.n = Numbers(self.lang, self.t("page.na"))
        self.tables = _Tables(self.t("page.scroll_hint"))
        self.multi_file = report.meta.several

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def chart_id(name: str) -> str:
        return f"chart-{name}"

    def cat_cell(self, cat: str | None, short: bool = False) -> dict[str, Any]:
        if cat is None:
            return cell("")
        return cell(
            self.t.category(cat, short),
            "cat",
            cat=cat if cat in CATEGORIES else None,
            swatch=charts.swatch(cat) if cat in CATEGORIES else None,
        )

    def basis_label(self) -> str:
        return self.report.basis_label

    def n_actions(self, count: int) -> str:
        return self.t("page.n_action" if count == 1 else "page.n_actions", n=self.n.integer(count))

    def row_ref(self, file: Any, sheet_row: Any) -> str:
        shown = str(sheet_row) if sheet_row is not None else ""  # spreadsheet rows: no thousands separator
        return (
            f"{file} : {shown}"
            if self.multi_file and self.lang == "fr"
            else (f"{file}: {shown}" if self.multi_file else shown)
        )

    def title_of(self) -> str:
        return self.report.title

    # ------------------------------------------------------------------ sections
    def key_figures(self) -> dict[str, Any]:
        r, t, n = self.report, self.t, self.n
        review = r.category("to_review")
        benef = r.beneficiaries
        tiles = [
            {
                "label": t("key.total"),
                "value": n.money(r.amount_total),
                "sub": t(
                    "key.total_sub_one" if r.actions == 1 else "key.total_sub",
                    n=n.integer(r.actions),
                    basis=self.basis_label(),
                ),
                "extra": t("key.without_amount", n=n.integer(r.actions_without_amount))
                if r.actions_without_amount
                else "",
                "cls": "wide",
            },
            self._headline_tile(),
            {
                "label": t("key.review"),
                "value": n.integer(review.count),
                "sub": t(
                    "key.review_sub",
                    amount=n.money(review.amount),
                    share=n.pct(review.share_count),
                ),
                "extra": "",
                "cls": "",
            },
        ]
        if benef.available:
            tiles.append(
                {
                    "label": t("key.coverage"),
                    "value": n.pct(benef.share_actions),
                    "sub": t(
                        "key.coverage_sub",
                        n=n.integer(benef.actions_with_counts),
                        total=n.integer(r.actions),
                        share_amount=n.pct(benef.share_amount),
                    ),
                    "extra": "",
                    "cls": "",
                }
            )
        else:
            tiles.append(
                {
                    "label": t("key.coverage"),
                    "value": n.pct(0.0),
                    "sub": t("key.coverage_none"),
                    "extra": "",
                    "cls": "",
                }
            )
        cards = [
            {
                "cat": c.category,
                "label": c.label,
                "swatch": charts.swatch(c.category, 18),
                "share": n.pct(c.share),
                "amount": n.money(c.amount),
                "count": t(
                    "key.cat_count_one" if c.count == 1 else "key.cat_count",
                    n=n.integer(c.count),
                    share=n.pct(c.share_count),
                ),
            }
            for c in map(r.category, CATEGORIES)
        ]
        return {
            "intro": t("key.intro", basis=self.basis_label()),
            "tiles": tiles,
            "cards": cards,
            "caveat": self.caveat(),
            "cards_caveat": t("key.categories_caveat") if self.caveat() else "",
        }

    def _headline_tile(self) -> dict[str, Any]:
        """The EU-weighted equality spend, the unweighted one beside it; when no action could be judged, no
        money (0,00 € would read as a verdict) and the reason (:class:`bie.report.model.Headline`)."""
        h, t, n = self.report.headline, self.t, self.n
        if not h.shown:
            return {"label": t("key.weighted"), "value": n.na, "sub": h.note, "extra": "", "cls": "headline"}
        return {
            "label": t("key.weighted"),
            "value": n.money(h.weighted_amount),
            "sub": t("key.weighted_sub", share=n.pct(h.weighted_share)),
            "extra": t(
                "key.unweighted_sub", amount=n.money(h.unweighted_amount), share=n.pct(h.unweighted_share)
            ),
            "cls": "headline",
        }

    def caveat(self) -> str:
        """The caveat of a file where most actions could not be judged (empty otherwise)."""
        return self.report.judged.caveat

    def findings(self) -> dict[str, Any]:
        items = [
            {
                "text": f.text,
                "severity": f.severity,
                "severity_label": self.t.shared_word("severity", f.severity),
                "refs": [
                    {"id": r, "label": self.t(f"sections.{r}")}
                    for r in f.refs
                    if r in SECTIONS and (r != "stages" or self.report.stages is not None)
                ],
            }
            for f in self.report.findings
        ]
        return {"items": items}

    def money(self) -> dict[str, Any]:
        r, t, n = self.report, self.t, self.n
        rows = []
        for figures in r.categories:
            cat, weight, weighted = figures.category, figures.eu_weight, figures.weighted_amount
            rows.append(
                row(
                    self.cat_cell(cat),
                    [
                        cell(n.integer(figures.count), "num"),
                        cell(n.pct(figures.share_count, 1), "num"),
                        cell(n.money(figures.amount), "num"),
                        cell(n.pct(figures.share, 1), "num"),
                        cell(n.pct(weight) if weight is not None else t("money.weight_none"), "num"),
                        cell(n.money(weighted) if weighted is not None else t("page.na"), "num"),
                    ],
                    category=cat,
                )
            )
        foot = [
            row(
                cell(t("page.total")),
                [
                    cell(n.integer(r.actions), "num"),
                    cell(n.pct(1.0 if r.actions else None, 1), "num"),
                    cell(n.money(r.amount_total), "num"),
                    cell(n.pct(1.0 if r.amount_total else None, 1), "num"),
                    cell("", "num"),
                    cell(n.money(r.headline.weighted_amount), "num"),
                ],
                cls="total",
            )
        ]
        table = self.tables.make(
            "money",
            t("money.caption"),
            [
                column(t("money.category")),
                column(t("money.actions"), num=True),
                column(t("money.share_count"), num=True),
                column(t("money.amount"), num=True),
                column(t("money.share_amount"), num=True),
                column(t("money.weight"), num=True),
                column(t("money.weighted"), num=True),
            ],
            rows,
            foot=foot,
        )
        cats = [r.category(c) for c in CATEGORIES]
        bars = [
            charts.Bar(
                t("money.bar_money"),
                [charts.Segment(c.category, c.share, n.pct(c.share)) for c in cats],
            ),
            charts.Bar(
                t("money.bar_count"),
                [charts.Segment(c.category, c.share_count, n.pct(c.share_count)) for c in cats],
            ),
        ]
        chart = charts.stacked_bars(
            bars,
            chart_id=self.chart_id("money"),
            title=t("money.chart_title"),
            desc=t("money.chart_desc") + " " + self._money_desc(),
        )
        notes = []
        if r.actions_without_amount:
            notes.append(t("money.without_amount", n=n.integer(r.actions_without_amount)))
        if r.stages is None:
            notes.append(t("money.no_stages"))
        return {
            "intro": t("money.intro", basis=self.basis_label()),
            "chart": chart,
            "table": table,
            "notes": notes,
        }

    def _money_desc(self) -> str:
        n = self.n
        sep = " : " if self.lang == "fr" else ": "
        return " ; ".join(
            f"{c.label}{sep}{n.pct(c.share)} / {n.pct(c.share_count)}"
            for c in map(self.report.category, CATEGORIES)
        )

    def breakdowns(self) -> dict[str, Any]:
        t, n = self.t, self.n
        groups = []
        for dim in DIMENSIONS:
            breakdown = self.report.breakdown(dim)
            if breakdown is None or not breakdown.groups:
                continue
            dim_label = t.shared_word("dimensions", dim)
            lower = dim_label[:1].lower() + dim_label[1:]
            rows = []
            for g in breakdown.groups:
                cats = g.by_category
                segs = [charts.Segment(c, cats[c].amount, "") for c in CATEGORIES]
                cat_cells = [
                    cell(
                        n.money(cats[c].amount) if cats[c].count else "–",
                        "num",
                        sub=self.n_actions(cats[c].count) if cats[c].count else "",
                    )
                    for c in CATEGORIES
                ]
                rows.append(
                    row(
                        cell(g.label),
                        [
                            cell(n.integer(g.count), "num"),
                            cell(n.money(g.amount), "num"),
                            cell(n.pct(g.share, 1), "num"),
                            *cat_cells,
                            cell(n.pct(g.equality_share, 0), "num"),
                            cell("", "bar", svg=charts.mini_bar(segs) if g.amount > 0 else None),
                        ],
                        cls="others" if g.others else "",
                    )
                )
            columns = [
                column(dim_label),
                column(t("breakdowns.count"), num=True),
                column(t("breakdowns.amount"), num=True),
                column(t("breakdowns.share"), num=True),
                *[
                    column(t.category(c, short=True), num=True, swatch=charts.swatch(c, 11))
                    for c in CATEGORIES
                ],
                column(t("breakdowns.equality_share"), num=True),
                column(t("breakdowns.split"), cls="bar"),
            ]
            table = self.tables.make(
                "breakdowns",
                t("breakdowns.caption", dim=lower),
                columns,
                rows,
                cls="breakdown",
                table_id=f"t-by-{dim}",
            )
            groups.append(
                {
                    "id": f"by-{dim}",
                    "title": t("breakdowns.by", dim=lower),
                    "table": table,
                    "note": breakdown.note,
                }
            )
        legend = [{"label": t.category(c), "swatch": charts.swatch(c)} for c in CATEGORIES]
        return {
            "intro": t("breakdowns.intro"),
            "groups": groups,
            "legend": legend,
            "empty": t("breakdowns.none") if not groups else "",
        }

    def stages(self) -> dict[str, Any] | None:
        st = self.report.stages
        if st is None:
            return None
        t, n = self.t, self.n
        present = list(st.stages)
        names = st.stage_labels
        rows = [
            row(
                self.cat_cell(e.category),
                [
                    cell(n.integer(e.count), "num"),
                    *[cell(n.money(e.amounts.get(s)), "num") for s in present],
                    cell(n.pct(e.rate_kept, 1), "num"),
                ],
                category=e.category,
            )
            for e in st.rows
        ]
        columns = [
            column(t("money.category")),
            column(t("money.actions"), num=True),
            *[column(names[s][:1].upper() + names[s][1:], num=True) for s in present],
            column(t("stages.rate_kept"), num=True),
        ]
        table = self.tables.make("stages", t("stages.caption"), columns, rows)
        first, last = present[0], present[-1]
        pairs = [
            charts.Pair(
                key=e.category,
                label=self.t.category(e.category, short=True),
                first=float(e.amounts.get(first) or 0),
                last=float(e.amounts.get(last) or 0),
                first_text=n.money(e.amounts.get(first)),
                last_text=n.money(e.amounts.get(last)),
                note=t("stages.kept_label", rate=n.pct(e.rate_kept)),
            )
            for e in st.rows
        ]
        chart = charts.paired_bars(
            pairs,
            chart_id=self.chart_id("stages"),
            title=t("stages.chart_title", first=names[first], last=names[last]),
            desc=t("stages.chart_desc", first=names[first], last=names[last]),
            first_label=names[first],
            last_label=names[last],
        )
        gap = st.equality_gap
        verdict = t(f"stages.gap_{st.verdict}") if st.verdict else ""
        facts = [
            {"label": t("stages.equality_rate"), "value": n.pct(st.equality_rate_kept, 1)},
            {"label": t("stages.other_rate"), "value": n.pct(st.not_integrated_rate_kept, 1)},
            {
                "label": t("stages.gap"),
                "value": t("stages.points", value=n.points(gap)) if gap is not None else t("page.na"),
            },
        ]
        return {
            "intro": t("stages.intro"),
            "chart": chart,
            "table": table,
            "facts": facts,
            "verdict": verdict,
        }

    def beneficiaries(self) -> dict[str, Any]:
        t, n = self.t, self.n
        b = self.report.beneficiaries
        section = self.report.method_section("beneficiaries")
        method = section.text if section is not None else ""
        out: dict[str, Any] = {
            "available": b.available,
            "warning": method,
            "tiles": [],
            "chart": None,
            "tables": [],
            "notes": [],
        }
        if not b.available:
            out["notes"].append(t("beneficiaries.unavailable"))
            return out
        total_actions = self.report.actions
        out["tiles"] = [
            {
                "label": t("beneficiaries.women_share"),
                "value": n.pct(b.women_share),
                "sub": t("beneficiaries.women_share_sub", women=n.integer(b.women), men=n.integer(b.men)),
            },
            {
                "label": t("beneficiaries.per_woman"),
                "value": n.money(b.euros_per_woman),
                "sub": t("beneficiaries.per_sub"),
            },
            {
                "label": t("beneficiaries.per_man"),
                "value": n.money(b.euros_per_man),
                "sub": t("beneficiaries.per_sub"),
            },
            {
                "label": t("beneficiaries.coverage"),
                "value": n.pct(b.share_actions),
                "sub": t(
                    "beneficiaries.coverage_sub",
                    n=n.integer(b.actions_with_counts),
                    total=n.integer(total_actions),
                    share_amount=n.pct(b.share_amount),
                ),
            },
        ]
        if not b.actions_with_counts:
            out["notes"].append(t("beneficiaries.none_counted"))
            return out
        ws = b.women_share or 0.0
        out["chart"] = charts.stacked_bars(
            [
                charts.Bar(
                    t("beneficiaries.women") + " / " + t("beneficiaries.men"),
                    [
                        charts.Segment("women", ws, f"{t('beneficiaries.women')} {n.pct(ws)}"),
                        charts.Segment("men", 1 - ws, f"{t('beneficiaries.men')} {n.pct(1 - ws)}"),
                    ],
                )
            ],
            chart_id=self.chart_id("beneficiaries"),
            title=t("beneficiaries.chart_title"),
            desc=t("beneficiaries.chart_desc") + f" {t('beneficiaries.women')} {n.pct(ws)}, "
            f"{t('beneficiaries.men')} {n.pct(1 - ws)}.",
            label_width=0,
        )
        if b.sport_actions:
            out["notes"].append(
                t("beneficiaries.sport", share=n.pct(b.sport_women_share), n=n.integer(b.sport_actions))
            )
        for dim, key_label, caption, heading in (
            (
                "by_pillar",
                "beneficiaries.key_pillar",
                "beneficiaries.caption_pillar",
                "beneficiaries.by_pillar",
            ),
            ("by_theme", "beneficiaries.key_theme", "beneficiaries.caption_theme", "beneficiaries.by_theme"),
        ):
            entries = b.by_pillar if dim == "by_pillar" else b.by_theme
            if not entries:
                continue
            rows = [
                row(
                    cell(e.label),
                    [
                        cell(n.integer(e.actions), "num"),
                        cell(n.integer(e.women), "num"),
                        cell(n.integer(e.men), "num"),
                        cell(n.pct(e.women_share, 0), "num"),
                        cell(
                            "",
                            "bar",
                            svg=charts.mini_bar(
                                [charts.Segment("women", float(e.women)), charts.Segment("men", float(e.men))]
                            )
                            if (e.women + e.men)
                            else None,
                        ),
                    ],
                )
                for e in entries
            ]
            out["tables"].append(
                self.tables.make(
                    "beneficiaries",
                    t(caption),
                    [
                        column(t(key_label)),
                        column(t("beneficiaries.actions"), num=True),
                        column(t("beneficiaries.women"), num=True),
                        column(t("beneficiaries.men"), num=True),
                        column(t("beneficiaries.women_share"), num=True),
                        column(t("breakdowns.split"), cls="bar"),
                    ],
                    rows,
                    table_id=f"t-beneficiaries-{dim.removeprefix('by_')}",
                )
            )
            out["tables"][-1]["heading"] = t(heading)
        return out

    def web_section(self) -> dict[str, Any]:
        t, n, web = self.t, self.n, self.report.web
        rows = [
            row(
                cell(e.label),
                [
                    cell(e.sphere_label),
                    cell(
                        e.score_label,
                        "score",
                        value=e.score if e.score is not None else -1,
                        level=e.level if e.level in ("0", "1", "2", "3") else "unknown",
                    ),
                    cell(e.source_label),
                    cell(n.integer(e.actions), "num"),
                    cell(n.money(e.amount), "num"),
                    cell(e.explanation),
                ],
            )
            for e in web.elements
        ]
        table = self.tables.make(
            "web",
            t("web.caption"),
            [
                column(t("web.element")),
                column(t("web.sphere")),
                column(t("web.score")),
                column(t("web.source")),
                column(t("web.actions"), num=True),
                column(t("web.amount"), num=True),
                column(t("web.explanation")),
            ],
            rows,
            cls="web",
            table_id="t-web-elements",
        )
        svg = checked_svg(web.svg) if _DRAWING.search(web.svg) else None
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", web.text) if p.strip()]
        return {
            "intro": t("web.intro"),
            "svg": svg,
            "svg_rejected": svg is None and bool(_DRAWING.search(web.svg)),
            "text": paragraphs,
            "table": table,
            "weak": list(web.weak),
            "broken": list(web.broken),
            "all_unknown": t("web.all_unknown") if web.all_unknown else "",
            "caveat": t("web.caveat", caveat=self.caveat()) if self.caveat() else "",
        }

    def data_quality(self) -> dict[str, Any]:
        t, n = self.t, self.n
        q = self.report.quality
        indicators = [
            ("unparsed_values", n.integer(q.unparsed_values)),
            ("placeholders", n.integer(q.placeholders)),
            ("missing_beneficiaries", n.integer(q.missing_beneficiaries)),
            ("inconsistent_beneficiaries", n.integer(q.inconsistent_beneficiaries)),
            ("total_mismatches", n.integer(q.total_mismatches)),
            ("declaration_mismatches", n.integer(q.declaration_mismatches)),
            (
                "declaration_overstated",
                t(
                    "quality.overstated_value",
                    n=n.integer(q.declaration_overstated),
                    share=n.pct(q.declaration_overstated_share),
                )
                if q.declaration_overstated_share is not None
                else n.integer(q.declaration_overstated),
            ),
            ("to_review", n.integer(q.to_review)),
            ("no_amount", n.integer(q.no_amount)),
        ]
        summary = self.tables.make(
            "quality",
            t("quality.summary_caption"),
            [column(t("quality.indicator")), column(t("quality.value"), num=True)],
            [row(cell(t(f"quality.{k}")), [cell(v, "num")]) for k, v in indicators],
            table_id="t-quality-summary",
        )
        # Issues grouped by code (warnings first): severity, count, first examples.
        rows = [
            row(
                cell(g.code, "code"),
                [
                    cell(
                        g.severity_label,
                        "severity",
                        level=g.severity if g.severity in SEVERITY_ORDER else "info",
                    ),
                    cell(n.integer(g.count), "num"),
                    cell("", "list", items=list(g.examples)),
                ],
            )
            for g in q.groups
        ]
        issues = self.tables.make(
            "quality",
            t("quality.issues_caption"),
            [
                column(t("quality.code")),
                column(t("quality.severity")),
                column(t("quality.count"), num=True),
                column(t("quality.examples")),
            ],
            rows,
            table_id="t-quality-issues",
        )
        unmapped_rows = [row(None, [cell(file), cell(col)]) for file, col in q.unmapped]
        unmapped = (
            self.tables.make(
                "quality",
                t("quality.unmapped_caption"),
                [column(t("quality.file")), column(t("quality.column"))],
                unmapped_rows,
                table_id="t-quality-unmapped",
            )
            if unmapped_rows
            else None
        )
        return {
            "intro": t("quality.intro"),
            "summary": summary,
            "issues": issues if rows else None,
            "unmapped": unmapped,
            "mismatches": self._mismatch_table(),
            "review": self._review_table(),
        }

    def _frame(self) -> pl.DataFrame:
        frame = self.report.action_rows
        if frame.height == 0:
            return frame
        return frame.sort([AMOUNT, "_file", "_row"], descending=[True, False, False], nulls_last=True)

    def _list_note(self, shown: int, total: int) -> str:
        return (
            self.t("quality.capped", shown=self.n.integer(shown), total=self.n.integer(total))
            if total > shown
            else ""
        )

    def _mismatch_table(self) -> dict[str, Any] | None:
        frame = self._frame()
        if "declaration_mismatch" not in frame.columns:
            return None
        sub = frame.filter(pl.col("declaration_mismatch").fill_null(False))
        if sub.height == 0:
            return None
        t, n = self.t, self.n
        rows = [
            row(
                cell(self.row_ref(r.get("_file"), r.get("_row")), "num"),
                [
                    cell(self._title(r), sub=str(r.get("carrier") or "")),
                    self.cat_cell(r.get("declared_category")),
                    self.cat_cell(r.get("category")),
                    cell(n.money(r.get(AMOUNT)), "num"),
                ],
            )
            for r in sub.head(CAP_LIST).iter_rows(named=True)
        ]
        return self.tables.make(
            "quality",
            t("quality.mismatch_caption"),
            [
                column(t("actions.row")),
                column(t("actions.action")),
                column(t("actions.declared")),
                column(t("actions.category")),
                column(t("actions.amount"), num=True),
            ],
            rows,
            note=self._list_note(min(sub.height, CAP_LIST), sub.height),
            table_id="t-quality-mismatches",
        )

    def _review_table(self) -> dict[str, Any] | None:
        frame = self._frame()
        if frame.height == 0:
            return None
        sub = frame.filter(pl.col("category") == "to_review")
        if sub.height == 0:
            return None
        t, n = self.t, self.n
        rows = [
            row(
                cell(self.row_ref(r.get("_file"), r.get("_row")), "num"),
                [
                    cell(self._title(r), sub=str(r.get("carrier") or "")),
                    cell(n.money(r.get(AMOUNT)), "num"),
                    cell(t("actions.no_reason"), "reasons", items=self._reasons(r.get("reasons"))),
                ],
            )
            for r in sub.head(CAP_LIST).iter_rows(named=True)
        ]
        return self.tables.make(
            "quality",
            t("quality.review_caption"),
            [
                column(t("actions.row")),
                column(t("actions.action")),
                column(t("actions.amount"), num=True),
                column(t("actions.reasons")),
            ],
            rows,
            note=self._list_note(min(sub.height, CAP_LIST), sub.height),
            table_id="t-quality-review",
        )

    def reconciliation(self) -> dict[str, Any]:
        t, n = self.t, self.n
        rec = self.report.reconciliation
        tables = []
        for f in rec.files:
            rows = [
                row(
                    cell(t("reconciliation.actions")),
                    [cell(n.integer(f.actions), "num"), cell(n.money(f.actions_amount), "num")],
                )
            ]
            for ex in f.excluded:
                rows.append(
                    row(
                        cell(t("reconciliation.excluded", reason=ex.label)),
                        [cell(n.integer(ex.rows), "num"), cell(n.money(ex.amount), "num")],
                    )
                )
            foot = [
                row(
                    cell(t("reconciliation.input")),
                    [cell(n.integer(f.rows), "num"), cell(n.money(f.input_amount), "num")],
                    cls="total",
                )
            ]
            table = self.tables.make(
                "reconciliation",
                t("reconciliation.caption", file=f.file),
                [
                    column(t("reconciliation.line")),
                    column(t("reconciliation.rows"), num=True),
                    column(t("reconciliation.amount"), num=True),
                ],
                rows,
                foot=foot,
            )
            tables.append(
                {
                    "table": table,
                    "balanced": f.balanced,
                    "status": t("reconciliation.balanced") if f.balanced else t("reconciliation.unbalanced"),
                    "status_short": t("reconciliation.status_ok")
                    if f.balanced
                    else t("reconciliation.status_ko"),
                }
            )
        return {
            "intro": t("reconciliation.intro"),
            "files": tables,
            "balanced": rec.balanced,
            "overall": t("reconciliation.all_balanced")
            if rec.balanced
            else t("reconciliation.some_unbalanced"),
        }

    def method(self) -> dict[str, Any]:
        t, n = self.t, self.n
        meta = self.report.meta
        versions = [
            ("method.bie_version", meta.bie_version),
            ("method.rules_version", meta.rules_version),
            ("method.web_version", meta.web_version),
            ("method.vocabulary_version", meta.vocabulary_version),
            ("method.generated_at", f"{n.date(meta.generated_at, t)} ({meta.generated_at})"),
            ("method.basis", self.basis_label()),
        ]
        if meta.funder:
            versions.append(("method.funder", meta.funder))
        vt = self.tables.make(
            "method",
            t("method.versions_caption"),
            [column(t("method.item")), column(t("method.value"))],
            [row(cell(t(k)), [cell(v)]) for k, v in versions],
            table_id="t-method-versions",
        )
        inputs = [
            row(
                cell(i.name, sha=i.sha256),
                [
                    cell(i.format),
                    cell(i.sheet or ""),
                    cell(", ".join(n.integer(r) for r in i.header_rows), "num"),
                    cell(n.integer(i.rows), "num"),
                    cell(n.integer(i.actions), "num"),
                    cell(i.basis_label),
                    cell(i.encoding or ""),
                ],
            )
            for i in meta.inputs
        ]
        it = self.tables.make(
            "method",
            t("method.inputs_caption"),
            [
                column(t("method.file")),
                column(t("method.format")),
                column(t("method.sheet")),
                column(t("method.header_rows"), num=True),
                column(t("method.rows"), num=True),
                column(t("method.actions"), num=True),
                column(t("method.basis")),
                column(t("method.encoding")),
            ],
            inputs,
            table_id="t-method-inputs",
        )
        sections = [
            {"id": f"method-{m.id}", "title": m.title, "text": m.text, "limits": m.id == "limits"}
            for m in self.report.method
        ]
        return {
            "versions": vt,
            "inputs": it,
            "sections": sections,
            "sources": list(self.report.method_sources),
        }

    def _title(self, r: Mapping[str, Any]) -> str:
        """The action's label: its title, else the start of the text that was judged (objectives, then
        description), else « (sans intitulé) »."""
        return action_label(r, self.t("actions.untitled"))

    def _reasons(self, reasons: Any) -> list[dict[str, str]]:
        """An action's reasons for the template: rule id and « rule title — field : « words » »."""
        return [
            {"rule": rule, "text": text}
            for rule, text in reason_texts(reasons, self.lang, self.report.rule_titles)
        ]

    def actions(self) -> dict[str, Any]:
        t, n = self.t, self.n
        frame = self._frame()
        total = frame.height
        shown = frame.head(CAP_ACTIONS)
        labels = self.report.web.labels
        files = {i.name: k for k, i in enumerate(self.report.meta.inputs)}
        overrides = "override" in frame.columns and frame.get_column("override").null_count() < frame.height
        rows = []
        for r in shown.iter_rows(named=True):
            cat = r.get("category")
            mismatch = bool(r.get("declaration_mismatch"))
            order = files.get(str(r.get("_file")), 0) * 10_000_000 + int(r.get("_row") or 0)
            elements = [labels.get(str(e), str(e)) for e in (r.get("web_elements") or [])]
            amount = r.get(AMOUNT)
            rows.append(
                row(
                    cell(self.row_ref(r.get("_file"), r.get("_row")), "num", value=order),
                    [
                        cell(
                            self._title(r),
                            sub=" · ".join(str(x) for x in (r.get("carrier"), r.get("action_id")) if x),
                        ),
                        self.cat_cell(cat, short=True),
                        cell(n.money(amount), "num", value=amount if amount is not None else ""),
                        cell(
                            t("actions.no_reason"),
                            "reasons",
                            items=self._reasons(r.get("reasons")),
                            why=review_why(r, self.lang),
                        ),
                        cell("", "list", items=elements),
                        self.cat_cell(r.get("declared_category"), short=True),
                        cell(
                            t("actions.mismatch_yes") if mismatch else "", "flag", value=1 if mismatch else 0
                        ),
                        *([cell(str(r.get("override") or ""))] if overrides else []),
                    ],
                    category=cat,
                )
            )
        columns = [
            column(t("actions.row"), num=True, sort="number"),
            column(t("actions.action"), sort="text", cls="wide"),
            column(t("actions.category"), sort="text"),
            column(t("actions.amount"), num=True, sort="number", sorted_="descending"),
            column(t("actions.reasons"), sort="text", cls="wide"),
            column(t("actions.web"), sort="text"),
            column(t("actions.declared"), sort="text"),
            column(t("actions.mismatch"), sort="number"),
            *([column(t("actions.override"), sort="text")] if overrides else []),
        ]
        capped = total > CAP_ACTIONS
        caption = (
            t("actions.caption_capped", shown=n.integer(CAP_ACTIONS), total=n.integer(total))
            if capped
            else t("actions.caption")
        )
        table = self.tables.make("actions", caption, columns, rows, cls="actions", table_id="actions-table")
        options = [{"value": c, "label": t.category(c)} for c in CATEGORIES]
        return {
            "intro": t("actions.intro"),
            "table": table,
            "options": options,
            "total": len(rows),
            "capped": t("actions.capped", shown=n.integer(CAP_ACTIONS), total=n.integer(total))
            if capped
            else "",
            "no_override": "" if overrides else t("actions.no_override"),
            "status": t("actions.status", shown="{shown}", total="{total}"),
            "status_initial": t("actions.status", shown=n.integer(len(rows)), total=n.integer(len(rows))),
        }

    def method_links(self) -> dict[str, dict[str, str]]:
        sep = " : " if self.lang == "fr" else ": "
        return {
            m.id: {"id": f"method-{m.id}", "label": f"{self.t('page.method_link')}{sep}{m.title}"}
            for m in self.report.method
        }

    # ------------------------------------------------------------------ context
    def context(self, script: str) -> dict[str, Any]:
        meta = self.report.meta
        t = self.t
        stages = self.stages()
        toc = [{"id": s, "label": t(f"sections.{s}")} for s in SECTIONS if s != "stages" or stages]
        names = ", ".join(i.name for i in meta.inputs)
        return {
            "lang": self.lang,
            "t": t,
            "csp": content_security_policy(script),
            "title": self.title_of(),
            "generated": t(
                "page.generated", date=self.n.date(meta.generated_at, t), version=meta.bie_version
            ),
            "generated_at": meta.generated_at,
            "versions": t(
                "page.versions",
                rules=meta.rules_version,
                web=meta.web_version,
                vocabulary=meta.vocabulary_version,
            ),
            "files": t("page.files", names=names),
            "funder": t("page.funder_filter", funder=meta.funder) if meta.funder else "",
            "toc": toc,
            "patterns": charts.pattern_defs(),
            "legend": [{"label": t.category(c), "swatch": charts.swatch(c)} for c in CATEGORIES],
            "key": self.key_figures(),
            "findings": self.findings(),
            "money": self.money(),
            "breakdowns": self.breakdowns(),
            "stages": stages,
            "beneficiaries": self.beneficiaries(),
            "web": self.web_section(),
            "quality": self.data_quality(),
            "reconciliation": self.reconciliation(),
            "method": self.method(),
            "actions": self.actions(),
            "method_links": self.method_links(),
            "version": meta.bie_version,
        }


def render_html(
    source: AuditReport | HasReport, lang: str | None = None, *, templates: str | Path | None = None
) -> str:
    """The report as one self-contained HTML page: ``source`` is a report model, or an audit whose model in
    ``lang`` (``fr`` or ``en``; the audit's own language when None) is laid out."""
    report = report_of(source, None if lang is None else check_lang(lang))
    env = environment(str(templates) if templates else None)
    script = script_source(env)
    page = _Page(report)
    html = env.get_template(TEMPLATE).render(page.context(script))
    return html if html.endswith("\n") else html + "\n"
