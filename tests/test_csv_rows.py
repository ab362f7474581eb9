"""Issue 10: a CSV's rows are numbered as a spreadsheet program shows them (one record, one row, whatever
line breaks its quoted cells hold); the physical line each record starts on is kept beside it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import bie
from bie_cli.main import cli

CSV = 'Intitulé;Description;Montant accordé\n"Atelier A";"ligne 1\nligne 2\nligne 3\nligne 4";100\n"Atelier B";"court";200\n'


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "multi.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_rows_are_records_and_lines_are_kept(tmp_path: Path) -> None:
    result = bie.read(_file(tmp_path))
    assert result.actions.select("_row", "_line", "title").rows() == [
        (2, 2, "Atelier A"),
        (3, 6, "Atelier B"),
    ]
    assert result.ledger.get_column("row").to_list() == [1, 2, 3]


def test_explain_row_is_the_spreadsheet_row(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["explain", str(_file(tmp_path)), "--row", "3"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Atelier B" in out.output and "Atelier A" not in out.output


def test_reports_give_row_and_line(tmp_path: Path) -> None:
    audit = bie.audit(_file(tmp_path))
    actions = json.loads(audit.to_json("fr"))["actions"]
    assert [(a["row"], a["line"]) for a in actions] == [(2, 2), (3, 6)]
    ws = openpyxl.load_workbook(audit.to_excel(tmp_path / "m.xlsx"), read_only=True)["Actions"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2:4] == ("Ligne source", "Ligne du fichier texte")
    assert sorted((r[2], r[3]) for r in rows[1:]) == [(2, 2), (3, 6)]


def test_a_workbook_has_no_line_column(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    audit = bie.audit(FIXTURES / "programmation_cdv_2024.xlsx")
    assert "_line" not in audit.actions.columns
    assert "line" not in json.loads(audit.to_json("fr"))["actions"][0]
