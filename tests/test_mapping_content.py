"""Text roles by content (issue 9): when no column is named like a description or a title, free text is
found by what its cells look like; identifiers, amounts, dates, code lists and carrier names never are."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

import bie
from bie.mapping import content_rules, profile_columns
from bie.vocabulary import vocabulary
from tests.conftest import REAL

OBJECTS = [
    "Organisation d'ateliers d'écriture pour les jeunes du quartier des Couronneries le mercredi",
    "Accompagnement scolaire de collégiens en difficulté avec des étudiants bénévoles",
    "Séances de football loisir pour les filles de 11 à 15 ans au gymnase de Bel Air",
    "Sorties familiales et découverte du patrimoine régional pendant les vacances d'été",
    "Permanences d'accès aux droits et aide aux démarches administratives en ligne",
    "Création d'un jardin partagé au pied des immeubles avec les habitants",
    "Chantier éducatif de rénovation du local jeunes encadré par deux éducateurs",
    "Ateliers sociolinguistiques pour adultes allophones deux soirs par semaine",
    "Prévention des conduites à risque auprès des adolescents par le théâtre forum",
    "Fête de quartier annuelle préparée avec les associations et les écoles du secteur",
    "Coaching vers l'emploi des jeunes diplômés éloignés des réseaux professionnels",
    "Lecture publique hors les murs et prêt de livres dans les halls d'immeubles",
]
TITLES = [
    "Ateliers d'écriture",
    "Réussite éducative",
    "Foot loisir filles",
    "Sorties familles",
    "Point d'accès aux droits",
    "Jardin partagé",
    "Chantier éducatif",
    "Français langue d'intégration",
    "Théâtre forum",
    "Fête de quartier",
    "Coaching emploi",
    "Lire dans les halls",
]
CARRIERS = [
    "ASSOCIATION SPORTIVE DES COURONNERIES",
    "Club de football de Beaulieu",
    "Association Les Petits Débrouillards",
    "AMICALE LAIQUE DE POITIERS",
    "MJC Aliénor d'Aquitaine",
    "Comité des fêtes de Saint-Éloi",
    "CENTRE SOCIO CULTUREL DE LA BLAISERIE",
    "Association Femmes Solidaires 86",
    "CLUB ATHLETIQUE DES TROIS CITES",
    "ASSOCIATION LA CASE",
    "Union sportive de Bel Air",
    "Compagnie du Sans Souci",
]
N = len(OBJECTS)
#: Columns under names no vocabulary knows, each with what real files put in such columns.
UNKNOWN = {
    "COL1": [f"DA000123{i:02d}-1" for i in range(N)],  # Dauphin dossier numbers
    "COL3": [f"{i + 1:02d}/03/2024" for i in range(N)],  # dates
    "COL4": [f"3{i:02d}12345600018" for i in range(N)],  # SIRET
    "COL5": CARRIERS,  # carrier names
    "COL8": [f"{(i + 1) * 1250:,} €".replace(",", " ") for i in range(N)],  # amounts as text
    "COL9": ["Fonctionnement", "Investissement"] * (N // 2),  # nature: a code list
    "COL10": [
        "Cohésion sociale",
        "Emploi et développement économique",
        "Cadre de vie et renouvellement urbain",
    ]
    * (N // 3),  # pillars: a code list
    "COL11": [f"P{i % 3 + 1}-{i % 4 + 1}" for i in range(N)],  # theme codes
    "COL12": [f"{i + 1} mars 2024" for i in range(N)],  # dates in words
    "COL13": [  # communes as carriers, in upper case, no legal form (as in the Somme file)
        "AILLY SUR NOYE",
        "SAINT OUEN",
        "RUE",
        "LE CROTOY",
        "MONTDIDIER",
        "ROYE",
        "HAM",
        "NESLE",
        "DOULLENS",
        "CORBIE",
        "VILLERS BRETONNEUX",
        "FRIVILLE ESCARBOTIN",
    ],
}
#: Columns recognised by name, so that the header is found.
KNOWN = {
    "Montant accordé": [str((i + 1) * 1000) for i in range(N)],
    "Date de la convention": [f"{i + 1:02d}/01/2024" for i in range(N)],
    "Bénéficiaire": CARRIERS,
}


def write_csv(path: Path, columns: dict[str, list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(list(columns))
        writer.writerows(zip(*columns.values(), strict=True))
    return path


def fields(result: bie.ReadResult) -> dict[str, str]:
    m = result.mapping
    return {fld: m.headers[c] for fld, c in m.fields.items()}


def content_issues(result: bie.ReadResult) -> list[bie.Issue]:
    return [i for i in result.issues if i.code == "column-content-mapped"]


def test_abbreviated_names_are_in_the_vocabulary() -> None:
    vocab = vocabulary()
    for name in (
        "SUB_OBJ",
        "OBJ_SUB",
        "LIB_OBJ",
        "OBJET_SUB",
        "LIB_SUBV",
        "OBJET_DOSSIER",
        "INTITULE_DOSSIER",
    ):
        assert vocab.match(name) == ("title", 1.0), name


def test_sub_obj_is_read_by_its_name(tmp_path: Path) -> None:
    result = bie.read(write_csv(tmp_path / "poitiers.csv", {**KNOWN, "SUB_OBJ": OBJECTS}))
    assert fields(result)["title"] == "SUB_OBJ"
    assert result.mapping.confidence["title"] == 1.0
    assert content_issues(result) == []
    assert result.actions.get_column("title").to_list() == OBJECTS


def test_text_under_a_meaningless_name_is_found_by_content(tmp_path: Path) -> None:
    result = bie.read(write_csv(tmp_path / "f.csv", {**KNOWN, **UNKNOWN, "COL7": OBJECTS}))
    assert fields(result)["description"] == "COL7"
    assert "title" not in fields(result)
    assert result.mapping.confidence["description"] == 0.5
    assert result.actions.get_column("description").to_list() == OBJECTS
    [issue] = content_issues(result)
    assert issue.severity == "info" and issue.column == "COL7"
    assert issue.message() == (
        "Colonne « COL7 » retenue comme description d'après son contenu : 100 % de cellules remplies, "
        "12 mots en moyenne, 100 % de valeurs distinctes (aucune colonne n'en porte le nom). "
        "Précisez avec --mapping si ce n'est pas la bonne."
    )
    assert issue.message("en") == (
        'Column "COL7" taken as the description from its content: 100 % of cells filled, 12 words on '
        "average, 100 % distinct values (no column is named so). Use --mapping if it is not the right one."
    )
    # Nothing else was taken: every other unknown column stays unmapped, and says so.
    unmapped = [result.mapping.headers[c] for c in result.mapping.unmapped]
    assert unmapped == list(UNKNOWN)


@pytest.mark.parametrize("name", sorted(UNKNOWN))
def test_columns_that_are_not_free_text_are_never_taken(tmp_path: Path, name: str) -> None:
    known = {k: v for k, v in KNOWN.items() if not (name == "COL5" and k == "Bénéficiaire")}
    result = bie.read(write_csv(tmp_path / "f.csv", {**known, name: UNKNOWN[name]}))
    assert content_issues(result) == []
    assert not {"title", "description"} & set(fields(result))
    assert [result.mapping.headers[c] for c in result.mapping.unmapped] == [name]


def test_verdicts_say_why(tmp_path: Path) -> None:
    frame = pl.DataFrame({f"c{j}": values for j, values in enumerate([*UNKNOWN.values(), OBJECTS])})
    rules = content_rules()
    verdicts = {p.column: p.verdict(rules) for p in profile_columns(frame, list(frame.columns), rules)}
    assert verdicts == {
        "c0": "short",  # dossier numbers: one word each
        "c1": "short",  # dates
        "c2": "short",  # SIRET
        "c3": "carrier",
        "c4": "shaped",  # amounts (« 1 250 € »: three words, digits)
        "c5": "code",  # Fonctionnement / Investissement
        "c6": "code",  # pillars
        "c7": "short",  # theme codes
        "c8": "shaped",  # dates in words
        "c9": "carrier",  # communes in upper case
        "c10": "text",
    }


def test_wide_tables_are_profiled_within_bounds() -> None:
    rules = content_rules()
    width = rules.max_columns + 50
    varied = [f"{OBJECTS[i % N]} numéro {i}" for i in range(3000)]
    frame = pl.DataFrame({f"c{j}": varied for j in range(width)})
    profiles = profile_columns(frame, list(frame.columns), rules)
    assert len(profiles) == width
    assert sum(p.examined for p in profiles) == rules.max_columns
    assert {p.verdict(rules) for p in profiles} == {"text", "unexamined"}


def test_a_sparse_column_is_not_taken(tmp_path: Path) -> None:
    sparse = [OBJECTS[0], OBJECTS[1], *[""] * (N - 2)]
    result = bie.read(write_csv(tmp_path / "f.csv", {**KNOWN, "COL7": sparse}))
    assert content_issues(result) == []


def test_the_longer_text_is_the_description_and_the_short_distinct_one_the_title(tmp_path: Path) -> None:
    result = bie.read(write_csv(tmp_path / "f.csv", {**KNOWN, "COL2": TITLES, **UNKNOWN, "COL7": OBJECTS}))
    assert fields(result)["description"] == "COL7"
    assert fields(result)["title"] == "COL2"
    assert {i.column for i in content_issues(result)} == {"COL2", "COL7"}
    title_issue = next(i for i in content_issues(result) if i.column == "COL2")
    assert title_issue.message().startswith("Colonne « COL2 » retenue comme intitulé de l'action d'après son")
    # Order of the columns does not matter.
    swapped = bie.read(write_csv(tmp_path / "g.csv", {**KNOWN, "COL7": OBJECTS, "COL2": TITLES}))
    assert fields(swapped)["description"] == "COL7" and fields(swapped)["title"] == "COL2"


def test_a_lone_short_distinct_text_is_the_title(tmp_path: Path) -> None:
    result = bie.read(write_csv(tmp_path / "f.csv", {**KNOWN, "COL2": TITLES}))
    assert fields(result)["title"] == "COL2"
    assert "description" not in fields(result)


def test_names_come_first(tmp_path: Path) -> None:
    # A description named so: the unknown text column is left alone.
    named = {**KNOWN, "Descriptif": OBJECTS[::-1], "COL7": OBJECTS}
    result = bie.read(write_csv(tmp_path / "f.csv", named))
    assert fields(result)["description"] == "Descriptif"
    assert content_issues(result) == []
    # Objectives named so: no description by content either.
    result = bie.read(write_csv(tmp_path / "g.csv", {**KNOWN, "Objectifs": OBJECTS[::-1], "COL7": OBJECTS}))
    assert "description" not in fields(result)


def test_mapping_file_wins(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "f.csv", {**KNOWN, "COL2": TITLES, "COL7": OBJECTS})
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text('columns:\n  "COL7": ignore\n  "COL2": ignore\n', encoding="utf-8")
    result = bie.read(data, mapping=ignore)
    assert not {"title", "description"} & set(fields(result))
    assert content_issues(result) == []
    swap = tmp_path / "swap.yaml"
    swap.write_text('columns:\n  "COL2": description\n', encoding="utf-8")
    result = bie.read(data, mapping=swap)
    assert fields(result)["description"] == "COL2"
    assert result.mapping.confidence["description"] == 1.0
    # The title is still missing, but COL7 is long text, not a short title: it stays unmapped.
    assert "title" not in fields(result)


REAL_TEXT = {
    # file: text fields mapped by name (unchanged by reading by content)
    "aube_conventions_subvention.xlsx": {
        "title": "Informations relatives à la subvention / Objet de la subvention"
    },
    "deux_sevres_conventions.xls": {"title": "Objet convention"},
    "haute_garonne_subventions.csv": {"title": "objet"},
    "lot_subventions_2017.csv": {"title": "objet"},
    "nievre_subventions_2016.csv": {"title": "SUB_OBJET"},
    "pyrenees_orientales_conventions_2017.ods": {"description": "Présentation de la demande"},
    "somme_conventions_2018.csv": {"title": "objet"},
    "scdl/exemple_valide_v2.1.1.csv": {"title": "objet"},
}
TEXT_FIELDS = ("title", "description", "objectives")


@pytest.mark.parametrize("name", sorted(REAL_TEXT))
def test_real_files_keep_their_mapping(name: str) -> None:
    result = bie.read(REAL / name)
    assert content_issues(result) == []
    assert {f: h for f, h in fields(result).items() if f in TEXT_FIELDS} == REAL_TEXT[name]


@pytest.mark.parametrize("name", sorted(REAL_TEXT))
def test_real_columns_other_than_text_would_never_be_taken(name: str) -> None:
    """Every real column named as something else (carrier, grantor, SIRET, amount, date, nature…) would be
    refused by content if its name were unknown; the real title/description columns would be taken."""
    result = bie.read(REAL / name)
    m = result.mapping
    by_column = {c: f for f, c in m.fields.items()} | {f.column: "funding" for f in m.funding}
    frame = result.original.select(
        [
            pl.col(m.headers[c]).cast(pl.String).alias(c)
            for c in m.headers
            if m.headers[c] in result.original.columns
        ]
    )
    rules = content_rules()
    for p in profile_columns(frame, list(frame.columns), rules):
        fld = by_column.get(p.column, "-")
        verdict = p.verdict(rules)
        if fld in TEXT_FIELDS and p.distinct >= rules.min_distinct:
            assert verdict == "text", (m.headers[p.column], p)
        elif fld not in TEXT_FIELDS:
            assert verdict != "text", (m.headers[p.column], fld, p)
        if fld == "carrier":
            assert verdict == "carrier", (m.headers[p.column], p)


def _rename(source: Path, target: Path, old: str, new: str) -> Path:
    raw = source.read_bytes()
    first, rest = raw.split(b"\n", 1)
    cells = first.split(b";")
    assert old.encode() in cells
    target.write_bytes(b";".join(new.encode() if c == old.encode() else c for c in cells) + b"\n" + rest)
    return target


@pytest.mark.parametrize("name", ["haute_garonne_subventions.csv", "lot_subventions_2017.csv"])
def test_renamed_real_text_column_is_still_read(tmp_path: Path, name: str) -> None:
    before = bie.read(REAL / name)
    objects = before.actions.get_column("title").to_list()
    abbreviated = bie.read(_rename(REAL / name, tmp_path / "sub_obj.csv", "objet", "SUB_OBJ"))
    assert fields(abbreviated)["title"] == "SUB_OBJ"
    assert abbreviated.actions.get_column("title").to_list() == objects
    meaningless = bie.read(_rename(REAL / name, tmp_path / "col7.csv", "objet", "COL7"))
    assert fields(meaningless)["description"] == "COL7"
    assert meaningless.actions.get_column("description").to_list() == objects
    assert [i.column for i in content_issues(meaningless)] == ["COL7"]
    # Same rows, same money.
    assert meaningless.actions.height == before.actions.height
    kept = ["row", "status", "reason", "action_row"]
    assert meaningless.ledger.select(kept).equals(before.ledger.select(kept))
    assert meaningless.actions.get_column("amount_granted").equals(
        before.actions.get_column("amount_granted")
    )
