"""Read delimited text (CSV, TXT, TSV) as officers get it: any of UTF-8, UTF-8 with BOM, Windows-1252, a BOM
on a Windows-1252 body, UTF-16 (Excel's "Texte Unicode"), or a mix of UTF-8 and Windows-1252 lines; ``;``,
``,``, tab or ``|`` separated; ragged rows; quoted fields spanning several lines.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from bie.errors import EmptyFile, UndecodableText
from bie.io.limits import Limits
from bie.io.raw import ROW, RawBook, RawSheet
from bie.issues import Issue

UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = (";", ",", "\t", "|")
FIELDS = "_fields"

csv.field_size_limit(2**31 - 1)


@dataclass
class Decoded:
    text: str
    encoding: str
    issues: list[Issue] = field(default_factory=list)


def _decode_line(line: bytes) -> tuple[str, bool]:
    """Decode one line: UTF-8 if valid, else Windows-1252 (Latin-1 for its 5 unassigned bytes)."""
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        try:
            return line.decode("cp1252"), False
        except UnicodeDecodeError:
            return line.decode("latin-1"), False


def decode(raw: bytes, path: Path, sheet: str) -> Decoded:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            where = raw[: exc.start].count(b"\n\x00") + 1
            raise UndecodableText(path, line=where) from exc
        return Decoded(text, "utf-16", [Issue("encoding-utf16", sheet=sheet)])
    bom = raw.startswith(UTF8_BOM)
    body = raw[3:] if bom else raw
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    parts: list[str] = []
    utf8 = cp1252 = 0
    first_cp: int | None = None
    for number, line in enumerate(lines, start=1):
        text, is_utf8 = _decode_line(line)
        parts.append(text)
        if is_utf8:
            # Pure ASCII lines are valid in both encodings: they prove nothing.
            if not line.isascii():
                utf8 += 1
        else:
            cp1252 += 1
            if first_cp is None:
                first_cp = number
    issues: list[Issue] = []
    if utf8 and cp1252:
        issues.append(
            Issue(
                "encoding-mixed",
                sheet=sheet,
                row=first_cp,
                params={"utf8": utf8, "cp1252": cp1252, "first": first_cp},
            )
        )
        encoding = "mixed"
    elif bom:
        issues.append(Issue("encoding-bom-mismatch", sheet=sheet))
        encoding = "cp1252"
    else:
        issues.append(Issue("encoding-fallback", sheet=sheet))
        encoding = "cp1252"
    text = "\n".join(parts)
    if "\x00" in text:
        raise UndecodableText(path, line=text[: text.index("\x00")].count("\n") + 1)
    return Decoded(text, encoding, issues)


def _field_counts(sample: str, delimiter: str) -> list[int]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    counts: list[int] = []
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                counts.append(len(row))
    except csv.Error:
        return []
    return counts


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the first lines into the most consistent number (≥ 2) of fields.

    Ties go to ``;``, the French default, then ``,``, tab, ``|``."""
    sample_lines = text.splitlines()[:60]
    sample = "\n".join(sample_lines)
    best, best_score = ";", -1.0
    for delimiter in DELIMITERS:
        counts = _field_counts(sample, delimiter)
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = freq / len(counts) * math.log(mode)
        if score > best_score + 1e-9:
            best, best_score = delimiter, score
    return best


def read_text(path: Path, limits: Limits) -> RawBook:
    raw = path.read_bytes()
    sheet_name = path.stem
    decoded = decode(raw, path, sheet_name)
    text = decoded.text
    if not text.strip():
        raise EmptyFile(path)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    counts: list[int] = []
    previous = 0
    width = 0
    for record in reader:
        starts.append(previous + 1)
        previous = reader.line_num
        kept = record[: limits.max_columns]
        rows.append(kept)
        counts.append(len(kept))
        width = max(width, len(kept))
    # Empty lines after the last record are not rows (a spreadsheet program would not show them).
    while rows and not rows[-1]:
        rows.pop()
        starts.pop()
        counts.pop()
    if width == 0:
        raise EmptyFile(path)
    columns: dict[str, list[str | None]] = {f"c{i}": [] for i in range(width)}
    for record in rows:
        padded = record + [""] * (width - len(record))
        for i, value in enumerate(padded):
            columns[f"c{i}"].append(value.replace("\x00", "") if value else None)
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
    frame = frame.with_columns(
        [pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    ).with_columns(pl.Series(ROW, starts, dtype=pl.Int64), pl.Series(FIELDS, counts, dtype=pl.Int64))
    sheet = RawSheet(name=sheet_name, index=0, visible=True, frame=frame, issues=list(decoded.issues))
    return RawBook(
        path=str(path), format="csv", sheets=[sheet], encoding=decoded.encoding, delimiter=delimiter
    )
