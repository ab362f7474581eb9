"""``bie.audit``: read → tag → web → analyse, in one object that feeds every report.

audit = bie.audit(["programmation_2024.xlsx"], questionnaire="toile.xlsx")
audit.summary                 # money by category
audit.actions                 # polars DataFrame: one row per action with its tag and web elements
audit.to_json(); audit.to_html(); audit.to_excel("rapport.xlsx")
audit.write_json("rapport.json", actions="summary")   # streamed; "all" (default), "summary" or "none"
audit.write("rapports/")      # programmation_2024.bie.html, .bie.xlsx, .bie.json, all or nothing

Progress: ``bie.audit(..., progress=callback)`` and ``audit.write(..., progress=callback)`` call
``callback(stage, done, total)`` (:mod:`bie.progress`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal, cast, overload

import polars as pl

from bie import analysis
from bie._version import __version__
from bie.errors import BieError, FunderEmpty, FunderNotFound, Text
from bie.i18n import fmt
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.issues import Issue
from bie.mapping import FUNDING_PREFIX
from bie.model import ReadResult
from bie.outputs import (
    InputFile,
    distinct_names,
    identify,
    safe_stem,
    write_set,
    write_text_atomic,
)
from bie.progress import LegacyProgress, Progress, reporter
from bie.progress import stage as progress_stage
from bie.reader import read, reading_ahead
from bie.report.model import SCHEMA_VERSION, AuditReport, summary_for_json
from bie.report.model import build as build_report
from bie.resources import load_data
from bie.tagging.rules import RulePack
from bie.vocabulary import fold, vocabulary

if TYPE_CHECKING:
    from bie.consolidate import Consolidation

FORMATS = ("html", "xlsx", "json")

#: What the JSON says of each action: ``all`` its every field (the default), ``summary`` the few that
#: locate and classify it (:attr:`Audit.SUMMARY_FIELDS`), ``none`` no action list (``actions_detail``
#: says which; the summary, breakdowns, findings and excluded rows are always there).
JsonActions = Literal["all", "summary", "none"]
JSON_ACTIONS: tuple[JsonActions, ...] = ("all", "summary", "none")

#: Rows serialised by polars at a time when the JSON is streamed: bounds the memory the lists take (about
#: a megabyte for 1,000 actions with long texts; measured at 100,000 actions, smaller chunks were also
#: faster than 5,000 or 20,000, see CHANGELOG.md).
JSON_CHUNK_ROWS = 1_000


def _now() -> dt.datetime:
    """The report date: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().lstrip("-").isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


#: Co-funders named at most in a ``funder-not-found`` message (the count says how many there are).
FUNDERS_LISTED = 20


def check_funder(funder: str | None) -> str | None:
    """``funder`` as given, or :class:`~bie.errors.FunderEmpty` when it is blank or has no letter or digit
    (its folded form would be empty, a substring of every co-funder's name)."""
    if funder is not None and not fold(funder):
        raise FunderEmpty(funder=funder)
    return funder


def funder_columns(result: ReadResult, funder: str) -> list[str]:
    """The co-funders of ``result`` that ``funder`` names: its folded form (no accents, case or punctuation)
    is part of the funder's folded name (« Etat » names « État (ANCT) »), or equals its identifier. Several
    co-funders may match (« Etat » names « État ANCT » and « État droit commun »): their amounts are added."""
    wanted = fold(funder)
    found = [
        f.funder
        for f in result.mapping.funding
        if wanted and (wanted in fold(f.funder) or wanted == (f.funder_id or ""))
    ]
    return list(dict.fromkeys(found))


def check_funder_found(funder: str | None, results: Sequence[ReadResult]) -> None:
    """Raise :class:`~bie.errors.FunderNotFound` when ``funder`` names no co-funder of any of ``results``,
    listing the co-funders found (or saying there is none)."""
    if funder is None or any(funder_columns(r, funder) for r in results):
        return
    names = list(dict.fromkeys(f.funder for r in results for f in r.mapping.funding))
    if names:
        shown = names[:FUNDERS_LISTED]
        more = len(names) - len(shown)
        found = Text(
            ", ".join(f"« {n} »" for n in shown) + (f", … ({len(names)} en tout)" if more else ""),
            ", ".join(f'"{n}"' for n in shown) + (f", … ({len(names)} in all)" if more else ""),
        )
    else:
        found = Text("aucun, pas de colonne par cofinanceur", "none, no column per co-funder")
    path = results[0].path if len(results) == 1 else None
    raise FunderNotFound(path, funder=funder, found=found)


def _basis(result: ReadResult, funder: str | None) -> tuple[str, str | None, list[str]]:
    """(basis id, funder shown, columns summed) for one file. With ``funder``, the co-funders it names
    (:func:`funder_columns`); the name shown joins them with « + » when there are several."""
    actions = result.actions
    if funder is not None:
        matched = funder_columns(result, funder)
        cols = [f"{FUNDING_PREFIX}{name}" for name in matched]
        return "funder", " + ".join(matched) or funder, cols
    for stage, col in (
        ("granted", "amount_granted"),
        ("proposed", "amount_proposed"),
        ("requested", "amount_requested"),
    ):
        if col in actions.columns and actions.get_column(col).null_count() < actions.height:
            return stage, None, [col]
    funding = result.mapping.funding
    for stage in ("granted", "proposed", "requested"):
        staged = [f"{FUNDING_PREFIX}{f.funder}" for f in funding if f.stage == stage]
        if staged:
            return "funders", None, staged
    if funding:
        return "funders", None, [f"{FUNDING_PREFIX}{f.funder}" for f in funding]
    return "none", None, []


def _sum_columns(cols: list[str], present: Iterable[str]) -> pl.Expr:
    """The sum of ``cols`` on each row, in euros (null when every cell is null).

    Added in integer cents: amounts are capped by the parser (at most 10^15 cents, parse.AMOUNT_LIMIT), so
    the Int64 cast of each cell is exact and the Int128 sum cannot overflow; the result, below 2^53 cents
    for any number of columns a file may have (limits.max_columns), converts back to euros exactly."""
    have = [c for c in cols if c in set(present)]
    if not have:
        return pl.lit(None, pl.Float64)
    total = pl.sum_horizontal([(pl.col(c) * 100).round(0).cast(pl.Int64).cast(pl.Int128) for c in have])
    return pl.when(pl.any_horizontal([pl.col(c).is_not_null() for c in have])).then(
        (total.cast(pl.Float64) / 100).round(2)
    )


def _row_columns(cols: list[str], amounts: pl.DataFrame) -> list[str]:
    """The amount columns reconciled for a file: the basis columns, or when no action has an amount (an
    empty table, a lone total…), the first stage present on any row, so that no written euro vanishes."""
    if cols:
        return cols
    filled = [
        c for c in amounts.columns if c != "_row" and amounts.get_column(c).null_count() < amounts.height
    ]
    for col in ("amount_granted", "amount_proposed", "amount_requested"):
        if col in filled:
            return [col]
    return [c for c in filled if c.startswith(FUNDING_PREFIX)]


@dataclass
class Audit:
    """An audit of one or several funding tables. Build it with :func:`audit`."""

    inputs: list[ReadResult]
    actions: pl.DataFrame
    excluded: pl.DataFrame
    summary: dict[str, Any]
    breakdowns: dict[str, Any]
    stages: dict[str, Any] | None
    beneficiaries: dict[str, Any] | None
    web: dict[str, Any]
    data_quality: dict[str, Any]
    reconciliation: dict[str, Any]
    metrics: dict[str, Any]
    #: Every issue with the name of the file it concerns (None for the tagging of the whole audit).
    issues: list[tuple[str | None, Issue]]
    meta: dict[str, Any]
    lang: str = "fr"
    web_profile: Any = None
    #: The rule pack the actions were tagged with (its rule titles word the reasons).
    pack: RulePack | None = None
    #: Every file read (data, mapping, rules, overrides, questionnaire) by its identity on disk: no output
    #: is ever written over one of them.
    input_files: tuple[InputFile, ...] = ()
    #: The name shown for each of :attr:`inputs` (file name, or the end of its path that tells apart files
    #: with the same name).
    input_names: list[str] = field(default_factory=list)
    _reports: dict[str, AuditReport] = field(default_factory=dict, repr=False, compare=False)

    # ---------------------------------------------------------------- renderers
    @property
    def n_actions(self) -> int:
        """How many actions the audit counts."""
        return self.actions.height

    def report(self, lang: str | None = None) -> AuditReport:
        """The report model in ``lang``: every figure, label and finding the reports show, decided once
        (:mod:`bie.report.model`)."""
        lang = lang or self.lang
        cached = self._reports.get(lang)
        if cached is None:
            cached = self._reports[lang] = build_report(self, lang)
        return cached

    def to_dict(
        self, lang: str | None = None, rows: bool = True, actions: JsonActions = "all"
    ) -> dict[str, Any]:
        """The whole audit as plain Python objects; ``rows=False`` leaves out the per-row lists
        (``actions``, ``excluded``), which :meth:`write_json` writes faster with polars. ``actions``: what
        is said of each action (:data:`JsonActions`); other than ``all``, ``actions_detail`` says it."""
        lang = lang or self.lang
        if actions not in JSON_ACTIONS:
            raise ValueError(f"unknown actions detail {actions!r}; use one of {JSON_ACTIONS}")
        model = self.report(lang)
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "bie_version": __version__,
            "rules_version": self.meta["rules_version"],
            "web_version": self.meta["web_version"],
            "vocabulary_version": self.meta["vocabulary_version"],
            "generated_at": self.meta["generated_at"],
            "lang": lang,
            "title": model.title,
            "funder": self.meta["funder"],
            "inputs": self.meta["inputs"],
            "skipped": [
                {"file": x["file"], "code": x["code"], "message": x["en" if lang == "en" else "fr"]}
                for x in self.meta.get("skipped") or []
            ],
            "summary": summary_for_json(self, model),
            "breakdowns": self.breakdowns,
            "stages": self.stages,
            "beneficiaries": self.beneficiaries,
            "web": dict(model.web.data),
            "data_quality": self.data_quality,
            "reconciliation": self.reconciliation,
            "findings": [f.to_dict() for f in model.findings],
            "issues": [{"file": file, **issue.to_dict(lang)} for file, issue in self.issues],
        }
        if actions != "all":
            out["actions_detail"] = actions
        if rows:
            if actions != "none":
                out["actions"] = self.action_records(actions)
            out["excluded"] = self.excluded_records()
        return out

    def web_svg(self, lang: str | None = None) -> str:
        """The web of institutionalisation as an inline SVG."""
        return str(_web_module().render_svg(self.web_profile, lang or self.lang))

    def web_text(self, lang: str | None = None) -> str:
        """The plain-language text alternative of the web picture."""
        return str(_web_module().text_alternative(self.web_profile, lang or self.lang))

    def web_dict(self, lang: str) -> dict[str, Any]:
        if self.web_profile is not None:
            return dict(self.web_profile.to_dict(lang))
        return self.web

    #: Columns of each action in the JSON, in order (those the input has).
    ACTION_FIELDS: ClassVar[tuple[str, ...]] = (
        "_file",
        "_sheet",
        "_row",
        "_line",
        "action_id",
        "title",
        "carrier",
        "pillar",
        "theme",
        "territory",
        "year",
        "_amount",
        "category",
        "dac_marker",
        "eu_weight",
        "confidence",
        "review_reason",
        "reasons",
        "audience",
        "declared_category",
        "declaration_mismatch",
        "override",
        "web_elements",
        "women",
        "men",
        "beneficiaries_total",
        "amount_requested",
        "amount_proposed",
        "amount_granted",
        "total_cost",
    )
    #: Columns of each action in the ``summary`` form of the JSON (``actions="summary"``): where the action
    #: is, what it is, its money, its category and why it is to review; in order, those the input has.
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = (
        "_file",
        "_sheet",
        "_row",
        "_line",
        "action_id",
        "title",
        "_amount",
        "category",
        "review_reason",
    )
    _RENAME: ClassVar[dict[str, str]] = {
        "_file": "file",
        "_sheet": "sheet",
        "_row": "row",
        "_line": "line",
        "_amount": "amount",
    }

    def actions_table(self, actions: JsonActions = "all") -> pl.DataFrame:
        """The actions as the JSON lists them: stable keys, co-funders grouped in a ``funding`` object;
        ``actions="summary"``: only :attr:`SUMMARY_FIELDS`."""
        frame = self.actions
        fields = self.SUMMARY_FIELDS if actions == "summary" else self.ACTION_FIELDS
        cols = [pl.col(c).alias(self._RENAME.get(c, c)) for c in fields if c in frame.columns]
        funding = [c for c in frame.columns if c.startswith(FUNDING_PREFIX)]
        if funding and actions != "summary":
            cols.append(
                pl.struct([pl.col(c).alias(c[len(FUNDING_PREFIX) :]) for c in funding]).alias("funding")
            )
        return frame.select(cols)

    def excluded_table(self) -> pl.DataFrame:
        return self.excluded.select("file", "sheet", "row", "reason", "text", "amount")

    def action_records(self, actions: JsonActions = "all") -> list[dict[str, Any]]:
        return self.actions_table(actions).to_dicts()

    def excluded_records(self) -> list[dict[str, Any]]:
        return self.excluded_table().to_dicts()

    def to_json(self, lang: str | None = None, actions: JsonActions = "all") -> str:
        """The audit as JSON (see ``bie/data/audit.schema.json``): what :meth:`write_json` writes, as a
        string. For a large audit, write it to a file with :meth:`write_json` instead."""
        buffer = io.StringIO()
        self.write_json(buffer, lang, actions)
        return buffer.getvalue()

    def write_json(
        self,
        target: str | Path | IO[bytes] | IO[str],
        lang: str | None = None,
        actions: JsonActions = "all",
        progress: Progress | LegacyProgress | None = None,
    ) -> None:
        """Write the audit as JSON (see ``bie/data/audit.schema.json``) into ``target``: a path (written all
        or nothing, never over one of the inputs) or an open file, binary (UTF-8 is written) or text.

        Streamed: the head (summary, breakdowns, findings…) is written by :mod:`json`, then the action and
        excluded-row lists, one object per source row, are serialised by polars (in Rust) straight into
        ``target``, :data:`JSON_CHUNK_ROWS` rows at a time: the whole document never exists in memory.
        ``actions``: every field of each action (``all``), the few that locate and classify it
        (``summary``, :attr:`SUMMARY_FIELDS`) or no action list (``none``); see :data:`JsonActions`.
        ``progress``: stage ``json``, rows written out of the rows to write (:mod:`bie.progress`)."""
        if isinstance(target, str | Path):
            path = Path(target)
            render = self._renderer("json", lang, progress, actions)
            write_set(path.parent, [(path.name, render)], self.input_files)
            return
        lang = lang or self.lang
        report = reporter(progress)
        lists = [("excluded", self.excluded_table())]
        if actions != "none":
            lists.insert(0, ("actions", self.actions_table(actions)))
        total = sum(table.height for _, table in lists)
        done = 0
        report("json", 0, total)
        head = json.dumps(
            self.to_dict(lang, rows=False, actions=actions),
            ensure_ascii=False,
            indent=2,
            default=_json_default,
        )
        assert head.endswith("\n}")
        text = isinstance(target, io.TextIOBase)
        out_text = cast("IO[str]", target)
        out_bytes = cast("IO[bytes]", target)

        def put(chunk: bytes | memoryview) -> None:
            if text:
                out_text.write(str(chunk, "utf-8"))
            else:
                out_bytes.write(chunk)

        put(head[:-2].encode("utf-8"))
        buffer = io.BytesIO()
        for name, table in lists:
            put(f',\n  "{name}": ['.encode())
            for i, part in enumerate(table.iter_slices(JSON_CHUNK_ROWS)):
                buffer.seek(0)
                buffer.truncate()
                part.write_json(buffer)  # "[{…},{…}]": written without its brackets, never copied
                if i:
                    put(b",")
                with buffer.getbuffer() as view, view[1:-1] as body:
                    put(body)
                done += part.height
                report("json", done, total)
            put(b"]")
        put(b"\n}\n")
        if total == 0:
            report("json", 1, 1)

    def to_html(self, lang: str | None = None) -> str:
        from bie.report.html import render_html

        return render_html(self, lang or self.lang)

    def to_excel(self, path: str | Path, lang: str | None = None) -> Path:
        """Write the Excel report to ``path`` (all or nothing; never over one of the inputs)."""
        target = Path(path)
        write_set(target.parent, [(target.name, self._renderer("xlsx", lang))], self.input_files)
        return target

    def write_svg(self, path: str | Path, lang: str | None = None) -> Path:
        """Write the web picture as an SVG file (atomically; never over one of the inputs)."""
        target = Path(path)
        write_text_atomic(target, self.web_svg(lang), self.input_files)
        return target

    def report_names(self, formats: Sequence[str] = FORMATS, stem: str | None = None) -> list[str]:
        """The file names :meth:`write` uses: ``<stem>.bie.html``, ``.bie.xlsx``, ``.bie.json``."""
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown format {unknown[0]!r}; use one of {FORMATS}")
        stem = safe_stem(stem or self.meta["stem"])
        return [f"{stem}.bie.{fmt_}" for fmt_ in formats]

    def _renderer(
        self,
        fmt_: str,
        lang: str | None,
        progress: Progress | LegacyProgress | None = None,
        json_actions: JsonActions = "all",
    ) -> Callable[[Path], None]:
        report = reporter(progress)

        def render(tmp: Path) -> None:
            if fmt_ == "json":
                with tmp.open("wb") as stream:
                    self.write_json(stream, lang, json_actions, report)
                return
            with progress_stage(report, fmt_):
                if fmt_ == "html":
                    tmp.write_text(self.to_html(lang), encoding="utf-8", newline="\n")
                else:
                    from bie.report.excel import write_excel

                    write_excel(self, tmp, lang or self.lang)

        return render

    def write(
        self,
        directory: str | Path = ".",
        formats: Sequence[str] = FORMATS,
        stem: str | None = None,
        lang: str | None = None,
        progress: Progress | LegacyProgress | None = None,
        json_actions: JsonActions = "all",
    ) -> list[Path]:
        """Write the reports ``<stem>.bie.html``, ``.bie.xlsx``, ``.bie.json`` in ``directory``.

        ``progress``: one stage per report, ``html``, ``xlsx``, ``json`` (:mod:`bie.progress`).
        ``json_actions``: what the JSON says of each action (:meth:`write_json`).

        All or nothing: every format is rendered in a hidden temporary folder inside ``directory``, then
        moved in place; a report that would replace one of the inputs is refused before anything is written
        (:class:`~bie.errors.OutputIsInput`); two runs writing to one folder wait for each other
        (:class:`~bie.errors.OutputLocked` after :data:`bie.outputs.LOCK_WAIT` seconds). See
        :mod:`bie.outputs`."""
        names = self.report_names(formats, stem)
        if json_actions not in JSON_ACTIONS:
            raise ValueError(f"unknown actions detail {json_actions!r}; use one of {JSON_ACTIONS}")
        report = reporter(progress)
        renders = [
            (name, self._renderer(f, lang, report, json_actions))
            for name, f in zip(names, formats, strict=True)
        ]
        return write_set(directory, renders, self.input_files)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@overload
def audit(
    paths: str | Path | Sequence[str | Path],
    *,
    sheet: str | int | None = None,
    mapping: str | Path | None = None,
    rules: Sequence[str | Path] = (),
    overrides: str | Path | None = None,
    questionnaire: str | Path | None = None,
    funder: str | None = None,
    title: str | None = None,
    lang: str = "fr",
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | LegacyProgress | None = None,
    skip_unreadable: bool = False,
    by: None = None,
) -> Audit: ...


@overload
def audit(
    paths: str | Path | Sequence[str | Path],
    *,
    sheet: str | int | None = None,
    mapping: str | Path | None = None,
    rules: Sequence[str | Path] = (),
    overrides: str | Path | None = None,
    questionnaire: str | Path | None = None,
    funder: str | None = None,
    title: str | None = None,
    lang: str = "fr",
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | LegacyProgress | None = None,
    skip_unreadable: bool = False,
    by: Literal["file", "grantor", "territory"],
) -> Consolidation: ...


def audit(
    paths: str | Path | Sequence[str | Path],
    *,
    sheet: str | int | None = None,
    mapping: str | Path | None = None,
    rules: Sequence[str | Path] = (),
    overrides: str | Path | None = None,
    questionnaire: str | Path | None = None,
    funder: str | None = None,
    title: str | None = None,
    lang: str = "fr",
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | LegacyProgress | None = None,
    skip_unreadable: bool = False,
    by: Literal["file", "grantor", "territory"] | None = None,
) -> Audit | Consolidation:
    """Audit one or several funding tables: every action tagged, placed on the web, and analysed.

    ``by``: consolidate many contracts instead (:func:`bie.consolidate`, one view ranked by file, grantor or
    territory, folders accepted, unreadable files listed): returns a :class:`bie.consolidate.Consolidation`.
    A questionnaire and a title describe one contract: they are refused with ``by``.

    ``skip_unreadable``: a file that cannot be read (not a table, damaged, refused as hostile…) is left out
    with an error issue ``file-unreadable`` naming it and why (listed in ``meta["skipped"]``) instead of
    stopping the audit; when no file can be read, the first error is raised. For many files at once
    (:func:`bie.consolidate`); one file's audit always stops on it.

    ``progress``: called ``progress(stage, done, total)`` as the audit goes, stages ``read:<file>`` (files
    read out of the files given), ``tag`` (actions tagged), ``web`` and ``analyse``; see :mod:`bie.progress`.
    """
    report = reporter(progress)
    if by is not None:
        if questionnaire is not None or title is not None:
            raise ValueError("a questionnaire or a title describes one contract: not with by=")
        from bie.consolidate import consolidate

        def count(done: int, total: int, name: str) -> None:
            report(f"read:{name}", done - 1, total)

        return consolidate(
            paths,
            by,
            lang,
            count,
            sheet=sheet,
            mapping=mapping,
            rules=rules,
            overrides=overrides,
            funder=funder,
            limits=limits,
        )
    from bie.tagging import load_overrides, load_rules, tag

    web = _web_module()

    funder = check_funder(funder)
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    pack = load_rules([Path(r) for r in rules])
    model = web.load_model()
    answers = web.read_questionnaire(questionnaire, limits=limits) if questionnaire else None
    manual = load_overrides(overrides) if overrides else None
    results: list[ReadResult] = []
    frames: list[pl.DataFrame] = []
    excluded: list[pl.DataFrame] = []
    files_rec: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    issues: list[tuple[str | None, Issue]] = []
    funding_columns: dict[str, str] = {}
    bases: set[str] = set()
    basis_name: str | None = None
    # Every file read, by its identity on disk: no report may be written over one of them.
    input_files = identify([*files, mapping, *rules, overrides, questionnaire])
    all_names = distinct_names(files)
    names: list[str] = []
    seen: dict[str, str] = {}
    skipped: list[dict[str, str]] = []
    first_error: BieError | None = None
    # the next files are read ahead on a second core while this one is processed (same results)
    with reading_ahead(files, sheet=sheet, mapping=mapping, limits=limits):
        for index, (path, name) in enumerate(zip(files, all_names, strict=True)):
            report(f"read:{name}", index, len(files))
            try:
                result = read(path, sheet=sheet, mapping=mapping, limits=limits)
            except BieError as exc:
                if not skip_unreadable:
                    raise
                first_error = first_error or exc
                reason = Text(exc.message("fr"), exc.message("en"))
                issues.append((name, Issue("file-unreadable", params={"file": name, "reason": reason})))
                skipped.append({"file": name, "code": exc.code, "fr": reason.fr, "en": reason.en})
                continue
            if result.sha256 is not None and result.sha256 in seen:
                # The same bytes given twice (same path, a link or a copy): counted once, with a warning.
                twice = Issue("duplicate-input", params={"file": name, "other": seen[result.sha256]})
                issues.append((name, twice))
                continue
            if result.sha256 is not None:
                seen[result.sha256] = name
            results.append(result)
            names.append(name)
            basis, shown, cols = _basis(result, funder)
            bases.add(basis)
            basis_name = shown
            frame = result.actions.with_columns(
                pl.lit(name).alias("_file"), _sum_columns(cols, result.actions.columns).alias(analysis.AMOUNT)
            )
            if funder is not None:
                frame = frame.filter(pl.col(analysis.AMOUNT).fill_null(0) > 0)
            frames.append(frame)
            for f in result.mapping.funding:
                funding_columns.setdefault(f.funder, f"{FUNDING_PREFIX}{f.funder}")
            # Reconciliation: every data row's amount on this basis, actions and excluded rows by reason.
            amounts = result.row_amounts if result.row_amounts is not None else pl.DataFrame({"_row": []})
            row_cols = _row_columns(cols, amounts)
            row_basis = amounts.select(
                pl.col("_row"), _sum_columns(row_cols, amounts.columns).alias("amount")
            )
            ledger = result.ledger.join(row_basis, left_on="row", right_on="_row", how="left")
            ex = ledger.filter(pl.col("status") == "excluded").with_columns(pl.lit(name).alias("file"))
            excluded.append(ex.select("file", "sheet", "row", "reason", "text", "amount"))
            files_rec.append(
                _reconcile(name, ledger, frame, result.issue_counts.get("amount-implausible", 0))
            )
            inputs.append(
                {
                    "file": name,
                    "sha256": result.sha256,
                    "format": result.format,
                    "sheet": result.sheet,
                    "header_rows": result.header_rows,
                    "rows": result.ledger.height,
                    "actions": result.actions.height,
                    "amount_basis": basis,
                    "encoding": result.encoding,
                }
            )
            issues.extend((name, issue) for issue in result.issues)
        if files:
            report(f"read:{all_names[-1]}", len(files), len(files))
    if not results and first_error is not None:
        raise first_error
    check_funder_found(funder, results)
    actions = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    report("tag", 0, actions.height)
    tagged_rows = 0

    def tagging(done: int, total: int) -> None:
        nonlocal tagged_rows
        tagged_rows = done
        report("tag", done, total)

    tagged = tag(actions, pack, manual, progress=tagging)
    if tagged_rows != actions.height:  # the stage ends with done == total
        report("tag", actions.height, actions.height)
    issues.extend((None, issue) for issue in tagged.issues)
    with progress_stage(report, "web"):
        with_web = web.element_tags(tagged.frame, model)
        web_profile = web.profile(with_web, model, questionnaire=answers, amount=analysis.AMOUNT)
    report("analyse", 0, 0)
    basis_id = bases.pop() if len(bases) == 1 else "mixed"
    categories = {c.id: (c.dac_marker, c.eu_weight) for c in pack.categories}
    summary = analysis.summary(with_web, basis_id, basis_name, categories)
    quality = _quality(results, names, with_web, [i for _, i in issues])
    stages = analysis.stages(with_web)
    beneficiaries = analysis.beneficiaries(with_web)
    web_dict = web_profile.to_dict(lang)
    metrics = _metrics(summary, beneficiaries, stages, quality, web_dict)
    meta = {
        "rules_version": pack.full_version,
        "web_version": model.version,
        "vocabulary_version": vocabulary().version,
        "generated_at": _now().isoformat(),
        "title": title or _default_title(names, lang),
        "funder": funder,
        "inputs": inputs,
        "skipped": skipped,
        # Reports are named <stem>.bie.<format>: never the name of an input (see bie.outputs).
        "stem": safe_stem(Path(files[0]).stem) if len(results) == 1 else "audit",
    }
    audited = Audit(
        inputs=results,
        actions=with_web,
        excluded=pl.concat(excluded, how="diagonal_relaxed"),
        summary=summary,
        breakdowns=analysis.breakdowns(with_web, funding_columns),
        stages=stages,
        beneficiaries=beneficiaries,
        web=web_dict,
        data_quality=quality,
        reconciliation=analysis.reconciliation(files_rec),
        metrics=metrics,
        issues=issues,
        meta=meta,
        lang=lang,
        web_profile=web_profile,
        pack=pack,
        input_files=input_files,
        input_names=names,
    )
    report("analyse", 1, 1)
    return audited


def _web_module() -> Any:
    import bie.web as web_module

    return web_module


def _default_title(files: list[str], lang: str) -> str:
    template = load_data("labels_html.yaml")["page"]["default_title"][lang]
    return fmt(str(template), names=", ".join(files))


def _reconcile(
    name: str, ledger: pl.DataFrame, actions: pl.DataFrame, implausible: int = 0
) -> dict[str, Any]:
    """Every data row's amount, actions and excluded rows by reason, added in Int128 cents (exact, and no
    file can overflow it); ``implausible`` counts the amount cells left out of every sum (issue
    ``amount-implausible``)."""
    cents = (pl.col("amount").fill_null(0) * 100).round(0).cast(pl.Int64).cast(pl.Int128)
    # one pass over the ledger (a per-file cost when many files are consolidated), then small Python sums
    groups = ledger.group_by("status", "reason").agg(
        pl.len().alias("rows"),
        cents.sum().alias("c"),
        (pl.col("amount").is_not_null() | (pl.col("status") == "action")).sum().alias("with_amount"),
    )
    rows = groups.rows(named=True)
    total_in = sum(int(r["c"] or 0) for r in rows)
    action_c = sum(int(r["c"] or 0) for r in rows if r["status"] == "action")
    n_actions = sum(int(r["rows"]) for r in rows if r["status"] == "action")
    by_reason: dict[Any, list[int]] = {}
    for r in rows:
        if r["status"] == "excluded":
            entry = by_reason.setdefault(r["reason"], [0, 0])
            entry[0] += int(r["rows"])
            entry[1] += int(r["c"] or 0)
    reasons = sorted(by_reason, key=lambda reason: (reason is not None, reason or ""))  # nulls first
    excluded = {
        reason: {"rows": by_reason[reason][0], "amount": analysis.euros(by_reason[reason][1])}
        for reason in reasons
    }
    excluded_c = sum(c for _, c in by_reason.values())
    return {
        "file": name,
        "rows": ledger.height,
        "rows_with_amount": sum(int(r["with_amount"]) for r in rows),
        "actions": n_actions,
        "actions_amount": analysis.euros(action_c),
        "excluded": excluded,
        "excluded_amount": analysis.euros(excluded_c),
        "input_amount": analysis.euros(total_in),
        "implausible_amounts": implausible,
        # Implausible amounts are out of every sum: the file cannot be said to balance.
        "balanced": implausible == 0
        and total_in == action_c + excluded_c
        and ledger.height == n_actions + sum(e["rows"] for e in excluded.values()),
        "audited_actions": actions.height,
    }


def _quality(
    results: list[ReadResult], names: list[str], actions: pl.DataFrame, issues: list[Issue]
) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in results:
        for code, n in r.issue_counts.items():
            counts[code] = counts.get(code, 0) + n
    for i in issues:
        if i.code.startswith(("declaration", "override", "duplicate-input")):
            counts[i.code] = counts.get(i.code, 0) + 1
    declared = (
        actions.filter(pl.col("declared_category").is_in(["specific", "transversal"]))
        if "declared_category" in actions.columns
        else actions.clear()
    )
    overstated = declared.filter(pl.col("category") == "not_integrated").height
    has_w = "women" in actions.columns and "men" in actions.columns
    return {
        "unmapped_columns": [
            {"file": name, "column": r.mapping.headers[c]}
            for r, name in zip(results, names, strict=True)
            for c in r.mapping.unmapped
        ],
        "unparsed_values": counts.get("value-unparsed", 0),
        "placeholders": counts.get("value-placeholder", 0),
        "missing_beneficiaries": actions.filter(pl.col("women").is_null() | pl.col("men").is_null()).height
        if has_w
        else actions.height,
        "inconsistent_beneficiaries": counts.get("beneficiaries-inconsistent", 0),
        "total_mismatches": counts.get("total-mismatch", 0),
        "declaration_mismatches": int(actions.get_column("declaration_mismatch").fill_null(False).sum())
        if "declaration_mismatch" in actions.columns
        else 0,
        "declaration_overstated": overstated,
        "declaration_overstated_share": analysis.ratio(overstated, declared.height),
        "to_review": actions.filter(pl.col("category") == "to_review").height,
        "no_amount": actions.filter(pl.col(analysis.AMOUNT).is_null()).height,
        "issues_by_code": dict(sorted(counts.items())),
    }


def _metrics(
    summary: dict[str, Any],
    benef: dict[str, Any] | None,
    stages: dict[str, Any] | None,
    quality: dict[str, Any],
    web: dict[str, Any],
) -> dict[str, Any]:
    m: dict[str, Any] = {}
    for cat, v in summary["by_category"].items():
        m[f"summary.share_amount.{cat}"] = v["share"] if summary["amount_total"] else None
        m[f"summary.share_count.{cat}"] = v["share_count"]
    if benef and benef.get("available"):
        m["beneficiaries.coverage_actions"] = benef["coverage"]["share_actions"]
        sport = benef["sport"]
        m["beneficiaries.sport_women_share"] = sport["women_share"] if sport["actions"] >= 3 else None
    m["stages.equality_gap"] = stages["equality_gap"] if stages else None
    m["quality.total_mismatches"] = quality["total_mismatches"]
    m["quality.declaration_overstated_share"] = quality["declaration_overstated_share"]
    m["web.broken_links"] = len(web.get("broken_links", []))
    # 1 when most actions could not be judged: findings about shares are then silenced (findings.yaml)
    m["summary.judged_low"] = 1 if (summary.get("judged") or {}).get("low") else 0
    return m
