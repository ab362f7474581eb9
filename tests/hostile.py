"""Builders of hostile and broken inputs (each a few KB) for the safety tests."""

from __future__ import annotations

import zipfile
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
