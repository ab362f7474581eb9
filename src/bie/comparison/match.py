"""Matching the actions of one period (A) with those of the next (B): which actions were renewed, which are
new, which were discontinued. The settings and their reasons are in ``bie/data/compare.yaml`` (``match``).

Method:

1. **By identifier**, when identifiers are stable: the share of B's distinct non-null identifiers
   (stripped, case ignored) that A also has is at least ``id_stable_share``. Actions whose identifier
   appears once on each side are then paired exactly (``method="id"``, score 1), unless both their carrier
   and their title disagree (an identifier shared by chance). An identifier that appears more than once on
   a side names no single action: those actions go to step 2.
2. **By carrier and title** for every action left (all of them when identifiers are not stable): the
   carriers must be equal once folded (:func:`bie.vocabulary.fold`, spaces then removed: « M.J.C. » =
   « MJC »; two actions without carrier count as one carrier), and the titles alike. A title is folded,
   split into words, stop words dropped, a final « s »/« x » of words longer than three letters dropped,
   and kept as a set; two titles score the Sørensen-Dice coefficient of their sets,
   ``2 |A ∩ B| / (|A| + |B|)`` (order of words ignored, one word added to a two-word title still scores
   0.8, « Atelier couture » and « Atelier cuisine » score 0.5). Pairs scoring at least ``title_threshold``
   are candidates, taken best first (ties broken by A's file and row, then B's), each action at most once
   (``method="title"``, the score kept).

Candidate pairs are built and scored with polars expressions (a join on the carrier key); the only Python
loop is the one-to-one choice over those candidate pairs. Actions are known by ``(_file, _row)``, so the
pairs do not depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from bie.resources import load_data
from bie.vocabulary import fold

__all__ = [
    "Match",
    "MatchSettings",
    "Matching",
    "fold_expr",
    "id_key",
    "keys",
    "match_actions",
    "settings",
    "title_tokens",
]

Method = Literal["id", "title"]


@dataclass(frozen=True)
class MatchSettings:
    """The thresholds of ``compare.yaml`` (``match``)."""

    id_stable_share: float
    title_threshold: float
    stop_words: frozenset[str]


def settings(spec: Mapping[str, Any] | None = None) -> MatchSettings:
    """The matching settings of ``compare.yaml`` (or of ``spec``, a mapping of the same shape)."""
    m: Mapping[str, Any] = spec if spec is not None else load_data("compare.yaml")["match"]
    return MatchSettings(
        id_stable_share=float(m["id_stable_share"]),
        title_threshold=float(m["title_threshold"]),
        stop_words=frozenset(fold(str(w)) for w in m.get("stop_words") or ()),
    )


@dataclass(frozen=True)
class Match:
    """One action of A (``a_index``: its row in A's actions frame) renewed as one of B (``b_index``)."""

    a_index: int
    b_index: int
    method: Method
    score: float


@dataclass(frozen=True)
class Matching:
    """The pairs (sorted by A's file and row), the actions of A left alone (``discontinued``) and those of B
    (``new``), as row positions in each frame sorted by file and row. ``ids_stable``: whether step 1 ran;
    ``id_share``: the share of B's identifiers found in A (None when B has none)."""

    pairs: tuple[Match, ...]
    discontinued: tuple[int, ...]
    new: tuple[int, ...]
    ids_stable: bool
    id_share: float | None
    settings: MatchSettings

    @property
    def by_id(self) -> int:
        return sum(1 for m in self.pairs if m.method == "id")

    @property
    def by_title(self) -> int:
        return sum(1 for m in self.pairs if m.method == "title")


def id_key(expr: pl.Expr) -> pl.Expr:
    """An identifier as compared: stripped, lower case, null when blank."""
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(text.str.len_chars() > 0).then(text)


_SPECIAL = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'", "ʼ": "'"}


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`bie.vocabulary.fold` as a polars expression (no Python call per row): ligatures spelt out,
    camelCase split, accents removed, lower case, every run of other characters one space; null as ""."""
    return (
        expr.cast(pl.String)
        .fill_null("")
        .str.replace_many(list(_SPECIAL), list(_SPECIAL.values()))
        .str.replace_all(r"([a-z])([A-Z])", "${1} ${2}")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9%€]+", " ")
        .str.strip_chars()
    )


def title_tokens(expr: pl.Expr, stop_words: frozenset[str]) -> pl.Expr:
    """A title as the set of its meaningful words (sorted list): folded, stop words dropped, a final « s »
    or « x » of a word longer than three letters dropped."""
    words = (
        fold_expr(expr)
        .str.split(" ")
        .list.eval(
            pl.element()
            .filter((pl.element().str.len_chars() > 0) & ~pl.element().is_in(list(stop_words)))
            .str.replace(r"^(.{3,}?)[sx]$", "${1}")
        )
    )
    return words.list.unique().list.sort()


def _prepared(frame: pl.DataFrame, stop_words: frozenset[str]) -> pl.DataFrame:
    """Each action's keys (file, row, identifier, carrier, title words), by its row position in ``frame``."""
    missing = [c for c in ("_file", "action_id", "carrier", "title") if c not in frame.columns]
    # Missing columns as nulls of the frame's height (a literal would give an empty frame one row).
    frame = frame.with_columns(pl.Series(c, [None] * frame.height, pl.String) for c in missing)
    if "_row" not in frame.columns:
        frame = frame.with_columns(pl.Series("_row", range(frame.height), pl.Int64))
    return (
        frame.select(
            pl.col("_file").cast(pl.String).fill_null("").alias("file"),
            pl.col("_row").cast(pl.Int64).alias("row"),
            id_key(pl.col("action_id")).alias("id"),
            fold_expr(pl.col("carrier")).str.replace_all(" ", "", literal=True).alias("carrier"),
            title_tokens(pl.col("title"), stop_words).alias("tokens"),
        )
        .with_row_index("index")
        .with_columns(pl.col("index").cast(pl.Int64))
    )


def _dice() -> pl.Expr:
    """The Sørensen-Dice coefficient of the word sets ``tokens`` and ``tokens_b`` (0 when both are empty),
    rounded to six decimals (ties are then exact)."""
    common = pl.col("tokens").list.set_intersection(pl.col("tokens_b")).list.len()
    size = pl.col("tokens").list.len() + pl.col("tokens_b").list.len()
    return pl.when(size > 0).then(2 * common / size).otherwise(0.0).round(6)


def _unique_ids(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("id").is_not_null() & (pl.len().over("id") == 1))


def match_actions(a: pl.DataFrame, b: pl.DataFrame, config: MatchSettings | None = None) -> Matching:
    """Match the actions of ``a`` (period A) with those of ``b`` (period B); frames as
    :attr:`bie.audit.Audit.actions` (``_file``, ``_row``, ``action_id``, ``carrier``, ``title``). Indices are
    row positions in each frame as given."""
    conf = config or settings()
    pa, pb = _prepared(a, conf.stop_words), _prepared(b, conf.stop_words)
    ids_a = set(pa.get_column("id").drop_nulls().to_list())
    ids_b = set(pb.get_column("id").drop_nulls().to_list())
    share = len(ids_a & ids_b) / len(ids_b) if ids_b else None
    stable = share is not None and share >= conf.id_stable_share - 1e-12
    pairs: list[Match] = []
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    if stable:
        joined = _unique_ids(pa).join(_unique_ids(pb), on="id", suffix="_b")
        # An identifier shared by chance (row numbers, « 1 », « 2 »…) names two unrelated actions: a pair
        # whose carrier and title both disagree is not kept (a renamed carrier or a new title alone is).
        joined = joined.filter(
            (pl.col("carrier") == pl.col("carrier_b")) | (_dice() >= conf.title_threshold - 1e-9)
        )
        for ia, ib in joined.select("index", "index_b").iter_rows():
            pairs.append(Match(int(ia), int(ib), "id", 1.0))
            taken_a.add(int(ia))
            taken_b.add(int(ib))
    left_a = pa.filter(~pl.col("index").is_in(list(taken_a)) & (pl.col("tokens").list.len() > 0))
    left_b = pb.filter(~pl.col("index").is_in(list(taken_b)) & (pl.col("tokens").list.len() > 0))
    candidates = (
        left_a.join(left_b, on="carrier", suffix="_b")
        .with_columns(_dice().alias("score"))
        .filter(pl.col("score") >= conf.title_threshold - 1e-9)
        .sort(
            ["score", "file", "row", "file_b", "row_b"],
            descending=[True, False, False, False, False],
        )
    )
    for ia, ib, score in candidates.select("index", "index_b", "score").iter_rows():
        if ia in taken_a or ib in taken_b:
            continue
        taken_a.add(int(ia))
        taken_b.add(int(ib))
        pairs.append(Match(int(ia), int(ib), "title", float(score)))
    order_a = _order(pa)
    order_b = _order(pb)
    pairs.sort(key=lambda m: order_a[m.a_index])
    return Matching(
        pairs=tuple(pairs),
        discontinued=tuple(sorted((i for i in order_a if i not in taken_a), key=order_a.__getitem__)),
        new=tuple(sorted((i for i in order_b if i not in taken_b), key=order_b.__getitem__)),
        ids_stable=stable,
        id_share=None if share is None else round(share, 6),
        settings=conf,
    )


def _order(frame: pl.DataFrame) -> dict[int, tuple[str, int, int]]:
    """Row position → (file, row, position): the order actions are listed in, whatever the row order."""
    return {
        int(i): (str(f), int(r) if r is not None else -1, int(i))
        for i, f, r in frame.select("index", "file", "row").iter_rows()
    }


def keys(frame: pl.DataFrame, indices: Sequence[int]) -> list[tuple[str, int]]:
    """``(file, row)`` of the actions at ``indices`` (the identity of an action, whatever the row order)."""
    f = frame.get_column("_file").to_list()
    r = frame.get_column("_row").to_list()
    return [(str(f[i]), int(r[i])) for i in indices]
