"""The sample inputs in fixtures/: the generator reproduces them byte for byte, and their expected figures
hold together (rows covered once, closed vocabularies, totals that add up, files that read back)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
import zlib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastexcel
import openpyxl
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
GENERATOR = FIXTURES / "make_fixtures.py"
GENERATED = (
    "programmation_cdv_2024.xlsx",
    "programmation_cdv_2024.ods",
    "export_plateforme_2024.csv",
    "subventions_scdl_2024.csv",
    "expected/programmation_cdv_2024.json",
    "expected/export_plateforme_2024.json",
    "expected/subventions_scdl_2024.json",
    # The programmation one year earlier and the comparison's ground truth (tests/test_fixtures_compare.py).
    "programmation_cdv_2023.xlsx",
    "expected/programmation_cdv_2023.json",
    "expected/compare_2023_2024.json",
)
STEMS = ("programmation_cdv_2024", "export_plateforme_2024", "subventions_scdl_2024")
CATEGORIES = {"specific", "transversal", "not_integrated", "to_review"}
AUDIENCES = {"women_only", "men_only", "mixed", "unknown"}
REASONS = {"blank", "header", "section", "total", "note", "continuation", "duplicate"}
WEB_IDS = {
    "experience",
    "constituencies",
    "representation",
    "commitment",
    "resources",
    "policy",
    "responsibility",
    "procedures",
    "staff",
    "methodology",
    "delivery",
    "learning",
    "research",
}
SCDL_FIELDS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
CENT = Decimal("0.01")


def expected(stem: str) -> dict[str, Any]:
    return json.loads(
        (FIXTURES / "expected" / f"{stem}.json").read_text(encoding="utf-8"), parse_float=Decimal
    )


def corpus() -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "corpus").glob("*.yaml")):
        actions += yaml.safe_load(path.read_text(encoding="utf-8"))
    return actions


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def french_amount(text: str) -> Decimal:
    """« 12 500,00 € », « 8 000 € », « 3.500,00 », « 4 200 » -> Decimal (the fixtures' spellings)."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text)
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return Decimal(cleaned)


def generate(out: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixtures")
    generate(out)
    return out


# --- Reproducibility --------------------------------------------------------------------------------------


def local_zlib_matches(path: Path) -> bool:
    """Does this machine's zlib deflate the first compressed member of ``path`` to the same bytes?

    zlib-ng and other builds compress differently; the generator cannot help that. Where they differ, the
    committed workbooks are compared member by member instead of byte by byte."""
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.compress_type == zipfile.ZIP_DEFLATED)
        data = archive.read(info)
    raw = path.read_bytes()
    offset = info.header_offset  # local file header: 30 bytes, then the name and the extra field
    name_length = int.from_bytes(raw[offset + 26 : offset + 28], "little")
    extra_length = int.from_bytes(raw[offset + 28 : offset + 30], "little")
    start = offset + 30 + name_length + extra_length
    stored = raw[start : start + info.compress_size]
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush() == stored


def zip_members(path: Path) -> list[tuple[str, tuple[int, ...], int, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.date_time, i.compress_type, archive.read(i)) for i in archive.infolist()]


@pytest.mark.parametrize("name", GENERATED)
def test_generator_reproduces_the_committed_file(regenerated: Path, name: str) -> None:
    fresh, committed = regenerated / name, FIXTURES / name
    hint = f"{name} differs: run `.venv/bin/python fixtures/make_fixtures.py` and commit the result"
    if name.endswith((".xlsx", ".ods")) and not local_zlib_matches(committed):
        assert zip_members(fresh) == zip_members(committed), hint
        return
    assert fresh.read_bytes() == committed.read_bytes(), hint


def test_generator_writes_exactly_the_known_files(regenerated: Path) -> None:
    written = sorted(str(p.relative_to(regenerated)) for p in regenerated.rglob("*") if p.is_file())
    assert written == sorted(GENERATED)


def test_two_runs_are_identical(regenerated: Path, tmp_path: Path) -> None:
    generate(tmp_path)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (regenerated / name).read_bytes(), name


def test_zip_members_have_fixed_timestamps() -> None:
    for name in ("programmation_cdv_2024.xlsx", "programmation_cdv_2024.ods"):
        with zipfile.ZipFile(FIXTURES / name) as archive:
            stamps = {info.date_time for info in archive.infolist()}
        assert len(stamps) == 1, name
    with zipfile.ZipFile(FIXTURES / "programmation_cdv_2024.ods") as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"


# --- Expected JSON: structure -----------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_expected_vocabularies(stem: str) -> None:
    data = expected(stem)
    rows = data["action_rows"]
    assert data["actions"] == len(rows) > 0
    assert sum(data["categories"].values()) == len(rows)
    assert len({r["action_id"] for r in rows}) == len(rows), "an action appears twice"
    for r in rows:
        assert r["category"] in CATEGORIES
        assert r["audience"] in AUDIENCES
        assert set(r["web_hints"]) <= WEB_IDS
        assert bool(r["web_hints"]) == (r["category"] in {"specific", "transversal"}), r["action_id"]
        assert r["title"].strip() == r["title"] != ""
    for e in data["excluded"]:
        assert e["reason"] in REASONS
        assert isinstance(e["text"], str)
        assert (e["text"] == "") == (e["reason"] == "blank")


@pytest.mark.parametrize("stem", STEMS)
def test_every_row_is_listed_once(stem: str) -> None:
    data = expected(stem)
    rows = [r["row"] for r in data["action_rows"]] + [e["row"] for e in data["excluded"]]
    assert len(rows) == len(set(rows))
    if data["sheet"] is not None:
        assert sorted(rows) == list(range(1, max(rows) + 1))
    else:  # CSV: rows are records, numbered 1..n without gaps (as a spreadsheet shows them); each keeps the
        # physical line it starts on, increasing with the row
        listed = sorted(data["action_rows"] + data["excluded"], key=lambda r: r["row"])
        assert [r["row"] for r in listed] == list(range(1, len(listed) + 1))
        lines = [r["line"] for r in listed if "line" in r]
        assert lines == sorted(lines) and len(set(lines)) == len(lines)
    header_like = [e["row"] for e in data["excluded"] if e["reason"] == "header"]
    assert set(data["header_rows"]) <= set(header_like)
    assert max(header_like) == max(data["header_rows"]), "title rows come above the header, never below"


def test_programmation_figures_add_up() -> None:
    data = expected("programmation_cdv_2024")
    assert data["sheet"] == "Programmation 2024"
    assert data["header_rows"] == [4, 5]
    assert 120 <= data["actions"] <= 150
    assert list(data["funders"]) == [
        "État (BOP 147)",
        "Commune",
        "Métropole",
        "Département",
        "Région",
        "CAF",
        "Bailleurs sociaux",
    ]
    assert sum(data["funders"].values()) == data["amounts"]["requested"]
    assert data["amounts"]["total_cost"] >= data["amounts"]["requested"]
    for value in [*data["funders"].values(), *data["amounts"].values()]:
        assert value == value.quantize(CENT)
    (mismatch,) = data["total_mismatches"]
    assert Decimal(0) < abs(mismatch["stated"] - mismatch["expected"]) < Decimal(1000)
    reasons = Counter(e["reason"] for e in data["excluded"])
    assert reasons["total"] == 5  # four subtotals and the grand total
    assert reasons["section"] >= 4
    assert reasons["note"] == 2
    assert reasons["continuation"] == 1
    women, men, total = (data["beneficiaries"][k] for k in ("women", "men", "total"))
    assert 0 < women < total and 0 < men < total
    late = [t for t in data["text_amounts"] if t["column"] == "Région"]
    assert len(late) == 1
    action_rows = sorted(r["row"] for r in data["action_rows"])
    assert late[0]["row"] > action_rows[99], "the Région text amount must come after the 100th action row"


def test_platform_and_scdl_figures() -> None:
    platform = expected("export_plateforme_2024")
    assert platform["header_rows"] == [1]
    assert platform["actions"] == 100
    assert platform["amounts"]["proposed"] < platform["amounts"]["requested"]
    assert {e["reason"] for e in platform["excluded"]} == {"header", "duplicate", "blank"}
    scdl = expected("subventions_scdl_2024")
    assert scdl["actions"] == 60
    assert scdl["excluded"] == [{"row": 1, "reason": "header", "text": "nomAttribuant"}]


def test_corpus_is_covered_and_balanced() -> None:
    actions = corpus()
    assert len(actions) >= 170
    ids = {a["id"] for a in actions}
    in_files = {r["action_id"] for stem in STEMS for r in expected(stem)["action_rows"]}
    assert in_files == ids, "every corpus action appears in the programmation or the platform export"
    shares = {c: n / len(actions) for c, n in Counter(a["category"] for a in actions).items()}
    assert 0.11 <= shares["specific"] <= 0.16
    assert 0.24 <= shares["transversal"] <= 0.31
    assert 0.44 <= shares["not_integrated"] <= 0.51
    assert 0.07 <= shares["to_review"] <= 0.11
    assert {a["pillar"] for a in actions} == {1, 2, 3, 4}
    truth = {a["id"]: a for a in actions}
    for stem in STEMS:
        for r in expected(stem)["action_rows"]:
            a = truth[r["action_id"]]
            assert (r["title"], r["category"], r["audience"], r["web_hints"]) == (
                a["title"],
                a["category"],
                a["audience"],
                a["web"],
            )


# --- The files read back as described ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["programmation_cdv_2024.xlsx", "programmation_cdv_2024.ods"])
def test_workbook_reads_back(name: str) -> None:
    data = expected("programmation_cdv_2024")
    reader = fastexcel.read_excel(FIXTURES / name)
    assert reader.sheet_names == data["sheets"]
    for sheet_name in data["sheets"]:
        visible = reader.load_sheet(sheet_name, header_row=None, n_rows=1).visible
        assert (visible == "hidden") == (sheet_name in data["hidden_sheets"])
    sheet = reader.load_sheet(data["sheet"], header_row=None, dtypes="string").to_polars()
    assert sheet.height == max(r["row"] for r in data["excluded"] + data["action_rows"])

    def cell(row: int, col: int) -> str | None:
        value: str | None = sheet.row(row - 1)[col]
        return value

    for r in data["action_rows"]:
        assert cell(r["row"], 0) == r["dossier"]
        assert cell(r["row"], 3) == r["title"]
    for e in data["excluded"]:
        if e["reason"] == "blank":
            assert all(v is None for v in sheet.row(e["row"] - 1))
        elif e["reason"] == "continuation":
            assert cell(e["row"], 5) == e["text"]
        elif e["row"] not in data["header_rows"][1:]:
            assert cell(e["row"], 0) == e["text"]
    for t in data["text_amounts"]:
        written = cell(t["row"], ord(t["column_letter"]) - ord("A"))
        assert written == t["text"]
        assert french_amount(written) == t["value"]
    letters = {v: k for k, v in data["columns"].items()}
    for label, total in data["funders"].items():
        col = ord(letters[label]) - ord("A")
        summed = Decimal(0)
        for r in data["action_rows"]:
            value = cell(r["row"], col)
            if value not in (None, "-"):
                summed += french_amount(value) if re.search(r"[ ,€\u00a0\u202f]", value) else Decimal(value)
        assert summed.quantize(CENT) == total, label
    mismatch = data["total_mismatches"][0]
    stated = Decimal(cell(mismatch["row"], ord(mismatch["column_letter"]) - ord("A")) or "0")
    assert stated == mismatch["stated"]


def test_xlsx_layout() -> None:
    workbook = openpyxl.load_workbook(FIXTURES / "programmation_cdv_2024.xlsx")
    sheet = workbook["Programmation 2024"]
    assert workbook["Paramètres"].sheet_state == "hidden"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A4:A5", "J4:J5", "K4:Q4", "R4:T4"} <= merged
    assert sheet["J4"].value == "Coût total\nde l'action"
    assert sheet.freeze_panes == "E6"
    assert any(str(c.value).startswith("=SUM(") for row in sheet.iter_rows() for c in row)
    assert workbook.properties.created is not None and workbook.properties.created.year == 2024


def test_ods_has_real_spans_and_a_hidden_table() -> None:
    with zipfile.ZipFile(FIXTURES / "programmation_cdv_2024.ods") as archive:
        content = archive.read("content.xml").decode("utf-8")
    assert 'table:number-columns-spanned="7"' in content
    assert 'table:number-rows-spanned="2"' in content
    assert "<table:covered-table-cell" in content
    assert 'table:display="false"' in content
    assert 'table:formula="of:=SUM(' in content


def test_platform_csv_bytes() -> None:
    raw = (FIXTURES / "export_plateforme_2024.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert raw.endswith(b"\r\n\r\n"), "one trailing empty line"
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    data = expected("export_plateforme_2024")
    assert records[0][:3] == ["Numéro de dossier", "Exercice", "Raison sociale"]
    assert any("\n" in field for record in records for field in record), "embedded line breaks"
    # Record terminators are CRLF; line breaks inside quoted fields are bare LF.
    assert text.count("\r\n") == len(records)
    by_record = {r["row"]: r for r in data["action_rows"]}
    requested = proposed = Decimal(0)
    for number, record in enumerate(records, start=1):
        if number in by_record:
            assert record[4] == by_record[number]["title"]
            requested += french_amount(record[9])
            proposed += french_amount(record[10]) if record[10] else Decimal(0)
    assert requested == data["amounts"]["requested"]
    assert proposed == data["amounts"]["proposed"]


def test_scdl_csv_is_valid() -> None:
    raw = (FIXTURES / "subventions_scdl_2024.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    data = expected("subventions_scdl_2024")
    assert len(rows) == data["actions"]
    total = Decimal(0)
    for row, truth in zip(rows, data["action_rows"], strict=True):
        assert list(row) == SCDL_FIELDS
        assert row["objet"] == truth["title"] and len(row["objet"]) <= 256
        for key in ("idAttribuant", "idBeneficiaire"):
            assert re.fullmatch(r"\d{14}", row[key]) and luhn_ok(row[key]) and luhn_ok(row[key][:9]), row[key]
        assert row["rnaBeneficiaire"] == "" or re.fullmatch(r"W\d{9}", row["rnaBeneficiaire"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["dateConvention"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?", row["datesPeriodeVersement"])
        assert row["nature"] == "aide en numéraire"
        assert row["notificationUE"] == "non"
        assert Decimal("0.01") <= Decimal(row["pourcentageSubvention"]) <= 1
        assert re.fullmatch(r"\d+\.\d{2}", row["montant"])
        total += Decimal(row["montant"])
    assert total == data["amounts"]["granted"]
