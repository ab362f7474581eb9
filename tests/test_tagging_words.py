"""The tagger's words in the reader's language (issue 10): rule titles, carriers, decision steps, `bie explain`
and the validation errors of rule and case files, in French and in English."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bie.errors import RulesError
from bie.resources import data_path, load_data
from bie.tagging import explain, load_rules
from bie.tagging.carriers import load_carriers, parse_carriers
from bie.tagging.cases import load_cases
from bie.tagging.engine import STEPS
from bie.tagging.rules import load_pack_dir
from bie.web.cases import load_web_cases
from bie.web.rules import load_web_rules
from bie_cli.main import cli
from tests.conftest import REAL

#: Rules whose English title is the French one on purpose (a proper name, a code): none so far.
SAME_IN_BOTH: frozenset[str] = frozenset()

BAD_RULE = """\
- id: LOCAL-TEST-01
  title: Essai local
  evidence: aim
  strength: strong
  patterns: ['\\bEgalite\\b']
  rationale: essai
  sources: [{title: x, href: "https://example.org"}]
  valid_from: 2024-01-01
  last_reviewed: 2024-01-01
"""

LOCAL_RULE = """\
- id: LOCAL-TEST-01
  title: Dispositif local Egalicité
  evidence: aim
  strength: strong
  patterns: ['\\bdispositif egalicite\\b']
  rationale: essai
  sources: [{title: x, href: "https://example.org"}]
  valid_from: 2024-01-01
  last_reviewed: 2024-01-01
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_builtin_rule_has_an_english_title() -> None:
    pack = load_rules()
    assert len(pack.rules) >= 90
    for rule in pack.rules:
        assert rule.title_en.strip(), rule.id
        assert rule.title_en == " ".join(rule.title_en.split()), rule.id
        if rule.id not in SAME_IN_BOTH:
            assert rule.title_en != rule.title, rule.id
        assert "«" not in rule.title_en and "»" not in rule.title_en, rule.id  # English quotes are "…"
        assert pack.rule_title(rule.id, "en") == rule.title_en
        assert pack.rule_title(rule.id, "fr") == rule.title


def test_every_carrier_has_an_english_name() -> None:
    for org in load_carriers().organisations:
        assert org.name_en.strip() and org.name_en != org.name, org.id
        assert org.name_in("en") == org.name_en and org.name_in("fr") == org.name


def test_titles_of_the_reasons_the_engine_adds() -> None:
    pack = load_rules()
    assert pack.rule_title("REVIEW-TEXTE", "en") == "heading only: nothing to screen"
    assert pack.rule_title("REVIEW-TEXTE") == "intitulé seul : rien à examiner"
    assert pack.rule_title("REVIEW-AMBIGU", "en") == "hint without evidence"
    assert pack.rule_title("REVIEW-CONTRADICTION", "en") == "contradictory evidence"
    assert pack.rule_title("override", "en") == "manual decision"
    assert pack.rule_title("override", "fr") == "décision manuelle"
    assert pack.rule_title("PORTEUR-CIDFF", "en").startswith(
        "Women's and families' rights information centres"
    )
    assert pack.rule_title("PORTEUR-CIDFF", "fr").startswith(
        "Centres d'information sur les droits des femmes"
    )
    assert pack.rule_title("DECL-NON-01", "en").startswith("Declared not concerned")
    assert pack.rule_title("NO-SUCH-01", "en") == "NO-SUCH-01"
    titles = pack.rule_titles("en")
    assert titles["SPEC-VSS-01"] == "Sexist, sexual or domestic violence, violence against women"
    titles["SPEC-VSS-01"] = "changed"  # a copy: the pack's titles stay as they are
    assert pack.rule_title("SPEC-VSS-01", "en") != "changed"


def test_builtin_pack_requires_english_titles(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(data_path("rules"), folder)
    path = folder / "violences.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  title_en: "))
    path.write_text(text.replace(line + "\n", "", 1), encoding="utf-8")
    load_pack_dir(folder)  # a pack of one's own may do without
    with pytest.raises(RulesError) as info:
        load_pack_dir(folder, require_en=True)
    assert info.value.message("en") == (
        f'{path}: invalid rule pack: rule SPEC-VSS-01: "title_en" (the English title) is required in the pack '
        "shipped with bie. Fix it following docs/regles.md."
    )
    assert info.value.message("fr") == (
        f"{path} : jeu de règles invalide : règle SPEC-VSS-01 : « title_en » (le titre en anglais) est "
        "obligatoire dans le jeu fourni avec bie. Corrigez-le en suivant docs/regles.md."
    )


def test_overlay_rule_without_english_title_falls_back_to_french(tmp_path: Path) -> None:
    overlay = tmp_path / "local.yaml"
    overlay.write_text(LOCAL_RULE, encoding="utf-8")
    pack = load_rules([overlay])
    assert pack.rule("LOCAL-TEST-01").title_en == ""
    assert pack.rule_title("LOCAL-TEST-01", "en") == "Dispositif local Egalicité"
    overlay.write_text(LOCAL_RULE.replace("  evidence:", "  title_en: Local Egalicité scheme\n  evidence:"))
    assert load_rules([overlay]).rule_title("LOCAL-TEST-01", "en") == "Local Egalicité scheme"
    overlay.write_text(LOCAL_RULE.replace("  evidence:", "  title_en: ''\n  evidence:"))
    with pytest.raises(RulesError) as info:
        load_rules([overlay])
    assert info.value.message("en").endswith(
        'rule LOCAL-TEST-01: "title_en" must be a non-empty text. Fix it following docs/regles.md.'
    )


def test_steps_are_labelled_in_both_languages() -> None:
    labels = load_data("labels.yaml")["steps"]
    assert [s.name for s in STEPS] == list(labels)
    for step in STEPS:
        assert step.label == step.label_in("fr") == labels[step.name]["fr"]
        assert step.label_in("en") == labels[step.name]["en"] != step.label


TEXT = "Atelier couture pour les femmes du quartier\nFavoriser l'égalité entre les femmes et les hommes"


def test_explain_text_in_english_has_no_french_words() -> None:
    exp = explain(text=TEXT)
    english = exp.to_text("en")
    for step in STEPS:
        assert step.label_in("fr") not in english
    for word in (
        "Règles",
        "Zones lues",
        "Décision",
        "Catégorie",
        "confiance",
        "Public :",
        "première phrase",
        "action spécifique",
        "femmes seulement",
        "objectif, forte",
        "en tête",
        "«",
    ):
        assert word not in english, word
    assert "Rules fired:" in english and "Decision, step by step:" in english
    assert "Category: specific action (DAC marker 2, EU weight 100%), confidence 0.95" in english
    assert (
        'SPEC-EGALITE-01 [aim, strong, lead] main objective: "égalité entre les femmes et les hommes" — '
        "Equality (or inequalities) between women and men" in english
    )
    assert "Audience: women only" in english


def test_explain_text_in_french_writes_a_decimal_comma() -> None:
    french = explain(text=TEXT).to_text()
    assert (
        "Catégorie : action spécifique (marqueur CAD 2, pondération UE 100\u202f%), confiance 0,95" in french
    )
    assert "0.95" not in french
    little = explain(text="Projet jeunesse")
    assert "confiance 0,87" in little.to_text()
    assert "Motif « à examiner » : intitulé seul : rien à examiner" in little.to_text()
    assert 'Why "to review": heading only: nothing to screen' in little.to_text("en")
    assert "confidence 0.87" in little.to_text("en")


def test_cli_explain_in_english(tmp_path: Path) -> None:
    code, out, err = run("explain", "--text", "Projet jeunesse", "--lang", "en")
    assert (code, err) == (0, "")
    assert 'Why "to review": heading only: nothing to screen' in out
    assert "confidence 0.87" in out
    assert "Heading only: nothing to screen" in out
    assert "Intitulé seul" not in out and "Résultat" not in out and "confiance" not in out
    code, out, _ = run("explain", "--text", "Projet jeunesse")
    assert code == 0 and "confiance 0,87" in out and "Motif « à examiner » : intitulé seul" in out
    table = tmp_path / "lot.csv"
    shutil.copy(REAL / "lot_subventions_2017.csv", table)
    code, out, err = run("explain", str(table), "--row", "5", "--lang", "en")
    assert (code, err) == (0, "")
    assert "Action screened: no evidence of equality" in out
    assert "Action examinée" not in out and "Décision manuelle" not in out


def test_cli_rule_file_error_in_both_languages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_RULE, encoding="utf-8")
    table = tmp_path / "lot.csv"
    shutil.copy(REAL / "lot_subventions_2017.csv", table)
    out_dir = tmp_path / "out"
    assert run("audit", str(table), "--rules", str(bad), "-o", str(out_dir), "--lang", "en") == (
        1,
        "",
        f'Error: {bad}: invalid rule pack: rule LOCAL-TEST-01: pattern "\\bEgalite\\b": write it in lower case '
        "(the normalised text is in lower case; capitals mark the neutralised passages there). "
        "Fix it following docs/regles.md.\n",
    )
    assert run("audit", str(table), "--rules", str(bad), "-o", str(out_dir)) == (
        1,
        "",
        f"Erreur : {bad} : jeu de règles invalide : règle LOCAL-TEST-01 : motif « \\bEgalite\\b » : écrire en "
        "minuscules (le texte normalisé est en minuscules ; les majuscules y marquent les passages "
        "neutralisés). Corrigez-le en suivant docs/regles.md.\n",
    )
    bad.write_text(BAD_RULE.replace("  evidence: aim", "  evidence: objectif"), encoding="utf-8")
    code, _out, err = run("explain", "--text", "x", "--rules", str(bad), "--lang", "en")
    assert (code, err) == (
        1,
        f"Error: {bad}: invalid rule pack: rule LOCAL-TEST-01: unknown \"evidence\" 'objectif'; values: aim, "
        "measure, audience_women, audience_men, audience_mixed, trap, negation, ambiguous, clause, vague, "
        "declaration. Fix it following docs/regles.md.\n",
    )
    bad.write_text(BAD_RULE.replace("  evidence: aim", "  colour: red\n  evidence: aim"), encoding="utf-8")
    code, _out, err = run("explain", "--text", "x", "--rules", str(bad), "--lang", "en")
    assert (code, err) == (
        1,
        f"Error: {bad}: invalid rule pack: rule LOCAL-TEST-01: unknown key(s): colour. "
        "Fix it following docs/regles.md.\n",
    )


def test_case_and_carrier_errors_in_both_languages(tmp_path: Path) -> None:
    cases = tmp_path / "cas.yaml"
    cases.write_text(
        "- nom: essai\n  action: {titre: Atelier, couleur: rouge}\n  attendu: {categorie: specific}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as info:
        load_cases(cases)
    assert info.value.message("en") == (
        f"{cases}: invalid rule pack: line 1: unknown action key 'couleur'. Fix it following docs/regles.md."
    )
    assert info.value.message("fr") == (
        f"{cases} : jeu de règles invalide : ligne 1 : clé d'action inconnue 'couleur'. "
        "Corrigez-le en suivant docs/regles.md."
    )
    path = tmp_path / "porteurs.yaml"
    raw = load_data("carriers.yaml")
    with pytest.raises(RulesError) as info:
        parse_carriers(
            {**raw, "organisations": [{"id": "PORTEUR-X", "name": "X", "sources": [1]}]},
            path,
            require_en=True,
        )
    assert info.value.message("en") == (
        f'{path}: invalid rule pack: PORTEUR-X: "name_en" (the English name) is required in the list shipped '
        "with bie. Fix it following docs/regles.md."
    )


def test_web_rule_and_case_errors_in_english(tmp_path: Path) -> None:
    cases = tmp_path / "cas_toile.yaml"
    cases.write_text(
        "- nom: essai\n  action: {titre: Atelier, categorie: specific}\n  attendu: {regles: [TOILE-NON-01]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as info:
        load_web_cases(cases, load_web_rules())
    assert info.value.message("en") == (
        f"{cases}: invalid rule pack: line 1, regles: unknown rule(s) TOILE-NON-01. "
        "Fix it following docs/regles.md."
    )
    assert "ligne 1, regles : règle(s) inconnue(s) TOILE-NON-01" in info.value.message("fr")
