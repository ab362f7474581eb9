"""The two-year fixtures (programmation 2023 against 2024): the generator reproduces them, bie reads the 2023
workbook exactly as its expected JSON says, and the ground truth of the comparison is real: bie tags the
matched and discontinued actions the way ``compare_2023_2024.json`` records them."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import bie
from tests.conftest import FIXTURES
from tests.test_fixtures_files import generate, local_zlib_matches, zip_members

NEW_FILES = (
    "programmation_cdv_2023.xlsx",
    "expected/programmation_cdv_2023.json",
    "expected/compare_2023_2024.json",
)
A_FILE, B_FILE = FIXTURES / "programmation_cdv_2023.xlsx", FIXTURES / "programmation_cdv_2024.xlsx"
CATEGORIES = ("specific", "transversal", "not_integrated", "to_review")
#: Every kind of change the 2023 file was built to hold, with at least two actions each.
KINDS = (
    "renewed_identical",
    "measure_added",
    "documented",
    "category_changed",
    "amount_up",
    "amount_down",
    "declaration_changed",
    "title_reworded",
    "title_replaced",
    "matched_by_id",
    "matched_by_carrier_title",
    "new",
    "discontinued",
)
CENT = Decimal("0.01")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / "expected" / name).read_text(encoding="utf-8"), parse_float=Decimal
    )
    return data


@pytest.fixture(scope="module")
def compare() -> dict[str, Any]:
    return load("compare_2023_2024.json")


@pytest.fixture(scope="module")
def expected_a() -> dict[str, Any]:
    return load("programmation_cdv_2023.json")


@pytest.fixture(scope="module")
def tags() -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], str, str]:
    """bie's tags on each year, by row: (2023, 2024, basis 2023, basis 2024)."""
    a, b = bie.audit([A_FILE]), bie.audit([B_FILE])
    by_row = [{r["_row"]: r for r in audit.actions.iter_rows(named=True)} for audit in (a, b)]
    return by_row[0], by_row[1], a.summary["amount_basis"], b.summary["amount_basis"]


def cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def fold(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain.casefold()))


# --- Reproducibility --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    generate(first)
    generate(second)
    return first, second


@pytest.mark.parametrize("name", NEW_FILES)
def test_generator_is_deterministic(regenerated: tuple[Path, Path], name: str) -> None:
    first, second = regenerated
    assert (first / name).read_bytes() == (second / name).read_bytes(), name
    committed = FIXTURES / name
    hint = f"{name} differs: run `.venv/bin/python fixtures/make_fixtures.py` and commit the result"
    if name.endswith(".xlsx") and not local_zlib_matches(committed):
        assert zip_members(first / name) == zip_members(committed), hint
    else:
        assert (first / name).read_bytes() == committed.read_bytes(), hint


# --- bie reads the 2023 workbook as its expected JSON says --------------------------------------------------


@pytest.fixture(scope="module")
def read_a() -> bie.ReadResult:
    return bie.read(A_FILE)


def test_2023_rows_and_totals(read_a: bie.ReadResult, expected_a: dict[str, Any]) -> None:
    result, exp = read_a, expected_a
    assert exp["files"] == ["programmation_cdv_2023.xlsx"]
    assert result.sheet == exp["sheet"] == "Programmation 2023"
    assert result.header_rows == exp["header_rows"] == [4, 5]
    assert 60 <= result.actions.height == exp["actions"] <= 90
    got_excluded = sorted((r["row"], r["reason"]) for r in result.excluded.iter_rows(named=True))
    assert got_excluded == sorted((e["row"], e["reason"]) for e in exp["excluded"])
    assert sorted(result.actions.get_column("_row").to_list()) == sorted(r["row"] for r in exp["action_rows"])
    assert {k: cents(v) for k, v in result.funders.items()} == exp["funders"]
    assert {k: cents(v) for k, v in result.amounts.items()} == exp["amounts"]
    assert sum(exp["funders"].values()) == exp["amounts"]["requested"]
    for key, col in (("women", "women"), ("men", "men"), ("total", "beneficiaries_total")):
        assert result.actions.get_column(col).sum() == exp["beneficiaries"][key]
    assert exp["total_mismatches"] == []
    assert not [i for i in result.issues if i.code == "total-mismatch"]


def test_2023_cells_as_described(read_a: bie.ReadResult, expected_a: dict[str, Any]) -> None:
    actions = {r["_row"]: r for r in read_a.actions.iter_rows(named=True)}
    for r in expected_a["action_rows"]:
        assert actions[r["row"]]["action_id"] == r["dossier"]
        assert actions[r["row"]]["title"] == r["title"]
    for t in expected_a["text_amounts"]:
        column = "total_cost" if t["column_letter"] == "J" else f"funding:{t['column']}"
        assert cents(actions[t["row"]][column]) == t["value"], t
    dossiers = [r["dossier"] for r in expected_a["action_rows"]]
    assert len(set(dossiers)) == len(dossiers)


def test_2023_expected_has_the_2024_keys(expected_a: dict[str, Any]) -> None:
    assert set(expected_a) == set(load("programmation_cdv_2024.json"))
    assert set(expected_a["categories"]) == set(CATEGORIES)
    assert sum(expected_a["categories"].values()) == expected_a["actions"]


# --- The comparison's ground truth holds together ------------------------------------------------------


def test_every_row_of_both_files_once(compare: dict[str, Any], expected_a: dict[str, Any]) -> None:
    b_rows = sorted(r["row"] for r in load("programmation_cdv_2024.json")["action_rows"])
    assert [p["b"]["row"] for p in compare["pairs"]] == b_rows
    a_rows = [p["a"]["row"] for p in compare["pairs"] if p["a"]] + [
        d["a"]["row"] for d in compare["discontinued"]
    ]
    assert sorted(a_rows) == sorted(r["row"] for r in expected_a["action_rows"])
    assert compare["a"]["actions"] == expected_a["actions"] and compare["b"]["actions"] == len(b_rows)


def test_change_kinds(compare: dict[str, Any]) -> None:
    assert tuple(compare["counts"]) == KINDS
    for kind in KINDS:
        assert compare["counts"][kind] == len(compare["changes"][kind]) >= 2, kind
    listed: dict[str, list[str]] = {k: [] for k in KINDS}
    for p in [*compare["pairs"], *compare["discontinued"]]:
        for kind in p["changes"]:
            listed[kind].append(p["action_id"])
    assert {k: sorted(v) for k, v in listed.items()} == compare["changes"]
    matched = [p for p in compare["pairs"] if p["a"]]
    assert compare["counts"]["new"] + len(matched) == compare["b"]["actions"]
    assert compare["counts"]["discontinued"] + len(matched) == compare["a"]["actions"]


def test_matches_are_sound(compare: dict[str, Any]) -> None:
    """An id match has the same dossier; any other match has the same carrier and a title close enough (the
    same words once accents and case are folded, or one word more or less)."""
    dossiers_b = {p["b"]["dossier"]: p["action_id"] for p in compare["pairs"]}
    for p in compare["pairs"]:
        a, b = p["a"], p["b"]
        if a is None:
            assert p["changes"] == ["new"]
            continue
        assert a["carrier"] == b["carrier"]
        assert dossiers_b.get(a["dossier"], p["action_id"]) == p["action_id"], (
            "a 2023 dossier points elsewhere"
        )
        if p["match"] == "id":
            assert a["dossier"] == b["dossier"]
        else:
            assert p["match"] == "carrier_title" and a["dossier"] != b["dossier"]
            words_a, words_b = fold(a["title"]).split(), fold(b["title"]).split()
            assert (
                Counter(words_a) - Counter(words_b) == Counter()
                or Counter(words_b) - Counter(words_a) == Counter()
            ), (a["title"], b["title"])
            assert abs(len(words_a) - len(words_b)) <= 1
        assert p["amount_change"] == b["amount"] - a["amount"]
        assert ("amount_up" in p["changes"]) == (b["amount"] > a["amount"])
        assert ("amount_down" in p["changes"]) == (b["amount"] < a["amount"])
        moved = p["category_change"]
        assert (moved is None) == (a["category"] == b["category"])
        if "measure_added" in p["changes"]:
            assert moved == {"from": "not_integrated", "to": "transversal"}
        if "documented" in p["changes"]:
            assert moved is not None and moved["from"] == "to_review"
        assert (p["declaration_change"] is None) == (a["declared"] == b["declared"])
    for d in compare["discontinued"]:
        assert d["a"]["dossier"] not in dossiers_b


def test_flows_add_up(compare: dict[str, Any]) -> None:
    for side, key in (("a", "from"), ("b", "to")):
        by_cat: Counter[str] = Counter()
        money: dict[str, Decimal] = dict.fromkeys(CATEGORIES, Decimal(0))
        for f in compare["flows"]:
            if f[key] is not None:
                by_cat[f[key]] += f["actions"]
                money[f[key]] += f[f"amount_{side}"]
        assert dict(by_cat) == {c: n for c, n in compare[side]["categories"].items() if n}
        assert money == compare[side]["amount_by_category"]
        assert sum(money.values()) == compare[side]["amount"]
    assert sum(f["actions"] for f in compare["flows"] if f["from"] is None) == compare["counts"]["new"]
    assert sum(f["actions"] for f in compare["flows"] if f["to"] is None) == compare["counts"]["discontinued"]
    changed = sum(
        f["actions"] for f in compare["flows"] if None not in (f["from"], f["to"]) and f["from"] != f["to"]
    )
    assert changed == compare["counts"]["category_changed"]


# --- bie agrees with the ground truth -------------------------------------------------------------------


def test_bie_tags_agree_with_the_comparison(
    compare: dict[str, Any], tags: tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], str, str]
) -> None:
    """On both years, bie's category and amount for every matched action (and every discontinued one) are the
    ones the comparison records: the intended category changes are real changes of bie's tags."""
    tags_a, tags_b, basis_a, basis_b = tags
    assert basis_a == basis_b == compare["amount_basis"]
    wrong: list[tuple[str, str, str, str]] = []
    for p in compare["pairs"]:
        got_b = tags_b[p["b"]["row"]]
        assert cents(got_b["_amount"]) == p["b"]["amount"], p["action_id"]
        if p["a"] is None:
            continue
        got_a = tags_a[p["a"]["row"]]
        assert cents(got_a["_amount"]) == p["a"]["amount"], p["action_id"]
        for year, got, want in (("2023", got_a, p["a"]), ("2024", got_b, p["b"])):
            if got["category"] != want["category"]:
                wrong.append((p["action_id"], year, want["category"], got["category"]))
    for d in compare["discontinued"]:
        got = tags_a[d["a"]["row"]]
        assert cents(got["_amount"]) == d["a"]["amount"], d["action_id"]
        if got["category"] != d["a"]["category"]:
            wrong.append((d["action_id"], "2023", d["a"]["category"], got["category"]))
    assert wrong == []


def test_bie_sees_the_declaration_changes(
    compare: dict[str, Any], tags: tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], str, str]
) -> None:
    tags_a, tags_b, _, _ = tags
    for p in compare["pairs"]:
        if p["a"] is None:
            continue
        declared_a = tags_a[p["a"]["row"]]["declared_category"]
        declared_b = tags_b[p["b"]["row"]]["declared_category"]
        assert (declared_a != declared_b) == ("declaration_changed" in p["changes"]), p["action_id"]
