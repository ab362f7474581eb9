"""Every real public subsidy file is read without error, with figures checked once by hand.

How each figure was checked (November 2026): CSV files by summing the amount column with Python's csv
module and Decimal; Aube with openpyxl (7 amounts typed as text, e.g. « 50 000 euros », 1 465 600 the
largest); Deux-Sèvres by summing fastexcel's numeric column (467 rows, no empty amount); Pyrénées-Orientales
by listing the 76 rows below the header: 54 carry an amount, the 22 others only hold payment dates, aid
nature or « non concerné » under vertically merged cells (continuation rows).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import polars as pl
import pytest

import bie
from tests.conftest import REAL

CASES = {
    # file: (sheet, header rows, actions, granted total, excluded rows by reason)
    "aube_conventions_subvention.xlsx": ("Feuil1", [1, 2], 7, "2580600.00", {"header": [1, 2]}),
    "deux_sevres_conventions.xls": ("Rapport 1", [1], 467, "29988907.79", {"header": [1]}),
    "haute_garonne_subventions.csv": ("haute_garonne_subventions", [1], 69, "357558.85", {"header": [1]}),
    "lot_subventions_2017.csv": (
        "lot_subventions_2017",
        [1],
        13,
        "878205.00",
        {"header": [1], "blank": list(range(15, 36))},  # rows as a spreadsheet shows them (records)
    ),
    "nievre_subventions_2016.csv": ("nievre_subventions_2016", [1], 97, "17140715.00", {"header": [1]}),
    "pyrenees_orientales_conventions_2017.ods": (
        "à publier",
        [6],
        54,
        "3604713.98",
        {"blank": [1, 2, 4, 5], "header": [3, 6], "continuation": list(range(40, 83, 2))},
    ),
    "somme_conventions_2018.csv": ("somme_conventions_2018", [1], 41, "3201952.64", {"header": [1]}),
    "scdl/exemple_valide_v2.1.1.csv": ("exemple_valide_v2.1.1", [1], 29, "2821393.50", {"header": [1]}),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[str, bie.ReadResult]:
    return request.param, bie.read(REAL / request.param)


def test_sheet_header_and_counts(case: tuple[str, bie.ReadResult]) -> None:
    name, result = case
    sheet, header_rows, actions, _, _ = CASES[name]
    assert result.sheet == sheet
    assert result.header_rows == header_rows
    assert result.actions.height == actions


def test_amount_total_to_the_cent(case: tuple[str, bie.ReadResult]) -> None:
    name, result = case
    assert Decimal(str(result.amounts["granted"])).quantize(Decimal("0.01")) == Decimal(CASES[name][3])


def test_excluded_rows_and_reasons(case: tuple[str, bie.ReadResult]) -> None:
    name, result = case
    got = {
        reason: rows
        for reason, rows in result.excluded.group_by("reason", maintain_order=True)
        .agg(pl.col("row").sort())
        .iter_rows()
    }
    assert got == CASES[name][4]


def test_every_source_row_accounted_once(case: tuple[str, bie.ReadResult]) -> None:
    _, result = case
    rows = result.ledger.get_column("row")
    assert rows.is_unique().all()
    assert result.ledger.filter(pl.col("status") == "action").height == result.actions.height
    assert set(result.actions.get_column("_row")) == set(
        result.ledger.filter(pl.col("status") == "action").get_column("row")
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_reading_never_modifies_the_input(name: str) -> None:
    path = REAL / name
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    bie.read(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_nievre_values_kept_raw_and_flagged() -> None:
    result = bie.read(REAL / "nievre_subventions_2016.csv")
    unparsed = [(i.row, i.column, i.params["value"]) for i in result.issues if i.code == "value-unparsed"]
    assert ("SUB_MONTANT", "SEM") in {(c, v) for _, c, v in unparsed}
    assert ("SUB_MONTANT", "ODHLM") in {(c, v) for _, c, v in unparsed}
    # The raw text stays in the original columns of the action.
    row = unparsed[0][0]
    raw = result.original.filter(pl.col("_row") == row).get_column("SUB_MONTANT").item()
    assert raw in ("SEM", "ODHLM")
    assert result.actions.filter(pl.col("_row") == row).get_column("amount_granted").item() is None
    assert result.issue_counts["value-placeholder"] == 1  # « NC »
    assert result.issue_counts["action-no-amount"] == 7


def test_aube_text_amounts_and_identifiers() -> None:
    result = bie.read(REAL / "aube_conventions_subvention.xlsx")
    amounts = result.actions.get_column("amount_granted").to_list()
    assert amounts == [50000.0, 97000.0, 50000.0, 100000.0, 1465600.0, 195000.0, 623000.0]
    ids = result.actions.get_column("carrier_id").to_list()
    assert "78035053400019" in ids  # SIRET kept as text
    assert result.actions.get_column("decision_date").dt.year().to_list()[0] == 2017
    assert {i.code for i in result.issues} >= {"header-two-rows", "sheet-empty", "value-placeholder"}


def test_pyrenees_continuations_fold_payment_dates() -> None:
    result = bie.read(REAL / "pyrenees_orientales_conventions_2017.ods")
    gds = result.original.filter(pl.col("_row") == 39)
    dates = gds.get_column("Date ou période de versement").item()
    assert dates.splitlines() == ["2017-09-27", "2017-12-05"]


def test_lot_mixed_line_endings_and_multiline_record() -> None:
    result = bie.read(REAL / "lot_subventions_2017.csv")
    assert result.encoding == "cp1252"
    rows = result.actions.get_column("_row").to_list()
    lines = result.actions.get_column("_line").to_list()
    assert rows[-4:] == [11, 12, 13, 14]  # the record of row 11 spans five lines: rows are records
    assert lines[-4:] == [11, 16, 17, 18]  # … and the physical line each starts on is kept
    title = result.actions.filter(pl.col("_row") == 11).get_column("title").item()
    assert "-opérations du plan marketing LOT" in title
