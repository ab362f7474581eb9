"""``bie.consolidate``: many contrats de ville in one view, for the State's services (issue 12, part 2).

    result = consolidate(["contrats/"], by="grantor")
    result.basis                  # the one amount basis the money totals use
    result.groups                 # ranked: EU-weighted share, « à examiner », coverage, declaration gap…
    result.totals                 # every action once; money only from the files on ``basis``
    result.lacking                # the files whose amounts are on another basis (out of the money totals)
    result.reconciliation         # each file's own, and their sum by basis (integer cents)
    result.write("rapports/")     # consolidation.bie.html, .xlsx and .json, all or nothing

How it works: **one** :func:`bie.audit` over every file, then split. Each file is read on its own by the
audit (its basis, its reconciliation, its issues, the same bytes given twice counted once), and the
actions of all files are tagged in one pass: the tagger's cost is mostly fixed per call (about a thousand
small polars queries), so one call for 200 files costs far less than 200 audits of one file each. The
tagged actions are then grouped by file, grantor or quartier, and each group's figures are computed by
the functions the audit uses (:func:`bie.analysis.summary`, :func:`bie.analysis.beneficiaries`,
:func:`bie.web.profile`): a group of one file has exactly that file's audit figures.

Amounts on different bases are never added. Each file has the basis the audit chose for it (granted, else
proposed, else requested, else its co-funders' columns). The consolidated view uses one basis: the one
given, else the most common among the groups (ties: granted > proposed > requested > funders). A group
whose files share a basis is figured on it, and its money enters the totals only when that is the
consolidated basis; a group that spans files on several bases is figured on the consolidated basis, the
actions of its other files counted without money. Every action is counted; the files on another basis are
listed (:attr:`Consolidation.lacking`).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from bie import analysis
from bie._version import __version__
from bie.i18n import check_lang
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.outputs import InputFile, safe_stem, write_set
from bie.report.model import CATEGORY_ORDER, basis_label
from bie.resources import load_data
from bie.vocabulary import fold

if TYPE_CHECKING:
    from bie.web.profile import WebProfile

__all__ = [
    "BASIS_ORDER",
    "BY",
    "CategoryMoney",
    "Consolidation",
    "ElementScore",
    "Figures",
    "Group",
    "InputReconciliation",
    "Lacking",
    "ReconciliationTotals",
    "consolidate",
    "table_files",
]

#: How groups are formed: one per file, per grantor (attribuant), per quartier (QPV code).
BY = ("file", "grantor", "territory")
#: Amount bases in order of preference when groups are as many on two of them.
BASIS_ORDER = ("granted", "proposed", "requested", "funders", "funder")
#: The tables taken from a folder (hidden files, Office lock files and bie's own ``*.bie.*`` are skipped).
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
SCHEMA_VERSION = "1.0"
#: What :meth:`Consolidation.write` writes: ``consolidation.bie.html``, ``.xlsx``, ``.json``.
FORMATS = ("html", "xlsx", "json")

#: ``progress(done, total, name)``: called once per file, as it is read (``done`` from 1 to ``total``).
Progress = Callable[[int, int, str], None]

_GROUP = "_group"
_SHARED = "_shared"
#: From this many groups on, their figures and webs are computed by two threads.
_PARALLEL_GROUPS = 4
_GRANTOR_NAME = "_grantor_name"


# ------------------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class CategoryMoney:
    """One category within a group: how many actions, how much money (cents, on the group's basis)."""

    count: int
    cents: int


@dataclass(frozen=True)
class Figures:
    """The figures of a group or of the whole consolidation. Money in integer cents on :attr:`basis`;
    shares are fractions (None when they cannot be computed: no money, nothing declared…)."""

    basis: str
    actions: int
    actions_without_amount: int
    amount_cents: int
    by_category: Mapping[str, CategoryMoney]
    #: EU-weighted equality spend (weights from the rule pack) and its share of the money; the share is
    #: None when no action could be judged or there is no money (0 % would read as a verdict).
    weighted_cents: int
    weighted_share: float | None
    equality_cents: int
    equality_share: float | None
    to_review: int
    to_review_share: float | None
    to_review_cents: int
    to_review_amount_share: float | None
    #: Too much « à examiner » (by count or money) for the shares to be read as a conclusion.
    judged_low: bool
    #: Actions with both women and men counts, and their share of the actions.
    beneficiaries_available: bool
    actions_with_counts: int
    coverage_share: float | None
    #: Actions the applicant declared specific or transversal, those found not integrated, their share.
    declared: int
    declared_not_integrated: int
    declaration_gap: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "actions": self.actions,
            "actions_without_amount": self.actions_without_amount,
            "amount": analysis.euros(self.amount_cents),
            "by_category": {
                c: {"count": v.count, "amount": analysis.euros(v.cents)} for c, v in self.by_category.items()
            },
            "weighted_equality_spend": {
                "amount": analysis.euros(self.weighted_cents),
                "share": self.weighted_share,
            },
            "equality_amount": analysis.euros(self.equality_cents),
            "equality_share": self.equality_share,
            "to_review": {
                "count": self.to_review,
                "share": self.to_review_share,
                "amount": analysis.euros(self.to_review_cents),
                "amount_share": self.to_review_amount_share,
                "low": self.judged_low,
            },
            "beneficiaries": {
                "available": self.beneficiaries_available,
                "actions_with_counts": self.actions_with_counts,
                "coverage_share": self.coverage_share,
            },
            "declaration": {
                "declared": self.declared,
                "not_integrated": self.declared_not_integrated,
                "gap": self.declaration_gap,
            },
        }


@dataclass(frozen=True)
class ElementScore:
    """One element of the web for a group (small multiples): its score 0–3 or None (unknown) and where the
    score comes from (``actions``, ``none``…)."""

    id: str
    sphere: str
    score: int | None
    source: str


@dataclass(frozen=True)
class Group:
    """One line of the ranking: a file, a grantor or a quartier, with its figures and web scores.

    ``key``: the file's name, the grantor's SIRET (else its folded name, prefixed ``name:``), the quartier
    as the « Par quartier » table names it; None for the groups bie makes (``special``: ``not_given``,
    ``whole_contract``). ``counted``: its money is in the consolidated totals (its basis is the
    consolidation's). ``off_basis``: its files whose amounts are on another basis."""

    rank: int
    key: str | None
    name: str | None
    special: str | None
    files: tuple[str, ...]
    basis: str
    counted: bool
    off_basis: tuple[str, ...]
    figures: Figures
    web: tuple[ElementScore, ...]
    web_coverage_low: bool
    #: Actions of this group that also count in another group (an action naming several quartiers).
    shared: int = 0

    def label(self, lang: str) -> str:
        """The group in the reader's words: its name, or « (non renseigné) », « (ensemble du contrat) »."""
        if self.special is not None:
            return str(load_data("labels.yaml")["report_model"][self.special][lang])
        return self.name or self.key or ""


@dataclass(frozen=True)
class Lacking:
    """A file whose amounts are not on the consolidated basis: out of the money totals, its actions
    counted."""

    file: str
    basis: str
    actions: int


@dataclass(frozen=True)
class InputReconciliation:
    """One file's own reconciliation (as its audit gives it), in integer cents on the file's basis."""

    file: str
    basis: str
    rows: int
    rows_with_amount: int
    actions: int
    input_cents: int
    actions_cents: int
    excluded: Mapping[str, tuple[int, int]]
    excluded_cents: int
    implausible_amounts: int
    balanced: bool


@dataclass(frozen=True)
class BasisMoney:
    """The euros of the files on one basis, added up (cents): never added to another basis's."""

    files: int
    input_cents: int
    actions_cents: int
    excluded_cents: int
    excluded: Mapping[str, int]


@dataclass(frozen=True)
class ReconciliationTotals:
    """Every file's reconciliation and their sum: rows over all files, money per basis."""

    files: tuple[InputReconciliation, ...]
    rows: int
    rows_with_amount: int
    actions: int
    excluded_rows: Mapping[str, int]
    by_basis: Mapping[str, BasisMoney]
    balanced: bool

    def to_dict(self, lang: str) -> dict[str, Any]:
        reasons: Mapping[str, Any] = load_data("labels.yaml")["reasons"]

        def reason(r: str) -> str:
            entry = reasons.get(r)
            return str(entry[lang]) if isinstance(entry, Mapping) else r

        return {
            "balanced": self.balanced,
            "rows": self.rows,
            "rows_with_amount": self.rows_with_amount,
            "actions": self.actions,
            "excluded_rows": {r: {"rows": n, "label": reason(r)} for r, n in self.excluded_rows.items()},
            "by_basis": {
                b: {
                    "label": basis_label(b, lang),
                    "files": m.files,
                    "input_amount": analysis.euros(m.input_cents),
                    "actions_amount": analysis.euros(m.actions_cents),
                    "excluded_amount": analysis.euros(m.excluded_cents),
                    "excluded": {r: analysis.euros(c) for r, c in m.excluded.items()},
                }
                for b, m in self.by_basis.items()
            },
            "files": [
                {
                    "file": f.file,
                    "basis": f.basis,
                    "rows": f.rows,
                    "rows_with_amount": f.rows_with_amount,
                    "actions": f.actions,
                    "input_amount": analysis.euros(f.input_cents),
                    "actions_amount": analysis.euros(f.actions_cents),
                    "excluded": {
                        r: {"rows": n, "amount": analysis.euros(c), "label": reason(r)}
                        for r, (n, c) in f.excluded.items()
                    },
                    "excluded_amount": analysis.euros(f.excluded_cents),
                    "implausible_amounts": f.implausible_amounts,
                    "balanced": f.balanced,
                }
                for f in self.files
            ],
        }


@dataclass(frozen=True)
class Consolidation:
    """Many contracts in one view. Build it with :func:`consolidate`."""

    by: str
    basis: str
    #: True when the basis was given (``basis=``), False when it is the most common among the groups.
    basis_given: bool
    funder: str | None
    lang: str
    files: tuple[str, ...]
    #: Files given twice (the same bytes): (file, the file it repeats), counted once.
    duplicates: tuple[tuple[str, str], ...]
    groups: tuple[Group, ...]
    totals: Figures
    lacking: tuple[Lacking, ...]
    reconciliation: ReconciliationTotals
    #: The web's elements in model order: (id, sphere, label fr, label en), for the small multiples.
    web_elements: tuple[tuple[str, str, str, str], ...]
    meta: Mapping[str, str]
    input_files: tuple[InputFile, ...] = ()
    #: Files that could not be read, left out: (file, why in French, why in English).
    skipped: tuple[tuple[str, str, str], ...] = ()

    @property
    def lacking_groups(self) -> tuple[Group, ...]:
        """The groups whose money is out of the totals (their basis is another)."""
        return tuple(g for g in self.groups if not g.counted)

    def group(self, key: str | None, special: str | None = None) -> Group:
        for g in self.groups:
            if g.key == key and g.special == special:
                return g
        raise KeyError(key if special is None else special)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """JSON-safe, with the same keys in every language (only the words change)."""
        lang = check_lang(lang or self.lang)
        labels = {e[0]: (e[2] if lang == "fr" else e[3]) for e in self.web_elements}
        return {
            "schema_version": SCHEMA_VERSION,
            "bie_version": __version__,
            **dict(self.meta),
            "lang": lang,
            "by": self.by,
            "basis": {
                "id": self.basis,
                "label": basis_label(self.basis, lang, self.funder),
                "given": self.basis_given,
            },
            "funder": self.funder,
            "files": list(self.files),
            "duplicates": [{"file": f, "same_as": o} for f, o in self.duplicates],
            "skipped": [{"file": f, "why": fr if lang == "fr" else en} for f, fr, en in self.skipped],
            "lacking": [
                {
                    "file": x.file,
                    "basis": x.basis,
                    "basis_label": basis_label(x.basis, lang),
                    "actions": x.actions,
                }
                for x in self.lacking
            ],
            "lacking_groups": [g.key for g in self.lacking_groups],
            "totals": {"groups": len(self.groups), "files": len(self.files), **self.totals.to_dict()},
            "ranking": [
                {
                    "rank": g.rank,
                    "key": g.key,
                    "special": g.special,
                    "label": g.label(lang),
                    "files": list(g.files),
                    "basis": g.basis,
                    "basis_label": basis_label(g.basis, lang, self.funder),
                    "counted": g.counted,
                    "off_basis": list(g.off_basis),
                    "shared": g.shared,
                    **g.figures.to_dict(),
                    "web": {
                        "coverage_low": g.web_coverage_low,
                        "elements": [
                            {
                                "id": e.id,
                                "sphere": e.sphere,
                                "label": labels.get(e.id, e.id),
                                "score": e.score,
                                "source": e.source,
                            }
                            for e in g.web
                        ],
                    },
                }
                for g in self.groups
            ],
            "reconciliation": self.reconciliation.to_dict(lang),
        }

    def to_json(self, lang: str | None = None) -> str:
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

    def report_names(
        self, formats: Sequence[str] = ("html", "xlsx", "json"), stem: str = "consolidation"
    ) -> list[str]:
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown format {unknown[0]!r}; use one of {FORMATS}")
        return [f"{safe_stem(stem)}.bie.{f}" for f in dict.fromkeys(formats)]

    def write(
        self,
        directory: str | Path = ".",
        formats: Sequence[str] = ("html", "xlsx", "json"),
        stem: str = "consolidation",
        lang: str | None = None,
    ) -> list[Path]:
        """Write ``<stem>.bie.html``, ``.xlsx`` and ``.json`` (those of ``formats``) in ``directory``, all or
        nothing, never over one of the inputs (:func:`bie.outputs.write_set`)."""
        chosen = check_lang(lang or self.lang)
        names = self.report_names(formats, stem)

        def render(tmp: Path) -> None:
            if tmp.suffix == ".html":
                from bie.consolidate_html import render_consolidation_html

                tmp.write_text(render_consolidation_html(self, chosen), encoding="utf-8", newline="\n")
            elif tmp.suffix == ".xlsx":
                from bie.consolidate_excel import write_consolidation_excel

                write_consolidation_excel(self, tmp, chosen)
            else:
                tmp.write_text(self.to_json(chosen), encoding="utf-8", newline="\n")

        return write_set(directory, [(name, render) for name in names], self.input_files)


# ------------------------------------------------------------------------------------------------ inputs


def _skipped(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts) or ".bie." in relative.name


def table_files(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files to consolidate: each path given, a folder replaced by every table inside it (any depth,
    sorted by path; hidden files, Office lock files ``~$…`` and bie's outputs ``*.bie.*`` skipped)."""
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    out: list[Path] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            found = [
                p
                for p in path.rglob("*")
                if p.suffix.lower() in TABLE_SUFFIXES and p.is_file() and not _skipped(p.relative_to(path))
            ]
            out.extend(sorted(found, key=lambda p: p.relative_to(path).as_posix()))
        else:
            out.append(path)
    return out


# ------------------------------------------------------------------------------------------------ groups


def _cents(euros: float | int | None) -> int:
    return round((euros or 0) * 100)


def _grantor_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """``_group``: the grantor's SIRET; else the SIRET found beside the same name elsewhere; else
    ``name:<folded name>``; null when neither is given. ``_grantor_name``: the name as written."""
    name = (
        pl.col("grantor").cast(pl.String).str.replace_all(r"\s+", " ").str.strip_chars()
        if "grantor" in frame.columns
        else pl.lit(None, pl.String)
    )
    ident = (
        pl.col("grantor_id").cast(pl.String).str.replace_all(r"\s+", "").str.strip_chars()
        if "grantor_id" in frame.columns
        else pl.lit(None, pl.String)
    )
    keyed = frame.with_columns(name.alias(_GRANTOR_NAME), ident.replace("", None).alias("_gid"))
    names = keyed.get_column(_GRANTOR_NAME).unique().drop_nulls().to_list()
    folded = {n: fold(n) for n in names}
    pairs = keyed.filter(pl.col("_gid").is_not_null() & pl.col(_GRANTOR_NAME).is_not_null())
    known: dict[str, str] = {}
    for n, gid in sorted(set(pairs.select(_GRANTOR_NAME, "_gid").iter_rows())):
        known.setdefault(folded[n], gid)  # the smallest SIRET seen beside this name
    by_name = {n: known.get(f) or (f"name:{f}" if f else None) for n, f in folded.items()}
    return keyed.with_columns(
        pl.coalesce(
            pl.col("_gid"),
            pl.col(_GRANTOR_NAME).replace_strict(by_name, default=None, return_dtype=pl.String),
        ).alias(_GROUP)
    ).drop("_gid")


def _territory_groups(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (action, quartier) as the « Par quartier » table counts them (:mod:`bie.analysis`)."""
    if "territory" not in frame.columns:
        return frame.with_columns(pl.lit(None, pl.String).alias(_GROUP), pl.lit(False).alias(_SHARED))
    keys = analysis.territory_keys(frame.get_column("territory"))
    table = pl.DataFrame(
        {"territory": list(keys), _GROUP: list(keys.values())},
        schema={"territory": pl.String, _GROUP: pl.List(pl.String)},
    )
    return (
        frame.join(table, on="territory", how="left", maintain_order="left")
        .with_columns(pl.col(_GROUP).fill_null(pl.lit([analysis.NOT_GIVEN], pl.List(pl.String))))
        .with_columns((pl.col(_GROUP).list.len() > 1).alias(_SHARED))
        .explode(_GROUP)
    )


def _choose_basis(group_bases: Sequence[set[str]], file_bases: Sequence[str]) -> str:
    """The most common basis among the groups that have one; ties in :data:`BASIS_ORDER`; else among the
    files; ``none`` when no file has amounts."""
    for bases in ([next(iter(b)) for b in group_bases if len(b) == 1], list(file_bases)):
        counts = Counter(b for b in bases if b in BASIS_ORDER)
        if counts:
            return min(counts, key=lambda b: (-counts[b], BASIS_ORDER.index(b)))
    return "none"


def _figures(
    frame: pl.DataFrame, basis: str, categories: Mapping[str, tuple[int | None, float | None]]
) -> Figures:
    s = analysis.summary(frame, basis, None, categories)
    by = s["by_category"]
    total = _cents(s["amount_total"])
    judged = frame.height - int(by["to_review"]["count"])
    j = s["judged"]
    benef = analysis.beneficiaries(frame) or {"available": False}
    cov = benef.get("coverage") or {}
    declared = (
        frame.filter(pl.col("declared_category").is_in(["specific", "transversal"]))
        if "declared_category" in frame.columns
        else frame.clear()
    )
    overstated = declared.filter(pl.col("category") == "not_integrated").height
    to_review_cents = _cents(by["to_review"]["amount"])
    return Figures(
        basis=basis,
        actions=frame.height,
        actions_without_amount=int(s["actions_without_amount"]),
        amount_cents=total,
        by_category={c: CategoryMoney(int(by[c]["count"]), _cents(by[c]["amount"])) for c in CATEGORY_ORDER},
        weighted_cents=_cents(s["weighted_equality_spend"]["amount"]),
        weighted_share=analysis.ratio(_cents(s["weighted_equality_spend"]["amount"]), total)
        if judged
        else None,
        equality_cents=_cents(s["equality_amount"]),
        equality_share=analysis.ratio(_cents(s["equality_amount"]), total) if judged else None,
        to_review=int(by["to_review"]["count"]),
        to_review_share=j["to_review_share"],
        to_review_cents=to_review_cents,
        to_review_amount_share=analysis.ratio(to_review_cents, total),
        judged_low=bool(j["low"]),
        beneficiaries_available=bool(benef.get("available")),
        actions_with_counts=int(cov.get("actions_with_counts") or 0),
        coverage_share=analysis.ratio(int(cov.get("actions_with_counts") or 0), frame.height),
        declared=declared.height,
        declared_not_integrated=overstated,
        declaration_gap=analysis.ratio(overstated, declared.height),
    )


def _rank_key(g: Group) -> tuple[Any, ...]:
    """Highest EU-weighted share first; groups without a share last; then more money, then the name."""
    share = g.figures.weighted_share
    return (share is None, -(share or 0.0), -g.figures.amount_cents, g.special or "", g.key or "")


def _reconciliation(audit_rec: Mapping[str, Any], bases: Mapping[str, str]) -> ReconciliationTotals:
    files = []
    for f in audit_rec.get("files") or []:
        excluded = {
            str(r): (int(e["rows"]), _cents(e["amount"])) for r, e in (f.get("excluded") or {}).items()
        }
        files.append(
            InputReconciliation(
                file=str(f["file"]),
                basis=bases.get(str(f["file"]), "none"),
                rows=int(f["rows"]),
                rows_with_amount=int(f.get("rows_with_amount") or 0),
                actions=int(f["actions"]),
                input_cents=_cents(f["input_amount"]),
                actions_cents=_cents(f["actions_amount"]),
                excluded=excluded,
                excluded_cents=_cents(f["excluded_amount"]),
                implausible_amounts=int(f.get("implausible_amounts") or 0),
                balanced=bool(f["balanced"]),
            )
        )
    rows_by_reason: Counter[str] = Counter()
    money: dict[str, dict[str, Any]] = {}
    for f in files:
        m = money.setdefault(f.basis, {"files": 0, "input": 0, "actions": 0, "excluded": 0, "by": Counter()})
        m["files"] += 1
        m["input"] += f.input_cents
        m["actions"] += f.actions_cents
        m["excluded"] += f.excluded_cents
        for r, (n, c) in f.excluded.items():
            rows_by_reason[r] += n
            m["by"][r] += c
    return ReconciliationTotals(
        files=tuple(files),
        rows=sum(f.rows for f in files),
        rows_with_amount=sum(f.rows_with_amount for f in files),
        actions=sum(f.actions for f in files),
        excluded_rows=dict(sorted(rows_by_reason.items())),
        by_basis={
            b: BasisMoney(m["files"], m["input"], m["actions"], m["excluded"], dict(sorted(m["by"].items())))
            for b, m in sorted(money.items(), key=lambda kv: _basis_index(kv[0]))
        },
        balanced=all(f.balanced for f in files),
    )


def _basis_index(basis: str) -> int:
    return BASIS_ORDER.index(basis) if basis in BASIS_ORDER else len(BASIS_ORDER)


# ------------------------------------------------------------------------------------------------ entry


def consolidate(
    paths: str | Path | Sequence[str | Path],
    by: str = "file",
    lang: str = "fr",
    progress: Progress | None = None,
    *,
    basis: str | None = None,
    sheet: str | int | None = None,
    mapping: str | Path | None = None,
    rules: Sequence[str | Path] = (),
    overrides: str | Path | None = None,
    funder: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Consolidation:
    """Audit every table of ``paths`` (files and folders) and consolidate them ``by`` file, grantor or
    territory. The keyword options are :func:`bie.audit`'s (a questionnaire describes one contract: none
    here). A file that cannot be read is left out and listed in :attr:`Consolidation.skipped` with why;
    when none can be read, the first error is raised."""
    from bie.audit import audit
    from bie.tagging import load_rules
    from bie.web import load_model, profile

    if by not in BY:
        raise ValueError(f"unknown grouping {by!r}; use one of {BY}")
    if basis is not None and basis not in BASIS_ORDER:
        raise ValueError(f"unknown basis {basis!r}; use one of {BASIS_ORDER}")
    check_lang(lang)
    files = table_files(paths)
    if not files:
        raise ValueError("no table to consolidate (.xlsx, .xlsm, .xls, .ods, .csv)")
    done = 0

    def step(message: str) -> None:
        nonlocal done
        if progress is not None and message.startswith("read:"):
            done += 1
            progress(done, len(files), message[len("read:") :])

    # bie.audit parses the next files on worker threads while it works on the previous ones (both cores)
    result = audit(
        files,
        sheet=sheet,
        mapping=mapping,
        rules=rules,
        overrides=overrides,
        funder=funder,
        lang=lang,
        limits=limits,
        progress=step,
        # One unreadable file out of 200 must not stop the run: it is listed, with why (``skipped``).
        skip_unreadable=True,
    )
    pack = result.pack or load_rules()
    categories = {c.id: (c.dac_marker, c.eu_weight) for c in pack.categories}
    file_basis = {str(i["file"]): str(i["amount_basis"]) for i in result.meta["inputs"]}
    file_actions = {str(i["file"]): int(i["actions"]) for i in result.meta["inputs"]}
    frame = result.actions
    if frame.height == 0 or "_file" not in frame.columns:
        frame = pl.DataFrame(
            {"_file": [], "category": [], analysis.AMOUNT: []},
            schema={"_file": pl.String, "category": pl.String, analysis.AMOUNT: pl.Float64},
        )
    frame = frame.with_columns(pl.col("_file").replace_strict(file_basis, default="none").alias("_basis"))

    if by == "file":
        long = frame.with_columns(pl.col("_file").alias(_GROUP), pl.lit(False).alias(_SHARED))
    elif by == "grantor":
        long = _grantor_keys(frame).with_columns(pl.lit(False).alias(_SHARED))
    else:
        long = _territory_groups(frame)
    long = long.with_columns(pl.col(_GROUP).fill_null(analysis.NOT_GIVEN))
    parts = long.partition_by(_GROUP, as_dict=True, maintain_order=True)
    keys = [str(k[0]) for k in parts]
    if by == "file":  # every file is a group, even one without actions
        keys = list(file_basis)
    group_bases = [
        set(parts[(k,)].get_column("_basis").unique().to_list()) if (k,) in parts else {file_basis[k]}
        for k in keys
    ]
    chosen = basis or _choose_basis(group_bases, list(file_basis.values()))

    model = load_model()
    subs: list[tuple[pl.DataFrame, str]] = []
    for key, bases in zip(keys, group_bases, strict=True):
        sub = parts.get((key,), frame.clear())
        own = next(iter(bases)) if len(bases) == 1 else chosen
        if len(bases) > 1:  # files on other bases: their actions counted, without money
            sub = sub.with_columns(
                pl.when(pl.col("_basis") == chosen).then(pl.col(analysis.AMOUNT)).alias(analysis.AMOUNT)
            )
        subs.append((sub, own))

    def measure(job: tuple[pl.DataFrame, str]) -> tuple[WebProfile, Figures]:
        return profile(job[0], model, amount=analysis.AMOUNT), _figures(job[0], job[1], categories)

    # Groups are independent: two threads share them (polars releases the interpreter while it computes).
    workers = min(2, os.cpu_count() or 1) if len(subs) >= _PARALLEL_GROUPS else 1
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bie-group") as pool:
            measured = list(pool.map(measure, subs))
    else:
        measured = [measure(job) for job in subs]
    groups: list[Group] = []
    for key, (sub, own), (web, figures) in zip(keys, subs, measured, strict=True):
        group_files = list(dict.fromkeys(sub.get_column("_file").to_list())) if sub.height else [key]
        special = None if by == "file" else analysis.SPECIAL_KEYS.get(key)
        name: str | None = key
        if by == "grantor" and special is None:
            written = sub.get_column(_GRANTOR_NAME).drop_nulls().to_list()
            counts = Counter(written)
            name = min(counts, key=lambda n: (-counts[n], n)) if counts else key
        groups.append(
            Group(
                rank=0,
                key=None if special else key,
                name=None if special else name,
                special=special,
                files=tuple(group_files),
                basis=own,
                counted=own == chosen and any(file_basis.get(f) == chosen for f in group_files),
                off_basis=tuple(f for f in group_files if file_basis.get(f, "none") != chosen),
                figures=figures,
                web=tuple(ElementScore(e.id, e.element.sphere, e.score, e.source) for e in web.elements),
                web_coverage_low=web.coverage_low,
                shared=int(sub.get_column(_SHARED).sum()) if sub.height else 0,
            )
        )
    ranked = tuple(replace(g, rank=i + 1) for i, g in enumerate(sorted(groups, key=_rank_key)))
    pooled = frame.with_columns(
        pl.when(pl.col("_basis") == chosen).then(pl.col(analysis.AMOUNT)).alias(analysis.AMOUNT)
    )
    duplicates = tuple(
        (str(issue.params.get("file")), str(issue.params.get("other")))
        for _, issue in result.issues
        if issue.code == "duplicate-input"
    )
    return Consolidation(
        by=by,
        basis=chosen,
        basis_given=basis is not None,
        funder=funder,
        lang=lang,
        files=tuple(file_basis),
        duplicates=duplicates,
        groups=ranked,
        totals=_figures(pooled, chosen, categories),
        lacking=tuple(Lacking(f, b, file_actions[f]) for f, b in file_basis.items() if b != chosen),
        reconciliation=_reconciliation(result.reconciliation, file_basis),
        web_elements=tuple((e.id, e.sphere, e.label_fr, e.label_en) for e in model.elements),
        meta={
            "rules_version": str(result.meta["rules_version"]),
            "web_version": str(result.meta["web_version"]),
            "vocabulary_version": str(result.meta["vocabulary_version"]),
            "generated_at": str(result.meta["generated_at"]),
        },
        input_files=result.input_files,
        skipped=tuple((str(x["file"]), str(x["fr"]), str(x["en"])) for x in result.meta.get("skipped") or []),
    )
