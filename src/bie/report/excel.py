"""The Excel report of an audit: one workbook that officers filter, copy from and defend.

    from bie.report.excel import write_excel
    write_excel(audit, Path("rapport.xlsx"), "fr")     # Audit.to_excel() calls it on a temporary path
    write_excel(audit.report("fr"), Path("rapport.xlsx"))  # the same, from the report model

Sheets (French names by default, English with ``lang="en"``; words in ``bie/data/labels_excel.yaml``, the
use of each sheet in ``docs/classeur.md``): Synthèse, Actions (continued on « Actions (2) »… beyond Excel's
1,048,575 rows), one sheet per breakdown (Par pilier, Par thème, Par financeur, Par quartier, Par porteur:
each a single filterable table, so each keeps its own autofilter), Toile, Qualité des données, Lignes
exclues, Rapprochement, Méthode.

Safety. Input text is hostile. The workbook is created with ``strings_to_formulas``, ``strings_to_urls`` and
``strings_to_numbers`` off and every string, headers included, goes through :func:`bie.export.write_text`
(the table fast path writes directly only the cells :func:`bie.export.guard_mask` finds harmless), so no
text becomes a formula, a link or a number. Text starting with ``= + - @``, tab, CR or LF gets a
quote-prefixed format (Excel's leading apostrophe, stored as a style flag: the text itself is unchanged).
xlsxwriter writes a string starting with ``<r>`` and ending with ``</r>`` as raw rich-text XML (which lets a
cell inject other cells, formulas included); such text is written as a rich string of three plain fragments
instead, which xlsxwriter escapes. Cells beyond Excel's 32,767 UTF-16 units are cut with a visible « […] »
and counted on Synthèse. Every xlsxwriter return code is checked: a refused cell raises
:class:`bie.errors.OutputError`.

Speed. The workbook is written in ``constant_memory`` mode (rows in order, each cell once). The per-cell
decisions (truncation, quote prefix, width, row height) are computed column by column with polars before
the write. The body of the big tables (Actions, Lignes exclues, the issue list) is then written by
:func:`_fast_rows`, which builds the sheet XML of 10,000 rows at a time with polars, with xlsxwriter's own
escapes, attributes and format numbering, straight into the worksheet's row file: the same bytes as
xlsxwriter's ``write_string``/``write_number`` cell by cell (tests/test_report_excel.py compares them on
every edge case), about four times less CPU (100,000 actions: 8 s instead of 27 s in all, the rest being
the preparation and the zip compression). It relies on xlsxwriter 3 internals and stands aside, leaving
the per-cell loop, when they are missing (:func:`_fast_ready`) or when a cell holds raw rich-text XML.

Everything comes from the report model (:class:`bie.report.model.AuditReport`): figures, labels, findings,
issues, the web and the action and excluded rows; nothing is recomputed or worded again here. Figures are
written as numbers with euro and percentage formats. The workbook is deterministic: its creation date is the
report's ``generated_at`` (which honours ``SOURCE_DATE_EPOCH``), so two writes give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from bie import analysis
from bie.errors import OutputError
from bie.export import (
    EXCEL_MAX_CHARS,
    EXCEL_MAX_ROWS,
    FORMULA_START,
    fit_text,
    guard_mask,
    sheet_name,
    write_text,
)
from bie.i18n import Numbers, fmt_in, issue_severity
from bie.outputs import display_name, os_error_detail
from bie.report.model import SCHEMA_VERSION, AuditReport, HasReport, report_of
from bie.resources import load_data

__all__ = ["MAX_CHARS", "MAX_ROWS", "write_excel"]

#: Data rows per sheet below the header row (Excel: 1,048,576 rows in all).
MAX_ROWS = EXCEL_MAX_ROWS
#: Excel's limit per cell, in UTF-16 code units.
MAX_CHARS = EXCEL_MAX_CHARS
#: First characters that make a spreadsheet read text as a formula (OWASP CSV injection, ASVS 1.2.10).
TRIGGERS = "".join(FORMULA_START)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Row heights: points per line of wrapped text, and the most lines shown before the cell scrolls.
LINE_POINTS = 15.0
MAX_LINES = 4
#: Characters per unit of column width for ordinary text (a width unit is one « 0 » of the default font).
CHARS_PER_UNIT = 1.15

_NUMBER_FORMATS = {
    "fr": {
        "euro": '#,##0.00\\ "€";-#,##0.00\\ "€"',
        "pct": "0.0\\ %",
        "pct0": "0\\ %",
        "int": "#,##0",
        "date": "dd/mm/yyyy hh:mm",
        "day": "dd/mm/yyyy",
        "number": "#,##0.##########",
        "plain": "0",
    },
    "en": {
        "euro": '"€"#,##0.00;-"€"#,##0.00',
        "pct": "0.0%",
        "pct0": "0%",
        "int": "#,##0",
        "date": "yyyy-mm-dd hh:mm",
        "day": "yyyy-mm-dd",
        "number": "#,##0.##########",
        "plain": "0",
    },
}
_GRID = "#A6A6A6"
_HEAD = {
    "bold": True,
    "bg_color": "#D9D9D9",
    "text_wrap": True,
    "valign": "vcenter",
    "border": 1,
    "border_color": _GRID,
}
_HEAD_BIE = {**_HEAD, "bg_color": "#1F3864", "font_color": "#FFFFFF"}
_TOP = {"valign": "top"}
_WRAP = {"valign": "top", "text_wrap": True}
_HEADING = {"bold": True, "font_size": 12, "font_color": "#1F3864", "bottom": 1, "bottom_color": "#1F3864"}
_LABEL = {"valign": "top", "text_wrap": True}
_NOTE = {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"}
_CAVEAT = {"bold": True, "font_color": "#9A3412"}
_TOTAL = {"bold": True, "top": 1, "top_color": "#1F3864"}

Props = Mapping[str, Any]


def write_excel(source: AuditReport | HasReport, path: Path, lang: str | None = None) -> None:
    """Write the Excel report of ``source`` (a report model, or an audit: its model in ``lang``, "fr" or
    "en") to ``path`` (overwritten)."""
    report = report_of(source, lang)
    write_book(path, lambda target, tmpdir: _Book(report, target, tmpdir), lambda book: book.write())


def open_workbook(path: Path, tmpdir: Path) -> Any:
    """An xlsxwriter workbook for a report: rows streamed to ``tmpdir`` (constant memory), and no text
    ever turned into a formula, a link or a number by xlsxwriter (bie types what it writes itself)."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # ZIP64 only for a part that needs it (a sheet over 2 GiB of XML, ~700,000 long actions): the
            # other files are byte for byte the same as without it
            "use_zip64": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": str(tmpdir),
        },
    )


BookT = TypeVar("BookT", bound="_Book")


def write_book(path: str | Path, make: Callable[[Path, Path], BookT], fill: Callable[[BookT], None]) -> None:
    """Write a workbook at ``path`` with the book ``make(target, tmpdir)`` filled by ``fill``: the audit's,
    the comparison's and the consolidation's workbooks alike (overwritten; their ``write`` methods write
    all-or-nothing around it).

    constant_memory keeps one temporary file per sheet: they go in a private folder next to the target (same
    disk as the report, removed whatever happens). The ``write`` methods render the target inside their
    run's temporary folder (bie.outputs.write_set), so this folder is nested in it and a killed run leaves a
    single .bie-tmp-* folder, removed by the next run. A book that fails is abandoned, never closed half
    written."""
    target = Path(path)
    try:
        tmpdir = Path(tempfile.mkdtemp(prefix=".bie-xlsx-", dir=target.parent))
    except OSError as exc:
        raise OutputError(display_name(target), detail=os_error_detail(exc)) from exc
    try:
        book = make(target, tmpdir)
        try:
            fill(book)
        except BaseException:
            book.abandon()
            raise
        book.close()
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# --------------------------------------------------------------------------------------------- helpers
def _cents(value: float | None) -> int:
    return round((value or 0) * 100)


def _parse_date(value: Any) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        when = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


@dataclass
class _Column:
    """One column of a large table, ready for the write loop."""

    header: str
    head: Props  # properties of the header cell
    series: pl.Series  # the cells (None: empty), text already cut to Excel's limit
    text: bool
    fmt: Any  # Format of the cells
    qfmt: Any  # the same, quote-prefixed
    width: float
    fmts: list[Any] | None = None  # per-row formats (category colours)
    special: frozenset[int] = frozenset()  # rows needing a quote prefix or a rich-string split
    lines: pl.Series | None = None  # estimated lines of wrapped text per row


_EXCEL_EPOCH_OFFSET = 25569
"""Days from Excel's day 0 (1899-12-30) to 1970-01-01: an Excel date serial is days since 1970 + this."""

_PLAIN_NUMBER = r"^-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]+)?$"
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?: 00:00:00)?$"


def _plain_typed(text: pl.Series) -> pl.Series | None:
    """An unmapped source column as numbers or dates when every non-empty cell is one, else None."""
    filled = text.str.strip_chars().filter(text.str.strip_chars().str.len_chars() > 0)
    if filled.len() == 0:
        return None
    stripped = text.str.strip_chars()
    if filled.str.contains(_PLAIN_NUMBER).all():
        return stripped.cast(pl.Float64, strict=False)
    if filled.str.contains(_ISO_DAY).all():
        return stripped.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    return None


# ------------------------------------------------------------------------------------ fast table rows
#: Write the body of big tables as sheet XML built column by column with polars (:func:`_fast_rows`);
#: False forces xlsxwriter's per-cell path (the tests compare the two byte for byte).
FAST_ROWS = True
#: Rows of sheet XML built and written at once by the fast path (bounds its memory).
FAST_BATCH = 10_000
#: The characters Python's regex class ``\s`` matches (xlsxwriter's test for ``xml:space="preserve"``).
_SPACE = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in map(chr, range(0x3001)) if c.isspace()) + "]"
#: xlsxwriter's escapes of inline text: a literal ``_xHHHH_`` gets its underscore escaped first, then
#: control characters and the two non-characters become ``_xHHHH_``, and ``& < >`` entities.
_LITERAL_ESCAPE = r"(_x[0-9a-fA-F]{4}_)"
_CHAR_ESCAPES = {
    **{chr(c): f"_x{c:04X}_" for c in [*range(0x00, 0x09), *range(0x0B, 0x20)]},
    "\ufffe": "_xFFFE_",
    "\uffff": "_xFFFF_",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
_NEEDS_ESCAPE = "[\\x00-\\x08\\x0b-\\x1f\\x{fffe}\\x{ffff}&<>]"
_INLINE = '" t="inlineStr"><is><t>'
_PRESERVE = '" t="inlineStr"><is><t xml:space="preserve">'
_WS_INTERNALS = (
    "xls_rowmax",
    "xls_colmax",
    "previous_row",
    "row_info",
    "fh",
    "default_row_height",
    "original_row_height",
    "excel_version",
    "_write_single_row",
    "_check_dimensions",
)


def _fast_ready(ws: Any) -> bool:
    """Can the fast path write into this worksheet: constant-memory mode and the xlsxwriter 3 internals it
    relies on (tests/test_report_excel.py checks that its bytes are those of the per-cell path)."""
    return (
        FAST_ROWS
        and getattr(ws, "constant_memory", False) is True
        and all(hasattr(ws, name) for name in _WS_INTERNALS)
        and ws.excel_version == 2007
    )


def _row_attrs(ws: Any, height: float) -> str:
    """The ``<row>`` attributes xlsxwriter writes after ``set_row(row, height)``."""
    pixels = int(height * 4.0 / 3.0 + 0.5)
    if pixels == 0:  # pragma: no cover - heights are at least two lines of text
        return ""
    if pixels != ws.original_row_height or pixels != ws.default_row_height:
        return f' ht="{pixels * 0.75:.16g}" customHeight="1"'
    return ""


def _fast_rows(
    ws: Any,
    columns: Sequence[_Column],
    lo: int,
    hi: int,
    offset: int,
    heights: list[float | None] | None,
) -> int:
    """Write rows ``lo`` to ``hi - 2`` of a table as sheet XML straight into the worksheet's row file, and
    return the first row left to the per-cell path (``lo`` when the fast path does not apply).

    xlsxwriter spends about 20 µs of Python per cell (escapes, attributes, one file write each); here the
    cells of a column are built at once with polars, with xlsxwriter's escapes and attributes, and the
    worksheet is left as xlsxwriter would have left it: dimensions, the row being buffered, and format
    indices numbered in order of first use (row by row, then column by column). The last row goes through
    the per-cell path, so that a format first used there is numbered at the same moment. Text that
    xlsxwriter copies as raw rich-text XML (``<r>…</r>``, see :func:`bie.export.is_rich_xml`) sends its
    whole table chunk to the per-cell path."""
    end = hi - 1
    if end - lo < 1 or not _fast_ready(ws):
        return lo
    if len(columns) > ws.xls_colmax or hi + offset > ws.xls_rowmax:
        return lo  # out of the sheet: xlsxwriter refuses the cells, and the per-cell path says so
    for col in columns:
        if col.text:
            s = col.series.slice(lo, end - lo)
            if bool((s.str.starts_with("<r>") & s.str.ends_with("</r>")).any()):
                return lo
    ws._write_single_row(lo + offset)  # the header row, as the first data cell would have written it
    # The row file is UTF-8 text: the batches go to its byte buffer (no decoding and encoding again); the
    # "\n" inside cells reads back the same whatever the platform's line ending.
    ws.fh.flush()
    for start in range(lo, end, FAST_BATCH):
        stop = min(end, start + FAST_BATCH)
        ws.fh.buffer.write(_fast_batch(ws, columns, start, stop, offset, heights))
    ws.fh.buffer.flush()
    ws.previous_row = end - 1 + offset
    return end


def _fast_batch(
    ws: Any,
    columns: Sequence[_Column],
    start: int,
    stop: int,
    offset: int,
    heights: list[float | None] | None,
) -> bytes:
    """The sheet XML of rows ``start`` to ``stop - 1``, UTF-8 encoded (see :func:`_fast_rows`)."""
    n = stop - start
    base = start + offset
    rows = pl.int_range(base + 1, base + n + 1, eager=True).cast(pl.String)
    firsts: list[tuple[int, int, Any]] = []
    plans: list[tuple[pl.Series, pl.Series | None, list[Any]]] = []
    for c, col in enumerate(columns):
        part = col.series.slice(start, n)
        if not col.text:
            part = pl.Series([None if v is None else f"{v:.16G}" for v in part.to_list()], dtype=pl.String)
        filled = part.is_not_null()
        quoted = guard_mask(part) & filled if col.text else None
        plain = filled & ~quoted if quoted is not None else filled
        which: pl.Series | None = None  # index into row_fmts per row; None: row_fmts[0] throughout
        if col.fmts is None:
            row_fmts: list[Any] = [col.fmt]
            first = plain.arg_true().head(1).to_list()
            firsts += [(r, c, col.fmt) for r in first]
        else:
            index: dict[int, int] = {}
            row_fmts = []
            picks = []
            for fmt in col.fmts[start:stop]:
                k = index.get(id(fmt))
                if k is None:
                    k = index[id(fmt)] = len(row_fmts)
                    row_fmts.append(fmt)
                picks.append(k)
            which = pl.Series(picks, dtype=pl.Int32)
            seen: set[int] = set()
            for r in plain.arg_true().to_list():
                k = picks[r]
                if k not in seen:
                    seen.add(k)
                    firsts.append((r, c, row_fmts[k]))
                    if len(seen) == len(row_fmts):
                        break
        if quoted is not None and quoted.any():
            firsts.append((int(quoted.arg_true()[0]), c, col.qfmt))
            which = pl.select(
                pl.when(quoted)
                .then(pl.lit(len(row_fmts), pl.Int32))
                .otherwise(which if which is not None else 0)
            ).to_series()
            row_fmts.append(col.qfmt)
        if filled.any():
            filled_rows = filled.arg_true()
            ws._check_dimensions(base + int(filled_rows[0]), c)
            ws._check_dimensions(base + int(filled_rows[-1]), c)
        plans.append((part, which, row_fmts))
    for _, _, fmt in sorted(firsts, key=lambda item: item[:2]):
        fmt._get_xf_index()
    cells: list[pl.Series] = []
    for c, (col, (part, which, row_fmts)) in enumerate(zip(columns, plans, strict=True)):
        if part.null_count() == n:
            continue
        if which is None:
            xf: pl.Series | pl.Expr = pl.lit(str(row_fmts[0]._get_xf_index()))
        else:
            used = set(which.filter(part.is_not_null()).unique().to_list())
            codes = [str(fmt._get_xf_index()) if k in used else "0" for k, fmt in enumerate(row_fmts)]
            xf = which.replace_strict(list(range(len(codes))), codes, return_dtype=pl.String)
        ref = [pl.lit(f'<c r="{xl_col_to_name(c)}'), rows, pl.lit('" s="'), xf]
        if col.text:
            text = part
            if text.str.contains("_x", literal=True).any():
                text = text.str.replace_all(_LITERAL_ESCAPE, "_x005F${1}")
            if text.str.contains(_NEEDS_ESCAPE).any():
                text = text.str.replace_many(list(_CHAR_ESCAPES), list(_CHAR_ESCAPES.values()))
            preserve = text.str.contains(f"^{_SPACE}") | text.str.contains(f"{_SPACE}$")
            opening: pl.Expr = (
                pl.when(preserve).then(pl.lit(_PRESERVE)).otherwise(pl.lit(_INLINE))
                if preserve.any()
                else pl.lit(_INLINE)
            )
            cell = pl.concat_str([*ref, opening, text, pl.lit("</t></is></c>")])
        else:
            cell = pl.concat_str([*ref, pl.lit('"><v>'), part, pl.lit("</v></c>")])
        cells.append(pl.select(cell.alias("cell")).to_series())
    attrs: list[str] = [""] * n
    if heights is not None:
        tall = [(r, h) for r, h in enumerate(heights[start:stop]) if h]
        for r, h in tall:
            attrs[r] = _row_attrs(ws, h)
        if tall:
            colmin = ws.dim_colmin if ws.dim_colmin is not None else 0
            ws._check_dimensions(base + tall[0][0], colmin)
            ws._check_dimensions(base + tall[-1][0], colmin)
    if not cells:
        return b""
    # A row with a height and no cell is not written (in constant-memory mode xlsxwriter writes a row when
    # it has cells), though its height counts in the dimensions, as above.
    names = [f"c{i}" for i in range(len(cells))]
    frame = pl.DataFrame(
        {"row": rows, "attrs": pl.Series(attrs, dtype=pl.String), **dict(zip(names, cells, strict=True))}
    )
    has_cells = pl.any_horizontal([pl.col(x).is_not_null() for x in names])
    body = pl.concat_str([pl.col(x) for x in names], ignore_nulls=True)
    head = pl.lit('<row r="') + pl.col("row") + pl.lit('"') + pl.col("attrs") + pl.lit(">")
    xml = pl.when(has_cells).then(head + body + pl.lit("</row>"))
    return bytes(frame.select(xml.str.join("").cast(pl.Binary)).item())


class _Book:
    """The workbook being written: formats, labels, safe cell writers and one method per sheet."""

    def __init__(self, report: AuditReport, path: Path, tmpdir: Path) -> None:
        self.model = report
        self.path = path
        self.lang = lang = report.lang
        self.words: dict[str, Any] = load_data("labels_excel.yaml")
        self.shared: dict[str, Any] = load_data("labels.yaml")
        self.nf = _NUMBER_FORMATS[lang]
        self.marker = str(self.words["truncated_marker"])
        self.truncated = 0
        self.unlisted = 0  # issues beyond what the quality sheet holds
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.wb = open_workbook(path, tmpdir)
        meta = report.meta
        self.generated = _parse_date(meta.generated_at)
        self.wb.set_properties(
            {
                "title": self._clip(self.model.title, 255),
                "subject": self.w("summary", "subtitle").split(" — ")[0],
                "author": "bie",
                "comments": f"bie {meta.bie_version}; rules {meta.rules_version}; web {meta.web_version}",
                "created": self.generated,
            }
        )
        self.sheet_names: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ words
    def w(self, *keys: str, **params: Any) -> str:
        node: Any = self.words
        for key in keys:
            node = node[key]
        text = node[self.lang] if isinstance(node, dict) else str(node)
        return fmt_in(self.lang, text, **params) if params else str(text)

    def severity(self, code: str | None) -> str:
        sev = self.shared["severity"]
        return str(sev[code][self.lang]) if code in sev else (code or "")

    def yes_no(self, value: bool | None) -> str | None:
        if value is None:
            return None
        return self.w("bool_yes") if value else self.w("bool_no")

    @staticmethod
    def _clip(text: str, n: int) -> str:
        """Text for a document property: no XML-invalid control characters, at most ``n`` characters."""
        text = _CONTROL.sub("", text)
        return text if len(text) <= n else text[: n - 1] + "…"

    # ---------------------------------------------------------------- formats
    def f(self, props: Props | None = None, quote: bool = False, **more: Any) -> Any:
        """A cached Format for ``props`` (+ ``more``); ``quote`` adds Excel's quote prefix."""
        merged = {**(props or {}), **more}
        if quote:
            merged["quote_prefix"] = True
        key = tuple(sorted(merged.items()))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.wb.add_format(dict(merged))
        return found

    def num(self, kind: str, props: Props | None = None, **more: Any) -> dict[str, Any]:
        return {**(props or {}), **more, "num_format": self.nf[kind]}

    def cat_props(self, code: str, props: Props | None = None) -> dict[str, Any]:
        colours = load_data("palette.yaml")["colours"].get(code)
        if not colours:
            return dict(props or {})
        return {**(props or {}), "bg_color": colours["fill"], "font_color": colours["font"]}

    # ------------------------------------------------------------ safe writes
    def check(self, rc: Any, ws: Any, row: int, col: int, what: str = "cell") -> None:
        """Fail loudly on any xlsxwriter return code other than 0/None (never a silent -1/-2)."""
        if rc:
            where = f"{ws.get_name()}!{xl_rowcol_to_cell(row, col)}"
            raise OutputError(self.path, detail=f"xlsxwriter refused {what} {where} (code {rc})")

    def text(self, ws: Any, row: int, col: int, value: str, props: Props | None = None) -> None:
        """Write text safely: cut to Excel's limit, quote-prefixed when formula-like, never raw XML."""
        value, cut = fit_text(value, self.marker)
        if cut:
            self.truncated += 1
        if not value:
            return
        self.check(self._string(ws, row, col, value, self.f(props), self.f(props, quote=True)), ws, row, col)

    @staticmethod
    def _string(ws: Any, row: int, col: int, value: str, f: Any, qf: Any) -> Any:
        return write_text(ws, row, col, value, f, qf)

    def put(self, ws: Any, row: int, col: int, value: Any, props: Props | None = None) -> None:
        """Write any value: text safely, numbers as numbers, booleans as Oui/Non, dates as dates."""
        if value is None:
            return
        if isinstance(value, bool):
            self.text(ws, row, col, self.yes_no(value) or "", props)
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                return
            self.check(ws.write_number(row, col, value, self.f(props)), ws, row, col)
        elif isinstance(value, dt.datetime):
            self.check(ws.write_datetime(row, col, value, self.f(props)), ws, row, col)
        else:
            self.text(ws, row, col, str(value), props)

    def put_row(
        self,
        ws: Any,
        row: int,
        values: Sequence[Any],
        props: Sequence[Props | None] | Props | None = None,
        col: int = 0,
    ) -> None:
        """Write ``values`` from ``col`` on; ``props`` is one style for all cells or one per cell."""
        for i, value in enumerate(values):
            p = props if props is None or isinstance(props, Mapping) else props[i]
            self.put(ws, row, col + i, value, p)

    def blank(self, ws: Any, row: int, col: int, props: Props) -> None:
        """A formatted empty cell (a border or a fill with no value)."""
        self.check(ws.write_blank(row, col, None, self.f(props)), ws, row, col)

    def ok(self, rc: Any, ws: Any, what: str) -> None:
        if rc:
            raise OutputError(self.path, detail=f"xlsxwriter refused {what} on {ws.get_name()} (code {rc})")

    # ------------------------------------------------------------ big tables
    def column(
        self,
        header: str,
        series: pl.Series,
        props: Props,
        *,
        head: Props = _HEAD,
        min_width: float = 6,
        max_width: float = 50,
        width: float | None = None,
        fmts: list[Any] | None = None,
    ) -> _Column:
        """Prepare one column: every per-cell decision is made here, vectorised, once."""
        dtype = series.dtype
        if dtype.is_nested() or dtype == pl.Object:
            series = pl.Series(
                series.name, [None if v is None else str(v) for v in series.to_list()], pl.String
            )
            dtype = series.dtype
        if dtype.is_numeric():
            s = series.cast(pl.Float64) if dtype.is_decimal() else series
            if s.dtype.is_float():  # NaN and infinities: an empty cell (xlsxwriter refuses them)
                s = pl.select(pl.when(s.is_finite()).then(s)).to_series()
            if width is None:
                biggest = s.abs().max() if s.len() and s.null_count() < s.len() else 0
                digits = len(f"{float(biggest) if isinstance(biggest, int | float) else 0.0:,.2f}") + 3
                width = max(min_width, min(max_width, max(digits, self._header_width(header))))
            return _Column(header, head, s, False, self.f(props), self.f(props), width, fmts)
        s = series.cast(pl.String) if dtype != pl.String else series
        s = pl.select(pl.when(s.str.len_bytes() > 0).then(s)).to_series()
        lengths = s.str.len_chars()
        final = s
        long_rows = (lengths > MAX_CHARS // 2).fill_null(False).arg_true()
        if long_rows.len():
            fitted = [fit_text(v, self.marker) for v in s.gather(long_rows).to_list()]
            self.truncated += sum(cut for _, cut in fitted)
            final = s.clone().scatter(long_rows, [v for v, _ in fitted])
        special = frozenset(guard_mask(s).arg_true().to_list())
        top_len = lengths.max()
        longest = int(top_len) if isinstance(top_len, int | float) else 0
        if width is None:
            typical = float(lengths.quantile(0.9) or 0)
            content = longest if longest <= max_width else max(typical, max_width * 0.8)
            width = max(min_width, min(max_width, max(content * 1.05 + 1, self._header_width(header))))
        lines = None
        newlines = s.str.count_matches("\n")
        if longest > width * CHARS_PER_UNIT or bool((newlines > 0).any()):
            props = {**props, "text_wrap": True}
            per_line = max(1.0, width * CHARS_PER_UNIT)
            lines = ((lengths.cast(pl.Float64) / per_line).ceil() + newlines).fill_null(1)
        return _Column(
            header, head, final, True, self.f(props), self.f(props, quote=True), width, fmts, special, lines
        )

    @staticmethod
    def _header_width(header: str) -> float:
        words = header.split()
        longest_word = max((len(x) for x in words), default=0)
        return float(max(longest_word + 2, min(len(header), 16) + 2))

    @staticmethod
    def heights(columns: Sequence[_Column], n: int) -> list[float | None] | None:
        """Row heights (points) for rows whose wrapped text needs several lines, capped at MAX_LINES."""
        wrapped = [c.lines for c in columns if c.lines is not None]
        if not wrapped or n == 0:
            return None
        frame = pl.DataFrame({f"c{i}": s for i, s in enumerate(wrapped)})
        most = frame.select(pl.max_horizontal(pl.all()).clip(1, MAX_LINES).alias("l")).to_series()
        return pl.select(pl.when(most > 1).then(most * LINE_POINTS)).to_series().to_list()

    def table(
        self,
        sheets: Sequence[Any],
        columns: list[_Column],
        n: int,
        *,
        first_row: int = 0,
        freeze_cols: int = 0,
        heights: list[float | None] | None = None,
        freeze: bool = True,
        ignore_text_numbers: bool = False,
    ) -> None:
        """Write a table (header + n rows) over ``sheets``, continuing on the next one beyond MAX_ROWS."""
        lo = 0
        for k, ws in enumerate(sheets):
            top = first_row if k == 0 else 0
            hi = min(n, lo + MAX_ROWS - top)
            self._table_chunk(ws, columns, lo, hi, top, freeze_cols, heights, freeze, ignore_text_numbers)
            lo = hi

    def _table_chunk(
        self,
        ws: Any,
        columns: list[_Column],
        lo: int,
        hi: int,
        top: int,
        freeze_cols: int,
        heights: list[float | None] | None,
        freeze: bool,
        ignore_text_numbers: bool,
    ) -> None:
        ncols = len(columns)
        for c, col in enumerate(columns):
            self.ok(ws.set_column(c, c, col.width), ws, "a column width")
        head_lines = max(
            (math.ceil(len(col.header) / max(1.0, col.width * CHARS_PER_UNIT)) for col in columns), default=1
        )
        self.ok(ws.set_row(top, LINE_POINTS * min(max(head_lines, 1), 4) + 3), ws, "the header height")
        for c, col in enumerate(columns):
            self.text(ws, top, c, col.header, col.head)
        if ncols:
            self.ok(ws.autofilter(top, 0, top + max(hi - lo, 0), ncols - 1), ws, "the autofilter")
        if freeze:
            ws.freeze_panes(top + 1, freeze_cols)
        self.print_setup(ws, repeat=top)
        if ignore_text_numbers:
            self.ok(ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"}), ws, "ignore_errors")
        offset = top + 1 - lo
        start = _fast_rows(ws, columns, lo, hi, offset, heights)
        # The rows left (all of them when the fast path does not apply), cell by cell with xlsxwriter.
        specs = [
            (
                c,
                col.series.slice(start, max(0, hi - start)).to_list(),
                col.text,
                col.fmt,
                col.qfmt,
                col.fmts,
                col.special,
            )
            for c, col in enumerate(columns)
        ]
        write_string = ws.write_string
        write_number = ws.write_number
        special_write = self._string
        for r in range(start, hi):
            row = r + offset
            if heights is not None:
                h = heights[r]
                if h:
                    self.ok(ws.set_row(row, h), ws, "a row height")
            for c, values, is_text, f, qf, fmts, special in specs:
                v = values[r - start]
                if v is None:
                    continue
                cell_fmt = f if fmts is None else fmts[r]
                if special and r in special:
                    rc = special_write(ws, row, c, v, cell_fmt, qf)
                elif is_text:
                    rc = write_string(row, c, v, cell_fmt)
                else:
                    rc = write_number(row, c, v, cell_fmt)
                if rc:
                    self.check(rc, ws, row, c)

    def print_setup(self, ws: Any, repeat: int | None = 0, landscape: bool = True) -> None:
        if landscape:
            ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        if repeat is not None:
            ws.repeat_rows(repeat)
        ws.set_footer("&L&8&A&R&8&P / &N")

    # -------------------------------------------------------------- the book
    def add_sheets(self) -> dict[str, list[Any]]:
        """Every sheet, in tab order (constant_memory lets each sheet be written independently)."""
        n_actions = self.model.action_rows.height
        n_excluded = self.model.excluded_rows.height
        order: list[tuple[str, int]] = [
            ("summary", 1),
            ("actions", max(1, math.ceil(n_actions / MAX_ROWS))),
            ("pillar", 1),
            ("theme", 1),
            ("funder", 1),
            ("territory", 1),
            ("carrier", 1),
            ("web", 1),
            ("quality", 1),
            ("excluded", max(1, math.ceil(n_excluded / MAX_ROWS))),
            ("reconciliation", 1),
            ("method", 1),
        ]
        sheets: dict[str, list[Any]] = {}
        for key, count in order:
            base = self.w("sheets", key)
            names = [sheet_name(base)]
            names += [sheet_name(self.w("sheet_continued", sheet=base, n=i)) for i in range(2, count + 1)]
            self.sheet_names[key] = names
            sheets[key] = [self.wb.add_worksheet(name) for name in names]
        return sheets

    def write(self) -> None:
        sheets = self.add_sheets()
        sheets["summary"][0].set_tab_color("#1F3864")
        self.write_actions(sheets["actions"])
        for dim in ("pillar", "theme", "funder", "territory", "carrier"):
            self.write_breakdown(sheets[dim][0], dim)
        self.write_web(sheets["web"][0])
        self.write_quality(sheets["quality"][0])
        self.write_excluded(sheets["excluded"])
        self.write_reconciliation(sheets["reconciliation"][0])
        self.write_method(sheets["method"][0])
        # Last, so that its warnings count every cut cell of the other sheets.
        self.write_summary(sheets["summary"][0])

    def close(self) -> None:
        try:
            self.wb.close()
        except (OSError, XlsxWriterException) as exc:
            raise OutputError(self.path, detail=str(exc)) from exc

    def abandon(self) -> None:
        """Close the per-sheet temporary files after a failure (the folder holding them is then removed)."""
        for ws in self.wb.worksheets():
            fh = getattr(ws, "row_data_fh", None)
            if fh is not None and not fh.closed:
                fh.close()

    # ------------------------------------------------------------- Actions
    def _labels_expr(self, column: str, mapping: Mapping[str, str], frame: pl.DataFrame) -> pl.Expr:
        if column not in frame.columns:
            return pl.lit(None, pl.String)
        return pl.col(column).cast(pl.String).replace(dict(mapping))

    def actions_frame(self) -> tuple[pl.DataFrame, list[str]]:
        """Actions joined with their original columns (per file, on ``_row``): frame and original headers."""
        acts = self.model.action_rows
        headers: dict[str, str] = {}
        parts: list[pl.DataFrame] = []
        for info in self.model.meta.inputs:
            orig, name = info.original, info.name
            if "_row" not in orig.columns:
                continue
            cols = [c for c in orig.columns if c != "_row"]
            for c in cols:
                headers.setdefault(c, f"__o{len(headers)}")
            parts.append(
                orig.select(
                    pl.lit(name).alias("__file"),
                    pl.col("_row").cast(pl.Int64).alias("__row"),
                    *[pl.col(c).alias(headers[c]) for c in cols],
                )
            )
        base = acts.select(
            pl.col("_file").cast(pl.String)
            if "_file" in acts.columns
            else pl.lit(None, pl.String).alias("_file"),
            pl.col("_row").cast(pl.Int64) if "_row" in acts.columns else pl.lit(None, pl.Int64).alias("_row"),
        ).with_row_index("__i")
        if parts:
            originals = pl.concat(parts, how="diagonal_relaxed").unique(
                ["__file", "__row"], keep="first", maintain_order=True
            )
            joined = base.join(
                originals,
                left_on=["_file", "_row"],
                right_on=["__file", "__row"],
                how="left",
                maintain_order="left",
            ).sort("__i")
        else:
            joined = base
        keys = list(headers.values())
        return joined.select([k for k in keys if k in joined.columns]), list(headers)

    def typed_sources(self, originals: pl.DataFrame, headers: list[str]) -> list[tuple[str, pl.Series, str]]:
        """The source columns as Excel should hold them: numbers and dates typed, so that an officer can sum
        a co-funder's column or filter by date (issue 10), text elsewhere. Returns (header, values, kind)
        with kind ``text``, ``number`` or ``day``; a source column some of whose cells could not be typed is
        followed by its text as read (header « … (texte source) ») so that nothing is lost.

        Typed values come from what bie parsed (amounts, counts, rates, dates of the mapped fields), or, for
        an unmapped column, from the text itself when every cell is a plain decimal number (no leading zero,
        at most 12 digits before the point: identifiers such as SIRET stay text) or an ISO date."""
        acts = self.model.action_rows
        by_header: dict[str, set[str]] = {}
        for info in self.model.meta.inputs:
            for header, mapped in info.header_fields.items():
                by_header.setdefault(header, set()).update(mapped)
        out: list[tuple[str, pl.Series, str]] = []
        for key, header in zip(originals.columns, headers, strict=True):
            text = originals.get_column(key).cast(pl.String)
            fields = by_header.get(header, set())
            typed: pl.Series | None = None
            if len(fields) == 1:
                fld = next(iter(fields))
                dtype = acts.schema.get(fld)
                if dtype is not None and (dtype.is_numeric() or dtype == pl.Date):
                    typed = acts.get_column(fld)
                    if dtype.is_numeric() and fld in ("siret", "carrier_id", "grantor_id"):
                        typed = None
            elif not fields:
                typed = _plain_typed(text)
            if typed is None or typed.len() != text.len():
                out.append((header, text, "text"))
                continue
            kind = "day" if typed.dtype == pl.Date else "number"
            if kind == "day":
                typed = (typed.cast(pl.Int32) + _EXCEL_EPOCH_OFFSET).cast(pl.Float64)
            else:
                typed = typed.cast(pl.Float64)
            out.append((header, typed.rename(header), kind))
            lost = text.str.strip_chars().str.len_chars().fill_null(0).gt(0) & typed.is_null()
            if lost.any():
                words = self.w("actions", "source_text", header=header)
                out.append((words, pl.select(pl.when(lost).then(text)).to_series(), "text"))
        return out

    def flags(self) -> pl.Series:
        """Quality codes (warnings and errors) reported on each action's source row, one per line."""
        acts = self.model.action_rows
        sheets = {info.name: info.sheet for info in self.model.meta.inputs}
        files: list[str] = []
        rows: list[int] = []
        codes: list[str] = []
        for issue in self.model.quality.issues:
            file = issue.file
            if file is None or issue.row is None or issue.severity == "info":
                continue
            if issue.sheet is not None and sheets.get(file) not in (None, issue.sheet):
                continue
            files.append(file)
            rows.append(int(issue.row))
            codes.append(issue.code)
        if not files or "_file" not in acts.columns or "_row" not in acts.columns:
            return pl.Series("flags", [None] * acts.height, pl.String)
        found = (
            pl.DataFrame({"_file": files, "_row": rows, "code": codes})
            .unique(maintain_order=True)
            .group_by(["_file", "_row"], maintain_order=True)
            .agg(pl.col("code").str.join("\n"))
        )
        return (
            acts.select(pl.col("_file").cast(pl.String), pl.col("_row").cast(pl.Int64))
            .join(found, on=["_file", "_row"], how="left", maintain_order="left")
            .get_column("code")
        )

    def bie_frame(self) -> pl.DataFrame:
        """bie's own columns, labelled in ``lang``, computed vectorised."""
        acts = self.model.action_rows
        lang = self.lang
        cats = {k: v[lang] for k, v in self.shared["categories"].items()}
        audiences = {k: v[lang] for k, v in self.shared["audience"].items()}
        fields = {
            k: str(v.get(f"label_{lang}", k))
            for k, v in load_data("columns.yaml")["fields"].items()
            if isinstance(v, dict)
        }
        opening, closing = ("« ", " »") if lang == "fr" else ("\u201c", "\u201d")
        web = dict(self.model.web.labels)

        def col(name: str, dtype: Any) -> pl.Expr:
            return pl.col(name) if name in acts.columns else pl.lit(None, dtype).alias(name)

        exprs: list[pl.Expr] = [
            col(analysis.AMOUNT, pl.Float64).cast(pl.Float64).alias("amount"),
            pl.col("category").cast(pl.String).alias("category_code")
            if "category" in acts.columns
            else pl.lit(None, pl.String).alias("category_code"),
            self._labels_expr("category", cats, acts).alias("category"),
            col("dac_marker", pl.Int64).alias("dac_marker"),
            col("eu_weight", pl.Float64).alias("eu_weight"),
            col("confidence", pl.Float64).alias("confidence"),
            self._labels_expr(
                "review_reason", {k: v[lang] for k, v in self.shared["review_reasons"].items()}, acts
            ).alias("review_reason"),
        ]
        reasons_dtype = acts.schema.get("reasons")
        if isinstance(reasons_dtype, pl.List) and isinstance(reasons_dtype.inner, pl.Struct):
            names = {f.name for f in reasons_dtype.inner.fields}
            el = pl.element()

            def part(name: str) -> pl.Expr:
                return el.struct.field(name).cast(pl.String) if name in names else pl.lit(None, pl.String)

            titles = dict(self.model.rule_titles)
            item = pl.concat_str(
                [
                    part("rule").fill_null("?"),
                    pl.when(part("rule").is_in(list(titles)))
                    .then(pl.lit(" ") + pl.lit(opening) + part("rule").replace(titles) + pl.lit(closing))
                    .otherwise(pl.lit("")),
                    pl.when(part("field").is_not_null())
                    .then(pl.lit(" — ") + part("field").replace(fields))
                    .otherwise(pl.lit("")),
                    pl.when(part("match").is_not_null() & (part("match") != ""))
                    .then(pl.lit(f" — {opening}") + part("match") + pl.lit(closing))
                    .otherwise(pl.lit("")),
                ]
            )
            exprs.append(pl.col("reasons").list.eval(item).list.join("\n").alias("reasons"))
        elif "reasons" in acts.columns:
            exprs.append(pl.col("reasons").cast(pl.String).alias("reasons"))
        else:
            exprs.append(pl.lit(None, pl.String).alias("reasons"))
        exprs += [
            self._labels_expr("audience", audiences, acts).alias("audience"),
            self._labels_expr("declared_category", cats, acts).alias("declared_category"),
            (
                pl.when(pl.col("declaration_mismatch"))
                .then(pl.lit(self.w("bool_yes")))
                .when(pl.col("declaration_mismatch").not_())
                .then(pl.lit(self.w("bool_no")))
                .otherwise(pl.lit(None, pl.String))
                .alias("declaration_mismatch")
            )
            if "declaration_mismatch" in acts.columns
            else pl.lit(None, pl.String).alias("declaration_mismatch"),
            col("override", pl.String).cast(pl.String).alias("override"),
        ]
        web_dtype = acts.schema.get("web_elements")
        if isinstance(web_dtype, pl.List):
            exprs.append(
                pl.col("web_elements")
                .list.eval(pl.element().cast(pl.String).replace(web))
                .list.join("\n")
                .alias("web_elements")
            )
        else:
            exprs.append(col("web_elements", pl.String).cast(pl.String).alias("web_elements"))
        return acts.select(exprs).with_columns(self.flags().alias("flags"))

    def write_actions(self, sheets: list[Any]) -> None:
        acts = self.model.action_rows
        n = acts.height
        originals, headers = self.actions_frame()
        ours = self.bie_frame()
        a = "actions"
        columns = [
            self.column(
                self.w(a, "file"),
                acts.get_column("_file")
                if "_file" in acts.columns
                else pl.Series([None] * n, dtype=pl.String),
                _TOP,
                max_width=28,
            ),
            self.column(
                self.w(a, "sheet"),
                acts.get_column("_sheet")
                if "_sheet" in acts.columns
                else pl.Series([None] * n, dtype=pl.String),
                _TOP,
                max_width=22,
            ),
            self.column(
                self.w(a, "row"),
                acts.get_column("_row") if "_row" in acts.columns else pl.Series([None] * n, dtype=pl.Int64),
                self.num("plain", _TOP),
                width=9,
            ),
        ]
        if "_line" in acts.columns and acts.get_column("_line").null_count() < n:
            # CSV: the physical line each record starts on, beside the row a spreadsheet program shows
            columns.append(
                self.column(self.w(a, "line"), acts.get_column("_line"), self.num("plain", _TOP), width=9)
            )
        for header, values, kind in self.typed_sources(originals, headers):
            props = _TOP if kind == "text" else self.num(kind, _TOP)
            columns.append(self.column(header, values, props, max_width=45))
        codes = ours.get_column("category_code").to_list()
        cat_fmts = {c: self.f(self.cat_props(c, _TOP)) for c in self.shared["categories"]}
        plain = self.f(_TOP)

        def bie(name: str, props: Props = _TOP, **sizing: Any) -> _Column:
            return self.column(self.w(a, name), ours.get_column(name), props, head=_HEAD_BIE, **sizing)

        columns += [
            bie("amount", self.num("euro", _TOP)),
            bie("category", width=26, fmts=[cat_fmts.get(c, plain) for c in codes]),
            bie("dac_marker", self.num("plain", _TOP), width=11),
            bie("eu_weight", self.num("pct0", _TOP), width=11),
            bie("confidence", self.num("pct0", _TOP), width=11),
            bie("review_reason", width=22),
            bie("reasons", min_width=24, max_width=60),
            bie("audience", width=16),
            bie("declared_category", width=24),
            bie("declaration_mismatch", width=13),
            bie("override", min_width=14, max_width=40),
            bie("web_elements", min_width=16, max_width=36),
            bie("flags", min_width=16, max_width=30),
        ]
        self.table(
            sheets, columns, n, freeze_cols=3, heights=self.heights(columns, n), ignore_text_numbers=True
        )

    # ---------------------------------------------------------- breakdowns
    def write_breakdown(self, ws: Any, dim: str) -> None:
        model = self.model.breakdown(dim)
        rows = model.groups if model is not None else ()
        b = "breakdown"
        dim_label = str(self.shared["dimensions"][dim][self.lang])
        cats = analysis.CATEGORIES
        headers = [
            dim_label,
            self.w(b, "count"),
            self.w(b, "amount"),
            self.w(b, "share"),
            self.w(b, "equality_share"),
        ]
        for cat in cats:
            label = self.model.category(cat).label
            headers.append(self.w(b, "cat_count", category=label))
            headers.append(self.w(b, "cat_amount", category=label))
        widths = [40, 10, 17, 11, 16] + [14, 18] * len(cats)
        for c, width in enumerate(widths):
            self.ok(ws.set_column(c, c, width), ws, "a column width")
        self.ok(ws.set_row(0, LINE_POINTS * 3 + 3), ws, "the header height")
        for c, header in enumerate(headers):
            head = _HEAD_BIE if c < 5 else {**_HEAD, **self.cat_props(cats[(c - 5) // 2])}
            self.text(ws, 0, c, header, head)
        ws.freeze_panes(1, 1)
        self.print_setup(ws)
        if not rows:
            self.text(ws, 1, 0, self.w(b, "missing", dimension=dim_label), _NOTE)
            return
        self.ok(ws.autofilter(0, 0, len(rows), len(headers) - 1), ws, "the autofilter")
        euro, pct, count = self.num("euro", _TOP), self.num("pct", _TOP), self.num("int", _TOP)
        r = 0
        for r, group in enumerate(rows, start=1):
            values: list[Any] = [group.label, group.count, group.amount, group.share, group.equality_share]
            props: list[Props | None] = [_LABEL, count, euro, pct, pct]
            for cat in cats:
                cell = group.by_category.get(cat)
                values += [None, None] if cell is None else [cell.count, cell.amount]
                props += [count, euro]
            self.put_row(ws, r, values, props)
        # Total row (sums in cents of the rows shown, which cover every action or every funder column).
        total: list[Any] = [
            self.w(b, "total"),
            sum(g.count for g in rows),
            analysis.euros(sum(_cents(g.amount) for g in rows)),
            None,
            None,
        ]
        for cat in cats:
            cells = [g.by_category[cat] for g in rows if cat in g.by_category]
            total.append(sum(c.count for c in cells))
            total.append(analysis.euros(sum(_cents(c.amount) for c in cells)))
        shared = model is not None and model.shared
        if shared:
            # an action naming several quartiers is shown under each: the rows do not add up, the total is
            # the programme's (each action once)
            total = [self.w(b, "total"), self.model.actions, self.model.amount_total, None, None]
            for figures in self.model.categories:
                total += [figures.count, figures.amount]
        tprops: list[Props | None] = [_TOTAL, {**count, **_TOTAL}, {**euro, **_TOTAL}, _TOTAL, _TOTAL]
        tprops += [{**count, **_TOTAL}, {**euro, **_TOTAL}] * len(cats)
        # The total row sits below the filtered range: filtering never hides it.
        self.put_row(ws, r + 1, total, tprops)
        for c in (3, 4):
            self.blank(ws, r + 1, c, tprops[c] or {})
        if shared and model is not None:  # below the total (constant-memory mode writes rows in order)
            self.text(ws, r + 2, 0, model.note, _NOTE)
        self.ok(
            ws.conditional_format(
                1,
                4,
                len(rows),
                4,
                {
                    "type": "data_bar",
                    "bar_color": "#56B4E9",
                    "bar_solid": True,
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                },
            ),
            ws,
            "a data bar",
        )
        note = self.w(b, "note_funder" if dim == "funder" else "note_dimension")
        self.ok(ws.set_row(r + 3, LINE_POINTS * 3), ws, "a row height")
        self.text(ws, r + 3, 0, note, _NOTE)

    # ----------------------------------------------------------------- web
    def caveat(self) -> str:
        """The caveat of a file where most actions could not be judged (empty otherwise)."""
        return self.model.judged.caveat

    def write_web(self, ws: Any) -> None:
        web = self.model.web
        wd = "web"
        headers = [
            self.w(wd, k)
            for k in (
                "sphere",
                "element",
                "score",
                "level",
                "source",
                "actions",
                "amount",
                "evidence",
                "explanation",
            )
        ]
        widths = [22, 34, 11, 11, 16, 9, 16, 60, 60]
        for c, width in enumerate(widths):
            self.ok(ws.set_column(c, c, width), ws, "a column width")
        chart_col = len(headers)
        self.ok(ws.set_column(chart_col, chart_col, 12, None, {"hidden": True}), ws, "a column width")
        self.ok(ws.set_row(0, LINE_POINTS * 2 + 3), ws, "the header height")
        self.put_row(ws, 0, headers, _HEAD_BIE)
        self.text(ws, 0, chart_col, self.w(wd, "chart_values"), _HEAD)
        ws.freeze_panes(1, 2)
        self.print_setup(ws)
        elements = web.elements
        if elements:
            self.ok(ws.autofilter(0, 0, len(elements), len(headers) - 1), ws, "the autofilter")
        scored = 0
        r = 0
        euro, count = self.num("euro", _TOP), self.num("int", _TOP)
        for r, e in enumerate(elements, start=1):
            known = e.score is not None
            scored += known
            evidence_text = "\n".join(e.evidence_long or e.evidence)
            values = [
                e.sphere_label,
                e.label,
                e.score if known else e.level_label,
                e.level_label or None,
                e.source_label,
                e.actions,
                e.amount,
                evidence_text or None,
                e.explanation or None,
            ]
            lines = max(
                [
                    1,
                    *(
                        math.ceil(len(str(v or "")) / (60 * CHARS_PER_UNIT)) + str(v or "").count("\n")
                        for v in values[7:]
                    ),
                ]
            )
            if lines > 1:
                self.ok(ws.set_row(r, LINE_POINTS * min(lines, MAX_LINES)), ws, "a row height")
            score_props = {**_TOP, "align": "center"}
            self.put_row(ws, r, values, [_LABEL, _LABEL, score_props, _TOP, _TOP, count, euro, _WRAP, _WRAP])
            if known:
                self.put(ws, r, chart_col, e.score, _TOP)
        r += 2
        version = web.version or self.model.meta.web_version
        self.text(ws, r, 0, self.w(wd, "version", version=version), _NOTE)
        r += 2
        caveat = self.caveat()
        if caveat:
            self.text(ws, r, 0, self.w(wd, "caveat", caveat=caveat), _CAVEAT)
            r += 2
        if scored >= 3:
            chart = self.wb.add_chart({"type": "radar", "subtype": "with_markers"})
            chart.add_series(
                {
                    "name": self.w(wd, "score"),
                    "categories": [ws.get_name(), 1, 1, len(elements), 1],
                    "values": [ws.get_name(), 1, chart_col, len(elements), chart_col],
                    "line": {"color": "#0072B2", "width": 2},
                    "marker": {"type": "circle", "size": 5, "fill": {"color": "#0072B2"}},
                }
            )
            chart.set_title({"name": self.w(wd, "chart_title"), "name_font": {"size": 11}})
            chart.set_legend({"none": True})
            chart.set_y_axis({"min": 0, "max": 3, "major_unit": 1})
            chart.show_blanks_as("gap")
            chart.show_hidden_data()
            chart.set_size({"width": 620, "height": 460})
            self.ok(ws.insert_chart(r, 1, chart), ws, "the chart")
            r += 24
        else:
            self.text(ws, r, 0, self.w(wd, "no_chart"), _NOTE)
            r += 2
        self.text(ws, r, 0, self.w(wd, "weak"), _HEADING)
        r += 1
        if not web.weak:
            self.text(ws, r, 0, self.w(wd, "no_weak"), _NOTE)
            r += 1
        for item in web.weak:
            self.text(ws, r, 0, item, _TOP)
            r += 1
        r += 1
        self.text(ws, r, 0, self.w(wd, "broken_links"), _HEADING)
        r += 1
        if not web.broken:
            self.text(ws, r, 0, self.w(wd, "no_broken_links"), _NOTE)
        for item in web.broken:
            self.text(ws, r, 0, item, _TOP)
            r += 1

    # ------------------------------------------------------------- quality
    def write_quality(self, ws: Any) -> None:
        q = "quality"
        dq = self.model.quality
        widths = [30, 14, 26, 20, 10, 26, 90]
        for c, width in enumerate(widths):
            self.ok(ws.set_column(c, c, width), ws, "a column width")
        self.print_setup(ws, repeat=None)
        count, pct = self.num("int", _TOP), self.num("pct", _TOP)
        r = 0
        self.text(ws, r, 0, self.w(q, "indicators"), _HEADING)
        r += 1
        indicators: list[tuple[str, Any, Props]] = [
            ("unmapped_columns", len(dq.unmapped), count),
            ("unparsed_values", dq.unparsed_values, count),
            ("placeholders", dq.placeholders, count),
            ("missing_beneficiaries", dq.missing_beneficiaries, count),
            ("inconsistent_beneficiaries", dq.inconsistent_beneficiaries, count),
            ("total_mismatches", dq.total_mismatches, count),
            ("declaration_mismatches", dq.declaration_mismatches, count),
            ("declaration_overstated", dq.declaration_overstated, count),
            ("declaration_overstated_share", dq.declaration_overstated_share, pct),
            ("to_review", dq.to_review, count),
            ("no_amount", dq.no_amount, count),
        ]
        for key, value, props in indicators:
            self.put_row(ws, r, [self.w(q, key), value], [_LABEL, props])
            r += 1
        r += 1
        issues = dq.issues
        listed: dict[str, int] = {}
        severity: dict[str, str] = {}
        for issue in issues:
            listed[issue.code] = listed.get(issue.code, 0) + 1
            severity.setdefault(issue.code, issue.severity_label)
        by_code: dict[str, int] = dict(dq.issues_by_code)
        codes = sorted(set(by_code) | set(listed))
        self.text(ws, r, 0, self.w(q, "by_code"), _HEADING)
        r += 1
        self.put_row(
            ws,
            r,
            [self.w(q, "code"), self.w(q, "severity"), self.w(q, "count"), self.w(q, "listed")],
            _HEAD_BIE,
        )
        r += 1
        for code in codes:
            sev = severity.get(code)
            if sev is None:  # counted, none listed: the severity of its code
                try:
                    sev = self.severity(issue_severity(code))
                except KeyError:
                    sev = ""
            self.put_row(
                ws,
                r,
                [
                    code,
                    sev,
                    max(by_code.get(code, 0), listed.get(code, 0)),
                    listed.get(code, 0),
                ],
                [_TOP, _TOP, count, count],
            )
            r += 1
        self.text(ws, r, 0, self.w(q, "capped"), _NOTE)
        r += 2
        self.text(ws, r, 0, self.w(q, "list"), _HEADING)
        r += 1
        n = len(issues)
        if r + n + 1 > MAX_ROWS:  # more than the sheet holds below the header: said, never silent
            n = max(0, MAX_ROWS - r - 1)
            self.unlisted = len(issues) - n
        frame = pl.DataFrame(
            {
                "code": [i.code for i in issues[:n]],
                "severity": [i.severity_label for i in issues[:n]],
                "file": [i.file for i in issues[:n]],
                "sheet": [i.sheet for i in issues[:n]],
                "row": [i.row for i in issues[:n]],
                # a canonical field in the reader's words (« Égalité déclarée »), a source header as is
                "column": [i.column for i in issues[:n]],
                "message": [i.message for i in issues[:n]],
            },
            schema={
                "code": pl.String,
                "severity": pl.String,
                "file": pl.String,
                "sheet": pl.String,
                "row": pl.Int64,
                "column": pl.String,
                "message": pl.String,
            },
        )
        columns = [
            self.column(
                self.w(q, key),
                frame.get_column(key),
                self.num("plain", _TOP) if key == "row" else _TOP,
                head=_HEAD_BIE,
                width=widths[c],
            )
            for c, key in enumerate(frame.columns)
        ]
        self.table([ws], columns, n, first_row=r, heights=self.heights(columns, n), freeze=False)
        if self.unlisted:
            self.text(ws, r + n + 1, 0, self.w(q, "unlisted", n=self.unlisted), _CAVEAT)
        elif n == 0:
            self.text(ws, r + 1, 0, self.w(q, "none"), _NOTE)

    # ------------------------------------------------------------ excluded
    def write_excluded(self, sheets: list[Any]) -> None:
        ex = self.model.excluded_rows
        n = ex.height
        e = "excluded"
        reasons = {k: v[self.lang] for k, v in self.shared["reasons"].items()}

        def get(name: str, dtype: Any) -> pl.Series:
            return ex.get_column(name) if name in ex.columns else pl.Series(name, [None] * n, dtype)

        reason = get("reason", pl.String).cast(pl.String).replace(reasons)
        columns = [
            self.column(self.w(e, "file"), get("file", pl.String), _TOP, max_width=28),
            self.column(self.w(e, "sheet"), get("sheet", pl.String), _TOP, max_width=22),
            self.column(self.w(e, "row"), get("row", pl.Int64), self.num("plain", _TOP), width=9),
            self.column(self.w(e, "reason"), reason, _TOP, head=_HEAD_BIE, max_width=34),
            self.column(self.w(e, "text"), get("text", pl.String), _TOP, min_width=30, max_width=80),
            self.column(
                self.w(e, "amount"),
                get("amount", pl.Float64).cast(pl.Float64),
                self.num("euro", _TOP),
                head=_HEAD_BIE,
            ),
        ]
        self.table(sheets, columns, n, freeze_cols=3, heights=self.heights(columns, n))

    # ------------------------------------------------------ reconciliation
    def write_reconciliation(self, ws: Any) -> None:
        rc = "reconciliation"
        rec = self.model.reconciliation
        for c, width in enumerate([34, 52, 12, 20]):
            self.ok(ws.set_column(c, c, width), ws, "a column width")
        self.ok(ws.set_row(0, LINE_POINTS + 5), ws, "the header height")
        self.put_row(ws, 0, [self.w(rc, k) for k in ("file", "item", "rows", "amount")], _HEAD_BIE)
        ws.freeze_panes(1, 0)
        self.print_setup(ws, landscape=False)
        count, euro = self.num("int", _TOP), self.num("euro", _TOP)
        r = 1
        for f in rec.files:
            name = f.file
            ex_rows = sum(v.rows for v in f.excluded)
            ex_c = sum(_cents(v.amount) for v in f.excluded)
            act_rows, act_c = f.actions, _cents(f.actions_amount)
            in_rows, in_c = f.rows, _cents(f.input_amount)
            lines: list[tuple[str, Any, Any, Props]] = [
                (self.w(rc, "input"), in_rows, f.input_amount, {"bold": True}),
                (self.w(rc, "rows_with_amount"), f.rows_with_amount, None, {"italic": True}),
                (self.w(rc, "actions"), act_rows, f.actions_amount, {}),
            ]
            for v in f.excluded:
                lines.append((self.w(rc, "excluded", reason=v.label), v.rows, v.amount, {}))
            lines += [
                (self.w(rc, "sum"), act_rows + ex_rows, analysis.euros(act_c + ex_c), _TOTAL),
                (self.w(rc, "gap"), in_rows - act_rows - ex_rows, analysis.euros(in_c - act_c - ex_c), {}),
            ]
            for item, rows, amount, extra in lines:
                self.put_row(
                    ws,
                    r,
                    [name, item, rows, amount],
                    [{**_TOP, **extra}, {**_LABEL, **extra}, {**count, **extra}, {**euro, **extra}],
                )
                r += 1
            balanced = f.balanced
            flag = {**_TOP, "bold": True, "font_color": "#000000" if balanced else "#D55E00"}
            self.put_row(ws, r, [name, self.w(rc, "balanced"), self.yes_no(balanced)], [_TOP, _LABEL, flag])
            r += 1
            audited = f.audited_actions
            if audited is not None and audited != act_rows:
                self.put_row(ws, r, [name, self.w(rc, "audited"), audited], [_TOP, _LABEL, count])
                r += 1
            r += 1
        self.put_row(
            ws,
            r,
            [self.w(rc, "all_balanced"), None, self.yes_no(rec.balanced)],
            [{"bold": True}, None, {"bold": True}],
        )

    # -------------------------------------------------------------- method
    def basis_label(self) -> str:
        return self.model.basis_label

    def write_method(self, ws: Any) -> None:
        m = "method"
        meta = self.model.meta
        self.ok(ws.set_column(0, 0, 30), ws, "a column width")
        self.ok(ws.set_column(1, 1, 110), ws, "a column width")
        self.print_setup(ws, repeat=None, landscape=False)
        self.put_row(ws, 0, [self.w(m, "section"), self.w(m, "text")], _HEAD_BIE)
        r = 1

        def long_row(label: str, text: str, label_props: Props = _LABEL) -> None:
            nonlocal r
            lines = sum(max(1, math.ceil(len(part) / (110 * CHARS_PER_UNIT))) for part in text.split("\n"))
            if lines > 1:
                self.ok(ws.set_row(r, min(409.0, LINE_POINTS * lines + 2)), ws, "a row height")
            self.put_row(ws, r, [label, text], [{**label_props, "bold": True}, _WRAP])
            r += 1

        for section in self.model.method:
            long_row(section.title, section.text)
        long_row(self.w(m, "colours"), self.w(m, "palette"))
        r += 1
        self.text(ws, r, 0, self.w(m, "sources"), _HEADING)
        r += 1
        for source in self.model.method_sources:
            long_row("", source)
        r += 1
        self.text(ws, r, 0, self.w(m, "versions"), _HEADING)
        r += 1
        versions = [
            (self.w("summary", "bie_version"), meta.bie_version),
            (self.w("summary", "rules_version"), meta.rules_version),
            (self.w("summary", "web_version"), meta.web_version),
            (self.w("summary", "vocabulary_version"), meta.vocabulary_version),
            (self.w(m, "schema_version"), self._schema_version()),
            (self.w(m, "amount_basis"), self.basis_label()),
        ]
        for label, value in versions:
            self.put_row(ws, r, [label, value], [_LABEL, {**_TOP, "align": "left"}])
            r += 1
        self.put_row(
            ws, r, [self.w(m, "generated_at"), self.generated], [_LABEL, self.num("date", _TOP, align="left")]
        )
        r += 2
        self.text(ws, r, 0, self.w(m, "inputs"), _HEADING)
        r += 1
        for item in meta.inputs:
            rows: list[tuple[str, Any]] = [
                (self.w("summary", "input_file"), item.name),
                (self.w(m, "format"), item.format),
                (self.w("summary", "input_sheet"), item.sheet),
                (self.w(m, "header_rows"), ", ".join(str(x) for x in item.header_rows)),
                (self.w("summary", "input_rows"), item.rows),
                (self.w("summary", "input_actions"), item.actions),
                (self.w(m, "amount_basis"), item.basis_label),
                (self.w(m, "encoding"), item.encoding),
                (self.w(m, "sha256"), item.sha256),
            ]
            for label, value in rows:
                bold = label == self.w("summary", "input_file")
                self.put_row(
                    ws, r, [label, value], [{**_LABEL, "bold": bold}, {**_TOP, "align": "left", "bold": bold}]
                )
                r += 1
            r += 1

    @staticmethod
    def _schema_version() -> str:
        return SCHEMA_VERSION

    # ------------------------------------------------------------- summary
    def write_summary(self, ws: Any) -> None:
        s = "summary"
        report = self.model
        meta = report.meta
        widths = [50, 22, 14, 20, 14, 13, 13, 2]
        for c, width in enumerate(widths):
            self.ok(ws.set_column(c, c, width), ws, "a column width")
        ws.hide_gridlines(2)
        self.print_setup(ws, repeat=None, landscape=False)
        euro, pct, count = self.num("euro"), self.num("pct"), self.num("int")
        r = 0
        self.ok(ws.set_row(0, 24), ws, "the title height")
        self.text(ws, r, 0, self.model.title, {"bold": True, "font_size": 16, "font_color": "#1F3864"})
        r += 1
        date = self.generated.strftime("%d/%m/%Y %H:%M" if self.lang == "fr" else "%Y-%m-%d %H:%M")
        self.text(
            ws,
            r,
            0,
            self.w(s, "subtitle", version=meta.bie_version, date=date),
            {"italic": True, "font_color": "#595959"},
        )
        r += 2
        warnings = self.warnings()
        if warnings:
            self.text(
                ws,
                r,
                0,
                self.w(s, "warnings"),
                {**_HEADING, "font_color": "#D55E00", "bottom_color": "#D55E00"},
            )
            r += 1
            for warning in warnings:
                self.text(ws, r, 0, warning, {"bold": True, "font_color": "#D55E00"})
                r += 1
            r += 1
        # Files analysed.
        self.text(ws, r, 0, self.w(s, "inputs"), _HEADING)
        r += 1
        self.put_row(
            ws,
            r,
            [
                self.w(s, k)
                for k in ("input_file", "input_sheet", "input_rows", "input_actions", "input_basis")
            ],
            _HEAD_BIE,
        )
        r += 1
        for info in meta.inputs:
            self.put_row(
                ws,
                r,
                [info.name, info.sheet, info.rows, info.actions, info.basis_label],
                [_LABEL, _LABEL, count, count, _LABEL],
            )
            r += 1
        r += 1
        # Key figures.
        self.text(ws, r, 0, self.w(s, "key_figures"), _HEADING)
        r += 1
        caveat = self.caveat()
        if caveat:
            self.text(ws, r, 0, self.w(s, "caveat", caveat=caveat), _CAVEAT)
            r += 1
        self.put_row(ws, r, ["", self.w(s, "value"), self.w(s, "share_col")], [None, _HEAD_BIE, _HEAD_BIE])
        r += 1
        key_rows: list[tuple[list[Any], list[Props | None]]] = [
            ([self.w(s, "basis"), self.basis_label()], [_LABEL, _LABEL]),
            ([self.w(s, "actions"), report.actions], [_LABEL, count]),
            ([self.w(s, "actions_without_amount"), report.actions_without_amount], [_LABEL, count]),
            (
                [self.w(s, "amount_total"), report.amount_total],
                [{**_LABEL, "bold": True}, {**euro, "bold": True}],
            ),
        ]
        headline = self.model.headline
        if headline.shown:
            key_rows += [
                (
                    [self.w(s, "weighted"), headline.weighted_amount, headline.weighted_share],
                    [{**_LABEL, "bold": True}, {**euro, "bold": True}, {**pct, "bold": True}],
                ),
                (
                    [self.w(s, "equality_amount"), headline.unweighted_amount, headline.unweighted_share],
                    [_LABEL, euro, pct],
                ),
            ]
        else:
            key_rows.append(([self.w(s, "weighted"), headline.note], [{**_LABEL, "bold": True}, _WRAP]))
        for values, props in key_rows:
            self.put_row(ws, r, values, props)
            r += 1
        r += 1
        # Categories, with the chart beside them.
        self.text(ws, r, 0, self.w(s, "by_category"), _HEADING)
        chart_row = r
        r += 1
        if caveat:
            self.text(ws, r, 0, self.w(s, "categories_caveat"), _CAVEAT)
            r += 1
        self.ok(ws.set_row(r, LINE_POINTS * 2 + 3), ws, "the header height")
        self.put_row(
            ws,
            r,
            [
                self.w(s, k)
                for k in ("category", "count", "share_count", "amount", "share", "dac_marker", "eu_weight")
            ],
            _HEAD_BIE,
        )
        r += 1
        first = r
        for figures in self.model.categories:
            cat = figures.category
            self.put_row(
                ws,
                r,
                [
                    figures.label,
                    figures.count,
                    figures.share_count,
                    figures.amount,
                    figures.share,
                    figures.dac_marker,
                    figures.eu_weight,
                ],
                [
                    self.cat_props(cat, {"bold": True}),
                    count,
                    pct,
                    euro,
                    pct,
                    {"align": "center"},
                    self.num("pct0", align="center"),
                ],
            )
            r += 1
        total_share = 1.0 if report.actions else None
        total_money = 1.0 if report.amount_total else None
        self.put_row(
            ws,
            r,
            [self.w(s, "total"), report.actions, total_share, report.amount_total, total_money],
            [_TOTAL, {**count, **_TOTAL}, {**pct, **_TOTAL}, {**euro, **_TOTAL}, {**pct, **_TOTAL}],
        )
        r += 1
        chart = self.wb.add_chart({"type": "bar"})
        colours = [load_data("palette.yaml")["colours"][c]["fill"] for c in analysis.CATEGORIES]
        chart.add_series(
            {
                "name": self.w(s, "amount"),
                "categories": [ws.get_name(), first, 0, first + 3, 0],
                "values": [ws.get_name(), first, 3, first + 3, 3],
                "points": [
                    {"fill": {"color": c}, "border": {"color": "#404040", "width": 0.5}} for c in colours
                ],
                "data_labels": {
                    "value": True,
                    "num_format": self.nf["euro"].split(";")[0],
                    "position": "outside_end",
                },
                "gap": 60,
            }
        )
        chart.set_title({"name": self.w(s, "chart_title"), "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "major_gridlines": {"visible": False}})
        chart.set_x_axis(
            {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
        )
        chart.set_size({"width": 640, "height": 300})
        self.ok(ws.insert_chart(chart_row, 8, chart, {"x_offset": 10, "y_offset": 0}), ws, "the chart")
        r = max(r + 1, chart_row + 17)
        # Beneficiaries by sex.
        benef = self.model.beneficiaries
        self.text(ws, r, 0, self.w(s, "beneficiaries"), _HEADING)
        r += 1
        if benef is not None and benef.available:
            rows: list[tuple[list[Any], list[Props | None]]] = [
                (
                    [self.w(s, "coverage_actions"), benef.actions_with_counts, benef.share_actions],
                    [_LABEL, count, pct],
                ),
                (
                    [self.w(s, "coverage_amount"), benef.amount_with_counts, benef.share_amount],
                    [_LABEL, euro, pct],
                ),
                ([self.w(s, "women"), benef.women], [_LABEL, count]),
                ([self.w(s, "men"), benef.men], [_LABEL, count]),
                ([self.w(s, "women_share"), benef.women_share], [_LABEL, pct]),
                ([self.w(s, "euros_per_woman"), benef.euros_per_woman], [_LABEL, euro]),
                ([self.w(s, "euros_per_man"), benef.euros_per_man], [_LABEL, euro]),
            ]
            for values, props in rows:
                self.put_row(ws, r, values, props)
                r += 1
        else:
            self.text(ws, r, 0, self.w(s, "no_beneficiaries"), _NOTE)
            r += 1
        r += 1
        # Stages.
        stages = self.model.stages
        if stages is not None:
            self.text(ws, r, 0, self.w(s, "stages"), _HEADING)
            r += 1
            heads = [self.w(s, "category"), self.w(s, "count")]
            heads += [stages.stage_labels[k].capitalize() + " (€)" for k in stages.stages]
            heads.append(self.w(s, "rate_kept"))
            self.put_row(ws, r, heads, _HEAD_BIE)
            r += 1
            for entry in stages.rows:
                values = [
                    entry.label,
                    entry.count,
                    *[entry.amounts.get(k) for k in stages.stages],
                    entry.rate_kept,
                ]
                stage_props: list[Props | None] = [
                    self.cat_props(entry.category, {"bold": True}),
                    count,
                    *[euro for _ in stages.stages],
                    pct,
                ]
                self.put_row(ws, r, values, stage_props)
                r += 1
            rates = (
                ("equality_rate_kept", stages.equality_rate_kept),
                ("not_integrated_rate_kept", stages.not_integrated_rate_kept),
                ("equality_gap", stages.equality_gap),
            )
            for rate_key, rate in rates:
                self.put_row(ws, r, [self.w(s, rate_key), rate], [_LABEL, pct])
                r += 1
            r += 1
        # Findings.
        self.text(ws, r, 0, self.w(s, "findings"), _HEADING)
        r += 1
        found = self.model.findings
        if found:
            self.put_row(ws, r, [self.w(s, "finding"), self.w(s, "severity")], _HEAD_BIE)
            r += 1
            for item in found:
                text = item.text
                lines = max(1, math.ceil(len(text) / (widths[0] * CHARS_PER_UNIT)))
                if lines > 1:
                    self.ok(ws.set_row(r, LINE_POINTS * min(lines, MAX_LINES)), ws, "a row height")
                self.put_row(ws, r, [text, self.severity(item.severity)], [_WRAP, _TOP])
                r += 1
        else:
            self.text(ws, r, 0, self.w(s, "no_findings"), _NOTE)
            r += 1
        r += 1
        # Data quality in three figures.
        dq = report.quality
        self.text(ws, r, 0, self.w(s, "quality"), _HEADING)
        r += 1
        n_issues = dq.issue_count
        rec_sheet = self.sheet_names["reconciliation"][0]
        quality_rows: list[tuple[list[Any], list[Props | None]]] = [
            ([self.w(s, "issues_total", sheet=self.sheet_names["quality"][0]), n_issues], [_LABEL, count]),
            ([self.w(s, "declaration_mismatches"), dq.declaration_mismatches], [_LABEL, count]),
            ([self.w(s, "to_review"), dq.to_review], [_LABEL, count]),
            (
                [self.w(s, "balanced", sheet=rec_sheet), self.yes_no(report.reconciliation.balanced)],
                [_LABEL, {"align": "right"}],
            ),
        ]
        for values, props in quality_rows:
            self.put_row(ws, r, values, props)
            r += 1
        r += 1
        # Versions.
        self.text(ws, r, 0, self.w(s, "versions"), _HEADING)
        r += 1
        for key, value in (
            ("bie_version", meta.bie_version),
            ("rules_version", meta.rules_version),
            ("web_version", meta.web_version),
            ("vocabulary_version", meta.vocabulary_version),
        ):
            self.put_row(ws, r, [self.w(s, key), value], [_LABEL, {"align": "right"}])
            r += 1
        self.put_row(ws, r, [self.w(s, "generated_at"), self.generated], [_LABEL, self.num("date")])

    def warnings(self) -> list[str]:
        out: list[str] = []
        s = "summary"
        if self.truncated:
            out.append(self.w(s, "truncated", n=self.truncated))
        if self.unlisted:
            out.append(self.w("quality", "unlisted", n=self.unlisted))
        rows = {"actions": self.model.action_rows.height, "excluded": self.model.excluded_rows.height}
        for key, word in (("actions", "split"), ("excluded", "split_excluded")):
            names = self.sheet_names.get(key, [])
            if len(names) > 1:
                out.append(
                    self.w(
                        s,
                        word,
                        n=Numbers(self.lang).integer(rows[key]),
                        limit=Numbers(self.lang).integer(MAX_ROWS),
                        sheets=", ".join(f"« {x} »" if self.lang == "fr" else f'"{x}"' for x in names[1:]),
                    )
                )
        unbalanced = [f.file for f in self.model.reconciliation.files if not f.balanced]
        if unbalanced:
            out.append(
                self.w(
                    s, "unbalanced", files=", ".join(unbalanced), sheet=self.sheet_names["reconciliation"][0]
                )
            )
        return out
