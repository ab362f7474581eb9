"""French test cases for the web rules, readable and writable by trainers (OpenFisca style).

A case file is a list of cases::

    - nom: Marches exploratoires de femmes dans le quartier
      action:
        titre: Marches exploratoires de femmes – quartier des Peupliers
        objectifs: Permettre aux habitantes d'exprimer leur expérience du quartier.
        categorie: specific
      attendu:
        renforce: [experience, methodology]
        ne_renforce_pas: [staff]
        regles: [TOILE-EXP-01]

``action`` keys: ``titre``, ``objectifs``, ``description``, ``theme``, ``porteur`` and ``categorie``
(``specific``/« spécifique », ``transversal``/« transversale », ``not_integrated``/« non intégrée »,
``to_review``/« à revoir »): the category is given, not computed, so that a case tests the web rules
alone. ``attendu`` keys: ``elements`` (the exact list, in any order), ``renforce`` (elements that must be
strengthened), ``ne_renforce_pas`` (elements that must not: the near misses), ``regles`` and
``regles_absentes`` (rule ids), ``correspondances`` (``{règle: mots exacts}`` the reason must quote).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import RulesError, Text
from bie.resources import load_yaml_text, sequence_lines
from bie.web.rules import WebRules, load_web_rules
from bie.web.tags import element_tags

__all__ = ["CATEGORY_ALIASES", "WebCase", "WebCaseResult", "load_web_cases", "run_web_cases"]

CATEGORY_ALIASES: dict[str, str] = {
    "specific": "specific",
    "spécifique": "specific",
    "specifique": "specific",
    "transversal": "transversal",
    "transversale": "transversal",
    "not_integrated": "not_integrated",
    "non intégrée": "not_integrated",
    "non integree": "not_integrated",
    "to_review": "to_review",
    "à revoir": "to_review",
    "a revoir": "to_review",
}
_ACTION_KEYS: dict[str, str] = {
    "titre": "title",
    "objectifs": "objectives",
    "description": "description",
    "theme": "theme",
    "porteur": "carrier",
    "categorie": "category",
}
_CASE_KEYS = frozenset({"nom", "action", "attendu", "notes"})
_EXPECTED_KEYS = frozenset(
    {"elements", "renforce", "ne_renforce_pas", "regles", "regles_absentes", "correspondances"}
)


@dataclass(frozen=True)
class WebCase:
    """One case, with the file and line it comes from."""

    file: str
    line: int
    name: str
    action: dict[str, Any]
    expected: dict[str, Any]

    def mentions(self) -> set[str]:
        """Elements the case says something about (strengthened or not)."""
        exp = self.expected
        return (
            set(exp.get("elements") or [])
            | set(exp.get("renforce") or [])
            | set(exp.get("ne_renforce_pas") or [])
        )

    def positives(self) -> set[str]:
        return set(self.expected.get("elements") or []) | set(self.expected.get("renforce") or [])

    def near_misses(self) -> set[str]:
        return set(self.expected.get("ne_renforce_pas") or [])


@dataclass
class WebCaseResult:
    """The outcome of a case: the output row and the failures (empty when it passes)."""

    case: WebCase
    elements: list[str]
    reasons: list[dict[str, Any]]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _fail(p: Path, where: Text, fr: str, en: str) -> RulesError:
    return RulesError(p, detail=Text(f"{where.fr} : {fr}", f"{where.en}: {en}"))


def _element_list(value: Any, where: Text, p: Path, known: Sequence[str]) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(
            p, where, "une liste d'identifiants d'éléments est attendue", "a list of element ids is expected"
        )
    bad = ", ".join(v for v in value if v not in known)
    if bad:
        raise _fail(p, where, f"élément(s) inconnu(s) {bad}", f"unknown element(s) {bad}")


def load_web_cases(path: str | Path, rules: WebRules | None = None) -> list[WebCase]:
    """Read and check a case file (unknown keys, elements or categories are errors naming the line)."""
    rules = rules or load_web_rules()
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
    known = rules.element_order
    rule_ids = {r.id for r in rules.rules}
    cases = []
    for i, raw in enumerate(data):
        line = lines[i] if i < len(lines) else 0
        where = Text(f"ligne {line}", f"line {line}")
        if not isinstance(raw, dict) or not {"nom", "action", "attendu"} <= set(raw):
            raise _fail(
                p,
                where,
                "un cas a « nom », « action » et « attendu »",
                'a case has "nom", "action" and "attendu"',
            )
        unknown = ", ".join(sorted(map(str, set(raw) - _CASE_KEYS)))
        if unknown:
            raise _fail(p, where, f"clé(s) inconnue(s) {unknown}", f"unknown key(s) {unknown}")
        action_raw, expected = raw["action"], raw["attendu"]
        if not isinstance(action_raw, dict) or set(action_raw) - set(_ACTION_KEYS):
            bad = ", ".join(
                sorted(
                    map(str, set(action_raw) - set(_ACTION_KEYS) if isinstance(action_raw, dict) else {"?"})
                )
            )
            raise _fail(p, where, f"clé(s) d'action inconnue(s) {bad}", f"unknown action key(s) {bad}")
        category = action_raw.get("categorie")
        if category not in CATEGORY_ALIASES:
            raise _fail(
                p,
                where,
                "« categorie » doit valoir specific, transversal, not_integrated ou to_review",
                '"categorie" must be specific, transversal, not_integrated or to_review',
            )
        if not isinstance(expected, dict) or set(expected) - _EXPECTED_KEYS or not expected:
            bad = ", ".join(
                sorted(map(str, set(expected) - _EXPECTED_KEYS if isinstance(expected, dict) else {"?"}))
            )
            raise _fail(
                p,
                where,
                f"« attendu » invalide (clé(s) {bad or 'aucune'})",
                f'invalid "attendu" (key(s) {bad or "none"})',
            )
        for key in ("elements", "renforce", "ne_renforce_pas"):
            if key in expected:
                _element_list(expected[key], Text(f"{where.fr}, {key}", f"{where.en}, {key}"), p, known)
        for key in ("regles", "regles_absentes"):
            unknown_rules = ", ".join(str(r) for r in expected.get(key) or [] if r not in rule_ids)
            if unknown_rules:
                raise _fail(
                    p,
                    Text(f"{where.fr}, {key}", f"{where.en}, {key}"),
                    f"règle(s) inconnue(s) {unknown_rules}",
                    f"unknown rule(s) {unknown_rules}",
                )
        action = {
            _ACTION_KEYS[k]: (CATEGORY_ALIASES[v] if k == "categorie" else (None if v is None else str(v)))
            for k, v in action_raw.items()
        }
        cases.append(
            WebCase(file=str(p), line=line, name=str(raw["nom"]), action=action, expected=dict(expected))
        )
    return cases


def _check(case: WebCase, elements: list[str], reasons: list[dict[str, Any]]) -> list[str]:
    exp = case.expected
    failures: list[str] = []
    got = set(elements)
    fired = {r["rule"] for r in reasons}
    if "elements" in exp and got != set(exp["elements"]):
        failures.append(f"éléments attendus {sorted(exp['elements'])}, obtenus {elements}")
    for e in exp.get("renforce") or []:
        if e not in got:
            failures.append(f"l'action devait renforcer « {e} » (obtenus : {', '.join(elements) or 'aucun'})")
    for e in exp.get("ne_renforce_pas") or []:
        if e in got:
            why = "; ".join(f"{r['rule']} « {r['match']} »" for r in reasons if r["element"] == e)
            failures.append(f"l'action ne devait pas renforcer « {e} » ({why})")
    for rid in exp.get("regles") or []:
        if rid not in fired:
            failures.append(
                f"la règle {rid} devait se déclencher (règles : {', '.join(sorted(fired)) or 'aucune'})"
            )
    for rid in exp.get("regles_absentes") or []:
        if rid in fired:
            failures.append(f"la règle {rid} ne devait pas se déclencher")
    for rid, words in (exp.get("correspondances") or {}).items():
        quoted = [r["match"] for r in reasons if r["rule"] == rid]
        if words not in quoted:
            failures.append(f"la règle {rid} devait citer « {words} » (cité : {quoted or 'rien'})")
    return failures


def run_web_cases(cases: Sequence[WebCase], rules: WebRules | None = None) -> list[WebCaseResult]:
    """Run the cases in one :func:`element_tags` call."""
    rules = rules or load_web_rules()
    if not cases:
        return []
    columns = ("title", "objectives", "description", "theme", "carrier", "category")
    frame = pl.DataFrame(
        {c: [case.action.get(c) for case in cases] for c in columns},
        schema=dict.fromkeys(columns, pl.String),
    )
    out = element_tags(frame, rules)
    results = []
    for case, row in zip(cases, out.select("web_elements", "web_reasons").iter_rows(named=True), strict=True):
        elements = list(row["web_elements"])
        reasons = [dict(r) for r in row["web_reasons"]]
        results.append(WebCaseResult(case, elements, reasons, _check(case, elements, reasons)))
    return results
