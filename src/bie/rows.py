"""Classify every source row below the header: an action, or excluded with a reason.

Reasons form a closed vocabulary: ``blank``, ``header`` (a repeated header, or the title block above it),
``section`` (« PILIER 1 – COHÉSION SOCIALE »: fills ``pillar``/``theme`` of the actions below), ``total``
(totals and subtotals, by wording or by arithmetic), ``note`` (« Source : … »), ``continuation`` (vertical
merge continuation rows, folded into their action) and ``duplicate`` (summary rows whose detail rows follow,
which would double-count). Everything is computed with polars expressions over the whole table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from bie.errors import Text
from bie.i18n import Money
from bie.io.raw import ROW
from bie.issues import Issue

REASONS = ("blank", "header", "section", "total", "note", "continuation", "duplicate")
REASON = "_reason"
PARENT = "_parent"  # the _row of the action a continuation row belongs to
PILLAR_SECTION = "_pillar_section"
THEME_SECTION = "_theme_section"

_SECTION = (
    r"^\s*(pilier|piliers|axe|axes|thematique|theme|volet|partie|orientation|priorite|objectif strategique|"
    r"enjeu|programme|champ|domaine)\b|^\s*([ivx]{1,4}|[0-9]{1,2}(\.[0-9]{1,2})?)\s*[-.–)/:]\s*[a-z]"
)
_PILLAR = (
    r"\b(pilier|piliers)\b|cohesion sociale|cadre de vie|renouvellement urbain|developpement economique|"
    r"emploi et developpement|activite economique|valeurs de la republique|pilotage|ingenierie|"
    r"engagements quartiers"
)
_NOTE = (
    r"^\s*(\*|\(\d+\)|\d+\)\s)|"
    r"^\s*(source|sources|nb|n\s?b|note|notes|remarque|remarques|legende|mise a jour|maj|"
    r"document|donnees|les montants|montants en|montant en|en euros|fait a|signature|edite|imprime|page \d|"
    r"observations?|commentaires?|a noter|attention|important|version|etat au|situation au|arrete au)\b"
)


@dataclass
class RowRoles:
    """Which columns carry what, for classification."""

    strong: list[str]  # columns identifying an action: id, title, carrier, carrier SIRET
    weak: list[str]  # descriptive text that may wrap into the next row: description, objectives
    cents: list[str]  # parsed amount columns, in integer cents
    cents_labels: dict[str, str]  # cents column -> header shown in messages
    text: list[str]  # every raw text column
    first: list[str]  # raw text columns in sheet order (for the row label)
    carrier_key: str | None  # column used to group parent/detail rows (carrier SIRET or name)
    id_col: str | None = None  # action id column, if mapped
    title_col: str | None = None  # action title column, if mapped
    carrier_col: str | None = None  # carrier name column, if mapped
    names: dict[str, str] = field(default_factory=dict)  # raw text column -> header shown in messages
    flagged: list[str] = field(default_factory=list)  # boolean columns: an amount cell out of sums


_ACCENTS = ["à", "â", "ä", "é", "è", "ê", "ë", "î", "ï", "ô", "ö", "ù", "û", "ü", "ç", "œ", "æ", "’"]
_PLAIN = ["a", "a", "a", "e", "e", "e", "e", "i", "i", "o", "o", "u", "u", "u", "c", "oe", "ae", "'"]


def _fold_expr(expr: pl.Expr, width: int = 160) -> pl.Expr:
    """Lower-case, unaccented start of a cell (the wording tests below are anchored at its start)."""
    return expr.str.slice(0, width).str.to_lowercase().str.replace_many(_ACCENTS, _PLAIN)


def _folded(col: str, width: int = 160) -> pl.Expr:
    return _fold_expr(pl.col(col), width)


def classify(
    data: pl.DataFrame, roles: RowRoles, header_cells: dict[str, list[str]], total_words: str, sheet: str
) -> tuple[pl.DataFrame, list[Issue]]:
    """Add ``_reason`` (null for actions), ``_parent``, ``_pillar_section`` and ``_theme_section``."""
    issues: list[Issue] = []
    if data.height == 0:
        return data.with_columns(
            pl.lit(None, pl.String).alias(REASON),
            pl.lit(None, pl.Int64).alias(PARENT),
            pl.lit(None, pl.String).alias(PILLAR_SECTION),
            pl.lit(None, pl.String).alias(THEME_SECTION),
        ), issues
    text = roles.text
    nonempty = (
        pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in text]) if text else pl.lit(0)
    )
    # An amount cell left out of sums (implausible) still makes the row a row with an amount: it must not
    # be read as a continuation or a note.
    amount_cells = [pl.col(c).is_not_null() for c in roles.cents] + [pl.col(c) for c in roles.flagged]
    has_amount = pl.any_horizontal(amount_cells) if amount_cells else pl.lit(False)
    strong = (
        pl.any_horizontal([pl.col(c).is_not_null() for c in roles.strong]) if roles.strong else pl.lit(False)
    )
    weak = pl.any_horizontal([pl.col(c).is_not_null() for c in roles.weak]) if roles.weak else pl.lit(False)
    label = pl.coalesce([pl.col(c) for c in roles.first]) if roles.first else pl.lit(None, pl.String)
    first_pos = (
        pl.coalesce([pl.when(pl.col(c).is_not_null()).then(pl.lit(j)) for j, c in enumerate(roles.first)])
        if roles.first
        else pl.lit(None, pl.Int32)
    )
    n_strong = (
        pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in roles.strong])
        if roles.strong
        else pl.lit(0)
    )
    # Repeated header: most non-empty cells equal their column's header.
    same = [pl.col(c).is_in(header_cells[c]).fill_null(False) for c in text if header_cells.get(c)]
    header_hits = pl.sum_horizontal([s.cast(pl.Int32) for s in same]) if same else pl.lit(0)
    work = data.with_row_index("_i").with_columns(
        nonempty.alias("_n"),
        has_amount.alias("_amt"),
        strong.alias("_strong"),
        weak.alias("_weak"),
        label.alias("_label"),
        header_hits.alias("_hdr"),
        first_pos.alias("_pos"),
        n_strong.alias("_nstrong"),
    )
    # Wording tests only concern rows that could be something else than an action (at most one identifying
    # cell): the others see an empty string, which costs nothing (polars evaluates every branch of a when).
    candidate = pl.col("_nstrong") <= 1

    def masked(c: str) -> pl.Expr:
        return pl.when(candidate).then(pl.col(c)).otherwise(pl.lit(""))

    work = work.with_columns(
        _fold_expr(masked("_label")).alias("_lab"),
        pl.any_horizontal(
            [
                _fold_expr(masked(c), 80).str.contains(total_words).fill_null(False)
                for c in ["_label", *roles.strong]
            ]
        ).alias("_tot"),
        masked("_label").str.count_matches(r"[A-ZÀ-Ý]").alias("_up"),
        masked("_label").str.count_matches(r"[a-zà-ÿ]").alias("_low"),
    )
    lab = pl.col("_lab")
    is_blank = pl.col("_n") == 0
    is_header = (pl.col("_hdr") >= 2) & (pl.col("_hdr") * 10 >= pl.col("_n") * 6)
    is_total_word = pl.col("_tot") & (pl.col("_amt") | (pl.col("_n") <= 2)) & candidate & ~pl.col("_weak")
    textual = ~pl.col("_amt") & ~is_blank
    upper = (pl.col("_up") >= 3) & (pl.col("_up") >= pl.col("_low") * 3)
    section_like = (
        textual
        & (pl.col("_pos") <= 2)
        & (
            (lab.str.contains(_SECTION).fill_null(False) & (pl.col("_n") <= 2))
            | (upper.fill_null(False) & (pl.col("_n") == 1) & (pl.col("_label").str.len_chars() <= 120))
        )
    )
    note_like = textual & candidate & lab.str.contains(_NOTE).fill_null(False)
    last_action = (
        work.filter(~pl.col("_n").eq(0) & pl.col("_amt") & pl.col("_strong")).get_column("_i").max()
        if roles.strong
        else None
    )
    trailing = pl.col("_i") > (last_action if last_action is not None else -1)
    base = (
        pl.when(is_blank)
        .then(pl.lit("blank"))
        .when(is_header)
        .then(pl.lit("header"))
        .when(is_total_word)
        .then(pl.lit("total"))
        .when(note_like & ~section_like)
        .then(pl.lit("note"))
        .when(section_like & (pl.col("_nstrong") <= 1) & ~trailing)
        .then(pl.lit("section"))
        .when(section_like & trailing)
        .then(pl.lit("note"))
        .when(textual & ~pl.col("_strong"))
        .then(pl.lit("_cont"))
        .when(pl.col("_amt") & ~pl.col("_strong") & ~pl.col("_weak"))
        .then(pl.lit("_amount_only"))
        .otherwise(pl.lit(None, pl.String))
    )
    work = work.with_columns(base.alias(REASON))
    # Continuations: rows without identity or amount that directly follow an action (or another continuation).
    anchor = pl.when(pl.col(REASON).fill_null("") != "_cont").then(pl.col("_i")).forward_fill()
    work = work.with_columns(
        pl.when(pl.col(REASON) == "_cont").then(anchor.shift(1)).alias("_anchor"),
    )
    reasons_by_index = work.select(
        pl.col("_i").alias("_anchor"),
        pl.col(REASON).alias("_anchor_reason"),
        pl.col(ROW).alias("_anchor_row"),
    )
    work = work.join(reasons_by_index, on="_anchor", how="left", maintain_order="left")
    work = work.with_columns(
        # A text-only row with no row above it to belong to (right under the header) is a note, never the
        # continuation of nothing.
        pl.when((pl.col(REASON) == "_cont") & pl.col("_anchor").is_null())
        .then(pl.lit("note"))
        .when((pl.col(REASON) == "_cont") & pl.col("_anchor_reason").is_null())
        .then(pl.lit("continuation"))
        .when(pl.col(REASON) == "_cont")
        .then(pl.lit("note"))
        .otherwise(pl.col(REASON))
        .alias(REASON),
    ).with_columns(pl.when(pl.col(REASON) == "continuation").then(pl.col("_anchor_row")).alias(PARENT))
    # Totals by arithmetic and checks of every total row against the actions it covers.
    work = work.with_columns(
        ((pl.col(REASON) == "section") & pl.col("_lab").str.contains(_PILLAR).fill_null(False)).alias(
            "_pillar"
        )
    )
    work, total_issues = _totals(work, roles, sheet)
    issues.extend(total_issues)
    # Summary rows followed by their detail rows (same carrier): the summary would double-count.
    work, dup_issues = _duplicates(work, roles, sheet, total_words)
    issues.extend(dup_issues)
    # An action row repeated cell for cell (an export glitch) would count the same money twice. Rows are
    # first narrowed to those whose identifying cells repeat (cheap), then compared cell for cell.
    is_action = pl.col(REASON).is_null()
    keys = roles.strong or text
    suspects = work.filter(is_action & pl.struct([pl.col(c) for c in keys]).is_duplicated().over(is_action))
    if suspects.height:
        whole = pl.struct([pl.col(c) for c in text])
        repeats = suspects.with_columns(
            pl.when(~whole.is_first_distinct()).then(pl.col(ROW).first().over(whole)).alias("_same_as")
        ).filter(pl.col("_same_as").is_not_null())
        for row, same in repeats.select(ROW, "_same_as").iter_rows():
            issues.append(Issue("duplicate-row", sheet=sheet, row=row, params={"first": same}))
        work = work.with_columns(
            pl.when(pl.col(ROW).is_in(repeats.get_column(ROW).to_list()))
            .then(pl.lit("duplicate"))
            .otherwise(pl.col(REASON))
            .alias(REASON)
        )
    # Sections fill pillar (and theme for sub-sections) of the actions below them.
    section_text = pl.when(pl.col(REASON) == "section").then(pl.col("_label").str.strip_chars())
    pillar_like = pl.col("_lab").str.contains(_PILLAR).fill_null(False)
    work = work.with_columns(
        pl.when((pl.col(REASON) == "section") & pillar_like)
        .then(section_text)
        .forward_fill()
        .alias(PILLAR_SECTION),
        pl.when(pl.col(REASON) == "section")
        .then(pl.when(pillar_like).then(pl.lit("")).otherwise(section_text))
        .forward_fill()
        .alias(THEME_SECTION),
    ).with_columns(
        pl.when(pl.col(THEME_SECTION) == "").then(None).otherwise(pl.col(THEME_SECTION)).alias(THEME_SECTION)
    )
    keep = [*data.columns, REASON, PARENT, PILLAR_SECTION, THEME_SECTION]
    return work.select(keep), issues


def _fmt_cents(cents: int) -> Money:
    return Money(cents)


#: Scopes a total row may cover, tried in this order: the actions since the previous total, since the
#: pillar heading, since any heading, since the top of the table.
SCOPES = ("total", "pillar", "section", "all")


def _since(boundary: pl.Expr, value: pl.Expr) -> pl.Expr:
    """``value`` minus its value at the last ``boundary`` row strictly above (0 when there is none)."""
    return value - pl.when(boundary).then(value).forward_fill().shift(1).fill_null(0)


def _totals(work: pl.DataFrame, roles: RowRoles, sheet: str) -> tuple[pl.DataFrame, list[Issue]]:
    issues: list[Issue] = []
    if not roles.cents:
        return work.with_columns(
            pl.when(pl.col(REASON) == "_amount_only").then(None).otherwise(pl.col(REASON)).alias(REASON)
        ).drop("_pillar"), issues
    is_action = pl.col(REASON).is_null()
    is_total = pl.col(REASON) == "total"
    boundaries = {
        "total": is_total,
        "pillar": is_total | pl.col("_pillar"),
        "section": is_total | (pl.col(REASON) == "section"),
    }
    exprs: list[pl.Expr] = []
    count = is_action.cast(pl.Int64).cum_sum()
    for scope, boundary in boundaries.items():
        exprs.append(_since(boundary, count).alias(f"_n_{scope}"))
    exprs.append(count.alias("_n_all"))
    for c in roles.cents:
        # Int128: a column of capped amounts (at most 10^15 cents each, see parse.AMOUNT_LIMIT) cannot
        # overflow it, whatever the number of rows.
        cum = pl.when(is_action).then(pl.col(c).fill_null(0)).otherwise(0).cast(pl.Int128).cum_sum()
        for scope, boundary in boundaries.items():
            exprs.append(_since(boundary, cum).alias(f"_s_{scope}{c}"))
        exprs.append(cum.alias(f"_s_all{c}"))
    work = work.with_columns(exprs)
    # A row holding only amounts is a total when its amounts are the sum of a block of at least two actions.
    fits = []
    for scope in SCOPES:
        fits.append(
            pl.all_horizontal(
                [pl.col(c).is_null() | (pl.col(c) == pl.col(f"_s_{scope}{c}")) for c in roles.cents]
            )
            & (pl.col(f"_n_{scope}") >= 2)
        )
    work = work.with_columns(
        pl.when(
            (pl.col(REASON) == "_amount_only")
            & pl.any_horizontal(fits)
            & pl.any_horizontal([pl.col(c).is_not_null() for c in roles.cents])
        )
        .then(pl.lit("total"))
        .when(pl.col(REASON) == "_amount_only")
        .then(None)
        .otherwise(pl.col(REASON))
        .alias(REASON)
    )
    for row in work.filter(pl.col(REASON) == "total").iter_rows(named=True):
        stated = {c: row[c] for c in roles.cents if row[c] is not None}
        if not stated:
            continue
        label = (row["_label"] or "").strip()[:60] or "(sans libellé)"
        best = max(
            SCOPES,
            key=lambda sc: (
                sum(1 for c, v in stated.items() if v == row[f"_s_{sc}{c}"]),
                row[f"_n_{sc}"] > 0,
            ),
        )
        n = row[f"_n_{best}"]
        if n == 0:
            # No action above it in any scope: nothing to check it against, but its money must not vanish
            # (the row is excluded as a total and its amount is shown in the reconciliation).
            for c, v in stated.items():
                if v != 0:
                    issues.append(
                        Issue(
                            "total-no-actions",
                            sheet=sheet,
                            row=row[ROW],
                            column=roles.cents_labels[c],
                            params={"label": label, "column": roles.cents_labels[c], "found": _fmt_cents(v)},
                        )
                    )
            continue
        wrong = {c: v for c, v in stated.items() if v != row[f"_s_{best}{c}"]}
        for c, v in wrong.items():
            expected = row[f"_s_{best}{c}"]
            issues.append(
                Issue(
                    "total-mismatch",
                    sheet=sheet,
                    row=row[ROW],
                    column=roles.cents_labels[c],
                    params={
                        "label": label,
                        "column": roles.cents_labels[c],
                        "found": _fmt_cents(v),
                        "expected": _fmt_cents(expected),
                        "count": n,
                        "diff": _fmt_cents(v - expected),
                    },
                )
            )
        if len(stated) > len(wrong):
            issues.append(
                Issue(
                    "total-checked",
                    sheet=sheet,
                    row=row[ROW],
                    params={"label": label, "checked": len(stated) - len(wrong), "count": n},
                )
            )
    drop = [c for c in work.columns if c.startswith(("_s_", "_n_"))] + ["_pillar"]
    return work.drop(drop), issues


#: Words marking a row as a summary (« dont » introduces the detail lines of a summary).
_SUMMARY_WORDS = r"^\s*(dont|recapitulatif|recap|synthese|sous[\s-]*total|total|ensemble|cumul)\b"
_DETAIL_WORDS = r"^\s*dont\b"


_FOLD_TABLE: dict[str, str | int | None] = dict(zip(_ACCENTS, _PLAIN, strict=True))


def _fold_text(value: object) -> str:
    """Lower-case, unaccented, single-spaced text of a cell ("" for None), as :func:`_fold_expr`."""
    text = "" if value is None else " ".join(str(value).split()).lower()
    return text.translate(str.maketrans(_FOLD_TABLE))


def _parent_evidence(
    head: dict[str, object], details: list[dict[str, object]], roles: RowRoles, total_words: str
) -> Text | None:
    """Why ``head`` is a summary of ``details`` rather than a distinct action, or None.

    A row with its own identifier or its own distinct title is an action: never excluded. Otherwise the
    evidence must be positive: every detail row starts with « dont », or the row lacks a cell every detail
    row fills (no id, no title, no imputation…), or its title repeats the carrier or reads like a total.
    """
    idc, titlec = roles.id_col, roles.title_col
    own_id = idc is not None and head.get(idc) is not None
    if own_id and _fold_text(head[str(idc)]) not in {_fold_text(d.get(str(idc))) for d in details}:
        return None  # its own identifier
    if titlec is not None and all(re.search(_DETAIL_WORDS, _fold_text(d.get(titlec))) for d in details):
        return Text("lignes de détail « dont »", "« dont » detail rows")
    title = _fold_text(head.get(titlec)) if titlec is not None else ""
    carrier = _fold_text(head.get(roles.carrier_col)) if roles.carrier_col is not None else ""
    heading = bool(title) and bool(re.search(total_words, title) or re.search(_SUMMARY_WORDS, title))
    distinct = title not in {_fold_text(d.get(str(titlec))) for d in details}
    if title and not heading and title != carrier and distinct:
        return None  # its own distinct title
    if heading:
        return Text("libellé de total", "total-like label")
    if title and title == carrier:
        return Text("intitulé identique au porteur", "title repeats the carrier")
    for col in roles.text:
        if head.get(col) is None and all(d.get(col) is not None for d in details):
            name = roles.names.get(col, col)
            return Text(
                f"cellule « {name} » vide, remplie sur les lignes de détail",
                f'empty "{name}" cell, filled on the detail rows',
            )
    if idc is not None and head.get(idc) is not None:
        return Text("même identifiant que les lignes de détail", "same id as the detail rows")
    if title:
        return Text("même intitulé que les lignes de détail", "same title as the detail rows")
    return None


def _duplicates(
    work: pl.DataFrame, roles: RowRoles, sheet: str, total_words: str = r"^\s*total\b"
) -> tuple[pl.DataFrame, list[Issue]]:
    """A row whose amount is the sum of the next rows of the same carrier is a summary (it would count the
    money twice) only with positive evidence (see :func:`_parent_evidence`); always a warning."""
    issues: list[Issue] = []
    key = roles.carrier_key
    if key is None or not roles.cents:
        return work, issues
    amount = pl.coalesce([pl.col(c) for c in roles.cents]).cast(pl.Int128)
    is_action = pl.col(REASON).is_null()
    w = work.with_columns(amount.alias("_amount"), _folded(key).str.strip_chars().alias("_key"))
    # Runs of consecutive action rows with the same carrier.
    new_run = (
        (~is_action) | (pl.col("_key") != pl.col("_key").shift(1)).fill_null(True) | pl.col("_key").is_null()
    )
    w = w.with_columns(new_run.cum_sum().alias("_run"))
    stats = (
        w.filter(is_action & pl.col("_key").is_not_null())
        .group_by("_run")
        .agg(
            pl.len().alias("_size"),
            pl.col("_i").first().alias("_first"),
            pl.col("_amount").first().alias("_head"),
            pl.col("_amount").slice(1).sum().alias("_rest"),
            pl.col("_amount").slice(1).is_not_null().all().alias("_rest_full"),
        )
        .filter(
            (pl.col("_size") >= 3)
            & pl.col("_rest_full")
            & (pl.col("_head") == pl.col("_rest"))
            & (pl.col("_head") > 0)
        )
    )
    if stats.height == 0:
        return w.drop(["_amount", "_key", "_run"]), issues
    # Few candidate runs: each is checked row by row for evidence.
    runs = w.filter(
        is_action & pl.col("_key").is_not_null() & pl.col("_run").is_in(stats.get_column("_run").implode())
    )
    excluded: list[int] = []
    for (_,), group in runs.group_by("_run", maintain_order=True):
        rows = group.to_dicts()
        head, details = rows[0], rows[1:]
        evidence = _parent_evidence(head, details, roles, total_words)
        if evidence is None:
            continue
        excluded.append(int(str(head["_i"])))
        issues.append(
            Issue(
                "duplicate-parent",
                sheet=sheet,
                row=head[ROW],
                params={
                    "amount": _fmt_cents(int(str(head["_amount"]))),
                    "count": len(details),
                    "evidence": evidence,
                },
            )
        )
    w = w.with_columns(
        pl.when(pl.col("_i").is_in(excluded))
        .then(pl.lit("duplicate"))
        .otherwise(pl.col(REASON))
        .alias(REASON)
    )
    return w.drop(["_amount", "_key", "_run"]), issues
