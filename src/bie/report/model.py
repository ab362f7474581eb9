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
from dataclasses import dataclass, field
from typing import Any, Protocol

import polars as pl

from bie.i18n import Numbers, check_lang, fmt_in
from bie.issues import Issue
from bie.model import ReadResult
from bie.resources import load_data
from bie.tagging.rules import RulePack, load_rules

__all__ = [
    "CATEGORY_ORDER",
    "SCHEMA_VERSION",
    "SEVERITY_ORDER",
    "AuditData",
    "AuditReport",
    "Beneficiaries",
    "Breakdown",
    "CategoryCell",
    "CategoryFigures",
    "ExcludedLine",
    "FileReconciliation",
    "Finding",
    "Group",
    "HasReport",
    "Headline",
    "InputInfo",
    "IssueGroup",
    "Judged",
    "MethodSection",
    "Quality",
    "Reconciliation",
    "ReportIssue",
    "ReportMeta",
    "SexGroup",
    "StageRow",
    "Stages",
    "WebElement",
    "WebSection",
    "action_label",
    "basis_label",
    "build",
    "category_label",
    "reason_texts",
    "report_of",
    "review_why",
]

SCHEMA_VERSION = "1.0"
"""Version of the JSON report's schema (``bie/data/audit.schema.json``)."""

CATEGORY_ORDER: tuple[str, ...] = ("specific", "transversal", "not_integrated", "to_review")
"""Categories in the order every report lists them."""

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 0, "info": 1}
"""Findings are listed warnings first, then information; in the order of ``findings.yaml`` within each."""


class AuditData(Protocol):
    """What the report model is built from (:class:`bie.audit.Audit` has it). Typed here so that nothing
    under ``bie.report`` imports the audit: the renderers read only the :class:`AuditReport`."""

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

    @property
    def actions(self) -> pl.DataFrame: ...

    @property
    def excluded(self) -> pl.DataFrame: ...

    @property
    def breakdowns(self) -> Mapping[str, Any]: ...

    @property
    def beneficiaries(self) -> Mapping[str, Any] | None: ...

    @property
    def data_quality(self) -> Mapping[str, Any]: ...

    @property
    def reconciliation(self) -> Mapping[str, Any]: ...

    @property
    def issues(self) -> Sequence[tuple[str | None, Issue]]: ...

    @property
    def inputs(self) -> Sequence[ReadResult]: ...

    @property
    def pack(self) -> RulePack | None: ...

    def web_dict(self, lang: str) -> Mapping[str, Any]: ...

    def web_svg(self, lang: str | None = None) -> str: ...

    def web_text(self, lang: str | None = None) -> str: ...


class HasReport(Protocol):
    """Anything that gives its report model in a language (:class:`bie.audit.Audit` does)."""

    def report(self, lang: str | None = None) -> AuditReport: ...


def report_of(source: AuditReport | HasReport, lang: str | None = None) -> AuditReport:
    """``source`` itself when it is a report model (its language must then be ``lang`` if given), else
    ``source.report(lang)``."""
    if isinstance(source, AuditReport):
        if lang is not None and check_lang(lang) != source.lang:
            raise ValueError(f"the report model is in {source.lang!r}, not {lang!r}")
        return source
    return source.report(lang)


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


# ------------------------------------------------------------------------------------------ sources, web


@dataclass(frozen=True)
class InputInfo:
    """One file read: how it was read, and its source table for the reports that show it (the Excel
    Actions sheet joins each action to its source row).

    ``header_fields``: each source header and the fields bie mapped it to (``funding:<co-funder>`` for a
    co-funder's column); a header mapped to exactly one numeric or date field is typed in Excel."""

    name: str
    format: str
    sheet: str | None
    header_rows: tuple[int, ...]
    rows: int
    actions: int
    basis: str
    basis_label: str
    encoding: str | None
    sha256: str
    original: pl.DataFrame = field(compare=False, repr=False)
    header_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ReportMeta:
    """What the report was made from and with: versions, date, co-funder, files."""

    generated_at: str
    bie_version: str
    rules_version: str
    web_version: str
    vocabulary_version: str
    funder: str | None
    inputs: tuple[InputInfo, ...]

    @property
    def several(self) -> bool:
        """More than one file: rows are then named with their file."""
        return len(self.inputs) > 1


@dataclass(frozen=True)
class ReportIssue:
    """One problem met while reading or tagging, in the reader's words: ``where`` says the file, sheet and
    row it concerns (or ""), ``text`` is « where — message »."""

    file: str | None
    code: str
    severity: str
    severity_label: str
    sheet: str | None
    row: int | None
    message: str
    where: str
    #: The column it concerns: a field in the reader's words (« Égalité déclarée »), a source header as is.
    column: str | None = None

    @property
    def text(self) -> str:
        return f"{self.where} — {self.message}" if self.where else self.message


@dataclass(frozen=True)
class IssueGroup:
    """The issues of one code: how many, and the first few (``examples``, ending with « … et n autres »
    when there are more)."""

    code: str
    severity: str
    severity_label: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Quality:
    """Data quality in figures, the issues grouped by code (errors first, then warnings) and the columns bie
    did not use."""

    unparsed_values: int
    placeholders: int
    missing_beneficiaries: int
    inconsistent_beneficiaries: int
    total_mismatches: int
    declaration_mismatches: int
    declaration_overstated: int
    declaration_overstated_share: float | None
    to_review: int
    no_amount: int
    issues_by_code: Mapping[str, int]
    unmapped: tuple[tuple[str, str], ...]
    groups: tuple[IssueGroup, ...]
    issues: tuple[ReportIssue, ...]

    @property
    def issue_count(self) -> int:
        return sum(self.issues_by_code.values())


@dataclass(frozen=True)
class ExcludedLine:
    """Rows of one file left out for one reason (``label``: the reason in the reader's words)."""

    reason: str
    label: str
    rows: int
    amount: float


@dataclass(frozen=True)
class FileReconciliation:
    """Every row and euro of one file: actions + excluded rows by reason = what the file holds."""

    file: str
    rows: int
    input_amount: float
    actions: int
    actions_amount: float
    excluded: tuple[ExcludedLine, ...]
    excluded_amount: float
    implausible_amounts: int
    balanced: bool
    #: Source rows holding an amount (actions or not); actions kept after ``--funder`` (None: not known).
    rows_with_amount: int | None = None
    audited_actions: int | None = None


@dataclass(frozen=True)
class Reconciliation:
    files: tuple[FileReconciliation, ...]
    balanced: bool


@dataclass(frozen=True)
class WebElement:
    """One element of the web of institutionalisation as every report shows it."""

    id: str
    label: str
    sphere: str
    sphere_label: str
    score: int | None
    score_label: str
    level: str
    source: str
    source_label: str
    actions: int
    amount: float
    evidence: tuple[str, ...]
    explanation: str
    #: The score in words alone (« moyen », « inconnu »), for a table that gives the number beside it.
    level_label: str = ""
    #: :attr:`evidence` with up to ``WEB_ACTIONS_LISTED`` actions and hints (a table with room for them).
    evidence_long: tuple[str, ...] = ()

    @property
    def weak(self) -> bool:
        return self.score is not None and self.score <= 1


@dataclass(frozen=True)
class WebSection:
    """The territory on the web: elements in model order, weak elements and broken links in words, the
    drawing and its text alternative. ``data``: the JSON object (``web`` key), in the report's language."""

    version: str
    elements: tuple[WebElement, ...]
    weak: tuple[str, ...]
    broken: tuple[str, ...]
    svg: str
    text: str
    data: Mapping[str, Any] = field(compare=False, repr=False)

    @property
    def all_unknown(self) -> bool:
        return all(e.score is None for e in self.elements)

    @property
    def labels(self) -> Mapping[str, str]:
        """Element id → label, for the action rows' web column."""
        return {e.id: e.label for e in self.elements}


@dataclass(frozen=True)
class MethodSection:
    """One section of the method note, its version and basis placeholders filled in."""

    id: str
    title: str
    text: str


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
    breakdowns: tuple[Breakdown, ...]
    stages: Stages | None
    beneficiaries: Beneficiaries
    meta: ReportMeta
    quality: Quality
    reconciliation: Reconciliation
    web: WebSection
    method: tuple[MethodSection, ...]
    method_sources: tuple[str, ...]
    #: What each reason id means in the reader's words (rule titles, review reasons, carriers).
    rule_titles: Mapping[str, str] = field(compare=False, repr=False)
    #: One row per action, as the audit tagged it (the renderers sort and label it with
    #: :func:`action_label`, :func:`reason_texts`, :func:`review_why`).
    action_rows: pl.DataFrame = field(compare=False, repr=False)
    #: One row per source row left out, with its reason (``file, sheet, row, reason, text, amount``).
    excluded_rows: pl.DataFrame = field(compare=False, repr=False)

    def breakdown(self, dimension: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.dimension == dimension), None)

    def method_section(self, section_id: str) -> MethodSection | None:
        return next((m for m in self.method if m.id == section_id), None)

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
    raw: Mapping[str, Sequence[Mapping[str, Any]]] = data.breakdowns
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
    b: Mapping[str, Any] = data.beneficiaries or {"available": False}
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


def _meta(data: AuditData, lang: str, funder: str | None) -> ReportMeta:
    meta = data.meta
    results = list(data.inputs)
    infos = []
    for k, item in enumerate(meta.get("inputs") or []):
        result = results[k] if k < len(results) else None
        header_fields: dict[str, tuple[str, ...]] = {}
        original = pl.DataFrame()
        if result is not None:
            original = result.original
            mapping = result.mapping
            for fld, col in mapping.fields.items():
                header = mapping.headers.get(col)
                if header is not None:
                    header_fields[header] = (*header_fields.get(header, ()), fld)
            for f in mapping.funding:
                header_fields[f.header] = (*header_fields.get(f.header, ()), f"funding:{f.funder}")
        basis = str(item.get("amount_basis") or "none")
        infos.append(
            InputInfo(
                name=str(item["file"]),
                format=str(item.get("format") or ""),
                sheet=None if item.get("sheet") is None else str(item["sheet"]),
                header_rows=tuple(int(r) for r in item.get("header_rows") or ()),
                rows=int(item.get("rows") or 0),
                actions=int(item.get("actions") or 0),
                basis=basis,
                basis_label=basis_label(basis, lang, funder),
                encoding=None if item.get("encoding") is None else str(item["encoding"]),
                sha256=str(item.get("sha256") or ""),
                original=original,
                header_fields={h: tuple(dict.fromkeys(f)) for h, f in header_fields.items()},
            )
        )
    from bie._version import __version__

    return ReportMeta(
        generated_at=str(meta.get("generated_at") or ""),
        bie_version=__version__,
        rules_version=str(meta.get("rules_version") or ""),
        web_version=str(meta.get("web_version") or ""),
        vocabulary_version=str(meta.get("vocabulary_version") or ""),
        funder=None if not meta.get("funder") else str(meta["funder"]),
        inputs=tuple(infos),
    )


def _word(group: str, key: str, lang: str) -> str:
    """A word of ``labels.yaml`` (group, key) in ``lang``; the key itself when the group does not have it."""
    entry = load_data("labels.yaml")[group].get(key)
    return str(entry[lang]) if isinstance(entry, Mapping) else key


def _issues(data: AuditData, lang: str) -> tuple[ReportIssue, ...]:
    from bie.vocabulary import field_label

    words = _words(lang)
    out = []
    for file, issue in data.issues:
        if file and issue.sheet and issue.row is not None:
            where = fmt_in(lang, words["where"], file=file, sheet=issue.sheet, row=str(issue.row))
        elif file and issue.sheet:
            where = fmt_in(lang, words["where_sheet"], file=file, sheet=issue.sheet)
        elif issue.row is not None:
            where = fmt_in(lang, words["where_row"], row=str(issue.row))
        else:
            where = file or ""
        out.append(
            ReportIssue(
                file=file,
                code=issue.code,
                severity=issue.severity,
                severity_label=_word("severity", issue.severity, lang),
                sheet=issue.sheet,
                row=issue.row,
                message=str(issue.message(lang)),
                where=where,
                column=None if issue.column is None else field_label(issue.column, lang),
            )
        )
    return tuple(out)


EXAMPLES = 3
"""Issues of one code shown as examples in the quality section (the count gives them all)."""

ISSUE_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
"""Issue groups are listed errors first (they may make a figure wrong), then warnings, then information."""


def _quality(data: AuditData, lang: str, issues: tuple[ReportIssue, ...]) -> Quality:
    q: Mapping[str, Any] = data.data_quality
    counts = {str(k): int(v) for k, v in (q.get("issues_by_code") or {}).items()}
    by_code: dict[str, list[ReportIssue]] = {}
    for i in issues:
        by_code.setdefault(i.code, []).append(i)

    def severity(code: str) -> str:
        found = by_code.get(code)
        return found[0].severity if found else "info"

    codes = sorted(set(by_code) | set(counts), key=lambda c: (ISSUE_ORDER.get(severity(c), 3), c))
    groups = []
    for code in codes:
        found = by_code.get(code, [])
        total = max(counts.get(code, 0), len(found))
        examples = [i.text for i in found[:EXAMPLES]]
        if total > len(examples) and examples:
            more = Numbers(lang).integer(total - len(examples))
            examples.append(fmt_in(lang, _words(lang)["more"], n=more))
        sev = severity(code)
        groups.append(IssueGroup(code, sev, _word("severity", sev, lang), total, tuple(examples)))

    def count(key: str) -> int:
        return int(q.get(key) or 0)

    share = q.get("declaration_overstated_share")
    return Quality(
        unparsed_values=count("unparsed_values"),
        placeholders=count("placeholders"),
        missing_beneficiaries=count("missing_beneficiaries"),
        inconsistent_beneficiaries=count("inconsistent_beneficiaries"),
        total_mismatches=count("total_mismatches"),
        declaration_mismatches=count("declaration_mismatches"),
        declaration_overstated=count("declaration_overstated"),
        declaration_overstated_share=None if share is None else float(share),
        to_review=count("to_review"),
        no_amount=count("no_amount"),
        issues_by_code=counts,
        unmapped=tuple((str(u["file"]), str(u["column"])) for u in q.get("unmapped_columns") or []),
        groups=tuple(groups),
        issues=issues,
    )


def _reconciliation(data: AuditData, lang: str) -> Reconciliation:
    rec: Mapping[str, Any] = data.reconciliation
    files = tuple(
        FileReconciliation(
            file=str(f["file"]),
            rows=int(f["rows"]),
            input_amount=float(f["input_amount"]),
            actions=int(f["actions"]),
            actions_amount=float(f["actions_amount"]),
            excluded=tuple(
                ExcludedLine(
                    str(reason), _word("reasons", str(reason), lang), int(ex["rows"]), float(ex["amount"])
                )
                for reason, ex in (f.get("excluded") or {}).items()
            ),
            excluded_amount=float(f.get("excluded_amount") or 0.0),
            implausible_amounts=int(f.get("implausible_amounts") or 0),
            balanced=bool(f["balanced"]),
            rows_with_amount=None if f.get("rows_with_amount") is None else int(f["rows_with_amount"]),
            audited_actions=None if f.get("audited_actions") is None else int(f["audited_actions"]),
        )
        for f in rec.get("files") or []
    )
    return Reconciliation(files=files, balanced=bool(rec.get("balanced", True)))


WEB_ACTIONS_SHOWN = 5
"""Actions listed as evidence of one web element (the count gives them all)."""

WEB_ACTIONS_LISTED = 20
"""The same in a table that has room for more (the Excel workbook: :attr:`WebElement.evidence_long`)."""


def _web_evidence(
    e: Mapping[str, Any], lang: str, several: bool, shown_max: int = WEB_ACTIONS_SHOWN
) -> tuple[str, ...]:
    """The evidence of one element, one item per line: the actions that strengthen it (source row and
    title), the questionnaire answer, the rules, the hints not counted (at most ``shown_max`` actions and
    hint titles, then « … et n autres actions »)."""
    words = _words(lang)
    lines: list[str] = []
    acts = [a for a in e.get("actions") or [] if isinstance(a, Mapping)]
    for act in acts[:shown_max]:
        where = f"{act.get('file')}, " if several and act.get("file") else ""
        row = fmt_in(lang, words["web_row"], row=act.get("row"))
        lines.append(f"{where}{row} — {act.get('title') or act.get('id') or ''}".rstrip(" —"))
    total = int(e.get("action_count") or len(acts))
    shown = min(len(acts), shown_max)
    if total > shown:
        lines.append(fmt_in(lang, words["web_more_actions"], n=total - shown))
    evidence: Mapping[str, Any] = e.get("evidence") or {}
    answer = evidence.get("questionnaire")
    if isinstance(answer, Mapping) and any(answer.values()):
        parts = [str(answer[k]) for k in ("answer", "comment") if answer.get(k)]
        cell = f" ({answer['cell']})" if answer.get("cell") else ""
        lines.append(fmt_in(lang, words["web_questionnaire"], answer=" — ".join(parts)) + cell)
    rules = evidence.get("rules")
    if rules:
        lines.append(fmt_in(lang, words["web_rules"], rules=", ".join(str(r) for r in rules)))
    hints = [h for h in evidence.get("hints") or [] if isinstance(h, Mapping)]
    if hints:
        titles = [str(h.get("title") or h.get("id") or "") for h in hints]
        shown_titles = "; ".join(x for x in titles[:shown_max] if x)
        n = int(evidence.get("hint_count") or len(hints))
        lines.append(fmt_in(lang, words["web_hints"], n=n, titles=shown_titles))
    return tuple(line for line in lines if line)


def _web(data: AuditData, lang: str, several: bool) -> WebSection:
    web: Mapping[str, Any] = data.web_dict(lang)
    spheres = {
        str(s["id"]): str(s.get(f"label_{lang}") or s["id"]) for s in web.get("spheres") or [] if s.get("id")
    }
    elements = []
    for e in web.get("elements") or []:
        score = e.get("score")
        known = isinstance(score, int) and not isinstance(score, bool)
        level = str(score) if known else "unknown"
        score_word = _word("scores", level, lang)
        source = str(e.get("source") or "none")
        sphere = str(e.get("sphere") or "")
        elements.append(
            WebElement(
                id=str(e["id"]),
                label=str(e.get(f"label_{lang}") or e["id"]),
                sphere=sphere,
                sphere_label=spheres.get(sphere, sphere),
                score=score if known else None,
                score_label=f"{score} — {score_word}" if known else score_word,
                level=level,
                source=source,
                source_label=_word("web_sources", source, lang),
                actions=int(e.get("action_count") or 0),
                amount=float(e.get("amount") or 0.0),
                evidence=_web_evidence(e, lang, several),
                explanation=str(e.get("explanation") or ""),
                level_label=score_word,
                evidence_long=_web_evidence(e, lang, several, WEB_ACTIONS_LISTED),
            )
        )
    labels = {e.id: e.label for e in elements}
    words = _words(lang)
    broken = tuple(
        str(x.get("message"))
        if x.get("message")
        else fmt_in(
            lang,
            words["web_link"],
            **{
                "from": labels.get(str(x["from"]), str(x["from"])),
                "to": labels.get(str(x["to"]), str(x["to"])),
            },
        )
        for x in web.get("broken_links") or []
    )
    try:
        svg, text = data.web_svg(lang), data.web_text(lang)
    except (AttributeError, TypeError):  # no profile to draw (an audit built by hand): the table says it all
        svg, text = "", ""
    return WebSection(
        version=str(web.get("version") or data.meta.get("web_version") or ""),
        elements=tuple(elements),
        weak=tuple(labels.get(str(w), str(w)) for w in web.get("weak") or []),
        broken=broken,
        svg=svg,
        text=text,
        data=web,
    )


def _method(meta: ReportMeta, basis: str, lang: str) -> tuple[tuple[MethodSection, ...], tuple[str, ...]]:
    spec = load_data("method.yaml")
    sections = tuple(
        MethodSection(
            id=str(s["id"]),
            title=str(s["title"][lang]),
            text=fmt_in(
                lang,
                str(s[lang]),
                basis=basis,
                rules_version=meta.rules_version,
                web_version=meta.web_version,
                vocabulary_version=meta.vocabulary_version,
            ),
        )
        for s in spec["sections"]
    )
    return sections, tuple(str(s) for s in spec["sources"])


# ------------------------------------------------------------------------------------------ action rows


def review_why(row: Mapping[str, Any], lang: str) -> str:
    """Why an action has its category, in words, when its reasons do not say it: the « à examiner » reason,
    or for an action « non prise en compte » without any reason, that no equality evidence was found."""
    reason = row.get("review_reason")
    if row.get("category") == "to_review" and reason:
        entry = load_data("labels.yaml")["review_reasons"].get(str(reason))
        if entry:
            return str(entry[lang])
    if row.get("category") == "not_integrated" and not row.get("reasons"):
        return _words(lang)["no_evidence"]
    return ""


def reason_texts(reasons: Any, lang: str, rule_titles: Mapping[str, str]) -> list[tuple[str, str]]:
    """An action's reasons as (rule id, « rule title — field : « words » ») in the reader's words."""
    from bie.vocabulary import field_label

    words = _words(lang)
    out = []
    for r in reasons or []:
        fld = str(r.get("field") or "")
        label = field_label(fld, lang) if fld else ""
        matched = str(r.get("match") or "")
        rule = str(r.get("rule") or "")
        title = rule_titles.get(rule, "")
        text = fmt_in(lang, words["reason_field"], field=label, words=matched) if matched else label
        out.append((rule, f"{title} — {text}" if title and title != rule else text))
    return out


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
    funder_name = None if funder is None else str(funder)
    meta = _meta(data, lang, funder_name)
    label = basis_label(basis, lang, funder_name)
    method, sources = _method(meta, label, lang)
    return AuditReport(
        lang=lang,
        title=report_title(data.meta, lang),
        basis=basis,
        basis_label=label,
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
        meta=meta,
        quality=_quality(data, lang, _issues(data, lang)),
        reconciliation=_reconciliation(data, lang),
        web=_web(data, lang, meta.several),
        method=method,
        method_sources=sources,
        rule_titles=(data.pack or load_rules()).rule_titles(lang),
        action_rows=data.actions,
        excluded_rows=data.excluded,
    )


def summary_for_json(data: AuditData, report: AuditReport) -> dict[str, Any]:
    """The ``summary`` object of the JSON: the audit's figures with the words of the report's language."""
    out = dict(data.summary)
    out["amount_basis_label"] = report.basis_label
    return out


def refs_present(refs: Sequence[str], sections: Sequence[str]) -> list[str]:
    """The references of a finding that point to a section the report has."""
    return [r for r in refs if r in sections]
