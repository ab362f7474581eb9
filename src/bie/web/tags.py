"""Which elements of the web each action strengthens (vectorised polars, no Python loop over rows).

:func:`element_tags` adds two columns to a tagged frame (the output of :func:`bie.tagging.tag`):

- ``web_elements`` (``List(String)``): the ids of the elements the action strengthens, in model order;
- ``web_reasons`` (``List(Struct{element, rule, field, match})``): for each element, the rules that
  fired, the field they read and the words matched, cut from the source text (the user's own words).

Only ``specific`` and ``transversal`` actions strengthen an element; ``not_integrated``, ``to_review``
and a missing category strengthen none, whatever their text says.

How: each text field is normalised once (:func:`bie.tagging.normalize.normalize_series`, one ASCII
character per source character). Each rule's exclusions are masked (their span is upper-cased, so the
lower-case patterns no longer match there and offsets do not move). One ``str.find`` per rule × field
× category variant runs in a single ``with_columns``; for the rows with a hit, the match length is read
with an anchored ``str.extract`` and the source is cut at the same offset.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from bie.tagging.engine import CHUNK_ROWS, mask_series, on_rows
from bie.tagging.normalize import normalize_series, recompose
from bie.web.model import WebModel
from bie.web.rules import ELIGIBLE, TEXT_FIELDS, WebRule, WebRules, load_web_rules

__all__ = ["REASON_DTYPE", "WEB_COLUMNS", "element_tags", "mask_series"]

REASON_DTYPE = pl.List(
    pl.Struct({"element": pl.String, "rule": pl.String, "field": pl.String, "match": pl.String})
)
"""Type of ``web_reasons``."""

WEB_COLUMNS: tuple[str, ...] = ("web_elements", "web_reasons")

_P = "__bie_web_"
_FIELD_ORDER = {"category": -1, "title": 0, "objectives": 1, "description": 2, "theme": 3, "carrier": 4}


def _text(frame: pl.DataFrame, name: str, idx: pl.Series) -> pl.Series:
    if name in frame.columns:
        series = frame.get_column(name).cast(pl.String).gather(idx).fill_null("")
    else:
        series = pl.Series(name, [""] * idx.len(), dtype=pl.String)
    return recompose(series)


def _variants(rule: WebRule) -> list[tuple[str, str]]:
    """(category, regex) pairs: a specific action also reads the rule's ``specific_patterns``."""
    out = []
    for cat in rule.categories:
        patterns = rule.patterns + (rule.specific_patterns if cat == "specific" else ())
        if patterns:
            regex = patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns)
            out.append((cat, regex))
    return out


def _empty(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit([], dtype=pl.List(pl.String)).alias("web_elements"),
        pl.lit([], dtype=REASON_DTYPE).alias("web_reasons"),
    )


def element_tags(frame: pl.DataFrame, rules: WebRules | WebModel | None = None) -> pl.DataFrame:
    """Add ``web_elements`` and ``web_reasons`` to a tagged frame (see the module docstring).

    ``rules``: the rules to apply; a :class:`~bie.web.model.WebModel` (or nothing) means the built-in
    rules for that model (the built-in one by default).

    Input columns (any may be absent or null): ``category``, ``title``, ``objectives``, ``description``,
    ``theme``, ``carrier``. Existing ``web_*`` columns are replaced. Each row is tagged on its own: the
    result does not depend on row order.

    >>> import polars as pl
    >>> frame = pl.DataFrame({"title": ["Marches exploratoires de femmes"], "category": ["specific"]})
    >>> element_tags(frame)["web_elements"].to_list()
    [['experience', 'methodology', 'delivery']]
    """
    if rules is None or isinstance(rules, WebModel):
        rules = load_web_rules(model=rules)
    frame = frame.drop([c for c in WEB_COLUMNS if c in frame.columns])
    if frame.height > CHUNK_ROWS:  # each row on its own: by chunks, the text copies of one chunk at a time
        parts = [_element_tags(frame.slice(s, CHUNK_ROWS), rules) for s in range(0, frame.height, CHUNK_ROWS)]
        return pl.concat(parts, how="vertical")
    return _element_tags(frame, rules)


def _element_tags(frame: pl.DataFrame, rules: WebRules) -> pl.DataFrame:
    if frame.height == 0:
        return _empty(frame)
    if "category" in frame.columns:
        category = frame.get_column("category").cast(pl.String)
    else:
        category = pl.Series("category", [None] * frame.height, dtype=pl.String)
    idx = category.is_in(list(ELIGIBLE)).fill_null(False).arg_true()
    if idx.len() == 0:
        return _empty(frame)

    wanted = {f for r in rules.rules if not r.every_action for f in r.fields}
    if any(r.requires for r in rules.rules):
        wanted |= set(TEXT_FIELDS)
    fields: list[str] = [
        name for name in ("title", "objectives", "description", "theme", "carrier") if name in wanted
    ]
    columns: dict[str, pl.Series] = {f"{_P}idx": idx.cast(pl.UInt32), f"{_P}cat": category.gather(idx)}
    for name in fields:
        src = _text(frame, name, idx)
        columns[f"{_P}s_{name}"] = src
        columns[f"{_P}n_{name}"] = normalize_series(src)
    work = pl.DataFrame(columns)
    cat = pl.col(f"{_P}cat")

    # exclusions: a masked copy of each field, per rule that has some
    for r_i, rule in enumerate(rules.rules):
        excl = rule.exclusion_regex
        if excl is None:
            continue
        work = work.with_columns(
            mask_series(work.get_column(f"{_P}n_{f}"), excl).alias(f"{_P}m{r_i}_{f}") for f in rule.fields
        )

    def norm(r_i: int, rule: WebRule, f: str) -> pl.Expr:
        return pl.col(f"{_P}m{r_i}_{f}" if rule.exclusions else f"{_P}n_{f}")

    text_fields = [f for f in TEXT_FIELDS if f"{_P}n_{f}" in work.columns]
    all_text = pl.concat_str([pl.col(f"{_P}n_{f}") for f in text_fields], separator="\n")

    finds: dict[str, list[pl.Expr]] = {}  # by category: each variant is read on its category's rows only
    plan: list[tuple[int, WebRule, str, str, str]] = []  # (rule index, rule, category, field, column)
    for r_i, rule in enumerate(rules.rules):
        if rule.every_action:
            continue
        required = pl.lit(True)
        for req in rule.requires:
            required = required & all_text.str.contains(req).fill_null(False)
        for v_cat, regex in _variants(rule):
            for f in rule.fields:
                name = f"{_P}x{r_i}_{v_cat}_{f}"
                found = norm(r_i, rule, f).str.find(regex).cast(pl.Int64)
                finds.setdefault(v_cat, []).append(pl.when(required).then(found).alias(name))
                plan.append((r_i, rule, v_cat, f, name))
    for v_cat, exprs in finds.items():
        work = on_rows(work, cat == v_cat, exprs)

    parts: list[pl.DataFrame] = []
    for r_i, rule in enumerate(rules.rules):
        if rule.every_action:
            hits = work.filter(cat.is_in(list(rule.categories)))
            if hits.height:
                parts.append(
                    hits.select(
                        pl.col(f"{_P}idx"),
                        pl.lit(r_i, pl.Int32).alias("order"),
                        pl.lit("category").alias("field"),
                        cat.alias("match"),
                        pl.lit(rule.id).alias("rule"),
                    )
                )
    for r_i, rule, v_cat, f, name in plan:
        off = pl.col(name)
        hits = work.filter(off.is_not_null())
        if hits.height == 0:
            continue
        regex = dict(_variants(rule))[v_cat]
        text = norm(r_i, rule, f)
        length = text.str.slice(off).str.extract("^(?:" + regex + ")", 0).str.len_chars().cast(pl.Int64)
        parts.append(
            hits.select(
                pl.col(f"{_P}idx"),
                pl.lit(r_i, pl.Int32).alias("order"),
                pl.lit(f).alias("field"),
                pl.col(f"{_P}s_{f}").str.slice(off, length).alias("match"),
                pl.lit(rule.id).alias("rule"),
            )
        )
    if not parts:
        return _empty(frame)
    long = pl.concat(parts, how="vertical_relaxed")
    elements_of = {rule.id: list(rule.elements) for rule in rules.rules}
    element_rank = {e: i for i, e in enumerate(rules.element_order)}
    long = (
        long.with_columns(
            pl.col("rule").replace_strict(elements_of, return_dtype=pl.List(pl.String)).alias("element"),
            pl.col("field").replace_strict(_FIELD_ORDER, return_dtype=pl.Int32).alias("field_rank"),
        )
        .explode("element")
        .with_columns(pl.col("element").replace_strict(element_rank, return_dtype=pl.Int32).alias("rank"))
        .sort([f"{_P}idx", "rank", "order", "field_rank"])
    )
    grouped = long.group_by(f"{_P}idx", maintain_order=True).agg(
        pl.col("element").unique(maintain_order=True).alias("web_elements"),
        pl.struct("element", "rule", "field", "match").alias("web_reasons"),
    )
    out = (
        frame.with_row_index(f"{_P}idx")
        .join(grouped, on=f"{_P}idx", how="left", maintain_order="left")
        .drop(f"{_P}idx")
    )
    return out.with_columns(
        pl.col("web_elements").fill_null(pl.lit([], dtype=pl.List(pl.String))).cast(pl.List(pl.String)),
        pl.col("web_reasons").fill_null(pl.lit([], dtype=REASON_DTYPE)).cast(REASON_DTYPE),
    )


def reasons_by_element(row: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Group one output row's ``web_reasons`` by element (for explanations and reports)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for reason in row.get("web_reasons") or []:
        out.setdefault(str(reason["element"]), []).append(dict(reason))
    return out
