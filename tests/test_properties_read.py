"""Property tests: generated workbooks with random title rows, sections, subtotals, blank rows and amounts
typed as numbers or French text. Every source row is accounted for exactly once, and no euro is lost."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bie

FUNDERS = ["État (BOP 147)", "Ville", "Métropole", "Département", "Région", "CAF", "Bailleurs"]
WORDS = [
    "théâtre",
    "jardin",
    "numérique",
    "lecture",
    "vélo",
    "cuisine",
    "musique",
    "santé",
    "emploi",
    "sport",
]


def french(cents: int, style: int) -> str:
    euros, rest = divmod(cents, 100)
    grouped = f"{euros:,}".replace(",", "\u00a0")
    styles = [
        f"{grouped},{rest:02d} €",
        f"{euros:,}".replace(",", ".") + f",{rest:02d}",
        f"{grouped.replace(chr(0xA0), chr(0x202F))},{rest:02d}",
        f"{euros}" + (f",{rest:02d}" if rest else "") + " euros",
        f"{grouped} €" if rest == 0 else f"{euros},{rest:02d}",
    ]
    return styles[style % len(styles)]


@dataclass
class Table:
    rows: list[list[object]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # per row: action or an exclusion reason
    funders: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # funder -> cents over actions
    two_rows: bool = False

    def add(self, reason: str, row: list[object]) -> None:
        self.rows.append(row)
        self.reasons.append(reason)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    table = Table()
    table.funders = draw(st.lists(st.sampled_from(FUNDERS), min_size=1, max_size=4, unique=True))
    table.two_rows = draw(st.booleans())
    width = 3 + len(table.funders)
    for i in range(draw(st.integers(0, 3))):
        table.add("header", [f"Contrat de ville – programmation {2020 + i}"] + [None] * (width - 1))
        if draw(st.booleans()):
            table.add("blank", [None] * width)
    if table.two_rows:
        table.add(
            "header",
            ["N° dossier", "Porteur", "Intitulé de l'action", "Financements sollicités"]
            + [None] * (len(table.funders) - 1),
        )
        table.add("header", [None, None, None, *table.funders])
    else:
        table.add(
            "header",
            ["N° dossier", "Porteur", "Intitulé de l'action", *[f"Montant {f}" for f in table.funders]],
        )
    table.totals = dict.fromkeys(table.funders, 0)
    grand = dict.fromkeys(table.funders, 0)
    counter = 0
    closed = True  # the block of this pillar starts after a total or a heading (so its subtotal is checkable)
    for pillar in range(1, draw(st.integers(1, 3)) + 1):
        if draw(st.booleans()):
            table.add("section", [f"PILIER {pillar} – COHÉSION SOCIALE"] + [None] * (width - 1))
            closed = True
        block = dict.fromkeys(table.funders, 0)
        for _ in range(draw(st.integers(1, 6))):
            counter += 1
            cells: list[object] = [
                f"DA{counter:08d}-1",
                f"Association {WORDS[counter % 10]} {counter}",
                f"Atelier {WORDS[(counter * 3) % 10]} n°{counter}",
            ]
            for funder in table.funders:
                cents = draw(st.integers(0, 5_000_000))
                how = draw(st.integers(0, 7))
                if cents == 0 and how == 0:
                    cells.append("-")
                elif how <= 2:
                    cells.append(cents / 100)
                else:
                    cells.append(french(cents, how))
                block[funder] += cents
                table.totals[funder] += cents
            table.add("action", cells)
            if draw(st.integers(0, 9)) == 0:
                table.add("blank", [None] * width)
        if closed and draw(st.booleans()):
            table.add(
                "total", [f"Sous-total pilier {pillar}", None, None, *[block[f] / 100 for f in table.funders]]
            )
        else:
            closed = False
        for f in table.funders:
            grand[f] += block[f]
    if draw(st.booleans()):
        table.add("total", ["TOTAL GÉNÉRAL", None, None, *[grand[f] / 100 for f in table.funders]])
    if draw(st.booleans()):
        table.add("note", ["Source : service politique de la ville"] + [None] * (width - 1))
    return table


def write_xlsx(table: Table, path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Programmation")
    for r, row in enumerate(table.rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()


def write_csv(table: Table, path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in table.rows:
        writer.writerow(
            ["" if v is None else (f"{v:.2f}".replace(".", ",") if isinstance(v, float) else v) for v in row]
        )
    path.write_bytes(buf.getvalue().replace("\u202f", " ").encode("cp1252"))


def check(table: Table, result: bie.ReadResult, trailing_blanks_exist: bool = True) -> None:
    if not trailing_blanks_exist:
        # A spreadsheet ends at its last value: blank rows after it are not in the file.
        while table.reasons and table.reasons[-1] == "blank":
            table.reasons.pop()
            table.rows.pop()
    ledger = result.ledger.sort("row")
    assert ledger.get_column("row").to_list() == list(range(1, len(table.rows) + 1))
    got = [s if s == "action" else r for s, r in ledger.select("status", "reason").iter_rows()]
    assert got == table.reasons
    for funder in table.funders:
        total = result.funders[funder]
        assert round(total * 100) == table.totals[funder]
    assert not [i for i in result.issues if i.code == "total-mismatch"]


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(table=tables())
def test_generated_workbooks(tmp_path_factory, table: Table) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("wb") / "programmation.xlsx"
    write_xlsx(table, path)
    check(table, bie.read(path), trailing_blanks_exist=False)


@SETTINGS
@given(table=tables())
def test_generated_csv_cp1252(tmp_path_factory, table: Table) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    write_csv(table, path)
    result = bie.read(path)
    check(table, result)
    assert result.actions.height == table.reasons.count("action")
    assert pl.Series(result.ledger.get_column("status")).is_in(["action", "excluded"]).all()
