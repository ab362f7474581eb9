"""Tests of the web of institutionalisation (bie.web): model, rules, element tags, profile, golden
profiles of the sample programme, questionnaire, picture.

The French cases of the rules live in tests/web_cases/*.yaml (collected by tests/web_cases/conftest.py);
they also run here, in one test, so that ``pytest tests/test_web*.py`` covers them.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import string
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

import bie
import bie.web.questionnaire as questionnaire_module
from bie.errors import ConfigError, OutputError, QuestionnaireError, RulesError
from bie.resources import load_data
from bie.web import (
    Questionnaire,
    WebModel,
    WebProfile,
    element_tags,
    load_model,
    load_web_rules,
    profile,
    read_questionnaire,
    render_svg,
    text_alternative,
    write_questionnaire,
)
from bie.web.cases import load_web_cases, run_web_cases
from bie.web.profile import CRITERIA_ORDER
from bie.web.questionnaire import KIND, META_SHEET, answer_choices, parse_answer
from bie.web.tags import REASON_DTYPE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "bie" / "data"
CASES = ROOT / "tests" / "web_cases"
GOLDEN = ROOT / "tests" / "golden"
FIXTURE = ROOT / "fixtures" / "programmation_cdv_2024.xlsx"
WEB_MD = ROOT.parent / "shared" / "reference" / "web.md"
UPDATE = os.environ.get("BIE_UPDATE_GOLDEN") == "1"

IDS = {
    "experience": "citizens",
    "constituencies": "citizens",
    "representation": "citizens",
    "commitment": "policy",
    "resources": "policy",
    "policy": "policy",
    "responsibility": "organisation",
    "procedures": "organisation",
    "staff": "organisation",
    "methodology": "delivery",
    "delivery": "delivery",
    "learning": "delivery",
    "research": "delivery",
}
DEFAULT_LINKS = {
    ("experience", "constituencies"),
    ("constituencies", "representation"),
    ("representation", "commitment"),
    ("commitment", "policy"),
    ("policy", "resources"),
    ("commitment", "responsibility"),
    ("policy", "procedures"),
    ("resources", "staff"),
    ("responsibility", "methodology"),
    ("procedures", "methodology"),
    ("staff", "methodology"),
    ("methodology", "delivery"),
    ("delivery", "experience"),
    ("research", "learning"),
    ("learning", "research"),
    ("learning", "methodology"),
    ("experience", "research"),
}


@pytest.fixture(scope="module")
def model() -> WebModel:
    return load_model()


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    columns = ["title", "objectives", "description", "theme", "carrier", "category", "action_id", "_amount"]
    schema = {c: (pl.Float64 if c == "_amount" else pl.String) for c in columns}
    return pl.DataFrame({c: [r.get(c) for r in rows] for c in columns}, schema=schema)


def json_roundtrip(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False))


# --------------------------------------------------------------------------------------------------
# the model


def test_model_elements_spheres_and_order(model: WebModel) -> None:
    assert model.version == "2026.2"
    assert [(e.id, e.sphere) for e in model.elements] == list(IDS.items())
    assert [s.id for s in model.spheres] == ["citizens", "policy", "organisation", "delivery"]
    assert [s.label_fr for s in model.spheres] == [
        "Habitant·es",
        "Politiques publiques",
        "Professionnelle et technique",
        "Conduite du projet",
    ]
    assert [(s.score, s.fr, s.en) for s in model.scale] == [
        (0, "absent", "absent"),
        (1, "faible", "weak"),
        (2, "moyen", "medium"),
        (3, "fort", "strong"),
    ]
    for e in model.elements:
        assert e.label_fr and e.label_en and e.description_fr and e.description_en
        assert e.questions_fr and len(e.questions_fr) == len(e.questions_en)
        assert e.sources and all(s.href or s.file for s in e.sources)
        assert isinstance(e.funding_evidence, bool)
    assert sorted(model.ring) == sorted(IDS)


def test_french_labels_are_those_of_web_md(model: WebModel) -> None:
    if not WEB_MD.is_file():
        pytest.skip("shared/reference/web.md is not beside the repository")
    table = {}
    for line in WEB_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([a-z]+)` \| [^|]+\| ([^|]+) \| ([^|]+) \|", line)
        if m:
            table[m.group(1)] = (m.group(2).strip(), m.group(3).strip())
    assert set(table) == set(IDS)
    for e in model.elements:
        assert (e.label_fr, e.label_en) == table[e.id], e.id


def test_links_default_chain_and_diagnostic_links(model: WebModel) -> None:
    links = {(link.source, link.target): link for link in model.links}
    assert set(links) == DEFAULT_LINKS | {("experience", "policy"), ("research", "policy")}
    assert links[("experience", "policy")].kind == "diagnostic"
    assert links[("experience", "policy")].message_fr == "le diagnostic n'irrigue pas la programmation"
    assert links[("research", "policy")].kind == "diagnostic"
    for link in model.links:
        assert link.message_fr and link.message_en and link.sources


def test_funding_evidence_flags(model: WebModel) -> None:
    flags = {e.id: e.funding_evidence for e in model.elements}
    assert {k for k, v in flags.items() if not v} == {
        "representation",
        "commitment",
        "policy",
        "responsibility",
        "procedures",
        "staff",
        "methodology",
        "learning",
        "research",
    }
    levels = {e.id: e.evidence for e in model.elements}
    assert {k for k, v in levels.items() if v == "action"} == {
        "experience",
        "constituencies",
        "representation",
        "delivery",
    }
    assert model.element("staff").thresholds.id == "institution"
    assert model.element("delivery").thresholds.id == "delivery"
    assert model.element("resources").thresholds.id == "resources"


MODEL_BREAKAGES = [
    (
        "    sphere: citizens\n    label_fr: Expérience",
        "    sphere: citoyens\n    label_fr: Expérience",
        "élément experience : sphère inconnue",
    ),
    (
        "  - from: experience\n    to: constituencies",
        "  - from: experience\n    to: nowhere",
        "élément inconnu « nowhere »",
    ),
    (
        "        any: [{actions: 3, element_share: 0.08}]\n    sources: [*src_pal, *src_webmd]",
        "        any: [{budget: 6}]\n    sources: [*src_pal, *src_webmd]",
        "seuils default : niveau 3 : critère inconnu « budget »",
    ),
    ('version: "2026.2"', "version: 2026.2", "« version » doit s'écrire AAAA.N"),
    (
        "    evidence: institution\n",
        "    evidence: association\n",
        "« evidence » inconnu 'association' ; valeurs : action, institution",
    ),
    (
        "    funding_evidence: true\n    thresholds: delivery",
        "    funding_evidence: oui\n    thresholds: delivery",
        "élément delivery : « funding_evidence » doit valoir true ou false",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), MODEL_BREAKAGES)
def test_invalid_model_names_file_and_entry(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (DATA / "web.yaml").read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "web.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_model(bad)
    assert str(bad) in str(info.value)
    assert message in str(info.value)


def test_model_without_sources_is_refused(tmp_path: Path) -> None:
    text = (DATA / "web.yaml").read_text(encoding="utf-8")
    old = "    message_fr: le diagnostic n'irrigue pas la programmation\n    message_en: the diagnosis does not feed into the programming\n    sources: [*src_webmd, *src_seed]\n"
    assert old in text
    bad = tmp_path / "web.yaml"
    bad.write_text(
        text.replace(old, old.replace("    sources: [*src_webmd, *src_seed]\n", "    sources: []\n")), "utf-8"
    )
    with pytest.raises(
        ConfigError, match=r"lien experience → policy : « sources » doit être une liste non vide"
    ):
        load_model(bad)


#: The English message of each of MODEL_BREAKAGES, in the same order.
MODEL_BREAKAGES_EN = [
    'element experience: unknown sphere "citoyens"; values: citizens, delivery, organisation, policy',
    'link experience → nowhere: unknown element "nowhere"',
    'thresholds default: level 3: unknown criterion "budget"',
    '"version" must be written YYYY.N in quotes (found 2026.2)',
    "unknown \"evidence\" 'association'; values: action, institution",
    'element delivery: "funding_evidence" must be true or false',
]


@pytest.mark.parametrize(
    ("old", "new", "french", "english"),
    [(*b, en) for b, en in zip(MODEL_BREAKAGES, MODEL_BREAKAGES_EN, strict=True)],
    ids=[f"breakage{i}" for i in range(len(MODEL_BREAKAGES))],
)
def test_invalid_model_message_in_the_readers_language(
    tmp_path: Path, old: str, new: str, french: str, english: str
) -> None:
    text = (DATA / "web.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "web.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_model(bad)
    en = info.value.message("en")
    assert en.startswith(f"{bad}: invalid configuration file (") and english in en
    assert "«" not in en and " doit " not in en and "élément" not in en
    assert french in info.value.message("fr") and english not in info.value.message("fr")


# --------------------------------------------------------------------------------------------------
# the rules


def test_builtin_rules_cover_every_element(model: WebModel) -> None:
    rules = load_web_rules()
    assert rules.model_version == model.version
    covered = Counter(e for r in rules.rules for e in r.elements)
    assert set(covered) == set(IDS)
    for r in rules.rules:
        assert r.sources and r.rationale
        assert set(r.categories) <= {"specific", "transversal"}
        assert r.every_action or r.examples
    assert [r.id for r in rules.rules if r.every_action] == ["TOILE-DELIV-01"]


RULE_BREAKAGES = [
    (
        "    elements: [experience, methodology]\n",
        "    elements: [experience, methodo]\n",
        "TOILE-EXP-01",
        "élément inconnu methodo",
    ),
    (
        "    elements: [experience, methodology]\n",
        "    elements: [experience, methodology, experience]\n",
        "TOILE-EXP-01",
        "cité deux fois : experience",
    ),
    (
        "    elements: [experience, methodology]\n",
        "    elements: [experience, methodo, delivry]\n",
        "TOILE-EXP-01",
        "éléments inconnus methodo, delivry",
    ),
    (
        "      - '\\bcharte europeenne pour l egalite\\b'\n",
        "      - '\\bcharte (europeenne\\b'\n",
        "TOILE-COMMIT-01",
        "motif « \\bcharte (europeenne\\b » invalide",
    ),
    (
        "    sources: *src_bie\n    last_reviewed: 2026-01-15\n\n  - id: TOILE-POL-01",
        "    last_reviewed: 2026-01-15\n\n  - id: TOILE-POL-01",
        "TOILE-RES-02",
        "clé(s) manquante(s) : sources",
    ),
    (
        "    elements: [resources]\n    patterns:\n      - '\\b(?:credits?",
        "    elements: [resources]\n    categories: [not_integrated]\n    patterns:\n      - '\\b(?:credits?",
        "TOILE-RES-02",
        "seule une action spécifique ou transversale",
    ),
    (
        "      - Diagnostic égalité dans 10 entreprises\n",
        "      - Concert de Noël\n",
        "TOILE-RESEARCH-01",
        "l'exemple « Concert de Noël » n'est reconnu par aucun motif",
    ),
    (
        "      - Stages de 3e en entreprise\n",
        "      - Accompagner les petites entreprises\n",
        "TOILE-CONST-02",
        "le contre-exemple « Accompagner les petites entreprises » est reconnu",
    ),
    (
        "'\\b<former>\\b<gap>\\b<pros>\\b<gap>\\b<egalite>\\b'",
        "'\\b<formerr>\\b<gap>\\b<pros>\\b'",
        "TOILE-STAFF-01",
        "fragment inconnu <formerr>",
    ),
    ("  - id: TOILE-RES-02\n", "  - id: TOILE-RES-01\n", "TOILE-RES-01", "identifiant déjà utilisé"),
    ('model: "2026.2"', 'model: "2025.9"', None, "règles écrites pour le modèle '2025.9'"),
]


@pytest.mark.parametrize(("old", "new", "rule_id", "message"), RULE_BREAKAGES)
def test_invalid_rules_name_file_and_rule(
    tmp_path: Path, old: str, new: str, rule_id: str | None, message: str
) -> None:
    text = (DATA / "web_rules.yaml").read_text(encoding="utf-8")
    assert old in text, old
    bad = tmp_path / "web_rules.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_web_rules(bad)
    text_err = str(info.value)
    assert str(bad) in text_err
    if rule_id:
        assert f"règle {rule_id}" in text_err
    assert message in text_err


def test_rules_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    text = (DATA / "web_rules.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "web_rules.yaml"
    bad.write_text(
        text.replace("    title: Budget intégrant l'égalité\n", "    title: A\n    title: B\n", 1), "utf-8"
    )
    with pytest.raises(RulesError, match="clé en double"):
        load_web_rules(bad)


# --------------------------------------------------------------------------------------------------
# the French cases


def _all_cases() -> list[Any]:
    return [case for path in sorted(CASES.glob("*.yaml")) for case in load_web_cases(path)]


def test_every_case_passes() -> None:
    results = run_web_cases(_all_cases())
    failures = [f"{r.case.file}:{r.case.line} {r.case.name}: {r.failures}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)


def test_three_cases_per_element_with_near_misses() -> None:
    cases = _all_cases()
    for element in IDS:
        mentioning = [c for c in cases if element in c.mentions()]
        positives = [c for c in mentioning if element in c.positives()]
        near = [c for c in mentioning if element in c.near_misses()]
        assert len(mentioning) >= 3, element
        assert positives, f"{element}: no case where it is strengthened"
        assert near, f"{element}: no near miss"


def test_every_rule_has_a_case() -> None:
    named = {rid for c in _all_cases() for rid in c.expected.get("regles") or []}
    named |= {rid for c in _all_cases() for rid in (c.expected.get("correspondances") or {})}
    missing = [r.id for r in load_web_rules().rules if r.id not in named]
    assert not missing


def test_case_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "cas.yaml"
    bad.write_text(
        "- nom: x\n  action: {titre: y, categorie: specific}\n  attendu: {renforce: [stafff]}\n", "utf-8"
    )
    with pytest.raises(RulesError, match=r"ligne 1, renforce : élément\(s\) inconnu\(s\) stafff"):
        load_web_cases(bad)
    bad.write_text(
        "- nom: x\n  action: {titre: y, categorie: oui}\n  attendu: {renforce: [staff]}\n", "utf-8"
    )
    with pytest.raises(RulesError, match="« categorie » doit valoir"):
        load_web_cases(bad)


# --------------------------------------------------------------------------------------------------
# element_tags


def test_element_tags_output_columns_and_order() -> None:
    f = frame(
        [
            {"title": "Marches exploratoires de femmes", "category": "specific"},
            {"title": "Formation des animateurs au secourisme", "category": "transversal"},
            {"title": "Marches exploratoires de femmes", "category": "not_integrated"},
            {"title": "Formation des élu·es à l'égalité", "category": "to_review"},
            {"title": None, "category": None},
        ]
    )
    out = element_tags(f)
    assert out.columns == [*f.columns, "web_elements", "web_reasons"]
    assert out.schema["web_elements"] == pl.List(pl.String)
    assert out.schema["web_reasons"] == REASON_DTYPE
    assert out["web_elements"].to_list() == [
        ["experience", "methodology", "delivery"],
        ["delivery"],
        [],
        [],
        [],
    ]
    reasons = out["web_reasons"][0].to_list()
    assert [r["element"] for r in reasons] == ["experience", "methodology", "delivery"]
    assert reasons[0] == {
        "element": "experience",
        "rule": "TOILE-EXP-01",
        "field": "title",
        "match": "Marches exploratoires de femmes",
    }
    assert reasons[2] == {
        "element": "delivery",
        "rule": "TOILE-DELIV-01",
        "field": "category",
        "match": "specific",
    }


def test_element_tags_quotes_the_source_words_and_reads_the_carrier() -> None:
    f = pl.DataFrame(
        {
            "title": ["FORMATION DES ÉLU·ES À L’ÉGALITÉ FEMMES-HOMMES"],
            "carrier": ["Planning familial"],
            "category": ["specific"],
        }
    )
    reasons = element_tags(f)["web_reasons"][0].to_list()
    matches = {(r["rule"], r["field"]): r["match"] for r in reasons}
    assert matches[("TOILE-STAFF-02", "title")].startswith("FORMATION DES ÉLU·ES")
    assert matches[("TOILE-CONST-01", "carrier")] == "Planning familial"


def test_element_tags_absent_columns_empty_frame_and_replacement() -> None:
    only_category = pl.DataFrame({"category": ["specific", "transversal", "not_integrated"]})
    assert element_tags(only_category)["web_elements"].to_list() == [["delivery"], ["delivery"], []]
    no_category = pl.DataFrame({"title": ["Marches exploratoires de femmes"]})
    assert element_tags(no_category)["web_elements"].to_list() == [[]]
    empty = pl.DataFrame({"title": [], "category": []}, schema={"title": pl.String, "category": pl.String})
    out = element_tags(empty)
    assert out.height == 0 and "web_reasons" in out.columns
    again = element_tags(element_tags(only_category))
    assert again.columns.count("web_elements") == 1
    assert again["web_elements"].to_list() == [["delivery"], ["delivery"], []]


def test_element_tags_accepts_the_model_as_second_argument(model: WebModel) -> None:
    f = pl.DataFrame({"title": ["Diagnostic sexué du quartier"], "category": ["specific"]})
    assert element_tags(f, model).equals(element_tags(f, load_web_rules()))


def test_element_tags_does_not_depend_on_row_order() -> None:
    cases = _all_cases()
    rows = [c.action for c in cases]
    f = pl.DataFrame(
        {k: [r.get(k) for r in rows] for k in ("title", "objectives", "description", "carrier", "category")}
    )
    out = element_tags(f).with_row_index("i")
    shuffled = element_tags(f.with_row_index("i").reverse().drop("i").with_row_index("j")).sort(
        "j", descending=True
    )
    assert out["web_reasons"].to_list() == shuffled["web_reasons"].to_list()


def test_no_per_row_python_in_element_tags() -> None:
    source = (ROOT / "src" / "bie" / "web" / "tags.py").read_text(encoding="utf-8")
    assert "map_elements" not in source and "iter_rows" not in source and "apply(" not in source


# --------------------------------------------------------------------------------------------------
# the profile


def test_profile_to_dict_shape(model: WebModel) -> None:
    f = frame([{"title": "Diagnostic sexué du quartier", "category": "specific", "_amount": 1000.0}])
    d = profile(f, model).to_dict("fr")
    assert list(d) == ["version", "coverage", "elements", "spheres", "links", "weak", "broken_links"]
    assert d["version"] == "2026.2"
    assert d["coverage"] == {
        "actions": 1,
        "to_review": 0,
        "to_review_share": 0.0,
        "max_to_review_share": 0.5,
        "low": False,
    }
    assert [e["id"] for e in d["elements"]] == list(IDS)
    for e in d["elements"]:
        assert list(e) == [
            "id",
            "sphere",
            "label_fr",
            "label_en",
            "score",
            "source",
            "actions",
            "action_count",
            "amount",
            "evidence",
            "explanation",
        ]
        assert e["action_count"] >= len(e["actions"])
        assert e["source"] in ("actions", "questionnaire", "both", "none")
        assert e["score"] is None or e["score"] in (0, 1, 2, 3)
        assert isinstance(e["amount"], float) and isinstance(e["explanation"], str) and e["explanation"]
    assert all(set(link) == {"from", "to"} for link in d["links"])
    assert json_roundtrip(d) == d
    research = d["elements"][12]
    # no carrier: the diagnosis is a hint for « Études et évaluations », not a score
    assert research["actions"] == [] and research["score"] is None and research["amount"] == 0.0
    assert research["evidence"]["level"] == "institution"
    assert research["evidence"]["hint_count"] == 1
    assert research["evidence"]["hints"] == [
        {
            "id": None,
            "sheet": None,
            "row": None,
            "title": "Diagnostic sexué du quartier",
            "category": "specific",
            "amount": 1000.0,
            "rules": ["TOILE-RESEARCH-01"],
        }
    ]
    assert "indices" in research["explanation"] and "inconnu" in research["explanation"]


def test_unknown_never_zero_for_what_funding_cannot_show(model: WebModel) -> None:
    p = profile(frame([{"title": "Atelier couture", "category": "not_integrated", "_amount": 10.0}]), model)
    for e in p.elements:
        if e.element.funding_evidence:
            assert (e.score, e.source) == (0, "actions"), e.id
        else:
            assert (e.score, e.source) == (None, "none"), e.id
            assert "inconnu" in e.explanation_fr


def test_no_actions_at_all(model: WebModel) -> None:
    p = profile(frame([]), model)
    assert {e.id: e.action_score for e in p.elements} == {
        e.id: (0 if e.funding_evidence and e.id != "resources" else None) for e in model.elements
    }  # resources: no amount, the money cannot show it absent
    assert p.to_dict("en")["elements"][0]["amount"] == 0.0


def test_questionnaire_combines_with_the_higher_of_the_two(model: WebModel) -> None:
    f = frame([{"title": "Diagnostic sexué du quartier", "category": "specific", "carrier": "Ville de Rezé"}])
    q = Questionnaire.from_scores(
        {"research": 3, "experience": 2, "policy": 0, "commitment": None, "delivery": 0},
        comments={"research": "Étude de l'observatoire régional 2023"},
    )
    p = profile(f, model, q)
    research = p.element("research")
    assert (research.action_score, research.questionnaire_score, research.score, research.source) == (
        1,
        3,
        3,
        "both",
    )
    assert "Étude de l'observatoire régional 2023" in research.explanation_fr
    assert "le plus haut des deux" in research.explanation_fr
    delivery = p.element("delivery")
    assert (delivery.action_score, delivery.score, delivery.source) == (3, 3, "both")  # actions prove it
    assert (p.element("experience").score, p.element("experience").source) == (2, "both")
    assert (p.element("policy").score, p.element("policy").source) == (0, "questionnaire")
    assert (p.element("commitment").score, p.element("commitment").source) == (None, "none")
    evidence = p.to_dict("fr")["elements"][12]["evidence"]
    assert evidence["questionnaire"] == {
        "answer": "3",
        "comment": "Étude de l'observatoire régional 2023",
        "cell": None,
    }


def test_weak_and_broken_links(model: WebModel) -> None:
    q = Questionnaire.from_scores({"experience": 3, "policy": 1, "research": 2, "commitment": 2})
    p = profile(frame([]), model, q)
    d = p.to_dict("fr")
    assert d["weak"] == [e for e in IDS if e in p.weak]
    assert "policy" in d["weak"] and "experience" not in d["weak"]
    broken = {(b["from"], b["to"]): b["message"] for b in d["broken_links"]}
    assert broken[("experience", "policy")] == "le diagnostic n'irrigue pas la programmation"
    assert ("research", "policy") in broken
    assert ("commitment", "policy") in broken
    assert ("experience", "constituencies") in broken  # constituencies: 0 from the programme (no action)
    assert ("representation", "commitment") not in broken  # representation unknown
    en = {(b["from"], b["to"]): b["message"] for b in p.to_dict("en")["broken_links"]}
    assert en[("experience", "policy")] == "the diagnosis does not feed into the programming"


def test_thresholds_for_delivery_and_resources(model: WebModel) -> None:
    rows = [{"title": f"Action {i}", "category": "not_integrated", "_amount": 100.0} for i in range(8)]
    rows += [{"title": "Créneaux réservés aux filles", "category": "transversal", "_amount": 100.0}] * 2
    p = profile(frame(rows), model)
    assert p.score("delivery") == 2  # 20 % of the actions
    assert p.score("resources") == 1  # 20 % of the money, weighted at 40 %: 8 %
    assert "8\u202f% des crédits" in p.element("resources").explanation_fr
    rows[0] = {**rows[0], "_amount": 10_000.0}
    p = profile(frame(rows), model)
    assert p.score("delivery") == 2  # still 20 % of the actions: money is not counted twice
    assert p.score("resources") == 0  # 80 € weighted out of 10,900 € is below 1 %
    assert "0,7\u202f%" in p.element("resources").explanation_fr


def test_resources_scored_from_the_weighted_share(model: WebModel) -> None:
    rows = [{"title": f"Action {i}", "category": "not_integrated", "_amount": 100.0} for i in range(6)]
    specific = [
        *rows,
        *[{"title": "Accueil des femmes victimes", "category": "specific", "_amount": 100.0}] * 4,
    ]
    transversal = [
        *rows,
        *[{"title": "Créneaux réservés aux filles", "category": "transversal", "_amount": 100.0}] * 4,
    ]
    p_spec, p_trans = profile(frame(specific), model), profile(frame(transversal), model)
    # same money to equality actions (40 %), weighted 100 % vs 40 %: 40 % vs 16 %
    assert (p_spec.score("resources"), p_trans.score("resources")) == (3, 2)
    assert p_spec.weighted_cents == 40_000 and p_trans.weighted_cents == 16_000
    assert dict(p_spec.element("resources").reached) == {"weighted_money_share": 0.25}
    # delivery does not read the money
    assert p_spec.score("delivery") == p_trans.score("delivery") == 2


def test_amounts_missing_negative_and_not_finite(model: WebModel) -> None:
    f = frame([{"title": "Diagnostic sexué", "category": "specific"}]).drop("_amount")
    d = profile(f, model).to_dict("fr")
    assert all(e["amount"] == 0.0 for e in d["elements"])
    assert d["elements"][4]["evidence"]["criteria"]["weighted_money_share"] is None
    assert d["elements"][4]["score"] is None  # no amount: the money cannot show resources absent
    g = frame(
        [
            {"title": "Diagnostic sexué", "category": "specific", "_amount": -500.0},
            {"title": "Étude sexuée", "category": "specific", "_amount": math.inf},
            {"title": "Fête", "category": "not_integrated", "_amount": 100.0},
        ]
    )
    p = profile(g, model)
    assert p.element("research").amount == 0.0
    assert p.total_cents == 10_000


def test_profile_questionnaire_version_must_match(model: WebModel) -> None:
    q = Questionnaire(version="1999.1", answers={})
    with pytest.raises(QuestionnaireError, match=r"version 1999\.1"):
        profile(frame([]), model, q)


def test_profile_independent_of_row_order(model: WebModel) -> None:
    rows = [
        {**c.action, "_amount": float(i * 37 % 500), "action_id": f"A{i % 7}"}
        for i, c in enumerate(_all_cases())
    ]
    f = frame(rows)
    a = profile(f, model).to_dict("fr")
    b = profile(f.reverse(), model).to_dict("fr")
    assert a == b


# --------------------------------------------------------------------------------------------------
# golden profiles of the sample programme


@pytest.fixture(scope="module")
def fixture_frame() -> pl.DataFrame:
    from bie.tagging import load_rules, tag

    result = bie.read(FIXTURE)
    tagged = tag(result.actions, load_rules()).frame
    funding = [c for c in tagged.columns if c.startswith("funding:")]
    return tagged.with_columns(pl.sum_horizontal([pl.col(c) for c in funding]).alias("_amount"))


def _golden(name: str, data: dict[str, Any]) -> None:
    path = GOLDEN / name
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"{path} is missing: run with BIE_UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json_roundtrip(data) == expected, (
        f"{path} differs: check, then regenerate with BIE_UPDATE_GOLDEN=1"
    )


def _fill(path: Path, answers: dict[str, tuple[Any, str | None]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Questionnaire"]
    for row in range(2, ws.max_row + 1):
        element = ws.cell(row, 1).value
        if element in answers:
            value, comment = answers[element]
            ws.cell(row, 5).value = value
            ws.cell(row, 6).value = comment
    wb.save(path)


def test_golden_profile_of_the_sample_programme(fixture_frame: pl.DataFrame, model: WebModel) -> None:
    p = profile(fixture_frame, model)
    _golden("web_programmation.json", p.to_dict("fr"))
    assert p.n_actions == fixture_frame.height
    # funding data cannot show these; nothing in the programme does either
    assert p.score("policy") is None and p.score("responsibility") is None


def test_golden_profile_with_a_questionnaire(
    fixture_frame: pl.DataFrame, model: WebModel, tmp_path: Path
) -> None:
    path = write_questionnaire(tmp_path / "questionnaire.xlsx")
    _fill(
        path,
        {
            "policy": ("1 – faible", "Le contrat de ville cite l'égalité sans objectif chiffré."),
            "responsibility": ("0", "Aucune personne chargée de l'égalité."),
            "commitment": ("moyen", "Délibération de 2023 ; pas d'élue déléguée."),
            "representation": ("ne sait pas", None),
            "procedures": ("2 - moyen", "Grille d'instruction révisée en 2024."),
            "research": (3, None),
        },
    )
    q = read_questionnaire(path)
    p = profile(fixture_frame, model, q)
    _golden("web_programmation_questionnaire.json", p.to_dict("fr"))
    assert p.element("policy").source == "questionnaire"
    assert p.element("procedures").source == "both"
    assert any(b.source == "experience" and b.target == "policy" for b in p.broken_links)


def test_explanation_words_live_in_web_words_yaml() -> None:
    """Every entry of web_words.yaml is written in both languages with the same placeholders, counts agree
    with their words ({n:plural:…}), and bie.web.profile and bie.web.svg together use every entry and no
    other, with no French/English branch of their own."""
    words = load_data("web_words.yaml")
    assert words["version"] == 1

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}

    for key, entry in words["words"].items():
        assert set(entry) == {"fr", "en"}, key
        assert fields(entry["fr"]) == fields(entry["en"]), key
        assert not re.search(r"[a-zé]\(s\)", entry["fr"] + entry["en"]), key
    source = (ROOT / "src" / "bie" / "web" / "profile.py").read_text(encoding="utf-8")
    svg_source = (ROOT / "src" / "bie" / "web" / "svg.py").read_text(encoding="utf-8")
    used = set(re.findall(r'_say\(\s*lang,\s*[\'"](\w+)[\'"]', source + svg_source))
    used |= {f"criterion_{k}" for k in CRITERIA_ORDER if k != "actions"}
    used |= {f"alt_score_{score}" for score in range(4)}
    assert used == set(words["words"])
    assert 'lang == "fr"' not in source.replace('explanation_fr if lang == "fr"', "")
    assert 'lang == "fr"' not in svg_source and "\\u00a0" not in svg_source and "_WORDS" not in svg_source


def test_english_explanations_write_numbers_the_english_way(
    fixture_frame: pl.DataFrame, model: WebModel
) -> None:
    d = profile(fixture_frame, model).to_dict("en")
    texts = [e["explanation"] for e in d["elements"]] + [s["explanation"] for s in d["spheres"]]
    assert any(re.search(r"\(€\d{1,3}(,\d{3})*\.\d\d\)", t) for t in texts)
    assert any(re.search(r"\d%", t) for t in texts)
    for t in texts:
        assert "\u202f" not in t and "«" not in t and " €" not in t, t


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (True, None)),
        ("", (True, None)),
        ("  ", (True, None)),
        ("ne sait pas", (True, None)),
        ("Ne sait pas", (True, None)),
        ("NSP", (True, None)),
        ("don't know", (True, None)),
        (2, (True, 2)),
        (2.0, (True, 2)),
        ("2", (True, 2)),
        ("2,0", (True, 2)),
        ("moyen", (True, 2)),
        ("Moyen", (True, 2)),
        ("MOYEN", (True, 2)),
        ("2 - moyen", (True, 2)),
        ("2 – moyen", (True, 2)),
        ("2 — Moyen", (True, 2)),
        ("2-moyen", (True, 2)),
        ("2 : moyen", (True, 2)),
        ("0 – absent", (True, 0)),
        ("3 – fort", (True, 3)),
        ("forte", (True, 3)),
        ("1 - weak", (True, 1)),
        ("strong", (True, 3)),
        ("2 – fort", (False, None)),
        ("4", (False, None)),
        (2.5, (False, None)),
        (-1, (False, None)),
        (True, (False, None)),
        ("beaucoup", (False, None)),
    ],
)
def test_parse_answer(value: Any, expected: tuple[bool, int | None]) -> None:
    assert parse_answer(value) == expected


def test_every_choice_of_the_list_is_read(model: WebModel) -> None:
    for lang in ("fr", "en"):
        choices = answer_choices(model, lang)
        assert [parse_answer(c) for c in choices] == [
            (True, 0),
            (True, 1),
            (True, 2),
            (True, 3),
            (True, None),
        ]
    assert answer_choices(model, "fr") == ["0 – absent", "1 – faible", "2 – moyen", "3 – fort", "ne sait pas"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_questionnaire_round_trip(tmp_path: Path, model: WebModel, lang: str) -> None:
    path = write_questionnaire(tmp_path / f"q_{lang}.xlsx", lang=lang)
    blank = read_questionnaire(path)
    assert blank.version == model.version and blank.lang == lang
    assert list(blank.answers) == list(IDS)
    assert all(a.score is None for a in blank.answers.values())
    _fill(
        path,
        {
            "experience": ("2", "Marches exploratoires 2023"),
            "policy": ("Moyen", None),
            "staff": ("3 – fort", "Plan de formation"),
            "learning": (1, None),
            "research": ("ne sait pas", "Voir avec l'observatoire"),
        },
    )
    q = read_questionnaire(path)
    assert {k: a.score for k, a in q.answers.items() if a.score is not None} == {
        "experience": 2,
        "policy": 2,
        "staff": 3,
        "learning": 1,
    }
    assert q.answer("experience") is not None
    assert q.answers["experience"].comment == "Marches exploratoires 2023"
    assert q.answers["research"].score is None and q.answers["research"].comment == "Voir avec l'observatoire"
    assert q.answers["staff"].cell == "Questionnaire!E10"


def test_questionnaire_workbook_structure(tmp_path: Path, model: WebModel) -> None:
    path = write_questionnaire(tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Mode d'emploi", "Questionnaire", META_SHEET]
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb["Questionnaire"]
    assert ws.column_dimensions["A"].hidden
    assert ws.protection.sheet
    assert [ws.cell(1, c).value for c in range(1, 8)][:6] == [
        "Identifiant",
        "Sphère",
        "Élément",
        "Questions pour guider la réponse",
        "Réponse",
        "Commentaire (ce qui fonde la réponse, sources)",
    ]
    assert [ws.cell(r, 1).value for r in range(2, 15)] == list(IDS)
    assert ws.cell(2, 3).value == "Expérience et parole des habitantes"
    assert ws.cell(2, 5).protection.locked is False and ws.cell(2, 1).protection.locked is True
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    assert str(validations[0].sqref) == "E2:E14"
    assert "2 – moyen" in validations[0].formula1 and "ne sait pas" in validations[0].formula1
    meta = {row[0]: row[1] for row in wb[META_SHEET].iter_rows(values_only=True)}
    assert meta["kind"] == KIND and meta["model_version"] == model.version
    instructions = " ".join(str(c.value) for c in wb["Mode d'emploi"]["A"] if c.value)
    assert "ne sait pas" in instructions and model.version in instructions


def test_questionnaire_words_live_in_questionnaire_words_yaml() -> None:
    """Every word of the questionnaire workbook is in questionnaire_words.yaml, written in both languages with
    the same placeholders; bie.web.questionnaire keeps no catalogue nor French/English branch of its own and
    names every entry it has."""
    data = load_data("questionnaire_words.yaml")
    assert data["version"] == 1

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}

    entries = list(data["words"].items()) + [
        (f"instructions[{i}]", e) for i, e in enumerate(data["instructions"])
    ]
    for key, entry in entries:
        langs = {k: v for k, v in entry.items() if k not in ("style", "each")}
        assert set(langs) == {"fr", "en"}, key
        assert all(isinstance(v, str) and v.strip() for v in langs.values()), key
        assert fields(entry["fr"]) == fields(entry["en"]), key
    assert {e["style"] for e in data["instructions"]} <= {"title", "head", "text"}
    source = (ROOT / "src" / "bie" / "web" / "questionnaire.py").read_text(encoding="utf-8")
    assert not re.search(r"\b_WORDS\s*[:=]", source)
    assert 'lang == "fr"' not in source and "lang == 'fr'" not in source
    assert all(f'"{key}"' in source for key in data["words"])


def test_questionnaire_foreign_workbook(tmp_path: Path) -> None:
    path = tmp_path / "autre.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Élément"
    wb.save(path)
    with pytest.raises(QuestionnaireError, match="n'a pas été produit par bie"):
        read_questionnaire(path)
    text = tmp_path / "texte.xlsx"
    text.write_text("pas un classeur", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="illisible"):
        read_questionnaire(text)
    with pytest.raises(QuestionnaireError, match="introuvable"):
        read_questionnaire(tmp_path / "absent.xlsx")


def test_questionnaire_other_model_version(tmp_path: Path) -> None:
    path = write_questionnaire(tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(path)
    meta = wb[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "model_version":
            row[1].value = "2024.3"
    wb.save(path)
    with pytest.raises(
        QuestionnaireError, match=r"version 2024\.3 du modèle de la toile, bie utilise la version 2026\.2"
    ):
        read_questionnaire(path)


def test_questionnaire_invalid_answer_names_sheet_row_and_cell(tmp_path: Path) -> None:
    path = write_questionnaire(tmp_path / "q.xlsx")
    _fill(path, {"commitment": ("beaucoup", None)})
    with pytest.raises(QuestionnaireError) as info:
        read_questionnaire(path)
    message = str(info.value)
    assert "feuille « Questionnaire », ligne 5, cellule E5 (Volonté politique)" in message
    assert "réponse « beaucoup » non reconnue" in message
    assert str(path) in message


def test_questionnaire_missing_unknown_and_duplicate_rows(tmp_path: Path) -> None:
    path = write_questionnaire(tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Questionnaire"].delete_rows(7)  # policy
    wb.save(path)
    with pytest.raises(
        QuestionnaireError,
        match=r"ligne\(s\) d'élément manquante\(s\) : policy \(Cadre politique et programmation\)",
    ):
        read_questionnaire(path)
    path = write_questionnaire(tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Questionnaire"]["A4"] = "budget"
    wb.save(path)
    with pytest.raises(QuestionnaireError, match="ligne 4, cellule A4 : élément inconnu « budget »"):
        read_questionnaire(path)
    path = write_questionnaire(tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Questionnaire"]["A4"] = "experience"
    wb.save(path)
    with pytest.raises(QuestionnaireError, match="l'élément « experience » a déjà une ligne"):
        read_questionnaire(path)
    path = write_questionnaire(tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Questionnaire"].insert_cols(2)
    wb.save(path)
    with pytest.raises(QuestionnaireError, match="cellule E1 : en-tête « Réponse » attendu"):
        read_questionnaire(path)


def test_questionnaire_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "q.xlsx"
    target.write_bytes(b"previous content")
    real_build = questionnaire_module._build

    def failing_build(path: str, model: WebModel, lang: str) -> None:
        real_build(path, model, lang)
        Path(path).write_bytes(b"half written")
        raise RuntimeError("disk full")

    monkeypatch.setattr(questionnaire_module, "_build", failing_build)
    with pytest.raises(RuntimeError, match="disk full"):
        write_questionnaire(target)
    assert target.read_bytes() == b"previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.xlsx"]
    monkeypatch.setattr(questionnaire_module, "_build", real_build)
    write_questionnaire(target)
    assert read_questionnaire(target).version == "2026.2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.xlsx"]
    with pytest.raises(OutputError):
        write_questionnaire(tmp_path / "no" / "such" / "dir" / "q.xlsx")


# --------------------------------------------------------------------------------------------------
# the picture


def _sample_profile(model: WebModel) -> WebProfile:
    rows = [{**c.action, "_amount": 1000.0} for c in _all_cases()]
    q = Questionnaire.from_scores({"policy": 1, "experience": 3, "commitment": None})
    return profile(frame(rows), model, q)


def _label_texts(root: ET.Element) -> list[str]:
    ns = "{http://www.w3.org/2000/svg}"
    out = []
    for text in root.iter(f"{ns}text"):
        if text.get("class") == "label":
            spans = [s for s in text if s.tag == f"{ns}tspan" and s.get("font-weight") == "600"]
            out.append(" ".join((s.text or "") for s in spans))
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_svg_is_valid_accessible_and_self_contained(model: WebModel, lang: str) -> None:
    p = _sample_profile(model)
    svg = render_svg(p, lang)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    labelled = (root.get("aria-labelledby") or "").split()
    assert labelled and all(i in ids for i in labelled)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title") is not None and root.find(f"{ns}desc") is not None
    assert root.find(f"{ns}desc").text == text_alternative(p, lang)  # type: ignore[union-attr]
    assert sorted(_label_texts(root)) == sorted(e.label(lang) for e in model.elements)
    assert "url(" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for forbidden in ("<script", "<image", "<foreignObject", "@import", "href="):
        assert forbidden not in svg
    for sphere in model.spheres:
        assert sphere.title(lang) in svg


def test_svg_shows_weak_unknown_and_broken_without_colour_alone(model: WebModel) -> None:
    p = _sample_profile(model)
    svg = render_svg(p)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    nodes = {g.get("id"): g for g in root.iter(f"{ns}g") if (g.get("id") or "").startswith("bie-web-node-")}
    assert len(nodes) == 13
    texts = {k: [t.text for t in g.iter(f"{ns}text")] for k, g in nodes.items()}
    for e in p.elements:
        node_texts = texts[f"bie-web-node-{e.id}"]
        if e.score is None:
            assert node_texts == ["?"]
        elif e.score <= 1:
            assert node_texts == [str(e.score), "!"]
        else:
            assert node_texts == [str(e.score)]
    broken = [g for g in root.iter(f"{ns}g") if g.get("class") == "link broken"]
    assert len(broken) == len(p.broken_links) > 0
    for g in broken:
        path = g.find(f"{ns}path")
        assert path is not None and path.get("stroke-dasharray")


def test_svg_escapes_text(model: WebModel) -> None:
    from dataclasses import replace

    evil = '<script>alert("x")</script> & Cie'
    elements = tuple(replace(e, label_fr=evil) if e.id == "policy" else e for e in model.elements)
    p = profile(frame([]), replace(model, elements=elements))
    svg = render_svg(p)
    root = ET.fromstring(svg)
    assert "<script" not in svg
    assert evil in _label_texts(root)
    assert evil in text_alternative(p)


def test_text_alternative(model: WebModel) -> None:
    p = _sample_profile(model)
    text = text_alternative(p)
    assert text.startswith("Toile de l'institutionnalisation de l'égalité femmes-hommes (modèle 2026.2)")
    assert "Éléments forts (3) :" in text
    assert "Liens rompus :" in text and "le diagnostic n'irrigue pas la programmation" in text
    for e in model.elements:
        assert e.label_fr in text
    assert text_alternative(p, "en").startswith("Web of institutionalisation of gender equality")
    with pytest.raises(ValueError):
        text_alternative(p, "de")
    empty = text_alternative(profile(frame([]), model))
    assert "Éléments absents (0) :" in empty
    assert "Éléments inconnus (ni les financements ni le questionnaire ne permettent de les noter) :" in empty
    assert "Volonté politique" in empty and "Aucun lien rompu." in empty


def test_english_text_alternative_has_no_french_punctuation(model: WebModel) -> None:
    rows = [{"title": f"Subvention {i}", "category": "to_review", "_amount": 1000.0} for i in range(8)]
    rows += [{"title": "Marches exploratoires de femmes", "category": "specific", "_amount": 1000.0}]
    low = profile(frame(rows), model)  # a caveat with a share
    assert low.coverage_low
    for p in (_sample_profile(model), low, profile(frame([]), model)):
        english = text_alternative(p, "en")
        assert not re.search(r"[«»\u202f]|\u00a0%|\s[:;!?]", english), english
        french = text_alternative(p, "fr")
        assert "\u00a0%" not in french
    assert re.search(r"\d%", text_alternative(low, "en"))
    assert re.search(r"\d\u202f%", text_alternative(low, "fr"))


@pytest.mark.browser
def test_svg_renders_in_a_browser(model: WebModel, tmp_path: Path, require_browser: str) -> None:
    svg_path = tmp_path / "toile.svg"
    png_path = tmp_path / "toile.png"
    svg_path.write_text(render_svg(_sample_profile(model)), encoding="utf-8")
    cmd = [
        require_browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--screenshot={png_path}",
        "--window-size=1000,900",
        svg_path.as_uri(),
    ]
    subprocess.run(cmd, check=False, capture_output=True, timeout=120, cwd=tmp_path)
    assert png_path.is_file() and png_path.stat().st_size > 20_000
    assert shutil.which(require_browser) or Path(require_browser).exists()


# --------------------------------------------------------------------------------------------------
# documentation


def test_docs_describe_every_rule_element_and_threshold(model: WebModel) -> None:
    doc = (ROOT / "docs" / "toile.md").read_text(encoding="utf-8")
    for rule in load_web_rules().rules:
        assert f"`{rule.id}`" in doc, rule.id
    for e in model.elements:
        assert f"`{e.id}`" in doc and e.label_fr in doc, e.id
    for t in model.thresholds:
        assert f"`{t.id}`" in doc, t.id
    for link in model.links:
        if link.kind == "diagnostic":
            assert link.message_fr in doc


def test_docstring_examples_run() -> None:
    import doctest

    import bie.web
    import bie.web.model
    import bie.web.tags

    for module in (bie.web, bie.web.model, bie.web.tags):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


# --------------------------------------------------------------------------------------------------
# the web by level of evidence (issue 9, points 8 and 9)


def test_an_association_counting_its_public_by_sex_does_not_score_research(model: WebModel) -> None:
    rows = [
        {
            "title": "Atelier sport-santé",
            "description": "L'association compte son public par sexe : enquête sur la fréquentation par sexe.",
            "carrier": "Association Sport pour toutes",
            "category": "transversal",
            "_amount": 3000.0,
        },
        *[{"title": f"Action {i}", "category": "not_integrated", "_amount": 1000.0} for i in range(4)],
    ]
    p = profile(frame(rows), model)
    research = p.element("research")
    assert research.n_hints >= 1 and research.n_actions == 0
    assert (research.score, research.action_score, research.source) == (None, None, "none")
    assert "indices" in research.explanation_fr and "jamais comptés" in research.explanation_fr
    assert "inconnu" in research.explanation_fr
    assert research.hints[0].title == "Atelier sport-santé" and research.actions == ()
    assert p.element("methodology").score is None  # counting by sex: a hint for « Méthodologie » too
    # hints never draw a broken link, never count as weak
    assert "research" not in p.weak
    assert all("research" not in (link.source, link.target) for link in p.broken_links)


def test_a_communes_training_of_agents_scores_staff(model: WebModel) -> None:
    training = {
        "title": "Formation des agents municipaux à l'égalité femmes-hommes",
        "carrier": "Commune de Saint-Aubin",
        "category": "specific",
        "_amount": 5000.0,
    }
    rows = [
        training,
        *[{"title": f"Action {i}", "category": "not_integrated", "_amount": 1000.0} for i in range(9)],
    ]
    p = profile(frame(rows), model)
    staff = p.element("staff")
    assert (staff.score, staff.n_actions, staff.source) == (1, 1, "actions")
    assert "portée par la collectivité, l'EPCI ou l'État" in staff.explanation_fr
    # the same training by an association for its own animateurs is a hint only
    own = {
        **training,
        "title": "Formation de nos animateur·trices à l'égalité filles-garçons",
        "carrier": "MJC",
    }
    q = profile(frame([own, *rows[1:]]), model).element("staff")
    assert (q.score, q.n_actions, q.n_hints) == (None, 0, 1)
    # an association commissioned to train the town's agents and élu·es: counted
    commissioned = {**training, "carrier": "Centre de ressources Égalité"}
    assert profile(frame([commissioned, *rows[1:]]), model).element("staff").score == 1


@pytest.mark.parametrize(
    ("carrier", "institutional"),
    [
        ("Ville de Tours", True),
        ("COMMUNE DE ROQUES", True),
        ("Mairie de Lille", True),
        ("CCAS de Poitiers", True),
        ("Centre communal d'action sociale", True),
        ("Communauté d'agglomération du Grand Poitiers", True),
        ("Tours Métropole Val de Loire", True),
        ("Préfecture de la Somme", True),
        ("DDETS de l'Aube", True),
        ("État – délégué du préfet", True),
        ("Association Villes au Carré", False),
        ("Club de foot de la Cité", False),
        ("CIDFF de la Vienne", False),
    ],
)
def test_institution_carriers_by_name(model: WebModel, carrier: str, institutional: bool) -> None:
    row = {
        "title": "Diagnostic sexué du quartier",
        "carrier": carrier,
        "category": "specific",
        "_amount": 1.0,
    }
    research = profile(frame([row]), model).element("research")
    assert (research.n_actions, research.n_hints) == ((1, 0) if institutional else (0, 1)), carrier


def test_funding_a_womens_organisation_feeds_commitment(model: WebModel) -> None:
    core = {
        "title": "Subvention de fonctionnement",
        "carrier": "CIDFF",
        "category": "specific",
        "_amount": 20_000.0,
    }
    others = [{"title": f"Action {i}", "category": "not_integrated", "_amount": 1000.0} for i in range(9)]
    commitment = profile(frame([core, *others]), model).element("commitment")
    assert (commitment.score, commitment.n_actions) == (1, 1)
    assert commitment.rules == ("PORTEUR-DROITS-FEMMES",)
    assert "organisation de défense des droits des femmes" in commitment.explanation_fr
    # the same line, transversal, or to a football club judged not integrated: nothing
    club = {**core, "carrier": "Football club", "category": "not_integrated"}
    assert profile(frame([club, *others]), model).score("commitment") is None
    # with the carrier reader's column, the column decides (not the title)
    with_column = frame([core, {**core, "carrier": "Club"}, *others]).with_columns(
        pl.Series("carrier_womens_rights", [True, False, *[False] * 9])
    )
    assert profile(with_column, model).element("commitment").n_actions == 1
    # or the carrier reader's reason (a PORTEUR-… rule on the carrier field), whatever the title says
    reasons = pl.Series(
        "reasons",
        [[{"rule": "PORTEUR-CIDFF", "field": "carrier", "match": "CIDFF"}], *[[] for _ in range(9)]],
        dtype=pl.List(pl.Struct({"rule": pl.String, "field": pl.String, "match": pl.String})),
    )
    accueil = {**core, "title": "Accueil et accompagnement juridique"}
    by_reason = frame([accueil, *others]).with_columns(reasons)
    assert profile(by_reason, model).element("commitment").n_actions == 1
    assert profile(frame([accueil, *others]), model).score("commitment") is None


def test_thresholds_are_shares_of_the_programme(model: WebModel) -> None:
    walks = [{"title": "Marches exploratoires de femmes", "category": "specific", "_amount": 100.0}] * 3
    small = profile(frame([*walks, *[{"title": "Fête", "category": "not_integrated"}] * 7]), model)
    large = profile(frame([*walks, *[{"title": "Fête", "category": "not_integrated"}] * 97]), model)
    assert small.score("experience") == 3  # 3 actions out of 10
    assert large.score("experience") == 2  # 3 actions out of 100 (3 %)


def test_a_titles_only_file_has_no_absent_element(model: WebModel) -> None:
    rows = [{"title": f"Subvention {i}", "category": "to_review", "_amount": 1000.0} for i in range(8)]
    rows += [{"title": "Marches exploratoires de femmes", "category": "specific", "_amount": 1000.0}]
    rows += [{"title": "Fête de quartier", "category": "not_integrated", "_amount": 1000.0}]
    p = profile(frame(rows), model)
    assert p.coverage_low and p.to_dict("fr")["coverage"]["low"] is True
    assert all(e.score != 0 for e in p.elements), p.scores
    assert p.score("experience") == 1  # an action still proves presence (a minimum)
    assert p.score("constituencies") is None
    assert "80\u202f% des actions sont à examiner" in p.element("constituencies").explanation_fr
    assert (
        "le tableau ne permet pas de dire que l'élément est absent"
        in p.element("constituencies").explanation_fr
    )
    assert p.score("resources") == 2  # the weighted share is a minimum: 10 % at least
    text = text_alternative(p)
    assert "Attention : 80\u202f% des actions n'ont pas pu être jugées" in text
    assert "Éléments absents" not in text
    assert p.weak == () and "À renforcer en priorité" not in text  # low scores are minimums here
    assert "Attention : 80\u202f% des actions à examiner" in render_svg(p)
    english = text_alternative(p, "en")
    assert "Caution: 80% of the actions could not be judged" in english
    assert "Caution: 80% of the actions to review" in render_svg(p, "en")
    # a questionnaire still says what it says
    q = profile(frame(rows), model, Questionnaire.from_scores({"policy": 0, "constituencies": 3}))
    assert q.score("policy") == 0
    assert not any(link.target == "experience" for link in q.broken_links)


def test_no_broken_link_from_a_single_action(model: WebModel) -> None:
    rows = [{"title": "Marches exploratoires de femmes", "category": "specific", "_amount": 100.0}]
    rows += [{"title": "Fête", "category": "not_integrated", "_amount": 100.0}] * 3
    p = profile(frame(rows), model)
    assert p.score("experience") is not None and p.element("experience").n_actions == 1
    assert all(link.source != "experience" for link in p.broken_links)
    assert p.model.scale_label(2, "fr") == "moyen" and p.model.scale_label(3, "fr") == "fort"
