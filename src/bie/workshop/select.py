"""Choosing the actions of a classification exercise (issue 11, ``bie workshop prepare``).

A good exercise is not a random draw. The training days that spread the budget intégrant l'égalité in
politique de la ville (Villes au Carré, Tours, 12 November 2019: participants sort real actions into
« spécifique », « transversale », neither, and argue about the hard ones) work because the set holds the
cases that teach something:

- a spread of categories, so that every definition is used;
- a **lexical trap**: words that look like equality and are not (« égalité des chances », a street named
  after a woman…): a rule of kind ``trap`` fired on the action;
- a **declaration the text does not support**: the applicant declared the action « spécifique » or
  « transversale » and nothing in its text shows it (``declaration_mismatch`` with bie's category « non prise
  en compte »);
- a **measure in a secondary clause**: a transversal action whose equality measure sits in the objectives or
  the description, not in the title (``measure`` or ``clause`` evidence outside the first sentence);
- an action **« à examiner »**: too little text to decide, which is itself a lesson on what a file should say.

:func:`select` computes these roles with polars on the audited actions, then draws, with a seeded generator
over a canonical order (file, row), first one action per role, then actions that fill the categories evenly.
The same file and seed give the same exercise whatever the order of its rows. Every pick says why it was
chosen; a role no action can fill is reported to the trainer, never faked.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from bie.tagging.rules import RulePack

__all__ = ["ROLES", "Pick", "Selection", "candidates", "select"]

ROLES: tuple[str, ...] = ("trap", "unsupported_declaration", "secondary_measure", "to_review")
"""The teaching roles, in the order they are filled."""

SPREAD: tuple[str, ...] = ("specific", "transversal", "not_integrated")
"""The categories filled evenly once the roles are taken. « À examiner » has its role (one action): more would
make an exercise of guessing; it fills the set only when nothing else is left."""

MIN_CHARS = 25
"""An action whose text (title, objectives, description) is shorter is only used for the « à examiner » role:
a participant needs something to read."""

MAX_CHARS = 900
"""Longer texts do not fit on a card; they are used only when nothing shorter fills the role."""


@dataclass(frozen=True)
class Pick:
    """One action of the exercise: its place in the set (``number``, from 1), where it comes from, and why
    it was chosen (``roles``: the teaching roles it fills, ``spread`` when it was picked to balance the
    categories)."""

    number: int
    index: int
    file: str | None
    row: int | None
    category: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """The exercise: the picks in the order participants see them, the roles no action could fill, the
    seed."""

    picks: tuple[Pick, ...]
    missing: tuple[str, ...]
    seed: int
    available: int


def _text_expr(columns: Sequence[str]) -> pl.Expr:
    parts = [
        pl.col(c).cast(pl.String).fill_null("")
        for c in ("title", "objectives", "description")
        if c in columns
    ]
    if not parts:
        return pl.lit("")
    return pl.concat_str(parts, separator=" ").str.strip_chars()


def candidates(actions: pl.DataFrame, pack: RulePack) -> pl.DataFrame:
    """One row per action with the features a choice needs: ``__i`` (position in ``actions``), ``__file``,
    ``__row``, ``category``, ``__chars`` (length of its text) and one boolean column per role."""
    kinds = {r.id: r.evidence for r in pack.rules}
    trap_ids = [k for k, v in kinds.items() if v == "trap"]
    measure_ids = [k for k, v in kinds.items() if v in ("measure", "clause")]
    cols = actions.columns
    reasons = pl.col("reasons")

    def fired(ids: list[str], outside_title: bool = False) -> pl.Expr:
        if "reasons" not in cols or not ids:
            return pl.lit(False)
        cond = pl.element().struct.field("rule").is_in(ids)
        if outside_title:
            cond = cond & (pl.element().struct.field("field") != "title")
        return reasons.list.eval(cond).list.any().fill_null(False)

    declared = pl.col("declared_category") if "declared_category" in cols else pl.lit(None, pl.String)
    mismatch = (
        pl.col("declaration_mismatch").fill_null(False) if "declaration_mismatch" in cols else pl.lit(False)
    )
    category = pl.col("category").fill_null("to_review")
    return actions.select(
        pl.int_range(pl.len()).alias("__i"),
        (pl.col("_file").cast(pl.String) if "_file" in cols else pl.lit(None, pl.String)).alias("__file"),
        (pl.col("_row").cast(pl.Int64) if "_row" in cols else pl.lit(None, pl.Int64)).alias("__row"),
        category.alias("category"),
        _text_expr(cols).alias("__text"),
        _text_expr(cols).str.len_chars().alias("__chars"),
        fired(trap_ids).alias("trap"),
        (mismatch & declared.is_in(["specific", "transversal"]) & (category == "not_integrated")).alias(
            "unsupported_declaration"
        ),
        ((category == "transversal") & fired(measure_ids, outside_title=True)).alias("secondary_measure"),
        (category == "to_review").alias("to_review"),
    )


def _suited(frame: pl.DataFrame, role: str) -> pl.DataFrame:
    """Actions a participant can read for ``role``: enough text (any length for « à examiner »), and not
    too long for a card when shorter ones exist."""
    if role != "to_review":
        frame = frame.filter(pl.col("__chars") >= MIN_CHARS)
    short = frame.filter(pl.col("__chars") <= MAX_CHARS)
    return short if short.height else frame


def select(
    actions: pl.DataFrame,
    pack: RulePack,
    n: int = 12,
    seed: int = 0,
) -> Selection:
    """Choose ``n`` actions of ``actions`` (an audit's tagged actions) for the classification exercise.

    Raises ValueError when ``n`` < 1. With fewer suitable actions than ``n``, every one is taken."""
    if n < 1:
        raise ValueError("n must be at least 1")
    feats = candidates(actions, pack).sort(["__file", "__row", "__i"], nulls_last=True)
    # Identical texts (the same action on several rows) would make two cards the same: the first is kept.
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    taken: dict[int, list[str]] = {}
    pool = feats.filter((pl.col("__chars") >= MIN_CHARS) | pl.col("to_review")).unique(
        "__text", keep="first", maintain_order=True
    )
    missing: list[str] = []

    def draw(frame: pl.DataFrame) -> int | None:
        free = frame.filter(~pl.col("__i").is_in(list(taken)))
        if free.height == 0:
            return None
        return int(free.get_column("__i")[rng.randrange(free.height)])

    for role in ROLES:
        if len(taken) >= n:
            break
        found = draw(_suited(pool.filter(pl.col(role)), role))
        if found is None:
            missing.append(role)
            continue
        taken[found] = [role]
    # Then the categories, evenly: the least represented category first, ties in SPREAD order.
    counts = {c: 0 for c in (*SPREAD, "to_review")}
    cat_of: Mapping[int, str] = dict(zip(feats.get_column("__i"), feats.get_column("category"), strict=True))
    for i in taken:
        counts[cat_of[i]] = counts.get(cat_of[i], 0) + 1
    exhausted: set[str] = set()
    fill = (*SPREAD, "to_review")
    while len(taken) < n and len(exhausted) < len(fill):
        open_ = [c for c in SPREAD if c not in exhausted] or ["to_review"]
        cat = min(open_, key=lambda c: (counts[c], fill.index(c)))
        found = draw(
            _suited(pool.filter(pl.col("category") == cat), "to_review" if cat == "to_review" else cat)
        )
        if found is None:
            exhausted.add(cat)
            continue
        taken[found] = ["spread"]
        counts[cat] += 1
    # Roles an action fills besides the one it was drawn for are named too (a trap also « à examiner »).
    rows: dict[int, dict[str, Any]] = {int(r["__i"]): r for r in feats.iter_rows(named=True)}
    order = list(taken)
    rng.shuffle(order)
    picks = []
    for number, i in enumerate(order, start=1):
        r = rows[i]
        roles = [role for role in ROLES if r[role]]
        drawn = taken[i]
        if drawn == ["spread"] and not roles:
            roles = ["spread"]
        elif drawn[0] in roles:
            roles.remove(drawn[0])
            roles.insert(0, drawn[0])
        picks.append(
            Pick(
                number=number,
                index=i,
                file=r["__file"],
                row=None if r["__row"] is None else int(r["__row"]),
                category=str(r["category"]),
                roles=tuple(roles),
            )
        )
    return Selection(picks=tuple(picks), missing=tuple(missing), seed=seed, available=pool.height)
