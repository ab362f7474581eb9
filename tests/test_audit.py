"""The audit: one object, figures that add up, a JSON that validates against the shipped schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

import bie
from bie.audit import JSON_ACTIONS
from bie.resources import data_path
from tests.conftest import FIXTURES, REAL, examples
from tests.test_properties_read import Table, tables, write_xlsx

SCHEMA = json.loads(data_path("audit.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

INPUTS = [
    FIXTURES / "programmation_cdv_2024.xlsx",
    FIXTURES / "export_plateforme_2024.csv",
    FIXTURES / "subventions_scdl_2024.csv",
    *sorted(p for p in REAL.glob("*.*") if p.suffix != ".md"),
]


@pytest.fixture(scope="module")
def programmation() -> bie.Audit:
    return bie.audit(FIXTURES / "programmation_cdv_2024.xlsx")


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_json_validates_against_the_schema(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the three forms of the action list (``--json-actions all|summary|none``)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    audited = bie.audit(path)
    for actions in JSON_ACTIONS:
        data = json.loads(audited.to_json(actions=actions))
        errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, [f"{actions} {list(e.path)}: {e.message}" for e in errors[:5]]


def test_money_adds_up(programmation: bie.Audit) -> None:
    d = programmation.to_dict()
    s = d["summary"]
    total = sum(v["amount"] for v in s["by_category"].values())
    assert round(total, 2) == s["amount_total"] == 2766817.25
    assert sum(v["count"] for v in s["by_category"].values()) == s["actions"] == 150
    rec = d["reconciliation"]["files"][0]
    assert rec["balanced"] and d["reconciliation"]["balanced"]
    excluded = sum(e["amount"] for e in rec["excluded"].values())
    assert round(rec["actions_amount"] + excluded, 2) == rec["input_amount"]
    assert rec["rows"] == rec["actions"] + sum(e["rows"] for e in rec["excluded"].values())
    spend = s["weighted_equality_spend"]["amount"]
    expected = s["by_category"]["specific"]["amount"] + 0.4 * s["by_category"]["transversal"]["amount"]
    assert abs(spend - expected) < 0.01


def test_every_source_row_is_in_the_json(programmation: bie.Audit) -> None:
    d = programmation.to_dict()
    rows = sorted([a["row"] for a in d["actions"]] + [e["row"] for e in d["excluded"]])
    assert rows == list(range(1, 177))


def test_deterministic_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = bie.audit(FIXTURES / "export_plateforme_2024.csv").to_json()
    second = bie.audit(FIXTURES / "export_plateforme_2024.csv").to_json()
    assert first == second
    assert json.loads(first)["generated_at"] == "2026-01-01T00:00:00+00:00"


def test_stages_when_requested_and_proposed_exist() -> None:
    d = bie.audit(FIXTURES / "export_plateforme_2024.csv").to_dict()
    assert d["summary"]["amount_basis"] == "proposed"
    assert d["stages"]["stages"] == ["requested", "proposed"]
    total_requested = sum(r["requested"] for r in d["stages"]["by_category"])
    assert round(total_requested, 2) == 990700.0


def test_funder_option_keeps_only_its_money() -> None:
    audit = bie.audit(FIXTURES / "programmation_cdv_2024.xlsx", funder="État")
    d = audit.to_dict()
    assert d["summary"]["amount_basis"] == "funder"
    assert d["summary"]["amount_total"] == 1153800.0
    assert all(a["amount"] and a["amount"] > 0 for a in d["actions"])


def test_several_files_in_one_audit() -> None:
    audit = bie.audit([FIXTURES / "programmation_cdv_2024.xlsx", REAL / "lot_subventions_2017.csv"])
    d = audit.to_dict()
    assert [i["file"] for i in d["inputs"]] == ["programmation_cdv_2024.xlsx", "lot_subventions_2017.csv"]
    assert d["summary"]["actions"] == 150 + 13
    assert d["summary"]["amount_basis"] == "mixed"
    assert audit.meta["stem"] == "audit"
    assert audit.report_names() == ["audit.bie.html", "audit.bie.xlsx", "audit.bie.json"]


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit = bie.audit(REAL / "lot_subventions_2017.csv")

    def boom(self: bie.Audit, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    (tmp_path / "lot_subventions_2017.bie.json").write_text("ancien rapport", encoding="utf-8")
    monkeypatch.setattr(bie.Audit, "write_json", boom)
    with pytest.raises(RuntimeError):
        audit.write(tmp_path, formats=["json"])
    assert (tmp_path / "lot_subventions_2017.bie.json").read_text(encoding="utf-8") == "ancien rapport"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lot_subventions_2017.bie.json"]


@settings(
    max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=tables())
def test_money_is_conserved_for_generated_workbooks(tmp_path_factory, table: Table) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("audit") / "programmation.xlsx"
    write_xlsx(table, path)
    d = bie.audit(path).to_dict()
    cents = sum(table.totals.values())
    by_category = sum(round(v["amount"] * 100) for v in d["summary"]["by_category"].values())
    assert round(d["summary"]["amount_total"] * 100) == by_category == cents
    rec = d["reconciliation"]["files"][0]
    assert rec["balanced"]
    assert round(rec["actions_amount"] * 100) == cents
    assert sum(1 for _ in d["actions"]) == table.reasons.count("action")


def test_actions_frame_has_tags_and_web(programmation: bie.Audit) -> None:
    cols = set(programmation.actions.columns)
    assert {"category", "reasons", "web_elements", "_amount", "_file", "_row"} <= cols
    assert (
        programmation.actions.get_column("category")
        .is_in(["specific", "transversal", "not_integrated", "to_review"])
        .all()
    )
    assert programmation.actions.schema["web_elements"] == pl.List(pl.String)


def test_skip_unreadable_lists_the_file_and_why(tmp_path: Path) -> None:
    """With ``skip_unreadable`` (many files at once), a file that cannot be read is left out with an error
    issue naming it and why, listed in the JSON; without it, or when no file can be read, the audit stops."""
    good = tmp_path / "prog.csv"
    good.write_text("Intitulé;Montant accordé\nAtelier vélo pour les femmes;1200\n", encoding="utf-8")
    bad = tmp_path / "notes.xlsx"
    bad.write_bytes(b"not a workbook at all")
    with pytest.raises(bie.BieError):
        bie.audit([good, bad])
    result = bie.audit([good, bad], skip_unreadable=True)
    assert result.n_actions == 1
    codes = [(file, issue.code) for file, issue in result.issues if issue.code == "file-unreadable"]
    assert codes == [("notes.xlsx", "file-unreadable")]
    message = next(i for _, i in result.issues if i.code == "file-unreadable").message("en")
    assert message.startswith('"notes.xlsx" could not be read and is not counted: ')
    data = result.to_dict("fr", rows=False)
    assert [s["file"] for s in data["skipped"]] == ["notes.xlsx"]
    assert data["skipped"][0]["message"] and data["skipped"][0]["code"]
    with pytest.raises(bie.BieError):
        bie.audit([bad], skip_unreadable=True)
