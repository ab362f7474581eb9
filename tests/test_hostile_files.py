"""Issue 8, second hostile round: one set of guards for every file bie opens, and the real format named.

Each test builds its hostile file (a few KB to a few MB) and checks the library error (class, code, the file
named) and the CLI line (exit 1, one line, never « erreur inattendue »).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

import bie
from bie import errors
from bie.errors import (
    BieError,
    CorruptFile,
    DecompressionBomb,
    FileTooLarge,
    MappingError,
    OverridesError,
    RulesError,
    SheetTooWide,
    UnsupportedFormat,
    XmlEntities,
)
from bie.io.limits import Limits
from bie.tagging import load_overrides, load_rules
from bie.web import read_questionnaire, write_questionnaire
from bie_cli.main import cli
from tests.conftest import FIXTURES, REAL

ODS = FIXTURES / "programmation_cdv_2024.ods"
XLSX = FIXTURES / "programmation_cdv_2024.xlsx"
XLS = REAL / "deux_sevres_conventions.xls"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(args: list[str], *needles: str) -> str:
    """The CLI fails with exit 1 and exactly one line naming what is wrong, never « unexpected »."""
    code, _out, err = run(*args)
    assert code == 1, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Erreur : "), err
    assert "inattendue" not in err and "unexpected" not in err.lower(), err
    for needle in needles:
        assert needle in err, (needle, err)
    return lines[0]


# --------------------------------------------------------------------------------------------------
# builders


def _rewrite(src: Path, dst: Path, changes: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts.update(changes)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return dst


def questionnaire_bomb(path: Path, megabytes: int = 64) -> Path:
    """A real questionnaire whose shared strings get one extra string of ``megabytes`` MB (about 1000:1)."""
    plain = write_questionnaire(path.with_name("plain_" + path.name))
    with zipfile.ZipFile(plain) as z:
        shared = z.read("xl/sharedStrings.xml")
    bomb = b"<si><t>" + b"A" * (megabytes * 2**20) + b"</t></si></sst>"
    _rewrite(plain, path, {"xl/sharedStrings.xml": shared.replace(b"</sst>", bomb)})
    plain.unlink()
    return path


def questionnaire_entities(path: Path) -> Path:
    plain = write_questionnaire(path.with_name("plain_" + path.name))
    with zipfile.ZipFile(plain) as z:
        shared = z.read("xl/sharedStrings.xml")
    dtd = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    _rewrite(plain, path, {"xl/sharedStrings.xml": dtd + shared.split(b"?>", 1)[1]})
    plain.unlink()
    return path


def utf8_flagged_bad_name(path: Path) -> Path:
    """The fixture .ods plus a member whose name is Latin-1 bytes in an entry flagged UTF-8."""
    placeholder = "Pictures/ete_0.png"
    with zipfile.ZipFile(ODS) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            out.writestr(info, zin.read(info))
        out.writestr(placeholder, b"png")
    data = bytearray(path.read_bytes())
    bad = b"Pictures/\xe9t\xe9_0.png"
    assert len(bad) == len(placeholder)
    start = 0
    while (at := data.find(placeholder.encode(), start)) >= 0:
        for offset, flag_at in ((30, 6), (46, 8)):  # local header, central directory entry
            if bytes(data[at - offset : at - offset + 4]) in (b"PK\x03\x04", b"PK\x01\x02"):
                flags = struct.unpack_from("<H", data, at - offset + flag_at)[0]
                struct.pack_into("<H", data, at - offset + flag_at, flags | 0x800)
        data[at : at + len(bad)] = bad
        start = at + 1
    path.write_bytes(bytes(data))
    return path


def wide_xlsx(path: Path, columns: int = 5000) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Programmation")
    ws.write_row(0, 0, ["Porteur", "Intitulé de l'action", "Montant accordé"])
    ws.write_row(0, 3, [f"Colonne {i}" for i in range(columns - 3)])
    for r in range(1, 11):
        ws.write_row(r, 0, [f"Association {r}", f"Atelier {r}", 1000 * r])
        ws.write_row(r, 3, [1] * (columns - 3))
    wb.close()
    return path


HTML = "<html><body><table><tr><td>Porteur</td><td>Intitulé</td><td>Montant</td></tr></table></body></html>"


def laughs_yaml(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# 1. the questionnaire goes through the same zip guards as an input


def test_questionnaire_shared_strings_bomb_is_refused_before_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = questionnaire_bomb(tmp_path / "questionnaire.xlsx")
    assert bomb.stat().st_size < 2 * 2**20

    import openpyxl

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("openpyxl must not see a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    tracemalloc.start()
    try:
        with pytest.raises(DecompressionBomb) as info:
            read_questionnaire(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == "decompression-bomb"
    assert info.value.path == str(bomb)
    assert info.value.params["member"] == "xl/sharedStrings.xml"
    assert peak < 48 * 2**20  # inflated in 8 MB chunks, never whole


def test_questionnaire_bomb_through_audit_and_cli(tmp_path: Path) -> None:
    bomb = questionnaire_bomb(tmp_path / "questionnaire.xlsx")
    with pytest.raises(DecompressionBomb) as info:
        bie.audit(XLSX, questionnaire=bomb)
    assert info.value.path == str(bomb)
    line = assert_one_line_error(
        ["audit", str(XLSX), "-q", str(bomb), "-o", str(tmp_path / "out"), "-f", "json"],
        str(bomb),
        "xl/sharedStrings.xml",
    )
    assert "se décompresserait" in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_questionnaire_entities_refused(tmp_path: Path) -> None:
    path = questionnaire_entities(tmp_path / "q.xlsx")
    with pytest.raises(XmlEntities) as info:
        read_questionnaire(path)
    assert info.value.path == str(path)


def test_questionnaire_too_large(tmp_path: Path) -> None:
    path = write_questionnaire(tmp_path / "q.xlsx")
    with pytest.raises(FileTooLarge) as info:
        read_questionnaire(path, limits=Limits(max_file_bytes=1000))
    assert info.value.path == str(path)


def test_a_sound_questionnaire_is_still_read(tmp_path: Path) -> None:
    path = write_questionnaire(tmp_path / "q.xlsx")
    assert read_questionnaire(path).answers


# --------------------------------------------------------------------------------------------------
# 2. configuration files with bad values: a ConfigError naming the file and the line

CONFIG_CASES = {
    "impossible-date": (
        "- action_id: A-1\n  category: specific\n  justification: vu\n  date: 2026-02-30\n",
        "ligne 4",
        "2026-02-30",
    ),
    "deep-list": ("[" * 50_000 + "]" * 50_000, "ligne 1", "imbrication trop profonde"),
    "deep-map": ("{a: " * 50_000 + "}" * 50_000, "ligne 1", "imbrication trop profonde"),
    "deep-block": ("".join(" " * i + "a:\n" for i in range(2000)), "ligne 100", "imbrication trop profonde"),
    "billion-laughs": (laughs_yaml(), "ligne", "alias"),
    "circular": ("a: &a [*a]\n", "ligne 1", "circulaire"),
    "long-number": ("a: " + "9" * 5000 + "\n", "ligne 1", "valeur illisible"),
    "list-as-key": ("? [a, b]\n: x\n", "ligne 1", "clé qui n'est pas un texte"),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_decisions_yaml(tmp_path: Path, case: str) -> None:
    text, where, what = CONFIG_CASES[case]
    path = tmp_path / f"décisions {case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OverridesError) as info:
        load_overrides(path)
    err = info.value
    assert err.path == str(path)
    assert where in err.message("fr") and what in err.message("fr")
    assert "YAML refused" in err.message("en")


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_rules_yaml(tmp_path: Path, case: str) -> None:
    text, where, what = CONFIG_CASES[case]
    path = tmp_path / f"règles {case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules([path])
    assert info.value.path == str(path)
    assert where in info.value.message("fr") and what in info.value.message("fr")


def test_rules_impossible_date_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        "rules:\n  - id: LOCAL-01\n    title: Test\n    valid_from: 2026-02-30\n", encoding="utf-8"
    )
    with pytest.raises(RulesError) as info:
        load_rules([path])
    assert "ligne 4 : date impossible « 2026-02-30 »" in info.value.message("fr")
    assert "line 4: impossible date “2026-02-30”" in info.value.message("en")


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_decision_row_beyond_int64(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"décisions{suffix}"
    if suffix == ".yaml":
        path.write_text("- row: 99999999999999999999\n  category: specific\n  justification: vu\n")
    else:
        path.write_text("row;category;justification\n99999999999999999999;specific;vu\n")
    with pytest.raises(OverridesError) as info:
        load_overrides(path)
    assert info.value.path == str(path)
    assert "ligne " in info.value.message("fr")
    assert "99999999999999999999 trop grand" in info.value.message("fr")
    assert "too large" in info.value.message("en")


def test_mapping_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("columns: " + "[" * 50_000 + "]" * 50_000, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        bie.read(XLSX, mapping=path)
    assert info.value.path == str(path)
    assert "imbrication trop profonde" in info.value.message("fr")


def test_config_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "décisions.yaml"
    with path.open("wb") as fh:
        fh.truncate(17 * 2**20)  # sparse: refused on its size, never read
    with pytest.raises(FileTooLarge) as info:
        load_overrides(path)
    assert info.value.path == str(path)
    rules = tmp_path / "règles.yaml"
    shutil.copy(path, rules)
    with pytest.raises(FileTooLarge):
        load_rules([rules])


def test_anchors_within_bounds_still_load(tmp_path: Path) -> None:
    path = tmp_path / "décisions.yaml"
    path.write_text(
        "- action_id: A-1\n  category: specific\n  justification: &why vu au bilan\n"
        "- action_id: A-2\n  category: specific\n  justification: *why\n",
        encoding="utf-8",
    )
    assert len(load_overrides(path)) == 2


@pytest.mark.parametrize("case", ["impossible-date", "deep-list", "billion-laughs"])
def test_bad_config_cli(tmp_path: Path, case: str) -> None:
    text = CONFIG_CASES[case][0]
    decisions = tmp_path / "décisions.yaml"
    decisions.write_text(text, encoding="utf-8")
    assert_one_line_error(
        ["tag", str(XLSX), "-o", str(tmp_path / "out.xlsx"), "--overrides", str(decisions)], str(decisions)
    )
    rules = tmp_path / "règles.yaml"
    rules.write_text(text, encoding="utf-8")
    assert_one_line_error(["tag", str(XLSX), "-o", str(tmp_path / "out.xlsx"), "-r", str(rules)], str(rules))
    assert not (tmp_path / "out.xlsx").exists()


def test_row_beyond_int64_cli(tmp_path: Path) -> None:
    decisions = tmp_path / "décisions.csv"
    decisions.write_text("row;category;justification\n99999999999999999999;specific;vu\n")
    assert_one_line_error(
        ["audit", str(XLSX), "--overrides", str(decisions), "-o", str(tmp_path / "out"), "-f", "json"],
        str(decisions),
        "ligne 2",
    )


# --------------------------------------------------------------------------------------------------
# 3. .xls under an address-space limit below the sandbox's


@pytest.mark.skipif(os.name != "posix", reason="resource limits are Unix only")
def test_xls_under_ulimit_v_4_gib() -> None:
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))\n"
        "import bie\n"
        f"r = bie.read({str(XLS)!r})\n"
        "print(r.format, len(r.actions))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    fmt, count = proc.stdout.split()
    assert fmt == "xls" and int(count) > 0


def test_sandbox_keeps_a_lower_hard_limit() -> None:
    import resource

    from bie.io.sandbox import _lower_limit

    code = (
        "import resource\n"
        "from bie.io.sandbox import _lower_limit\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 4 * 2**30))\n"
        "_lower_limit(resource.RLIMIT_AS, 6 * 2**30, 6 * 2**30)\n"
        "print(*resource.getrlimit(resource.RLIMIT_AS))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(3 * 2**30), str(4 * 2**30)]
    assert callable(_lower_limit) and resource.RLIM_INFINITY is not None


# --------------------------------------------------------------------------------------------------
# 4. a zip member name that is not UTF-8


def test_zip_member_name_not_utf8(tmp_path: Path) -> None:
    path = utf8_flagged_bad_name(tmp_path / "programmation.ods")
    with pytest.raises(CorruptFile) as info:
        bie.read(path)
    assert info.value.path == str(path)
    assert "n'est pas de l'UTF-8 valide" in info.value.message("fr")
    assert "\\xe9" in info.value.message("fr")
    assert "not valid UTF-8" in info.value.message("en")
    assert_one_line_error(["inspect", str(path)], str(path), "UTF-8")


def test_questionnaire_member_name_not_utf8(tmp_path: Path) -> None:
    path = utf8_flagged_bad_name(tmp_path / "q.ods")
    with pytest.raises(CorruptFile):
        read_questionnaire(path)


# --------------------------------------------------------------------------------------------------
# 5. the column limit comes first, with its own message


def test_5000_columns_named_as_such(tmp_path: Path) -> None:
    path = wide_xlsx(tmp_path / "large.xlsx")
    with pytest.raises(SheetTooWide) as info:
        bie.read(path)
    err = info.value
    assert err.code == "sheet-too-wide"
    assert err.path == str(path)
    assert (
        "la feuille « Programmation » a 5 000 colonnes (jusqu'à la colonne GJH, limite 2 000 colonnes)"
        in (err.message("fr"))
    )
    assert 'sheet "Programmation" has 5 000 columns' in err.message("en")
    assert_one_line_error(["inspect", str(path)], "5 000 colonnes")


def test_ods_column_limit(tmp_path: Path) -> None:
    with pytest.raises(SheetTooWide) as info:
        bie.read(ODS, limits=Limits(max_columns=3))
    assert info.value.path == str(ODS)
    assert "limite 3 colonnes" in info.value.message("fr")


def test_sheet_too_wide_is_documented() -> None:
    assert errors.SheetTooWide in errors.all_error_classes()
    assert issubclass(errors.SheetTooWide, errors.SheetTooLarge)


# --------------------------------------------------------------------------------------------------
# 6. HTML saved as .xls, with a BOM or in UTF-16


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bom.xls", b"\xef\xbb\xbf" + HTML.encode()),
        ("utf16le.xls", b"\xff\xfe" + HTML.encode("utf-16-le")),
        ("utf16be.xls", b"\xfe\xff" + HTML.encode("utf-16-be")),
        ("utf16le_sans_bom.xls", HTML.encode("utf-16-le")),
        ("doctype_bom.xls", b"\xef\xbb\xbf\r\n<!DOCTYPE html>" + HTML.encode()),
    ],
)
def test_html_saved_as_xls(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnsupportedFormat) as info:
        bie.read(path)
    assert info.value.path == str(path)
    assert "page HTML enregistrée avec une extension de tableur" in info.value.message("fr")
    assert_one_line_error(["inspect", str(path)], "HTML")


def test_utf16_csv_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    text = "Porteur;Intitulé de l'action;Montant accordé\r\nAsso;Atelier;1000\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert len(bie.read(path).actions) == 1


# --------------------------------------------------------------------------------------------------
# 7. a workbook renamed: read by its real format, the mismatch said


@pytest.mark.parametrize(
    ("source", "name", "fmt"),
    [
        (ODS, "programmation.xlsx", "ods"),
        (XLS, "conventions.xlsx", "xls"),
        (XLSX, "programmation.ods", "xlsx"),
    ],
)
def test_renamed_workbook_read_by_content(tmp_path: Path, source: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    shutil.copy(source, path)
    expected = bie.read(source)
    result = bie.read(path)
    assert result.format == fmt
    assert len(result.actions) == len(expected.actions)
    mismatch = [i for i in result.issues if i.code == "extension-mismatch"]
    assert len(mismatch) == 1
    assert mismatch[0].severity == "info"
    assert f"l'extension {path.suffix}" in mismatch[0].message("fr")
    assert f".{fmt}" in mismatch[0].message("fr") and f".{fmt}" in mismatch[0].message("en")
    assert not any(i.code == "extension-mismatch" for i in expected.issues)


def test_renamed_workbook_cli(tmp_path: Path) -> None:
    path = tmp_path / "programmation.xlsx"
    shutil.copy(ODS, path)
    code, out, err = run("inspect", str(path))
    assert code == 0, err
    assert "endommagé" not in out + err


# --------------------------------------------------------------------------------------------------
# every error raised above is one of bie's own, with a message in both languages


def test_every_new_code_has_messages() -> None:
    for cls in (SheetTooWide,):
        err: BieError = cls("f.xlsx", sheet="S", columns="5", column="E", limit="4")
        assert "{" not in err.message("fr") and "{" not in err.message("en")
