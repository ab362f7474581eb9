"""The report model (issue 10): every figure, label and finding a report shows, decided once, in one order.

:func:`build` turns an audit (anything with the attributes of :class:`AuditData`; :class:`bie.audit.Audit`
is one) into an :class:`AuditReport` in one language. The HTML page, the Excel workbook, the JSON and the
command line summary lay it out; none recomputes a figure or a word. Nothing here imports :mod:`bie.audit`
(the audit builds the report, never the reverse; a test checks the import graph).

What is decided here, for every output alike:

- the amount basis, in the reader's words (« montants accordés », "amounts granted");
- the category figures: count, amount, shares, OECD-DAC marker and EU weight (read from the rule pack by
  :func:`bie.analysis.summary`, never written again in code), weighted amount;
- the headline: the EU-weighted equality spend, the unweighted one beside it, or, when no action could be
  judged, no money at all and the reason why;
- how much was judged, and the caveat when too little was;
- the findings, in the reader's language, sorted by severity (warnings first), each with the report
  sections it refers to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl

from bie.i18n import Numbers, check_lang, fmt_in
from bie.issues import Issue
from bie.model import ReadResult
from bie.resources import load_data

__all__ = [
    "CATEGORY_ORDER",
    "SCHEMA_VERSION",
    "SEVERITY_ORDER",
    "AuditData",
    "AuditReport",
    "Beneficiaries",
    "Breakdown",
    "CategoryFigures",
    "Finding",
    "Group",
    "Headline",
    "Judged",
    "ReportSource",
    "Stages",
    "action_label",
    "basis_label",
    "build",
    "category_label",
]

SCHEMA_VERSION = "1.0"
"""Version of the JSON report's schema (``bie/data/audit.schema.json``)."""

CATEGORY_ORDER: tuple[str, ...] = ("specific", "transversal", "not_integrated", "to_review")
"""Categories in the order every report lists them."""

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 0, "info": 1}
"""Findings are listed warnings first, then information; in the order of ``findings.yaml`` within each."""


class AuditData(Protocol):
    """What the report model needs from an audit (:class:`bie.audit.Audit` has it)."""

    @property
    def summary(self) -> Mapping[str, Any]: ...

    @property
    def metrics(self) -> Mapping[str, Any]: ...

    @property
    def meta(self) -> Mapping[str, Any]: ...

    @property
    def stages(self) -> Mapping[str, Any] | None: ...

    @property
    def n_actions(self) -> int: ...


class ReportSource(AuditData, Protocol):
    """What the renderers read from an audit besides the model: the per-row tables and the sections not
    yet in the model (:class:`bie.audit.Audit` has it). Typed here so that no renderer imports the audit."""

    @property
    def actions(self) -> pl.DataFrame: ...

    @property
    def excluded(self) -> pl.DataFrame: ...

    @property
    def breakdowns(self) -> dict[str, Any]: ...

    @property
    def beneficiaries(self) -> dict[str, Any] | None: ...

    @property
    def data_quality(self) -> dict[str, Any]: ...

    @property
    def reconciliation(self) -> dict[str, Any]: ...

    @property
    def issues(self) -> list[tuple[str | None, Issue]]: ...

    @property
    def inputs(self) -> list[ReadResult]: ...

    @property
    def input_names(self) -> list[str]: ...

    @property
    def lang(self) -> str: ...

    @property
    def web(self) -> dict[str, Any]: ...

    def web_dict(self, lang: str) -> dict[str, Any]: ...

    def web_svg(self, lang: str | None = None) -> str: ...

    def web_text(self, lang: str | None = None) -> str: ...

    def report(self, lang: str | None = None) -> AuditReport: ...


@dataclass(frozen=True)
class CategoryFigures:
    """One category's line: the same figures in the HTML table, the Excel sheet, the JSON and the CLI."""

    category: str
    label: str
    short_label: str
    count: int
    share_count: float
    amount: float
    share: float
    dac_marker: int | None
    eu_weight: float | None
    weighted_amount: float | None


@dataclass(frozen=True)
class Judged:
    """How much could be judged. ``low``: too little, the figures carry ``caveat`` and findings about shares
    are not written."""

    actions: int
    to_review: int
    to_review_share: float | None
    to_review_amount_share: float | None
    limit: float
    low: bool
    caveat: str


@dataclass(frozen=True)
class Headline:
    """The headline figure. ``shown`` is False when no action could be judged: no equality money is then
    printed (0,00 € would read as a verdict), ``note`` says why."""

    shown: bool
    weighted_amount: float
    weighted_share: float
    unweighted_amount: float
    unweighted_share: float
    weights: Mapping[str, float]
    note: str


@dataclass(frozen=True)
class Finding:
    """One plain-language observation (``bie/data/findings.yaml``)."""

    id: str
    severity: str
    text: str
    metric: str
    value: float | int
    refs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "metric": self.metric,
            "value": self.value,
            "text": self.text,
            "refs": list(self.refs),
        }


@dataclass(frozen=True)
class CategoryCell:
    """One category's share of a group: how many actions, how much money."""

    count: int
    amount: float


@dataclass(frozen=True)
class Group:
    """One line of a breakdown (a pillar, a theme, a quartier, a carrier, a co-funder), labelled once.

    ``label``: the name from the file, or for the lines bie makes, the reader's words (« (autres : 4
    lignes) », « (ensemble du contrat) », « (non renseigné) »); a quartier line that holds actions naming
    several quartiers ends with « * » (``shared``: how many), explained by :attr:`Breakdown.note`."""

    label: str
    key: str | None
    special: str | None
    count: int
    amount: float
    share: float
    equality_share: float | None
    by_category: Mapping[str, CategoryCell]
    shared: int = 0
    others: int = 0


@dataclass(frozen=True)
class Breakdown:
    """The groups of one dimension, in the order shown, and the note the table needs (or "")."""

    dimension: str
    groups: tuple[Group, ...]
    note: str

    @property
    def shared(self) -> bool:
        return any(g.shared for g in self.groups)


@dataclass(frozen=True)
class StageRow:
    """One category across the funding stages (requested → proposed → granted)."""

    category: str
    label: str
    count: int
    amounts: Mapping[str, float | None]
    rate_kept: float | None


@dataclass(frozen=True)
class Stages:
    """From request to grant: the stages present (ids and their words), one row per category, the rates
    kept and the verdict on the gap between equality actions and the others (``even`` within one point,
    ``negative`` when instruction kept less of the equality money, ``positive`` when more, ``""`` unknown)."""

    stages: tuple[str, ...]
    stage_labels: Mapping[str, str]
    rows: tuple[StageRow, ...]
    equality_rate_kept: float | None
    not_integrated_rate_kept: float | None
    equality_gap: float | None
    verdict: str


@dataclass(frozen=True)
class SexGroup:
    """Beneficiaries of one pillar or theme, by sex (``label``: the name from the file or « (non
    renseigné) » in the reader's words)."""

    label: str
    actions: int
    women: int
    men: int
    women_share: float | None


@dataclass(frozen=True)
class Beneficiaries:
    """Who is reached, by sex: context, never a target. ``available`` is False when the file has no
    « femmes » and « hommes » columns; then every figure is 0 or None."""

    available: bool
    actions_with_counts: int
    share_actions: float
    amount_with_counts: float
    share_amount: float
    women: int
    men: int
    women_share: float | None
    euros_per_woman: float | None
    euros_per_man: float | None
    sport_actions: int
    sport_women_share: float | None
    by_pillar: tuple[SexGroup, ...]
    by_theme: tuple[SexGroup, ...]


EVEN_GAP = 0.01
"""A gap between the rates kept smaller than one point is « no difference »."""


@dataclass(frozen=True)
class AuditReport:
    """Everything decided once for one audit in one language; renderers only lay it out."""

    lang: str
    title: str
    basis: str
    basis_label: str
    actions: int
    actions_without_amount: int
    amount_total: float
    categories: tuple[CategoryFigures, ...]
    headline: Headline
    judged: Judged
    findings: tuple[Finding, ...]
    breakdowns: tuple[Breakdown, ...] = ()
    stages: Stages | None = None
    beneficiaries: Beneficiaries | None = None

    def breakdown(self, dimension: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.dimension == dimension), None)

    def category(self, category: str) -> CategoryFigures:
        for c in self.categories:
            if c.category == category:
                return c
        raise KeyError(category)

    @property
    def numbers(self) -> Numbers:
        """The formatter of this report's language."""
        return Numbers(self.lang)


# ------------------------------------------------------------------------------------------------ words


def category_label(category: str, lang: str, short: bool = False) -> str:
    """A category in the reader's words (``labels.yaml``)."""
    entry = load_data("labels.yaml")["categories"].get(category)
    if entry is None:
        return category
    return str(entry[f"short_{lang}" if short else lang])


LABEL_CHARS = 120
"""An action's label is cut at this length (on a word boundary, with « … »)."""


def action_label(action: Mapping[str, Any], untitled: str) -> str:
    """An action as readers know it: its title, else the start of the text that was judged (objectives,
    then description: a file with a description column and no title must not show « (sans intitulé) » for
    every action), else ``untitled``."""
    for key in ("title", "objectives", "description"):
        value = action.get(key)
        text = " ".join(str(value).split()) if value is not None else ""
        if text:
            if len(text) <= LABEL_CHARS:
                return text
            cut = text[:LABEL_CHARS].rsplit(" ", 1)[0] or text[:LABEL_CHARS]
            return cut.rstrip(" ,;:.") + "…"
    return untitled


def basis_label(basis: str, lang: str, name: str | None = None) -> str:
    """The amount each action counts for, in the reader's words (``labels.yaml``, ``amount_basis``)."""
    entry = load_data("labels.yaml")["amount_basis"].get(basis)
    if entry is None:
        return str(basis)
    return fmt_in(lang, str(entry[lang]), name=name or "")


def report_title(meta: Mapping[str, Any], lang: str) -> str:
    """The report's title: the one the user gave, else « Budget intégrant l'égalité — <files> » in the
    reader's language (a default title made in another language is replaced, never shown as is)."""
    title = str(meta.get("title") or "")
    names = ", ".join(str(i["file"]) for i in meta.get("inputs") or [])
    template = load_data("labels_html.yaml")["page"]["default_title"]
    defaults = {fmt_in(k, str(template[k]), names=names) for k in ("fr", "en")}
    if not title or title in defaults:
        return fmt_in(lang, str(template[lang]), names=names)
    return title


def _words(lang: str) -> Mapping[str, str]:
    spec = load_data("labels.yaml")["report_model"]
    return {k: str(v[lang]) for k, v in spec.items()}


# ------------------------------------------------------------------------------------------------ build


def _findings(metrics: Mapping[str, Any], lang: str, actions: int) -> tuple[Finding, ...]:
    from bie.analysis import findings

    found = [
        Finding(
            id=str(f["id"]),
            severity=str(f["severity"]) if f["severity"] in SEVERITY_ORDER else "info",
            text=str(f["text"]),
            metric=str(f["metric"]),
            value=f["value"],
            refs=tuple(str(r) for r in f.get("refs", [])),
        )
        for f in findings(metrics, lang, actions)
    ]
    order = {f.id: i for i, f in enumerate(found)}
    return tuple(sorted(found, key=lambda f: (SEVERITY_ORDER.get(f.severity, 2), order[f.id])))


def _judged(summary: Mapping[str, Any], lang: str) -> Judged:
    j: Mapping[str, Any] = summary.get("judged") or {}
    caveat = j.get("caveat")
    return Judged(
        actions=int(j.get("actions") or summary.get("actions") or 0),
        to_review=int(j.get("to_review") or 0),
        to_review_share=j.get("to_review_share"),
        to_review_amount_share=j.get("to_review_amount_share"),
        limit=float(j.get("max_to_review_share") or 0.5),
        low=bool(j.get("low")),
        caveat=str(caveat.get(lang) or "") if isinstance(caveat, Mapping) else "",
    )


def _categories(summary: Mapping[str, Any], lang: str) -> tuple[CategoryFigures, ...]:
    by: Mapping[str, Mapping[str, Any]] = summary["by_category"]
    out = []
    for cat in CATEGORY_ORDER:
        v = by.get(cat) or {}
        weight = v.get("eu_weight")
        marker = v.get("dac_marker")
        weighted = v.get("weighted_amount")
        out.append(
            CategoryFigures(
                category=cat,
                label=category_label(cat, lang),
                short_label=category_label(cat, lang, short=True),
                count=int(v.get("count") or 0),
                share_count=float(v.get("share_count") or 0.0),
                amount=float(v.get("amount") or 0.0),
                share=float(v.get("share") or 0.0),
                dac_marker=None if marker is None else int(marker),
                eu_weight=None if weight is None else float(weight),
                weighted_amount=None if weighted is None else float(weighted),
            )
        )
    return tuple(out)


def _breakdowns(data: AuditData, lang: str) -> tuple[Breakdown, ...]:
    words = _words(lang)
    raw: Mapping[str, Sequence[Mapping[str, Any]]] = getattr(data, "breakdowns", None) or {}
    out = []
    for dim, entries in raw.items():
        groups = []
        for e in entries:
            special = e.get("special")
            others = int(e.get("others") or 0)
            if others:
                label = fmt_in(lang, words["others"], n=Numbers(lang).integer(others))
            elif special == "whole_contract":
                label = words["whole_contract"]
            elif e.get("key") is None or special == "not_given":
                label = words["not_given"]
            else:
                label = str(e["key"])
            shared = int(e.get("shared") or 0)
            cats: Mapping[str, Mapping[str, Any]] = e.get("by_category") or {}
            groups.append(
                Group(
                    label=f"{label} *" if shared else label,
                    key=None if e.get("key") is None else str(e["key"]),
                    special="others" if others else (None if special is None else str(special)),
                    count=int(e.get("count") or 0),
                    amount=float(e.get("amount") or 0.0),
                    share=float(e.get("share") or 0.0),
                    equality_share=None if e.get("equality_share") is None else float(e["equality_share"]),
                    by_category={
                        c: CategoryCell(
                            int((cats.get(c) or {}).get("count") or 0),
                            float((cats.get(c) or {}).get("amount") or 0.0),
                        )
                        for c in CATEGORY_ORDER
                    },
                    shared=shared,
                    others=others,
                )
            )
        note = (
            words["funder_note"]
            if dim == "funder"
            else (words["shared_note"] if any(g.shared for g in groups) else "")
        )
        out.append(Breakdown(dimension=str(dim), groups=tuple(groups), note=note))
    return tuple(out)


def _beneficiaries(data: AuditData, lang: str) -> Beneficiaries:
    b: Mapping[str, Any] = getattr(data, "beneficiaries", None) or {"available": False}
    cov: Mapping[str, Any] = b.get("coverage") or {}
    sport: Mapping[str, Any] = b.get("sport") or {}
    not_given = _words(lang)["not_given"]

    def groups(dim: str) -> tuple[SexGroup, ...]:
        return tuple(
            SexGroup(
                label=not_given if e.get("key") is None else str(e["key"]),
                actions=int(e["actions"]),
                women=int(e["women"]),
                men=int(e["men"]),
                women_share=e.get("women_share"),
            )
            for e in b.get(dim) or []
        )

    return Beneficiaries(
        available=bool(b.get("available")),
        actions_with_counts=int(cov.get("actions_with_counts") or 0),
        share_actions=float(cov.get("share_actions") or 0.0),
        amount_with_counts=float(cov.get("amount_with_counts") or 0.0),
        share_amount=float(cov.get("share_amount") or 0.0),
        women=int(b.get("women") or 0),
        men=int(b.get("men") or 0),
        women_share=b.get("women_share"),
        euros_per_woman=b.get("euros_per_woman"),
        euros_per_man=b.get("euros_per_man"),
        sport_actions=int(sport.get("actions") or 0),
        sport_women_share=sport.get("women_share"),
        by_pillar=groups("by_pillar"),
        by_theme=groups("by_theme"),
    )


def _stages(data: AuditData, lang: str) -> Stages | None:
    st = data.stages
    if not st:
        return None
    words = load_data("labels.yaml")["stages"]
    present = tuple(str(k) for k in st["stages"])
    gap = st.get("equality_gap")
    verdict = (
        "" if gap is None else ("even" if abs(gap) < EVEN_GAP else ("negative" if gap < 0 else "positive"))
    )
    return Stages(
        stages=present,
        stage_labels={k: str(words[k][lang]) for k in present},
        rows=tuple(
            StageRow(
                category=str(e["category"]),
                label=category_label(str(e["category"]), lang),
                count=int(e["count"]),
                amounts={k: e.get(k) for k in present},
                rate_kept=e.get("rate_kept"),
            )
            for e in st["by_category"]
        ),
        equality_rate_kept=st.get("equality_rate_kept"),
        not_integrated_rate_kept=st.get("not_integrated_rate_kept"),
        equality_gap=gap,
        verdict=verdict,
    )


def build(data: AuditData, lang: str) -> AuditReport:
    """The report of ``data`` in ``lang`` (``fr`` or ``en``)."""
    check_lang(lang)
    s = data.summary
    words = _words(lang)
    categories = _categories(s, lang)
    judged = _judged(s, lang)
    judged_actions = sum(c.count for c in categories if c.category != "to_review")
    spend: Mapping[str, Any] = s["weighted_equality_spend"]
    headline = Headline(
        shown=judged_actions > 0,
        weighted_amount=float(spend["amount"]),
        weighted_share=float(spend["share"]),
        unweighted_amount=float(s["equality_amount"]),
        unweighted_share=float(s["equality_share"]),
        weights=dict(spend.get("weights") or {}),
        note="" if judged_actions > 0 or not s["actions"] else words["nothing_judged"],
    )
    basis = str(s.get("amount_basis") or "none")
    funder = s.get("amount_basis_name") or data.meta.get("funder")
    return AuditReport(
        lang=lang,
        title=report_title(data.meta, lang),
        basis=basis,
        basis_label=basis_label(basis, lang, None if funder is None else str(funder)),
        actions=int(s["actions"]),
        actions_without_amount=int(s.get("actions_without_amount") or 0),
        amount_total=float(s["amount_total"]),
        categories=categories,
        headline=headline,
        judged=judged,
        findings=_findings(data.metrics, lang, data.n_actions),
        breakdowns=_breakdowns(data, lang),
        stages=_stages(data, lang),
        beneficiaries=_beneficiaries(data, lang),
    )


def summary_for_json(data: AuditData, report: AuditReport) -> dict[str, Any]:
    """The ``summary`` object of the JSON: the audit's figures with the words of the report's language."""
    out = dict(data.summary)
    out["amount_basis_label"] = report.basis_label
    return out


def refs_present(refs: Sequence[str], sections: Sequence[str]) -> list[str]:
    """The references of a finding that point to a section the report has."""
    return [r for r in refs if r in sections]
