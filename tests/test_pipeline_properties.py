"""Property tests over the whole pipeline: generated programmations (title block, blank rows, pillar sections,
notes, right and wrong subtotals, placeholders, amounts in seven formats, multi-line and ``=``-prefixed
titles, repeated carriers), written as CSV (``;``, ``,``, tab; UTF-8 or cp1252) and xlsx (numbers as text or
as numbers), then read, audited and written. Properties:

* every source row is in the ledger exactly once, numbered as in the file; every generated action (its own
  title and carrier) stays an action;
* the amounts of the actions and of the excluded rows add up to what was written (computed independently,
  in ``Decimal``), in ``bie.read``, in ``Audit.reconciliation`` and in ``Audit.actions``/``Audit.excluded``;
* nothing raises but :class:`bie.BieError`, even on damaged copies of these files;
* ``Audit.write`` never writes over an input and leaves no temporary file behind.

Example counts come from the hypothesis profile (tests/conftest.py): ``ci`` by default (fixed seed), ``fuzz``
with ``BIE_HYPOTHESIS_PROFILE=fuzz`` (``make fuzz``)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from hypothesis import example, given, note, settings
from hypothesis import strategies as st

import bie
from bie import analysis
from tests.conftest import examples
from tests.test_properties_read import WORDS, french

CARRIERS = [
    "Centre social Les Tilleuls",
    "Association Sport pour tous",
    "Régie de quartier",
    "CIDFF",
    "Mairie – service jeunesse",
]
TITLES = [
    "Contrat de ville de Bellevue – programmation 2024",
    "Appel à projets politique de la ville",
    "Document de travail – ne pas diffuser",
]
SECTIONS = [
    "Pilier {n} – Cohésion sociale",
    "PILIER {n} : CADRE DE VIE ET RENOUVELLEMENT URBAIN",
    "Axe {n} – Emploi et développement économique",
]
TOTAL_LABELS = ["Sous-total pilier {n}", "Sous-total", "SOUS-TOTAL AXE {n}"]
NOTES = ["Source : service politique de la ville", "NB : montants en euros, hors valorisations"]
PLACEHOLDERS = {"NC": None, "-": Decimal(0), "en attente": None}
ROUND = [500, 1000, 1500, 3000, 6000, 12_500]  # round amounts make parent/duplicate look-alikes common
LARGE = [123_456_789, 799_999_999]  # large but plausible: a file of 12 such actions stays below 10 billion €


@dataclass
class Amount:
    value: Decimal | None  # what the cell means; None: placeholder or empty
    text: str  # as typed in a CSV or a text cell
    number: float | None = None  # written as a number in a workbook (when the file allows it)


Cell = str | Amount | None


@dataclass
class Programme:
    rows: list[list[Cell]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # title, blank, header, section, action, total, note
    funders: bool = False

    def add(self, kind: str, row: list[Cell]) -> None:
        self.rows.append(row)
        self.kinds.append(kind)

    @property
    def written_cents(self) -> int:
        """Every amount written below the header, in cents (placeholders and empty cells count nothing)."""
        return sum(cents(c.value) for row in self.rows for c in row if isinstance(c, Amount))


def cents(value: Any) -> int:
    """Euros (float, Decimal, str or None) to integer cents, exactly."""
    if value is None:
        return 0
    return int((Decimal(str(value)) * 100).quantize(Decimal(1)))


def grouped(euros: int, sep: str) -> str:
    return f"{euros:,}".replace(",", sep)


@st.composite
def amounts(draw: st.DrawFn) -> Amount:
    style = draw(st.integers(0, 11))
    if style >= 9:
        text = draw(st.sampled_from([*PLACEHOLDERS, ""]))
        return Amount(PLACEHOLDERS.get(text), text)
    euros = draw(st.one_of(st.sampled_from(ROUND), st.integers(0, 1_500_000), st.sampled_from(LARGE)))
    cents_ = draw(st.one_of(st.just(0), st.integers(0, 99)))
    space = draw(st.sampled_from([" ", "\u00a0", "\u202f"]))
    if style in (1, 2, 5):  # formats without cents
        cents_ = 0
    value = Decimal(euros) + Decimal(cents_) / 100
    total = euros * 100 + cents_
    if style == 0:  # « 12 500,00 € », « 12.500,00 », « 12 500,00 » (narrow NBSP), « 12500,5 euros »
        text = french(total, draw(st.integers(0, 3)))
    elif style == 1:  # « 12500 »
        text = str(euros)
    elif style == 2:  # « 12 500 »
        text = grouped(euros, space)
    elif style == 3:  # « 12.500,00 »
        text = f"{grouped(euros, '.')},{cents_:02d}"
    elif style == 4:  # « 12500.5 »
        text = f"{euros}.{cents_:02d}".rstrip("0") if cents_ % 10 == 0 and cents_ else f"{euros}.{cents_:02d}"
    elif style == 5:  # « 1 250 000 € »
        text = f"{grouped(euros, space)} €"
    elif style == 6:  # « (1 200,00) »: accounting negative
        text = f"({grouped(euros, space)},{cents_:02d})"
        value = -value
    else:  # a number: a float cell in a workbook, « 12500,50 » in a CSV
        return Amount(value, f"{euros},{cents_:02d}", float(value))
    return Amount(value, text)


def formatted(value: Decimal, style: int) -> Amount:
    """A subtotal: the amount written in one of the formats of a spreadsheet total."""
    total = cents(value)
    sign = "-" if total < 0 else ""
    if style == 0:
        return Amount(value, sign + french(abs(total), 0))
    if style == 1:
        return Amount(value, sign + f"{grouped(abs(total) // 100, '.')},{abs(total) % 100:02d}")
    return Amount(value, f"{value:.2f}".replace(".", ","), float(value))


@st.composite
def programmes(draw: st.DrawFn) -> Programme:
    p = Programme(funders=draw(st.booleans()))
    header: list[str] = ["N° dossier", "Porteur", "Intitulé de l'action"]
    header += ["Montant État", "Montant Ville"] if p.funders else ["Montant accordé"]
    width = len(header)
    n_amounts = width - 3

    def line(first: Cell, *rest: Cell) -> list[Cell]:
        return [first, *rest, *[None] * (width - 1 - len(rest))]

    if draw(st.integers(0, 9)) == 0:
        p.add("blank", line(None))
    for text in TITLES[: draw(st.integers(1, 3))]:
        p.add("title", line(text))
        if draw(st.integers(0, 3)) == 0:
            p.add("blank", line(None))
    if draw(st.booleans()):
        p.add("note", line(NOTES[1]))
    p.add("header", list(header))
    grand = [Decimal(0)] * n_amounts
    counter = 0

    def action(block: list[Decimal], cells: list[Amount], carrier: str | None = None) -> None:
        nonlocal counter
        counter += 1
        word = WORDS[draw(st.integers(0, len(WORDS) - 1))]
        title = f"Atelier {word} n°{counter}"
        if draw(st.integers(0, 4)) == 0:
            title += "\nObjectif : favoriser la mixité des publics"
        if draw(st.integers(0, 5)) == 0:
            title = "=" + title
        ident = draw(st.sampled_from([f"DA{counter:03d}", f"2024-{counter:04d}-01", None]))
        p.add("action", [ident, carrier or draw(st.sampled_from(CARRIERS)), title, *cells])
        for i, c in enumerate(cells):
            block[i] += c.value or 0
        if draw(st.integers(0, 7)) == 0:
            p.add("blank", line(None))

    for pillar in range(1, draw(st.integers(1, 3)) + 1):
        if draw(st.booleans()):
            p.add("section", line(draw(st.sampled_from(SECTIONS)).format(n=pillar)))
        block = [Decimal(0)] * n_amounts
        if draw(st.integers(0, 3)) == 0:
            # A parent look-alike: an action whose amount is the sum of the next two, same carrier, each with
            # its own title (and maybe its own id): three actions, not a parent and its two parts.
            whole = draw(st.sampled_from([3000, 6000, 12_500]))
            carrier = draw(st.sampled_from(CARRIERS))
            for part in (whole, whole / 2, whole / 2):
                value = Decimal(str(part))
                action(block, [Amount(value, french(cents(value), 0), float(value))] * n_amounts, carrier)
        for _ in range(draw(st.integers(1 if pillar == 1 else 0, 3))):  # a block may have a subtotal only
            action(block, [draw(amounts()) for _ in range(n_amounts)])
        if draw(st.booleans()):
            wrong = draw(
                st.sampled_from([Decimal(0), Decimal(0), Decimal("0.01"), Decimal(100), Decimal(-50)])
            )
            label = draw(st.sampled_from(TOTAL_LABELS)).format(n=pillar)
            style = draw(st.integers(0, 2))
            p.add("total", [label, None, None, *[formatted(b + wrong, style) for b in block]])
        grand = [g + b for g, b in zip(grand, block, strict=True)]
    if draw(st.booleans()):
        wrong = draw(st.sampled_from([Decimal(0), Decimal(1)]))
        p.add("total", ["Total général", None, None, *[formatted(g + wrong, 2) for g in grand]])
    if draw(st.booleans()):
        p.add("note", line(NOTES[0]))
    if draw(st.integers(0, 4)) == 0:
        p.add("blank", line(None))
    # At least one readable amount on an action, so that the audit has a basis.
    first = p.kinds.index("action")
    if not any(
        isinstance(c, Amount) and c.value
        for r, k in zip(p.rows, p.kinds, strict=True)
        if k == "action"
        for c in r
    ):
        p.rows[first][3] = Amount(Decimal(1000), "1000")
    return p


@dataclass
class Written:
    path: Path
    #: Possible numberings of the rows (records, or physical lines of a CSV whose cells hold line breaks).
    numberings: list[list[int]]
    fmt: str


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    fmt = draw(st.sampled_from(["xlsx", "csv"]))
    return {
        "fmt": fmt,
        "numbers": draw(st.booleans()),  # xlsx: numbers as numbers (else every amount as text)
        "sep": draw(st.sampled_from([";", ",", "\t"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        "newline": draw(st.sampled_from(["\r\n", "\n"])),
    }


def text_of(cell: Cell) -> str:
    if cell is None:
        return ""
    return cell.text if isinstance(cell, Amount) else cell


def write(p: Programme, layout: dict[str, Any], directory: Path, stem: str = "programmation") -> Written:
    if layout["fmt"] == "xlsx":
        path = directory / f"{stem}.xlsx"
        wb = xlsxwriter.Workbook(path)
        ws = wb.add_worksheet("Programmation")
        for r, row in enumerate(p.rows):
            for c, cell in enumerate(row):
                if isinstance(cell, Amount) and cell.number is not None and layout["numbers"]:
                    ws.write_number(r, c, cell.number)
                elif text_of(cell):
                    ws.write_string(r, c, text_of(cell))
        wb.close()
        last = max(i for i, k in enumerate(p.kinds) if k != "blank") + 1  # a sheet ends at its last value
        return Written(path, [list(range(1, last + 1))], "xlsx")
    path = directory / f"{stem}.csv"
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=layout["sep"], lineterminator=layout["newline"])
    lines, line = [], 1
    for row in p.rows:
        texts = [text_of(c) for c in row]
        writer.writerow(texts)
        lines.append(line)
        line += 1 + sum(t.count("\n") for t in texts)
    text = buf.getvalue()
    if layout["encoding"] == "cp1252":
        text = text.replace("\u202f", "\u00a0")
    path.write_bytes(text.encode(layout["encoding"]))
    return Written(path, [list(range(1, len(p.rows) + 1)), lines], "csv")


def read_or_fail(path: Path) -> bie.ReadResult:
    try:
        return bie.read(path)
    except bie.BieError as exc:
        pytest.fail(f"a well-formed programmation was refused: {exc.message('fr')}")


def check_ledger(p: Programme, w: Written, ledger: pl.DataFrame) -> dict[int, int]:
    """Every row exactly once; every generated action an action. Returns row number -> index in ``p``."""
    rows = ledger.get_column("row").to_list()
    assert len(rows) == len(set(rows)), f"rows listed twice in the ledger: {sorted(rows)}"
    assert sorted(rows) in w.numberings, f"ledger rows {sorted(rows)}, expected one of {w.numberings}"
    numbering = w.numberings[w.numberings.index(sorted(rows))]
    index = {n: i for i, n in enumerate(numbering)}
    status = dict(zip(rows, ledger.get_column("status").to_list(), strict=True))
    reason = dict(zip(rows, ledger.get_column("reason").to_list(), strict=True))
    lost = [(n, reason[n]) for n, i in index.items() if p.kinds[i] == "action" and status[n] != "action"]
    assert not lost, f"actions with their own title and carrier excluded (row, reason): {lost}"
    return index


def column_cents(frame: pl.DataFrame, columns: list[str]) -> int:
    return sum(cents(v) for c in columns if c in frame.columns for v in frame.get_column(c).to_list())


@settings(max_examples=examples(40))
@given(p=programmes(), layout=layouts())
def test_read_keeps_every_row_and_every_euro(
    tmp_path_factory: pytest.TempPathFactory, p: Programme, layout: dict[str, Any]
) -> None:
    w = write(p, layout, tmp_path_factory.mktemp("read"))
    result = read_or_fail(w.path)
    index = check_ledger(p, w, result.ledger)
    assert result.row_amounts is not None
    columns = [c for c in result.row_amounts.columns if c != "_row"]
    assert len(columns) == (2 if p.funders else 1), f"amount columns found: {columns}"
    assert column_cents(result.row_amounts, columns) == p.written_cents
    action_rows = set(result.actions.get_column("_row").to_list())
    excluded = result.row_amounts.filter(~pl.col("_row").is_in(list(action_rows)))
    assert column_cents(result.actions, columns) + column_cents(excluded, columns) == p.written_cents
    assert action_rows == {n for n, i in index.items() if p.kinds[i] == "action"}


@settings(max_examples=examples(8))
@given(p=programmes(), layout=layouts())
def test_audit_reconciles_every_euro(
    tmp_path_factory: pytest.TempPathFactory, p: Programme, layout: dict[str, Any]
) -> None:
    w = write(p, layout, tmp_path_factory.mktemp("audit"))
    try:
        audit = bie.audit([w.path])
    except bie.BieError as exc:
        pytest.fail(f"a well-formed programmation was refused: {exc.message('fr')}")
    index = check_ledger(p, w, audit.inputs[0].ledger)
    (rec,) = audit.reconciliation["files"]
    note(f"reconciliation: {rec}")
    assert cents(rec["input_amount"]) == p.written_cents
    assert cents(rec["actions_amount"]) + cents(rec["excluded_amount"]) == p.written_cents
    assert sum(cents(e["amount"]) for e in rec["excluded"].values()) == cents(rec["excluded_amount"])
    assert rec["balanced"] is True and audit.reconciliation["balanced"] is True
    assert rec["rows"] == len(index)
    actions = column_cents(audit.actions, [analysis.AMOUNT])
    assert actions + column_cents(audit.excluded, ["amount"]) == p.written_cents
    action_rows = audit.actions.get_column("_row").to_list()
    excluded_rows = audit.excluded.get_column("row").to_list()
    assert sorted(action_rows + excluded_rows) == sorted(index), "a row is missing or counted twice"
    assert set(action_rows) == {n for n, i in index.items() if p.kinds[i] == "action"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@settings(max_examples=examples(6))
@given(
    p=programmes(),
    layout=layouts(),
    name=st.sampled_from(["programmation", "programmation.bie"]),
    stem=st.sampled_from([None, "programmation", "audit-bie"]),
)
def test_write_never_touches_an_input(
    tmp_path_factory: pytest.TempPathFactory,
    p: Programme,
    layout: dict[str, Any],
    name: str,
    stem: str | None,
) -> None:
    """The input sits in the output folder, possibly named like a report (« programmation.bie.xlsx »)."""
    folder = tmp_path_factory.mktemp("write")
    w = write(p, layout, folder, stem=name)
    before = sha256(w.path)
    try:
        audit = bie.audit([w.path])
        written = audit.write(folder, stem=stem)
    except bie.BieError as exc:
        note(f"refused: {exc.message('en')}")
        written = []
    for path in written:
        assert not os.path.samefile(path, w.path), f"report written over the input: {path}"
    assert sha256(w.path) == before, "the input was modified"
    left = [
        f.name
        for f in folder.iterdir()
        if f.name.startswith(".") and (f.name.endswith(".tmp") or f.name.startswith(".bie-"))
    ]
    assert not left, f"temporary files left behind: {left}"


def test_write_over_an_input_named_like_a_report(tmp_path: Path) -> None:
    """The case the property above draws only now and then: the report name is exactly the input's."""
    p = Programme()
    p.add("header", ["N° dossier", "Porteur", "Intitulé de l'action", "Montant accordé"])
    p.add("action", ["DA001", CARRIERS[0], "Atelier vélo", Amount(Decimal(1000), "1 000,00 €", 1000.0)])
    w = write(
        p,
        {"fmt": "xlsx", "numbers": True, "sep": ";", "encoding": "utf-8", "newline": "\n"},
        tmp_path,
        "prog.bie",
    )
    before = sha256(w.path)
    audit = bie.audit([w.path])
    files = sorted(tmp_path.iterdir())
    with pytest.raises(bie.BieError):
        audit.write(tmp_path, formats=["json", "xlsx"], stem="prog")
    assert sha256(w.path) == before
    assert sorted(tmp_path.iterdir()) == files, "a refused report set was partly written"
    written = audit.write(tmp_path)
    assert w.path not in written and sha256(w.path) == before


def found_by_fuzz() -> Programme:
    """A counterexample found by ``make fuzz`` (kept as an explicit example of the damaged-copy property)."""
    p = Programme()
    p.add("blank", [None] * 4)
    p.add("title", [TITLES[0], None, None, None])
    p.add("blank", [None] * 4)
    p.add("header", ["N° dossier", "Porteur", "Intitulé de l'action", "Montant accordé"])
    title = "=Atelier théâtre n°1\nObjectif : favoriser la mixité des publics"
    p.add("action", ["DA001", CARRIERS[0], title, Amount(Decimal(500), "500,00 €")])
    p.add("blank", [None] * 4)
    p.add("blank", [None] * 4)
    return p


XLSX_TEXT = {"fmt": "xlsx", "numbers": False, "sep": ";", "encoding": "utf-8", "newline": "\r\n"}


MUTATIONS = ["truncate", "flip", "quote", "nul", "duplicate", "drop"]


@settings(max_examples=examples(50))
# A zip whose central directory points before the file's start: a raw OSError (EINVAL) from seek().
@example(p=found_by_fuzz(), layout=XLSX_TEXT, how="drop", where=0.0625, byte=0)
@given(
    p=programmes(),
    layout=layouts(),
    how=st.sampled_from(MUTATIONS),
    where=st.floats(0, 1),
    byte=st.integers(0, 255),
)
def test_damaged_copies_raise_only_bie_errors(
    tmp_path_factory: pytest.TempPathFactory,
    p: Programme,
    layout: dict[str, Any],
    how: str,
    where: float,
    byte: int,
) -> None:
    w = write(p, layout, tmp_path_factory.mktemp("damaged"))
    data = w.path.read_bytes()
    at = min(int(where * len(data)), len(data) - 1)
    damaged = {
        "truncate": data[:at],
        "flip": data[:at] + bytes([byte]) + data[at + 1 :],
        "quote": data[:at] + b'"' + data[at:],
        "nul": data[:at] + b"\x00" * 16 + data[at:],
        "duplicate": data[:at] + data[at : at + 64] + data[at:],
        "drop": data[:at] + data[at + 64 :],
    }[how]
    w.path.write_bytes(damaged)
    try:
        result = bie.read(w.path)
    except bie.BieError:
        return
    rows = result.ledger.get_column("row").to_list()
    assert len(rows) == len(set(rows)), "rows listed twice in the ledger"
