"""Issue 8, « rows, CSV quotes and money »: no action or euro may disappear or be falsified.

Each test is one « Why » bullet of the issue, read with ``bie.read`` and ``bie.audit`` on small files written
in ``tmp_path``. Expected amounts are computed independently, with :class:`decimal.Decimal`, from what the test
wrote.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter

import bie
from bie import analysis, parse
from bie.errors import UnbalancedQuote
from bie.io.limits import Limits

HEADER = ["N° dossier", "Porteur", "Intitulé de l'action", "Montant"]


def write_csv(path: Path, rows: list[list[str]], sep: str = ";", encoding: str = "utf-8") -> Path:
    lines = [sep.join(HEADER)] + [sep.join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Programmation")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    book.close()
    return path


def euros(text: str) -> Decimal:
    """A French amount as written in these tests (« 6 000 », « 0,01 », « 0.01 »), exactly."""
    return Decimal(text.replace(" ", "").replace("\u202f", "").replace(",", "."))


def issues(result: Any, code: str) -> list[Any]:
    return [i for i in result.issues if i.code == code]


def check_ledger(result: Any, lines: int) -> None:
    """Every source row exactly once in the ledger (header included)."""
    rows = result.ledger.get_column("row").to_list()
    assert sorted(rows) == list(range(1, lines + 1))


def check_reconciliation(audit: Any, written: Decimal) -> dict[str, Any]:
    """Actions + excluded rows == what was written, to the cent."""
    rec = audit.reconciliation["files"][0]
    assert Decimal(str(rec["input_amount"])) == written
    assert Decimal(str(rec["actions_amount"])) + Decimal(str(rec["excluded_amount"])) == written
    by_reason = sum((Decimal(str(e["amount"])) for e in rec["excluded"].values()), Decimal(0))
    assert Decimal(str(rec["excluded_amount"])) == by_reason
    return dict(rec)


# -- Duplicate-parent rule -----------------------------------------------------------------------------------

DISTINCT = [
    ["DA001", "Centre social", "Accompagnement des femmes vers l'emploi", "6 000"],
    ["DA002", "Centre social", "Atelier couture", "3 000"],
    ["DA003", "Centre social", "Permanence juridique", "3 000"],
]


def test_distinct_action_is_kept_even_when_the_next_ones_add_up_to_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "prog.csv", DISTINCT)
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == ["DA001", "DA002", "DA003"]
    assert result.excluded_by_reason() == {"header": 1}
    assert not issues(result, "duplicate-parent")
    check_ledger(result, 4)
    audit = bie.audit(path)
    rec = check_reconciliation(audit, sum((euros(r[3]) for r in DISTINCT), Decimal(0)))
    assert Decimal(str(rec["actions_amount"])) == Decimal(12000)
    assert rec["balanced"] is True


def test_distinct_title_without_id_is_kept(tmp_path: Path) -> None:
    rows = [["", r[1], r[2], r[3]] for r in DISTINCT]
    path = write_csv(tmp_path / "prog.csv", rows)
    result = bie.read(path)
    assert result.actions.get_column("title").to_list() == [r[2] for r in DISTINCT]
    assert not issues(result, "duplicate-parent")


def test_own_id_wins_over_a_summary_label(tmp_path: Path) -> None:
    rows = [["DA001", "Centre social", "Récapitulatif", "6 000"], *DISTINCT[1:]]
    result = bie.read(write_csv(tmp_path / "prog.csv", rows))
    assert result.actions.get_column("action_id").to_list() == ["DA001", "DA002", "DA003"]
    assert not issues(result, "duplicate-parent")


def test_dont_detail_rows_mark_their_summary(tmp_path: Path) -> None:
    rows = [
        ["", "Centre social", "Accompagnement global", "6 000"],
        ["DA002", "Centre social", "dont atelier couture", "3 000"],
        ["DA003", "Centre social", "dont permanence juridique", "3 000"],
    ]
    path = write_csv(tmp_path / "prog.csv", rows)
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == ["DA002", "DA003"]
    (issue,) = issues(result, "duplicate-parent")
    assert "« dont »" in issue.message("fr")
    check_reconciliation(bie.audit(path), Decimal(12000))


@pytest.mark.parametrize(
    ("parent", "evidence"),
    [
        (["", "Centre social", "", "6 000"], "cellule « N° dossier » vide"),  # no id, no title
        (["", "Centre social", "Centre social", "6 000"], "intitulé identique au porteur"),
        (["", "Centre social", "Total Centre social", "6 000"], "libellé de total"),
        (["", "Centre social", "Récapitulatif", "6 000"], "libellé de total"),
    ],
)
def test_parent_row_needs_positive_evidence_and_is_a_warning(
    tmp_path: Path, parent: list[str], evidence: str
) -> None:
    details = [
        ["DA002", "Centre social", "Atelier couture", "3 000"],
        ["DA003", "Centre social", "Permanence juridique", "3 000"],
    ]
    path = write_csv(tmp_path / "prog.csv", [parent, *details])
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == ["DA002", "DA003"]
    assert result.excluded_by_reason() == {"duplicate": 1, "header": 1}
    (issue,) = issues(result, "duplicate-parent")
    assert (issue.row, issue.severity) == (2, "warning")
    assert evidence in issue.message("fr")
    check_ledger(result, 4)
    audit = bie.audit(path)
    rec = check_reconciliation(audit, Decimal(12000))
    assert rec["excluded"]["duplicate"] == {"rows": 1, "amount": 6000.0}


def test_budget_annex_parent_still_excluded(tmp_path: Path) -> None:
    """The pattern the rule was written for: the State's annex, an association's total then its imputations."""
    path = tmp_path / "jaune.csv"
    path.write_text(
        "SIREN;ASSOCIATION;IMPUTATION;Total des subventions\n"
        "390322055;AFEV;;1 474 800\n"
        "390322055;AFEV;147 - Politique de la ville;447 396\n"
        "390322055;AFEV;163 - Jeunesse;1 000 000\n"
        "390322055;AFEV;177 - Hébergement;27 404\n",
        encoding="utf-8",
    )
    result = bie.read(path)
    (issue,) = issues(result, "duplicate-parent")
    assert (issue.row, issue.severity) == (2, "warning")
    assert "IMPUTATION" in issue.message("fr") and "IMPUTATION" in issue.message("en")
    assert result.amounts["granted"] == 1_474_800


# -- CSV unbalanced quote ------------------------------------------------------------------------------------

QUOTED = [
    ["DA001", "Centre social", "Atelier", "1 000"],
    ["DA002", "Asso B", '"Permanence juridique', "2 000"],
    ["DA003", "Asso C", "Couture", "3 000"],
    ["DA004", "Asso D", "Sport", "4 000"],
    ["DA005", "Asso E", "Théâtre", "5 000,50"],
]


@pytest.mark.parametrize(
    ("sep", "encoding"), [(";", "utf-8"), (";", "cp1252"), (",", "cp1252"), ("\t", "utf-8"), (",", "utf-8")]
)
def test_unbalanced_quote_is_recovered_with_a_warning(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = [[*r[:3], str(euros(r[3])) if sep == "," else r[3]] for r in QUOTED]  # « 5000.50 » with « , »
    path = write_csv(tmp_path / "prog.csv", rows, sep, encoding)
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == [r[0] for r in QUOTED]
    assert result.actions.get_column("title").to_list()[1] == '"Permanence juridique'
    (issue,) = issues(result, "csv-unbalanced-quote")
    assert (issue.row, issue.severity) == (3, "warning")
    assert "ligne 3" in issue.message("fr") and "line 3" in issue.message("en")
    check_ledger(result, 6)
    audit = bie.audit(path)
    written = sum((euros(r[3]) for r in QUOTED), Decimal(0))
    rec = check_reconciliation(audit, written)
    assert Decimal(str(rec["actions_amount"])) == written


def test_quote_closed_by_a_later_quote_is_recovered(tmp_path: Path) -> None:
    rows = [
        ["DA001", "Centre social", "Atelier", "1 000"],
        ["DA002", "Asso B", '"Permanence juridique', "2 000"],
        ["DA003", "Asso C", '"Couture" et "tricot"', "3 000"],
        ["DA004", "Asso D", "Sport", "4 000"],
    ]
    result = bie.read(write_csv(tmp_path / "prog.csv", rows))
    assert result.actions.get_column("action_id").to_list() == ["DA001", "DA002", "DA003", "DA004"]
    assert result.amounts["granted"] == 10_000
    assert len(issues(result, "csv-unbalanced-quote")) == 1


def test_quote_never_closed_on_the_last_line_is_recovered(tmp_path: Path) -> None:
    rows = [["DA001", "Centre social", "Atelier", "1 000"], ["DA002", "Asso B", '"Permanence', "2 000"]]
    result = bie.read(write_csv(tmp_path / "prog.csv", rows))
    assert result.amounts["granted"] == 3_000
    assert [i.row for i in issues(result, "csv-unbalanced-quote")] == [3]


def test_real_multiline_cells_are_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "prog.csv"
    path.write_text(
        "Intitulé de l'action;Porteur;N° dossier;Montant\n"
        '"Atelier\nsuite; avec un point-virgule";Asso A;DA1;1000\n'
        'Sport;Asso B;DA2;"2 000"\n',
        encoding="utf-8",
    )
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == ["DA1", "DA2"]
    assert result.actions.get_column("title").to_list()[0] == "Atelier\nsuite; avec un point-virgule"
    assert not issues(result, "csv-unbalanced-quote")


@pytest.mark.parametrize(("sep", "encoding"), [(";", "utf-8"), (",", "cp1252"), ("\t", "utf-8")])
def test_ambiguous_unbalanced_quote_stops_with_one_line_naming_the_line(
    tmp_path: Path, sep: str, encoding: str
) -> None:
    """The quote encloses a separator: where the field should end cannot be known, so bie stops."""
    rows = [
        ["DA001", "Centre social", "Atelier", "1000"],
        ["DA002", "Asso B", f'"Permanence{sep} juridique', "2000"],
        ["DA003", "Asso C", "Couture", "3000"],
        ["DA004", "Asso D", "Sport", "4000"],
    ]
    path = write_csv(tmp_path / "prog.csv", rows, sep, encoding)
    with pytest.raises(UnbalancedQuote) as err:
        bie.read(path)
    assert err.value.code == "unbalanced-quote"
    for lang, word in (("fr", "ligne 3"), ("en", "line 3")):
        message = err.value.message(lang)
        assert word in message and "\n" not in message


# -- Lone subtotal -------------------------------------------------------------------------------------------


def test_lone_subtotal_is_reconciled_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "prog.csv"
    path.write_text(";".join(HEADER) + "\nSous-total;;;0.01\n", encoding="utf-8")
    result = bie.read(path)
    assert result.actions.height == 0
    assert result.excluded_by_reason() == {"header": 1, "total": 1}
    (issue,) = issues(result, "total-no-actions")
    assert (issue.row, issue.severity) == (2, "warning")
    check_ledger(result, 2)
    rec = check_reconciliation(bie.audit(path), Decimal("0.01"))
    assert rec["excluded"]["total"] == {"rows": 1, "amount": 0.01}


def test_subtotal_after_a_total_is_reconciled(tmp_path: Path) -> None:
    rows = [
        ["DA001", "Centre social", "Atelier", "100"],
        ["Total", "", "", "100"],
        ["Sous-total", "", "", "0,01"],
    ]
    path = write_csv(tmp_path / "prog.csv", rows)
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == ["DA001"]
    assert {i.code for i in result.issues} >= {"total-mismatch"}
    rec = check_reconciliation(bie.audit(path), Decimal("200.01"))
    assert rec["excluded"]["total"] == {"rows": 2, "amount": 100.01}


# -- Money: exact, never crash, never wrap -------------------------------------------------------------------


@pytest.mark.parametrize(
    "big", ["92000000000000000", "92 233 720 368 547 758,08", "1e19", "99999999999999999999"]
)
def test_huge_amount_does_not_crash_and_is_left_out_of_sums(tmp_path: Path, big: str) -> None:
    rows = [
        ["DA001", "Centre social", "Atelier", "1 000,50"],
        ["DA002", "Asso B", "Référence collée", big],
        ["DA003", "Asso C", "Couture", "2 000"],
    ]
    path = write_csv(tmp_path / "prog.csv", rows)
    result = bie.read(path)
    assert result.actions.get_column("action_id").to_list() == ["DA001", "DA002", "DA003"]
    assert result.actions.get_column("amount_granted").to_list() == [1000.5, None, 2000.0]
    assert result.original.get_column("Montant").to_list()[1] == big
    (issue,) = issues(result, "amount-implausible")
    assert (issue.row, issue.column, issue.severity) == (3, "Montant", "error")
    assert big in issue.message("fr") and big in issue.message("en")
    audit = bie.audit(path)
    assert Decimal(str(audit.summary["amount_total"])) == Decimal("3000.50")
    rec = audit.reconciliation["files"][0]
    assert rec["implausible_amounts"] == 1
    assert rec["balanced"] is False


def test_two_huge_amounts_never_wrap_to_a_negative_total(tmp_path: Path) -> None:
    rows = [
        ["DA001", "Centre social", "Atelier", "50000000000000000"],
        ["DA002", "Asso B", "Couture", "50000000000000000"],
    ]
    path = write_csv(tmp_path / "prog.csv", rows)
    audit = bie.audit(path)
    assert audit.summary["amount_total"] == 0.0
    assert audit.reconciliation["balanced"] is False
    assert len([i for _, i in audit.issues if i.code == "amount-implausible"]) == 2


def test_huge_numbers_in_xlsx_cells(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["DA001", "Centre social", "Atelier", 5e16],
        ["DA002", "Asso B", "Couture", 5e16],
        ["DA003", "Asso C", "Sport", 10_000_000_000],  # the limit itself is plausible
        ["DA004", "Asso D", "Théâtre", 1234.56],
    ]
    path = write_xlsx(tmp_path / "prog.xlsx", rows)
    result = bie.read(path)
    assert result.actions.get_column("amount_granted").to_list() == [None, None, 1e10, 1234.56]
    assert [i.row for i in issues(result, "amount-implausible")] == [2, 3]
    audit = bie.audit(path)
    assert Decimal(str(audit.summary["amount_total"])) == Decimal("10000001234.56")


def test_sums_are_exact_beyond_int64_cents() -> None:
    """Sums are done in Int128 cents: what an Int64 sum would wrap to a negative number stays exact."""
    frame = pl.DataFrame(
        {analysis.AMOUNT: [5e16, 5e16, 0.01], "category": ["specific", "not_integrated", "specific"]}
    )
    summary = analysis.summary(frame, "granted", "montant accordé")
    assert Decimal(str(summary["amount_total"])) == Decimal("100000000000000000")
    assert summary["by_category"]["specific"]["amount"] == 5e16


def test_limit_comes_from_data_and_can_be_lowered(tmp_path: Path) -> None:
    assert parse.amount_limit() == 10_000_000_000
    rows = [["DA001", "Centre social", "Atelier", "2 000"], ["DA002", "Asso B", "Couture", "500"]]
    path = write_csv(tmp_path / "prog.csv", rows)
    result = bie.read(path, limits=Limits(max_amount_euros=1000))
    assert result.actions.get_column("amount_granted").to_list() == [None, 500.0]
    (issue,) = issues(result, "amount-implausible")
    assert re.search(r"1\u202f000,00", issue.message("fr"))


def test_text_rows_with_nothing_above_are_notes_not_continuations_of_nothing(tmp_path: Path) -> None:
    """When no column identifies actions, the first text rows used to be « continuation » of row None."""
    src = tmp_path / "colonnes.csv"
    src.write_text(
        "Date de convention;Nature;COL3;COL4\n"
        "2017-01-02;Fonctionnement;ASSOCIATION SPORTIVE;Tournoi de quartier ouvert aux familles du quartier\n"
        "2017-02-03;Fonctionnement;CLUB DE COUTURE;Ateliers de couture pour les habitants du quartier\n",
        encoding="utf-8",
    )
    result = bie.read(src)
    ledger = result.ledger
    assert ledger.filter(pl.col("reason") == "continuation").height == 0
    for issue in result.issues:
        assert "None" not in issue.message("fr")
