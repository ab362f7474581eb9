"""The outputs of a comparison (``Comparison.write``, ``bie compare``): golden tests in three formats on the
2023/2024 fixtures, their figures against ``fixtures/expected/compare_2023_2024.json``, the command line's
messages and exit codes, and outputs never written over an input.

Golden files: ``tests/golden/compare_2023_2024.json`` (the whole ``to_dict`` in French, volatile fields
removed), ``tests/golden/compare_structure_xlsx.json`` (sheet names, headers and key figures) and
``tests/golden/compare_structure_html.json`` (section ids and table headers); regenerate them with
``BIE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_compare_outputs.py`` when a change is wanted.
"""

from __future__ import annotations

import importlib.util
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from bie.comparison import Comparison, compare
from bie.errors import OutputIsInput
from bie_cli.main import _forget_help_options, cli
from tests.conftest import FIXTURES, ROOT
from tests.test_compare import MAINSTREAMED, PLAIN, SABLIERE, write

GOLDEN = ROOT / "tests" / "golden"
A_FILE, B_FILE = FIXTURES / "programmation_cdv_2023.xlsx", FIXTURES / "programmation_cdv_2024.xlsx"
UPDATE = os.environ.get("BIE_UPDATE_GOLDEN") == "1"
#: Keys whose values change with the run or the version of bie, never with the comparison itself.
VOLATILE = frozenset({"generated_at", "bie_version", "rules_version", "web_version", "schema_version"})
HAS_HTML = importlib.util.find_spec("bie.comparison.html") is not None
needs_html = pytest.mark.skipif(not HAS_HTML, reason="bie.comparison.html is not written yet")
FORMATS = ("html", "xlsx", "json") if HAS_HTML else ("xlsx", "json")
SHEETS_FR = [
    "Synthèse",
    "Flux",
    "Actions reconduites",
    "Nouvelles",
    "Arrêtées",
    "Par pilier",
    "Par thème",
    "Par quartier",
    "Par financeur",
    "Toile",
    "Méthode",
]


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare([A_FILE, B_FILE])


@pytest.fixture(scope="module")
def written(comparison: Comparison, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("compare-out")
    paths = comparison.write(out, formats=FORMATS)
    return {p.suffix.lstrip("."): p for p in paths}


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "expected" / "compare_2023_2024.json").read_text("utf-8"))
    return data


def stable(value: Any) -> Any:
    """``value`` without its volatile keys."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def check_golden(name: str, got: Any) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with BIE_UPDATE_GOLDEN=1"
    assert got == json.loads(golden.read_text(encoding="utf-8")), (
        f"{name} differs: check, then regenerate with BIE_UPDATE_GOLDEN=1"
    )


# --------------------------------------------------------------------------------------------- files


def test_file_names_and_formats(comparison: Comparison, written: dict[str, Path], tmp_path: Path) -> None:
    assert sorted(p.name for p in written.values()) == sorted(f"2023-2024.bie-compare.{f}" for f in FORMATS)
    assert [p.name for p in comparison.write(tmp_path, formats=("json",), stem="cdv/2023:24")] == [
        "cdv_2023_24.bie-compare.json"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdv_2023_24.bie-compare.json"]
    with pytest.raises(ValueError, match="unknown format"):
        comparison.write(tmp_path, formats=("pdf",))


# ---------------------------------------------------------------------------------------------- JSON


def test_json_golden(comparison: Comparison, written: dict[str, Path]) -> None:
    data = json.loads(written["json"].read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(comparison.to_dict("fr")))
    check_golden("compare_2023_2024.json", stable(data))


def test_json_same_keys_in_english(comparison: Comparison) -> None:
    def keys(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return None

    assert keys(comparison.to_dict("en")) == keys(comparison.to_dict("fr"))


# ------------------------------------------------------------------------------------ figures vs truth


def test_matched_actions_as_expected(comparison: Comparison, expected: dict[str, Any]) -> None:
    pair = comparison.pairs[0]
    got = {(m.before.row, m.after.row): m for m in pair.matches}
    truth = {(p["a"]["row"], p["b"]["row"]): p for p in expected["pairs"] if p["a"]}
    assert set(got) == set(truth)
    assert len(got) == expected["counts"]["matched_by_id"] + expected["counts"]["matched_by_carrier_title"]
    for key, p in truth.items():
        m, a, b, changes = got[key], p["a"], p["b"], set(p["changes"])
        assert (m.before.category, m.after.category) == (a["category"], b["category"]), p["action_id"]
        assert m.category_changed == ("category_changed" in changes), p["action_id"]
        assert (m.before.amount, m.after.amount) == (a["amount"], b["amount"]), p["action_id"]
        assert m.amount.change == round(b["amount"] - a["amount"], 2), p["action_id"]
        assert (m.amount.change or 0) > 0 if "amount_up" in changes else True
        assert (m.amount.change or 0) < 0 if "amount_down" in changes else True
        assert m.declaration_changed == ("declaration_changed" in changes), p["action_id"]
        assert (m.method == "id") == ("matched_by_id" in changes), p["action_id"]
    changed = {(c["from"], c["to"]) for c in expected["category_changes"]}
    assert {(m.before.category, m.after.category) for m in pair.changed} == changed
    assert len(pair.changed) == expected["counts"]["category_changed"]


def test_new_and_discontinued_as_expected(comparison: Comparison, expected: dict[str, Any]) -> None:
    pair = comparison.pairs[0]
    assert {r.row for r in pair.new} == {p["b"]["row"] for p in expected["pairs"] if not p["a"]}
    gone = {r.row: r for r in pair.discontinued}
    assert set(gone) == {d["a"]["row"] for d in expected["discontinued"]}
    for d in expected["discontinued"]:
        r = gone[d["a"]["row"]]
        assert (r.category, r.amount) == (d["a"]["category"], d["a"]["amount"]), d["action_id"]
    assert pair.matching.new == expected["counts"]["new"]
    assert pair.matching.discontinued == expected["counts"]["discontinued"]


def test_flows_of_the_earlier_period_as_expected(comparison: Comparison, expected: dict[str, Any]) -> None:
    """Every flow leaving a 2023 category (renewed or discontinued actions, whose categories bie gives as the
    ground truth does), count and money in each year."""
    flows = comparison.pairs[0].flows
    for f in expected["flows"]:
        if f["from"] is None:
            continue
        cell = flows.cell(f["from"], f["to"] or "discontinued")
        assert (cell.count, cell.amount_before, cell.amount_after) == (
            f["actions"],
            f["amount_a"],
            f["amount_b"],
        ), f


def test_json_file_holds_the_expected_matches(written: dict[str, Path], expected: dict[str, Any]) -> None:
    pair = json.loads(written["json"].read_text(encoding="utf-8"))["pairs"][0]
    got = {(m["before"]["row"], m["after"]["row"]): m for m in pair["matches"]}
    for p in expected["pairs"]:
        if p["a"]:
            m = got[(p["a"]["row"], p["b"]["row"])]
            assert m["amount"]["change"] == round(p["b"]["amount"] - p["a"]["amount"], 2)
            assert m["after"]["category"] == p["b"]["category"]
    assert sorted(r["row"] for r in pair["discontinued"]) == sorted(
        d["a"]["row"] for d in expected["discontinued"]
    )


# ---------------------------------------------------------------------------------------------- xlsx


def table(ws: Any) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """The header and the data rows of a sheet that holds one table at its top (up to its first blank row)."""
    rows = list(ws.iter_rows(values_only=True))
    header = [v for v in rows[0] if v is not None]
    data = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        data.append(r[: len(header)])
    return header, data


def xlsx_outline(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        entry: dict[str, Any] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref}
        if ws.title == wb.worksheets[0].title:
            entry["labels"] = [r[0] for r in ws.iter_rows(min_col=1, max_col=1, values_only=True) if r[0]]
            entry["figures"] = [
                [r[0], *(round(v, 6) if isinstance(v, float) else v for v in r[1:4])]
                for r in ws.iter_rows(values_only=True)
                if isinstance(r[0], str) and isinstance(r[1], int | float)
            ]
        else:
            header, data = table(ws)
            entry["header"] = header
            entry["rows"] = len(data)
            entry["totals"] = {
                str(h): round(sum(r[j] for r in data if isinstance(r[j], int | float)), 2)
                for j, h in enumerate(header)
                if any(isinstance(r[j], int | float) for r in data)
            }
        sheets[ws.title] = entry
    return {"sheets": [ws.title for ws in wb.worksheets], "outline": sheets}


def test_xlsx_golden(written: dict[str, Path]) -> None:
    outline = xlsx_outline(written["xlsx"])
    assert outline["sheets"] == SHEETS_FR
    check_golden("compare_structure_xlsx.json", outline)


def test_xlsx_matches_as_expected(written: dict[str, Path], expected: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(written["xlsx"])
    header, rows = table(wb["Actions reconduites"])
    col = {h: j for j, h in enumerate(header)}
    got = {(r[col["Ligne 2023"]], r[col["Ligne 2024"]]): r for r in rows}
    truth = {(p["a"]["row"], p["b"]["row"]): p for p in expected["pairs"] if p["a"]}
    assert set(got) == set(truth)
    for key, p in truth.items():
        r = got[key]
        assert r[col["Montant 2023"]] == p["a"]["amount"] and r[col["Montant 2024"]] == p["b"]["amount"]
        assert r[col["Écart de montant"]] == pytest.approx(p["b"]["amount"] - p["a"]["amount"], abs=0.005)
        changed = "declaration_changed" in p["changes"]
        assert r[col["Déclaration modifiée"]] == ("Oui" if changed else "Non"), p["action_id"]
    _, gone = table(wb["Arrêtées"])
    assert len(gone) == expected["counts"]["discontinued"]
    _, new = table(wb["Nouvelles"])
    assert len(new) == expected["counts"]["new"]


def test_xlsx_typed_frozen_filtered(written: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(written["xlsx"])
    ws = wb["Actions reconduites"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref is not None
    header = [c.value for c in ws[1]]
    amount = ws.cell(2, header.index("Montant 2023") + 1)
    assert isinstance(amount.value, int | float) and "€" in amount.number_format
    score = ws.cell(2, header.index("Score de similitude") + 1)
    assert isinstance(score.value, int | float)


def test_xlsx_in_english(comparison: Comparison, tmp_path: Path) -> None:
    from bie.comparison.excel import write_comparison_excel

    write_comparison_excel(comparison, tmp_path / "en.xlsx", "en")
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx")
    assert wb.sheetnames[:5] == ["Summary", "Flows", "Renewed actions", "New", "Discontinued"]
    assert [c.value for c in wb["Renewed actions"][1]][:2] == ["Identifier 2023", "Row 2023"]


def test_xlsx_hostile_text_stays_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://x","clic")'
    rows_a = [("=1+1", "2023", "@SUM(A1)", formula, PLAIN, "-Pilier", "+Thème", SABLIERE, 1000, "Non")]
    rows_b = [("=1+1", "2024", "@SUM(A1)", formula, MAINSTREAMED, "-Pilier", "+Thème", SABLIERE, 1200, "Oui")]
    a = write(tmp_path / "a.csv", rows_a)
    b = write(tmp_path / "b.csv", rows_b)
    result = compare([a, b], labels=["=A", "<r>B</r>"])
    [path] = result.write(tmp_path / "out", formats=("xlsx",))
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    texts = {str(c.value) for c in cells}
    assert formula in texts and "@SUM(A1)" in texts
    quoted = [c for c in cells if str(c.value) == formula]
    assert quoted and all(c.quotePrefix for c in quoted)


def test_xlsx_three_periods_and_different_bases(tmp_path: Path) -> None:
    from tests.test_compare import ROWS_2023, ROWS_2024

    a = write(tmp_path / "a.csv", ROWS_2023)
    b = write(tmp_path / "b.csv", ROWS_2024)
    c = write(tmp_path / "c.csv", ROWS_2024, amount="Montant demandé")
    result = compare([a, b, c], labels=["2023", "2024", "2025"])
    [path] = result.write(tmp_path / "out", formats=("xlsx",))
    assert path.name == "2023-2024-2025.bie-compare.xlsx"
    wb = openpyxl.load_workbook(path)
    header, rows = table(wb["Actions reconduites"])
    assert header[:3] == ["Comparaison", "Identifiant avant", "Ligne avant"]
    assert {r[0] for r in rows} == {"2023 → 2024", "2024 → 2025"}
    summary = [r for r in wb["Synthèse"].iter_rows(values_only=True) if r[0] is not None]
    titles = [r[0] for r in summary]
    assert "2023 → 2025 (ensemble de la période)" in titles
    total_2025 = next(
        r
        for r in summary[summary.index(next(r for r in summary if r[0] == "2024 → 2025")) :]
        if r[0] == "Montant total"
    )
    assert total_2025[1:4] == (5900, 5900, "bases de montant différentes")
    assert any(str(t).startswith("Les montants ne sont pas sur la même base") for t in titles)


# ---------------------------------------------------------------------------------------------- html


class _Outline(HTMLParser):
    """The ids of the page's sections and the header cells of each of its tables."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self._th: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.sections.append(str(a["id"]))
        elif tag == "table":
            self.tables.append({"id": a.get("id"), "headers": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "th" and self._in_head and self.tables:
            self._th = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag == "th" and self._th is not None:
            self.tables[-1]["headers"].append(" ".join("".join(self._th).split()))
            self._th = None

    def handle_data(self, data: str) -> None:
        if self._th is not None:
            self._th.append(data)


@needs_html
def test_html_golden(written: dict[str, Path]) -> None:
    parser = _Outline()
    parser.feed(written["html"].read_text(encoding="utf-8"))
    assert parser.sections and parser.tables
    check_golden("compare_structure_html.json", {"sections": parser.sections, "tables": parser.tables})


# ----------------------------------------------------------------------------------------- not inputs


def test_never_written_over_an_input(tmp_path: Path) -> None:
    from tests.test_compare import ROWS_2023, ROWS_2024

    a = write(tmp_path / "a.csv", ROWS_2023)
    b = write(tmp_path / "b.csv", ROWS_2024)
    before = a.read_bytes()
    result = compare([a, b], labels=["2023", "2024"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "2023-2024.bie-compare.json").symlink_to(a)
    with pytest.raises(OutputIsInput):
        result.write(out, formats=("xlsx", "json"))
    assert a.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["2023-2024.bie-compare.json"]
    hard = tmp_path / "hard"
    hard.mkdir()
    os.link(b, hard / "2023-2024.bie-compare.xlsx")
    with pytest.raises(OutputIsInput):
        result.write(hard, formats=("json", "xlsx"))
    assert sorted(p.name for p in hard.iterdir()) == ["2023-2024.bie-compare.xlsx"]
    assert (hard / "2023-2024.bie-compare.xlsx").read_bytes() == b.read_bytes()


# ---------------------------------------------------------------------------------------------- CLI


def run(*args: str) -> tuple[int, str, str]:
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        # click caches each command's help option in the language of the last run: forget it, so that a
        # later test of this process (the CLI reference, rendered in French) does not inherit English.
        _forget_help_options(cli)
    return result.exit_code, result.stdout, result.stderr


def test_cli_success_in_french(tmp_path: Path) -> None:
    code, out, err = run("compare", str(A_FILE), str(B_FILE), "-o", str(tmp_path), "--format", "xlsx,json")
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0] == "Comparaison : 2023 → 2024"
    assert "Actions reconduites : 68 (dont 7 changent de catégorie) ; nouvelles : 82 ; arrêtées : 8." in lines
    assert f"Écrit : {tmp_path / '2023-2024.bie-compare.xlsx'}" in lines
    assert f"Écrit : {tmp_path / '2023-2024.bie-compare.json'}" in lines
    assert any(line.startswith("• ") for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2023-2024.bie-compare.json",
        "2023-2024.bie-compare.xlsx",
    ]


def test_cli_success_in_english_with_labels(tmp_path: Path) -> None:
    code, out, err = run(
        "compare",
        str(A_FILE),
        str(B_FILE),
        "-o",
        str(tmp_path),
        "--labels",
        "Y1, Y2",
        "-f",
        "json",
        "--lang",
        "en",
    )
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0] == "Comparison: Y1 → Y2"
    assert "Renewed actions: 68 (7 change category); new: 82; discontinued: 8." in lines
    assert f"Written: {tmp_path / 'Y1-Y2.bie-compare.json'}" in lines


def test_cli_wrong_label_count(tmp_path: Path) -> None:
    code, out, err = run("compare", str(A_FILE), str(B_FILE), "-o", str(tmp_path), "--labels", "2023")
    assert code == 1 and out == ""
    assert err == (
        "Erreur : le nombre d'étiquettes de --labels (1) n'est pas celui des fichiers (2) : donnez-en une par "
        "fichier, non vide, séparées par des virgules (--labels 2023,2024).\n"
    )
    code, _, err = run(
        "compare", str(A_FILE), str(B_FILE), "-o", str(tmp_path), "--labels", "a,b,c", "--lang", "en"
    )
    assert code == 1
    assert err == (
        "Error: the number of labels in --labels (3) is not the number of files (2): give one per file, not "
        "empty, separated by commas (--labels 2023,2024).\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_cli_one_file_or_a_missing_file(tmp_path: Path) -> None:
    code, _, err = run("compare", str(A_FILE), "-o", str(tmp_path))
    assert code == 1
    assert err == (
        "Erreur : il faut au moins deux fichiers à comparer, un par période (bie compare 2023.xlsx 2024.xlsx "
        "-o DOSSIER).\n"
    )
    missing = tmp_path / "absent.xlsx"
    code, _, err = run("compare", str(missing), str(A_FILE), "-o", str(tmp_path), "--lang", "en")
    assert code == 1
    assert err == (
        f"Error: {missing}: file not found. Check the path and the file name (quote the path if it contains "
        "spaces).\n"
    )
    assert list(tmp_path.iterdir()) == []
