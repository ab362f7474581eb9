"""Read .xlsx/.xlsm workbooks: check each sheet's real extent, then load its cells as text with calamine.

calamine (behind fastexcel and polars) turns the sparse list of cells into a dense rows × columns grid. A
5 KB workbook whose only cells are A1 and XFD1048576 makes it allocate 550 GB and abort the whole process
(SIGABRT, uncatchable). So before calamine sees a sheet, its XML is inflated and scanned for the cell
references it really holds (not only the ``<dimension>`` it declares, which can lie). A sheet whose grid
would exceed ``Limits.max_cells`` is either read without its stray far-away cells (they are reported) or,
when the table itself is too large, refused with a clear message.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl
from defusedxml import ElementTree

from bie.errors import CorruptFile, EncryptedWorkbook, ReaderCrashed, SheetTooLarge, SheetTooWide, Text
from bie.io.limits import Limits
from bie.io.raw import ROW, Merge, RawBook, RawSheet, col_index, col_letters
from bie.io.ziputil import CHUNK, iter_member, scan_container
from bie.issues import Issue

EXCEL_MAX_ROWS = 1_048_576
_CARRY = 512

# Cells in columns AA and beyond (with their full row), and cells on rows >= 1,000,000. Literal prefixes keep
# these scans at memory speed; a cell written in any other syntax sends the sheet to the exact scan.
_FAR_CELL = re.compile(rb'r="(?:([A-Za-z]{2,3})(\d+)|[A-Za-z](\d{7,}))"')
_ODD_CELL = re.compile(rb'<c(?! r=")[\s>/]')
_ODD_NS_CELL = re.compile(rb':c(?! r=")[\s>/]')
_MERGE = re.compile(
    rb'<(?:[A-Za-z]+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?"'
)
_VALUED = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br\s*=\s*["\']([A-Za-z]{1,3})(\d+)["\'][^>]*(?<!/)>')
_LETTERS = [chr(c) for c in range(65, 91)]
_COL_PATTERNS = {letter: re.compile(rb'r="' + letter.encode() + rb'\d+"[^>]*(?<!/)>') for letter in _LETTERS}


@dataclass
class SheetScan:
    """What one fast pass over a sheet's XML tells about its extent."""

    max_far_row: int = 0
    multi_cols: Counter[bytes] = field(default_factory=Counter)
    merges: set[tuple[int, int, int, int]] = field(default_factory=set)
    min_valued_col: int | None = None
    #: A cell written in an unusual syntax was seen: only the exact scan can be trusted.
    odd_syntax: bool = False
    _carry: bytes = b""
    _in_tail: bool = False

    def feed(self, chunk: bytes) -> None:
        # Tokens that straddle two chunks are seen twice; every statistic here is idempotent.
        data = self._carry + chunk
        for cols, row, big in _FAR_CELL.findall(data):
            if cols:
                self.multi_cols[cols] += 1
                self.max_far_row = max(self.max_far_row, int(row))
            else:
                self.max_far_row = max(self.max_far_row, int(big))
        if not self.odd_syntax and (_ODD_CELL.search(data) or _ODD_NS_CELL.search(data)):
            self.odd_syntax = True
        tail_at = 0
        if not self._in_tail:
            end = data.find(b"</sheetData>")
            if end >= 0:
                self._in_tail, tail_at = True, end
        if self._in_tail:
            for c0, r0, c1, r1 in _MERGE.findall(data, tail_at):
                end_c, end_r = (c1, r1) if c1 else (c0, r0)
                self.merges.add(
                    (int(r0) - 1, col_index(c0.decode()), int(end_r) - 1, col_index(end_c.decode()))
                )
        limit = self.min_valued_col if self.min_valued_col is not None else len(_LETTERS)
        for idx in range(min(limit, len(_LETTERS))):
            if _COL_PATTERNS[_LETTERS[idx]].search(data):
                self.min_valued_col = idx
                break
        self._carry = data[-_CARRY:]

    @property
    def max_col_bound(self) -> int:
        """Highest 0-based column any cell may use (single letters are bounded by Z)."""
        if not self.multi_cols:
            return len(_LETTERS) - 1
        return max(col_index(c.decode()) for c in self.multi_cols)

    @property
    def max_row_bound(self) -> int:
        """Highest row any cell may use: without a 7-digit reference, no cell lies below row 999,999."""
        return max(self.max_far_row, 999_999)

    def suspicious(self, limits: Limits) -> bool:
        """True when only an exact scan can say whether calamine may safely load the sheet."""
        if self.odd_syntax or self.max_col_bound >= limits.max_columns:
            return True
        if (self.max_col_bound + 1) * self.max_row_bound > limits.max_cells:
            return True
        used = sorted(col_index(c.decode()) for c in self.multi_cols)
        previous = len(_LETTERS) - 1
        for col in used:
            if col - previous > 64:
                return True
            previous = col
        return False


@dataclass
class ExactScan:
    """A second, exact pass: which columns and rows hold a value (only for suspicious sheets)."""

    cols: Counter[bytes] = field(default_factory=Counter)
    rows: Counter[bytes] = field(default_factory=Counter)
    _carry: bytes = b""

    def feed(self, chunk: bytes) -> None:
        # Only whole elements are counted: the text after the last '<' waits for the next chunk.
        data = self._carry + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            self._carry = data
            return
        self._count(data[:cut])
        self._carry = data[cut:]

    def close(self) -> None:
        self._count(self._carry)
        self._carry = b""

    def _count(self, body: bytes) -> None:
        for col, row in _VALUED.findall(body):
            self.cols[col.upper()] += 1
            self.rows[row] += 1


def _clusters(values: list[int], gap: int) -> list[list[int]]:
    groups: list[list[int]] = []
    for v in sorted(set(values)):
        if groups and v - groups[-1][-1] <= gap:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def _main_cluster(counts: dict[int, int], gap: int) -> tuple[int, int]:
    groups = _clusters(list(counts), gap)
    best = max(groups, key=lambda g: (sum(counts[v] for v in g), -g[0]))
    return best[0], best[-1]


@dataclass
class _SheetMeta:
    name: str
    index: int
    visible: bool
    member: str | None


_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _workbook_sheets(parts: dict[str, bytes], path: Path) -> list[_SheetMeta]:
    try:
        wb = ElementTree.fromstring(parts["xl/workbook.xml"])
        rels_xml = parts.get("xl/_rels/workbook.xml.rels")
        rels = ElementTree.fromstring(rels_xml) if rels_xml else None
    except Exception as exc:  # defusedxml raises its own exceptions and ParseError
        raise CorruptFile(
            path,
            detail=Text(
                f"description du classeur illisible ({exc.__class__.__name__})",
                f"unreadable workbook description ({exc.__class__.__name__})",
            ),
        ) from exc
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels:
            rid, target = rel.get("Id"), rel.get("Target")
            if rid and target:
                member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                parts_: list[str] = []
                for piece in member.split("/"):
                    if piece == "..":
                        if parts_:
                            parts_.pop()
                    elif piece not in ("", "."):
                        parts_.append(piece)
                targets[rid] = "/".join(parts_)
    sheets: list[_SheetMeta] = []
    for el in wb.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = el.get(f"{{{_NS_REL}}}id") or el.get(
            "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
        )
        state = (el.get("state") or "visible").lower()
        sheets.append(
            _SheetMeta(
                name=el.get("name") or f"Feuille{len(sheets) + 1}",
                index=len(sheets),
                visible=state == "visible",
                member=targets.get(rid or ""),
            )
        )
    return sheets


def _frame_from_fastexcel(df: pl.DataFrame) -> pl.DataFrame:
    renamed = df.rename({c: f"c{i}" for i, c in enumerate(df.columns)})
    casted = renamed.with_columns(pl.all().cast(pl.String))
    return casted.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


#: The extensions calamine reads as each format (it chooses its reader from the file name).
CALAMINE_EXTENSIONS = {
    "xlsx": (".xlsx", ".xlsm"),
    "xlsm": (".xlsx", ".xlsm"),
    "ods": (".ods",),
    "xls": (".xls",),
    "xlsb": (".xlsb",),
}


def calamine_source(path: Path, fmt: str) -> Path | bytes:
    """``path``, or its bytes when its extension would send calamine to another format's reader (an .ods
    or .xls renamed .xlsx): calamine recognises the format of bytes from their content."""
    if path.suffix.lower() in CALAMINE_EXTENSIONS.get(fmt, ()):
        return path
    return path.read_bytes()


def load_with_calamine(
    source: Path | bytes, sheet: str | int, path: Path, fmt: str | None = None
) -> pl.DataFrame:
    """Load one sheet, every cell as text, rows from sheet row 1. Engine failures become bie errors.

    ``fmt`` is the format found from the content (see :mod:`bie.io.sniff`), whatever the extension says."""
    import fastexcel

    if isinstance(source, Path) and fmt is not None:
        source = calamine_source(source, fmt)
    try:
        reader = fastexcel.read_excel(source)
        loaded = reader.load_sheet(sheet, header_row=None, dtypes="string", skip_rows=0)
        df = loaded.to_polars()
    except fastexcel.FastExcelError as exc:
        text = str(exc)
        low = text.lower()
        if "password" in low or "encrypt" in low:
            raise EncryptedWorkbook(path) from exc
        raise CorruptFile(
            path, detail=text.splitlines()[0][:160] if text else exc.__class__.__name__
        ) from exc
    except BaseException as exc:  # pyo3 PanicException derives from BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise ReaderCrashed(path, detail=f"{exc.__class__.__name__}: {str(exc)[:160]}") from exc
    if df.width == 0:
        return pl.DataFrame(schema={ROW: pl.Int64})
    return _frame_from_fastexcel(df)


def _rewrite_without(path: Path, member: str, data: bytes, stray: set[tuple[int, int]]) -> bytes:
    refs = sorted({f"{col_letters(c)}{r + 1}" for r, c in stray})
    alternation = b"|".join(re.escape(r.encode()) for r in refs)
    pattern = re.compile(
        rb'<(?:[A-Za-z]+:)?c\b[^>]*\br="(?:' + alternation + rb')"[^>]*?(?:/>|>.*?</(?:[A-Za-z]+:)?c>)', re.S
    )
    cleaned = pattern.sub(b"", data)
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            if info.filename == member:
                out.writestr(info.filename, cleaned)
            elif not info.is_dir():
                out.writestr(info.filename, src.read(info))
    return buf.getvalue()


def _collect(path: Path, member: str, limits: Limits) -> bytes:
    parts: list[bytes] = []
    budget = [limits.max_total_bytes]
    with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
        for chunk in iter_member(zf, fh, zf.getinfo(member), limits, budget):
            parts.append(chunk)
    return b"".join(parts)


def _exact(path: Path, member: str, limits: Limits) -> ExactScan:
    exact = ExactScan()
    scan_container(path, limits, handlers={member: exact.feed})
    exact.close()
    return exact


def too_wide(path: Path | None, sheet: str, first_col: int, last_col: int, limits: Limits) -> SheetTooWide:
    """The column limit, checked before the cell count: its message says what to delete."""
    return SheetTooWide(
        path,
        sheet=sheet,
        columns=f"{last_col - first_col + 1:,}".replace(",", " "),
        column=col_letters(last_col),
        limit=f"{limits.max_columns:,}".replace(",", " "),
    )


def _too_large(path: Path, sheet: str, col: int, row: int, cells: int, limits: Limits) -> SheetTooLarge:
    return SheetTooLarge(
        path,
        sheet=sheet,
        cell=f"{col_letters(col)}{row}",
        cells=f"{cells:,}".replace(",", " "),
        limit=f"{limits.max_cells:,}".replace(",", " "),
    )


def _load_sheet(path: Path, meta: _SheetMeta, scan: SheetScan, limits: Limits, fmt: str = "xlsx") -> RawSheet:
    sheet = RawSheet(name=meta.name, index=meta.index, visible=True)
    assert meta.member is not None
    source: Path | bytes = path
    first_col = scan.min_valued_col or 0
    merges = scan.merges
    if scan.suspicious(limits):
        exact = _exact(path, meta.member, limits)
        cols = {col_index(k.decode()): v for k, v in exact.cols.items()}
        rows = {int(k): v for k, v in exact.rows.items()}
        if cols and rows:
            c_lo, c_hi = _main_cluster(cols, gap=64)
            r_lo, r_hi = _main_cluster(rows, gap=10_000)
            r_hi = min(r_hi, EXCEL_MAX_ROWS)
            width = c_hi - c_lo + 1
            if width > limits.max_columns:
                raise too_wide(path, meta.name, c_lo, c_hi, limits)
            if r_hi * width > limits.max_cells:
                raise _too_large(path, meta.name, c_hi, r_hi, r_hi * width, limits)
            whole = (min(cols), max(cols), min(rows), max(rows)) == (c_lo, c_hi, r_lo, r_hi)
            if not whole:
                data = _collect(path, meta.member, limits)
                stray = {
                    (int(r) - 1, col_index(c.decode()))
                    for c, r in _VALUED.findall(data)
                    if not (r_lo <= int(r) <= r_hi and c_lo <= col_index(c.decode()) <= c_hi)
                }
                if len(stray) > 10_000:
                    raise _too_large(path, meta.name, max(cols), max(rows), max(rows) * len(cols), limits)
                if stray:
                    far = max(stray, key=lambda rc: (rc[1], rc[0]))
                    sheet.issues.append(
                        Issue(
                            "far-cells-ignored",
                            sheet=meta.name,
                            params={"count": len(stray), "cell": f"{col_letters(far[1])}{far[0] + 1}"},
                        )
                    )
                    source = _rewrite_without(path, meta.member, data, stray)
                merges = {m for m in merges if m[0] + 1 <= r_hi and m[1] >= c_lo and m[3] <= c_hi}
            first_col = c_lo
    sheet.frame = load_with_calamine(source, meta.name, path, fmt)
    sheet.first_col = first_col
    sheet.merges = [Merge(*m) for m in sorted(merges)]
    return sheet


def read_xlsx(path: Path, fmt: str, limits: Limits, only: str | int | None = None) -> RawBook:
    """Read every visible sheet (or only the one named/indexed by ``only``) of an xlsx/xlsm workbook."""
    small = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    structure = scan_container(path, limits, collect=small, only=small)
    if "xl/workbook.xml" not in structure:
        raise CorruptFile(path, detail=Text("xl/workbook.xml absent", "xl/workbook.xml missing"))
    metas = _workbook_sheets(structure, path)
    book = RawBook(path=str(path), format=fmt, sheets=[])
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    wanted: list[_SheetMeta] = []
    for meta in metas:
        if only is not None and only not in (meta.name, meta.index):
            book.sheets.append(RawSheet(name=meta.name, index=meta.index, visible=meta.visible))
            continue
        if not meta.visible and only is None:
            book.sheets.append(RawSheet(name=meta.name, index=meta.index, visible=False))
            continue
        if meta.member is None or meta.member not in names:
            # Chart sheets and dialog sheets have no cells.
            book.sheets.append(RawSheet(name=meta.name, index=meta.index, visible=meta.visible))
            continue
        wanted.append(meta)
    scans = {m.member: SheetScan() for m in wanted if m.member}
    scan_container(path, limits, handlers={k: v.feed for k, v in scans.items() if k}, skip=small)
    loaded: dict[int, RawSheet] = {}
    for meta in wanted:
        assert meta.member is not None
        try:
            loaded[meta.index] = _load_sheet(path, meta, scans[meta.member], limits, fmt)
        except SheetTooLarge as exc:
            if only is not None or len(wanted) == 1:
                raise
            loaded[meta.index] = RawSheet(
                name=meta.name, index=meta.index, error=exc.message("fr"), issues=[]
            )
    book.sheets.extend(loaded.values())
    book.sheets.sort(key=lambda s: s.index)
    return book


__all__ = ["CHUNK", "SheetScan", "load_with_calamine", "read_xlsx"]
