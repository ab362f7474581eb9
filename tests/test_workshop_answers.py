"""The workshop's workbooks (bie.workshop.workbook) and reading the answers back (bie.workshop.answers): the
participant workbook and the answer key, a round trip through openpyxl, the short forms typed by hand, CSV
exports of an online form, and every refusal with its exact message (all problems in one error)."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import bie
from bie.errors import WorkshopError
from bie.export import sheet_name
from bie.resources import load_data
from bie.web.model import load_model
from bie.web.questionnaire import read_questionnaire_sheet
from bie.workshop.answers import (
    Answers,
    Key,
    parse_choice,
    parse_elements,
    read_answers,
    read_key,
)
from bie.workshop.kit import Kit, KitAction, build_kit
from bie.workshop.workbook import (
    ANSWERS_KIND,
    FIRST_ROW,
    KEY_KIND,
    META_SHEET,
    write_key_workbook,
    write_participant_workbook,
)
from tests.conftest import FIXTURES
from tests.hostile import _rewrite, billion_laughs

MODEL = load_model()
FIX = "Corrigez ces points dans les fichiers nommés puis relancez : rien n'est retenu tant qu'il en reste un."
CHOICES_FR = "spécifique, égalité intégrée, non prise en compte, je ne sais pas (ou S, T, NPC, ?)"


def message(detail: str) -> str:
    """The full French message of a WorkshopError whose detail is ``detail``."""
    return f"Fichiers de l'atelier non lus : {detail}. {FIX}"


def _neutral(annotation: str) -> Any:
    if "None" in annotation:
        return None
    if annotation.startswith("tuple"):
        return ()
    if annotation.startswith(("Mapping", "dict")):
        return {}
    if annotation == "int":
        return 0
    if annotation == "float":
        return 0.0
    return ""


def _make(cls: type[Any], **values: Any) -> Any:
    """An instance of the dataclass ``cls`` from ``values``, other required fields neutral (the kit model
    may grow fields without breaking these tests)."""
    kwargs = dict(values)
    for f in dataclasses.fields(cls):
        if (
            f.name in kwargs
            or f.default is not dataclasses.MISSING
            or f.default_factory is not dataclasses.MISSING
        ):
            continue
        kwargs[f.name] = _neutral(str(f.type))
    return cls(**kwargs)


CATEGORIES = ("specific", "transversal", "not_integrated", "to_review")


def make_kit(
    lang: str = "fr", kit_id: str = "a1b2c3d4e5f6", participants: tuple[str, ...] = ("P01", "P02", "P03")
) -> Kit:
    actions = []
    for n, category in enumerate(CATEGORIES, start=1):
        actions.append(
            _make(
                KitAction,
                number=n,
                label=f"Action title {n}",
                fields=(
                    ("Intitulé de l'action", f"Action title {n}"),
                    ("Description", '=HYPERLINK("http://example.org")' if n == 2 else f"Description {n}"),
                    ("Porteur", f"Association {n}"),
                ),
                file="programmation.xlsx",
                row=10 + n,
                roles=("spread",),
                why=(f"WHY-{n}",),
                category=category,
                category_label=f"CATEGORY-LABEL-{n}",
                reasons=(f"REASON-{n}-a", f"REASON-{n}-b"),
                review_reason="",
                confidence=0.9,
                web_elements=("staff", "delivery") if n == 1 else (),
                definition=f"DEFINITION-{n}",
                question=f"QUESTION-{n}",
                amount=1000.0,
            )
        )
    kit: Kit = _make(
        Kit,
        id=kit_id,
        lang=lang,
        seed=0,
        title="Atelier de test",
        sources=("programmation.xlsx",),
        rules_version="2026.1",
        web_version=MODEL.version,
        actions=tuple(actions),
        missing=(),
        participants=participants,
        elements={e.id: e.label(lang) for e in MODEL.elements},
        web_scores={e.id: (2 if e.id == "staff" else None) for e in MODEL.elements},
    )
    return kit


@pytest.fixture
def kit() -> Kit:
    return make_kit()


@pytest.fixture
def key(kit: Kit, tmp_path: Path) -> Key:
    path = tmp_path / "corrige.xlsx"
    write_key_workbook(kit, path)
    return read_key(path)


def workbook(kit: Kit, tmp_path: Path, participant: str = "P01", name: str | None = None) -> Path:
    path = tmp_path / (name or f"reponses_{participant or 'groupe'}.xlsx")
    write_participant_workbook(kit, participant, path)
    return path


def fill(
    path: Path,
    rows: dict[int, tuple[Any, Any, Any]],
    web: dict[str, tuple[Any, Any]] | None = None,
    web_sheet: str = "Toile (questionnaire)",
) -> Path:
    """Type answers as a participant would: ``rows`` action number → (category, elements, comment)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for number, values in rows.items():
        for offset, value in enumerate(values):
            ws.cell(FIRST_ROW + number - 1, 4 + offset).value = value
    if web:
        wq = wb[web_sheet]
        for row in wq.iter_rows(min_row=2):
            if row[0].value in web:
                row[4].value, row[5].value = web[row[0].value]
    wb.save(path)
    return path


def cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]


def error(paths: list[Path], key: Key) -> str:
    with pytest.raises(WorkshopError) as info:
        read_answers(paths, key)
    assert info.value.code == "workshop-invalid"
    return str(info.value)


# --------------------------------------------------------------------------------------------------
# the workbooks


def test_participant_workbook_layout(kit: Kit, tmp_path: Path) -> None:
    path = workbook(kit, tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Actions",
        "Éléments de la toile",
        "Toile (mode d'emploi)",
        "Toile (questionnaire)",
        META_SHEET,
    ]
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb["Actions"]
    assert ws.protection.sheet
    assert "Participant·e P01" in str(ws["A1"].value)
    assert "« Éléments de la toile »" in str(ws["A3"].value)
    assert "« Toile (questionnaire) »" in str(ws["A4"].value)
    assert [ws.cell(6, c).value for c in range(1, 7)] == [
        "N°",
        "Action",
        "Ce que dit le dossier",
        "Votre classement",
        "Éléments de la toile renforcés",
        "Commentaire",
    ]
    assert [ws.cell(r, 1).value for r in range(7, 11)] == [1, 2, 3, 4]
    assert ws["B7"].value == "Action title 1"
    assert ws["C7"].value == "Description : Description 1\nPorteur : Association 1"  # the title once
    # Formula-like text of the file stays inert text.
    assert ws["C8"].value.startswith("Description : =HYPERLINK") and ws["C8"].data_type == "s"
    for c in ("D", "E", "F"):
        assert ws[f"{c}7"].protection.locked is False and ws[f"{c}7"].fill.fgColor.rgb.endswith("FFF9DB")
    assert ws["A7"].protection.locked and ws["C7"].protection.locked
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert (
        validations["D7:D10"].formula1 == '"spécifique,égalité intégrée,non prise en compte,je ne sais pas"'
    )
    assert validations["D7:D10"].errorStyle == "information"  # typed answers are allowed
    assert "E7:E10" in validations
    elements = wb["Éléments de la toile"]
    assert [elements.cell(1, c).value for c in range(1, 4)] == ["N°", "Sphère", "Élément"]
    assert [elements.cell(r, 1).value for r in range(2, 15)] == list(range(1, 14))
    assert elements["C5"].value == "Volonté politique" and elements["B2"].value == "Habitant·es"
    meta = {row[0]: row[1] for row in wb[META_SHEET].iter_rows(values_only=True)}
    assert meta["kind"] == ANSWERS_KIND and meta["kit"] == kit.id and meta["participant"] == "P01"
    assert (meta["lang"], meta["actions"], meta["web_version"]) == ("fr", "4", MODEL.version)
    assert meta["bie_version"] == bie.__version__
    # Never bie's answer, anywhere.
    text = "\n".join(cells(path))
    for secret in ("CATEGORY-LABEL", "REASON-", "DEFINITION-", "QUESTION-", "WHY-", "to_review", "specific"):
        assert secret not in text


def test_participant_workbook_in_english_and_shared(tmp_path: Path) -> None:
    kit = make_kit("en", participants=("",))
    path = workbook(kit, tmp_path, "")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["Actions", "Web elements", "Web (instructions)", "Web (questionnaire)"]
    ws = wb["Actions"]
    assert ws["A1"].value == "Atelier de test"
    assert ws["D6"].value == "Your classification"
    validation = next(v for v in ws.data_validations.dataValidation if str(v.sqref) == "D7:D10")
    assert validation.formula1 == '"specific,equality mainstreamed,not taken into account,I don\'t know"'
    with pytest.raises(ValueError, match="not one of the kit's"):
        write_participant_workbook(kit, "P09", tmp_path / "x.xlsx")


def test_key_workbook_and_read_key(kit: Kit, tmp_path: Path) -> None:
    path = tmp_path / "corrige.xlsx"
    write_key_workbook(kit, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Corrigé"]
    assert "ne pas distribuer" in ws["A1"].value and kit.id in ws["A2"].value
    assert [ws.cell(4, c).value for c in range(1, 11)][:4] == [
        "N°",
        "Action",
        "Classement selon bie",
        "Raisons de bie",
    ]
    assert [ws.cell(5, c).value for c in range(1, 11)] == [
        1,
        "Action title 1",
        "CATEGORY-LABEL-1",
        "• REASON-1-a\n• REASON-1-b",
        "DEFINITION-1",
        "QUESTION-1",
        "• WHY-1",
        "9 – Gestion du personnel et formation\n11 – Mise en œuvre des programmes et des projets",
        "programmation.xlsx",
        11,
    ]
    assert wb[META_SHEET].sheet_state == "hidden" and wb[META_SHEET]["B1"].value == KEY_KIND
    key = read_key(path)
    assert (key.kit_id, key.lang, key.web_version) == (kit.id, "fr", MODEL.version)
    assert key.categories == dict(enumerate(CATEGORIES, start=1))
    assert key.bie_elements[1] == ("staff", "delivery") and key.bie_elements[2] == ()
    assert key.elements == MODEL.ids
    assert key.web_scores["staff"] == 2 and key.web_scores["policy"] is None


def test_read_key_refusals(kit: Kit, tmp_path: Path) -> None:
    answers = workbook(kit, tmp_path)
    with pytest.raises(WorkshopError) as info:
        read_key(answers)
    assert str(info.value) == message(
        "reponses_P01.xlsx : c'est un classeur de réponses d'atelier, pas le corrigé d'un atelier"
    )
    path = tmp_path / "corrige.xlsx"
    write_key_workbook(kit, path)
    wb = openpyxl.load_workbook(path)
    meta = wb[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "action" and row[1].value == "2":
            row[2].value = "maybe"
    wb.save(path)
    with pytest.raises(WorkshopError) as info:
        read_key(path)
    assert str(info.value) == message(
        "corrige.xlsx, feuille « _bie », cellule C9 : catégorie inconnue « maybe »"
    )
    # The recorded kit (what the readout reveals) must be there, whole, and agree with the action rows.
    write_key_workbook(kit, path)
    assert read_key(path).kit == kit
    wb = openpyxl.load_workbook(path)
    for row in wb[META_SHEET].iter_rows():
        if row[0].value == "kit_data":
            row[2].value = str(row[2].value)[:-8]
    wb.save(path)
    with pytest.raises(
        WorkshopError, match=r"corrige\.xlsx, feuille « _bie » : atelier enregistré illisible"
    ):
        read_key(path)
    write_key_workbook(kit, path)
    wb = openpyxl.load_workbook(path)
    for row in wb[META_SHEET].iter_rows():
        if row[0].value == "action" and row[1].value == "2":
            row[2].value = "to_review" if row[2].value != "to_review" else "specific"
    wb.save(path)
    with pytest.raises(
        WorkshopError, match=r"les actions du corrigé ne sont pas celles de l'atelier enregistré"
    ):
        read_key(path)
    csv = tmp_path / "corrige.csv"
    csv.write_text("x", encoding="utf-8")
    with pytest.raises(
        WorkshopError, match=r"corrige\.csv : le corrigé doit être un classeur \.xlsx \(extension « \.csv »\)"
    ):
        read_key(csv)


# --------------------------------------------------------------------------------------------------
# round trip


def test_round_trip(kit: Kit, key: Key, tmp_path: Path) -> None:
    p1 = fill(
        workbook(kit, tmp_path, "P01"),
        {
            1: ("spécifique", "9; Mise en œuvre des programmes et des projets", "Le but même"),
            2: ("non prise en compte", None, None),
            3: ("égalité intégrée", "1, 3 ,13", None),
            4: ("je ne sais pas", None, "Trop court"),
        },
        web={"policy": ("2 – moyen", "Délibération 2022"), "staff": (3, None)},
    )
    p2 = fill(
        workbook(kit, tmp_path, "P02"), {1: ("S", "staff", None), 2: (0, None, None), 3: ("T", None, None)}
    )
    answers = read_answers([p1, p2], key)
    assert isinstance(answers, Answers)
    assert (answers.kit_id, answers.lang) == (kit.id, "fr")
    first, second = answers.participants
    assert (first.id, first.file, second.id) == ("P01", "reponses_P01.xlsx", "P02")
    assert first.categories == {1: "specific", 2: "not_integrated", 3: "transversal", 4: "dont_know"}
    assert first.elements == {
        1: ("staff", "delivery"),
        3: ("experience", "representation", "research"),
    }
    assert first.comments == {1: "Le but même", 4: "Trop court"}
    assert first.cells[1] == "Actions!D7" and first.missing == ()
    assert first.questionnaire is not None
    assert first.web["policy"] == 2 and first.web["staff"] == 3 and first.web["research"] is None
    assert first.questionnaire.answers["policy"].comment == "Délibération 2022"
    assert second.categories == {1: "specific", 2: "not_integrated", 3: "transversal", 4: None}
    assert second.missing == (4,) and answers.missing == 1
    assert second.questionnaire is None and second.web == {}
    assert answers.participant("P02").elements == {1: ("staff",)}


def test_round_trip_real_kit_in_english(tmp_path: Path) -> None:
    kit = build_kit(bie.audit([FIXTURES / "programmation_cdv_2024.xlsx"]), n=6, participants=2, lang="en")
    write_key_workbook(kit, tmp_path / "key.xlsx")
    key = read_key(tmp_path / "key.xlsx")
    assert key.kit_id == kit.id and key.categories == {a.number: a.category for a in kit.actions}
    rows = {
        a.number: ("specific" if a.number % 2 else "equality mainstreamed", str(a.number), None)
        for a in kit.actions
    }
    path = fill(
        workbook(kit, tmp_path, "P02"),
        rows,
        web={"commitment": ("medium", None)},
        web_sheet="Web (questionnaire)",
    )
    (answers,) = read_answers([path], key).participants
    assert answers.categories == {n: ("specific" if n % 2 else "transversal") for n in rows}
    assert answers.elements[1] == (MODEL.ids[0],) and answers.web["commitment"] == 2


# --------------------------------------------------------------------------------------------------
# typed answers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (True, None)),
        ("", (True, None)),
        ("   ", (True, None)),
        ("spé", (True, "specific")),
        ("Spécifique", (True, "specific")),
        ("SPECIFIQUE", (True, "specific")),
        ("S", (True, "specific")),
        ("s", (True, "specific")),
        ("2", (True, "specific")),
        (2, (True, "specific")),
        (2.0, (True, "specific")),
        ("2,0", (True, "specific")),
        ("2 - spécifique", (True, "specific")),
        ("specific", (True, "specific")),
        ("T", (True, "transversal")),
        ("intégrée", (True, "transversal")),
        ("Égalité intégrée", (True, "transversal")),
        ("transversale", (True, "transversal")),
        ("1", (True, "transversal")),
        (1, (True, "transversal")),
        ("equality mainstreamed", (True, "transversal")),
        ("non", (True, "not_integrated")),
        ("NPC", (True, "not_integrated")),
        ("0", (True, "not_integrated")),
        (0, (True, "not_integrated")),
        ("aucune", (True, "not_integrated")),
        ("Non prise en compte", (True, "not_integrated")),
        ("not taken into account", (True, "not_integrated")),
        ("?", (True, "dont_know")),
        ("??", (True, "dont_know")),
        ("NSP", (True, "dont_know")),
        ("N.S.P.", (True, "dont_know")),
        ("je ne sais pas", (True, "dont_know")),
        ("Je ne sais pas", (True, "dont_know")),
        ("I don't know", (True, "dont_know")),
        ("spe cifique", (False, None)),
        ("2 - intégrée", (False, None)),
        ("3", (False, None)),
        (3, (False, None)),
        (1.5, (False, None)),
        (True, (False, None)),
        ("oui", (False, None)),
        ("=1+1", (False, None)),
        ("=spécifique", (False, None)),
        ("1 1", (False, None)),
        ("-", (False, None)),
    ],
)
def test_parse_choice(value: Any, expected: tuple[bool, str | None]) -> None:
    assert parse_choice(value) == expected


@pytest.mark.parametrize(
    ("value", "ids", "unknown"),
    [
        (None, (), ()),
        ("", (), ()),
        ("aucun", (), ()),
        (4, ("commitment",), ()),
        (4.0, ("commitment",), ()),
        ("13; 1", ("experience", "research"), ()),
        ("1 2 3", ("experience", "constituencies", "representation"), ()),
        ("volonté politique, Staff", ("commitment", "staff"), ()),
        ("4 – Volonté politique", ("commitment",), ()),
        ("Political commitment\n1", ("experience", "commitment"), ()),
        ("14, budget", (), ("14", "budget")),
        ("4 – Méthodologie", (), ("4 – Méthodologie",)),
        (1.3, (), ("1.3",)),
    ],
)
def test_parse_elements(value: Any, ids: tuple[str, ...], unknown: tuple[str, ...]) -> None:
    assert parse_elements(value, MODEL.ids, MODEL) == (ids, unknown)


# --------------------------------------------------------------------------------------------------
# refusals, each with its exact message


def test_unrecognised_answer_names_file_sheet_and_cell(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = fill(workbook(kit, tmp_path, "P03"), {1: ("spe cifique", None, None)})
    assert error([path], key) == message(
        "reponses_P03.xlsx, feuille « Actions », cellule D7 : réponse « spe cifique » non reconnue ; réponses "
        f"possibles : {CHOICES_FR}"
    )


def test_every_problem_of_every_file_in_one_error(kit: Kit, key: Key, tmp_path: Path) -> None:
    p1 = fill(workbook(kit, tmp_path, "P01"), {1: ("oui", "14", None), 3: ("=1+1", None, None)})
    p2 = fill(workbook(kit, tmp_path, "P02"), {2: ("S", None, None)}, web={"policy": ("beaucoup", None)})
    text = error([p1, p2], key)
    assert text == message(
        "(1) reponses_P01.xlsx, feuille « Actions », cellule D7 : réponse « oui » non reconnue ; réponses "
        f"possibles : {CHOICES_FR} ; "
        "(2) reponses_P01.xlsx, feuille « Actions », cellule E7 : élément(s) de la toile non reconnu(s) : "
        "« 14 » ; donnez des numéros de 1 à 13 ou des noms d'éléments, séparés par « , » ou « ; » ; "
        "(3) reponses_P01.xlsx, feuille « Actions », cellule D9 : formule refusée dans une cellule de réponse "
        "(« =1+1 ») : tapez la réponse elle-même ; "
        "(4) reponses_P02.xlsx, feuille « Toile (questionnaire) », ligne 7, cellule E7 (Cadre politique et "
        "programmation) : réponse « beaucoup » non reconnue ; réponses possibles : 0, 1, 2, 3 (ou absent, "
        "faible, moyen, fort), ou « ne sait pas »"
    )
    with pytest.raises(WorkshopError) as info:
        read_answers([p1, p2], key)
    english = info.value.message("en")
    assert english.startswith(
        "Workshop files not read: (1) reponses_P01.xlsx, sheet “Actions”, cell D7: answer"
    )
    assert (
        "possible answers: specific, equality mainstreamed, not taken into account, I don't know" in english
    )


def test_many_problems_are_counted_beyond_twenty(kit: Kit, tmp_path: Path) -> None:
    big = make_kit()
    actions = tuple(dataclasses.replace(big.actions[0], number=n) for n in range(1, 31))
    big = dataclasses.replace(big, actions=actions)
    write_key_workbook(big, tmp_path / "corrige.xlsx")
    key = read_key(tmp_path / "corrige.xlsx")
    path = fill(workbook(big, tmp_path), {n: ("x", None, None) for n in range(1, 26)})
    text = error([path], key)
    assert text.count("réponse « x » non reconnue") == 20
    assert "(20) reponses_P01.xlsx, feuille « Actions », cellule D26 :" in text
    assert text.endswith(f"{CHOICES_FR} ; … et 5 autres. {FIX}")


def test_formula_in_an_answer_cell(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = fill(workbook(kit, tmp_path), {2: ("S", None, '=HYPERLINK("http://x")')})
    assert error([path], key) == message(
        "reponses_P01.xlsx, feuille « Actions », cellule F8 : formule refusée dans une cellule de réponse "
        '(« =HYPERLINK("http://x") ») : tapez la réponse elle-même'
    )


def test_text_starting_with_equals_is_text(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = workbook(kit, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    ws["D7"] = "S"
    ws["F7"] = "=à revoir"
    ws["F7"].data_type = "s"  # typed with Excel's « ' »: text, not a formula
    wb.save(path)
    (answers,) = read_answers([path], key).participants
    assert answers.comments == {1: "=à revoir"}


def test_workbook_of_another_kit(kit: Kit, key: Key, tmp_path: Path) -> None:
    other = make_kit(kit_id="ffffeeee0000")
    path = fill(workbook(other, tmp_path), {1: ("S", None, None)})
    assert error([path], key) == message(
        "reponses_P01.xlsx : classeur de l'atelier « ffffeeee0000 », or le corrigé est celui de l'atelier "
        "« a1b2c3d4e5f6 » : il vient d'un autre atelier (autres fichiers ou autre tirage des actions)"
    )


def test_not_a_workshop_workbook(kit: Kit, key: Key, tmp_path: Path) -> None:
    plain = tmp_path / "classeur.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "spécifique"
    wb.save(plain)
    fake = tmp_path / "faux.xlsx"
    fake.write_text("pas un classeur", encoding="utf-8")
    key_path = tmp_path / "corrige_copie.xlsx"
    write_key_workbook(kit, key_path)
    questionnaire = bie.web.write_questionnaire(tmp_path / "questionnaire.xlsx")
    assert error([plain, fake, key_path, questionnaire], key) == message(
        "(1) classeur.xlsx : ce n'est pas un classeur de réponses d'atelier produit par bie (feuille cachée "
        "« _bie » absente) ; "
        "(2) faux.xlsx : classeur .xlsx illisible (BadZipFile) : ce n'est pas un classeur de réponses "
        "d'atelier ; "
        "(3) corrige_copie.xlsx : c'est le corrigé d'un atelier, pas un classeur de réponses d'atelier ; "
        "(4) questionnaire.xlsx : c'est un questionnaire de la toile, pas un classeur de réponses d'atelier"
    )


def test_same_participant_twice(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = fill(workbook(kit, tmp_path), {1: ("S", None, None)})
    copy = tmp_path / "copie.xlsx"
    shutil.copy(path, copy)
    assert error([path, copy], key) == message(
        "copie.xlsx : « P01 » a déjà donné ses réponses (reponses_P01.xlsx) : le même classeur deux fois, ou "
        "une copie ?"
    )
    assert error([path, tmp_path / "." / path.name], key) == message(
        "reponses_P01.xlsx : fichier donné deux fois"
    )


def test_copies_of_a_shared_workbook_are_tables(tmp_path: Path) -> None:
    kit = make_kit(participants=("",))
    write_key_workbook(kit, tmp_path / "corrige.xlsx")
    key = read_key(tmp_path / "corrige.xlsx")
    a = fill(workbook(kit, tmp_path, "", "table_1.xlsx"), {1: ("S", None, None)})
    b = fill(workbook(kit, tmp_path, "", "table_2.xlsx"), {1: ("T", None, None)})
    answers = read_answers([a, b], key)
    assert [(p.id, p.file, p.categories[1]) for p in answers.participants] == [
        ("", "table_1.xlsx", "specific"),
        ("", "table_2.xlsx", "transversal"),
    ]


def test_empty_workbook(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = workbook(kit, tmp_path)
    assert error([path], key) == message(
        "reponses_P01.xlsx : aucune réponse : le classeur est vide (est-ce le bon fichier ?)"
    )


def test_not_xlsx_nor_csv_and_missing_file(kit: Kit, key: Key, tmp_path: Path) -> None:
    pdf = tmp_path / "reponses.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert error([pdf, tmp_path / "absent.xlsx"], key) == message(
        "(1) reponses.pdf : ni un classeur .xlsx ni un fichier .csv (extension « .pdf ») ; (2) absent.xlsx : "
        "fichier introuvable"
    )
    assert error([], key) == message("aucun fichier de réponses")


def test_moved_columns_and_missing_rows(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = workbook(kit, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Actions"].insert_cols(2)
    wb.save(path)
    assert error([path], key) == message(
        "reponses_P01.xlsx, feuille « Actions », cellule D6 : en-tête « Votre classement » attendu, trouvé « Ce "
        "que dit le dossier » (lignes ou colonnes déplacées ou supprimées ?)"
    )
    path = fill(workbook(kit, tmp_path), {1: ("S", None, None)})
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    ws["A9"] = 7
    ws["A10"] = None
    ws["D13"] = "T"
    wb.save(path)
    assert error([path], key) == message(
        "(1) reponses_P01.xlsx, feuille « Actions », cellule A9 : action n° « 7 » inconnue du corrigé ; "
        "(2) reponses_P01.xlsx, feuille « Actions », cellule A13 : réponse sans numéro d'action (ligne ajoutée "
        "ou numéro effacé) ; (3) reponses_P01.xlsx, feuille « Actions » : ligne(s) d'action manquante(s) : "
        "n° 3, 4"
    )


def test_hostile_workbook_is_guarded(kit: Kit, key: Key, tmp_path: Path) -> None:
    bomb = billion_laughs(tmp_path / "bombe.xlsx")
    text = error([bomb], key)
    assert text.startswith(
        f"Fichiers de l'atelier non lus : {bomb} : la partie « xl/sharedStrings.xml » contient"
    )


# --------------------------------------------------------------------------------------------------
# CSV exports of an online form


def test_csv_semicolon_cp1252_french_headings(key: Key, tmp_path: Path) -> None:
    path = tmp_path / "formulaire.csv"
    text = (
        "Horodatage;Participant;N° action;Catégorie;Éléments de la toile;Commentaire\r\n"
        "2026-03-01 10:00;Amélie;1;Spécifique;9; 11;But même de l'action\r\n"
        "2026-03-01 10:00;Amélie;2;NPC;;\r\n"
        "2026-03-01 10:01;Bérénice;1;?;;\r\n"
        "2026-03-01 10:01;Bérénice;3;intégrée;Méthodologie;\r\n"
    )
    path.write_bytes(text.replace("9; 11", '"9; 11"').encode("cp1252"))
    answers = read_answers([path], key)
    amelie, berenice = answers.participants
    assert (amelie.id, amelie.file) == ("Amélie", "formulaire.csv")
    assert amelie.categories == {1: "specific", 2: "not_integrated", 3: None, 4: None}
    assert amelie.elements == {1: ("staff", "delivery")} and amelie.comments == {1: "But même de l'action"}
    assert amelie.cells[2] == "L3"
    assert berenice.categories == {1: "dont_know", 2: None, 3: "transversal", 4: None}
    assert berenice.elements == {3: ("methodology",)} and answers.missing == 4


def test_csv_comma_utf8_with_bom_english_headings(key: Key, tmp_path: Path) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        'participant,action,category,elements,comment\nP07,1,S,"1, 2",\nP07,4,I don\'t know,,"long, quoted"\n',
        encoding="utf-8-sig",
    )
    (p07,) = read_answers([path], key).participants
    assert p07.categories == {1: "specific", 2: None, 3: None, 4: "dont_know"}
    assert p07.elements == {1: ("experience", "constituencies")} and p07.comments == {4: "long, quoted"}


def test_csv_refusals(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        "participant;action;catégorie\nP01;1;S\n;2;S\nP01;9;S\nP01;1;T\nP01;2;spe cifique\n",
        encoding="utf-8",
    )
    assert error([path], key) == message(
        "(1) form.csv, ligne 3, colonne « participant » : participant·e non renseigné·e ; "
        "(2) form.csv, ligne 4, colonne « action » : action n° « 9 » inconnue du corrigé ; "
        "(3) form.csv, ligne 5 : « P01 » a déjà répondu à l'action n° 1 (ligne 2) ; "
        "(4) form.csv, ligne 6, colonne « catégorie » : réponse « spe cifique » non reconnue ; réponses "
        f"possibles : {CHOICES_FR}"
    )
    path.write_text("nom;réponse\nP01;S\n", encoding="utf-8")
    assert error([path], key) == message(
        "form.csv, ligne 1 : colonne(s) « action » absente(s) ; colonnes attendues : participant, action (son "
        "numéro), catégorie, éléments, commentaire"
    )
    path.write_text("participant;action;category\n", encoding="utf-8")
    assert error([path], key) == message(
        "form.csv : aucune réponse : le fichier ne contient que la ligne d'en-tête"
    )
    path.write_text("participant;action;category\nP05;1;\nP05;2;\n", encoding="utf-8")
    assert error([path], key) == message("form.csv : « P05 » n'a donné aucune réponse")
    shutil.copy(workbook(kit, tmp_path), path)
    assert error([path], key) == message(
        "form.csv : ce fichier .csv est en fait un classeur (zip) : enregistrez-le en .xlsx ou exportez-le en CSV"
    )


def test_same_participant_in_a_workbook_and_a_csv(kit: Kit, key: Key, tmp_path: Path) -> None:
    book = fill(workbook(kit, tmp_path), {1: ("S", None, None)})
    form = tmp_path / "form.csv"
    form.write_text("participant;action;category\nP01;1;T\n", encoding="utf-8")
    assert error([book, form], key) == message(
        "form.csv : « P01 » a déjà donné ses réponses (reponses_P01.xlsx) : le même classeur deux fois, ou une "
        "copie ?"
    )


# --------------------------------------------------------------------------------------------------
# the questionnaire's sheet reader, as the workshop uses it


def test_questionnaire_sheet_reader_collects_every_problem(kit: Kit, tmp_path: Path) -> None:
    path = fill(workbook(kit, tmp_path), {}, web={"policy": ("beaucoup", None), "staff": ("=2", None)})
    wb = openpyxl.load_workbook(path, read_only=True)
    problems: list[Any] = []
    q = read_questionnaire_sheet(wb, "Toile (questionnaire)", "fr", MODEL, problems=problems)
    wb.close()
    assert [p.fr for p in problems] == [
        "feuille « Toile (questionnaire) », ligne 7, cellule E7 (Cadre politique et programmation) : réponse "
        "« beaucoup » non reconnue ; réponses possibles : 0, 1, 2, 3 (ou absent, faible, moyen, fort), ou « ne "
        "sait pas »",
        "feuille « Toile (questionnaire) », ligne 10, cellule E10 (Gestion du personnel et formation) : formule "
        "refusée (tapez la réponse elle-même)",
    ]
    assert "policy" not in q.answers and q.answers["experience"].score is None


def test_hostile_kit_text_stays_inert(tmp_path: Path) -> None:
    kit = make_kit()
    hostile = dataclasses.replace(
        kit.actions[0],
        label="=cmd|' /C calc'!A0",
        fields=(("Description", "<r><t>rich</t></r>"), ("Porteur", "@SUM(1+1)"), ("Objectifs", "x" * 40_000)),
        reasons=("+1+1",),
    )
    kit = dataclasses.replace(kit, actions=(hostile, *kit.actions[1:]), title="-2+3")
    path = workbook(kit, tmp_path)
    write_key_workbook(kit, tmp_path / "corrige.xlsx")
    for book in (path, tmp_path / "corrige.xlsx"):
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (book.name, ws.title, c.coordinate)
    ws = openpyxl.load_workbook(path)["Actions"]
    assert ws["B7"].value == "=cmd|' /C calc'!A0" and ws["A1"].value.startswith("-2+3")
    assert ws["C7"].value.startswith("Description : <r><t>rich</t></r>\nPorteur : @SUM(1+1)\nObjectifs : xxx")
    assert read_key(tmp_path / "corrige.xlsx").categories[1] == "specific"


def test_workbook_words_in_both_languages() -> None:
    data = load_data("workshop_words.yaml")
    for group in ("workbook", "key_workbook"):
        for name, entry in data[group].items():
            assert set(entry) == {"fr", "en"}, (group, name)
            if name.endswith("sheet"):
                assert all(sheet_name(v) == v for v in entry.values()), name
            if isinstance(entry["fr"], list):
                assert len(entry["fr"]) == len(entry["en"]), name


def test_damaged_workbook_part(kit: Kit, key: Key, tmp_path: Path) -> None:
    path = fill(workbook(kit, tmp_path), {1: ("S", None, None)})
    with zipfile.ZipFile(path) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet1"))
        body = z.read(sheet)
    damaged = _rewrite(path, tmp_path / "abime.xlsx", {sheet: body[: len(body) // 2]})
    assert error([damaged], key).startswith(
        "Fichiers de l'atelier non lus : abime.xlsx : contenu du classeur endommagé ("
    )
