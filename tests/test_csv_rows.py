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


def test_text_without_quotes_reads_as_the_csv_module(tmp_path: Path) -> None:
    """Without any « " », records are split by polars: the same frame as the csv module's (ragged rows,
    blank lines, \\r and \\r\\n line breaks, NUL characters, trailing empty lines)."""
    from bie.io.limits import Limits
    from bie.io.text import _frame_with_csv, _frame_without_quotes

    texts = [
        "a;b;c\r\n1;2\r\n\r\n3;4;5;6\n \n\x00x;;\ry\n\n\n",
        "Intitulé|Montant\n é | 12 \u2028 3\n\x85|\t\n",
        "seul\n",
    ]
    for text in texts:
        for delimiter in (";", "|"):
            for limits in (Limits(), Limits(max_columns=2)):
                fast = _frame_without_quotes(text, delimiter, limits)
                assert fast is not None
                slow = _frame_with_csv(text, delimiter, limits, tmp_path / "x.csv", "x", [])
                assert fast[0].equals(slow) and fast[0].schema == slow.schema, (text, delimiter)
