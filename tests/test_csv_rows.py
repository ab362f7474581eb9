"""Issue 10: a CSV's rows are numbered as a spreadsheet program shows them (one record, one row, whatever
line breaks its quoted cells hold); the physical line each record starts on is kept beside it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
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


def test_a_large_text_is_split_by_blocks_of_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks cut after a line break (\n or \r\n, never inside a record) give the frame of one pass,
    whatever the block size: ragged records, empty lines inside and at the end, NUL in one block only."""
    import bie.io.text as text_module
    from bie.io.limits import Limits

    text = (
        "a;b;c\r\n1;2\r\n\r\n3;4;5;6\n \n\x00x;;\ry\n\n"
        + "".join(f"l{i};{'v;' * (i % 5)}\r\n" for i in range(40))
        + "\n\n"
    )
    whole = text_module._frame_without_quotes(text, ";", Limits())
    assert whole is not None
    for size in (1, 2, 5, 13, 64):
        monkeypatch.setattr(text_module, "_BLOCK_CHARS", size)
        blocks = text_module._frame_without_quotes(text, ";", Limits())
        assert blocks is not None
        assert blocks[1] == whole[1]
        assert blocks[0].equals(whole[0]) and blocks[0].schema == whole[0].schema, size


@pytest.mark.parametrize(
    "content",
    [
        "Intitulé;Montant\r\n" + "".join(f"Atelier n°{i} – égalité;{i},50 €\r\n" for i in range(90)),
        "\ufeffIntitulé;Montant\n" + "".join(f"Action {i};{i}\n" for i in range(90)) + "\n\n",
        "a;b\n" + "x;\x00y\n" * 80 + "z",
    ],
)
def test_a_large_utf8_file_is_read_by_blocks_of_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    """Above the block size, a UTF-8 file without quotes is decoded block by block (never as one string):
    the same sheet, encoding and delimiter as the general path."""
    import bie.io.text as text_module
    from bie.io.limits import Limits

    path = tmp_path / "grand.csv"
    path.write_bytes(content.encode("utf-8"))
    general = text_module.read_text(path, Limits())
    monkeypatch.setattr(text_module, "_BLOCK_CHARS", 100)
    assert text_module._large_utf8(path.read_bytes(), path, "grand", Limits()) is not None
    blocks = text_module.read_text(path, Limits())
    assert (blocks.encoding, blocks.delimiter) == (general.encoding, general.delimiter)
    assert blocks.sheets[0].frame is not None and general.sheets[0].frame is not None
    assert blocks.sheets[0].frame.equals(general.sheets[0].frame)


def test_blocks_of_bytes_leave_other_files_to_the_general_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bie.io.text as text_module
    from bie.errors import EmptyFile
    from bie.io.limits import Limits

    monkeypatch.setattr(text_module, "_BLOCK_CHARS", 50)
    quoted = tmp_path / "q.csv"
    quoted.write_bytes(('a;b\n"x";1\n' * 20).encode())
    cp1252 = tmp_path / "w.csv"
    cp1252.write_bytes(("Intitulé;Montant\n" + "Égalité;1\n" * 20).encode("cp1252"))
    long_lines = tmp_path / "l.csv"
    long_lines.write_bytes(("a;" + "b" * 300 + "\n").encode() * 3)
    for path in (quoted, cp1252, long_lines):
        assert text_module._large_utf8(path.read_bytes(), path, "x", Limits()) is None
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b" \n" * 200)
    with pytest.raises(EmptyFile):
        text_module.read_text(blank, Limits())
