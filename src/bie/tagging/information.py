"""How much an action's text says: content words, and whether a heading is a label rather than an aim.

Data: ``src/bie/data/information.yaml`` (stop words, administrative fillers, domain-only words, action words,
brand patterns, thresholds), each list with its rationale and sources. Two uses in the tagger
(:mod:`bie.tagging.engine`):

- **The "too little text" gate** counts *content words*: the words of the whole action text once stop words,
  fillers (« subvention », « fonctionnement », « aide », « projet », « année »…), numbers (years, amounts),
  acronyms in mixed-case text and the carrier's own name (its words and its initials) are set aside. Under
  ``min_content_words`` the action is « à examiner », reason « intitulé seul : rien à examiner ».
- **A label is not a main objective**: the first sentence of the action is a *label* (a brand name, a generic
  heading, the carrier's name) when it has no content word, equals the carrier, shows a brand sign
  (exclamation, question, quotes, a portmanteau « Cultur'hall »), or is short (``label_max_words``) with no
  action word. Its words then do not count as content, and the next sentence is read as the main objective.

Everything is a polars expression (no loop over rows).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from bie.resources import load_data
from bie.tagging.normalize import normalize_expr

__all__ = ["Information", "content_words", "is_label", "load_information"]


@dataclass(frozen=True)
class Information:
    """The information vocabulary (see ``information.yaml``)."""

    version: str
    stop_words: frozenset[str]
    fillers: frozenset[str]
    action_words: frozenset[str]
    action_suffix: str
    brand_patterns: tuple[str, ...]
    not_brand: str
    min_content_words: int
    label_max_words: int

    @property
    def ignored(self) -> frozenset[str]:
        """Words that never count as content."""
        return self.stop_words | self.fillers

    @property
    def ignored_regex(self) -> str:
        """The ignored words and every token with a digit, as one regex on normalised text."""
        words = "|".join(sorted(map(re.escape, self.ignored), key=lambda w: (-len(w), w)))
        return rf"(?-u:\b)(?:{words}|[a-z]*[0-9][a-z0-9]*)(?-u:\b)"

    @property
    def action_regex(self) -> str:
        words = "|".join(sorted(map(re.escape, self.action_words), key=lambda w: (-len(w), w)))
        suffix = self.action_suffix.removeprefix("^").removesuffix("$")
        return rf"(?-u:\b)(?:{words}|{suffix})(?-u:\b)"


def _words(raw: Any) -> frozenset[str]:
    return frozenset(str(raw or "").split())


@functools.lru_cache(maxsize=1)
def load_information() -> Information:
    """The vocabulary shipped in ``bie/data/information.yaml``."""
    data = load_data("information.yaml")
    fillers: set[str] = set()
    for group in data["fillers"]:
        fillers |= _words(group["words"])
    brand = data["brand_patterns"]
    return Information(
        version=str(data["version"]),
        stop_words=_words(data["stop_words"]["words"]),
        fillers=frozenset(fillers),
        action_words=_words(data["action_words"]["words"]),
        action_suffix=str(data["action_words"]["suffix_pattern"]),
        brand_patterns=tuple(str(p) for p in brand["patterns"]),
        not_brand=str(brand["not_brand"]),
        min_content_words=int(data["min_content_words"]),
        label_max_words=int(data["label_max_words"]),
    )


def _cleaned(norm: pl.Expr, info: Information) -> pl.Expr:
    """Normalised text with the ignored words and numbers blanked."""
    return norm.str.replace_all(info.ignored_regex, " ")


def is_label(
    source: pl.Expr, norm: pl.Expr, carrier: pl.Expr, info: Information, *, short_counts: bool = True
) -> pl.Expr:
    """Whether a sentence (``source``, and ``norm`` its normalised text) is a label, not a main objective.

    ``carrier``: the carrier's normalised name (or null). ``short_counts``: a short sentence without an
    action word (« Un but pour l'emploi ») is a label too. The zones leave it out (a short heading that states
    an aim, « Égalité salariale », is the main objective); the gate counts it (it names no activity).
    """
    cleaned = _cleaned(norm, info)
    n_content = cleaned.str.count_matches(r"[a-z]{2,}").fill_null(0)
    letters = norm.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    carrier_letters = carrier.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    equals_carrier = (
        (letters.str.len_chars() >= 3) & carrier_letters.str.contains(letters, literal=True)
    ).fill_null(False)
    plain = source.str.replace_all(info.not_brand, " ")  # « jusqu'à », « aujourd'hui » are no portmanteaus
    brand = pl.any_horizontal([plain.str.contains(p).fill_null(False) for p in info.brand_patterns])
    label = (n_content == 0) | equals_carrier | brand
    if not short_counts:
        return label
    no_action = ~cleaned.str.contains(info.action_regex).fill_null(False)
    return label | ((n_content <= info.label_max_words) & no_action)


_PREFIX = 64
"""Characters read first when only "at least N content words" matters (:func:`content_words`)."""


def content_words(
    frame: pl.DataFrame,
    idx: str,
    source: str,
    carrier: str,
    info: Information,
    *,
    at_least: int | None = None,
) -> pl.DataFrame:
    """``idx`` and ``content_words`` (count) for each row of ``frame``.

    ``source``: the text to measure (original case: acronyms are told by their capitals); ``carrier``: the
    carrier's normalised name. Tokens are exploded once (a polars frame, not a loop).

    ``at_least``: only whether a row has at least that many content words matters (the gate): the first
    :data:`_PREFIX` characters are read first (a word cut at the end left out), and the whole text only for
    the rows that do not reach ``at_least`` there. Counts of ``at_least`` or more are then lower bounds; the
    comparison with ``at_least`` is the same as with the exact count. ``None``: exact counts (explanations).
    """
    src = pl.col(source).fill_null("")
    if at_least is None:
        return _count_content(frame, idx, src, src, carrier, info)
    long = src.str.len_chars() > _PREFIX
    head = pl.when(long).then(src.str.slice(0, _PREFIX).str.replace(r"[\p{L}\p{N}]+$", "")).otherwise(src)
    first = _count_content(frame, idx, head, src, carrier, info)
    short = first.filter(pl.col("content_words") < at_least).get_column(idx)
    if short.len() == 0:
        return first
    rest = frame.filter(pl.col(idx).is_in(short.implode()) & long)
    if rest.height == 0:
        return first
    exact = _count_content(rest, idx, src, src, carrier, info).rename({"content_words": "exact"})
    return first.join(exact, on=idx, how="left", maintain_order="left").select(
        pl.col(idx), pl.coalesce("exact", "content_words").alias("content_words")
    )


def _count_content(
    frame: pl.DataFrame, idx: str, text: pl.Expr, whole: pl.Expr, carrier: str, info: Information
) -> pl.DataFrame:
    """The content words of ``text``; ``whole``: the row's whole text (mixed case or not)."""
    rows = frame.select(
        pl.col(idx),
        whole.str.contains(r"\p{Ll}").alias("mixed"),
        text.str.extract_all(r"[\p{L}\p{N}]+").alias("tok"),
    )
    toks = rows.explode("tok").filter(pl.col("tok").is_not_null())
    toks = toks.with_columns(normalize_expr(pl.col("tok")).str.strip_chars().alias("norm"))
    acronym = pl.col("mixed") & pl.col("tok").str.contains(r"^\p{Lu}[\p{Lu}\p{N}]+$")
    toks = toks.filter(
        (pl.col("norm").str.len_chars() >= 2)
        & ~pl.col("norm").is_in(list(info.ignored))
        & ~pl.col("norm").str.contains(r"[0-9]")
        & ~acronym
    )
    carrier_words = frame.select(
        pl.col(idx), pl.col(carrier).fill_null("").str.extract_all(r"[a-z0-9]+").alias("cw")
    )
    significant = pl.col("cw").list.eval(pl.element().filter(~pl.element().is_in(list(info.stop_words))))
    initials = carrier_words.select(
        pl.col(idx),
        pl.col("cw").list.eval(pl.element().str.slice(0, 1)).list.join("").alias("i1"),
        significant.list.eval(pl.element().str.slice(0, 1)).list.join("").alias("i2"),
    )
    drop = pl.concat(
        [
            carrier_words.explode("cw").select(pl.col(idx), pl.col("cw").alias("norm")),
            initials.select(pl.col(idx), pl.col("i1").alias("norm")),
            initials.select(pl.col(idx), pl.col("i2").alias("norm")),
        ]
    ).filter(pl.col("norm").str.len_chars() >= 2)
    kept = toks.join(drop, on=[idx, "norm"], how="anti")
    counts = kept.group_by(idx).agg(pl.len().cast(pl.Int64).alias("content_words"))
    return (
        frame.select(pl.col(idx))
        .join(counts, on=idx, how="left", maintain_order="left")
        .with_columns(pl.col("content_words").fill_null(0))
    )
