"""The Excel report: sheets, figures equal to the JSON, safety against hostile text, determinism, atomicity.

The golden outlines (``tests/golden/excel_structure_*.json``) are regenerated with ``BIE_UPDATE_GOLDEN=1``.
They hold what does not depend on the rule pack (sheet names, header rows, row counts, frozen panes,
filters, the first key figures of Synthèse): the figures that the rules move are compared with
``audit.to_dict()`` instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bie.audit import Audit, audit
from bie.errors import OutputError
from bie.i18n import fmt_in
from bie.report import excel
from bie.resources import load_data
from tests.conftest import TITLES_ONLY, examples

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

WORDS = load_data("labels_excel.yaml")
LABELS = load_data("labels.yaml")
SHEETS_FR = [
    "Synthèse",
    "Actions",
    "Par pilier",
    "Par thème",
    "Par financeur",
    "Par quartier",
    "Par porteur",
    "Toile",
    "Qualité des données",
    "Lignes exclues",
    "Rapprochement",
    "Méthode",
]
SHEETS_EN = [
    "Summary",
    "Actions",
    "By pillar",
    "By theme",
    "By funder",
    "By neighbourhood",
    "By carrier",
    "Web",
    "Data quality",
    "Excluded rows",
    "Reconciliation",
    "Method",
]
BIE_COLUMNS = [
    "amount",
    "category",
    "dac_marker",
    "eu_weight",
    "confidence",
    "review_reason",
    "reasons",
    "audience",
    "declared_category",
    "declaration_mismatch",
    "override",
    "web_elements",
    "flags",
]
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "@SUM(A1:A2)",
    "+33 1 23",
    "-cmd",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    # xlsxwriter copies a string shaped like this into the sheet XML unescaped: it would inject a formula.
    '<r><t>a</t></r></is></c><c r="Z1"><f>1+1</f></c><c><is><r><t>b</t></r>',
    "\tTabulation en tête",
    "http://example.org/lien",
]


def w(*keys: str, lang: str = "fr") -> str:
    node: Any = WORDS
    for key in keys:
        node = node[key]
    return str(node[lang])


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops the data-bar extension it does not know
        return openpyxl.load_workbook(path)


def rows_by_label(ws: Any) -> dict[str, list[Any]]:
    """Column A label -> the values of the row (first occurrence)."""
    out: dict[str, list[Any]] = {}
    for row in ws.iter_rows(values_only=True):
        if isinstance(row[0], str) and row[0] not in out:
            out[row[0]] = list(row[1:])
    return out


@pytest.fixture(scope="module")
def programmation() -> Audit:
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        return audit([FIXTURES / "programmation_cdv_2024.xlsx"])
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def plateforme() -> Audit:
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        return audit([FIXTURES / "export_plateforme_2024.csv"])
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def programmation_xlsx(programmation: Audit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return programmation.to_excel(tmp_path_factory.mktemp("xlsx") / "rapport.xlsx")


# ------------------------------------------------------------------------------------------- structure
def test_sheet_names_in_french_and_english(
    programmation: Audit, programmation_xlsx: Path, tmp_path: Path
) -> None:
    assert load(programmation_xlsx).sheetnames == SHEETS_FR
    en = programmation.to_excel(tmp_path / "en.xlsx", lang="en")
    book = load(en)
    assert book.sheetnames == SHEETS_EN
    assert (
        rows_by_label(book["Summary"])[w("summary", "amount_total", lang="en")][0]
        == programmation.summary["amount_total"]
    )
    assert (
        '"€"'
        in book["Summary"]
        .cell(*_find(book["Summary"], w("summary", "amount_total", lang="en")))
        .number_format
    )


def _find(ws: Any, label: str) -> tuple[int, int]:
    """(row, column) of the value next to ``label`` in column A (1-based)."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row, 2
    raise AssertionError(f"{label!r} not found on {ws.title}")


def test_summary_figures_equal_the_json(programmation: Audit, programmation_xlsx: Path) -> None:
    data = json.loads(programmation.to_json())
    summary = data["summary"]
    ws = load(programmation_xlsx)["Synthèse"]
    rows = rows_by_label(ws)
    assert rows[w("summary", "amount_total")][0] == summary["amount_total"]
    assert rows[w("summary", "actions")][0] == summary["actions"]
    assert rows[w("summary", "actions_without_amount")][0] == summary["actions_without_amount"]
    assert rows[w("summary", "equality_amount")][:2] == [
        summary["equality_amount"],
        summary["equality_share"],
    ]
    weighted = summary["weighted_equality_spend"]
    assert rows[w("summary", "weighted")][:2] == [weighted["amount"], weighted["share"]]
    for code, v in summary["by_category"].items():
        count, share_count, amount, share = rows[LABELS["categories"][code]["fr"]][:4]
        assert (count, share_count, amount, share) == (v["count"], v["share_count"], v["amount"], v["share"])
    assert rows[w("summary", "total")][:4] == [summary["actions"], 1.0, summary["amount_total"], 1.0]
    cover = data["beneficiaries"]["coverage"]
    assert rows[w("summary", "coverage_actions")][:2] == [
        cover["actions_with_counts"],
        cover["share_actions"],
    ]
    assert rows[w("summary", "coverage_amount")][:2] == [cover["amount_with_counts"], cover["share_amount"]]
    assert rows[w("summary", "rules_version")][0] == data["rules_version"]
    for finding in data["findings"]:
        assert finding["text"] in rows
    # Numbers are numbers, with euro and percentage formats.
    r, c = _find(ws, w("summary", "amount_total"))
    assert ws.cell(r, c).data_type == "n" and "€" in ws.cell(r, c).number_format
    r, c = _find(ws, w("summary", "weighted"))
    assert "%" in ws.cell(r, c + 1).number_format
    assert len(ws._charts) == 1


def test_breakdowns_reconciliation_and_quality_equal_the_json(
    programmation: Audit, programmation_xlsx: Path
) -> None:
    data = programmation.to_dict()
    book = load(programmation_xlsx)
    for dim, sheet in (("pillar", "Par pilier"), ("theme", "Par thème"), ("funder", "Par financeur")):
        ws = book[sheet]
        rows = list(ws.iter_rows(min_row=2, max_row=len(data["breakdowns"][dim]) + 1, values_only=True))
        for entry, row in zip(data["breakdowns"][dim], rows, strict=True):
            assert row[1:5] == (entry["count"], entry["amount"], entry["share"], entry["equality_share"])
            assert row[6] == entry["by_category"]["specific"]["amount"]
        assert ws.auto_filter.ref == f"A1:M{len(rows) + 1}"
    rec = book["Rapprochement"]
    f = data["reconciliation"]["files"][0]
    values = {row[1]: row[2:4] for row in rec.iter_rows(min_row=2, values_only=True) if row[1]}
    assert values[w("reconciliation", "input")] == (f["rows"], f["input_amount"])
    assert values[w("reconciliation", "actions")] == (f["actions"], f["actions_amount"])
    assert values[w("reconciliation", "sum")] == (f["rows"], f["input_amount"])
    assert values[w("reconciliation", "gap")] == (0, 0)
    total = LABELS["reasons"]["total"]["fr"]
    assert values[w("reconciliation", "excluded").format(reason=total)] == (
        f["excluded"]["total"]["rows"],
        f["excluded"]["total"]["amount"],
    )
    quality = book["Qualité des données"]
    header_row = next(r for r in quality.iter_rows() if r[0].value == w("quality", "code") and r[6].value)
    listed = quality.max_row - header_row[0].row
    assert listed == len(data["issues"])
    assert quality.auto_filter.ref == f"A{header_row[0].row}:G{quality.max_row}"
    excluded = book["Lignes exclues"]
    assert excluded.max_row == len(data["excluded"]) + 1
    amounts = [row[5] for row in excluded.iter_rows(min_row=2, values_only=True)]
    assert amounts == [e["amount"] for e in data["excluded"]]


def test_actions_sheet(programmation: Audit, programmation_xlsx: Path) -> None:
    ws = load(programmation_xlsx)["Actions"]
    n = programmation.actions.height
    assert ws.max_row == n + 1
    header = [c.value for c in ws[1]]
    original = [c for c in programmation.inputs[0].original.columns if c != "_row"]
    assert header[:3] == [w("actions", "file"), w("actions", "sheet"), w("actions", "row")]
    source_text = w("actions", "source_text").replace("{header}", "")
    shown = [h for h in header[3 : len(header) - len(BIE_COLUMNS)] if not h.endswith(source_text)]
    assert shown == original
    assert header[len(header) - len(BIE_COLUMNS) :] == [w("actions", k) for k in BIE_COLUMNS]
    # counts that did not parse keep their source text in the column right after
    for i, h in enumerate(header):
        if h.endswith(source_text):
            assert header[i - 1] == h.removesuffix(source_text)
    assert ws.freeze_panes == "D2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert ws.auto_filter.ref == f"A1:{last}{n + 1}"
    amount_col = header.index(w("actions", "amount")) + 1
    category_col = header.index(w("actions", "category")) + 1
    records = programmation.action_records()
    for i, rec in enumerate(records[:40], start=2):
        assert ws.cell(i, 3).value == rec["row"]
        cell = ws.cell(i, amount_col)
        assert cell.value == rec["amount"] and cell.data_type == "n" and "€" in cell.number_format
        category = ws.cell(i, category_col)
        assert category.value == LABELS["categories"][rec["category"]]["fr"]
        assert category.fill.fgColor.rgb == "FF" + load_data("palette.yaml")["colours"][rec["category"]][
            "fill"
        ].lstrip("#")
    # Every original cell is the text read, on the action's own row.
    title = original.index("Intitulé de l'action") + 4
    originals = programmation.inputs[0].original
    by_row = dict(
        zip(originals.get_column("_row").to_list(), originals.get_column("Intitulé de l'action"), strict=True)
    )
    for i in range(2, n + 2):
        assert ws.cell(i, title).value == by_row[ws.cell(i, 3).value]
    # Reasons: one per line, rule — field — « words ».
    reasons = header.index(w("actions", "reasons")) + 1
    texts = [ws.cell(i, reasons).value for i in range(2, n + 2) if ws.cell(i, reasons).value]
    assert texts and all(" — " in line for t in texts for line in t.split("\n"))
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(reasons)].width <= 61
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"


def test_split_beyond_the_row_limit(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 60)
    book = load(programmation.to_excel(tmp_path / "split.xlsx"))
    n = programmation.actions.height  # 150: 60 + 60 + 30
    names = [s for s in book.sheetnames if s.startswith("Actions")]
    assert names == ["Actions", "Actions (2)", "Actions (3)"]
    assert [book[s].max_row - 1 for s in names] == [60, 60, n - 120]
    assert all(book[s]["A1"].value == w("actions", "file") for s in names)
    assert book["Actions (2)"]["C2"].value == programmation.action_records()[60]["row"]
    warning = fmt_in("fr", w("summary", "split"), n=n, limit=60, sheets="« Actions (2) », « Actions (3) »")
    assert warning.startswith("150 actions, 60 au plus par feuille")
    assert warning in rows_by_label(book["Synthèse"])


def test_a_sheet_beyond_the_zip_limit_is_written_with_zip64(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet of more than 2 GiB of XML (about 700,000 actions with long texts) needs ZIP64 in the xlsx
    container; the limit is lowered here so that the fixture's sheets pass it."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 20_000)
    out = programmation.to_excel(tmp_path / "zip64.xlsx")
    with zipfile.ZipFile(out) as z:
        sheet = z.getinfo("xl/worksheets/sheet2.xml")
        assert sheet.file_size > 20_000 and sheet.extract_version >= 45  # a ZIP64 member
    assert load(out)["Actions"].max_row == programmation.actions.height + 1


def test_excluded_rows_split_beyond_the_row_limit_in_english(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 10)
    book = load(programmation.to_excel(tmp_path / "split.xlsx", lang="en"))
    n = programmation.excluded.height  # 26: 10 + 10 + 6
    names = [s for s in book.sheetnames if s.startswith("Excluded rows")]
    assert names == ["Excluded rows", "Excluded rows (2)", "Excluded rows (3)"]
    assert [book[s].max_row - 1 for s in names] == [10, 10, n - 20]
    actions = [s for s in book.sheetnames if s.startswith("Actions")]
    assert len(actions) == 15 and sum(book[s].max_row - 1 for s in actions) == programmation.actions.height
    summary = rows_by_label(book["Summary"])
    sheets = '"Excluded rows (2)", "Excluded rows (3)"'
    assert fmt_in("en", w("summary", "split_excluded", lang="en"), n=n, limit=10, sheets=sheets) in summary


def test_an_issue_list_longer_than_the_sheet_is_said(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 60)
    book = load(programmation.to_excel(tmp_path / "cut.xlsx"))
    ws = book["Qualité des données"]
    column_a = [r[0] for r in ws.iter_rows(values_only=True)]
    header = column_a.index(w("quality", "list")) + 2  # the heading, then the table's header (1-based)
    listed = ws.max_row - 1 - header  # the rows between the header and the note
    total = len(programmation.report("fr").quality.issues)
    unlisted = total - listed
    assert (
        0 < unlisted < total
        and ws.max_row == 61
        and column_a[header] == programmation.report("fr").quality.issues[0].code
    )
    note = fmt_in("fr", w("quality", "unlisted"), n=unlisted)
    assert ws.cell(ws.max_row, 1).value == note
    assert note in rows_by_label(book["Synthèse"])


# ----------------------------------------------------------------------------------------------- safety
def hostile_workbook(path: Path) -> Path:
    """A funding table whose titles and descriptions are hostile (written by openpyxl as plain text)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Programmation"
    ws.append(["N° dossier", "Porteur", "Intitulé de l'action", "Description", "Montant accordé"])
    for i, text in enumerate(HOSTILE, start=1):
        ws.append([f"DA{i:04d}", f"Association {i}", text, HOSTILE[-i], 1000 * i])
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    book.save(path)
    return path


def test_hostile_text_never_becomes_a_formula_or_a_link(tmp_path: Path) -> None:
    result = audit([hostile_workbook(tmp_path / "hostile.xlsx")])
    titles = result.inputs[0].original.get_column("Intitulé de l'action").to_list()
    assert titles == HOSTILE  # read as text, unchanged
    out = result.to_excel(tmp_path / "rapport.xlsx")
    book = load(out)
    seen: dict[str, int] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None, (ws.title, cell.coordinate)
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                if cell.value in HOSTILE and ws.title == "Actions":
                    seen[cell.value] = seen.get(cell.value, 0) + 1
    assert seen == {text: 2 for text in HOSTILE}  # once as a title, once as a description, unchanged
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            data = z.read(name)
            assert b"<f>" not in data and b"<f " not in data, name
            assert b"<hyperlink" not in data, name
            assert b'<c r="Z1"' not in data, name  # the cell the <r>…</r> text tried to inject
        assert not [n for n in z.namelist() if "externalLink" in n]


def test_long_cells_are_cut_with_a_marker_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    long_text = "Très longue description. " * 1600  # 40,000 characters
    path.write_text(
        "Porteur;Intitulé de l'action;Description;Montant accordé\n"
        f"Association A;Atelier d'écriture;{long_text};1000\n"
        f"Association B;Permanence juridique;{'😀' * 20000};2000\n",
        encoding="utf-8",
    )
    result = audit([path])
    book = load(result.to_excel(tmp_path / "rapport.xlsx"))
    ws = book["Actions"]
    header = [c.value for c in ws[1]]
    col = header.index("Description") + 1
    first, second = ws.cell(2, col).value, ws.cell(3, col).value
    assert first.endswith(" […]") and first.startswith(long_text[:100]) and len(first) == excel.MAX_CHARS
    assert second.endswith(" […]") and len(second.encode("utf-16-le")) // 2 <= excel.MAX_CHARS
    warning = fmt_in("fr", w("summary", "truncated"), n=2)
    assert warning.startswith("2 cellules dépassaient la limite d'Excel")
    assert warning in rows_by_label(book["Synthèse"])


def test_fit_text_counts_utf16_units() -> None:
    assert excel.fit_text("court") == ("court", False)
    exact = "a" * excel.MAX_CHARS
    assert excel.fit_text(exact) == (exact, False)
    cut, was_cut = excel.fit_text("é" * 40_000)
    assert was_cut and len(cut) == excel.MAX_CHARS and cut.endswith(" […]")
    cut, was_cut = excel.fit_text("😀" * 17_000)  # 34,000 UTF-16 units
    assert was_cut and len(cut.encode("utf-16-le")) // 2 <= excel.MAX_CHARS and "\ud83d" not in cut[-6:]


def test_a_refused_cell_is_an_error_not_a_silent_gap(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlsxwriter.worksheet import Worksheet

    original = Worksheet.write_number

    def refuse(self: Worksheet, row: int, col: int, *args: Any) -> int:
        original(self, row, col, *args)
        return -1 if row == 5 else 0

    monkeypatch.setattr(Worksheet, "write_number", refuse)
    target = tmp_path / "rapport.xlsx"
    with pytest.raises(OutputError, match="code -1"):
        programmation.to_excel(target)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------- fast table rows
#: Text that each of xlsxwriter's escapes and attributes concerns (the fast row writer must match them).
EDGE_TEXTS: list[str | None] = [
    *[x for x in HOSTILE if not x.startswith("<r>")],
    "ctrl \x01 \x08 \x0b \x0c \x1f inside",
    "\x1cleading separator",
    "literal _x0041_ and _x005F_x0000_ escapes",
    "non-characters \ufffe \uffff",
    " leading space",
    "trailing space ",
    "\u00a0non-breaking",
    "ideographic\u3000",
    "\rcarriage return",
    "entities & < > \" ' kept",
    "emoji 😀 and accents é à ç",
    "lines\none\ntwo\nthree\nfour\nfive",
    "Un texte assez long pour passer à la ligne dans une colonne de largeur moyenne, " * 4,
    "x" * 40_000,
    None,
    "",
]
EDGE_NUMBERS: list[float | None] = [
    1.5,
    0.1 + 0.2,
    -3.0,
    1e20,
    12345678901234567.0,
    None,
    float("nan"),
    float("inf"),
    0.0,
    -0.0,
    1 / 3,
]


def edge_table(programmation: Audit, tmp_path: Path, name: str, texts: list[str | None]) -> bytes:
    """A table of every edge case written by the audit book's table writer, over two sheets; row 10 is
    empty but for a height (xlsxwriter does not write it, yet counts it in the sheet's dimensions)."""
    report = programmation.report("fr")
    n = 40

    def cells(values: list[Any]) -> pl.Series:
        return pl.Series([None if i == 10 else v for i, v in enumerate(values)])

    def fill(book: Any) -> None:
        sheets = [book.wb.add_worksheet("T"), book.wb.add_worksheet("T (2)")]
        colours = [book.f(book.cat_props(c, excel._TOP)) for c in ("specific", "to_review", "transversal")]
        columns = [
            book.column("Texte", cells([texts[i % len(texts)] for i in range(n)]), excel._TOP),
            book.column("Autre", cells([texts[(i * 7) % len(texts)] for i in range(n)]), excel._TOP),
            book.column("Nombre", cells([EDGE_NUMBERS[i % len(EDGE_NUMBERS)] for i in range(n)]), excel._TOP),
            book.column("Entier", cells([None if i % 5 == 0 else i * 2**40 for i in range(n)]), excel._TOP),
            book.column(
                "Catégorie",
                cells([None if i % 6 == 0 else f"cat {i % 3}" for i in range(n)]),
                excel._TOP,
                fmts=[colours[(i // 4) % 3] for i in range(n)],
            ),
            book.column("Vide", pl.Series([None] * n, dtype=pl.String), excel._TOP),
        ]
        heights = book.heights(columns, n)
        heights[10] = 45.0
        book.table(sheets, columns, n, first_row=3, freeze_cols=1, heights=heights)

    target = tmp_path / f"{name}.xlsx"
    excel.write_book(target, lambda path, tmpdir: excel._Book(report, path, tmpdir), fill)
    return target.read_bytes()


@pytest.mark.parametrize("rich", [False, True], ids=["plain", "rich-xml"])
def test_fast_rows_write_the_bytes_of_the_per_cell_path(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rich: bool
) -> None:
    """The fast row writer builds sheet XML itself: byte for byte what xlsxwriter writes cell by cell, on
    every escape, whitespace, number, format, row height, batch and sheet boundary (a chunk holding raw
    rich-text XML goes to the per-cell path whole)."""
    texts = [*EDGE_TEXTS, HOSTILE[6]] if rich else EDGE_TEXTS
    monkeypatch.setattr(excel, "MAX_ROWS", 25)
    monkeypatch.setattr(excel, "FAST_BATCH", 7)
    batches: list[int] = []
    real = excel._fast_batch

    def spy(*args: Any) -> bytes:
        batches.append(1)
        return real(*args)

    monkeypatch.setattr(excel, "_fast_batch", spy)
    fast = edge_table(programmation, tmp_path, "fast", texts)
    assert bool(batches) is not rich  # the fast path ran, or stood aside for the rich-text XML
    monkeypatch.setattr(excel, "FAST_ROWS", False)
    slow = edge_table(programmation, tmp_path, "slow", texts)
    assert fast == slow
    book = load(tmp_path / "fast.xlsx")
    assert book["T"]["A5"].value == EDGE_TEXTS[0] and book["T"]["A5"].data_type == "s"
    assert book["T"]["A5"].quotePrefix and book["T (2)"].max_row == 40 - 22 + 1


@given(
    st.lists(
        st.one_of(st.none(), st.text(st.characters(exclude_categories=["Cs"]), max_size=12)),
        min_size=2,
        max_size=5,
    )
)
@settings(max_examples=examples(15))
def test_fast_rows_match_the_per_cell_path_on_any_text(
    programmation: Audit, tmp_path_factory: pytest.TempPathFactory, texts: list[str | None]
) -> None:
    """Any text, control characters and every kind of Unicode space included, is escaped as xlsxwriter
    escapes it."""
    report = programmation.report("fr")
    folder = tmp_path_factory.mktemp("any")
    written = []
    for fast in (True, False):
        excel.FAST_ROWS = fast
        try:

            def fill(book: Any) -> None:
                columns = [book.column("Texte", pl.Series(texts, dtype=pl.String), excel._TOP)]
                book.table(
                    [book.wb.add_worksheet("T")],
                    columns,
                    len(texts),
                    heights=book.heights(columns, len(texts)),
                )

            target = folder / f"{fast}.xlsx"
            excel.write_book(target, lambda path, tmpdir: excel._Book(report, path, tmpdir), fill)
            written.append(target.read_bytes())
        finally:
            excel.FAST_ROWS = True
    assert written[0] == written[1]


# ------------------------------------------------------------------------------ determinism, atomicity
def test_two_writes_give_identical_bytes(programmation: Audit, tmp_path: Path) -> None:
    a = programmation.to_excel(tmp_path / "a.xlsx").read_bytes()
    b = programmation.to_excel(tmp_path / "b.xlsx").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert b"2026-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_failed_write_leaves_nothing_behind(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Any, ws: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(excel._Book, "write_method", boom)
    target = tmp_path / "rapport.xlsx"
    with pytest.raises(RuntimeError, match="disk on fire"):
        programmation.to_excel(target)
    assert list(tmp_path.iterdir()) == []  # no report, no .tmp file, no folder of sheet parts


def test_failed_rewrite_keeps_the_previous_report(
    programmation: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = programmation.to_excel(tmp_path / "rapport.xlsx")
    before = target.read_bytes()
    monkeypatch.setattr(excel._Book, "write_summary", lambda self, ws: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        programmation.to_excel(target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.xlsx"]


# ------------------------------------------------------------------------------------------------ golden
TABLE_SHEETS = {
    "Actions",
    "Par pilier",
    "Par thème",
    "Par financeur",
    "Par quartier",
    "Par porteur",
    "Toile",
    "Lignes exclues",
    "Rapprochement",
    "Méthode",
}
#: Sheets whose row count does not depend on the rule pack, the web model or the method text.
COUNTED_SHEETS = {
    "Actions",
    "Par pilier",
    "Par thème",
    "Par financeur",
    "Par quartier",
    "Par porteur",
    "Lignes exclues",
    "Rapprochement",
}


def outline(path: Path) -> dict[str, Any]:
    book = load(path)
    sheets = []
    for ws in book.worksheets:
        entry: dict[str, Any] = {"name": ws.title, "freeze": ws.freeze_panes}
        # The issue list's range moves with the number of issues (the tagger adds some): only its presence.
        entry["autofilter"] = (
            ws.auto_filter.ref if ws.title != "Qualité des données" else bool(ws.auto_filter.ref)
        )
        if ws.title in TABLE_SHEETS:
            entry["header"] = [c.value for c in ws[1]]
        if ws.title in COUNTED_SHEETS:
            entry["rows"] = ws.max_row
            entry["columns"] = ws.max_column
        sheets.append(entry)
    synthese = book["Synthèse"]
    rows = rows_by_label(synthese)
    keys = [w("summary", k) for k in ("basis", "actions", "actions_without_amount", "amount_total")]
    cats = [LABELS["categories"][c]["fr"] for c in ("specific", "transversal", "not_integrated", "to_review")]
    return {
        "sheets": sheets,
        "synthese": {
            "A1": synthese["A1"].value,
            "key_figures": {k: rows[k][0] for k in keys},
            "inputs_header": rows[w("summary", "input_file")][:4],
            "files": [
                list(r[:5])
                for r in synthese.iter_rows(values_only=True)
                if isinstance(r[0], str) and r[0].endswith((".xlsx", ".csv")) and r[1] is not None
            ],
            "category_rows": [label for label in rows if label in cats],
        },
    }


@pytest.mark.parametrize(
    ("name", "fixture"), [("programmation", "programmation"), ("plateforme", "plateforme")]
)
def test_golden_structure(name: str, fixture: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    result: Audit = request.getfixturevalue(fixture)
    got = outline(result.to_excel(tmp_path / "rapport.xlsx"))
    golden = GOLDEN / f"excel_structure_{name}.json"
    if os.environ.get("BIE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert got == expected, f"{golden.name} differs: rerun with BIE_UPDATE_GOLDEN=1 if the change is wanted"


def test_stages_appear_when_the_file_has_several(plateforme: Audit, tmp_path: Path) -> None:
    ws = load(plateforme.to_excel(tmp_path / "rapport.xlsx"))["Synthèse"]
    rows = rows_by_label(ws)
    stages = plateforme.to_dict()["stages"]
    assert rows[w("summary", "equality_gap")][0] == stages["equality_gap"]
    assert rows[w("summary", "equality_rate_kept")][0] == stages["equality_rate_kept"]


def test_source_numbers_and_dates_are_typed(programmation: Audit, programmation_xlsx: Path) -> None:
    """Officers sum a co-funder's column and filter by date: numbers and dates of the source are typed in the
    Actions sheet (never '23231.8' as text), identifiers stay text."""
    ws = load(programmation_xlsx)["Actions"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    cost = header.index("Coût total de l'action")
    state = header.index("Financements sollicités / État (BOP 147)")
    siret = header.index("SIRET")
    assert all(r[cost] is None or isinstance(r[cost], int | float) for r in rows)
    assert all(r[state] is None or isinstance(r[state], int | float) for r in rows)
    assert sum(r[state] or 0 for r in rows) == pytest.approx(
        programmation.actions.get_column("funding:État (BOP 147)").sum()
    )
    assert all(r[siret] is None or isinstance(r[siret], str) for r in rows)


def test_source_dates_are_typed(tmp_path: Path) -> None:
    real = ROOT / "tests" / "data" / "real" / "aube_conventions_subvention.xlsx"
    book = load(audit(real).to_excel(tmp_path / "aube.xlsx"))
    ws = book["Actions"]
    header = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(header) if h and h.endswith("Date de la convention de subvention"))
    values = [r[col] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert values and all(isinstance(v, dt.datetime) for v in values)
    amount = next(i for i, h in enumerate(header) if h and h.endswith("Montant total de la subvention"))
    assert next(r[amount] for r in ws.iter_rows(min_row=2, values_only=True)) == 50000


def test_several_files_share_one_actions_sheet(programmation: Audit, tmp_path: Path) -> None:
    both = audit([FIXTURES / "programmation_cdv_2024.xlsx", FIXTURES / "export_plateforme_2024.csv"])
    book = load(both.to_excel(tmp_path / "rapport.xlsx"))
    ws = book["Actions"]
    header = [c.value for c in ws[1]]
    originals = [[c for c in r.original.columns if c != "_row"] for r in both.inputs]
    union = list(dict.fromkeys(originals[0] + originals[1]))
    source_text = w("actions", "source_text").replace("{header}", "")
    assert header[3] == w("actions", "line")  # the CSV's physical lines, beside the rows
    assert [h for h in header[4:] if not h.endswith(source_text)][: len(union)] == union
    assert ws.max_row == both.actions.height + 1
    only_csv = header.index("Numéro de dossier") + 1
    only_xlsx = header.index("N° dossier") + 1
    files = [ws.cell(i, 1).value for i in range(2, ws.max_row + 1)]
    for i, name in enumerate(files, start=2):
        if name == "programmation_cdv_2024.xlsx":
            assert ws.cell(i, only_csv).value is None and ws.cell(i, only_xlsx).value
        else:
            assert ws.cell(i, only_xlsx).value is None and ws.cell(i, only_csv).value
    rows = rows_by_label(book["Synthèse"])
    assert rows[w("summary", "basis")][0] == w("basis_mixed")
    assert rows[w("summary", "amount_total")][0] == both.summary["amount_total"]


def test_web_sheet_lists_the_13_elements(programmation: Audit, programmation_xlsx: Path) -> None:
    web = programmation.web_dict("fr")
    ws = load(programmation_xlsx)["Toile"]
    rows = list(ws.iter_rows(min_row=2, max_row=14, values_only=True))
    assert len(web["elements"]) == 13 and len(rows) == 13
    unknown = LABELS["scores"]["unknown"]["fr"]
    for element, row in zip(web["elements"], rows, strict=True):
        assert row[1] == element["label_fr"]
        assert row[2] == (unknown if element["score"] is None else element["score"])  # never 0 for unknown
        assert row[5] == element["action_count"] and row[6] == element["amount"]
    scored = sum(e["score"] is not None for e in web["elements"])
    assert len(ws._charts) == (1 if scored >= 3 else 0)
    texts = {c for (c,) in ws.iter_rows(min_col=1, max_col=1, values_only=True) if isinstance(c, str)}
    labels = {e["id"]: e["label_fr"] for e in web["elements"]}
    assert {labels[i] for i in web["weak"]} <= texts
    for link in web["broken_links"]:
        assert any(t.startswith(f"{labels[link['from']]} → {labels[link['to']]}") for t in texts)


def test_a_titles_only_file_carries_the_caveat(tmp_path: Path) -> None:
    source = tmp_path / "titres.csv"
    source.write_text(TITLES_ONLY, encoding="utf-8")
    result = audit(source)
    caveat = result.summary["judged"]["caveat"]["fr"]
    path = tmp_path / "titres.xlsx"
    excel.write_excel(result, path, "fr")
    wb = load(path)
    summary = [str(c) for row in wb["Synthèse"].iter_rows(values_only=True) for c in row if c]
    assert f"⚠ {caveat}" in summary
    assert w("summary", "categories_caveat") in summary
    web = [str(c) for row in wb["Toile"].iter_rows(values_only=True) for c in row if c]
    assert any(c.startswith(f"⚠ {caveat} Aucun élément n'est dit absent") for c in web)


def test_a_judged_file_has_no_caveat_and_the_weighted_spend_comes_first(
    programmation: Audit, programmation_xlsx: Path
) -> None:
    assert programmation.summary["judged"]["low"] is False
    ws = load(programmation_xlsx)["Synthèse"]
    labels = [row[0] for row in ws.iter_rows(values_only=True) if isinstance(row[0], str)]
    assert not any(label.startswith("⚠") for label in labels)
    assert labels.index(w("summary", "weighted")) < labels.index(w("summary", "equality_amount"))
    assert w("summary", "equality_amount").startswith("Sans pondération")


def test_actions_sheet_says_why_an_action_is_to_review(tmp_path: Path) -> None:
    """The three reasons for « à examiner » are kept apart in the workbook, in the reader's words."""
    src = tmp_path / "titres.csv"
    src.write_text(
        "Porteur;Intitulé;Montant\n"
        "Club de tennis;Subvention de fonctionnement 2017;1000\n"
        "Centre social;Atelier cuisine pour les habitants du quartier;2000\n",
        encoding="utf-8",
    )
    result = audit([src])
    out = result.to_excel(tmp_path / "r.xlsx", lang="fr")
    ws = openpyxl.load_workbook(out, read_only=True)[w("sheets", "actions")]
    rows = list(ws.iter_rows(values_only=True))
    col = list(rows[0]).index(w("actions", "review_reason"))
    cat = list(rows[0]).index(w("actions", "category"))
    got = {(r[cat], r[col]) for r in rows[1:]}
    assert ("à examiner", "intitulé seul : rien à examiner") in got
    assert ("égalité non prise en compte", None) in got
