"""Column recognition: the SCDL subventions names and the 141 real header variants map to bie's fields."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import bie
from bie.mapping import load_mapping
from bie.vocabulary import key, vocabulary
from tests.conftest import REAL

# SCDL official name -> bie field. « montant » is the granted amount, except variants naming payments.
SCDL = {
    "nomAttribuant": "grantor",
    "idAttribuant": "grantor_id",
    "dateConvention": "decision_date",
    "referenceDecision": "decision_ref",
    "nomBeneficiaire": "carrier",
    "idBeneficiaire": "carrier_id",
    "rnaBeneficiaire": "carrier_rna",
    "objet": "title",
    "montant": "amount_granted",
    "nature": "aid_nature",
    "conditionsVersement": "payment_terms",
    "datesPeriodeVersement": "payment_dates",
    "datePeriodeVersement": "payment_dates",
    "idRAE": "rae_id",
    "notificationUE": "eu_notification",
    "pourcentageSubvention": "funding_rate",
    "dispositifAide": "aid_scheme",
    "categoryUsage": "subsidy_type",
}
# Where bie's reading is more precise than the SCDL name the variant was filed under (documented in
# docs/lecture.md): years are years, payments are payments, a bare SIRET goes to the nearest name column.
EXCEPTIONS = {
    "exercice": "year",
    "annee_subv": "year",
    "anne": "year",
    "annze": "year",
    "total_des_mandats_emis": "amount_paid",
    "subventions_versees": "amount_paid",
    "somme des subventions versees en 2013": "amount_paid",
    "N° Siret": "carrier_id",
    "SIRET": "carrier_id",
    "Raison sociale (SIRENE)": "carrier",
    "objet": "title",
}


def variants() -> list[tuple[str, str]]:
    with (REAL / "scdl" / "header_variants.csv").open(encoding="utf-8") as fh:
        return [(row["original_name"], row["official_name"]) for row in csv.DictReader(fh, delimiter=";")]


def test_there_are_141_variants() -> None:
    assert len(variants()) == 141


@pytest.mark.parametrize(("header", "official"), variants())
def test_each_real_variant_maps(header: str, official: str) -> None:
    found = vocabulary().match(header)
    assert found is not None, f"{header!r} not recognised"
    expected = EXCEPTIONS.get(header, SCDL[official])
    assert found[0] == expected


def test_every_scdl_field_of_the_schema_maps() -> None:
    schema = json.loads((REAL / "scdl" / "schema_scdl_subventions_v2.1.1.json").read_text(encoding="utf-8"))
    for field in schema["fields"]:
        found = vocabulary().match(field["name"])
        assert found is not None and found[0] == SCDL[field["name"]] and found[1] == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Intitulé de l'action", "INTITULE_DE_L_ACTION"),
        ("Intitulé de l'action", "intituleDeLAction"),
        ("Nom de l’attributaire", "nom_de_l'attributaire"),
        ("Coût total\nde l'action", "coût total de l'action"),
    ],
)
def test_keys_ignore_accents_case_punctuation(a: str, b: str) -> None:
    assert key(a) == key(b)


def test_bare_siret_goes_to_the_name_on_its_left(tmp_path: Path) -> None:
    path = tmp_path / "scdl.csv"
    path.write_text(
        "nomAttribuant;SIRET;nomBeneficiaire;SIRET;objet;montant\n"
        "Ville de Lune;21310458100011;Asso A;44137080600016;Atelier;1200\n",
        encoding="utf-8",
    )
    result = bie.read(path)
    assert result.mapping.fields["grantor_id"] == "c1"
    assert result.mapping.fields["carrier_id"] == "c3"


def test_mapping_file_overrides_and_completes(tmp_path: Path) -> None:
    path = tmp_path / "prog.csv"
    path.write_text("Projet;Asso;Somme Ville;Remarques\nAtelier;A;1 200;ok\n", encoding="utf-8")
    mapping = tmp_path / "correspondance.yaml"
    mapping.write_text(
        'columns:\n  Projet: title\n  Asso: carrier\n  "Somme Ville": {funding: Ville, stage: granted}\n'
        "  Remarques: ignore\n  Absente: description\n",
        encoding="utf-8",
    )
    result = bie.read(path, mapping=mapping)
    assert result.mapping.fields["title"] == "c0" and result.mapping.fields["carrier"] == "c1"
    assert result.funders == {"Ville": 1200.0}
    assert result.mapping.ignored == ["c3"]
    assert [i.params["name"] for i in result.issues if i.code == "mapping-unknown-column"] == ["Absente"]


def test_mapping_file_header_rows(tmp_path: Path) -> None:
    path = tmp_path / "prog.csv"
    path.write_text("Tableau de suivi\nA;B;C\nAtelier;Asso;100\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "header_rows: 2\ncolumns:\n  A: title\n  B: carrier\n  C: amount_granted\n", encoding="utf-8"
    )
    result = bie.read(path, mapping=mapping)
    assert result.header_rows == [2]
    assert result.amounts == {"granted": 100.0}


@pytest.mark.parametrize(
    ("text", "detail", "english"),
    [
        ("- a\n- b\n", "le fichier doit être un dictionnaire YAML", "the file must be a YAML mapping"),
        ("colonnes: {}\n", "clé(s) inconnue(s) : colonnes", "unknown key(s): colonnes"),
        ("header_rows: [0]\n", "header_rows doit être", "header_rows must be"),
        ("columns:\n  A: {funding: Ville, stage: vote}\n", "étape inconnue « vote »", "unknown stage “vote”"),
        ("columns:\n  A: x\n  A: y\n", "clé en double « A »", None),
    ],
)
def test_invalid_mapping_files(tmp_path: Path, text: str, detail: str, english: str | None) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(bie.errors.MappingError) as err:
        load_mapping(path, vocabulary())
    assert detail in err.value.message("fr")
    if english is not None:
        assert english in err.value.message("en")


def test_parent_detail_rows_do_not_double_count(tmp_path: Path) -> None:
    """The State's budget annexes list an association's total, then one detail row per imputation."""
    path = tmp_path / "jaune.csv"
    path.write_text(
        "SIREN;ASSOCIATION;IMPUTATION;Total des subventions\n"
        "390322055;AFEV;;1 474 800\n"
        "390322055;AFEV;147 - Politique de la ville;447 396\n"
        "390322055;AFEV;163 - Jeunesse;1 000 000\n"
        "390322055;AFEV;177 - Hébergement;27 404\n"
        "775662752;Ligue de l'enseignement;147 - Politique de la ville;52 000\n",
        encoding="utf-8",
    )
    result = bie.read(path)
    assert result.excluded_by_reason() == {"duplicate": 1, "header": 1}
    assert result.amounts["granted"] == 447396 + 1000000 + 27404 + 52000
    assert any(i.code == "duplicate-parent" and i.row == 2 for i in result.issues)


def test_inspect_json_keys(tmp_path: Path) -> None:
    data = bie.read(REAL / "somme_conventions_2018.csv").to_inspect_dict()
    for required in (
        "file",
        "format",
        "sheet",
        "header_rows",
        "columns",
        "unmapped",
        "actions",
        "excluded",
        "amounts",
        "funders",
        "issues",
    ):
        assert required in data
    assert data["format"] == "csv" and data["actions"] == 41
    assert data["columns"]["amount_granted"] == "montant"
    assert {"code", "sheet", "row", "column", "message"} <= set(data["issues"][0])
