"""Injection into what bie writes and prints (issue 8): formulas and raw XML in the workbooks it writes,
terminal escapes and forged lines in what it prints, output encodings that cannot write every character,
``--funder`` that names nothing, ``--row`` out of range."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import bie
from bie.errors import FunderEmpty, FunderNotFound
from bie.safetext import json_printable, printable, register_error_handler
from bie_cli.main import cli
from tests.conftest import FIXTURES

PROGRAMMATION = FIXTURES / "programmation_cdv_2024.xlsx"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


# ----------------------------------------------------------------------------------------- cells written

#: Texts a spreadsheet program would run, or that xlsxwriter would copy into the sheet XML unescaped.
HOSTILE = [
    '<r><f>HYPERLINK("http://evil.example/","clic")</f></r>',
    '<r><t>x</t></r><r><f>WEBSERVICE("http://evil.example/")</f></r>',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1",
    "-1",
    "\t=1+1",
    "\r=2+2",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def hostile_csv(path: Path) -> Path:
    """Header cells and data cells (titles and extra columns) each hostile."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Porteur", "Intitulé de l'action", "Montant accordé", *HOSTILE])
        for i, h in enumerate(HOSTILE):
            w.writerow([f"Association {i}", f"{h} action {i}", f"{1000 + i}", *(f"{x} {i}" for x in HOSTILE)])
    return path


def _decode(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes (xlsxwriter writes CR that way; openpyxl leaves inline strings as is)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def workbook_cells(path: Path) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "extension is not supported" (conditional formats)
        wb = openpyxl.load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def assert_inert(path: Path) -> set[str]:
    """No formula anywhere (bie writes none), every formula-like text quote-prefixed; the texts found."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
                assert "<hyperlink" not in xml, name
    texts: set[str] = set()
    for cell in workbook_cells(path):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            value = _decode(cell.value)
            texts.add(value)
            if value.startswith(TRIGGERS):
                assert cell.quotePrefix, (cell.parent.title, cell.coordinate, value)
    return texts


def test_tag_xlsx_keeps_hostile_headers_and_cells_inert(tmp_path: Path) -> None:
    source = hostile_csv(tmp_path / "hostile.csv")
    out = tmp_path / "marquage.xlsx"
    code, _, err = run("tag", str(source), "-o", str(out))
    assert (code, err) == (0, "")
    texts = assert_inert(out)
    for i, h in enumerate(HOSTILE):
        assert h.strip() in texts  # the header (the reader trims header cells)
        assert f"{h} {i}" in texts  # a data cell of an extra column, unchanged
        assert f"{h} action {i}" in texts  # the title


def test_audit_xlsx_report_keeps_hostile_headers_and_cells_inert(tmp_path: Path) -> None:
    source = hostile_csv(tmp_path / "hostile.csv")
    code, _, err = run("audit", str(source), "-o", str(tmp_path / "out"), "-f", "xlsx")
    assert (code, err) == (0, "")
    [report] = (tmp_path / "out").glob("*.xlsx")
    texts = assert_inert(report)
    for i, h in enumerate(HOSTILE):
        assert h.strip() in texts
        assert f"{h} action {i}" in texts


def test_questionnaire_is_written_through_the_guard(tmp_path: Path) -> None:
    out = tmp_path / "q.xlsx"
    assert run("web", "questionnaire", "-o", str(out))[0] == 0
    assert_inert(out)


def test_sheet_names_are_valid_and_inert() -> None:
    from bie.export import sheet_name

    assert sheet_name("='a'[b]:c*?/d\\e\x1b") == "='a' b c d e"
    assert sheet_name("'Actions'") == "Actions"
    assert sheet_name("") == "Feuille"
    assert len(sheet_name("x" * 40)) == 31


# ------------------------------------------------------------------------------------ printed text

ESCAPES = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]8;;http://evil.example/\x1b\\lien\x1b]8;;\x1b\\",  # OSC 8 link
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52 clipboard write
    "\x9b31m",  # C1 CSI
    "bip\x07",
    "arrière\x08\x08",
    "retour\rErreur : faux",
    "\u202egnp.exe",  # right-to-left override
]
MARKUP = "[red]rouge[/red] [link=http://evil.example/]lien[/link]"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escapes_xlsx(path: Path) -> Path:
    """Header and data cells holding terminal escapes and rich markup (xlsx keeps control characters as
    ``_x001B_``-style escapes, read back as the characters)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("Feuil1")
    rows: list[list[Any]] = [
        ["Porteur", "Intitulé de l'action", "Montant accordé", *(f"Col {e}" for e in ESCAPES)],
        ["Centre social", "Accès au droit des femmes " + "".join(ESCAPES) + MARKUP, 1000, *ESCAPES],
        ["Asso " + ESCAPES[0], MARKUP, 2000, *ESCAPES],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    wb.close()
    return path


def assert_clean(text: str) -> None:
    assert not RAW.search(text), repr(RAW.search(text))


def test_printable() -> None:
    assert printable("a\x1b[2Jb\x9b\x07\r\n\tc\udcff\u202e") == "a\\x1b[2Jb\\x9b\\x07\\r\\n\\tc\\xff\\u202e"
    assert printable("a\r\nb\rc\nd\x1b", one_line=False) == "a\nb\nc\nd\\x1b"
    assert printable("É « € » C:\\dossier") == "É « € » C:\\dossier"
    assert json_printable('"a\x9b\u2028"') == '"a\\u009b\\u2028"'


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1", "COLUMNS": "200"}])
def test_inspect_prints_no_terminal_escape(tmp_path: Path, env: dict[str, str]) -> None:
    source = escapes_xlsx(tmp_path / "escapes.xlsx")
    code, out, err = run("inspect", str(source), env=env)
    assert (code, err) == (0, "")
    # With colours on, rich's own styles are the only escapes (SGR, ESC [ … m).
    assert_clean(re.sub(r"\x1b\[[0-9;]*m", "", out))
    assert "\\x1b[2J" in out and "\\x1b]52;c;" in out  # shown, not run
    assert "Col \\x9b31m" in out


def test_inspect_json_prints_no_terminal_escape(tmp_path: Path) -> None:
    source = escapes_xlsx(tmp_path / "escapes.xlsx")
    code, out, err = run("inspect", str(source), "--json")
    assert (code, err) == (0, "")
    assert_clean(out)
    assert "Col \\u009b31m" in out


def test_explain_prints_no_terminal_escape_and_keeps_markup_literal(tmp_path: Path) -> None:
    source = escapes_xlsx(tmp_path / "escapes.xlsx")
    code, out, err = run("explain", str(source), "--row", "2", env={"COLUMNS": "400"})
    assert (code, err) == (0, "")
    assert_clean(out)
    assert "\\x1b]8;;http://evil.example/" in out
    assert MARKUP in out  # rich markup in a cell stays literal


def test_explain_text_is_shown_on_one_line(tmp_path: Path) -> None:
    code, out, err = run(
        "explain", "--text", "Titre\x1b[2J\nObjectifs\x1b]52;c;eA==\x07", env={"COLUMNS": "400"}
    )
    assert (code, err) == (0, "")
    assert_clean(out)
    assert "Titre\\x1b[2J" in out


def test_tag_and_audit_summaries_print_no_terminal_escape(tmp_path: Path) -> None:
    source = escapes_xlsx(tmp_path / "escapes.xlsx")
    code, out, err = run("tag", str(source), "-o", str(tmp_path / "t.csv"))
    assert (code, err) == (0, "")
    assert_clean(out)
    code, out, err = run(
        "audit", str(source), "-o", str(tmp_path / "out"), "-f", "json", "--title", "T\x1b[2J"
    )
    assert (code, err) == (0, "")
    assert_clean(out)


def test_error_line_with_escapes_in_the_file_name_is_one_clean_line(tmp_path: Path) -> None:
    source = escapes_xlsx(tmp_path / "prog\x1b[2J\x1b]52;c;eA==\x07\nErreur : faux.xlsx")
    code, out, err = run("explain", str(source), "--row", "99")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert_clean(err)
    assert err.startswith("Erreur : ")
    assert "prog\\x1b[2J\\x1b]52;c;eA==\\x07\\nErreur : faux.xlsx : la ligne 99 n'existe pas" in err


def test_error_quoting_a_multi_line_value_is_one_line(tmp_path: Path) -> None:
    source = escapes_xlsx(tmp_path / "escapes.xlsx")
    code, out, err = run("inspect", str(source), "--sheet", "Feuil1\nErreur : tout va bien\x1b[2J")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert_clean(err)
    assert "Feuil1\\nErreur : tout va bien\\x1b[2J" in err


def test_multi_line_questionnaire_answer_cannot_forge_an_error_line(tmp_path: Path) -> None:
    blank = tmp_path / "q.xlsx"
    assert run("web", "questionnaire", "-o", str(blank))[0] == 0
    wb = openpyxl.load_workbook(blank)
    ws = wb.worksheets[1]
    answer_col = next(c.column for c in ws[1] if c.value and "Réponse" in str(c.value))
    ws.cell(row=2, column=answer_col, value="fort\r\nErreur : aucune erreur")
    wb.save(blank)
    code, out, err = run("audit", str(PROGRAMMATION), "-o", str(tmp_path / "out"), "-q", str(blank))
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert_clean(err)
    assert "réponse « fort\\nErreur : aucune erreur » non reconnue" in err


def test_usage_error_quoting_what_was_typed_is_clean(tmp_path: Path) -> None:
    code, out, err = run("inspect", "a.csv", "b\x1b[2J\nErreur : faux")
    assert (code, out) == (2, "")
    assert_clean(err)
    assert err.endswith("Erreur : Argument en trop (b\\x1b[2J\\nErreur : faux)\n")


def test_unexpected_error_is_one_clean_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import bie.reader

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("ligne 1\nErreur : ligne 2\x1b[2J")

    monkeypatch.setattr(bie.reader, "read", boom)
    monkeypatch.setattr(bie, "read", boom)
    code, _, err = run("inspect", str(escapes_xlsx(tmp_path / "e.xlsx")))
    assert code == 1
    assert err.count("\n") == 1
    assert_clean(err)


# --------------------------------------------------------------------------------------- encodings


def _bie(args: list[str], encoding: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("FORCE_COLOR", None)
    code = "import sys; from bie_cli.main import main; sys.argv[0] = 'bie'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, env=env, cwd=cwd, timeout=300, check=False
    )


def unicode_csv(path: Path) -> Path:
    path.write_text(
        "Porteur;Intitulé de l'action;Montant accordé;Cofinancement État\n"
        "Œuvre « Égalité » 😀;Accès au droit des femmes — 1 000 € œuvre;1000;500\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_inspect_and_audit_never_fail_on_the_output_encoding(tmp_path: Path, encoding: str) -> None:
    source = unicode_csv(tmp_path / "prog « 2024 » €.csv")
    done = _bie(["inspect", str(source)], encoding, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    text = done.stdout.decode(encoding).replace("\xa0", " ")
    assert ("Accordé | 1 000,00 €" if encoding == "cp1252" else "Accorde | 1 000,00 EUR") in text
    done = _bie(["audit", str(source), "-o", str(tmp_path / "out")], encoding, tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"inattendue" not in done.stderr and done.stderr == b""
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        ".html",
        ".json",
        ".xlsx",
    ]
    done = _bie(["explain", str(source), "--row", "2"], encoding, tmp_path)
    assert done.returncode == 0, done.stderr
    title = (
        "Accès au droit des femmes — 1 000 € œuvre" if encoding == "cp1252" else "Acces au droit des femmes"
    )
    assert title in done.stdout.decode(encoding)


def test_inspect_json_stays_exact_whatever_the_encoding(tmp_path: Path) -> None:
    source = unicode_csv(tmp_path / "prog « 2024 » 😀.csv")
    done = _bie(["inspect", str(source), "--json"], "cp1252", tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("cp1252"))["file"] == str(source)


def test_error_line_in_cp1252(tmp_path: Path) -> None:
    missing = tmp_path / "programmation « 2024 » 😀.xlsx"
    done = _bie(["inspect", str(missing)], "cp1252", tmp_path)
    assert done.returncode == 1
    assert done.stderr.decode("cp1252") == (
        f"Erreur : {tmp_path}/programmation « 2024 » \\U0001f600.xlsx : fichier introuvable. Vérifiez le "
        "chemin et le nom du fichier (mettez le chemin entre guillemets s'il contient des espaces).\n"
    )


def test_terminal_replace() -> None:
    handler = register_error_handler()
    assert "Écrit « x » 12\u202f000,00\u00a0€ œ 😀 →".encode("ascii", handler) == (
        b'Ecrit " x " 12 000,00 EUR oe \\U0001f600 ->'
    )
    assert "É € œ 😀".encode("cp1252", handler).decode("cp1252") == "É € œ \\U0001f600"


# ------------------------------------------------------------------------------------------ --funder


def test_funder_that_matches_nothing_lists_the_funders_found() -> None:
    with pytest.raises(FunderNotFound) as caught:
        bie.audit(PROGRAMMATION, funder="Etta")
    assert caught.value.code == "funder-not-found"
    code, out, err = run("audit", str(PROGRAMMATION), "-o", "unused", "--funder", "Etta")
    assert (code, out) == (1, "")
    assert err == (
        f"Erreur : {PROGRAMMATION} : aucune colonne de cofinanceur ne correspond à « Etta » (cofinanceurs "
        "trouvés : « État (BOP 147) », « Commune », « Métropole », « Département », « Région », « CAF », "
        "« Bailleurs sociaux »). Reprenez tout ou partie du nom d'un cofinanceur trouvé (accents et majuscules "
        "indifférents), ou retirez --funder pour retenir tous les financements.\n"
    )


def test_funder_in_a_file_without_co_funder_columns(tmp_path: Path) -> None:
    source = tmp_path / "prog.csv"
    source.write_text(
        "Porteur;Intitulé de l'action;Montant accordé\nA;Accès au droit;100\n", encoding="utf-8"
    )
    code, _, err = run("audit", str(source), "-o", str(tmp_path / "o"), "--funder", "État", "--lang", "en")
    assert code == 1
    assert err == (
        f'Error: {source}: no co-funder column matches "État" (co-funders found: none, no column per '
        "co-funder). Use all or part of the name of a co-funder found (accents and case do not matter), or "
        "drop --funder to count all funding.\n"
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ["", "   ", " - "])
def test_blank_funder_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(FunderEmpty):
        bie.audit(PROGRAMMATION, funder=value)
    code, out, err = run("audit", str(PROGRAMMATION), "-o", str(tmp_path / "o"), "--funder", value)
    assert (code, out) == (1, "")
    assert err == (
        f"Erreur : Nom de cofinanceur vide ou sans lettre ni chiffre (« {value} »). Donnez tout ou partie du nom "
        "de sa colonne (ex. --funder État), ou retirez --funder pour retenir tous les financements.\n"
    )


def test_funder_matches_folded_part_of_the_name() -> None:
    audit = bie.audit(PROGRAMMATION, funder="etat")
    assert audit.summary["amount_total"] == 1153800.0
    assert audit.report("fr").basis_label == "financement de « État (BOP 147) »"


def test_funder_matching_several_co_funders_adds_them_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "prog.csv"
    source.write_text(
        "Porteur;Intitulé de l'action;Montant État ANCT;Montant État droit commun;Montant Ville\n"
        "A;Accès au droit des femmes;100;50;10\nB;Sport pour tous;200;0;20\n",
        encoding="utf-8",
    )
    audit = bie.audit(source, funder="Etat")
    assert audit.summary["amount_total"] == 350.0
    assert audit.report("fr").basis_label == "financement de « État ANCT + État droit commun »"


# ------------------------------------------------------------------------------------------- --row


def test_row_beyond_any_integer_is_absent_not_an_overflow(tmp_path: Path) -> None:
    source = unicode_csv(tmp_path / "prog.csv")
    code, out, err = run("explain", str(source), "--row", "99999999999999999999")
    assert (code, out) == (1, "")
    assert err == (
        f"Erreur : {source} : la ligne 99999999999999999999 n'existe pas dans le tableau lu. Vérifiez le "
        "numéro (celui affiché par le tableur).\n"
    )


@pytest.mark.parametrize("value", ["0", "-1", "-99999999999999999999", "deux", ""])
def test_row_that_is_not_a_row_number(tmp_path: Path, value: str) -> None:
    source = unicode_csv(tmp_path / "prog.csv")
    code, out, err = run("explain", str(source), "--row", value)
    assert (code, out) == (2, "")
    assert err.endswith(
        f"Erreur : Valeur invalide pour '--row' : « {value} » n'est pas un numéro de ligne : donnez le "
        "numéro affiché par le tableur (1, 2, 3…).\n"
    )


def test_row_error_in_english(tmp_path: Path) -> None:
    source = unicode_csv(tmp_path / "prog.csv")
    code, _, err = run("explain", str(source), "--row", "0", "--lang", "en")
    assert code == 2
    assert err.endswith(
        "Invalid value for '--row': \"0\" is not a row number: give the number your spreadsheet shows (1, 2, 3…).\n"
    )
