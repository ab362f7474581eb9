"""The HTML page of a consolidation: many contrats de ville in one self-contained, printable page, laid out
from a :class:`bie.consolidate.Consolidation` (it recomputes nothing; every figure comes from the model).

    html = render_consolidation_html(bie.consolidate(["contrats/"], by="grantor"), "en")

Sections: the title (grouping, amount basis, the files lacking it), the totals, the ranking table (EU-weighted
share as a bar, share « à examiner » with its caution mark, beneficiary coverage, declaration gap, money,
actions), small multiples of the web (one 13-cell strip per group: each cell its level, written and coloured;
capped at :data:`CAP_WEB` groups with a note), one collapsible section of figures per group (capped at
:data:`CAP_GROUPS`), and the reconciliation (each file's, and their sum basis by basis).

It shares the audit report's machinery (:mod:`bie.report.html`): the Jinja2 environment (autoescape
everywhere, undefined names raise), the table helpers and macros, the stylesheet, the patterns and swatches
of :mod:`bie.report.charts`, and the Content-Security-Policy (the page has no script: the only script hash
allowed is that of the empty script). Data (file names, grantors, quartiers) reaches the template as plain
``str``; the only Markup inserted as is is SVG built by :mod:`bie.report.charts`'s escaping builders.
Words: ``labels_consolidate.yaml`` and the category, basis and score words of ``labels.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from bie.consolidate import Consolidation, Figures, Group
from bie.i18n import Numbers, check_lang
from bie.report import charts
from bie.report.html import Words as BaseWords
from bie.report.html import _Tables, cell, column, content_security_policy, environment, row
from bie.report.model import CATEGORY_ORDER, basis_label
from bie.resources import load_data
from bie.workshop.readout import _bar as level_bar

__all__ = ["CAP_GROUPS", "CAP_LACKING", "CAP_WEB", "Words", "render_consolidation_html", "web_strip"]

TEMPLATE = "consolidate.html.j2"
#: Small multiples of the web drawn (the first groups of the ranking); the workbook and JSON have them all.
CAP_WEB = 60
#: Groups given their own collapsible section of figures.
CAP_GROUPS = 100
#: Files lacking the basis named in the page's header (all are in the reconciliation table).
CAP_LACKING = 12
SECTIONS = ("totals", "ranking", "web", "groups", "reconciliation")

#: Level colours of the web strips (light to dark blue; the level is also written in each cell).
LEVEL_FILL = {"0": "#ffffff", "1": "#deebf7", "2": "#6baed6", "3": "#08519c", "unknown": "#eeeeee"}
LEVEL_INK = {"0": "#1a1a1a", "1": "#1a1a1a", "2": "#000000", "3": "#ffffff", "unknown": "#555555"}
CELL, STEP, SPHERE_GAP = 18.0, 20.0, 6.0


class Words(BaseWords):
    """The page's words in one language: ``labels_consolidate.yaml`` and the shared ``labels.yaml``."""

    def __init__(self, lang: str) -> None:
        super().__init__(lang, "labels_consolidate.yaml")

    def score(self, score: int | None) -> str:
        return self.shared_word("scores", "unknown" if score is None else str(score))


def _level(score: int | None) -> str:
    return "unknown" if score is None else str(score)


def web_strip(
    scores: Sequence[int | None], spheres: Sequence[str], title: str, desc: str, *, numbers: bool = True
) -> Markup:
    """One group's web as a strip of cells (one per element, in model order, a gap between spheres): each
    cell filled with its level's colour and its level written in it (``?`` unknown), the element's number
    under it. Built with the escaping builders of :mod:`bie.report.charts`."""
    body: list[Markup] = [
        charts._el("title", {}, charts._text(title)),
        charts._el("desc", {}, charts._text(desc)),
    ]
    x = 0.5
    previous: str | None = None
    for i, (score, sphere) in enumerate(zip(scores, spheres, strict=True)):
        if previous is not None and sphere != previous:
            x += SPHERE_GAP
        previous = sphere
        level = _level(score)
        body.append(
            charts._el(
                "rect",
                {
                    "x": x,
                    "y": 0.5,
                    "width": CELL,
                    "height": CELL,
                    "rx": 2,
                    "fill": LEVEL_FILL[level],
                    "stroke": "#6b7280" if level == "unknown" else charts.INK,
                    "stroke-width": 1,
                    "stroke-dasharray": "2 2" if level == "unknown" else None,
                },
            )
        )
        body.append(
            charts._el(
                "text",
                {
                    "x": x + CELL / 2,
                    "y": 0.5 + CELL / 2 + 4.5,
                    "text-anchor": "middle",
                    "font-size": 12,
                    "font-weight": 700 if level == "3" else None,
                    "fill": LEVEL_INK[level],
                },
                charts._text("?" if score is None else str(score)),
            )
        )
        if numbers:
            body.append(
                charts._el(
                    "text",
                    {
                        "x": x + CELL / 2,
                        "y": CELL + 11,
                        "text-anchor": "middle",
                        "font-size": 8,
                        "fill": "#555555",
                    },
                    charts._text(str(i + 1)),
                )
            )
        x += STEP
    width = x + 0.5
    height = CELL + (13 if numbers else 1)
    return charts._el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "strip",
            "width": charts._num(width),
            "height": charts._num(height),
            "viewBox": f"0 0 {charts._num(width)} {charts._num(height)}",
            "role": "img",
            "focusable": "false",
        },
        *body,
    )


class _Page:
    """Builds the template context of one consolidation (in its language)."""

    def __init__(self, c: Consolidation, lang: str) -> None:
        self.c = c
        self.lang = lang
        self.t = Words(lang)
        self.n = Numbers(lang, self.t("html.na"))
        self.tables = _Tables(self.t("html.scroll_hint"))
        self.elements = [(e[0], e[1], e[2] if lang == "fr" else e[3]) for e in c.web_elements]

    # ------------------------------------------------------------------ helpers
    def basis(self, basis: str) -> str:
        return basis_label(basis, self.lang, self.c.funder)

    def label(self, g: Group) -> str:
        return g.label(self.lang)

    def pct(self, share: float | None) -> dict[str, Any]:
        return cell(self.n.pct(share, 1), "num", value=-1 if share is None else round(share, 6))

    # ------------------------------------------------------------------ sections
    def header(self) -> dict[str, Any]:
        c, t, n = self.c, self.t, self.n
        basis = t("words.basis_given" if c.basis_given else "words.basis_common", basis=self.basis(c.basis))
        lacking = [
            t("words.lacking_item", file=x.file, basis=self.basis(x.basis), n=n.integer(x.actions))
            for x in c.lacking[:CAP_LACKING]
        ]
        if len(c.lacking) > CAP_LACKING:
            lacking.append(t("words.more", n=n.integer(len(c.lacking) - CAP_LACKING)))
        return {
            "basis": basis,
            "lacking_title": t("words.lacking_title", n=n.integer(len(c.lacking))) if c.lacking else "",
            "lacking": lacking,
            "lacking_none": "" if c.lacking else t("words.lacking_none"),
            "skipped_title": t("words.skipped_title", n=n.integer(len(c.skipped))) if c.skipped else "",
            "skipped": [
                t("words.skipped_item", file=f, why=fr if self.lang == "fr" else en)
                for f, fr, en in c.skipped
            ],
            "duplicates": t(
                "words.duplicates",
                list=", ".join(t("words.same_as", file=f, other=o) for f, o in c.duplicates),
            )
            if c.duplicates
            else "",
        }

    def totals(self) -> dict[str, Any]:
        c, t, n = self.c, self.t, self.n
        f = c.totals
        tiles = [
            {"label": t("html.totals.groups"), "value": n.integer(len(c.groups)), "sub": t(f"by.{c.by}")},
            {"label": t("html.totals.files"), "value": n.integer(len(c.files)), "sub": ""},
            {
                "label": t("html.totals.actions"),
                "value": n.integer(f.actions),
                "sub": t("html.totals.actions_sub", n=n.integer(f.actions_without_amount))
                if f.actions_without_amount
                else "",
            },
            {
                "label": t("html.totals.amount"),
                "value": n.money(f.amount_cents / 100),
                "sub": self.basis(c.basis),
            },
            {
                "label": t("html.totals.weighted"),
                "value": n.pct(f.weighted_share, 1),
                "sub": t(
                    "html.totals.weighted_sub",
                    amount=n.money(f.weighted_cents / 100),
                    share=n.pct(f.weighted_share, 1),
                ),
            },
            {
                "label": t("html.totals.to_review"),
                "value": n.pct(f.to_review_share, 1) + (f" {t('words.caveat_mark')}" if f.judged_low else ""),
                "sub": t(
                    "html.totals.to_review_sub",
                    n=n.integer(f.to_review),
                    amount=n.money(f.to_review_cents / 100),
                ),
            },
            {
                "label": t("html.totals.coverage"),
                "value": n.pct(f.coverage_share, 1),
                "sub": t("html.totals.coverage_sub", n=n.integer(f.actions_with_counts)),
            },
            {
                "label": t("html.totals.gap"),
                "value": n.pct(f.declaration_gap, 1),
                "sub": t(
                    "html.totals.gap_sub",
                    n=n.integer(f.declared_not_integrated),
                    declared=n.integer(f.declared),
                ),
            },
        ]
        rows = []
        for cat in CATEGORY_ORDER:
            m = f.by_category[cat]
            rows.append(
                row(
                    cell(
                        t.shared_word("categories", cat),
                        "cat",
                        cat=cat,
                        swatch=charts.swatch(cat),
                    ),
                    [
                        cell(n.integer(m.count), "num"),
                        cell(n.money(m.cents / 100), "num"),
                        cell(n.pct(m.cents / f.amount_cents if f.amount_cents else None, 1), "num"),
                    ],
                    category=cat,
                )
            )
        foot = [
            row(
                cell(t("html.totals.total")),
                [
                    cell(n.integer(f.actions), "num"),
                    cell(n.money(f.amount_cents / 100), "num"),
                    cell(n.pct(1.0 if f.amount_cents else None, 1), "num"),
                ],
            )
        ]
        table = self.tables.make(
            "totals",
            f"{t('html.totals.caption')} — {self.basis(c.basis)}",
            [
                column(t("html.totals.category")),
                column(t("html.totals.count"), num=True),
                column(t("html.totals.amount_col"), num=True),
                column(t("html.totals.share"), num=True),
            ],
            rows,
            foot=foot,
            cls="compact",
        )
        return {
            "tiles": tiles,
            "table": table,
            "caveat": t("words.caveat_note") if f.judged_low else "",
        }

    def ranking(self) -> dict[str, Any]:
        c, t, n = self.c, self.t, self.n
        rows = []
        for g in c.groups:
            f = g.figures
            subs = []
            if not g.counted and g.basis != c.basis:
                subs.append(t("words.not_counted", basis=self.basis(g.basis)))
            elif not g.counted:
                subs.append(t("words.none_on_basis"))
            elif g.off_basis:
                subs.append(t("words.partly", n=n.integer(len(g.off_basis))))
            if g.shared:
                subs.append(t("words.shared", n=n.integer(g.shared)))
            review = n.pct(f.to_review_share, 1)
            cells = [
                cell(n.integer(g.rank), "num", value=g.rank),
                cell(self.label(g), sub=" · ".join(subs), cls="name"),
            ]
            if c.by != "file":
                cells.append(cell(n.integer(len(g.files)), "num", value=len(g.files)))
            cells += [
                cell(n.integer(f.actions), "num", value=f.actions),
                cell(
                    n.money(f.amount_cents / 100),
                    "num",
                    value=f.amount_cents / 100,
                    cls="" if g.counted else "muted",
                ),
                self.pct(f.weighted_share),
                cell(
                    "",
                    "bar",
                    svg=None
                    if f.weighted_share is None
                    else level_bar(f.weighted_share, "specific", 90.0, 10.0),
                    cls="barcell",
                ),
                cell(
                    f"{review} {t('words.caveat_mark')}" if f.judged_low else review,
                    "num",
                    value=-1 if f.to_review_share is None else round(f.to_review_share, 6),
                    cls="caution" if f.judged_low else "",
                ),
                self.pct(f.coverage_share),
                self.pct(f.declaration_gap),
            ]
            rows.append(row(None, cells, cls="off-basis" if not g.counted else ""))
        columns = [column(t("html.ranking.rank"), num=True), column(t(f"group_word.{c.by}"))]
        if c.by != "file":
            columns.append(column(t("html.ranking.files"), num=True))
        columns += [
            column(t("html.ranking.actions"), num=True),
            column(t("html.ranking.amount"), num=True),
            column(t("html.ranking.weighted"), num=True),
            column(t("html.ranking.weighted_bar"), cls="barcol"),
            column(t("html.ranking.to_review"), num=True),
            column(t("html.ranking.coverage"), num=True),
            column(t("html.ranking.gap"), num=True),
        ]
        table = self.tables.make(
            "ranking",
            t("html.ranking.caption", by=t(f"by.{c.by}")),
            columns,
            rows,
            cls="ranking",
            table_id="t-ranking",
        )
        return {
            "table": table,
            "caveat": t("words.caveat_note") if any(g.figures.judged_low for g in c.groups) else "",
        }

    def web(self) -> dict[str, Any]:
        c, t, n = self.c, self.t, self.n
        spheres = [e[1] for e in self.elements]
        cards = []
        for g in c.groups[:CAP_WEB]:
            scores = [e.score for e in g.web]
            desc = t(
                "html.web.desc",
                group=self.label(g),
                scores=", ".join(
                    t("html.web.score_item", element=label, score=t.score(s))
                    for (_, _, label), s in zip(self.elements, scores, strict=True)
                ),
            )
            cards.append(
                {
                    "title": f"{g.rank}. {self.label(g)}",
                    "svg": web_strip(scores, spheres, self.label(g), desc),
                    "low": t("html.web.low") if g.web_coverage_low else "",
                }
            )
        sphere_names = {str(s["id"]): str(s[f"label_{self.lang}"]) for s in load_data("web.yaml")["spheres"]}
        key: list[dict[str, Any]] = []
        for i, (_, sphere, label) in enumerate(self.elements):
            if not key or key[-1]["id"] != sphere:
                key.append({"id": sphere, "label": sphere_names.get(sphere, sphere), "items": []})
            key[-1]["items"].append({"n": i + 1, "label": label})
        levels = [
            {
                "svg": web_strip([s], ["x"], t.score(s), t.score(s), numbers=False),
                "label": t.score(s),
            }
            for s in (0, 1, 2, 3, None)
        ]
        rows = [
            row(
                cell(f"{g.rank}. {self.label(g)}"),
                [
                    cell(
                        "?" if e.score is None else str(e.score),
                        "score",
                        level=_level(e.score),
                        value=-1 if e.score is None else e.score,
                    )
                    for e in g.web
                ],
            )
            for g in c.groups[:CAP_WEB]
        ]
        table = self.tables.make(
            "web",
            t("html.web.table_caption"),
            [column(t("html.web.group"))] + [column(str(i + 1), num=True) for i in range(len(self.elements))],
            rows,
            cls="web-matrix",
        )
        return {
            "cards": cards,
            "key": key,
            "levels": levels,
            "table": table,
            "cap": t("html.web.cap", shown=n.integer(CAP_WEB), total=n.integer(len(c.groups)))
            if len(c.groups) > CAP_WEB
            else "",
        }

    def figures_rows(self, f: Figures) -> list[dict[str, Any]]:
        t, n = self.t, self.n

        def line(key: str, value: str) -> dict[str, Any]:
            return row(cell(t(f"figures.{key}")), [cell(value, "num")])

        out = [
            line("actions", n.integer(f.actions)),
            line("without_amount", n.integer(f.actions_without_amount)),
            line("amount", n.money(f.amount_cents / 100)),
        ]
        for cat in CATEGORY_ORDER:
            m = f.by_category[cat]
            label = t.shared_word("categories", cat)
            out.append(
                row(
                    cell(label, "cat", cat=cat, swatch=charts.swatch(cat)),
                    [cell(f"{n.integer(m.count)} · {n.money(m.cents / 100)}", "num")],
                    category=cat,
                )
            )
        out += [
            line("weighted", n.money(f.weighted_cents / 100)),
            line("weighted_share", n.pct(f.weighted_share, 1)),
            line("equality_share", n.pct(f.equality_share, 1)),
            line("to_review_share", n.pct(f.to_review_share, 1)),
            line("to_review_amount_share", n.pct(f.to_review_amount_share, 1)),
            line("coverage", n.integer(f.actions_with_counts)),
            line("coverage_share", n.pct(f.coverage_share, 1)),
            line("declared", n.integer(f.declared)),
            line("declared_not", n.integer(f.declared_not_integrated)),
            line("gap", n.pct(f.declaration_gap, 1)),
        ]
        if f.judged_low:
            out.append(row(cell(t("figures.caution")), [cell(t("words.yes_word"), "num", cls="caution")]))
        return out

    def groups(self) -> dict[str, Any]:
        c, t, n = self.c, self.t, self.n
        items = []
        for g in c.groups[:CAP_GROUPS]:
            f = g.figures
            items.append(
                {
                    "id": f"group-{g.rank}",
                    "summary": t(
                        "html.groups.summary",
                        rank=n.integer(g.rank),
                        group=self.label(g),
                        actions=n.integer(f.actions),
                        amount=n.money(f.amount_cents / 100),
                    ),
                    "caution": t("words.caveat_mark") if f.judged_low else "",
                    "basis": self.basis(g.basis),
                    "files": list(g.files),
                    "off_basis": list(g.off_basis),
                    "table": self.tables.make(
                        "group",
                        t("html.groups.caption", group=self.label(g)),
                        [column(t("html.groups.figure")), column(t("html.groups.value"), num=True)],
                        self.figures_rows(f),
                        cls="compact figures",
                    ),
                }
            )
        return {
            "items": items,
            "cap": t("html.groups.cap", shown=n.integer(CAP_GROUPS), total=n.integer(len(c.groups)))
            if len(c.groups) > CAP_GROUPS
            else "",
        }

    def reconciliation(self) -> dict[str, Any]:
        t, n, rec = self.t, self.n, self.c.reconciliation

        def money(cents: int) -> dict[str, Any]:
            return cell(n.money(cents / 100), "num", value=cents / 100)

        files = self.tables.make(
            "reconciliation",
            t("html.reconciliation.files_caption"),
            [
                column(t("html.reconciliation.file")),
                column(t("html.reconciliation.basis")),
                column(t("html.reconciliation.rows"), num=True),
                column(t("html.reconciliation.actions"), num=True),
                column(t("html.reconciliation.input"), num=True),
                column(t("html.reconciliation.actions_amount"), num=True),
                column(t("html.reconciliation.excluded"), num=True),
                column(t("html.reconciliation.balanced_col")),
            ],
            [
                row(
                    cell(f.file),
                    [
                        cell(self.basis(f.basis)),
                        cell(n.integer(f.rows), "num"),
                        cell(n.integer(f.actions), "num"),
                        money(f.input_cents),
                        money(f.actions_cents),
                        money(f.excluded_cents),
                        cell(
                            t("words.yes_word" if f.balanced else "words.no_word"),
                            cls="" if f.balanced else "caution",
                        ),
                    ],
                )
                for f in rec.files
            ],
            foot=[
                row(
                    cell(t("html.reconciliation.total")),
                    [
                        cell(""),
                        cell(n.integer(rec.rows), "num"),
                        cell(n.integer(rec.actions), "num"),
                        cell(""),
                        cell(""),
                        cell(""),
                        cell(t("words.yes_word" if rec.balanced else "words.no_word")),
                    ],
                )
            ],
            cls="reconciliation",
        )
        bases = self.tables.make(
            "reconciliation",
            t("html.reconciliation.basis_caption"),
            [
                column(t("html.reconciliation.basis")),
                column(t("html.reconciliation.files"), num=True),
                column(t("html.reconciliation.input"), num=True),
                column(t("html.reconciliation.actions_amount"), num=True),
                column(t("html.reconciliation.excluded"), num=True),
            ],
            [
                row(
                    cell(self.basis(b)),
                    [
                        cell(n.integer(m.files), "num"),
                        money(m.input_cents),
                        money(m.actions_cents),
                        money(m.excluded_cents),
                    ],
                )
                for b, m in rec.by_basis.items()
            ],
            cls="compact",
        )
        return {
            "status": t("html.reconciliation.balanced" if rec.balanced else "html.reconciliation.unbalanced"),
            "balanced": rec.balanced,
            "files": files,
            "bases": bases,
        }

    def context(self) -> dict[str, Any]:
        c, t, n = self.c, self.t, self.n
        title = t("words.title", n=n.integer(len(c.files)), by=t(f"by.{c.by}"))
        legend = [
            {"label": t.shared_word("categories", cat), "swatch": charts.swatch(cat)}
            for cat in CATEGORY_ORDER
        ]
        return {
            "lang": self.lang,
            "t": t,
            "csp": content_security_policy(""),
            "title": title,
            "generated": t("html.generated", date=c.meta["generated_at"][:10], version=_version()),
            "generated_at": c.meta["generated_at"],
            "toc": [{"id": s, "label": t(f"html.sections.{s}")} for s in SECTIONS],
            "patterns": charts.pattern_defs(),
            "legend": legend,
            "header": self.header(),
            "totals": self.totals(),
            "ranking": self.ranking(),
            "web": self.web(),
            "groups": self.groups(),
            "reconciliation": self.reconciliation(),
        }


def _version() -> str:
    from bie._version import __version__

    return __version__


def render_consolidation_html(consolidation: Consolidation, lang: str | None = None) -> str:
    """The consolidation as one self-contained HTML page, in ``lang`` (the consolidation's own when None)."""
    chosen = check_lang(lang or consolidation.lang)
    html = environment().get_template(TEMPLATE).render(_Page(consolidation, chosen).context())
    return html if html.endswith("\n") else html + "\n"
