"""Tag every funded action as specific, transversal, not integrated or to review (OECD-DAC 2 / 1 / 0).

>>> import polars as pl
>>> from bie.tagging import load_rules, tag
>>> pack = load_rules()
>>> actions = pl.DataFrame({"title": ["Permanence pour les femmes victimes de violences conjugales"]})
>>> result = tag(actions, pack)
>>> result.frame["category"].to_list()
['specific']

The rules are data (``bie/data/rules``, documented in ``docs/regles.md``); the engine compiles them to
polars expressions (:mod:`bie.tagging.engine`). Public API: :class:`RulePack`, :func:`load_rules`,
:func:`tag`, :class:`TagResult`, :class:`Overrides`, :func:`load_overrides`, :func:`explain`,
:class:`Explanation`, :data:`CATEGORIES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from bie.issues import Issue
from bie.tagging.engine import INPUT_COLUMNS, OUTPUT_COLUMNS, REASON_DTYPE, run_chunks
from bie.tagging.explain import Explanation, explain
from bie.tagging.overrides import OverrideEntry, Overrides, load_overrides
from bie.tagging.rules import CATEGORIES, Rule, RulePack, load_rules

__all__ = [
    "CATEGORIES",
    "INPUT_COLUMNS",
    "ISSUE_CODES",
    "OUTPUT_COLUMNS",
    "REASON_DTYPE",
    "Explanation",
    "OverrideEntry",
    "Overrides",
    "Rule",
    "RulePack",
    "TagResult",
    "explain",
    "load_overrides",
    "load_rules",
    "tag",
]

ISSUE_CODES: dict[str, dict[str, str]] = {
    "override-unmatched": {
        "severity": "warning",
        "fr": "Décision manuelle (fichier {file}, ligne {line}) sans action correspondante : non appliquée.",
        "en": "Manual decision ({file}, line {line}) matches no action: not applied.",
    },
    "override-ambiguous": {
        "severity": "warning",
        "fr": "Décision manuelle (fichier {file}, ligne {line}) correspondant à {count} actions : "
        "non appliquée ; précisez la feuille ou l'identifiant.",
        "en": "Manual decision ({file}, line {line}) matches {count} actions: not applied; "
        "give the sheet or the id.",
    },
    "declaration-mismatch": {
        "severity": "warning",
        "fr": "Égalité déclarée « {value} » ({declared}) mais les preuves du texte donnent « {category} ».",
        "en": 'Declared equality "{value}" ({declared}) but the evidence in the text gives "{category}".',
    },
    "declaration-unrecognised": {
        "severity": "info",
        "fr": "Égalité déclarée « {value} » non reconnue : aucune catégorie déclarée retenue.",
        "en": 'Declared equality "{value}" not recognised: no declared category used.',
    },
}
"""Issue codes the tagger emits, with their French and English templates (for ``bie/data/issues.yaml``)."""


@dataclass(frozen=True)
class TagResult:
    """The input frame plus the output columns, and the issues found while tagging."""

    frame: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    rules_version: str = ""


def tag(
    actions: pl.DataFrame,
    pack: RulePack,
    overrides: Overrides | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> TagResult:
    """Tag every action of ``actions`` with ``pack`` (and the manual decisions in ``overrides``).

    Input columns (each may be absent: read as null): ``action_id``, ``_sheet``, ``_row``, ``title``,
    ``objectives``, ``description``, ``theme``, ``pillar``, ``carrier``, ``declared_equality``, ``women``,
    ``men``, ``beneficiaries_total``. Output columns: see :data:`OUTPUT_COLUMNS` and ``docs/regles.md``.
    The result does not depend on row order; the same input always gives the same output.

    Actions are tagged by chunks of :data:`bie.tagging.engine.CHUNK_ROWS` (memory stays bounded whatever the
    number of actions); ``progress(done, total)`` is called after each chunk (actions tagged, actions).
    """
    frame, issues = run_chunks(actions, pack, overrides, progress=progress)
    return TagResult(frame=frame, issues=issues, rules_version=pack.version)
