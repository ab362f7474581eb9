"""Outputs never touch inputs; report sets are written all or nothing; disk errors are clear; the same
input twice is counted once; inputs with the same name, or a name that is not UTF-8, are told apart."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import bie
from bie import outputs
from bie.errors import OutputError, OutputIsInput, OutputLocked
from bie.report.model import AuditReport
from bie_cli.main import cli
from tests.conftest import FIXTURES, REAL

ROOT = Path(__file__).parent.parent
PROG = FIXTURES / "programmation_cdv_2024.xlsx"
LOT = REAL / "lot_subventions_2017.csv"
PLATFORM = FIXTURES / "export_plateforme_2024.csv"
REFUSED = (
    "ce fichier de sortie est le fichier d'entrée « {input} » : bie ne modifie jamais un fichier qu'il lit. "
    "Choisissez un autre nom ou un autre dossier de sortie (option -o)."
)
DISK_FULL = (
    "impossible d'écrire le rapport (disque plein). Vérifiez que le dossier existe, que vous pouvez y "
    "écrire et que le fichier n'est pas ouvert dans un autre logiciel."
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(folder: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding a workbook and a CSV with the same stem (the officer's files)."""
    shutil.copy(PROG, tmp_path / "prog.xlsx")
    shutil.copy(LOT, tmp_path / "prog.csv")
    return tmp_path


# ------------------------------------------------------------------------------------- outputs vs inputs
def test_audit_in_the_input_folder_keeps_the_input(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digests(folder)
    monkeypatch.chdir(folder)
    code, _out, err = run("audit", "prog.xlsx")
    assert (code, err) == (0, "")
    assert digests(folder).items() >= before.items()
    assert sorted(p.name for p in folder.iterdir()) == [
        "prog.bie.html",
        "prog.bie.json",
        "prog.bie.xlsx",
        "prog.csv",
        "prog.xlsx",
    ]


def test_output_folder_is_the_input_folder(folder: Path) -> None:
    before = digests(folder)
    code, _out, err = run("audit", str(folder / "prog.xlsx"), "-o", str(folder))
    assert (code, err) == (0, "")
    assert {k: digests(folder)[k] for k in before} == before


def test_csv_next_to_a_workbook_of_the_same_name(folder: Path) -> None:
    before = digests(folder)
    code, _out, err = run("audit", str(folder / "prog.csv"), "-o", str(folder))
    assert (code, err) == (0, "")
    assert {k: digests(folder)[k] for k in before} == before
    assert (folder / "prog.bie.xlsx").exists()


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_tag_onto_its_input_is_refused(folder: Path, how: str) -> None:
    source = folder / "prog.xlsx"
    target = {"same": source, "symlink": folder / "lien.xlsx", "hardlink": folder / "copie.xlsx"}[how]
    if how == "symlink":
        target.symlink_to(source)
    elif how == "hardlink":
        os.link(source, target)
    before = digests(folder)
    assert run("tag", str(source), "-o", str(target)) == (
        1,
        "",
        f"Erreur : {target} : {REFUSED.format(input=source)}\n",
    )
    assert digests(folder) == before
    assert hidden(folder) == []


def test_web_svg_onto_its_input_is_refused(folder: Path) -> None:
    source = folder / "prog.csv"
    before = digests(folder)
    code, _out, err = run("web", str(source), "-o", str(source))
    assert (code, err) == (1, f"Erreur : {source} : {REFUSED.format(input=source)}\n")
    assert digests(folder) == before


def test_report_over_the_questionnaire_is_refused_before_anything_is_written(folder: Path) -> None:
    questionnaire = folder / "prog.bie.xlsx"
    assert run("web", "questionnaire", "-o", str(questionnaire))[0] == 0
    before = digests(folder)
    code, _out, err = run("audit", str(folder / "prog.xlsx"), "-q", str(questionnaire), "-o", str(folder))
    assert (code, err) == (1, f"Erreur : {questionnaire} : {REFUSED.format(input=questionnaire)}\n")
    assert digests(folder) == before  # not even the HTML report, written first in a normal run
    assert hidden(folder) == []


def test_rules_file_is_an_input_too(folder: Path) -> None:
    rules = folder / "prog.bie.json"
    rules.write_text("{}\n", encoding="utf-8")
    audit = bie.audit(folder / "prog.xlsx")
    audit.input_files = outputs.identify([folder / "prog.xlsx", rules])
    with pytest.raises(OutputIsInput) as caught:
        audit.write(folder, formats=["json"])
    assert caught.value.code == "output-is-input"
    assert rules.read_text(encoding="utf-8") == "{}\n"


def test_library_writers_remember_their_inputs(folder: Path) -> None:
    source = folder / "prog.xlsx"
    before = digests(folder)
    audit = bie.audit(source)
    tagged = bie.tag_file(source)
    for write in (audit.to_excel, audit.write_svg, tagged.write):
        with pytest.raises(OutputIsInput):
            write(source)
    (folder / "lien.xlsx").symlink_to(source)
    with pytest.raises(OutputIsInput) as caught:
        tagged.write(folder / "lien.xlsx")
    assert caught.value.message("fr") == f"{folder / 'lien.xlsx'} : {REFUSED.format(input=source)}"
    assert {k: digests(folder)[k] for k in before} == before
    assert hidden(folder) == []


# ------------------------------------------------------------------------------------- all or nothing
def test_a_failure_writes_no_report_at_all(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bie.report import excel

    (folder / "prog.bie.html").write_text("ancien", encoding="utf-8")
    audit = bie.audit(folder / "prog.xlsx")
    monkeypatch.setattr(excel._Book, "write_summary", lambda self, ws: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        audit.write(folder)  # html rendered first, then xlsx fails: nothing moved in
    assert (folder / "prog.bie.html").read_text(encoding="utf-8") == "ancien"
    assert sorted(p.name for p in folder.iterdir()) == ["prog.bie.html", "prog.csv", "prog.xlsx"]


def test_the_xlsx_temporary_folder_is_inside_the_run_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bie.report import excel

    seen: list[Path] = []
    real = excel._Book.__init__

    def spy(self: excel._Book, report: AuditReport, path: Path, tmpdir: Path) -> None:
        seen.append(tmpdir)
        real(self, report, path, tmpdir)

    monkeypatch.setattr(excel._Book, "__init__", spy)
    bie.audit(folder / "prog.csv").write(folder, formats=["xlsx"])
    assert seen[0].parent.parent == folder
    assert seen[0].parent.name.startswith(f".bie-tmp-{os.getpid()}-")
    assert seen[0].name.startswith(".bie-xlsx-")
    assert hidden(folder) == []


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next(folder: Path) -> None:
    old = time.time() - outputs.STALE_AFTER - 60
    run_dir = folder / ".bie-tmp-999999-abc_12"
    (run_dir / ".bie-xlsx-zz").mkdir(parents=True)
    (run_dir / "prog.bie.html").write_text("half", encoding="utf-8")
    old_xlsx = folder / ".bie-xlsx-k2j3h4"
    old_xlsx.mkdir()
    old_tmp = folder / ".prog.bie.html.a1b2c3d4.tmp"
    old_tmp.write_text("half", encoding="utf-8")
    young_tmp = folder / ".rapport.xlsx.q9w8e7r6.tmp"  # maybe another single-file writer at work
    young_tmp.write_text("half", encoding="utf-8")
    mine = [folder / ".bie-tmp-notes", folder / ".notes.txt.abcdefgh.tmp", folder / ".bie.yaml"]
    for p in mine:
        p.write_text("à moi", encoding="utf-8")
    live = folder / ".bie-tmp-1-vivant"  # the folder of a run still at work: it holds its lock
    live.mkdir()
    for p in (run_dir, old_xlsx, old_tmp, live, *mine):
        os.utime(p, (old, old))
    fd = os.open(live, os.O_RDONLY)
    try:
        if sys.platform != "win32":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert run("audit", str(folder / "prog.csv"), "-o", str(folder), "-f", "json")[0] == 0
    finally:
        os.close(fd)
    assert hidden(folder) == sorted(p.name for p in [young_tmp, live, *mine])


KILL_SCRIPT = """
import os, signal, sys
import bie.report.excel
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the HTML report is rendered, the workbook never
bie.report.excel.write_excel = killed
from bie_cli.main import cli
cli(sys.argv[1:], prog_name="bie")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_run_killed_between_formats_leaves_no_report(folder: Path) -> None:
    out = folder / "rapports"
    out.mkdir()
    (out / "prog.bie.json").write_text("rapport précédent", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "cli")])}
    done = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, "audit", str(folder / "prog.csv"), "-o", str(out)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == -9
    left = sorted(p.name for p in out.iterdir())
    assert len(left) == 2 and left[0].startswith(".bie-tmp-") and left[1] == "prog.bie.json"
    assert (out / "prog.bie.json").read_text(encoding="utf-8") == "rapport précédent"
    assert run("audit", str(folder / "prog.csv"), "-o", str(out))[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["prog.bie.html", "prog.bie.json", "prog.bie.xlsx"]


def test_a_second_run_on_a_locked_folder_stops(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outputs, "LOCK_WAIT", 0.3)
    before = digests(folder)
    with outputs.output_lock(folder):
        code, _out, err = run("audit", str(folder / "prog.csv"), "-o", str(folder))
    assert (code, err) == (
        1,
        f"Erreur : {folder} : un autre bie écrit déjà des rapports dans ce dossier (attente de 0.3 s "
        "dépassée). Relancez quand il aura fini, ou choisissez un autre dossier de sortie (option -o).\n",
    )
    assert digests(folder) == before
    assert hidden(folder) == []
    with outputs.output_lock(folder), pytest.raises(OutputLocked):
        bie.audit(folder / "prog.csv").write(folder)
    assert run("audit", str(folder / "prog.csv"), "-o", str(folder), "-f", "json")[0] == 0


# ------------------------------------------------------------------------------------- system errors
def test_disk_full_is_a_clear_output_error(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: bie.Audit, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bie.Audit, "write_json", full)
    target = folder / "prog.bie.json"
    assert run("audit", str(folder / "prog.csv"), "-o", str(folder)) == (
        1,
        "",
        f"Erreur : {target} : {DISK_FULL}\n",
    )
    assert sorted(p.name for p in folder.iterdir()) == ["prog.csv", "prog.xlsx"]
    code, _out, err = run("audit", str(folder / "prog.csv"), "-o", str(folder), "--lang", "en")
    assert code == 1
    assert err == (
        f"Error: {target}: cannot write the report (disk full). Check that the folder exists, that you can "
        "write to it and that the file is not open in another program.\n"
    )


@pytest.mark.parametrize(
    ("number", "fr"),
    [
        (errno.EACCES, "permission refusée"),
        (errno.EROFS, "système de fichiers en lecture seule"),
        (errno.ENAMETOOLONG, "nom de fichier trop long"),
    ],
)
def test_other_system_errors_name_the_target(
    folder: Path, monkeypatch: pytest.MonkeyPatch, number: int, fr: str
) -> None:
    def fail(self: bie.Audit, lang: str | None = None) -> str:
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(bie.Audit, "to_html", fail)
    with pytest.raises(OutputError) as caught:
        bie.audit(folder / "prog.csv").write(folder)
    assert caught.value.message("fr").startswith(
        f"{folder / 'prog.bie.html'} : impossible d'écrire le rapport ({fr})."
    )
    assert hidden(folder) == []


ENOSPC_SCRIPT = """
import errno, sys, zipfile
def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")
zipfile._ZipWriteFile.write = full
zipfile.ZipFile._write_end_record = full  # the disk is still full when the zip file is closed again
from bie_cli.main import cli
cli(sys.argv[1:], prog_name="bie")
"""


@pytest.mark.parametrize("command", ["tag", "audit", "questionnaire"])
def test_disk_full_in_xlsxwriter_prints_one_line(folder: Path, command: str) -> None:
    args = {
        "tag": ["tag", "prog.xlsx", "-o", "sortie.xlsx"],
        "audit": ["audit", "prog.xlsx", "-f", "xlsx"],
        "questionnaire": ["web", "questionnaire", "-o", "sortie.xlsx"],
    }[command]
    target = {"tag": "sortie.xlsx", "audit": "prog.bie.xlsx", "questionnaire": "sortie.xlsx"}[command]
    before = digests(folder)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "cli")])}
    done = subprocess.run(
        [sys.executable, "-c", ENOSPC_SCRIPT, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, f"Erreur : {target} : {DISK_FULL}\n")
    assert digests(folder) == before
    assert hidden(folder) == []


# ------------------------------------------------------------------------------------- same input twice
@pytest.mark.parametrize("how", ["same path", "copy", "symlink"])
def test_the_same_file_twice_is_counted_once(folder: Path, how: str) -> None:
    source = folder / "prog.xlsx"
    second = {"same path": source, "copy": folder / "copie.xlsx", "symlink": folder / "lien.xlsx"}[how]
    if how == "copy":
        shutil.copy(source, second)
    elif how == "symlink":
        second.symlink_to(source)
    once = bie.audit(source).to_dict(rows=False)
    twice = bie.audit([source, second])
    d = twice.to_dict(rows=False)
    assert d["summary"]["actions"] == once["summary"]["actions"] == 150
    assert d["summary"]["amount_total"] == once["summary"]["amount_total"]
    assert [i["file"] for i in d["inputs"]] == ["prog.xlsx"]
    dup = [i for i in d["issues"] if i["code"] == "duplicate-input"]
    shown = second.name
    assert dup == [
        {
            "file": shown,
            "code": "duplicate-input",
            "severity": "warning",
            "sheet": None,
            "row": None,
            "column": None,
            "message": f"Contenu de « {shown} » déjà lu dans « prog.xlsx » (octets identiques, même empreinte "
            "SHA-256) : fichier ignoré, ses actions ne sont comptées qu'une fois.",
        }
    ]
    assert d["data_quality"]["issues_by_code"]["duplicate-input"] == 1


def test_files_with_the_same_name_are_told_apart(tmp_path: Path) -> None:
    for year, source in (("2023", LOT), ("2024", PLATFORM)):
        (tmp_path / year).mkdir()
        shutil.copy(source, tmp_path / year / "prog.csv")
    out = tmp_path / "out"
    code, _out, err = run(
        "audit", str(tmp_path / "2023" / "prog.csv"), str(tmp_path / "2024" / "prog.csv"), "-o", str(out)
    )
    assert (code, err) == (0, "")
    assert sorted(p.name for p in out.iterdir()) == ["audit.bie.html", "audit.bie.json", "audit.bie.xlsx"]
    d = json.loads((out / "audit.bie.json").read_text(encoding="utf-8"))
    names = ["2023/prog.csv", "2024/prog.csv"]
    assert [i["file"] for i in d["inputs"]] == names
    assert [f["file"] for f in d["reconciliation"]["files"]] == names
    assert sorted({a["file"] for a in d["actions"]}) == names
    assert {e["file"] for e in d["excluded"]} <= set(names)
    assert {i["file"] for i in d["issues"]} <= {*names, None}
    assert d["title"] == "Budget intégrant l'égalité — 2023/prog.csv, 2024/prog.csv"
    html = (out / "audit.bie.html").read_text(encoding="utf-8")
    assert "2023/prog.csv" in html and "2024/prog.csv" in html


def test_distinct_names() -> None:
    assert outputs.distinct_names(["a/x/p.csv", "b/x/p.csv", "c/q.csv"]) == [
        "a/x/p.csv",
        "b/x/p.csv",
        "q.csv",
    ]
    assert outputs.distinct_names(["p.csv", "p.csv"]) == ["p.csv", "p.csv"]
    assert outputs.distinct_names(["/p.csv", "/P/../p.csv"]) == ["p.csv", "p.csv"]
    assert outputs.display_name("prog\udce9.csv") == "prog\ufffd.csv"
    assert outputs.safe_stem("a:b/c\x1b") == "a_b_c_"


# ------------------------------------------------------------------------------------- non-UTF-8 names
@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names are Unicode on this system")
def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"prog\xe9.csv")
    try:
        shutil.copy(os.fsencode(LOT), raw)
    except OSError:
        pytest.skip("the file system refuses non-UTF-8 names")
    path = Path(os.fsdecode(raw))
    before = digest(path)
    code, _out, err = run("audit", str(path), "-o", str(tmp_path))
    assert (code, err) == (0, "")
    assert digest(path) == before
    written = sorted(p.name for p in tmp_path.iterdir() if p != path)
    assert written == ["prog\ufffd.bie.html", "prog\ufffd.bie.json", "prog\ufffd.bie.xlsx"]
    d = json.loads((tmp_path / "prog\ufffd.bie.json").read_text(encoding="utf-8"))
    assert d["inputs"][0]["file"] == "prog\ufffd.csv"
    assert d["title"].endswith("prog\ufffd.csv")
    assert "prog\ufffd.csv" in (tmp_path / "prog\ufffd.bie.html").read_text(encoding="utf-8")


def test_cleaning_never_removes_an_input_named_like_a_leftover(folder: Path) -> None:
    """An input whose name looks like a stale temporary file of bie is still an input: never removed."""
    odd = folder / ".prog.csv.a1b2c3d4.tmp"
    shutil.copyfile(folder / "prog.csv", odd)
    old = time.time() - outputs.STALE_AFTER - 60
    os.utime(odd, (old, old))
    before = digest(odd)
    assert run("audit", str(odd), "-o", str(folder), "-f", "json")[0] == 0
    assert odd.exists() and digest(odd) == before


def test_tag_json_keys_and_csv_decimals_follow_the_reader(tmp_path: Path) -> None:
    """The JSON of ``bie tag`` is for tools: the same keys in every language (the source row is
    ``source_row``); the CSV is for readers: bie's decimals (weight, confidence) with the reader's mark
    (« 0,83 » / "0.83"), the file's own cells as they were."""
    source = tmp_path / "prog.csv"
    source.write_text(
        "Intitulé;Montant accordé\nAtelier d'autodéfense pour les femmes;1234,5\nSoutien scolaire;800\n",
        encoding="utf-8",
    )
    keys = {}
    for lang in ("fr", "en"):
        tagged = bie.tag_file(source, lang=lang)
        out = tagged.write(tmp_path / f"tags_{lang}.json")
        records = json.loads(out.read_text(encoding="utf-8"))
        keys[lang] = list(records[0])
        assert records[0]["source_row"] == 2
        csv_text = tagged.write(tmp_path / f"tags_{lang}.csv").read_text(encoding="utf-8-sig")
        last = csv_text.splitlines()[-1].split(";")
        assert last[:3] == ["3", "Soutien scolaire", "800"]
        decimals = [c for c in last[3:] if c[:1].isdigit() and ("," in c or "." in c)]
        assert decimals, last
        assert all(("," in c) == (lang == "fr") and ("." in c) == (lang == "en") for c in decimals), last
    assert keys["fr"] == keys["en"]
