"""CLI error cases: one French line naming the file, what is wrong and what to do; exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bie_cli.main import cli
from tests.conftest import FIXTURES, REAL


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "programmation 2024.xlsx"
    assert run("inspect", str(missing)) == (
        1,
        "",
        f"Erreur : {missing} : fichier introuvable. Vérifiez le chemin et le nom du fichier (mettez le chemin "
        "entre guillemets s'il contient des espaces).\n",
    )


def test_file_not_found_in_english(tmp_path: Path) -> None:
    missing = tmp_path / "x.xlsx"
    assert run("inspect", str(missing), "--lang", "en") == (
        1,
        "",
        f"Error: {missing}: file not found. Check the path and the file name (quote the path if it contains spaces).\n",
    )


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    assert run("inspect", str(path)) == (
        1,
        "",
        f"Erreur : {path} : le fichier est vide. Exportez de nouveau le tableau depuis votre logiciel et vérifiez "
        "qu'il contient des lignes.\n",
    )


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert run("inspect", str(path)) == (
        1,
        "",
        f"Erreur : {path} : ce n'est pas un tableur ni un fichier CSV (fichier binaire inconnu). Donnez un fichier "
        ".xlsx, .xlsm, .xls, .ods, .csv ou .txt (dans Excel : Fichier > Enregistrer sous > Classeur Excel).\n",
    )


def test_pdf(tmp_path: Path) -> None:
    path = tmp_path / "programmation.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert run("inspect", str(path)) == (
        1,
        "",
        f"Erreur : {path} : format non pris en charge (PDF). Enregistrez le tableau au format .xlsx, .ods ou .csv puis relancez.\n",
    )


@pytest.mark.parametrize("name", ["subventions.json", "subventions.csv"])
def test_json(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text('{"nomAttribuant": "Ville", "montant": 1000}', encoding="utf-8")
    assert run("inspect", str(path)) == (
        1,
        "",
        f"Erreur : {path} : format non pris en charge (JSON ; les portails de données ouvertes proposent aussi le "
        "CSV). Enregistrez le tableau au format .xlsx, .ods ou .csv puis relancez.\n",
    )


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(b"\xff\xfe" + b"\x00\xd8" * 3)  # a lone UTF-16 surrogate
    code, _out, err = run("inspect", str(path))
    assert code == 1
    assert err == (
        f"Erreur : {path} : texte illisible dans aucun encodage connu (ligne 1). Enregistrez le fichier en "
        "« CSV UTF-8 » depuis votre tableur.\n"
    )


def test_no_header(tmp_path: Path) -> None:
    path = tmp_path / "nombres.csv"
    path.write_text("1;2;3\n4;5;6\n", encoding="utf-8")
    assert run("inspect", str(path)) == (
        1,
        "",
        f"Erreur : {path} : aucune feuille ne contient une ligne d'en-tête reconnaissable (« nombres » (sans en-tête "
        "reconnu)). Vérifiez que le tableau a des intitulés de colonnes (porteur, intitulé de l'action, montant…), "
        "ou décrivez-les dans un fichier de correspondance avec --mapping.\n",
    )


def test_sheet_not_found() -> None:
    path = REAL / "aube_conventions_subvention.xlsx"
    assert run("inspect", str(path), "--sheet", "Programmation") == (
        1,
        "",
        f"Erreur : {path} : la feuille « Programmation » n'existe pas. Feuilles disponibles : « Feuil1 », « Feuil2 », « Feuil3 ».\n",
    )


def test_sheet_by_position() -> None:
    code, out, _ = run("inspect", str(REAL / "aube_conventions_subvention.xlsx"), "--sheet", "1", "--json")
    assert code == 0
    assert '"sheet": "Feuil1"' in out


def test_invalid_mapping_file(tmp_path: Path) -> None:
    mapping = tmp_path / "correspondance.yaml"
    mapping.write_text("columns:\n  Porteur: porteur\n", encoding="utf-8")
    code, _, err = run("inspect", str(REAL / "lot_subventions_2017.csv"), "--mapping", str(mapping))
    assert code == 1
    assert err.startswith(
        f"Erreur : {mapping} : fichier de correspondance des colonnes invalide : « Porteur » : champ inconnu « porteur » "
    )


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / "absent.csv"), "--debug"])
    assert result.exit_code == 1
    assert result.exception is not None and result.exception.__class__.__name__ == "FileNotFound"


def _all_commands() -> list[list[str]]:
    out: list[list[str]] = [[]]
    for name, command in cli.commands.items():
        out.append([name])
        for sub in getattr(command, "commands", {}):
            out.append([name, sub])
    return out


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "bie")
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_for_every_command(command: list[str], flag: str) -> None:
    result = CliRunner().invoke(cli, [*command, flag])
    assert result.exit_code == 0
    assert result.output.startswith("Utilisation : ")
    assert "Afficher cette aide et quitter." in result.output


def test_help_language_follows_each_run_in_one_process() -> None:
    """click caches each command's help option (its text translated once): an English run must not leave
    the next French help in English, nor the reverse."""
    english = CliRunner().invoke(cli, ["rules", "evaluate", "--lang", "en", "--help"])
    assert "Show this message and exit." in english.output
    french = CliRunner().invoke(cli, ["rules", "evaluate", "--help"])
    assert "Afficher cette aide et quitter." in french.output
    assert "Show this message and exit." not in french.output


def test_usage_error_is_in_french_with_exit_code_2() -> None:
    result = CliRunner().invoke(cli, ["tag", "fichier.csv"])
    assert result.exit_code == 2
    assert "Erreur : Option manquante '--output' / '-o'." in result.stderr


def test_english_messages_carry_no_french_detail(tmp_path: Path) -> None:
    """Details built from the input (format found, mapping key, decisions line) follow --lang too."""
    table = FIXTURES / "programmation_cdv_2024.xlsx"
    json_file = tmp_path / "subventions.json"
    json_file.write_text("[]", encoding="utf-8")
    code, _out, err = run("inspect", str(json_file), "--lang", "en")
    assert (code, err) == (
        1,
        f"Error: {json_file}: unsupported format (JSON; open-data portals offer CSV too). "
        "Save the table as .xlsx, .ods or .csv and run again.\n",
    )
    mapping = tmp_path / "colonnes.yaml"
    mapping.write_text("header_rows: [1, 2, 3]\n", encoding="utf-8")
    code, _out, err = run("inspect", str(table), "--mapping", str(mapping), "--lang", "en")
    assert code == 1
    assert "header_rows: two header rows at most" in err
    assert "lignes" not in err
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("row,category,justification\n12,spécifique,\n", encoding="utf-8")
    code, _out, err = run(
        "audit", str(table), "--overrides", str(decisions), "-o", str(tmp_path), "--lang", "en"
    )
    assert code == 1
    assert "line 2: “justification” required: say why the decision changes the tagging" in err
    code, _out, err = run("audit", str(table), "--overrides", str(decisions), "-o", str(tmp_path))
    assert "ligne 2 : « justification » obligatoire : dites pourquoi la décision change le marquage" in err
