"""The command line speaks the reader's language and never shows an internal id.

Help texts (``bie/data/labels_cli.yaml``) and click's own words in French or English; ``bie inspect`` names
fields by their labels; ``bie tag`` writes words for readers (ids with ``--codes`` and in JSON); a scan of
every output on the fixtures and the real files finds no internal id a reader could see.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from rich.console import Console

import bie
from bie.resources import load_data
from bie.tagfile import TAG_COLUMNS
from bie.vocabulary import field_label, vocabulary
from bie_cli.labels import catalogue
from bie_cli.main import cli, localise
from bie_cli.render import render_explanation, render_inspect, render_tag_summary
from tests.conftest import FIXTURES

SHARED_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
NBSP = "\u00a0"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="bie", terminal_width=80)
    return result.exit_code, result.stdout, result.stderr


# --- help texts and click's own words --------------------------------------------------------------------


def _tree(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _tree(sub, f"{path}.{name}" if path else name)


def test_every_command_and_option_has_help_in_both_languages() -> None:
    commands = catalogue()["commands"]
    options = catalogue()["options"]
    missing = []
    for path, command in _tree(cli):
        entry = commands.get(path or "bie", {})
        missing += [f"{path or 'bie'} ({lang})" for lang in ("fr", "en") if not entry.get(lang)]
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            opt = options.get(f"{path}.{param.name}") or options.get(str(param.name)) or {}
            missing += [f"{path}.{param.name} ({lang})" for lang in ("fr", "en") if not opt.get(lang)]
    assert missing == []


def test_help_in_french_exactly() -> None:
    assert run("web", "questionnaire", "--help") == (
        0,
        "Utilisation : bie web questionnaire [OPTIONS]\n"
        "\n"
        "  Écrire le questionnaire territorial à remplir (ce que les financements ne\n"
        "  montrent pas).\n"
        "\n"
        "Options:\n"
        "  -o, --output FICHIER  Classeur .xlsx à écrire.  [obligatoire]\n"
        f"  --lang [fr|en]        Langue des messages et des rapports{NBSP}: fr (par défaut) ou\n"
        f"                        en{NBSP}; sans cette option, la variable d'environnement\n"
        "                        BIE_LANG.\n"
        "  --debug               Afficher la trace complète en cas d'erreur.\n"
        "  -h, --help            Afficher cette aide et quitter.\n",
        "",
    )


def test_help_in_english_exactly() -> None:
    expected = (
        0,
        "Usage: bie web questionnaire [OPTIONS]\n"
        "\n"
        "  Write the territorial questionnaire to fill in (what the funding does not\n"
        "  show).\n"
        "\n"
        "Options:\n"
        "  -o, --output FILE  .xlsx workbook to write.  [required]\n"
        "  --lang [fr|en]     Language of messages and reports: fr (the default) or en;\n"
        "                     without this option, the BIE_LANG environment variable.\n"
        "  --debug            Show the full traceback on error.\n"
        "  -h, --help         Show this message and exit.\n",
        "",
    )
    assert run("web", "questionnaire", "--help", "--lang", "en") == expected
    assert run("--lang", "en", "web", "questionnaire", "--help") == expected


def test_english_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIE_LANG", "en")
    code, out, _ = run("audit", "--help")
    assert code == 0
    assert out.startswith("Usage: bie audit [OPTIONS] FILES...\n\n  Audit one or more tables:")
    assert "  -o, --output FOLDER " in out and "[default: .]" in out


FRENCH_IN_HELP = re.compile(
    r"Utilisation|Afficher|FICHIER|DOSSIER|FEUILLE|COMMANDE|par défaut|obligatoire|Commandes|Langue| des |"
    r"Écrire|Fichier"
)
ENGLISH_IN_HELP = re.compile(
    r"Usage:|Show |\bFILES?\b|\bFOLDER\b|\bTEXT\b|\bINTEGER\b|\bCOMMAND\b|\bARGS\b|default:|\[required\]|"
    r"\bthe\b|\bof\b"
)


@pytest.mark.parametrize("path", [p for p, _ in _tree(cli)], ids=lambda p: p or "bie")
def test_no_word_of_the_other_language_in_any_help(path: str) -> None:
    args = [*path.split("."), "--help"] if path else ["--help"]
    code, french, _ = run(*args)
    assert code == 0
    assert ENGLISH_IN_HELP.findall(french) == []
    code, english, _ = run(*args, "--lang", "en")
    assert code == 0
    # The help of rules evaluate quotes column names a French table may have (« etiquette », « partie »).
    assert FRENCH_IN_HELP.findall(english) == []


def test_click_messages_in_french_and_english() -> None:
    assert run("inspec") == (
        2,
        "",
        "Utilisation : bie [OPTIONS] COMMANDE [ARGUMENTS]...\n"
        "Essayez « bie --help » pour l'aide.\n\n"
        "Erreur : Commande inconnue 'inspec'. Vouliez-vous dire 'inspect' ?\n",
    )
    assert run("inspec", "--lang", "en") == (
        2,
        "",
        "Usage: bie [OPTIONS] COMMAND [ARGS]...\nTry 'bie --help' for help.\n\n"
        "Error: No such command 'inspec'. Did you mean 'inspect'?\n",
    )
    code, _, err = run("inspect", "x.csv", "--lang", "de")
    assert (code, err.splitlines()[-1]) == (
        2,
        "Erreur : Valeur invalide pour '--lang' : 'de' ne fait pas partie de 'fr', 'en'.",
    )
    code, _, err = run("inspect", "a.csv", "b.csv")
    assert (code, err.splitlines()[-1]) == (2, "Erreur : Argument en trop (b.csv)")
    code, _, err = run("inspect", "a.csv", "b.csv", "--lang", "en")
    assert (code, err.splitlines()[-1]) == (2, "Error: Got unexpected extra argument (b.csv)")
    code, _, err = run("explain", "--text", "x", "--row", "2", "--lang", "en")
    assert (code, err.splitlines()[-1]) == (2, "Error: --text is used without a file or --row.")
    code, _, err = run("audit", "x.csv", "-f", "pdf", "--lang", "en")
    assert (code, err.splitlines()[-1]) == (
        2,
        "Error: Invalid value: possible formats: html, xlsx, json (separated by commas)",
    )


def test_help_language_does_not_stick_between_runs() -> None:
    assert run("tag", "--help", "--lang", "en")[1].startswith("Usage: bie tag [OPTIONS] FILE\n")
    assert run("tag", "--help")[1].startswith("Utilisation : bie tag [OPTIONS] FICHIER\n")
    localise(cli, "fr")  # leave the group as the other tests expect it


# --- bie inspect: fields by their labels -----------------------------------------------------------------


def test_field_label_accessor() -> None:
    assert field_label("amount_granted", "fr") == "Montant accordé"
    assert field_label("amount_granted", "en") == "Amount granted"
    assert field_label("funding:État (BOP 147)", "fr") == "Financement : État (BOP 147)"
    assert field_label("funding:État (BOP 147)", "en") == "Funding: État (BOP 147)"
    assert field_label("not-a-field", "en") == "not-a-field"


def test_inspect_names_fields_by_their_labels(tmp_path: Path) -> None:
    table = tmp_path / "conflit.csv"
    table.write_text("Intitulé;Intitulé de l'action;Porteur;Montant accordé\nA;Atelier;Asso;100\n", "utf-8")
    code, out, _ = run("inspect", str(table), "--lang", "en")
    assert code == 0
    assert re.search(r"│ Carrier \(beneficiary\) +│ Porteur +│", out)
    assert re.search(r"│ Amount granted +│ Montant accordé +│", out)
    assert "amount_granted" not in out and "carrier" not in out
    code, out, _ = run("inspect", str(table))
    assert re.search(r"│ Porteur +│ Porteur +│", out) and re.search(
        r"│ Montant accordé +│ Montant accordé", out
    )
    issue = bie.read(table).issues
    conflict = next(i for i in issue if i.code == "column-conflict")
    assert conflict.message("fr") == (
        "Les colonnes « Intitulé de l'action » et « Intitulé » correspondent toutes deux au champ « Intitulé de "
        "l'action » ; « Intitulé » est utilisée. Précisez avec --mapping si besoin."
    )
    assert conflict.message("en") == (
        'Columns "Intitulé de l\'action" and "Intitulé" both match the field "Action title"; "Intitulé" is used. '
        "Use --mapping to choose."
    )


def test_inspect_funders_by_label() -> None:
    code, out, _ = run("inspect", str(FIXTURES / "programmation_cdv_2024.xlsx"), "--lang", "en")
    assert code == 0
    assert "│ Funding: État (BOP 147) " in out and "funding:" not in out


# --- bie tag: words for readers, ids for tools ------------------------------------------------------------

SMALL = (
    "Intitulé de l'action;Objectifs;Égalité F/H;Montant accordé\n"
    "Accueil des femmes victimes de violences conjugales;Accompagner les femmes victimes;Oui;1000\n"
    "Atelier cuisine du quartier;Cuisiner ensemble;Oui;500\n"
)
READER_HEADERS = {
    "fr": [
        "Ligne source",
        "Intitulé de l'action",
        "Objectifs",
        "Égalité F/H",
        "Montant accordé",
        "Catégorie (bie)",
        "Marqueur CAD-OCDE",
        "Pondération UE",
        "Confiance",
        "Pourquoi « à examiner »",
        "Motifs (règle — champ — mots trouvés)",
        "Public",
        "Catégorie déclarée",
        "Déclaration contredite",
        "Décision manuelle",
    ],
    "en": [
        "Source row",
        "Intitulé de l'action",
        "Objectifs",
        "Égalité F/H",
        "Montant accordé",
        "Category (bie)",
        "OECD-DAC marker",
        "EU weight",
        "Confidence",
        'Why "to review"',
        "Reasons (rule — field — words found)",
        "Audience",
        "Declared category",
        "Declaration contradicted",
        "Manual decision",
    ],
}


def _csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _xlsx(path: Path) -> list[list[object]]:
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tag_writes_words_for_readers(tmp_path: Path, lang: str) -> None:
    source = tmp_path / "actions.csv"
    source.write_text(SMALL, encoding="utf-8")
    assert run("tag", str(source), "-o", str(tmp_path / "t.csv"), "--lang", lang)[0] == 0
    assert run("tag", str(source), "-o", str(tmp_path / "t.xlsx"), "--lang", lang)[0] == 0
    rows, sheet = _csv(tmp_path / "t.csv"), _xlsx(tmp_path / "t.xlsx")
    assert rows[0] == sheet[0] == READER_HEADERS[lang]
    first, second = dict(zip(rows[0], rows[1], strict=True)), dict(zip(rows[0], rows[2], strict=True))
    cells = dict(zip(sheet[0], sheet[1], strict=True))
    words = {
        "fr": ("action spécifique", "égalité intégrée", "non précisé", "Non", "Oui"),
        "en": ("specific action", "equality mainstreamed", "not stated", "No", "Yes"),
    }[lang]
    category, declared, audience, no, yes = words
    head = READER_HEADERS[lang]
    assert (first[head[5]], first[head[12]], first[head[11]], first[head[13]]) == (
        category,
        declared,
        audience,
        no,
    )
    assert second[head[13]] == yes and sheet[2][13] == yes  # the same word in CSV and Excel
    assert (cells[head[5]], cells[head[13]], cells[head[6]]) == (category, no, 2)
    reasons = first[head[10]].split("\n")
    assert (
        reasons[0]
        == {
            "fr": "Règle SPEC-VSS-01 (Violences sexistes, sexuelles ou conjugales, violences faites aux femmes) — "
            "Intitulé de l'action : « femmes victimes »",
            "en": "Rule SPEC-VSS-01 (Sexist, sexual or domestic violence, violence against women) — Action title: "
            "\u201cfemmes victimes\u201d",
        }[lang]
    )
    assert reasons[-1].startswith({"fr": "Règle DECL-OUI-01 (", "en": "Rule DECL-OUI-01 ("}[lang])
    assert reasons[-1].endswith(
        {
            "fr": ") — Égalité F/H déclarée par le porteur : « Oui »",
            "en": ") — Equality declared by the applicant: \u201cOui\u201d",
        }[lang]
    )


def test_tag_codes_and_json_keep_the_ids(tmp_path: Path) -> None:
    source = tmp_path / "actions.csv"
    source.write_text(SMALL, encoding="utf-8")
    assert run("tag", str(source), "-o", str(tmp_path / "c.csv"), "--codes")[0] == 0
    assert run("tag", str(source), "-o", str(tmp_path / "c.xlsx"), "--codes")[0] == 0
    assert run("tag", str(source), "-o", str(tmp_path / "c.json"), "--lang", "en")[0] == 0
    rows, sheet = _csv(tmp_path / "c.csv"), _xlsx(tmp_path / "c.xlsx")
    assert rows[0] == sheet[0]
    assert rows[0][5:] == [
        "category",
        "category_label",
        "dac_marker",
        "eu_weight",
        "confidence",
        "review_reason",
        "review_reason_label",
        "reasons",
        "audience",
        "declared_category",
        "declaration_mismatch",
        "override",
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["category"], first["audience"], first["declaration_mismatch"]) == (
        "specific",
        "unknown",
        "false",
    )
    assert first["reasons"].split("\n")[0] == "SPEC-VSS-01 — title — « femmes victimes »"
    assert [r[15] for r in sheet[1:]] == [False, True]
    records = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert records[0]["category"] == "specific" and records[0]["declaration_mismatch"] is False
    assert records[0]["reasons"][0] == {"rule": "SPEC-VSS-01", "field": "title", "match": "femmes victimes"}


# --- the scan: no internal id in what a reader sees -------------------------------------------------------


def _ids() -> set[str]:
    labels = load_data("labels.yaml")
    ids = set(vocabulary().fields) | set(TAG_COLUMNS)
    for section in ("categories", "audience", "review_reasons", "reasons", "stages"):
        ids |= {str(k) for k in labels[section]}
    return ids


#: Ids that are plain words of the language (« description », "title", "mixed"…) are not looked for there.
FRENCH_WORDS = {"action", "description", "note", "total", "section"}


def _forbidden(lang: str) -> set[str]:
    ids = _ids()
    coded = {i for i in ids if "_" in i}
    if lang == "fr":
        return coded | {i for i in ids if "_" not in i and i not in FRENCH_WORDS}
    return coded | {"transversal"}


def _found(text: str, forbidden: set[str]) -> set[str]:
    # Hyphenated codes (issue codes such as « header-two-rows », rule ids) are documented codes, not ids.
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", text))
    hits = words & forbidden
    if "funding:" in text:
        hits.add("funding:")
    return hits


def _inputs() -> list[Path]:
    files = [FIXTURES / "programmation_cdv_2024.xlsx", FIXTURES / "export_plateforme_2024.csv"]
    if SHARED_REAL.is_dir():
        files += sorted(p for p in SHARED_REAL.iterdir() if p.is_file() and p.suffix != ".md")
    return files


def _console() -> Console:
    return Console(record=True, width=400, file=io.StringIO(), highlight=False, color_system=None)


@pytest.mark.slow
@pytest.mark.parametrize("source", _inputs(), ids=lambda p: p.name)
def test_no_internal_id_reaches_a_reader(tmp_path: Path, source: Path) -> None:
    """inspect, tag (CSV and Excel) and explain, in both languages, on the fixtures and every real file: no
    field, category, audience or reason id, no « funding: », except where the input itself has the word.
    The outputs come from the very functions the commands call, on one read and one tagging per file."""
    from bie.tagging import INPUT_COLUMNS, explain, load_rules

    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    tagged = bie.tag_file(copy)
    own = "\n".join(
        [*tagged.read.original.columns, *(str(v) for col in tagged.read.original.iter_columns() for v in col)]
    )
    pack = load_rules([])
    first = tagged.actions.row(0, named=True) if tagged.actions.height else None
    explanation = (
        explain(row={k: v for k, v in first.items() if k in INPUT_COLUMNS}, pack=pack) if first else None
    )
    for lang in ("fr", "en"):
        forbidden = _forbidden(lang) - _found(own, _forbidden(lang))
        seen: dict[str, str] = {}
        console = _console()
        render_inspect(console, tagged.read, lang)
        seen["inspect"] = console.export_text()
        in_lang = dataclasses.replace(tagged, lang=lang, rule_titles=pack.rule_titles(lang))
        for suffix in ("csv", "xlsx"):
            out = tmp_path / f"out_{lang}.{suffix}"
            written = in_lang.write(out)
            console = _console()
            render_tag_summary(console, in_lang, written, lang)
            seen[f"tag {suffix}"] = console.export_text()
            rows = _csv(out) if suffix == "csv" else _xlsx(out)
            seen[f"tag {suffix} file"] = "\n".join(str(v) for r in rows for v in r if v is not None)
        if explanation is not None:
            console = _console()
            render_explanation(console, explanation, lang)
            seen["explain"] = console.export_text()
        found = {name: sorted(_found(text, forbidden)) for name, text in seen.items()}
        assert {k: v for k, v in found.items() if v} == {}, lang


def test_the_scan_finds_ids_where_they_are(tmp_path: Path) -> None:
    """The scan can fail: in the --codes output (for tools) and in inspect --json it finds the ids."""
    source = tmp_path / "actions.csv"
    source.write_text(SMALL, encoding="utf-8")
    assert run("tag", str(source), "-o", str(tmp_path / "c.csv"), "--codes")[0] == 0
    text = (tmp_path / "c.csv").read_text(encoding="utf-8-sig")
    assert {"not_integrated", "declared_equality", "category_label", "specific"} <= _found(
        text, _forbidden("fr")
    )
    assert {"not_integrated", "declared_equality"} <= _found(text, _forbidden("en"))
    code, out, _ = run("inspect", str(FIXTURES / "programmation_cdv_2024.xlsx"), "--json")
    assert code == 0 and {"funding:", "declared_equality", "carrier_id"} <= _found(out, _forbidden("fr"))
