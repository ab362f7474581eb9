"""Every input is hostile: never modified, never able to hang or kill the process, refused with a clear line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import bie
from bie import errors
from bie.io.limits import Limits
from bie_cli.main import cli
from tests import hostile


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_grid_bomb_does_not_kill_the_process(tmp_path: Path) -> None:
    path = hostile.grid_bomb(tmp_path / "bomb.xlsx", with_table=True)
    result = bie.read(path)  # calamine alone aborts the process (SIGABRT) on this 5 KB file
    assert result.actions.height == 5
    far = [i for i in result.issues if i.code == "far-cells-ignored"]
    assert far and far[0].params == {"count": 1, "cell": "XFD1048576"}


def test_stray_value_in_column_xfd_is_ignored_and_reported(tmp_path: Path) -> None:
    path = hostile.stray_xfd(tmp_path / "stray.xlsx", rows=2000)
    result = bie.read(path)
    assert result.actions.height == 2000
    assert result.amounts["granted"] == sum(10 * i for i in range(1, 2001))
    assert any(i.code == "far-cells-ignored" and i.params["cell"] == "XFD1" for i in result.issues)


def test_grid_bomb_without_table_is_a_clear_error(tmp_path: Path) -> None:
    path = hostile.grid_bomb(tmp_path / "bomb.xlsx")
    code, _out, err = run("inspect", str(path))
    assert code == 1
    assert err.startswith(f"Erreur : {path} : aucune feuille ne contient une ligne d'en-tête reconnaissable")


@pytest.mark.parametrize(
    ("builder", "error", "message"),
    [
        (
            hostile.billion_laughs,
            errors.XmlEntities,
            "la partie « xl/sharedStrings.xml » contient des déclarations d'entités XML, refusées par sécurité. "
            "Ouvrez le classeur dans votre tableur et enregistrez une copie.",
        ),
        (
            hostile.xxe,
            errors.XmlEntities,
            "la partie « xl/worksheets/sheet1.xml » contient des déclarations d'entités XML, refusées par sécurité. "
            "Ouvrez le classeur dans votre tableur et enregistrez une copie.",
        ),
        (hostile.whitespace_bomb, errors.DecompressionBomb, None),
        (hostile.huge_cell, errors.DecompressionBomb, None),
        (hostile.truncated, errors.TruncatedFile, None),
        (
            hostile.encrypted,
            errors.EncryptedWorkbook,
            "le classeur est protégé par un mot de passe. Ouvrez-le dans votre tableur, retirez la protection à "
            "l'ouverture (Fichier > Informations > Protéger le classeur) et enregistrez une copie.",
        ),
    ],
)
def test_hostile_workbooks_are_refused(tmp_path: Path, builder, error, message) -> None:  # type: ignore[no-untyped-def]
    path = builder(tmp_path / "hostile.xlsx")
    before = path.read_bytes()
    with pytest.raises(error):
        bie.read(path)
    code, out, err = run("inspect", str(path))
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    if message:
        assert err == f"Erreur : {path} : {message}\n"
    assert path.read_bytes() == before


def test_decompression_bomb_message(tmp_path: Path) -> None:
    path = hostile.whitespace_bomb(tmp_path / "bomb.xlsx", megabytes=300)
    code, _, err = run("inspect", str(path))
    assert code == 1
    assert err.startswith(f"Erreur : {path} : la partie « xl/worksheets/sheet1.xml » se décompresserait en ")
    assert "c'est le signe d'un fichier piégé ou anormal." in err


def test_ods_repeat_bomb_is_refused_before_calamine(tmp_path: Path) -> None:
    path = hostile.ods_repeat_bomb(tmp_path / "bomb.ods")
    assert path.stat().st_size < 2000
    code, _, err = run("inspect", str(path))
    assert code == 1
    # The column limit is checked first (issue 8), with its own message.
    assert err == (
        f"Erreur : {path} : la feuille « S » a 16 384 colonnes (jusqu'à la colonne XFD, limite 2 000 colonnes). "
        "Supprimez les colonnes au-delà du tableau (sélectionnez-les, clic droit > Supprimer) et enregistrez, ou "
        "exportez seulement le tableau en CSV.\n"
    )
    narrower = hostile.ods_repeat_bomb(tmp_path / "bomb2000.ods", cols=2000)
    code, _, err = run("inspect", str(narrower))
    assert code == 1
    assert err == (
        f"Erreur : {narrower} : la feuille « S » s'étend jusqu'à la cellule BXX1048576 (2 097 152 000 cellules "
        "à allouer, limite 40 000 000). Supprimez les lignes et colonnes vides au-delà du tableau "
        "(sélectionnez-les, clic droit > Supprimer) et enregistrez.\n"
    )


def test_sheet_too_large_under_tight_limits(tmp_path: Path) -> None:
    path = hostile.stray_xfd(tmp_path / "wide.xlsx", rows=50)
    with pytest.raises(errors.SheetTooLarge):
        bie.read(path, limits=Limits(max_cells=100))


def test_reader_panic_becomes_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A Rust panic (pyo3 PanicException derives from BaseException) must not escape as a crash."""
    import fastexcel

    class PanicException(BaseException):
        pass

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PanicException("capacity overflow")

    monkeypatch.setattr(fastexcel, "read_excel", boom)
    path = tmp_path / "ok.xlsx"
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    hostile.small_table(wb.add_worksheet())
    wb.close()
    with pytest.raises(errors.ReaderCrashed):
        bie.read(path)


def test_corrupt_xls_in_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "broken.xls"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 600
    )
    with pytest.raises((errors.CorruptFile, errors.ReaderCrashed)):
        bie.read(path)


def test_xml_entities_in_ods(tmp_path: Path) -> None:
    path = tmp_path / "x.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(errors.XmlEntities):
        bie.read(path)


def test_long_cell_is_read_and_flagged(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    hostile.small_table(ws)
    ws.write_string("B3", "x" * 32_000)  # at Excel's limit: fine
    wb.close()
    result = bie.read(path)
    assert result.actions.filter(pl.col("_row") == 3).get_column("title").item() == "x" * 32_000


def test_ragged_csv_row_is_kept_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Porteur;Intitulé;Montant\nA;Atelier;12 500,00\nB;Théâtre;1 000,50;en trop\n", encoding="utf-8"
    )
    result = bie.read(path)
    assert result.actions.height == 2
    ragged = [i for i in result.issues if i.code == "ragged-row"]
    assert [(i.row, i.params["found"], i.params["expected"]) for i in ragged] == [(3, 4, 3)]
    assert result.original.get_column("Colonne D").to_list() == [None, "en trop"]


def test_cell_beyond_excel_limit_is_kept_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Porteur;Intitulé;Montant\nA;" + "x" * 40_000 + ";100\n", encoding="utf-8")
    result = bie.read(path)
    assert len(result.actions.get_column("title").item()) == 40_000
    assert [i.params["length"] for i in result.issues if i.code == "cell-too-long"] == ["40 000"]


def test_tag_export_keeps_hostile_text_inert(tmp_path: Path) -> None:
    """`bie tag -o x.xlsx` writes input text as text: no formula, no link, no raw rich-text XML."""
    import openpyxl

    hostile_titles = ['=HYPERLINK("http://x","y")', "@SUM(A1:A2)", "+33 1 23", "<r>x</r>"]
    path = tmp_path / "prog.csv"
    rows = "\n".join(f"Asso {i};{t};100" for i, t in enumerate(hostile_titles))
    path.write_text("Porteur;Intitulé de l'action;Montant\n" + rows + "\n", encoding="utf-8")
    out = bie.tag_file(path).write(tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(out).active
    titles = {}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            assert cell.hyperlink is None
        titles[row[2].value] = row[2]
    for t in hostile_titles:
        assert t in titles
    assert titles['=HYPERLINK("http://x","y")'].quotePrefix


def test_issues_are_capped_but_all_counted(tmp_path: Path) -> None:
    from bie.reader import ISSUE_CAP

    path = tmp_path / "big.csv"
    lines = [f"Asso {i};Action {i};NC" for i in range(ISSUE_CAP + 500)]
    path.write_text("Porteur;Intitulé de l'action;Montant\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = bie.read(path)
    assert result.issue_counts["value-placeholder"] == ISSUE_CAP + 500
    assert sum(1 for i in result.issues if i.code == "value-placeholder") == ISSUE_CAP
    assert result.issue_counts["action-no-amount"] == ISSUE_CAP + 500
