"""Read OpenDocument spreadsheets (.ods).

calamine expands ``table:number-columns-repeated`` and ``number-rows-repeated``: an 800-byte .ods can ask it
for 16 million cells (measured: 7 s and gigabytes) or more. So ``content.xml`` is first streamed through
expat to find, for each table, the real extent of the cells that hold a value, its merged ranges and whether
it is hidden; calamine only sees files whose grids fit the limits.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from bie.errors import CorruptFile, SheetTooLarge
from bie.io.limits import Limits
from bie.io.raw import Merge, RawBook, RawSheet, col_letters
from bie.io.xlsx import load_with_calamine, too_wide
from bie.io.ziputil import scan_container

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SEP = "\x1f"


def _q(ns: str, name: str) -> str:
    return f"{ns}{_SEP}{name}"


T_TABLE = _q(_TABLE, "table")
T_ROW = _q(_TABLE, "table-row")
T_CELL = _q(_TABLE, "table-cell")
T_COVERED = _q(_TABLE, "covered-table-cell")
A_NAME = _q(_TABLE, "name")
A_STYLE = _q(_TABLE, "style-name")
A_ROWS_REP = _q(_TABLE, "number-rows-repeated")
A_COLS_REP = _q(_TABLE, "number-columns-repeated")
A_COLS_SPAN = _q(_TABLE, "number-columns-spanned")
A_ROWS_SPAN = _q(_TABLE, "number-rows-spanned")
A_VALUE_TYPE = _q(_OFFICE, "value-type")
S_STYLE = _q(_STYLE, "style")
S_NAME = _q(_STYLE, "name")
S_TABLE_PROPS = _q(_STYLE, "table-properties")
A_DISPLAY = _q(_TABLE, "display")
T_P = _q(_TEXT, "p")


@dataclass
class OdsTable:
    name: str
    style: str | None
    max_row: int = 0  # 1-based, last row holding a value
    min_col: int | None = None
    max_col: int = -1
    cells: int = 0  # cells holding a value, repeats counted
    merges: list[Merge] = field(default_factory=list)


class OdsScanner:
    """Streams content.xml and measures each table; never materialises repeated cells."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.tables: list[OdsTable] = []
        self.hidden_styles: set[str] = set()
        self._style: str | None = None
        self._table: OdsTable | None = None
        self._row = 0  # 0-based index of the current row
        self._row_rep = 1
        self._col = 0
        self._cell: tuple[int, int, bool] | None = None  # (col, repeat, valued)
        self._row_has_value_upto = -1
        self._row_min_col: int | None = None
        self._row_cells = 0
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=_SEP)
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.buffer_text = True

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except xml.parsers.expat.ExpatError as exc:
            raise CorruptFile(None, detail=f"content.xml : {exc}") from exc

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            raise CorruptFile(None, detail=f"content.xml : {exc}") from exc

    @staticmethod
    def _int(value: str | None) -> int:
        try:
            return max(1, int(value)) if value else 1
        except ValueError:
            return 1

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name in (T_CELL, T_COVERED):
            if self._table is None:
                return
            rep = self._int(attrs.get(A_COLS_REP))
            valued = A_VALUE_TYPE in attrs
            self._cell = (self._col, rep, valued)
            cs, rs = self._int(attrs.get(A_COLS_SPAN)), self._int(attrs.get(A_ROWS_SPAN))
            if name == T_CELL and (cs > 1 or rs > 1):
                self._table.merges.append(Merge(self._row, self._col, self._row + rs - 1, self._col + cs - 1))
        elif name == T_P:
            if self._cell is not None and not self._cell[2]:
                col, rep, _ = self._cell
                self._cell = (col, rep, True)
        elif name == T_ROW:
            self._row_rep = self._int(attrs.get(A_ROWS_REP))
            self._col = 0
            self._row_has_value_upto = -1
            self._row_min_col = None
            self._row_cells = 0
        elif name == T_TABLE:
            self._table = OdsTable(
                name=attrs.get(A_NAME, f"Feuille{len(self.tables) + 1}"), style=attrs.get(A_STYLE)
            )
            self.tables.append(self._table)
            self._row = 0
        elif name == S_STYLE:
            self._style = attrs.get(S_NAME)
        elif name == S_TABLE_PROPS and attrs.get(A_DISPLAY) == "false" and self._style:
            self.hidden_styles.add(self._style)

    def _end(self, name: str) -> None:
        if name in (T_CELL, T_COVERED):
            if self._cell is None:
                return
            col, rep, valued = self._cell
            if valued:
                self._row_has_value_upto = max(self._row_has_value_upto, col + rep - 1)
                self._row_min_col = col if self._row_min_col is None else min(self._row_min_col, col)
                self._row_cells += rep
            self._col = col + rep
            self._cell = None
        elif name == T_ROW and self._table is not None:
            table = self._table
            if self._row_has_value_upto >= 0:
                table.max_row = self._row + self._row_rep
                table.max_col = max(table.max_col, self._row_has_value_upto)
                if self._row_min_col is not None:
                    table.min_col = (
                        self._row_min_col if table.min_col is None else min(table.min_col, self._row_min_col)
                    )
                table.cells += self._row_cells * self._row_rep
                width = table.max_col - (table.min_col or 0) + 1
                if width > self.limits.max_columns:
                    raise too_wide(None, table.name, table.min_col or 0, table.max_col, self.limits)
                if table.max_row * width > self.limits.max_cells:
                    raise SheetTooLarge(
                        None,
                        sheet=table.name,
                        cell=f"{col_letters(table.max_col)}{table.max_row}",
                        cells=f"{table.max_row * width:,}".replace(",", " "),
                        limit=f"{self.limits.max_cells:,}".replace(",", " "),
                    )
            self._row += self._row_rep
            self._row_rep = 1
        elif name == T_TABLE:
            self._table = None


def read_ods(path: Path, limits: Limits, only: str | int | None = None) -> RawBook:
    scanner = OdsScanner(limits)
    try:
        scan_container(path, limits, handlers={"content.xml": scanner.feed})
        scanner.close()
    except (SheetTooLarge, CorruptFile) as exc:
        if exc.path is None:
            raise type(exc)(path, **exc.params) from exc
        raise
    book = RawBook(path=str(path), format="ods", sheets=[])
    for index, table in enumerate(scanner.tables):
        visible = table.style not in scanner.hidden_styles
        sheet = RawSheet(name=table.name, index=index, visible=visible)
        book.sheets.append(sheet)
        if only is not None and only not in (table.name, index):
            continue
        if not visible and only is None:
            continue
        if table.cells == 0:
            continue
        sheet.frame = load_with_calamine(path, index, path, "ods")
        sheet.first_col = table.min_col or 0
        sheet.merges = table.merges
    return book
