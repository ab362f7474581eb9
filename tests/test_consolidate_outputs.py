"""The consolidation's reports (issue 12, part 2): HTML, Excel and JSON of 20 generated contracts, their figures
against the model, no internal id and no French word in English, hostile names escaped, the ``bie
consolidate`` command, and the page in a real Chromium (screenshots in /tmp/an/consolidate_*.png)."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import bie
from bie.consolidate import Consolidation, consolidate, table_files
from bie.consolidate_html import render_consolidation_html
from bie.i18n import Numbers
from tests.contracts import Contract, generate
from tests.scan import scan_files

N = 20
SHOTS = Path("/tmp/an")


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> list[Contract]:
    return generate(tmp_path_factory.mktemp("contracts"), N)


@pytest.fixture(scope="module")
def folder(contracts: list[Contract]) -> Path:
    return contracts[0].path.parent


@pytest.fixture(scope="module")
def by_grantor(folder: Path) -> Consolidation:
    return consolidate([folder], by="grantor")


@pytest.fixture(scope="module")
def written(
    by_grantor: Consolidation, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Path]]:
    out: dict[str, dict[str, Path]] = {}
    for lang in ("fr", "en"):
        paths = by_grantor.write(tmp_path_factory.mktemp(f"out-{lang}"), lang=lang)
        out[lang] = {p.suffix.lstrip("."): p for p in paths}
    return out


def test_write_names_all_or_nothing(by_grantor: Consolidation, written: dict[str, dict[str, Path]]) -> None:
    assert sorted(p.name for p in written["fr"].values()) == [
        "consolidation.bie.html",
        "consolidation.bie.json",
        "consolidation.bie.xlsx",
    ]
    assert json.loads(written["en"]["json"].read_text(encoding="utf-8")) == by_grantor.to_dict("en")
    with pytest.raises(ValueError, match="format"):
        by_grantor.write(written["fr"]["html"].parent, formats=("html", "pdf"))


def test_never_over_an_input(by_grantor: Consolidation, folder: Path) -> None:
    clash = folder / "consolidation.bie.json"
    first = folder / by_grantor.files[0]
    shutil.copy(first, clash)  # an input of the same name as an output
    try:
        with pytest.raises(bie.errors.BieError):
            consolidate([first, clash], by="file").write(folder, formats=("html", "json"))
        assert not (folder / "consolidation.bie.html").exists()
    finally:
        clash.unlink()


def _norm(text: str) -> str:
    return " ".join(text.split())


def _visible(page: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def test_html_figures_are_the_models(by_grantor: Consolidation, written: dict[str, dict[str, Path]]) -> None:
    for lang in ("fr", "en"):
        page = written[lang]["html"].read_text(encoding="utf-8")
        text = " ".join(_visible(page).split())
        n = Numbers(lang)
        f = by_grantor.totals
        assert _norm(n.money(f.amount_cents / 100)) in text
        assert _norm(n.pct(f.weighted_share, 1)) in text
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page.split('id="t-ranking"')[1].split("</table>")[0], re.S)
        body = [r for r in rows if "<td" in r]
        assert len(body) == len(by_grantor.groups)
        for r, g in zip(body, by_grantor.groups, strict=True):
            cells = " ".join(_visible(r).split())
            assert cells.startswith(f"{g.rank} {g.label(lang)}")
            assert _norm(n.money(g.figures.amount_cents / 100)) in cells
            assert _norm(n.pct(g.figures.weighted_share, 1)) in cells
            assert _norm(n.pct(g.figures.to_review_share, 1)) in cells
        assert page.count('class="strip"') == len(by_grantor.groups) + 5  # one per group, five in the key
        for x in by_grantor.lacking:
            assert html_lib.escape(x.file) in page
        assert by_grantor.basis not in ("", None)


def test_xlsx_figures_are_the_models(by_grantor: Consolidation, written: dict[str, dict[str, Path]]) -> None:
    wb = openpyxl.load_workbook(written["fr"]["xlsx"])
    assert wb.sheetnames == ["Synthèse", "Classement", "Toile", "Rapprochement", "Fichiers"]
    assert openpyxl.load_workbook(written["en"]["xlsx"]).sheetnames == [
        "Summary",
        "Ranking",
        "Web",
        "Reconciliation",
        "Files",
    ]
    ws = wb["Classement"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref
    header = [c.value for c in ws[1]]
    amount = header.index("Montant")
    share = header.index("Part pondérée (UE)")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(by_grantor.groups)
    for r, g in zip(rows, by_grantor.groups, strict=True):
        assert r[0] == g.rank and r[1] == g.label("fr")
        assert round(float(r[amount]) * 100) == g.figures.amount_cents  # typed numbers
        assert r[share] == (
            None if g.figures.weighted_share is None else pytest.approx(g.figures.weighted_share)
        )
    web = list(wb["Toile"].iter_rows(min_row=2, max_row=1 + len(by_grantor.groups), values_only=True))
    for r, g in zip(web, by_grantor.groups, strict=True):
        assert list(r[2 : 2 + len(g.web)]) == [e.score for e in g.web]
    files = list(wb["Fichiers"].iter_rows(min_row=2, values_only=True))
    assert sorted({r[0] for r in files}) == sorted(by_grantor.files)
    summary = [v for row in wb["Synthèse"].iter_rows(values_only=True) for v in row if v is not None]
    assert by_grantor.totals.amount_cents in {round(float(v) * 100) for v in summary if isinstance(v, float)}
    for x in by_grantor.lacking:
        assert x.file in summary


def test_no_internal_id_nor_french_in_english(folder: Path, written: dict[str, dict[str, Path]]) -> None:
    audit = bie.audit(table_files(folder))
    for lang in ("fr", "en"):
        found = scan_files(audit, lang, [written[lang]["html"], written[lang]["xlsx"]])
        assert not found, [(f.where, f.kind, f.word, f.context) for f in found[:10]]


HOSTILE = '<script>alert(1)</script>=HYPERLINK("x")'


def test_hostile_names_escaped(contracts: list[Contract], tmp_path: Path) -> None:
    source = next(c for c in contracts if c.path.suffix == ".csv")
    hostile = tmp_path / "<img src=x onerror=alert(1)>.csv"
    text = source.path.read_bytes()
    hostile.write_bytes(text)
    other = tmp_path / "=cmd|' calc'!A1.csv"
    other.write_bytes(text + b"\n")
    result = consolidate([hostile, other], by="file")
    page = render_consolidation_html(result, "en")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    assert "<script" not in page
    paths = result.write(tmp_path / "out", formats=("xlsx",))
    wb = openpyxl.load_workbook(paths[0])
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any(c.value == "=cmd|' calc'!A1.csv" and c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for c in cells)


# ------------------------------------------------------------------------------------------------ CLI


def _run(*args: str) -> Any:
    from bie_cli.main import cli

    return CliRunner().invoke(cli, list(args))


def test_cli_folder_input(folder: Path, tmp_path: Path) -> None:
    result = _run("consolidate", str(folder), "-o", str(tmp_path), "--by", "grantor", "--format", "html,json")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Consolidation de 20 fichiers par attribuant" in out
    assert "Base des montants : " in out
    assert f"Écrit : {tmp_path / 'consolidation.bie.html'}" in out
    assert f"Écrit : {tmp_path / 'consolidation.bie.json'}" in out
    assert not (tmp_path / "consolidation.bie.xlsx").exists()
    data = json.loads((tmp_path / "consolidation.bie.json").read_text(encoding="utf-8"))
    assert data["by"] == "grantor" and data["totals"]["files"] == N


def test_cli_files_in_english_with_basis(contracts: list[Contract], tmp_path: Path) -> None:
    files = [str(c.path) for c in contracts[:3]]
    result = _run(
        "consolidate", *files, "-o", str(tmp_path), "--basis", "granted", "--lang", "en", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    assert "Consolidation of 3 files by file" in result.output
    assert "Amount basis: amounts granted (chosen)" in result.output
    assert f"Written: {tmp_path / 'consolidation.bie.json'}" in result.output


def test_cli_empty_folder_one_error_line(tmp_path: Path) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    (empty / "notes.txt").write_text("rien", encoding="utf-8")
    result = _run("consolidate", str(empty), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output == (
        f"Erreur : aucun tableau à consolider (.xlsx, .xlsm, .xls, .ods, .csv) dans {empty}.\n"
    )
    result = _run("consolidate", str(empty), "-o", str(tmp_path / "out"), "--lang", "en")
    assert result.exit_code == 1
    assert result.output == f"Error: no table to consolidate (.xlsx, .xlsm, .xls, .ods, .csv) in {empty}.\n"
    assert not (tmp_path / "out").exists()


def test_cli_bad_grouping_is_a_usage_error(folder: Path, tmp_path: Path) -> None:
    result = _run("consolidate", str(folder), "-o", str(tmp_path), "--by", "region")
    assert result.exit_code == 2


# ------------------------------------------------------------------------------------------------ browser


@pytest.mark.browser
def test_in_chromium(require_browser: str, written: dict[str, dict[str, Path]], tmp_path: Path) -> None:
    from tests.test_report_browser import ARGS, Opened, _sync_playwright, png_summary

    SHOTS.mkdir(parents=True, exist_ok=True)
    with _sync_playwright()() as p:
        browser = p.chromium.launch(executable_path=require_browser, args=ARGS)
        try:
            for lang in ("fr", "en"):
                for width in (1400, 390):
                    opened = Opened(browser, written[lang]["html"], width=width)
                    assert opened.problems() == []
                    assert all(u.startswith("file://") for u in opened.requests), opened.requests
                    scroll = opened.page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= width, f"horizontal scroll at {width}px ({lang}): {scroll}"
                    shot = SHOTS / f"consolidate_{lang}_{width}.png"
                    opened.page.screenshot(path=str(shot), full_page=True)
                    w, h, distinct = png_summary(shot)
                    assert w == width and h > 1000 and distinct > 100
                    opened.page.close()
        finally:
            browser.close()


def test_many_groups_capped_with_a_note(by_grantor: Consolidation) -> None:
    from dataclasses import replace

    from bie.consolidate_html import CAP_GROUPS, CAP_WEB

    many = tuple(
        replace(g, rank=k * len(by_grantor.groups) + g.rank, name=f"{g.name} {k}")
        for k in range(40)
        for g in by_grantor.groups
    )
    page = render_consolidation_html(replace(by_grantor, groups=many), "en")
    assert page.count('class="strip"') == CAP_WEB + 5
    assert page.count('<details class="group"') == CAP_GROUPS
    assert f"The first {CAP_WEB} groups of the ranking out of {len(many)}" in page
    assert page.count("<tr") >= len(many)  # the ranking has them all
