"""The applicant's own declaration (``declared_equality``) and its agreement with the evidence.

The free text (« Oui – action spécifique », « Oui - de manière transversale », « Non », « oui »,
« OUI transversal », « non concerné »…) is normalised like the rest, then read by the pack's
``declaration`` rules, tried in pack order: the first that matches (and whose exclusions do not) gives
the declared category. Each rule says which evidence categories it ``accepts``: a plain « oui » claims
*at least* transversal, so it agrees with a transversal or a specific tag.

``declaration_mismatch`` is true when the declaration claims more or less than the evidence shows, false
when they agree, null when nothing usable was declared or when the action is ``to_review``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from bie.errors import Text
from bie.issues import Issue
from bie.resources import load_data
from bie.tagging.rules import Rule

__all__ = ["declaration_exprs", "declaration_issues"]

P = "__bie_"


def declaration_exprs(
    rules: Sequence[Rule], column_of: Callable[[str], str]
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(rule id, declared category, agreement with ``category``) as expressions.

    ``column_of(rule_id)`` names the column holding the rule's match offset in the declaration (null when
    it does not match); ``category`` must already be in the frame.
    """
    if not rules:
        null_s = pl.lit(None, pl.String)
        return null_s, null_s, pl.lit(None, pl.Boolean)
    rule_expr: Any = None
    cat_expr: Any = None
    agree_expr: Any = None
    for rule in rules:
        hit = pl.col(column_of(rule.id)).is_not_null()
        declared = None if rule.category == "unknown" else rule.category
        agrees = pl.col("category").is_in(list(rule.accepts)) if rule.accepts else pl.lit(None, pl.Boolean)
        if rule_expr is None:
            rule_expr = pl.when(hit).then(pl.lit(rule.id))
            cat_expr = pl.when(hit).then(pl.lit(declared, pl.String))
            agree_expr = pl.when(hit).then(agrees)
        else:
            rule_expr = rule_expr.when(hit).then(pl.lit(rule.id))
            cat_expr = cat_expr.when(hit).then(pl.lit(declared, pl.String))
            agree_expr = agree_expr.when(hit).then(agrees)
    return (
        rule_expr.otherwise(pl.lit(None, pl.String)),
        cat_expr.otherwise(pl.lit(None, pl.String)),
        agree_expr.otherwise(pl.lit(None, pl.Boolean)),
    )


def declaration_issues(frame: pl.DataFrame) -> list[Issue]:
    """Issues ``declaration-mismatch`` and ``declaration-unrecognised`` (loop over the flagged rows only)."""
    issues: list[Issue] = []
    mismatched = frame.filter(pl.col("declaration_mismatch").fill_null(False)).select(
        pl.col(f"{P}sheet"),
        pl.col(f"{P}row"),
        pl.col(f"{P}action_id"),
        pl.col(f"{P}decl_src"),
        pl.col("declared_category"),
        pl.col("category"),
    )
    labels = load_data("labels.yaml")["categories"]

    def words(cat: str | None) -> Text | str:
        entry = labels.get(str(cat))
        return Text(str(entry["fr"]), str(entry["en"])) if entry else str(cat)

    for sheet, row, action_id, text, declared, category in mismatched.iter_rows():
        issues.append(
            Issue(
                "declaration-mismatch",
                sheet=sheet,
                row=row,
                column="declared_equality",
                # the categories in the reader's words, never their ids (issue 10)
                params={
                    "action_id": action_id,
                    "value": text,
                    "declared": words(declared),
                    "category": words(category),
                },
            )
        )
    unread = frame.filter(
        pl.col(f"{P}decl_rule").is_null()
        & (pl.col(f"{P}decl").str.count_matches(r"[a-z0-9]").fill_null(0) > 0)
    ).select(pl.col(f"{P}sheet"), pl.col(f"{P}row"), pl.col(f"{P}action_id"), pl.col(f"{P}decl_src"))
    for sheet, row, action_id, text in unread.iter_rows():
        issues.append(
            Issue(
                "declaration-unrecognised",
                sheet=sheet,
                row=row,
                column="declared_equality",
                params={"action_id": action_id, "value": text},
            )
        )
    return issues
