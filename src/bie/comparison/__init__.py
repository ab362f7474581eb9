"""``bie.comparison`` (``bie.compare``): one contrat de ville over years or successive committees.

comparison = bie.compare(["programmation_2023.xlsx", "programmation_2024.xlsx"])
comparison.pairs[0].headline        # the headline figures side by side, with their change
comparison.pairs[0].matches         # actions renewed, each with its category, amount and declaration change
comparison.pairs[0].flows           # category in 2023 → category in 2024, with new and discontinued actions
comparison.to_dict("en")            # JSON-safe, keys stable in every language

Each period is audited once with :func:`bie.audit` (every figure of a period is its audit's); the actions
are matched by :mod:`bie.comparison.match`, the comparison is built by :mod:`bie.comparison.model`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bie.comparison.match import Match, Matching, MatchSettings, match_actions
from bie.comparison.model import (
    ActionRef,
    BreakdownChange,
    CategoryChange,
    Comparison,
    CountChange,
    DeclarationChange,
    DeclarationGap,
    FlowCell,
    FlowTable,
    GroupChange,
    HeadlineChange,
    MatchedAction,
    MatchSummary,
    MoneyChange,
    PairComparison,
    Period,
    ShareChange,
    WebChange,
    build,
)

__all__ = [
    "ActionRef",
    "BreakdownChange",
    "CategoryChange",
    "Comparison",
    "CountChange",
    "DeclarationChange",
    "DeclarationGap",
    "FlowCell",
    "FlowTable",
    "GroupChange",
    "HeadlineChange",
    "Match",
    "MatchSettings",
    "MatchSummary",
    "MatchedAction",
    "Matching",
    "MoneyChange",
    "PairComparison",
    "Period",
    "PeriodInput",
    "ShareChange",
    "WebChange",
    "build",
    "compare",
    "default_labels",
    "match_actions",
]

#: One period: a file, or several files audited together.
PeriodInput = str | Path | Sequence[str | Path]


def _files(period: PeriodInput) -> list[str | Path]:
    return [period] if isinstance(period, str | Path) else list(period)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def default_labels(audits: Sequence[Any], periods: Sequence[PeriodInput]) -> list[str]:
    """A label per period: the year its actions carry when they all carry one (« 2023 »), else the one year
    its file names hold (« programmation_cdv_2023.xlsx »), else its files' names without extension
    (« programmation_a + programmation_b »). When two periods would get one label, every period is labelled
    by its files; a label still repeated is numbered (« … (2) »)."""

    def names(period: PeriodInput) -> str:
        return " + ".join(Path(p).stem for p in _files(period))

    labels = []
    for audit, period in zip(audits, periods, strict=True):
        frame = audit.actions
        years = frame.get_column("year").drop_nulls().unique().to_list() if "year" in frame.columns else []
        complete = "year" in frame.columns and frame.get_column("year").null_count() == 0
        named = {y for p in _files(period) for y in _YEAR.findall(Path(p).name)}
        if len(years) == 1 and complete:
            labels.append(str(years[0]))
        elif len(named) == 1:
            labels.append(named.pop())
        else:
            labels.append(names(period))
    if len(set(labels)) < len(labels):
        labels = [names(p) for p in periods]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def compare(
    paths: Sequence[PeriodInput],
    labels: Sequence[str] | None = None,
    lang: str = "fr",
    **audit_options: Any,
) -> Comparison:
    """Compare two or more periods, in order (earliest first): each period (a file, or a list of files
    audited together) is audited once with :func:`bie.audit` and ``audit_options`` (``mapping``, ``rules``,
    ``funder``…); ``labels`` name the periods (default: :func:`default_labels`)."""
    from bie.audit import audit

    periods = list(paths)
    if len(periods) < 2:
        raise ValueError("a comparison needs at least two periods")
    if labels is not None and len(labels) != len(periods):
        raise ValueError(f"{len(labels)} labels for {len(periods)} periods")
    audits = [audit(_files(p), lang=lang, **audit_options) for p in periods]
    chosen = list(labels) if labels is not None else default_labels(audits, periods)
    return build(audits, chosen, lang)
