"""Tests for bie.parse: table-driven cases for every accepted form, then hypothesis properties.

The real examples come from /work/shared/reference/inputs.md §4–5 (Aube, Lot, Nièvre, Somme, Poitiers,
Pyrénées-Orientales, Vendée, Maine-et-Loire, Haute-Garonne subsidy files).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bie import parse
from bie.errors import ConfigError
from bie.resources import load_data
from tests.conftest import examples

Parser = Callable[[str | pl.Expr], pl.Expr]

VALUE_DTYPES: dict[str, pl.DataType] = {
    "amount": pl.Float64(),
    "count": pl.Int64(),
    "percent": pl.Float64(),
    "date": pl.Date(),
    "year": pl.Int32(),
    "siret": pl.String(),
    "identifier": pl.String(),
}


def run(parser: Parser, cells: Sequence[str | None]) -> list[tuple[Any, str | None]]:
    """Parse a column of text cells; check the struct's shape; return (value, status) rows."""
    df = pl.DataFrame({"cell": list(cells)}, schema={"cell": pl.String})
    out = df.select(parser("cell"))
    kind = parser.__name__
    assert out.columns == ["cell"]
    assert out.schema["cell"] == pl.Struct({"value": VALUE_DTYPES[kind], "status": pl.String})
    return out.unnest("cell").rows()


def one(parser: Parser, cell: str | None) -> tuple[Any, str | None]:
    return run(parser, [cell])[0]


def check_cases(parser: Parser, cases: Sequence[tuple[str | None, Any, str | None]]) -> None:
    """All cases in one column (as in real files), with a readable diff on failure."""
    got = run(parser, [cell for cell, _, _ in cases])
    expected = [(value, status) for _, value, status in cases]
    mismatches = [(cell, g, e) for (cell, _, _), g, e in zip(cases, got, expected, strict=True) if g != e]
    assert not mismatches, "\n".join(f"{cell!r}: got {g}, expected {e}" for cell, g, e in mismatches)


def cases_params(cases: Sequence[tuple[str | None, Any, str | None]]) -> list[Any]:
    return [pytest.param(cell, value, status, id=repr(cell)) for cell, value, status in cases]


# ---------------------------------------------------------------------------------------------------------
# amount
# ---------------------------------------------------------------------------------------------------------

AMOUNT_CASES: list[tuple[str | None, float | None, str | None]] = [
    # French and other formats
    ("12 500,00 €", 12500.0, None),
    ("12 500 €", 12500.0, None),
    ("12500€", 12500.0, None),
    ("€ 12 500", 12500.0, None),
    ("EUR 12 500", 12500.0, None),
    ("12 500,00 EUR", 12500.0, None),
    ("12 500,00 eur", 12500.0, None),
    ("50 000 euros", 50000.0, None),  # Aube
    ("97 000euros", 97000.0, None),
    ("1 euro", 1.0, None),
    ("12.500,00", 12500.0, None),
    ("1.234.567,89", 1234567.89, None),
    ("1,234,567.89", 1234567.89, None),
    ("1 234 567,89", 1234567.89, None),
    ("1.234.567", 1234567.0, None),
    ("1,234,567", 1234567.0, None),
    ("12 500.50", 12500.5, None),
    ("2400.0", 2400.0, None),  # Haute-Garonne
    ("44999.99", 44999.99, None),
    ("1.35e6", 1350000.0, None),  # Vendée
    ("1,35E+06", 1350000.0, None),
    ("1E3", 1000.0, None),
    ("12500,5", 12500.5, None),
    ("12,500", 12.5, None),  # a single comma is a French decimal comma
    ("0,5", 0.5, None),
    ("0", 0.0, None),
    ("0,00", 0.0, None),
    ("-0", 0.0, None),
    ("+1200", 1200.0, None),
    ("17\xa0833", 17833.0, None),  # Nièvre, NBSP thousands
    ("26 956,00", 26956.0, None),  # Somme
    ("40 000,00", 40000.0, None),  # Lot, Pyrénées-Orientales
    ("100 000,00", 100000.0, None),  # Vendée 2018
    ("12\u202f500,00\u202f€", 12500.0, None),  # narrow NBSP (Excel fr-FR)
    ("12\u2009500", 12500.0, None),  # thin space
    ("12'500", 12500.0, None),
    ("1'234'567.50", 1234567.5, None),
    ("12’500", 12500.0, None),
    ("  12 500 ", 12500.0, None),
    ("\n12 500,00 €\n", 12500.0, None),
    ("\r\n 12 500 \r\n", 12500.0, None),
    ("12500.000000001", 12500.0, None),  # Excel float noise
    ("12499.999999999", 12500.0, None),
    ("0.125", 0.13, None),  # rounded to cents, half away from zero
    ("12 500,00 €\u200b", 12500.0, None),  # zero-width space
    # negative
    ("-1 200,00", -1200.0, "negative"),
    ("(1 200,00)", -1200.0, "negative"),
    ("( 1 200,00 € )", -1200.0, "negative"),
    ("- 1 200 €", -1200.0, "negative"),
    ("€ -1 200", -1200.0, "negative"),
    ("−1 200", -1200.0, "negative"),  # U+2212 minus sign
    # ambiguous: single dot + exactly three digits
    ("12.500", 12500.0, "ambiguous"),
    ("3.500 €", 3500.0, "ambiguous"),
    ("-12.500", -12500.0, "ambiguous"),
    ("1234.567", 1234.57, None),  # head of 4 digits: no thousands group, a decimal point
    ("0.500", 0.5, None),  # leading 0: a decimal point
    # dash zero
    ("-", 0.0, "dash_zero"),
    ("–", 0.0, "dash_zero"),
    ("—", 0.0, "dash_zero"),
    (" - € ", 0.0, "dash_zero"),
    ("€ -", 0.0, "dash_zero"),
    ("-€", 0.0, "dash_zero"),
    # empty and placeholders
    (None, None, "empty"),
    ("", None, "empty"),
    ("   ", None, "empty"),
    ("\xa0\n", None, "empty"),
    ("\u200b", None, "empty"),  # zero-width space only
    ("NC", None, "placeholder"),
    ("n.c.", None, "placeholder"),
    ("Néant", None, "placeholder"),
    ("sans objet", None, "placeholder"),
    ("/", None, "placeholder"),
    ("?", None, "placeholder"),
    ("xxx", None, "placeholder"),
    # unparsed: strict, never a number out of free text
    ("SEM", None, "unparsed"),  # Nièvre
    ("40 000 (avance)", None, "unparsed"),
    ("environ 12 000", None, "unparsed"),
    ("12 k€", None, "unparsed"),
    ("12 500 HT", None, "unparsed"),
    ("12 500\n3 000", None, "unparsed"),  # two numbers on two lines
    ("12 500 € + 3 000 €", None, "unparsed"),
    ("1 2", None, "unparsed"),  # not groups of three digits
    ("12 50", None, "unparsed"),
    ("1.2.3", None, "unparsed"),
    ("1,23,456", None, "unparsed"),
    ("12.500.00", None, "unparsed"),
    ("1.234,567.89", None, "unparsed"),
    ("12,", None, "unparsed"),
    ("€", None, "unparsed"),
    ("12 500 € €", None, "unparsed"),
    ("(12", None, "unparsed"),
    ("+-12", None, "unparsed"),
    ("--", None, "unparsed"),
    ("1e400", None, "unparsed"),  # overflows to infinity
    ("٣٤٥", None, "unparsed"),  # non-ASCII digits
    ("2017-12-21", None, "unparsed"),
    ("12/03", None, "unparsed"),
    # implausible: above the limit of bie/data/amounts.yaml (10 billion €), never summed, never a crash
    ("10 000 000 000,00 €", 10_000_000_000.0, None),  # the limit itself is plausible
    ("-10000000000", -10_000_000_000.0, "negative"),
    ("10 000 000 000,01", None, "implausible"),
    ("92000000000000000", None, "implausible"),  # a 17-digit reference pasted into an amount column
    ("50000000000000000", None, "implausible"),
    ("-92 233 720 368 547 758,08 €", None, "implausible"),
    ("1,35E+20", None, "implausible"),
    ("9" * 60, None, "implausible"),
]


def test_amount_cases() -> None:
    check_cases(parse.amount, AMOUNT_CASES)


@pytest.mark.parametrize(("cell", "value", "status"), cases_params(AMOUNT_CASES))
def test_amount_case_alone(cell: str | None, value: float | None, status: str | None) -> None:
    assert one(parse.amount, cell) == (value, status)


# ---------------------------------------------------------------------------------------------------------
# count, percent
# ---------------------------------------------------------------------------------------------------------

COUNT_CASES: list[tuple[str | None, int | None, str | None]] = [
    ("12", 12, None),
    ("1 200", 1200, None),
    ("1\xa0200", 1200, None),
    ("17\u202f833", 17833, None),
    ("12,0", 12, None),
    ("12.0", 12, None),
    ("+12", 12, None),
    ("0", 0, None),
    (" 12 \n", 12, None),
    ("1.2e3", 1200, None),
    ("12.000000001", 12, None),  # Excel float noise
    ("1.200", 1200, "ambiguous"),
    ("12,5", None, "not_integer"),
    ("0,5", None, "not_integer"),
    ("-3", None, "negative"),
    ("-2,5", None, "negative"),
    ("1e30", None, "unparsed"),  # beyond Int64
    ("12 €", None, "unparsed"),
    ("12 personnes", None, "unparsed"),
    ("(3)", None, "unparsed"),
    ("12 / 15", None, "unparsed"),
    (None, None, "empty"),
    ("", None, "empty"),
    ("NC", None, "placeholder"),
    ("-", None, "placeholder"),  # a dash is a placeholder, except in amounts
    ("non renseigné", None, "placeholder"),
]


def test_count_cases() -> None:
    check_cases(parse.count, COUNT_CASES)


PERCENT_CASES: list[tuple[str | None, float | None, str | None]] = [
    ("45 %", 0.45, None),
    ("45%", 0.45, None),
    ("45\xa0%", 0.45, None),
    ("45,5 %", 0.455, None),
    ("45.5 %", 0.455, None),
    ("12.500 %", 0.125, None),  # a dot is always a decimal point in percentages
    ("0,45", 0.45, None),
    ("0.45", 0.45, None),
    ("1", 1.0, None),  # 100 %
    ("0", 0.0, None),
    ("100 %", 1.0, None),
    ("150 %", 1.5, None),
    ("0,5 %", 0.005, None),
    ("45", 0.45, "assumed_percent"),
    ("100", 1.0, "assumed_percent"),
    ("1,5", 0.015, "assumed_percent"),
    ("-5 %", -0.05, "negative"),
    ("-0,05", -0.05, "negative"),
    ("120", None, "unparsed"),  # a bare number above 100 is neither a fraction nor a percentage
    ("45 % ou 50 %", None, "unparsed"),
    ("abc %", None, "unparsed"),
    ("%", None, "unparsed"),
    ("45 €", None, "unparsed"),
    (None, None, "empty"),
    ("NC", None, "placeholder"),
    ("–", None, "placeholder"),
]


def test_percent_cases() -> None:
    got = run(parse.percent, [cell for cell, _, _ in PERCENT_CASES])
    for (cell, value, status), (got_value, got_status) in zip(PERCENT_CASES, got, strict=True):
        assert got_status == status, cell
        if value is None:
            assert got_value is None, cell
        else:
            assert got_value == pytest.approx(value, abs=1e-12), cell


# ---------------------------------------------------------------------------------------------------------
# date, year
# ---------------------------------------------------------------------------------------------------------

D = dt.date
DATE_CASES: list[tuple[str | None, dt.date | None, str | None]] = [
    ("2017-12-21", D(2017, 12, 21), None),  # Lot
    ("2017-12-21 00:00:00", D(2017, 12, 21), None),
    ("2017-12-21T00:00:00", D(2017, 12, 21), None),
    ("2017-12-21 14:30", D(2017, 12, 21), None),
    ("2017-12-21T14:30:00.000Z", D(2017, 12, 21), None),
    ("21/12/2017", D(2017, 12, 21), None),
    ("24/07/2017", D(2017, 7, 24), None),  # Pyrénées-Orientales
    ("23/10/17", D(2017, 10, 23), None),  # Pyrénées-Orientales, 2-digit year
    ("21/12/69", D(2069, 12, 21), None),
    ("01/01/70", D(1970, 1, 1), None),
    ("01/01/00", D(2000, 1, 1), None),
    ("2017/09/08", D(2017, 9, 8), None),  # Somme
    ("21-12-2017", D(2017, 12, 21), None),
    ("21.12.2017", D(2017, 12, 21), None),
    ("1/2/2017", D(2017, 2, 1), None),
    ("29/02/2016", D(2016, 2, 29), None),
    (" 21/12/2017\n", D(2017, 12, 21), None),
    ("43055", D(2017, 11, 16), "serial"),  # Aube
    ("43055.0", D(2017, 11, 16), "serial"),
    ("43055.5", D(2017, 11, 16), "serial"),
    ("20000", D(1954, 10, 3), "serial"),
    ("80000", D(2119, 1, 11), "serial"),
    ("28/11/2017\n08/12/2017", D(2017, 11, 28), "multiple"),  # Aube
    ("28/11/2017\r\n08/12/2017\r\n", D(2017, 11, 28), "multiple"),
    ("28/11/2017 ; 08/12/2017", D(2017, 11, 28), "multiple"),
    ("28/11/2017, 08/12/2017", D(2017, 11, 28), "multiple"),
    ("28/11/2017 et 08/12/2017", D(2017, 11, 28), "multiple"),
    ("28/11/2017\n\n08/12/2017\n43100", D(2017, 11, 28), "multiple"),
    ("2017-01-01_2017-12-31", D(2017, 1, 1), "range"),  # Haute-Garonne
    ("2018-01-01_2018-03-31", D(2018, 1, 1), "range"),  # Lot
    ("2017-01-01/2017-12-31", D(2017, 1, 1), "range"),
    ("01/01/2017 - 31/12/2017", D(2017, 1, 1), "range"),
    ("du 01/01/2017 au 31/12/2017", D(2017, 1, 1), "range"),
    ("Du 1/1/2017 au 31/12/2017", D(2017, 1, 1), "range"),
    ("31/02/2017", None, "unparsed"),
    ("2017-02-30", None, "unparsed"),
    ("29/02/2017", None, "unparsed"),
    ("13/13/2017", None, "unparsed"),
    ("2911/17", None, "unparsed"),
    ("Solde en 2018", None, "unparsed"),
    ("acompte", None, "unparsed"),
    ("2017", None, "unparsed"),
    ("19999", None, "unparsed"),  # below the serial window
    ("80001", None, "unparsed"),
    ("21/12/2017 14h", None, "unparsed"),
    ("28/11/2017\nacompte", None, "unparsed"),  # every part of a list must be a date
    ("2017-01-01_fin", None, "unparsed"),
    ("01/01/2017 - 31/12/2017 ; 01/01/2018", None, "unparsed"),  # range and list mixed
    ("21/12/2017/2018", None, "unparsed"),
    (None, None, "empty"),
    ("", None, "empty"),
    ("NC", None, "placeholder"),
    ("-", None, "placeholder"),
    ("/", None, "placeholder"),
    ("non concerné", None, "placeholder"),  # Pyrénées-Orientales
    ("Ne rien indiquer", None, "placeholder"),  # Aube
]


def test_date_cases() -> None:
    check_cases(parse.date, DATE_CASES)


YEAR_CASES: list[tuple[str | None, int | None, str | None]] = [
    ("2024", 2024, None),
    ("2024.0", 2024, None),
    ("2024,0", 2024, None),
    ("Exercice 2024", 2024, None),
    ("AAP 2024", 2024, None),
    ("12/03/2024", 2024, None),
    ("2024 2024", 2024, None),
    ("1990", 1990, None),
    ("2100", 2100, None),
    ("2023-2024", 2023, "multiple"),
    ("2023 / 2024", 2023, "multiple"),
    ("2023/24", 2023, "multiple"),
    ("1989", None, "unparsed"),
    ("2101", None, "unparsed"),
    ("43055", None, "unparsed"),
    ("24", None, "unparsed"),
    ("en cours", None, "unparsed"),
    (None, None, "empty"),
    ("NC", None, "placeholder"),
    ("—", None, "placeholder"),
]


def test_year_cases() -> None:
    check_cases(parse.year, YEAR_CASES)


# ---------------------------------------------------------------------------------------------------------
# siret, identifier, luhn_valid
# ---------------------------------------------------------------------------------------------------------

SIRET_CASES: list[tuple[str | None, str | None, str | None]] = [
    ("22100005200011", "22100005200011", None),  # Aube
    ("78035053400019", "78035053400019", None),  # Aube
    ("44259700100035", "44259700100035", None),  # Lot
    ("224 900 019 000 15'", "22490001900015", None),  # Maine-et-Loire, trailing text guard
    ("82 212 742 900 014", "82212742900014", None),  # Maine-et-Loire
    ("22\xa0100\xa0005\xa0200\xa0011", "22100005200011", None),
    ("221.000.052.00011", "22100005200011", None),
    ("'22100005200011", "22100005200011", None),
    ("22100005200011’", "22100005200011", None),
    ('="22100005200011"', "22100005200011", None),
    ("35600000000048", "35600000000048", None),  # La Poste siège: an ordinary Luhn number
    ("35600000049837", "35600000049837", None),  # La Poste establishment: digit sum divisible by 5
    ("35600000049838", "35600000049838", "invalid_checksum"),
    ("22100005200012", "22100005200012", "invalid_checksum"),
    ("21860194600000.0", "21860194600000", "float_damaged"),  # Poitiers
    ("2.18601946E+13", "21860194600000", "float_damaged"),
    ("2,18601946E+13", "21860194600000", "float_damaged"),
    ("1234567800010.0", "01234567800010", "float_damaged"),  # 13 digits after the float: re-padded
    ("1234567800010", "01234567800010", "padded"),  # lost leading zero, padded form passes Luhn
    # Aube: 13 digits, but the 0-padded form 01810086080001 fails Luhn, so it is not simply padded.
    ("1810086080001", "1810086080001", "wrong_length"),
    ("732829320", "732829320", "siren"),
    ("123456782", "123456782", "siren"),
    ("123456789", "123456789", "wrong_length"),  # 9 digits failing Luhn: not a SIREN either
    ("123", "123", "wrong_length"),
    ("221000052000110", "221000052000110", "wrong_length"),
    ("SIRET 22100005200011", None, "unparsed"),
    ("2210000520001A", None, "unparsed"),
    ("221-000-052-00011", None, "unparsed"),
    ("en cours", None, "unparsed"),
    (None, None, "empty"),
    ("NC", None, "placeholder"),
    ("N/A", None, "placeholder"),
]


def test_siret_cases() -> None:
    check_cases(parse.siret, SIRET_CASES)


def test_aube_13_digit_siret_padding_really_fails_luhn() -> None:
    assert not reference_luhn("01810086080001")


IDENTIFIER_CASES: list[tuple[str | None, str | None, str | None]] = [
    ("DA00123456-1", "DA00123456-1", None),
    ("DA12345678-1", "DA12345678-1", None),
    ("12345678", "12345678", None),
    ("00123", "00123", None),  # leading zeros kept
    ("123456.0", "123456", None),  # Excel float of an integer
    ("123456.00", "123456", None),
    ("12.5", "12.5", None),
    ("  2017-AAP-12 \n", "2017-AAP-12", None),
    ('="00123"', "00123", None),
    ("'00123", "00123", None),
    ("N° 12/2017", "N° 12/2017", None),
    ("1.23456789E+11", "123456789000", "float_damaged"),
    ("1.23E+5", "123000", "float_damaged"),
    ('=""', None, "unparsed"),
    (None, None, "empty"),
    ("  ", None, "empty"),
    ("NC", None, "placeholder"),
    ("-", None, "placeholder"),
]


def test_identifier_cases() -> None:
    check_cases(parse.identifier, IDENTIFIER_CASES)


def test_identifier_never_becomes_a_number() -> None:
    assert one(parse.identifier, "0012345678901234567890") == ("0012345678901234567890", None)


LUHN_CASES: list[tuple[str | None, bool | None]] = [
    ("22490001900015", True),
    ("22490001900016", False),
    ("732829320", True),
    ("0", True),
    ("00000000000000", True),
    ("79927398713", True),  # the classic example
    ("79927398710", False),
    ("4111111111111111", True),  # 16 digits
    ("1234567890123456789", False),  # 19 digits, the maximum
    ("12345678901234567890", None),  # 20 digits: beyond what the helper handles
    ("12 34", False),
    ("", False),
    ("abc", False),
    (None, None),
]


@pytest.mark.parametrize(("digits", "expected"), LUHN_CASES)
def test_luhn_cases(digits: str | None, expected: bool | None) -> None:
    df = pl.DataFrame({"d": [digits]}, schema={"d": pl.String})
    assert df.select(parse.luhn_valid(pl.col("d"))).item() == expected
    if expected is not None and digits:
        assert expected == (digits.isascii() and digits.isdigit() and reference_luhn(digits))


# ---------------------------------------------------------------------------------------------------------
# Placeholders (data file)
# ---------------------------------------------------------------------------------------------------------

BRIEF_PLACEHOLDERS = [
    "NC", "N.C.", "n.c.", "nc", "NR", "N/R", "N/A", "NA", "n/a", "néant", "sans objet", "SO", "S.O.",
    "Ne rien indiquer", "non concerné", "non communiqué", "non renseigné", "inconnu", "?", "??", "/",
    "xxx", "XXXX", "—",
]  # fmt: skip


def test_placeholder_file_is_documented() -> None:
    data = load_data("placeholders.yaml")
    assert isinstance(data["version"], int)
    for entry in [*data["placeholders"], *data["patterns"]]:
        assert isinstance(entry.get("source"), str) and len(entry["source"]) > 10, entry
        assert set(entry.get("not_for", [])) <= set(parse.KINDS), entry
    texts = [e["text"] for e in data["placeholders"]]
    assert len(texts) == len(set(texts))


def test_placeholder_patterns_cannot_match_a_digit() -> None:
    # Cells holding a digit are never looked up (speed), so no pattern may need one.
    for entry in load_data("placeholders.yaml")["patterns"]:
        assert r"\d" not in entry["regex"] and "0-9" not in entry["regex"], entry


@pytest.mark.parametrize("kind", parse.KINDS)
@pytest.mark.parametrize("text", BRIEF_PLACEHOLDERS)
def test_brief_placeholders(kind: parse.Kind, text: str) -> None:
    value, status = one(parse.PARSERS[kind], text)
    if kind == "amount" and text == "—":
        assert (value, status) == (0.0, "dash_zero")
    else:
        assert (value, status) == (None, "placeholder")


@pytest.mark.parametrize(
    "text",
    ["  NC  ", "NC.", "nc !", "N.C", "NÉANT", "Neant", "néant.", "Sans  objet", "SANS OBJET", "Non Concerné",
     "non concerne", "Inconnu …", "n/a.", "\xa0NC\xa0", "?", "???", "…", "...", "#N/A", "xx", "NaN"],
)  # fmt: skip
def test_placeholder_matching_is_insensitive(text: str) -> None:
    df = pl.DataFrame({"x": [text]})
    assert df.select(parse.is_placeholder("x")).item() is True


@pytest.mark.parametrize(
    "text",
    ["NC (en attente)", "SEM", "x 2", "sans", "objet", "NC NC", "nc 12", "12", "Néanmoins", "aucun", "0", ""],
)
def test_not_placeholders(text: str) -> None:
    df = pl.DataFrame({"x": [text]})
    assert df.select(parse.is_placeholder("x")).item() is False


def test_dash_is_a_placeholder_except_for_amounts() -> None:
    df = pl.DataFrame({"x": ["-", "–", "—", "--"]})
    assert df.select(parse.is_placeholder("x")).to_series().to_list() == [True] * 4
    assert df.select(parse.is_placeholder("x", kind="amount")).to_series().to_list() == [False] * 4


def test_placeholder_with_a_digit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = {"version": 1, "placeholders": [{"text": "00/00/0000", "source": "a date placeholder"}]}
    monkeypatch.setattr(parse, "load_data", lambda name: bad)
    parse._placeholder_table.cache_clear()
    try:
        with pytest.raises(ConfigError):
            parse.amount("x")
    finally:
        monkeypatch.undo()
        parse._placeholder_table.cache_clear()


# ---------------------------------------------------------------------------------------------------------
# API behaviour
# ---------------------------------------------------------------------------------------------------------


def test_every_status_is_documented_and_exercised() -> None:
    tables: list[tuple[Parser, Sequence[tuple[Any, ...]]]] = [
        (parse.amount, AMOUNT_CASES),
        (parse.count, COUNT_CASES),
        (parse.percent, PERCENT_CASES),
        (parse.date, DATE_CASES),
        (parse.year, YEAR_CASES),
        (parse.siret, SIRET_CASES),
        (parse.identifier, IDENTIFIER_CASES),
    ]
    seen = {status for _, cases in tables for *_, status in cases} - {None}
    assert seen == set(parse.STATUSES)
    assert all(isinstance(v, str) and v for v in parse.STATUSES.values())


def test_parsers_registry() -> None:
    assert set(parse.PARSERS) == set(parse.KINDS)
    for kind, parser in parse.PARSERS.items():
        assert parser.__name__ == kind


def test_plans_run_side_by_side_as_the_expressions() -> None:
    """parse_frame runs several plans stage by stage: the same structs as each parser's expression."""
    cells = [
        "12 500,00 €",
        "1.200",
        "NC",
        None,
        "-",
        "3000",
        " 45 % ",
        "21/12/17",
        "2024",
        "224 900 019 000 15'",
    ]
    df = pl.DataFrame({"x": cells})
    plans = {
        "amount": parse.amount_plan(pl.col("x"), limit=1000.0),
        "plain": parse.amount_plan(pl.col("x"), french=False),
        "count": parse.count_plan(pl.col("x")),
        **{
            kind: parse.PLANS[kind](pl.col("x"))
            for kind in ("percent", "date", "year", "siret", "identifier")
        },
    }
    got = parse.parse_frame(df, plans)
    want = df.with_columns(
        parse.amount("x", limit=1000.0).alias("amount"),
        parse.amount("x", french=False).alias("plain"),
        parse.count("x").alias("count"),
        *[
            parse.PARSERS[kind]("x").alias(kind)
            for kind in ("percent", "date", "year", "siret", "identifier")
        ],
    )
    assert got.equals(want) and got.schema == want.schema


def test_struct_takes_the_column_name() -> None:
    df = pl.DataFrame({"montant": ["12 500,00 €", "NC"], "other": [1, 2]})
    out = df.with_columns(parse.amount("montant"))
    assert out.columns == ["montant", "other"]
    assert out.unnest("montant").columns == ["value", "status", "other"]


def test_expression_input_and_lazy_frames() -> None:
    lf = pl.LazyFrame({"a": ["  12 500 ", "x"]})
    out = lf.select(parse.amount(pl.col("a").str.to_uppercase()).alias("m")).collect()
    assert out.unnest("m").rows() == [(12500.0, None), (None, "placeholder")]


def test_non_string_columns_are_cast() -> None:
    df = pl.DataFrame({"f": [2400.0, None], "i": [43055, 7]})
    assert df.select(parse.amount("f")).unnest("f").rows() == [(2400.0, None), (None, "empty")]
    assert df.select(parse.date("i")).unnest("i").rows() == [(D(2017, 11, 16), "serial"), (None, "unparsed")]


def test_all_null_and_empty_frames() -> None:
    empty = pl.DataFrame({"x": []}, schema={"x": pl.String})
    nulls = pl.DataFrame({"x": [None, None]}, schema={"x": pl.String})
    for parser in parse.PARSERS.values():
        assert empty.select(parser("x")).height == 0
        assert nulls.select(parser("x")).unnest("x").rows() == [(None, "empty")] * 2


def test_long_cells_are_not_values() -> None:
    long = "12 500 " * 20
    assert one(parse.amount, long) == (None, "unparsed")
    assert one(parse.siret, "22100005200011 " * 5) == (None, "unparsed")
    assert one(parse.identifier, long) == (long.strip(), None)


# ---------------------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------------------

THOUSANDS = ["", " ", "\xa0", "\u202f", "\u2009", "'", "’", ".", ","]
CURRENCIES = [
    ("", ""),
    ("", " €"),
    ("", "€"),
    ("", " EUR"),
    ("", " euros"),
    ("", "euros"),
    ("€ ", ""),
    ("EUR ", ""),
]


def group(digits: str, sep: str) -> str:
    """'1234567' grouped by three from the right with ``sep``."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


@st.composite
def french_amounts(draw: st.DrawFn) -> tuple[str, int, str | None]:
    """(text, expected cents, expected status) for an amount written in one of the usual styles."""
    places = draw(st.integers(0, 2))
    amount = draw(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=places, allow_nan=False))
    negative = draw(st.booleans()) and amount != 0
    whole, frac = f"{amount:.{places}f}".partition(".")[::2]
    sep = draw(st.sampled_from(THOUSANDS))
    show_zero_cents = draw(st.booleans())
    if not frac and show_zero_cents:
        frac = "00"
    if sep == ",":  # English style: only with a decimal point, else « 1,234 » is a French decimal
        frac = frac or "00"
        decimal = "."
    elif sep == ".":
        decimal = ","
    else:
        decimal = draw(st.sampled_from([",", ",", "."]))
    number = group(whole, sep) + (decimal + frac if frac else "")
    prefix, suffix = draw(st.sampled_from(CURRENCIES))
    body = prefix + number + suffix
    if negative:
        body = draw(st.sampled_from(["-" + body, "- " + body, "(" + body + ")", "−" + body]))
    text = draw(st.sampled_from(["", " ", "\n", "\xa0"])) + body + draw(st.sampled_from(["", " ", "\r\n"]))

    ambiguous = sep == "." and not frac and number.count(".") == 1
    cents = int(amount * 100) * (-1 if negative else 1)
    status = "ambiguous" if ambiguous else ("negative" if negative else None)
    return text, cents, status


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(french_amounts(), min_size=1, max_size=40))
def test_amount_round_trip(examples: list[tuple[str, int, str | None]]) -> None:
    got = run(parse.amount, [text for text, _, _ in examples])
    for (text, cents, status), (value, got_status) in zip(examples, got, strict=True):
        assert value is not None, text
        assert round(value * 100) == cents, text
        assert got_status == status, text


@st.composite
def large_amounts(draw: st.DrawFn) -> tuple[str, int]:
    """(text, exact cents) for an amount up to the plausibility limit, in a French or plain style."""
    limit = Decimal(int(parse.amount_limit()))
    amount = draw(st.decimals(min_value=-limit, max_value=limit, places=2, allow_nan=False))
    whole, frac = f"{abs(amount):.2f}".split(".")
    sep = draw(st.sampled_from(["", " ", "\xa0", "\u202f"]))
    sign = "-" if amount < 0 else ""
    text = (
        sign
        + group(whole, sep)
        + draw(st.sampled_from([",", "."]))
        + frac
        + draw(st.sampled_from(["", " €"]))
    )
    return text, int(amount * 100)


@settings(max_examples=examples(30), deadline=None)
@given(st.lists(large_amounts(), min_size=1, max_size=30))
def test_amount_exact_to_the_cent_up_to_the_limit(examples: list[tuple[str, int]]) -> None:
    """Every amount up to 10 billion € is read exactly: the float value rounds back to its written cents."""
    got = run(parse.amount, [text for text, _ in examples])
    for (text, cents), (value, status) in zip(examples, got, strict=True):
        assert value is not None and status in (None, "negative"), (text, status)
        assert round(value * 100) == cents, text


AMOUNT_ALPHABET = "0123456789 ,.eE+-€()\xa0"


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(),
            st.text(alphabet=AMOUNT_ALPHABET, max_size=70),
            st.integers(min_value=-(10**40), max_value=10**40).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
        ),
        max_size=40,
    )
)
def test_amount_never_raises_never_beyond_the_limit(texts: list[str | None]) -> None:
    """Any string: no exception, a value within the limit (or null), cents that fit an Int64."""
    limit = parse.amount_limit()
    frame = pl.DataFrame({"x": texts}, schema={"x": pl.String})
    got = frame.select(parse.amount("x")).unnest("x")
    for text, (value, status) in zip(texts, got.rows(), strict=True):
        assert value is None or abs(value) <= limit, (text, value)
        if status == "implausible":
            assert value is None, text
    cents = got.select((pl.col("value") * 100).round(0).cast(pl.Int64).sum()).item()  # never raises
    assert cents is not None


CELL_ALPHABET = "0123456789 ,.'’€-–+()%/_:;eETxXnNcCaA?\n\r\t\xa0\u202f"
cells = st.one_of(st.none(), st.text(), st.text(alphabet=CELL_ALPHABET, max_size=30))


@settings(max_examples=examples(30), deadline=None)
@given(st.lists(cells, max_size=60))
def test_parsers_never_raise(texts: list[str | None]) -> None:
    for kind, parser in parse.PARSERS.items():
        rows = run(parser, texts)
        assert len(rows) == len(texts)
        for text, (value, status) in zip(texts, rows, strict=True):
            assert status is None or status in parse.STATUSES, (kind, text, status)
            if status is None:
                assert value is not None, (kind, text)
            if status in {"empty", "placeholder", "unparsed", "not_integer", "implausible"} or (
                kind == "count" and status == "negative"
            ):
                assert value is None, (kind, text, status)
            if text is None or not text.strip():
                assert status == "empty", (kind, text)


@settings(max_examples=examples(50), deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=19), max_size=30))
def test_luhn_matches_reference(numbers: list[str]) -> None:
    df = pl.DataFrame({"d": numbers}, schema={"d": pl.String})
    got = df.select(parse.luhn_valid(pl.col("d"))).to_series().to_list()
    assert got == [reference_luhn(n) for n in numbers]


DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%d 00:00:00",
    "%Y-%m-%dT00:00:00",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "{d}/{m}/%Y",  # day and month without leading zeros
    "serial",
    "serial.0",
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def format_date(day: dt.date, fmt: str) -> str:
    if fmt.startswith("serial"):
        return str((day - EXCEL_EPOCH).days) + (".0" if fmt.endswith(".0") else "")
    return day.strftime(fmt.format(d=day.day, m=day.month))


@settings(max_examples=examples(50), deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(DATE_FORMATS)),
        min_size=1,
        max_size=40,
    )
)
def test_date_round_trip(examples: list[tuple[dt.date, str]]) -> None:
    examples = [(day, fmt) for day, fmt in examples if not (fmt == "%d/%m/%y" and day.year >= 2070)]
    assume(examples)
    got = run(parse.date, [format_date(day, fmt) for day, fmt in examples])
    for (day, fmt), (value, status) in zip(examples, got, strict=True):
        assert value == day, (day, fmt)
        assert status == ("serial" if fmt.startswith("serial") else None), (day, fmt)


def reference_luhn(digits: str) -> bool:
    """Luhn check, written independently of the vectorised one."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit >= 5 else digit * 2
        total += digit
    return total % 10 == 0


def with_check_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if reference_luhn(body + d))


@st.composite
def siret_and_typo(draw: st.DrawFn) -> tuple[str, str]:
    """A SIRET passing Luhn, and the same with one digit changed."""
    siret = with_check_digit(draw(st.text(alphabet="0123456789", min_size=13, max_size=13)))
    assume(not siret.startswith("356000000"))  # La Poste has its own rule
    position = draw(st.integers(0, 13))
    digit = draw(st.sampled_from([d for d in "0123456789" if d != siret[position]]))
    return siret, siret[:position] + digit + siret[position + 1 :]


@settings(max_examples=examples(50), deadline=None)
@given(st.lists(siret_and_typo(), min_size=1, max_size=20))
def test_luhn_valid_sirets_pass_and_one_changed_digit_fails(pairs: list[tuple[str, str]]) -> None:
    sirets = [siret for siret, _ in pairs]
    typos = [typo for _, typo in pairs]
    df = pl.DataFrame({"d": sirets + typos})
    assert df.select(parse.luhn_valid(pl.col("d"))).to_series().to_list() == [True] * len(pairs) + [
        False
    ] * len(pairs)
    spaced = [" ".join([s[:3], s[3:6], s[6:9], s[9:]]) for s in sirets]
    got = run(parse.siret, sirets + typos + spaced)
    assert got == [(s, None) for s in sirets] + [(t, "invalid_checksum") for t in typos] + [
        (s, None) for s in sirets
    ]


def test_docstring_examples() -> None:
    import doctest

    failures, tried = doctest.testmod(parse, optionflags=doctest.ELLIPSIS)
    assert tried > 10
    assert failures == 0
