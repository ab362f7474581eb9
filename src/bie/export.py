"""Tables written safely: text from the input never becomes a formula, a hyperlink or markup.

OWASP (CSV injection) and ASVS 5.0 §1.2.10: a cell starting with ``=``, ``+``, ``-``, ``@``, tab, carriage
return or line feed can be run as a formula by a spreadsheet program. In .xlsx files such text is written
as a string with Excel's quote-prefix style (the text itself is unchanged); in CSV files, which have no
styles, a visible apostrophe is put in front of it, as OWASP recommends.

Every string cell bie writes with xlsxwriter (this module's tables, the Excel report, the questionnaire),
headers included, goes through :func:`write_text`; the Excel report's fast path decides which cells need it
with :func:`guard_mask`, the same test vectorised. Sheet names go through :func:`sheet_name`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_MAX_CHARS = 32_767
EXCEL_MAX_ROWS = 1_048_575


def risky(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula?"""
    return text.startswith(FORMULA_START)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: str, marker: str = " […]") -> tuple[str, bool]:
    """``text`` cut to Excel's 32,767 UTF-16 units, ending with ``marker`` when cut (and whether it was)."""
    if len(text) <= EXCEL_MAX_CHARS // 2 or utf16_len(text) <= EXCEL_MAX_CHARS:
        return text, False
    head = text.encode("utf-16-le")[: (EXCEL_MAX_CHARS - utf16_len(marker)) * 2]
    return head.decode("utf-16-le", errors="ignore") + marker, True


def is_rich_xml(text: str) -> bool:
    """xlsxwriter copies a string that starts with ``<r>`` and ends with ``</r>`` into the sheet XML
    unescaped (its rich-string shortcut), which would let a cell inject other cells, formulas included."""
    return text.startswith("<r>") and text.endswith("</r>")


def needs_guard(text: str) -> bool:
    """Must this text go through :func:`write_text`'s guards (formula-like or raw rich-text XML)?"""
    return risky(text) or is_rich_xml(text)


def guard_mask(texts: pl.Series) -> pl.Series:
    """:func:`needs_guard` for a whole string column (null → False), vectorised."""
    escaped = "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_START)
    start = texts.str.contains(f"^[{escaped}]")
    rich = texts.str.starts_with("<r>") & texts.str.ends_with("</r>")
    return (start | rich).fill_null(False)


def write_text(ws: Any, row: int, col: int, text: str, fmt: Any, quoted: Any) -> int:
    """Write text as inert text with xlsxwriter: never a formula, a link or raw XML, never over Excel's limit.

    Formula-like text gets the quote-prefix style ``quoted`` (Excel's « ' », text unchanged); raw rich-text
    XML is written as three plain fragments, which xlsxwriter escapes; text beyond 32,767 UTF-16 units is
    cut with « […] » (callers that count cuts cut first with :func:`fit_text`). Returns xlsxwriter's code
    (0 = ok)."""
    text, _ = fit_text(text)
    if is_rich_xml(text):
        return int(ws.write_rich_string(row, col, "<", "r", text[2:], fmt))
    if risky(text):
        return int(ws.write_string(row, col, text, quoted))
    return int(ws.write_string(row, col, text, fmt))


#: Characters Excel refuses in a sheet name.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str, fallback: str = "Feuille") -> str:
    """A valid, inert sheet name: no ``[]:*?/\\`` or control character, no leading or trailing apostrophe,
    at most 31 characters, never empty."""
    clean = "".join(c if c.isprintable() else " " for c in name.translate(_SHEET_FORBIDDEN))
    clean = " ".join(clean.split()).strip("'")[:31].strip()
    return clean or fallback


def csv_cell(value: Any, lang: str = "fr") -> str:
    """One CSV cell: a decimal number with the reader's decimal mark (« 12,50 » in French, "12.50" in
    English), a text that a spreadsheet would run as a formula prefixed with « ' »."""
    if value is None:
        return ""
    if isinstance(value, bool):  # only with ``bie tag --codes``: readers get words (TaggedFile.readable)
        return "true" if value else "false"
    if isinstance(value, float):
        if value != int(value) or abs(value) < 1e15:
            text = f"{value:.2f}"
            return text.replace(".", ",") if lang == "fr" else text
        return str(value)
    text = str(value)
    return "'" + text if risky(text) else text


def reasons_text(reasons: Iterable[dict[str, Any]] | None) -> str:
    """« RULE — field — « words » », one reason per line."""
    if not reasons:
        return ""
    return "\n".join(f"{r.get('rule')} — {r.get('field')} — « {r.get('match')} »" for r in reasons)


#: One reason as a reader sees it (:func:`reasons_expr` with a language).
REASON_WORDS = {
    "fr": {"rule": "Règle ", "sep": " : ", "open": "« ", "close": " »"},
    "en": {"rule": "Rule ", "sep": ": ", "open": "\u201c", "close": "\u201d"},
}


def _reader_reason(lang: str, titles: Mapping[str, str]) -> pl.Expr:
    """« Règle SPEC-VSS-01 (Violences…) — Intitulé de l'action : « violences conjugales » »: the rule with
    its title, the field by its label, the words found; a reason that is not a rule (a manual decision) by
    its words alone."""
    from bie.vocabulary import vocabulary

    words = REASON_WORDS["en" if lang == "en" else "fr"]
    el = pl.element().struct
    rule = el.field("rule").cast(pl.String)
    title = rule.replace_strict(dict(titles), default=None, return_dtype=pl.String)
    labels = {name: f.label(lang) for name, f in vocabulary().fields.items()}
    fld = el.field("field").cast(pl.String)
    fld = fld.replace_strict(labels, default=fld, return_dtype=pl.String)
    match = el.field("match").cast(pl.String)
    is_rule = rule.str.contains(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$").fill_null(False)
    head = (
        pl.when(is_rule & title.is_not_null() & (title != rule))
        .then(pl.lit(words["rule"]) + rule + pl.lit(" (") + title + pl.lit(")"))
        .when(is_rule)
        .then(pl.lit(words["rule"]) + rule)
        .otherwise(pl.coalesce(title, rule, pl.lit("")))
    )
    with_field = pl.when(fld.is_not_null() & (fld != "")).then(head + pl.lit(" — ") + fld).otherwise(head)
    return (
        pl.when(match.is_not_null() & (match != ""))
        .then(with_field + pl.lit(words["sep"] + words["open"]) + match + pl.lit(words["close"]))
        .otherwise(with_field)
    )


def reasons_expr(
    column: str = "reasons", lang: str | None = None, titles: Mapping[str, str] | None = None
) -> pl.Expr:
    """The reasons list as text, vectorised, one per line: « RULE — field — « words » » (ids, for tools), or
    with ``lang`` as a reader reads it (:func:`_reader_reason`; ``titles``: what each rule id means)."""
    if lang is not None:
        return pl.col(column).list.eval(_reader_reason(lang, titles or {})).list.join("\n")
    one = pl.concat_str(
        [
            pl.element().struct.field("rule"),
            pl.lit(" — "),
            pl.element().struct.field("field"),
            pl.lit(" — « "),
            pl.element().struct.field("match"),
            pl.lit(" »"),
        ]
    )
    return pl.col(column).list.eval(one).list.join("\n")


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs become text; everything else keeps its type."""
    exprs = []
    for name, dtype in frame.schema.items():
        if name == "reasons" and isinstance(dtype, pl.List):
            exprs.append(reasons_expr(name).alias(name))
        elif isinstance(dtype, pl.List):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(", ").alias(name))
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode().alias(name))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def write_csv(frame: pl.DataFrame, path: Path, lang: str = "fr") -> None:
    """``;``-separated UTF-8 with a byte-order mark (what Excel opens correctly), decimals written with the
    reader's decimal mark (:func:`csv_cell`)."""
    flat = flatten(frame)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_cell(c, lang) for c in flat.columns])
    for row in flat.iter_rows():
        writer.writerow([csv_cell(v, lang) for v in row])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def write_json(frame: pl.DataFrame, path: Path) -> None:
    records = frame.to_dicts()
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def write_xlsx(frame: pl.DataFrame, path: Path, sheet: str = "Actions", money: Iterable[str] = ()) -> None:
    """One sheet, header row frozen and filtered, every string written as a string."""
    import xlsxwriter

    flat = flatten(frame)
    money = set(money)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        ws = wb.add_worksheet(sheet_name(sheet, "Actions"))
        head = {"bold": True, "bg_color": "#DDE6F0", "text_wrap": True, "valign": "top"}
        bold = wb.add_format(head)
        bold_quoted = wb.add_format({**head, "quote_prefix": True})
        quoted = wb.add_format({"quote_prefix": True})
        plain = wb.add_format({})
        euro = wb.add_format({"num_format": '#,##0.00 "€"'})
        for j, name in enumerate(flat.columns):
            # Headers are input text too (the file's own column titles): same guard as the cells.
            if write_text(ws, 0, j, name, bold, bold_quoted) < 0:
                raise ValueError(f"xlsxwriter refused header cell 0,{j}")
            ws.set_column(j, j, 40 if name in ("title", "description", "objectives", "reasons") else 16)
        for i, row in enumerate(flat.iter_rows(), start=1):
            if i > EXCEL_MAX_ROWS:
                raise ValueError("more rows than an Excel sheet can hold")
            for j, value in enumerate(row):
                if value is None:
                    continue
                name = flat.columns[j]
                if isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value, euro if name in money else plain)
                else:
                    text, _ = fit_text(str(value))
                    if write_text(ws, i, j, text, plain, quoted) < 0:
                        raise ValueError(f"xlsxwriter refused cell {i},{j}")
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, flat.height), max(0, flat.width - 1))
    finally:
        wb.close()
