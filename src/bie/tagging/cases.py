"""French YAML test cases for the rules (OpenFisca style), readable and writable by trainers.

A case file is a list of cases::

    - nom: Permanence juridique du CIDFF pour les victimes de violences conjugales
      action:
        titre: Permanence d'accès aux droits des femmes victimes de violences
        objectifs: Accompagner les femmes victimes de violences conjugales vers leurs droits.
      attendu:
        categorie: specific
        regles: [SPEC-VSS-01]

``action`` keys: ``titre``, ``objectifs``, ``description``, ``theme``, ``pilier``, ``porteur``,
``egalite_declaree``, ``femmes``, ``hommes``, ``total``, ``identifiant``, ``ligne``, ``feuille``.
``attendu`` keys: ``categorie``; ``regles`` (rules that must be among the reasons); ``regles_absentes``
(rules that must not be); ``public``; ``declaree``; ``ecart_declaration``; ``correspondances``
(``{règle: mots exacts}``: the words the reason must show); ``confiance_min`` / ``confiance_max`` (the
calibrated confidence shown to readers); ``force_min`` / ``force_max`` (the evidence score before
calibration: for rules that raise or lower it).
Optional case keys: ``decisions`` (manual decisions, as in a decisions file) and ``regles_locales``
(overlay files, relative to the case file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import RulesError, Text
from bie.resources import load_yaml_text, sequence_lines
from bie.tagging.engine import P, run
from bie.tagging.explain import ActionKeyError, frame_from_rows, row_from_mapping
from bie.tagging.overrides import Overrides
from bie.tagging.rules import CATEGORIES, RulePack, load_rules

__all__ = ["Case", "CaseResult", "load_cases", "run_cases"]

_CASE_KEYS = frozenset({"nom", "action", "attendu", "decisions", "regles_locales", "notes"})
_EXPECTED_KEYS = frozenset(
    {
        "categorie",
        "regles",
        "regles_absentes",
        "public",
        "declaree",
        "ecart_declaration",
        "correspondances",
        "confiance_min",
        "confiance_max",
        "force_min",
        "force_max",
        "decision_manuelle",
    }
)
AUDIENCES = ("women_only", "men_only", "mixed", "unknown")


@dataclass(frozen=True)
class Case:
    """One test case, with the file and line it comes from."""

    file: str
    line: int
    name: str
    action: dict[str, Any]
    expected: dict[str, Any]
    decisions: tuple[dict[str, Any], ...] = ()
    overlays: tuple[str, ...] = ()


@dataclass
class CaseResult:
    """The outcome of a case: the tagger's output row and the failures (empty when it passes)."""

    case: Case
    output: dict[str, Any]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(path: str | Path) -> list[Case]:
    """Read and check a case file (unknown keys and categories are errors naming the case)."""
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig")
    data = load_yaml_text(text, str(p), RulesError)
    if data is None:
        return []
    if not isinstance(data, list):
        raise RulesError(
            p,
            detail=Text(
                "un fichier de cas est une liste de cas (nom, action, attendu)",
                "a case file is a list of cases (nom, action, attendu)",
            ),
        )
    lines = sequence_lines(text)
    cases = []
    for i, raw in enumerate(data):
        line = lines[i] if i < len(lines) else 0

        def fail(fr: str, en: str, line: int = line) -> RulesError:
            return RulesError(p, detail=Text(f"ligne {line} : {fr}", f"line {line}: {en}"))

        if not isinstance(raw, dict) or not {"nom", "action", "attendu"} <= set(raw):
            raise fail(
                "un cas a « nom », « action » et « attendu »", 'a case has "nom", "action" and "attendu"'
            )
        unknown = set(raw) - _CASE_KEYS
        if unknown:
            keys = ", ".join(sorted(map(str, unknown)))
            raise fail(f"clé(s) inconnue(s) {keys}", f"unknown key(s) {keys}")
        expected = raw["attendu"]
        if not isinstance(expected, dict) or set(expected) - _EXPECTED_KEYS:
            bad = ", ".join(
                sorted(map(str, set(expected) - _EXPECTED_KEYS if isinstance(expected, dict) else {"?"}))
            )
            raise fail(f"clé(s) d'attendu inconnue(s) {bad}", f'unknown key(s) in "attendu": {bad}')
        if "categorie" in expected and expected["categorie"] not in CATEGORIES:
            value = expected["categorie"]
            raise fail(f"catégorie attendue inconnue {value!r}", f"unknown expected category {value!r}")
        if "public" in expected and expected["public"] not in AUDIENCES:
            value = expected["public"]
            raise fail(f"public attendu inconnu {value!r}", f"unknown expected audience {value!r}")
        action = raw["action"]
        if not isinstance(action, dict):
            raise fail("« action » doit être un objet", '"action" must be an object')
        try:
            row_from_mapping(action)
        except ActionKeyError as exc:
            raise fail(f"clé d'action inconnue {exc.key!r}", f"unknown action key {exc.key!r}") from exc
        overlays = tuple(str((p.parent / o).resolve()) for o in raw.get("regles_locales") or [])
        cases.append(
            Case(
                file=str(p),
                line=line,
                name=str(raw["nom"]),
                action=dict(action),
                expected=dict(expected),
                decisions=tuple(raw.get("decisions") or ()),
                overlays=overlays,
            )
        )
    return cases


def check(case: Case, out: dict[str, Any]) -> list[str]:
    """Compare one output row with the case's expectations; French failure messages."""
    exp = case.expected
    failures: list[str] = []
    reasons = out.get("reasons") or []
    fired = [r["rule"] for r in reasons]
    if "categorie" in exp and out["category"] != exp["categorie"]:
        failures.append(f"catégorie attendue {exp['categorie']}, obtenue {out['category']}")
    for rid in exp.get("regles") or []:
        if rid not in fired:
            failures.append(f"la règle {rid} devait se déclencher (règles : {', '.join(fired) or 'aucune'})")
    for rid in exp.get("regles_absentes") or []:
        if rid in fired:
            failures.append(f"la règle {rid} ne devait pas se déclencher")
    if "public" in exp and out["audience"] != exp["public"]:
        failures.append(f"public attendu {exp['public']}, obtenu {out['audience']}")
    if "declaree" in exp and out["declared_category"] != exp["declaree"]:
        failures.append(f"catégorie déclarée attendue {exp['declaree']}, obtenue {out['declared_category']}")
    if "ecart_declaration" in exp and out["declaration_mismatch"] != exp["ecart_declaration"]:
        failures.append(
            f"écart de déclaration attendu {exp['ecart_declaration']}, obtenu {out['declaration_mismatch']}"
        )
    for rid, words in (exp.get("correspondances") or {}).items():
        got = [r["match"] for r in reasons if r["rule"] == rid]
        if words not in got:
            failures.append(f"la règle {rid} devait citer « {words} » (cité : {got or 'rien'})")
    if "confiance_min" in exp and out["confidence"] < float(exp["confiance_min"]):
        failures.append(f"confiance {out['confidence']} < {exp['confiance_min']}")
    if "confiance_max" in exp and out["confidence"] > float(exp["confiance_max"]):
        failures.append(f"confiance {out['confidence']} > {exp['confiance_max']}")
    # the evidence score before calibration (``force``): a rule that must raise or lower it is tested here,
    # the calibrated confidence groups scores into bins and may not move
    if "force_min" in exp and out.get("score", 0.0) < float(exp["force_min"]):
        failures.append(f"force des preuves {out.get('score')} < {exp['force_min']}")
    if "force_max" in exp and out.get("score", 1.0) > float(exp["force_max"]):
        failures.append(f"force des preuves {out.get('score')} > {exp['force_max']}")
    if "decision_manuelle" in exp and out["override"] != exp["decision_manuelle"]:
        failures.append(
            f"décision manuelle attendue {exp['decision_manuelle']!r}, obtenue {out['override']!r}"
        )
    return failures


def run_cases(cases: Sequence[Case], pack: RulePack | None = None) -> list[CaseResult]:
    """Run cases in batches (one ``tag`` call per group of cases sharing overlays and no decisions)."""
    results: dict[int, CaseResult] = {}
    groups: dict[tuple[str, ...], list[int]] = {}
    singles: list[int] = []
    for i, case in enumerate(cases):
        if case.decisions:
            singles.append(i)
        else:
            groups.setdefault(case.overlays, []).append(i)

    def pack_for(overlays: tuple[str, ...]) -> RulePack:
        if not overlays:
            return pack if pack is not None else load_rules()
        return load_rules(list(overlays))

    for overlays, idxs in groups.items():
        frame = frame_from_rows([cases[i].action for i in idxs])
        out, internal, _issues = run(frame, pack_for(overlays))
        scores = internal.get_column(f"{P}score").to_list()
        for i, row, score in zip(idxs, out.iter_rows(named=True), scores, strict=True):
            row["score"] = score
            results[i] = CaseResult(cases[i], row, check(cases[i], row))
    for i in singles:
        case = cases[i]
        decisions = Overrides.from_records(case.decisions, source=f"{case.file}:{case.line}")
        frame = frame_from_rows([case.action])
        out, internal, _issues = run(frame, pack_for(case.overlays), decisions)
        row = out.row(0, named=True)
        row["score"] = internal.get_column(f"{P}score")[0]
        results[i] = CaseResult(case, row, check(case, row))
    return [results[i] for i in range(len(cases))]


def frame_of_cases(cases: Sequence[Case]) -> pl.DataFrame:
    """The input frame of a list of cases (for benchmarks and order tests)."""
    return frame_from_rows([c.action for c in cases])
