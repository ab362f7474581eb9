"""The workshop end to end (issue 11), as a trainer runs it: ``bie workshop prepare`` on the demo file,
eight participants' workbooks filled with answers whose agreement is known, ``bie workshop score``, the
readout; bad answer files give one clear line each."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bie.workshop.answers import read_key
from bie.workshop.stats import cohen_kappa, fleiss_kappa
from bie.workshop.workbook import COL_CATEGORY, COL_COMMENT, COL_ELEMENTS, FIRST_ROW
from bie_cli.main import cli
from tests.conftest import FIXTURES

PROG = FIXTURES / "programmation_cdv_2024.xlsx"
WORDS = {"specific": "spécifique", "transversal": "égalité intégrée", "not_integrated": "non prise en compte"}


@pytest.fixture(scope="module")
def kit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("atelier")
    result = CliRunner().invoke(
        cli, ["workshop", "prepare", str(PROG), "-o", str(out), "--participants", "8", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    return out


def _fill(path: Path, answers: dict[int, tuple[str, str, str]], web: dict[str, str] | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for number, (category, elements, comment) in answers.items():
        row = FIRST_ROW + number - 1
        ws.cell(row, COL_CATEGORY + 1).value = category
        ws.cell(row, COL_ELEMENTS + 1).value = elements or None
        ws.cell(row, COL_COMMENT + 1).value = comment or None
    if web:
        wq = next(s for s in wb.worksheets if s.title.endswith("(questionnaire)"))
        for row in wq.iter_rows(min_row=2):
            if row[0].value in web:
                row[4].value = web[row[0].value]
    wb.save(path)


def test_prepare_writes_the_kit_and_says_what_it_chose(kit_dir: Path) -> None:
    names = sorted(p.name for p in kit_dir.iterdir())
    assert names == sorted(
        [
            *(f"participants_reponses_P0{i}.xlsx" for i in range(1, 9)),
            "participants_cartes.html",
            "affiche_toile_A3.html",
            "affiche_toile.svg",
            "formateur_corrige.html",
            "formateur_corrige.xlsx",
            "formateur_guide.html",
        ]
    )
    key = read_key(kit_dir / "formateur_corrige.xlsx")
    assert key.kit is not None and len(key.kit.actions) == 12
    assert key.kit.participants == tuple(f"P0{i}" for i in range(1, 9))


def test_full_run_with_known_agreement(kit_dir: Path, tmp_path: Path) -> None:
    key = read_key(kit_dir / "formateur_corrige.xlsx")
    assert key.kit is not None
    bie = key.categories
    judged = [n for n, c in bie.items() if c != "to_review"]
    answers_dir = tmp_path / "reponses"
    answers_dir.mkdir()
    given: dict[str, dict[int, str]] = {}
    for i in range(1, 9):
        source = kit_dir / f"participants_reponses_P0{i}.xlsx"
        target = answers_dir / source.name
        target.write_bytes(source.read_bytes())
        rows: dict[int, tuple[str, str, str]] = {}
        mine: dict[int, str] = {}
        for n, category in bie.items():
            # Six participants answer as bie does (« je ne sais pas » where bie is « à examiner »); P07 does on
            # even-numbered actions and answers « non prise en compte » elsewhere; P08 answers it everywhere.
            as_bie = category if category != "to_review" else "dont_know"
            answer = as_bie if i <= 6 or (i == 7 and n % 2 == 0) else "not_integrated"
            mine[n] = answer
            rows[n] = (
                WORDS.get(answer, "je ne sais pas"),
                "1; 9" if i == 1 else "",
                "trop court" if i == 8 else "",
            )
        given[f"P0{i}"] = mine
        web = {"commitment": "3", "policy": "1", "staff": "0"} if i in (1, 2) else None
        _fill(target, rows, web)
    out = tmp_path / "restitution"
    result = CliRunner().invoke(
        cli,
        [
            "workshop",
            "score",
            str(kit_dir / "formateur_corrige.xlsx"),
            *map(str, sorted(answers_dir.iterdir())),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["restitution.html", "restitution.xlsx"]
    assert "8 classeurs lus" in result.output
    # The room's kappa is Fleiss' on the actions everybody classified (bie's « à examiner » ones left out).
    cats = ("specific", "transversal", "not_integrated")
    table = [[sum(1 for g in given.values() if g[n] == c) for c in cats] for n in sorted(judged)]
    expected = fleiss_kappa(table)
    assert expected.kappa is not None
    shown = f"{expected.kappa:.2f}".replace(".", ",")
    assert f"actions) : {shown}" in result.output
    # Cohen's kappa of P07 with bie, as the readout workbook records it.
    p7 = cohen_kappa([given["P07"][n] for n in judged], [bie[n] for n in judged], cats)
    p1 = cohen_kappa([given["P01"][n] for n in judged], [bie[n] for n in judged], cats)
    assert p1.kappa == 1.0 and p7.kappa is not None and 0 < p7.kappa < 1
    wb = openpyxl.load_workbook(out / "restitution.xlsx")
    rows = {row[0]: row for row in wb["Participants"].iter_rows(min_row=2, values_only=True)}
    assert rows["P07"][2] == pytest.approx(p7.kappa) and rows["P01"][2] == pytest.approx(1.0)
    comments = [row for row in wb["Commentaires"].iter_rows(min_row=2, values_only=True)]
    assert comments and all(row[0] == "P08" and row[-1] == "trop court" for row in comments)
    html = (out / "restitution.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "trop court" in html


def test_bad_answer_files_give_one_clear_line(kit_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "participants_reponses_P03.xlsx"
    bad.write_bytes((kit_dir / "participants_reponses_P03.xlsx").read_bytes())
    _fill(bad, {1: ("spe cifique", "", ""), 2: ("=1+1", "", "")})
    result = CliRunner().invoke(
        cli,
        ["workshop", "score", str(kit_dir / "formateur_corrige.xlsx"), str(bad), "-o", str(tmp_path / "out")],
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Erreur : ")
    assert (
        "participants_reponses_P03.xlsx, feuille « Actions », cellule D7 : réponse « spe cifique » non reconnue"
        in lines[0]
    )
    assert not (tmp_path / "out").exists()
    # The key given as an answer, and an answer file given as the key.
    result = CliRunner().invoke(
        cli,
        ["--lang", "en", "workshop", "score", str(bad), str(bad), "-o", str(tmp_path / "out")],
    )
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("lang", ["en"])  # internal ids are looked for in English too
def test_no_internal_id_and_no_french_in_english_workshop_outputs(lang: str, tmp_path: Path) -> None:
    """The scan of issue 10 on every file of the kit and of its readout: no internal id reaches a reader; in
    English, no French word outside the file's own text."""
    import bie
    from bie.workshop import prepare, readout
    from bie.workshop.scoring import ParticipantAnswers, score_answers
    from tests.scan import scan_files

    prepared = prepare([PROG], tmp_path / "kit", participants=2, seed=3, lang=lang)
    kit = prepared.kit
    bie_answers = {a.number: a.category for a in kit.actions}
    room = [
        ParticipantAnswers(
            f"P0{i}",
            f"p{i}.xlsx",
            {n: ("specific" if (n + i) % 3 == 0 else "not_integrated") for n in bie_answers},
            web={"commitment": 3, "policy": 1, "staff": 0},
            comments={1: "ok"},
        )
        for i in (1, 2, 3)
    ]
    result = score_answers(bie_answers, room, web_scores=kit.web_scores)
    page = tmp_path / "readout.html"
    page.write_text(readout.render_readout(kit, result), encoding="utf-8")
    book = tmp_path / "readout.xlsx"
    readout.write_readout_workbook(kit, result, book, answers=room)
    found = scan_files(bie.audit([PROG]), lang, [*prepared.written, page, book])
    assert found == [], [(f.where, f.kind, f.word, f.context) for f in found[:10]]


def test_the_key_gives_pistes_for_the_files_weak_elements(tmp_path: Path) -> None:
    """On a real file whose web shows weak elements, the answer key suggests documented practices for each,
    with their sources; nothing in it is an internal id or, in English, a French word of bie's."""
    import bie
    from bie.workshop import prepare
    from tests.conftest import REAL
    from tests.scan import scan_files

    source = REAL / "somme_conventions_2018.csv"
    prepared = prepare([source], tmp_path, actions=6, lang="en")
    kit = prepared.kit
    assert kit.weak, "the Somme file's web has weak elements"
    key = (tmp_path / "trainer_answer_key.html").read_text(encoding="utf-8")
    assert "Action leads for what the file shows" in key
    for element in kit.weak:
        assert f"Weak element: {kit.elements[element]}".replace("'", "&#39;") in key
    assert "https://www.labo-cites.org/" in key or "http://www.cget.gouv.fr/" in key
    found = scan_files(bie.audit([source]), "en", list(prepared.written))
    assert found == [], [(f.where, f.kind, f.word, f.context) for f in found[:10]]
