"""Recognise what a file really is from its bytes, whatever its extension says."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from bie.errors import (
    EmptyFile,
    EncryptedWorkbook,
    FileNotFound,
    FileTooLarge,
    NotASpreadsheet,
    Text,
    TruncatedFile,
    UnsupportedFormat,
)
from bie.io.limits import Limits
from bie.io.ziputil import bad_member_name
from bie.issues import Issue

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

#: Formats bie reads.
FORMATS = ("xlsx", "xlsm", "xlsb", "xls", "ods", "csv")


@dataclass(frozen=True)
class Sniffed:
    path: Path
    format: str  # one of FORMATS
    size: int
    extension_mismatch: bool = False


#: What each format is, for the message saying that the extension does not match the content.
FORMAT_NAMES = {
    "xlsx": Text("un classeur Excel .xlsx", "an Excel .xlsx workbook"),
    "xlsm": Text("un classeur Excel à macros .xlsm", "an Excel macro-enabled .xlsm workbook"),
    "xlsb": Text("un classeur Excel binaire .xlsb", "an Excel binary .xlsb workbook"),
    "xls": Text("un classeur Excel 97-2003 .xls", "an Excel 97-2003 .xls workbook"),
    "ods": Text("un classeur OpenDocument .ods", "an OpenDocument .ods workbook"),
    "csv": Text("du texte (CSV)", "text (CSV)"),
}


def extension_issue(path: Path, fmt: str) -> Issue:
    """The info issue saying that ``path``'s extension does not match the format found in its bytes."""
    return Issue("extension-mismatch", params={"ext": path.suffix.lower(), "format": FORMAT_NAMES[fmt]})


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _sniff_ole2(path: Path, head: bytes, size: int, limits: Limits) -> str:
    """OLE2 compound file: legacy .xls, an encrypted OOXML workbook, or a Word/PowerPoint file.

    The directory entry names are stored in UTF-16; looking for them in the bytes is enough to tell
    the cases apart without a full compound-file parser."""
    with path.open("rb") as fh:
        data = fh.read(min(size, limits.max_file_bytes))
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise EncryptedWorkbook(path)
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls"
    if _utf16("WordDocument") in data:
        raise UnsupportedFormat(path, kind=Text("document Word .doc", "Word document .doc"))
    if _utf16("PowerPoint Document") in data:
        raise UnsupportedFormat(
            path, kind=Text("présentation PowerPoint .ppt", "PowerPoint presentation .ppt")
        )
    raise NotASpreadsheet(path, detected=Text("fichier composite OLE inconnu", "unknown OLE compound file"))


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mime = zf.read("mimetype")[:200].strip()
                if mime == ODS_MIME or mime.startswith(ODS_MIME):
                    return "ods"
                if b"opendocument.text" in mime:
                    raise UnsupportedFormat(
                        path, kind=Text("document texte OpenDocument .odt", "OpenDocument text document .odt")
                    )
                raise NotASpreadsheet(
                    path,
                    detected=Text(
                        f"archive OpenDocument {mime.decode('ascii', 'replace')}",
                        f"OpenDocument archive {mime.decode('ascii', 'replace')}",
                    ),
                )
            if "xl/workbook.xml" in names:
                return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
            if "xl/workbook.bin" in names:
                return "xlsb"
            if any(n.startswith("word/") for n in names):
                raise UnsupportedFormat(path, kind=Text("document Word .docx", "Word document .docx"))
            if any(n.startswith("ppt/") for n in names):
                raise UnsupportedFormat(
                    path, kind=Text("présentation PowerPoint .pptx", "PowerPoint presentation .pptx")
                )
            if "content.xml" in names and "META-INF/manifest.xml" in names:
                return "ods"
            if "Index/Document.iwa" in names or any(n.startswith("Index/") for n in names):
                raise UnsupportedFormat(path, kind=Text("classeur Apple Numbers", "Apple Numbers workbook"))
            raise NotASpreadsheet(
                path, detected=Text("archive zip sans classeur", "zip archive without a workbook")
            )
    except zipfile.BadZipFile as exc:
        raise TruncatedFile(
            path, detail=Text(f"archive zip incomplète : {exc}", f"incomplete zip archive: {exc}")
        ) from exc
    except UnicodeDecodeError as exc:
        raise bad_member_name(path, exc) from exc
    except (EOFError, OSError) as exc:
        raise TruncatedFile(
            path, detail=Text(f"archive zip illisible : {exc}", f"unreadable zip archive: {exc}")
        ) from exc


def _as_ascii_text(head: bytes) -> bytes:
    """The first bytes as 8-bit text, for recognising markup: a UTF-8 byte-order mark is dropped, UTF-16 (with
    a byte-order mark, or ASCII text whose every other byte is zero) is decoded. Excel and Windows tools save
    « Unicode » HTML and XML so."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    encoding = None
    if head.startswith(b"\xff\xfe"):
        encoding, head = "utf-16-le", head[2:]
    elif head.startswith(b"\xfe\xff"):
        encoding, head = "utf-16-be", head[2:]
    elif (
        len(head) >= 8 and head[1:8:2] == b"\x00" * 4 and head[0:8:2].isascii() and b"\x00" not in head[0:8:2]
    ):
        encoding = "utf-16-le"
    elif (
        len(head) >= 8 and head[0:8:2] == b"\x00" * 4 and head[1:8:2].isascii() and b"\x00" not in head[1:8:2]
    ):
        encoding = "utf-16-be"
    if encoding is None:
        return head
    text = head[: len(head) // 2 * 2].decode(encoding, "replace")
    return text.encode("ascii", "replace")


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with BOM (Excel "Unicode text")
    if b"\x00" in head:
        return False
    # Control characters other than tab, CR, LF, form feed are rare in text exports.
    bad = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bad <= max(2, len(head) // 1000)


def sniff(path: str | Path, limits: Limits) -> Sniffed:
    """Identify the format of ``path`` or raise a :class:`bie.errors.InputError` that says why not."""
    p = Path(path)
    if not p.exists() or p.is_dir():
        raise FileNotFound(p)
    size = p.stat().st_size
    if size == 0:
        raise EmptyFile(p)
    if size > limits.max_file_bytes:
        raise FileTooLarge(p, size_mb=round(size / 2**20), limit_mb=round(limits.max_file_bytes / 2**20))
    with p.open("rb") as fh:
        head = fh.read(8192)
    ext = p.suffix.lower().lstrip(".")
    fmt: str
    if head.startswith(OLE2_MAGIC):
        fmt = _sniff_ole2(p, head, size, limits)
    elif head.startswith(ZIP_MAGICS):
        fmt = _sniff_zip(p)
    elif head.startswith(b"%PDF"):
        raise UnsupportedFormat(p, kind="PDF")
    elif head.startswith(b"{\\rtf"):
        raise UnsupportedFormat(p, kind="RTF")
    else:
        text_head = _as_ascii_text(head)
        low = text_head[:2048].lower().lstrip()
        if low.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in text_head:
            raise UnsupportedFormat(p, kind=Text("classeur XML Excel 2003", "Excel 2003 XML workbook"))
        if low.startswith((b"<!doctype html", b"<html", b"<table")) or (
            low.startswith(b"<?xml") and b"<html" in low
        ):
            raise UnsupportedFormat(
                p,
                kind=Text(
                    "page HTML enregistrée avec une extension de tableur",
                    "HTML page saved with a spreadsheet extension",
                ),
            )
        if not _looks_like_text(head):
            raise NotASpreadsheet(p, detected=Text("fichier binaire inconnu", "unknown binary file"))
        if ext in {"json", "geojson"} or low.startswith(b"{"):
            # Open-data portals publish SCDL files as JSON too; no table header can be found in one.
            raise UnsupportedFormat(
                p,
                kind=Text(
                    "JSON ; les portails de données ouvertes proposent aussi le CSV",
                    "JSON; open-data portals offer CSV too",
                ),
            )
        fmt = "csv"
    text_exts = {"csv", "txt", "tsv", "tab"}
    mismatch = bool(ext) and not (
        ext == fmt or (fmt == "csv" and ext in text_exts) or (fmt == "xlsx" and ext in {"xlsm", "xltx"})
    )
    return Sniffed(path=p, format=fmt, size=size, extension_mismatch=mismatch)
