"""``bie rules evaluate`` and :mod:`bie.tagging.evaluate`: metrics, corpus loaders, CLI, and the CI gates.

The gates (issue 9, point 6):
- macro-F1 on the **test** part of the hand-written cases (tests/rules/*.yaml, split by
  tests/corpus/split.yaml) must stay >= 0.85;
- the real corpus (tests/corpus/real.yaml) is measured apart and printed (``pytest -s``) and written to
  tests/_artifacts/evaluation.json; its gates are a ratchet just below today's scores, so that a change
  that makes real text worse fails. The issue's target for real text is 0.85 as well.

Never read the texts or labels of the ``test`` parts to write or tune a rule: these tests print figures
only, never the test disagreements.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from bie.errors import CorpusError
from bie.tagging.evaluate import CALIBRATION_BINS, Evaluation, evaluate, load_corpus, metrics, parse_label
from bie_cli.main import cli
from tests.conftest import ROOT

RULES = ROOT / "tests" / "rules"
REAL = ROOT / "tests" / "corpus" / "real.yaml"
ARTIFACTS = ROOT / "tests" / "_artifacts"

#: CI gate on the set-aside hand-written cases (issue 9: « CI fails when test macro-F1 drops under 0.85 »).
HAND_TEST_GATE = 0.85
#: Ratchet on real text, set just below the scores measured on 2026-12-02 with rules 2026.3 and the
#: information gate (real-dev 0.615, real-test 0.656; with rules 2026.2 they were 0.363 and 0.354).
#: Raise it when the rules improve; the issue's target is 0.85.
REAL_DEV_GATE = 0.60
REAL_TEST_GATE = 0.64

S, T, N, R = "specific", "transversal", "not_integrated", "to_review"


# ------------------------------------------------------------------------------------------------ metrics


def test_metrics_exact_values() -> None:
    expected = [S, S, S, T, N, N, R]
    predicted = [S, S, T, T, N, R, N]
    m = metrics(expected, predicted, [0.9] * 7)
    assert m.count == 7
    assert m.accuracy == pytest.approx(4 / 7)
    assert m.confusion == ((2, 1, 0, 0), (0, 1, 0, 0), (0, 0, 1, 1), (0, 0, 1, 0))
    spec, trans, nonint, review = m.classes
    assert spec.precision == 1.0
    assert spec.recall == pytest.approx(2 / 3)
    assert spec.f1 == pytest.approx(0.8)
    assert (spec.support, spec.predicted) == (3, 2)
    assert (trans.precision, trans.recall) == (0.5, 1.0)
    assert trans.f1 == pytest.approx(2 / 3)
    assert (nonint.precision, nonint.recall, nonint.f1) == (0.5, 0.5, 0.5)
    assert (review.precision, review.recall, review.f1) == (0.0, 0.0, 0.0)
    assert m.macro_f1 == pytest.approx((0.8 + 2 / 3 + 0.5 + 0.0) / 4)
    assert m.score(T) is trans


def test_metrics_absent_category_has_no_f1_and_does_not_count() -> None:
    m = metrics([S, N], [S, N], [0.9, 0.9])
    assert m.macro_f1 == 1.0
    assert m.score(T).f1 is None and m.score(T).precision is None and m.score(T).recall is None
    # Predicted but never expected: precision 0, recall undefined, F1 0 (it counts).
    m = metrics([N, N], [N, T], [0.9, 0.9])
    assert m.score(T).precision == 0.0 and m.score(T).recall is None and m.score(T).f1 == 0.0
    assert m.score(N).f1 == pytest.approx(2 / 3)
    assert m.macro_f1 == pytest.approx(1 / 3)


def test_calibration_bins_and_error() -> None:
    # One text per boundary: 0.5 opens the second bin, 0.9 and 1.0 fall in the last (closed) one.
    expected = [S, S, S, S, N, N, N, N]
    predicted = [S, N, S, S, N, N, S, N]
    confidence = [0.2, 0.4, 0.5, 0.75, 0.85, 0.9, 1.0, 0.95]
    m = metrics(expected, predicted, confidence)
    assert [(b.low, b.high) for b in m.calibration] == list(CALIBRATION_BINS)
    assert [b.count for b in m.calibration] == [2, 1, 1, 1, 3]
    first, second, _third, _fourth, last = m.calibration
    assert first.mean_confidence == pytest.approx(0.3) and first.accuracy == 0.5
    assert second.mean_confidence == 0.5 and second.accuracy == 1.0
    assert last.mean_confidence == pytest.approx(0.95) and last.accuracy == pytest.approx(2 / 3)
    gaps = 2 * 0.2 + 1 * 0.5 + 1 * 0.25 + 1 * 0.15 + 3 * abs(2 / 3 - 0.95)
    assert m.calibration_error == pytest.approx(gaps / 8)


def test_calibration_empty_bin_is_undefined() -> None:
    m = metrics([S], [S], [0.95])
    assert [b.count for b in m.calibration] == [0, 0, 0, 0, 1]
    assert m.calibration[0].mean_confidence is None and m.calibration[0].accuracy is None
    assert m.calibration_error == pytest.approx(0.05)


def test_metrics_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        metrics([S], [S, N], [0.5])
    with pytest.raises(ValueError, match="unknown categories"):
        metrics(["maybe"], [S], [0.5])


def test_metrics_of_nothing() -> None:
    m = metrics([], [], [])
    assert (m.count, m.accuracy, m.macro_f1, m.calibration_error) == (0, None, None, None)


@pytest.mark.parametrize(
    ("value", "category"),
    [
        ("specific", S),
        ("action spécifique", S),
        ("Spécifique", S),
        ("Intégrée", T),
        ("égalité intégrée", T),
        ("transversale", T),
        ("equality mainstreamed", T),
        ("NON PRISE EN COMPTE", N),
        ("égalité non prise en compte", N),
        ("not_integrated", N),
        ("non intégrée", N),
        ("À examiner", R),
        ("à revoir", R),
        ("to review", R),
        ("peut-être", None),
        ("", None),
    ],
)
def test_parse_label(value: str, category: str | None) -> None:
    assert parse_label(value) == category


# ------------------------------------------------------------------------------------------------ loaders

CASES = """\
- nom: Permanence CIDFF
  action:
    titre: Permanence d'accès aux droits des femmes victimes de violences
  attendu:
    categorie: specific
- nom: Aide aux devoirs
  action:
    titre: Aide aux devoirs
    objectifs: Accompagner les collégiens dans leur travail scolaire chaque soir de la semaine.
  attendu:
    categorie: not_integrated
- nom: Sans catégorie
  action:
    titre: Permanence
  attendu:
    public: unknown
- nom: Avec surcouche
  action:
    titre: Permanence
  attendu:
    categorie: to_review
  regles_locales: [locale.yaml]
"""

SPLIT = """\
version: 1
fichiers:
  cas.yaml:
    test:
    - Aide aux devoirs
    dev:
    - Permanence CIDFF
"""

REAL_TEXT = """\
version: 1
textes:
- id: web-1
  titre: Foot des filles
  description: Encourager la pratique du football par les adolescentes du quartier.
  porteur: ASC
  etiquette: specific
  partie: test
- id: od-2
  objet: SUBVENTION 2017
  etiquette: to_review
  partie: dev
"""


def _case_corpus(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "corpus").mkdir()
    (tmp_path / "rules" / "cas.yaml").write_text(CASES, encoding="utf-8")
    (tmp_path / "corpus" / "split.yaml").write_text(SPLIT, encoding="utf-8")
    return tmp_path / "rules" / "cas.yaml"


def test_load_yaml_cases_with_their_split(tmp_path: Path) -> None:
    path = _case_corpus(tmp_path)
    items, skipped, frame = load_corpus([path])
    assert [(i.id, i.part, i.expected, i.line, i.group) for i in items] == [
        ("Permanence CIDFF", "dev", S, 1, "dev"),
        ("Aide aux devoirs", "test", N, 6, "test"),
    ]
    assert skipped == {"no_category": 1, "local_overlay": 1}
    assert frame.height == 2
    assert frame.get_column("title").to_list() == [
        "Permanence d'accès aux droits des femmes victimes de violences",
        "Aide aux devoirs",
    ]
    # A folder stands for its case files; without a split file every case is « dev ».
    (tmp_path / "corpus" / "split.yaml").unlink()
    items, _skipped, _frame = load_corpus([tmp_path / "rules"])
    assert [i.part for i in items] == ["dev", "dev"]


def test_load_real_corpus(tmp_path: Path) -> None:
    path = tmp_path / "reel.yaml"
    path.write_text(REAL_TEXT, encoding="utf-8")
    items, skipped, frame = load_corpus([path])
    assert skipped == {}
    assert [(i.id, i.part, i.expected, i.line, i.group, i.corpus) for i in items] == [
        ("web-1", "test", S, 3, "real-test", "real"),
        ("od-2", "dev", R, 9, "real-dev", "real"),
    ]
    assert items[0].row == {
        "title": "Foot des filles",
        "description": "Encourager la pratique du football par les adolescentes du quartier.",
        "carrier": "ASC",
    }
    # An « objet » is read as a description (tests/corpus/README.md).
    assert items[1].row == {"description": "SUBVENTION 2017"}
    assert frame.height == 2


def test_real_corpus_unknown_label_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "reel.yaml"
    path.write_text(REAL_TEXT.replace("etiquette: to_review", "etiquette: douteux"), encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_corpus([path])
    assert "ligne 9, étiquette « douteux » inconnue" in info.value.message("fr")
    assert 'line 9, unknown label "douteux"' in info.value.message("en")


TABLE = {
    "Intitulé": [
        "Foot des filles",
        "Aide aux devoirs",
        "Atelier théâtre",
        "Projet 2024",
        "Permanence juridique",
    ],
    "Objectifs": [
        "Encourager la pratique du football par les filles du quartier, aujourd'hui absentes des clubs.",
        "Accompagner les collégiens dans leur travail scolaire chaque soir de la semaine.",
        "Créer une pièce avec des habitants du quartier et la jouer en fin d'année.",
        None,
        "Informer les femmes victimes de violences conjugales sur leurs droits.",
    ],
    "Porteur": ["ASC", "Asso", "Théâtre", "Club", "CIDFF"],
    "Montant": [1000, 2000, 1500, 500, 3000],
    "Étiquette": ["action spécifique", "Non prise en compte", "not_integrated", "À examiner", ""],
    "Partie": ["dev", "dev", "test", "dev", "dev"],
}


def test_load_csv_with_label_column(tmp_path: Path) -> None:
    path = tmp_path / "etiquettes.csv"
    pl.DataFrame(TABLE).write_csv(path, separator=";")
    items, skipped, frame = load_corpus([path])
    assert skipped == {"no_label": 1}
    assert [(i.id, i.line, i.expected, i.part, i.group) for i in items] == [
        ("ligne 2", 2, S, "dev", "table-dev"),
        ("ligne 3", 3, N, "dev", "table-dev"),
        ("ligne 4", 4, N, "test", "table-test"),
        ("ligne 5", 5, R, "dev", "table-dev"),
    ]
    assert frame.height == 4
    assert frame.get_column("title").to_list()[0] == "Foot des filles"
    assert "carrier" in frame.columns


def test_load_xlsx_with_label_column(tmp_path: Path) -> None:
    path = tmp_path / "etiquettes.xlsx"
    data = dict(TABLE)
    data["label"] = data.pop("Étiquette")
    pl.DataFrame(data).write_excel(path)
    items, skipped, frame = load_corpus([path])
    assert skipped == {"no_label": 1}
    assert [(i.expected, i.part) for i in items] == [(S, "dev"), (N, "dev"), (N, "test"), (R, "dev")]
    assert frame.height == 4


def test_table_without_label_column(tmp_path: Path) -> None:
    path = tmp_path / "sans.csv"
    data = {k: v for k, v in TABLE.items() if k != "Étiquette"}
    pl.DataFrame(data).write_csv(path, separator=";")
    with pytest.raises(CorpusError) as info:
        load_corpus([path])
    assert "aucune colonne d'étiquette" in info.value.message("fr")


def test_evaluate_tags_everything_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _case_corpus(tmp_path)
    real = tmp_path / "reel.yaml"
    real.write_text(REAL_TEXT, encoding="utf-8")
    table = tmp_path / "etiquettes.csv"
    pl.DataFrame(TABLE).write_csv(table, separator=";")
    calls: list[int] = []
    from bie.tagging import tag as original

    def counting(frame: pl.DataFrame, *args: Any, **kwargs: Any) -> Any:
        calls.append(frame.height)
        return original(frame, *args, **kwargs)

    monkeypatch.setattr("bie.tagging.evaluate.tag", counting)
    result = evaluate([cases, real, table], part="all")
    assert calls == [8]
    assert list(result.parts) == ["dev", "test", "real-dev", "real-test", "table-dev", "table-test"]
    assert result.overall.count == 8
    assert sum(m.count for m in result.parts.values()) == 8
    assert result.skipped == {"local_overlay": 1, "no_category": 1, "no_label": 1}
    dev = evaluate([cases, real, table], part="dev")
    assert list(dev.parts) == ["dev", "real-dev", "table-dev"]
    assert dev.overall.count == 5
    # Every disagreement is a text whose prediction differs from its label, with its rules.
    for d in result.disagreements:
        assert d.expected != d.predicted
        assert d.part in result.parts


def test_evaluate_result_as_json(tmp_path: Path) -> None:
    result = evaluate([_case_corpus(tmp_path)], part="all")
    data = json.loads(json.dumps(result.to_dict("en")))
    assert data["labels"]["transversal"] == "equality mainstreamed"
    assert data["overall"]["confusion"]["rows_expected_cols_predicted"] == [S, T, N, R]
    assert len(data["overall"]["calibration"]) == 5
    assert set(data["parts"]) == {"dev", "test"}


# ------------------------------------------------------------------------------------------------ CLI


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_the_tables_in_french(tmp_path: Path) -> None:
    code, out, err = run("rules", "evaluate", str(_case_corpus(tmp_path)), "--part", "all")
    assert (code, err) == (0, "")
    assert "Évaluation du marqueur — règles " in out
    assert "Textes mesurés : 2 ; non mesurés : 2 (surcouche locale 1, sans catégorie attendue 1)" in out
    for words in (
        "Résultats par partie",
        "Macro-F1",
        "F1 Spécifique",
        "Scores par catégorie — dev",
        "Matrice de confusion — test (lignes : attendu ; colonnes : obtenu)",
        "Calibration — test",
        "[0,9 ; 1,0]",
        "Écart moyen de calibration",
    ):
        assert words in out


def test_cli_prints_the_tables_in_english(tmp_path: Path) -> None:
    code, out, err = run("rules", "evaluate", str(_case_corpus(tmp_path)), "--lang", "en")
    assert (code, err) == (0, "")
    assert "Evaluation of the tagger — rules " in out
    assert "part: dev (tuning)" in out
    assert "Texts measured: 1; not measured: 2 (local overlay 1, no expected category 1)" in out
    for words in ("Results by part", "Precision", "Recall", "Confusion matrix — dev", "[0.9, 1.0]"):
        assert words in out


def test_cli_lists_disagreements(tmp_path: Path) -> None:
    path = tmp_path / "faux.csv"
    data = dict(TABLE)
    data["Étiquette"] = ["Non prise en compte", "Non prise en compte", "Non prise en compte", "", ""]
    pl.DataFrame(data).write_csv(path, separator=";")
    code, out, _err = run("rules", "evaluate", str(path))
    assert code == 0
    assert "Désaccords (1)" in out
    assert f"table-dev · ligne 2 · {path}:2" in out
    assert "Attendu : Non prise en compte ; Obtenu : Spécifique" in out


def test_cli_json_parses(tmp_path: Path) -> None:
    code, out, err = run("rules", "evaluate", str(_case_corpus(tmp_path)), "--json", "--part", "test")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["part"] == "test"
    assert data["overall"]["count"] == 1
    assert data["labels"]["specific"] == "action spécifique"


def test_cli_unknown_label_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "etiquettes.csv"
    data = dict(TABLE)
    data["Étiquette"] = ["action spécifique", "peut-être", "", "", ""]
    pl.DataFrame(data).write_csv(path, separator=";")
    assert run("rules", "evaluate", str(path)) == (
        1,
        "",
        f"Erreur : {path} : corpus étiqueté invalide : ligne 3, étiquette « peut-être » inconnue (admises : "
        "« action spécifique », « égalité intégrée », « égalité non prise en compte », « à examiner » ou "
        "specific, transversal, not_integrated, to_review). Corrigez-le en suivant docs/regles.md (section "
        "« Mesurer le marqueur »).\n",
    )
    code, _out, err = run("rules", "evaluate", str(path), "--lang", "en")
    assert code == 1
    assert err.startswith(f'Error: {path}: invalid labelled corpus: line 3, unknown label "peut-être"')
    assert err.count("\n") == 1


def test_cli_missing_corpus(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    code, out, err = run("rules", "evaluate", str(missing))
    assert (code, out) == (1, "")
    assert err.startswith(f"Erreur : {missing} : fichier introuvable.")


# ------------------------------------------------------------------------------------------------ gates


@pytest.fixture(scope="module")
def measured() -> Evaluation:
    """The hand-written cases and the real corpus, every part, in one evaluation."""
    return evaluate([RULES, REAL], part="all")


def _figures(result: Evaluation) -> dict[str, Any]:
    """Figures only (never the texts of the test parts)."""
    out: dict[str, Any] = {"rules_version": result.rules_version, "skipped": result.skipped, "parts": {}}
    for name, m in result.parts.items():
        data = m.to_dict()
        out["parts"][name] = {k: data[k] for k in ("count", "accuracy", "macro_f1", "classes", "confusion")}
        out["parts"][name]["calibration"] = data["calibration"]
        out["parts"][name]["calibration_error"] = data["calibration_error"]
    return out


def test_gate_hand_written_test_part(measured: Evaluation) -> None:
    """CI gate (issue 9, point 6): macro-F1 on the set-aside hand-written cases stays >= 0.85."""
    test = measured.parts["test"]
    print(
        f"\nhand-written test: {test.count} cases, macro-F1 {test.macro_f1:.3f}, accuracy {test.accuracy:.3f}"
    )
    assert test.count >= 150
    assert test.macro_f1 is not None and test.macro_f1 >= HAND_TEST_GATE


def test_measure_real_corpus(measured: Evaluation) -> None:
    """Measure real text apart and publish the figures; ratchet gates just below today's scores."""
    figures = _figures(measured)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "evaluation.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    for name in ("dev", "test", "real-dev", "real-test"):
        m = measured.parts[name]
        f1 = ", ".join(
            f"{c.category} {c.f1:.2f}" if c.f1 is not None else f"{c.category} -" for c in m.classes
        )
        print(f"{name}: n={m.count} macro-F1 {m.macro_f1:.3f} accuracy {m.accuracy:.3f} ({f1})")
        print(f"  confusion (rows expected, cols predicted): {m.confusion}")
    assert measured.parts["real-dev"].count + measured.parts["real-test"].count == 325
    dev, test = measured.parts["real-dev"].macro_f1, measured.parts["real-test"].macro_f1
    assert dev is not None and dev >= REAL_DEV_GATE, f"real-dev macro-F1 fell to {dev:.3f}"
    assert test is not None and test >= REAL_TEST_GATE, f"real-test macro-F1 fell to {test:.3f}"


def test_split_names_only_existing_cases() -> None:
    """A renamed or deleted case must be renamed in tests/corpus/split.yaml too (a renamed case keeps its
    part): otherwise a « test » case would silently be read as « dev »."""
    from bie.resources import load_yaml_file
    from bie.tagging.cases import load_cases

    split = load_yaml_file(ROOT / "tests" / "corpus" / "split.yaml")["fichiers"]
    stale = []
    for name, entry in split.items():
        names = {c.name for c in load_cases(RULES / name)} if (RULES / name).is_file() else set()
        stale += [
            (name, case) for part in ("dev", "test") for case in entry.get(part) or [] if case not in names
        ]
    assert stale == []
