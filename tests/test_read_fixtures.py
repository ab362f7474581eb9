"""The sample inputs read exactly as their generator says: every row, every euro."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import bie
from tests.conftest import FIXTURES

FILES = {
    "programmation_cdv_2024.xlsx": "programmation_cdv_2024",
    "programmation_cdv_2024.ods": "programmation_cdv_2024",
    "export_plateforme_2024.csv": "export_plateforme_2024",
    "subventions_scdl_2024.csv": "subventions_scdl_2024",
}


def expected(stem: str) -> dict[str, Any]:
    return json.loads(
        (FIXTURES / "expected" / f"{stem}.json").read_text(encoding="utf-8"), parse_float=Decimal
    )


@pytest.fixture(scope="module", params=sorted(FILES))
def pair(request: pytest.FixtureRequest) -> tuple[bie.ReadResult, dict[str, Any]]:
    return bie.read(FIXTURES / request.param), expected(FILES[request.param])


def cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_header_and_action_count(pair: tuple[bie.ReadResult, dict[str, Any]]) -> None:
    result, exp = pair
    assert result.header_rows == exp["header_rows"]
    assert result.actions.height == exp["actions"]
    if exp["sheet"]:
        assert result.sheet == exp["sheet"]


def test_every_row_exactly_once(pair: tuple[bie.ReadResult, dict[str, Any]]) -> None:
    result, exp = pair
    got_excluded = sorted((r["row"], r["reason"]) for r in result.excluded.iter_rows(named=True))
    assert got_excluded == sorted((e["row"], e["reason"]) for e in exp["excluded"])
    action_rows = sorted(result.actions.get_column("_row").to_list())
    assert action_rows == sorted(a["row"] for a in exp["action_rows"])
    assert result.ledger.get_column("row").is_unique().all()


def test_funders_to_the_cent(pair: tuple[bie.ReadResult, dict[str, Any]]) -> None:
    result, exp = pair
    assert {k: cents(v) for k, v in result.funders.items()} == exp["funders"]


def test_amount_stages_to_the_cent(pair: tuple[bie.ReadResult, dict[str, Any]]) -> None:
    result, exp = pair
    assert {k: cents(v) for k, v in result.amounts.items()} == exp["amounts"]


def test_total_mismatches_are_reported(pair: tuple[bie.ReadResult, dict[str, Any]]) -> None:
    result, exp = pair
    found = [
        (i.row, i.params["found"], i.params["expected"]) for i in result.issues if i.code == "total-mismatch"
    ]
    assert [m[0] for m in found] == [m["row"] for m in exp["total_mismatches"]]


def test_beneficiaries(pair: tuple[bie.ReadResult, dict[str, Any]]) -> None:
    result, exp = pair
    for key, field in (("women", "women"), ("men", "men"), ("total", "beneficiaries_total")):
        want = exp["beneficiaries"][key]
        if want is None:
            assert field not in result.actions.columns
        else:
            assert result.actions.get_column(field).sum() == want


def test_identifiers_stay_text() -> None:
    result = bie.read(FIXTURES / "programmation_cdv_2024.xlsx")
    exp = expected("programmation_cdv_2024")
    ids = result.actions.get_column("action_id").to_list()
    assert exp["leading_zero_dossier"] in ids
    assert result.actions.schema["action_id"] == pl.String


def test_text_amount_after_row_100_is_not_lost(tmp_path: Path) -> None:
    """polars.read_excel's default inference nulls « 3 100,00 € » in a numeric column; bie keeps it."""
    path = FIXTURES / "programmation_cdv_2024.xlsx"
    exp = expected("programmation_cdv_2024")
    region = next(t for t in exp["text_amounts"] if t["column"] == "Région")
    default = pl.read_excel(path, sheet_name="Programmation 2024", read_options={"header_row": 4})
    region_col = next(c for c in default.columns if "Région" in c)
    raw = default.get_column(region_col)
    assert raw.dtype != pl.String  # inferred numeric from the first 100 rows...
    assert raw.null_count() > 0  # ... and the text amount silently became null
    result = bie.read(path)
    value = result.actions.filter(pl.col("_row") == region["row"]).get_column("funding:Région").item()
    assert cents(value) == region["value"]


def test_reading_ahead_gives_the_same_results_and_errors(tmp_path: Path) -> None:
    """Files read ahead by worker threads (bie.consolidate) come back as bie.read gives them, errors too."""
    from bie.errors import BieError
    from bie.reader import reading_ahead

    empty = tmp_path / "vide.csv"
    empty.write_text("  \n", encoding="utf-8")
    files = [FIXTURES / "programmation_cdv_2023.xlsx", empty, FIXTURES / "subventions_scdl_2024.csv"]
    alone = [bie.read(files[0]), None, bie.read(files[2])]
    with reading_ahead(files, workers=2):
        ahead = [bie.read(files[0])]
        with pytest.raises(BieError):
            bie.read(files[1])
        ahead.append(None)
        ahead.append(bie.read(files[2]))
    for a, b in zip(alone, ahead, strict=True):
        if a is None or b is None:
            continue
        assert a.actions.equals(b.actions) and a.ledger.equals(b.ledger)
        assert [repr(i) for i in a.issues] == [repr(i) for i in b.issues]
