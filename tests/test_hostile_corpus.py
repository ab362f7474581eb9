"""The hostile corpus (tests/hostile.py), case by case: the invariants every case must satisfy, then what the
issue promises for that case. Where the issue leaves the behaviour open (recover or stop), both are accepted,
but the invariants always hold."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bie_cli.main import cli
from tests import hostile
from tests.hostile import Case

CONTROL = ("\x1b", "\x07", "\x9b")
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    case: Case

    def json(self) -> dict[str, Any]:
        """The JSON report of the run (whatever its name)."""
        assert self.case.output is not None
        found = sorted(self.case.output.glob("*.json"))
        assert len(found) == 1, f"one JSON report expected in {self.case.output}, found {found}"
        data: dict[str, Any] = json.loads(found[0].read_text(encoding="utf-8"))
        return data

    def written(self, suffix: str) -> list[Path]:
        assert self.case.output is not None
        return sorted(p for p in self.case.output.glob(f"*{suffix}") if p.resolve() not in _kept(self.case))


def _kept(c: Case) -> set[Path]:
    return {p.resolve() for p in c.keep}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _limits(rlimits: dict[str, int]) -> Callable[[], None]:
    def apply() -> None:
        if "fsize" in rlimits:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (rlimits["fsize"], rlimits["fsize"]))
        if "as" in rlimits:
            resource.setrlimit(resource.RLIMIT_AS, (rlimits["as"], rlimits["as"]))

    return apply


def run_case(c: Case, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    if c.subprocess:
        env = {k: v for k, v in os.environ.items() if k not in ("BIE_LANG", "PYTHONIOENCODING")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "cli"), str(ROOT)])
        env.update(c.env)
        proc = subprocess.run(
            [sys.executable, "-m", "bie", *c.argv],
            cwd=c.cwd,
            env=env,
            capture_output=True,
            timeout=300,
            preexec_fn=_limits(c.rlimits),
            check=False,
        )
        encoding = c.env.get("PYTHONIOENCODING", "utf-8")
        return Outcome(
            proc.returncode,
            proc.stdout.decode(encoding, "backslashreplace"),
            proc.stderr.decode(encoding, "backslashreplace"),
            c,
        )
    if c.cwd is not None:
        monkeypatch.chdir(c.cwd)
    result = CliRunner().invoke(cli, c.argv, env={"BIE_LANG": "fr"})
    return Outcome(result.exit_code, result.stdout, result.stderr, c)


def check_invariants(c: Case, before: dict[Path, str], r: Outcome) -> None:
    for path, digest in before.items():
        assert path.exists(), f"{path} has disappeared"
        assert sha256(path) == digest, f"{path} was modified"
    assert r.code in (0, 1), f"exit code {r.code}\nstdout: {r.out}\nstderr: {r.err}"
    for stream in (r.out, r.err):
        for bad in ("inattendue", "unexpected", "Traceback", "Exception ignored"):
            assert bad not in stream, f"{bad!r} printed:\n{stream}"
        for char in CONTROL:
            assert char not in stream, f"raw control character {char!r} printed:\n{stream!r}"
    if r.code == 1:
        lang = c.argv[c.argv.index("--lang") + 1] if "--lang" in c.argv else "fr"
        prefix = "Error: " if lang == "en" else "Erreur : "
        assert r.err.startswith(prefix), r.err
        assert r.err.endswith("\n") and r.err.count("\n") == 1, f"more than one line:\n{r.err}"
    if c.output is not None and c.output.exists():
        left = [p for p in c.output.rglob(".*") if p.name.endswith(".tmp") or p.name.startswith(".bie-")]
        assert not left, f"temporary files left behind: {left}"


# ---- expectations per case ------------------------------------------------------------------------------
Check = Callable[[Outcome], None]
EXPECT: dict[str, Check] = {}


def expect(*names: str) -> Callable[[Check], Check]:
    def register(func: Check) -> Check:
        for name in names:
            EXPECT[name] = func
        return func

    return register


def _error_containing(*words: str) -> Check:
    def check(r: Outcome) -> None:
        assert r.code == 1, f"an error was expected\nstdout: {r.out}"
        for word in words:
            assert word in r.err, f"{word!r} not in {r.err!r}"

    return check


def _ok_or_error_containing(*words: str) -> Check:
    def check(r: Outcome) -> None:
        if r.code == 1:
            _error_containing(*words)(r)

    return check


def _ok(r: Outcome) -> None:
    assert r.code == 0, f"exit {r.code}: {r.err}"


EXPECT.update(
    {
        "grid_bomb_alone": _error_containing("en-tête"),
        "billion_laughs": _error_containing("entités XML"),
        "xxe": _error_containing("entités XML"),
        "whitespace_bomb": _error_containing("se décompresserait"),
        "huge_cell": _error_containing("se décompresserait"),
        "truncated": _error_containing("half.xlsx"),
        "encrypted": _error_containing("mot de passe"),
        "ods_repeat_bomb": _error_containing("XFD"),
        "rules_python_tag": _error_containing("regles.yaml"),
        "rules_regex_bomb": _ok_or_error_containing("regles.yaml"),
        "tag_output_is_input_xlsx": _error_containing("prog.xlsx"),
        "tag_output_is_input_csv": _error_containing("prog.csv"),
        "tag_output_is_input_by_other_name": _error_containing("lien.csv"),
        "funder_empty": _error_containing("--funder"),
        "questionnaire_multiline_answer": _error_containing("toile.xlsx"),
        "questionnaire_shared_strings_bomb": _error_containing("toile.xlsx", "se décompresserait"),
        "rules_impossible_date": _error_containing("regles.yaml", "2026-02-30"),
        "rules_deep_nesting": _error_containing("regles.yaml"),
        "decisions_row_beyond_int64": _ok_or_error_containing("decisions.yaml"),
        "decisions_impossible_date": _ok_or_error_containing("decisions.yaml"),
        "explain_row_overflow": _error_containing("99999999999999999999"),
        "html_as_xls_bom": _error_containing("HTML"),
        "html_as_xls_utf16": _error_containing("HTML"),
        "cell_beyond_excel_limit": _ok,
        "terminal_escapes_inspect": _ok,
        "terminal_escapes_explain": _ok,
        "terminal_escapes_audit": _ok,
        "terminal_escapes_csv": _ok_or_error_containing("prog.csv"),
        "stale_temporary_files": _ok,
    }
)


def _actions(r: Outcome) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = r.json()["actions"]
    return actions


def _total(r: Outcome) -> float:
    return float(r.json()["summary"]["amount_total"])


@expect("grid_bomb_with_table")
def _grid_bomb_with_table(r: Outcome) -> None:
    _ok(r)
    assert len(_actions(r)) == 5


@expect("stray_xfd")
def _stray(r: Outcome) -> None:
    _ok(r)
    assert len(_actions(r)) == 200


@expect("ragged_csv")
def _ragged(r: Outcome) -> None:
    _ok(r)
    assert len(_actions(r)) == 2


@expect("issues_capped")
def _capped(r: Outcome) -> None:
    _ok(r)
    assert len(_actions(r)) == 1500


def _xlsx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.endswith(".xml")}


def _texts(parts: dict[str, bytes]) -> list[str]:
    """Every string of the workbook: shared strings and inline strings, unescaped."""
    out = []
    for name, data in parts.items():
        if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/"):
            for element in ET.fromstring(data).iter():
                if element.tag.rsplit("}", 1)[-1] in ("si", "is"):
                    out.append("".join(element.itertext()))
    return out


FORMULA = re.compile(rb"<f(?:\s[^>]*)?>([^<]*)</f>")


def _inert(path: Path, texts: list[str], any_formula: bool) -> None:
    """No formula made of input text, no raw markup from the input, every hostile text kept whole."""
    parts = _xlsx_parts(path)
    for name, data in parts.items():
        if not name.startswith("xl/worksheets/"):
            continue
        formulas = FORMULA.findall(data)
        if not any_formula:
            assert not formulas, f"formulas in {name}: {formulas[:3]}"
        for formula in formulas:
            assert b"HYPERLINK" not in formula and b"WEBSERVICE" not in formula, f"live formula {formula!r}"
        assert b"</si>" not in data and b"</is><is>" not in data, f"raw markup from the input in {name}"
    shared = parts.get("xl/sharedStrings.xml", b"")
    assert b"</si><si><t>=WEBSERVICE" not in shared, "raw markup from the input in sharedStrings.xml"
    strings = _texts(parts)
    for text in texts:
        assert text in strings, f"{text!r} not written whole as text"


@expect("formula_text_tag")
def _formula_tag(r: Outcome) -> None:
    _ok(r)
    (written,) = r.written(".xlsx")
    _inert(written, hostile.FORMULA_TITLES, any_formula=False)


@expect("header_markup_tag")
def _markup_tag(r: Outcome) -> None:
    _ok(r)
    (written,) = r.written(".xlsx")
    _inert(written, hostile.MARKUP_HEADERS, any_formula=False)


@expect("header_markup_audit")
def _markup_audit(r: Outcome) -> None:
    _ok(r)
    (written,) = r.written(".xlsx")
    _inert(written, [], any_formula=True)


@expect("audit_default_output_is_input", "audit_output_is_input_folder", "audit_csv_next_to_workbook")
def _reports_beside_input(r: Outcome) -> None:
    if r.code == 0:
        assert r.written(".json") and r.written(".html"), "reports not written"


@expect("audit_input_is_symlink")
def _symlink_input(r: Outcome) -> None:
    assert r.case.cwd is not None
    assert (r.case.cwd / "prog.xlsx").is_symlink(), "the input link was replaced by a report"
    _reports_beside_input(r)


@expect("duplicate_parent")
def _duplicate_parent(r: Outcome) -> None:
    _ok(r)
    data = r.json()
    rows = sorted(a["row"] for a in data["actions"])
    assert rows == [2, 3, 4, 5], f"actions kept: rows {rows} (DA001 6 000 is row 2)"
    assert _total(r) == 16_500
    for issue in data["issues"]:
        if "duplicate" in issue["code"] or "parent" in issue["code"]:
            assert issue["severity"] != "info", issue


@expect("unbalanced_quote")
def _unbalanced_quote(r: Outcome) -> None:
    if r.code == 1:
        assert "ligne 2" in r.err, f"the error should name line 2 (the opening quote): {r.err}"
        return
    assert len(_actions(r)) == 4, "rows swallowed by the unbalanced quote"
    assert _total(r) == 10_000


@expect("lone_subtotal")
def _lone_subtotal(r: Outcome) -> None:
    if r.code == 1:
        return
    (rec,) = r.json()["reconciliation"]["files"]
    assert rec["rows"] == 2, rec
    assert float(rec["input_amount"]) == 0.01, f"the 0.01 subtotal vanished from the reconciliation: {rec}"
    assert float(rec["actions_amount"]) + float(rec["excluded_amount"]) == 0.01


@expect("huge_amount", "amounts_wrap")
def _implausible(r: Outcome) -> None:
    _ok(r)
    data = r.json()
    assert _total(r) >= 0, "the total wrapped to a negative number"
    assert _total(r) == 16_500, "implausible amounts must be left out of the sums"
    rows = {i["row"] for i in data["issues"]}
    assert 6 in rows, "the implausible amount (row 6) is not flagged"


@expect("same_file_twice", "same_content_two_names")
def _same_file(r: Outcome) -> None:
    if r.code == 1:
        return
    assert len(_actions(r)) == 4, "the same file was counted twice"
    assert _total(r) == 16_500


@expect("same_name_two_folders")
def _same_name(r: Outcome) -> None:
    _ok(r)
    data = r.json()
    names = {i["file"] for i in data["inputs"]}
    assert len(names) == 2, f"inputs not told apart: {names}"
    assert len({a["file"] for a in data["actions"]}) == 2


@expect("funder_typo")
def _funder_typo(r: Outcome) -> None:
    _error_containing("Etta", "État", "Ville")(r)


@expect("funder_typo_english")
def _funder_typo_english(r: Outcome) -> None:
    _error_containing("Etta", "État", "Ville")(r)
    assert "Erreur" not in r.err


@expect("disk_full_audit", "disk_full_tag")
def _disk_full(r: Outcome) -> None:
    _error_containing("out")(r)


@expect("stdout_cp1252", "stdout_ascii", "non_utf8_file_name")
def _encoding(r: Outcome) -> None:
    if r.code == 0:
        assert r.written(".json") and r.written(".html") and r.written(".xlsx")


@expect("xls_under_memory_limit", "ods_non_utf8_member")
def _readable(r: Outcome) -> None:
    _ok(r)


@expect("xlsx_5000_columns")
def _columns(r: Outcome) -> None:
    _error_containing("colonnes")(r)
    assert "cellules à allouer" not in r.err, "the cell-count message instead of the column limit"


@expect("ods_renamed_xlsx", "xls_renamed_xlsx")
def _renamed(r: Outcome) -> None:
    if r.code == 1:
        assert "endommagé" not in r.err, r.err
        assert any(word in r.err for word in ("ODS", "OpenDocument", ".ods", ".xls", "Excel 97")), r.err


@expect("terminal_escapes_file_name")
def _escaped_name(r: Outcome) -> None:
    _error_containing("\\x1b")(r)


def test_every_case_has_an_expectation() -> None:
    assert sorted(hostile.CASES) == sorted(EXPECT)


@pytest.mark.parametrize("name", list(hostile.CASES))
def test_hostile_case(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = hostile.CASES[name](tmp_path)
    before = {p: sha256(p) for p in c.keep}
    r = run_case(c, monkeypatch)
    check_invariants(c, before, r)
    EXPECT[name](r)


def test_corpus_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = ["duplicate_parent", "audit_default_output_is_input"]
    monkeypatch.setattr(hostile, "CASES", {n: hostile.CASES[n] for n in chosen})
    assert hostile.main([str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == chosen
    assert lines[1] == f"audit_default_output_is_input: cd {tmp_path / chosen[1]} && bie audit prog.xlsx"
    assert (tmp_path / "duplicate_parent" / "prog.csv").exists()
    assert hostile.main([]) == 2
