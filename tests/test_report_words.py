"""Issue 10: no internal id ever reaches a reader, and an English report holds no French outside the input's
own text, on every fixture and every real file, in the HTML, the workbook and the command line summary
(the scanner: tests/scan.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bie
from tests.conftest import FIXTURES, ROOT
from tests.scan import Data, Finding, _scan_text, internal_ids, scan, summary_text

REAL = ROOT / "tests" / "data" / "real"
INPUTS = [
    FIXTURES / "programmation_cdv_2024.xlsx",
    FIXTURES / "export_plateforme_2024.csv",
    *sorted(p for p in REAL.iterdir() if p.is_file() and p.suffix != ".md"),
    REAL / "scdl" / "exemple_valide_v2.1.1.csv",
]


def _shown(found: list[Finding]) -> list[str]:
    return sorted({f"{f.where} {f.kind} {f.word!r}: …{f.context}…" for f in found})


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_no_internal_id_and_no_french_in_english(path: Path, tmp_path: Path) -> None:
    audit = bie.audit(path)
    for lang in ("fr", "en"):
        found = scan(audit, lang, tmp_path, summary_text(audit, lang))
        assert _shown(found) == [], f"{path.name} [{lang}]"


def test_the_scanner_finds_what_it_looks_for() -> None:
    """A check that cannot fail is a defect: the scanner reports an id, French bie words in English, and
    lets the input's own text through."""
    audit = bie.audit(FIXTURES / "export_plateforme_2024.csv")
    data, ids = Data(audit), internal_ids()
    first_title = str(audit.actions.get_column("title").drop_nulls()[0])
    leaks = list(_scan_text("the text gives « not_integrated » for amount_granted", "t", "en", data, ids))
    assert {f.word for f in leaks} == {"not_integrated", "amount_granted"}
    french = list(_scan_text("Summary — somme des cofinancements", "t", "en", data, ids))
    assert {f.word for f in french} >= {"somme", "cofinancements"}
    assert list(_scan_text(f"Reason: “{first_title}”", "t", "en", data, ids)) == []
    assert list(_scan_text(first_title, "t", "en", data, ids)) == []
    assert list(_scan_text("funding:État (BOP 147)", "t", "fr", data, ids))
