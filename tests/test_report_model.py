"""The report model (issue 10): figures, words and findings decided once, read by every renderer."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

import bie
from bie import analysis
from bie.i18n import Numbers, fmt_in
from bie.report.model import CATEGORY_ORDER, AuditReport, basis_label, build
from bie_cli.main import cli
from tests.conftest import FIXTURES, ROOT

PROG = FIXTURES / "programmation_cdv_2024.xlsx"
TITLES_ONLY = "Intitulé;Porteur;Montant accordé\nSubvention 2016;Club A;1000\nFonctionnement;Club B;2500\n"


@pytest.fixture(scope="module")
def prog() -> bie.Audit:
    return bie.audit(PROG)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_no_renderer_imports_the_audit() -> None:
    """The audit builds the report; nothing under src/bie/report/ imports bie.audit (not even for typing)."""
    offenders = {
        p.name: sorted(i for i in _imports(p) if i == "bie.audit" or i.startswith("bie.audit."))
        for p in (ROOT / "src" / "bie" / "report").glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert "from bie.audit" not in (ROOT / "cli" / "bie_cli" / "render_evaluate.py").read_text(
        encoding="utf-8"
    )


class _ModelOnly:
    """An object that gives its report model and nothing else: a renderer that reaches past the model
    (``audit.meta``, ``audit.actions``…) fails on it."""

    def __init__(self, report: AuditReport) -> None:
        self._report = report

    def report(self, lang: str | None = None) -> AuditReport:
        assert lang in (None, self._report.lang)
        return self._report


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_renderers_read_only_the_model(prog: bie.Audit, lang: str, tmp_path: Path) -> None:
    """The HTML page and the Excel workbook are laid out from the report model alone: given an object that
    has nothing but the model, they produce the same output as from the audit."""
    from bie.report.excel import write_excel
    from bie.report.html import render_html

    only = _ModelOnly(prog.report(lang))
    assert render_html(only, lang) == render_html(prog, lang)
    assert render_html(prog.report(lang)) == render_html(prog, lang)
    write_excel(only, tmp_path / "model.xlsx", lang)
    write_excel(prog, tmp_path / "audit.xlsx", lang)
    for name in ("model.xlsx", "audit.xlsx"):
        assert openpyxl.load_workbook(tmp_path / name).sheetnames
    first = openpyxl.load_workbook(tmp_path / "model.xlsx")
    second = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    for ws in first.worksheets:
        other = second[ws.title]
        assert [[c.value for c in row] for row in ws.iter_rows()] == [
            [c.value for c in row] for row in other.iter_rows()
        ], ws.title
    with pytest.raises(ValueError, match="not 'en'" if lang == "fr" else "not 'fr'"):
        render_html(prog.report(lang), "en" if lang == "fr" else "fr")


def test_model_figures(prog: bie.Audit) -> None:
    fr, en = prog.report("fr"), prog.report("en")
    assert [c.category for c in fr.categories] == list(CATEGORY_ORDER)
    assert fr.basis_label == "somme des cofinancements" and en.basis_label == "sum of co-funders"
    s = prog.summary
    for c in fr.categories:
        assert c.count == s["by_category"][c.category]["count"]
        assert c.amount == s["by_category"][c.category]["amount"]
    # DAC markers and EU weights come from the rule pack, the one place they are kept
    pack = bie.tagging.load_rules()
    for c in fr.categories:
        assert (c.dac_marker, c.eu_weight) == (
            pack.category(c.category).dac_marker,
            pack.category(c.category).eu_weight,
        )
    weighted = sum(c.weighted_amount or 0.0 for c in fr.categories)
    assert fr.headline.weighted_amount == pytest.approx(weighted, abs=0.01)
    assert fr.headline.shown and fr.headline.note == ""
    assert prog.report("fr") is fr  # built once per language


def test_weights_are_read_from_the_pack() -> None:
    frame = pl.DataFrame(
        {"category": ["specific", "transversal", "not_integrated"], analysis.AMOUNT: [100.0, 100.0, 100.0]}
    )
    pack_like = {
        "specific": (2, 1.0),
        "transversal": (1, 0.5),
        "not_integrated": (0, 0.0),
        "to_review": (None, None),
    }
    s = analysis.summary(frame, "granted", None, pack_like)
    assert s["weighted_equality_spend"]["amount"] == 150.0
    assert s["by_category"]["transversal"]["weighted_amount"] == 50.0
    assert s["by_category"]["to_review"]["eu_weight"] is None


def test_findings_are_sorted_by_severity_and_computed_once(
    prog: bie.Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = analysis.findings

    def counting(metrics: object, lang: str, actions: int) -> object:
        calls.append(lang)
        return original(metrics, lang, actions)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "findings", counting)
    fresh = bie.audit(PROG)
    fresh.write(tmp_path, lang="en")
    assert calls == ["en"], "findings are computed once per language and shared by HTML, Excel and JSON"
    severities = [f.severity for f in fresh.report("en").findings]
    assert severities == sorted(severities, key=lambda s: 0 if s in ("warning", "error") else 1)


def test_every_output_shows_the_same_figures_and_words_in_english(prog: bie.Audit, tmp_path: Path) -> None:
    written = prog.write(tmp_path, lang="en")
    report = prog.report("en")
    n = Numbers("en")
    data = json.loads(next(p for p in written if p.suffix == ".json").read_text(encoding="utf-8"))
    assert data["summary"]["amount_basis_label"] == "sum of co-funders"
    assert [f["text"] for f in data["findings"]] == [f.text for f in report.findings]
    html = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    assert n.money(report.headline.weighted_amount) in html
    for f in report.findings:
        assert f.text.replace('"', "&#34;").replace("'", "&#39;") in html or f.text in html
    wb = openpyxl.load_workbook(next(p for p in written if p.suffix == ".xlsx"), read_only=True)
    cells = {c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c is not None}
    assert "sum of co-funders" in cells
    assert report.headline.weighted_amount in cells
    assert {f.text for f in report.findings} <= cells
    result = CliRunner().invoke(cli, ["audit", str(PROG), "-o", str(tmp_path / "cli"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Summary — sum of co-funders" in flat
    assert n.money(report.headline.weighted_amount) in flat
    assert "somme des cofinancements" not in result.output


def test_nothing_judged_prints_no_equality_money(tmp_path: Path) -> None:
    path = tmp_path / "titres.csv"
    path.write_text(TITLES_ONLY, encoding="utf-8")
    audit = bie.audit(path)
    report = audit.report("fr")
    assert not report.headline.shown
    assert report.headline.note.startswith("Aucune action n'a pu être jugée")
    html = audit.to_html("fr")
    assert "Aucune action n&#39;a pu être jugée" in html
    result = CliRunner().invoke(cli, ["audit", str(path), "-o", str(tmp_path / "out")])
    flat = " ".join(result.output.split())
    assert "Dépense égalité pondérée (UE : 100 % / 40 %) : Aucune action n'a pu être jugée" in flat
    assert "0,00 € (0,0" not in flat


@pytest.mark.parametrize(
    ("lang", "count", "text"),
    [
        ("fr", 0, "0 cellule de total ne correspond"),
        ("fr", 1, "1 cellule de total ne correspond"),
        ("fr", 2, "2 cellules de total ne correspondent"),
        ("en", 0, "0 total cells do"),
        ("en", 1, "1 total cell does"),
        ("en", 3, "3 total cells do"),
    ],
)
def test_plural_agreement(lang: str, count: int, text: str) -> None:
    from bie.resources import load_data

    spec = next(f for f in load_data("findings.yaml")["findings"] if "{count:plural:" in f[lang])
    assert fmt_in(lang, spec[lang], value=count, count=count).startswith(text) or text in fmt_in(
        lang, spec[lang], value=count, count=count
    )


def test_no_parenthesised_plurals_in_catalogues() -> None:
    """« 1 cellule(s) », « 1 lien(s) rompu(s) »: counts agree with their words ({n:plural:…|…})."""
    import re

    for name in ("findings.yaml", "issues.yaml", "labels_excel.yaml", "labels_html.yaml", "labels.yaml"):
        text = (ROOT / "src" / "bie" / "data" / name).read_text(encoding="utf-8")
        assert not re.search(r"[a-zé]\(s\)", text), name


def test_basis_labels_in_both_languages() -> None:
    assert basis_label("funder", "fr", "État") == "financement de « État »"
    assert basis_label("funder", "en", "State") == 'funding from "State"'
    assert basis_label("mixed", "en") == "different bases depending on the file"


def test_build_refuses_an_unknown_language(prog: bie.Audit) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        build(prog, "de")


def test_quartiers_are_grouped_by_code() -> None:
    """« Par quartier » groups by QPV code whatever the separator, folds the whole-contract wordings into one
    row, and shows an action over several QPV under each (flagged), counted once in the totals."""
    frame = pl.DataFrame(
        {
            "territory": [
                "QN07632M La Sablière",
                "QN07632M La Sablière / QN07634M Le Val-Fleuri",
                "QN07634M Le Val-Fleuri ; QN07632M La Sablière",
                "QN07634M Le Val-Fleuri QN07636M Centre-Ancien – Gare",
                "Tous QPV",
                "Ensemble des QPV du contrat",
                "Centre-ville",
                None,
            ],
            "category": ["specific"] * 8,
            analysis.AMOUNT: [100.0, 10.0, 20.0, 30.0, 1.0, 2.0, 5.0, 7.0],
        }
    )
    rows = {(r["key"], r.get("special")): r for r in analysis.breakdowns(frame, {})["territory"]}
    sabliere = rows[("QN07632M La Sablière", None)]
    assert (sabliere["count"], sabliere["amount"], sabliere["shared"]) == (3, 130.0, 2)
    assert rows[("QN07634M Le Val-Fleuri", None)]["count"] == 3
    assert rows[("QN07636M Centre-Ancien – Gare", None)]["count"] == 1
    whole = rows[(None, "whole_contract")]
    assert (whole["count"], whole["amount"]) == (2, 3.0)
    assert rows[("Centre-ville", None)]["count"] == 1 and "shared" not in rows[("Centre-ville", None)]
    assert rows[(None, "not_given")]["count"] == 1
    assert len(rows) == 6


def test_quartier_rows_read_in_each_language(prog: bie.Audit, tmp_path: Path) -> None:
    data = json.loads(prog.to_json("en"))
    specials = {r.get("special") for r in data["breakdowns"]["territory"]}
    assert "whole_contract" in specials
    assert all(r["key"] is None for r in data["breakdowns"]["territory"] if r.get("special"))
    assert "(autres)" not in prog.to_json("en")
    html = prog.to_html("en")
    assert "(whole contract)" in html and "Neighbourhoods grouped by their code" in html
    wb = openpyxl.load_workbook(prog.to_excel(tmp_path / "q.xlsx", "en"), read_only=True)
    cells = [
        c for row in wb["By neighbourhood"].iter_rows(values_only=True) for c in row if isinstance(c, str)
    ]
    assert "(whole contract)" in cells
    assert any(c.startswith("* Neighbourhoods grouped by their code") for c in cells)


def test_breakdown_labels_are_decided_once(prog: bie.Audit) -> None:
    """The lines bie makes are labelled in the reader's words by the model, for HTML and Excel alike."""
    fr, en = prog.report("fr").breakdown("territory"), prog.report("en").breakdown("territory")
    assert fr is not None and en is not None
    labels_fr = [g.label for g in fr.groups]
    labels_en = [g.label for g in en.groups]
    assert "(ensemble du contrat)" in labels_fr and "(whole contract)" in labels_en
    assert any(lbl.endswith(" *") for lbl in labels_en) and fr.shared
    assert en.note.startswith("* Neighbourhoods grouped by their code")
    funder = prog.report("en").breakdown("funder")
    assert funder is not None and funder.note.startswith("The amount of each co-funder's own column")
    assert all(g.by_category.keys() == set(CATEGORY_ORDER) for g in fr.groups)


def test_stages_are_decided_once() -> None:
    plateforme = bie.audit(FIXTURES / "export_plateforme_2024.csv")
    fr, en = plateforme.report("fr").stages, plateforme.report("en").stages
    assert fr is not None and en is not None
    assert fr.stages == ("requested", "proposed") and en.stage_labels["requested"] == "requested"
    assert fr.stage_labels["requested"] == "demandé"
    raw = plateforme.stages
    assert raw is not None
    assert [r.amounts["proposed"] for r in fr.rows] == [e.get("proposed") for e in raw["by_category"]]
    gap = raw["equality_gap"]
    expected = "" if gap is None else ("even" if abs(gap) < 0.01 else ("negative" if gap < 0 else "positive"))
    assert fr.verdict == expected
    assert bie.audit(PROG).report("fr").stages is None


def test_no_french_sentinel_in_the_english_json() -> None:
    """Rows bie makes are ``key: null`` with ``special`` in the JSON, never « (non renseigné) »/« (autres) »."""
    frame = pl.DataFrame(
        {
            "pillar": ["A", None, "B"],
            "category": ["specific", "transversal", "not_integrated"],
            "women": [3, 4, 5],
            "men": [1, 2, 3],
            analysis.AMOUNT: [10.0, 20.0, 30.0],
        }
    )
    benef = analysis.beneficiaries(frame)
    keys = {(r["key"], r.get("special")) for r in benef["by_pillar"]}
    assert (None, "not_given") in keys and ("A", None) in keys
    text = bie.audit(PROG).to_json("en")
    assert "(non renseigné)" not in text and "(autres)" not in text


def test_beneficiaries_are_decided_once(prog: bie.Audit) -> None:
    b = prog.report("en").beneficiaries
    raw = prog.beneficiaries
    assert b is not None and raw is not None and b.available
    assert (b.women, b.men, b.women_share) == (raw["women"], raw["men"], raw["women_share"])
    assert b.actions_with_counts == raw["coverage"]["actions_with_counts"]
    assert [g.actions for g in b.by_pillar] == [e["actions"] for e in raw["by_pillar"]]
    path_b = bie.audit(FIXTURES / "subventions_scdl_2024.csv").report("fr").beneficiaries
    assert path_b is not None and not path_b.available and path_b.by_pillar == ()
