"""Read delimited text (CSV, TXT, TSV) as officers get it: any of UTF-8, UTF-8 with BOM, Windows-1252, a BOM
on a Windows-1252 body, UTF-16 (Excel's "Texte Unicode"), or a mix of UTF-8 and Windows-1252 lines; ``;``,
``,``, tab or ``|`` separated; ragged rows; quoted fields spanning several lines.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from bie.errors import EmptyFile, UnbalancedQuote, UndecodableText
from bie.io.limits import Limits
from bie.io.raw import ROW, RawBook, RawSheet
from bie.issues import Issue
from bie.outputs import display_name

UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = (";", ",", "\t", "|")
FIELDS = "_fields"
LINE = "_line"
"""Column of a CSV sheet: the physical line each record starts on. ``_row`` is the record's number, the row a
spreadsheet program shows when it opens the file (a record whose quoted cell spans five lines is one row)."""

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


def _first_lines(text: str, n: int) -> list[str]:
    """``text.splitlines()[:n]`` without splitting the whole text: a prefix holding two lines more gives
    the same first ``n`` lines (only the last line of a prefix, or a « \\r\\n » it cuts, can differ)."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) >= n + 2:
            return lines[:n]
        size *= 4
    return text.splitlines()[:n]


_SNIFF_LINES = 60
"""The delimiter is guessed on the first lines of the text."""


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the first lines into the most consistent number (≥ 2) of fields.

    Ties go to ``;``, the French default, then ``,``, tab, ``|``."""
    sample_lines = _first_lines(text, _SNIFF_LINES)
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


def _parse(text: str, delimiter: str, limits: Limits) -> tuple[list[list[str]], list[int]]:
    """Records and the 1-based line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    previous = 0
    for record in reader:
        starts.append(previous + 1)
        previous = reader.line_num
        rows.append(record[: limits.max_columns])
    return rows, starts


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: The last record is scanned for a quote still open at the end of the file up to this many characters.
_MAX_TAIL_SCAN = 4 * 1024 * 1024
#: At most this many unbalanced quotes are repaired in one file; more means the file is not CSV as we know it.
MAX_QUOTE_REPAIRS = 50


def _usual_width(rows: list[list[str]]) -> int:
    """The most common number of fields of the non-empty records (ties: the widest)."""
    counts = Counter(len(r) for r in rows if any(cell.strip() for cell in r))
    if not counts:
        return 0
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _swallowing(
    rows: list[list[str]], delimiter: str, starts: list[int] | None = None
) -> tuple[int, int, int] | None:
    """(record, field, lines swallowed) of the first quoted field that swallowed whole records: a field
    spanning lines most of which hold as many separators as a record of the file (a real multi-line cell,
    a description with line breaks, almost never does).

    ``starts`` (the line each record starts on) spares the look at the records that hold one line: none of
    their cells can hold a line break."""
    if starts is None:
        spanning = list(range(len(rows)))
    else:
        spanning = [i for i in range(len(rows) - 1) if starts[i + 1] - starts[i] > 1]
        if rows:
            spanning.append(len(rows) - 1)
    if not spanning:
        return None
    width = _usual_width(rows)
    if width < 2:
        return None
    for i in spanning:
        record = rows[i]
        for k, cell in enumerate(record):
            if "\n" not in cell and "\r" not in cell:
                continue
            segments = _LINE_BREAK.split(cell)
            first, middle, last = segments[0], segments[1:-1], segments[-1]
            # Whole records inside the cell, or a complete record before the line break and, after it, a
            # line that goes on after the field (the quote that closed it opened a real field).
            full = sum(1 for seg in middle if seg.count(delimiter) >= width - 1)
            filled = sum(1 for seg in middle if seg.strip())
            first_full = k + first.count(delimiter) >= width - 1
            after = len(record) - 1 - k
            last_full = last.count(delimiter) >= 1 and last.count(delimiter) + after >= width - 1
            if (full and full * 2 >= filled) or (first_full and last_full):
                return i, k, len(segments) - 1
    return None


def _field_start(text: str, pos: int, k: int, delimiter: str) -> int | None:
    """Offset of field ``k`` of the record starting at ``pos``, scanning as Python's csv module (not
    strict) does; None if the record ends first."""
    field, i, at_start, quoted, n = 0, pos, True, False, len(text)
    while i < n:
        if field == k and at_start:
            return i
        c = text[i]
        if quoted:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
        elif at_start and c == '"':
            quoted, at_start = True, False
        elif c == delimiter:
            field, at_start = field + 1, True
            i += 1
            continue
        elif c in "\r\n":
            return None
        else:
            at_start = False
        i += 1
    return None


def _open_at_end(text: str, pos: int, delimiter: str) -> tuple[int, int] | None:
    """(field, offset of its quote) when the record starting at ``pos`` reaches the end of the text inside
    a quoted field: a quote never closed on the last record."""
    field, i, at_start, quoted, n = 0, pos, True, False, len(text)
    opened = (0, pos)
    while i < n:
        c = text[i]
        if quoted:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
        elif at_start and c == '"':
            quoted, at_start, opened = True, False, (field, i)
        elif c == delimiter:
            field, at_start = field + 1, True
        elif c in "\r\n":
            field, at_start = 0, True
        else:
            at_start = False
        i += 1
    return opened if quoted else None


def _line_offset(text: str, line: int) -> int:
    """Offset of the start of 1-based physical ``line`` (universal line breaks, as csv counts them)."""
    if line <= 1:
        return 0
    ends = _LINE_BREAK.finditer(text)
    for _ in range(line - 2):
        next(ends)
    return next(ends).end()


def _find_quote(
    text: str, rows: list[list[str]], starts: list[int], delimiter: str
) -> tuple[int, int, int] | None:
    """(record, field, lines swallowed) of the first quote to make literal, if any."""
    found = _swallowing(rows, delimiter, starts)
    if found is not None or not rows or '"' not in text:
        return found
    last = len(rows) - 1
    while last > 0 and not rows[last]:
        last -= 1
    pos = _line_offset(text, starts[last])
    if len(text) - pos > _MAX_TAIL_SCAN:
        return None  # a character loop over more would be slow; whole swallowed records are found above
    opened = _open_at_end(text, pos, delimiter)
    if opened is None:
        return None
    k = opened[0]
    cell = rows[last][k] if k < len(rows[last]) else ""
    return last, k, len(_LINE_BREAK.findall(cell.rstrip("\r\n")))


def _repair_quotes(
    text: str, delimiter: str, limits: Limits, path: Path, sheet: str
) -> tuple[list[list[str]], list[int], list[Issue], str | None]:
    """Parse, making every quote that swallows whole records a literal character (the sentinel returned
    is put back as « " » in the cells). Unrecoverable (the line would have more fields than a record, so
    the quote did enclose separators and where it should end is unknown): :class:`UnbalancedQuote`."""
    rows, starts = _parse(text, delimiter, limits)
    issues: list[Issue] = []
    found = _find_quote(text, rows, starts, delimiter)
    if found is None:
        return rows, starts, issues, None
    sentinel = next((chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text), None)
    if sentinel is None:
        raise UnbalancedQuote(path, line=starts[found[0]])
    for _ in range(MAX_QUOTE_REPAIRS):
        if found is None:
            return rows, starts, issues, sentinel
        record, k, swallowed = found
        line = starts[record]
        pos = _field_start(text, _line_offset(text, line), k, delimiter)
        if pos is None or text[pos] != '"':
            raise UnbalancedQuote(path, line=line)
        quote_line = line + _LINE_BREAK.sub("\n", text[_line_offset(text, line) : pos]).count("\n")
        end = _LINE_BREAK.search(text, pos)
        own_line = text[pos + 1 : end.start() if end else len(text)]
        prefix = text[_line_offset(text, quote_line) : pos]
        fields = next(csv.reader([prefix + sentinel + own_line], delimiter=delimiter, strict=False), [])
        if len(fields) > _usual_width(rows):
            raise UnbalancedQuote(path, line=quote_line)
        text = text[:pos] + sentinel + text[pos + 1 :]
        issues.append(
            Issue(
                "csv-unbalanced-quote",
                sheet=sheet,
                row=quote_line,
                params={"line": quote_line, "swallowed": swallowed},
            )
        )
        rows, starts = _parse(text, delimiter, limits)
        found = _find_quote(text, rows, starts, delimiter)
    raise UnbalancedQuote(path, line=issues[0].row if issues else 1)


def _clean_cells(frame: pl.DataFrame, columns: list[str], nul: bool = True) -> pl.DataFrame:
    """NUL characters removed (``nul``: the text holds some); cells empty or only spaces are null."""
    if nul:
        frame = frame.with_columns(
            [pl.col(c).str.replace_all("\x00", "", literal=True).alias(c) for c in columns]
        )
    return frame.with_columns(
        [pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    )


def _frame_from_records(rows: list[list[str]], width: int) -> pl.DataFrame:
    """The cells of the records as columns ``c0``…; the records are transposed at C speed."""
    columns = [f"c{i}" for i in range(width)]
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    transposed = itertools.zip_longest(*rows, fillvalue="")
    frame = pl.DataFrame(
        [pl.Series(c, values, dtype=pl.String) for c, values in zip(columns, transposed, strict=True)]
    )
    return _clean_cells(frame, columns)


_BLOCK_CHARS = 1 << 24
""":func:`_frame_without_quotes` splits a large text by blocks of about this many characters (cut after a
line break): the temporary copies of one block only are in memory at a time."""


def _frame_without_quotes(text: str, delimiter: str, limits: Limits) -> tuple[pl.DataFrame, int] | None:
    """A text without any « " »: every record is one line split at the delimiter, as the csv module reads
    it (an empty line is a record without fields), here with polars, by blocks of lines. The frame of the
    non-empty records (trailing empty lines dropped) with ``_row``, ``_line`` and ``_fields``, and its width;
    None when no record has a field."""
    return _frame_from_blocks(_text_blocks(text), delimiter, limits)


def _text_blocks(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` by blocks of about :data:`_BLOCK_CHARS` characters cut after a line break: (block, last)."""
    start = 0
    while len(text) - start > _BLOCK_CHARS and (cut := text.find("\n", start + _BLOCK_CHARS)) >= 0:
        yield text[start : cut + 1], False
        start = cut + 1
    yield text[start:], True


def _utf8_blocks(raw: bytes, start: int = 0) -> Iterator[tuple[str, bool]]:
    """UTF-8 bytes from ``start`` decoded by blocks cut after a line break (a byte 0x0A never lies inside a
    character): the whole text never exists at once. Raises UnicodeDecodeError on the first invalid block."""
    while len(raw) - start > _BLOCK_CHARS and (cut := raw.find(b"\n", start + _BLOCK_CHARS)) >= 0:
        yield raw[start : cut + 1].decode("utf-8"), False
        start = cut + 1
    yield raw[start:].decode("utf-8"), True


def _frame_from_blocks(
    blocks: Iterable[tuple[str, bool]], delimiter: str, limits: Limits
) -> tuple[pl.DataFrame, int] | None:
    frames = [_block_records(block, delimiter, limits, drop_final_break=not last) for block, last in blocks]
    frame = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
    del frames
    counts = frame.get_column(FIELDS)
    nonempty = (counts > 0).arg_true()
    if nonempty.len() == 0:
        return None
    width = int(frame.select(pl.col(FIELDS).max()).item() or 0)
    frame = frame.head(int(nonempty[-1]) + 1)
    columns = [f"c{i}" for i in range(width)]
    n = frame.height
    return frame.select(
        *columns,
        pl.Series(ROW, range(1, n + 1), dtype=pl.Int64),
        pl.Series(LINE, range(1, n + 1), dtype=pl.Int64),
        pl.col(FIELDS),
    ), width


def _large_utf8(raw: bytes, path: Path, sheet_name: str, limits: Limits) -> RawBook | None:
    """A large UTF-8 file without quotes, read by blocks of bytes (its text as one Python string would take
    up to four bytes a character, beside the bytes); None when it is not such a file (the general path
    reads it, with the same result)."""
    bom = raw.startswith(UTF8_BOM)
    if len(raw) <= _BLOCK_CHARS or b'"' in raw or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    blank = True

    def watched(blocks: Iterator[tuple[str, bool]]) -> Iterator[tuple[str, bool]]:
        nonlocal blank
        for block, last in blocks:
            blank = blank and (block == "" or block.isspace())
            yield block, last

    start = 3 if bom else 0
    end = start
    for _ in range(_SNIFF_LINES + 2):  # the first lines, on which the delimiter is guessed
        end = raw.find(b"\n", end) + 1
        if end == 0:
            return None  # a few very long lines: the general path
    try:
        delimiter = sniff_delimiter(raw[start:end].decode("utf-8"))
        found = _frame_from_blocks(watched(_utf8_blocks(raw, start)), delimiter, limits)
    except UnicodeDecodeError:
        return None
    if blank or found is None:
        raise EmptyFile(path)
    sheet = RawSheet(name=sheet_name, index=0, visible=True, frame=found[0], issues=[])
    return RawBook(
        path=str(path),
        format="csv",
        sheets=[sheet],
        encoding="utf-8-sig" if bom else "utf-8",
        delimiter=delimiter,
    )


def _block_records(block: str, delimiter: str, limits: Limits, drop_final_break: bool) -> pl.DataFrame:
    """The records of a block of lines: cells ``c0``… (as many as its widest record), ``_fields``. A block
    cut after a line break ends there (``drop_final_break``): the break ends its last line, it does not
    start an empty one."""
    text = (
        pl.Series("line", [block], dtype=pl.String)
        .str.replace_all("\r\n", "\n", literal=True)
        .str.replace_all("\r", "\n", literal=True)
    )
    if drop_final_break:
        text = text.str.strip_suffix("\n")
    records = pl.DataFrame(text.str.split("\n").explode()).select(
        pl.when(pl.col("line") == "")
        .then(pl.lit([], pl.List(pl.String)))
        .otherwise(pl.col("line").str.split(delimiter, inclusive=False))
        .list.head(limits.max_columns)
        .alias("cells")
    )
    width = int(records.select(pl.col("cells").list.len().max()).item() or 0)
    columns = [f"c{i}" for i in range(width)]
    frame = records.select(
        *[pl.col("cells").list.get(i, null_on_oob=True).alias(c) for i, c in enumerate(columns)],
        pl.col("cells").list.len().cast(pl.Int64).alias(FIELDS),
    )
    return _clean_cells(frame, columns, "\x00" in block)


def read_text(path: Path, limits: Limits) -> RawBook:
    raw = path.read_bytes()
    sheet_name = display_name(path.stem)  # the file name; undecodable bytes shown as U+FFFD
    large = _large_utf8(raw, path, sheet_name, limits)
    if large is not None:
        return large
    decoded = decode(raw, path, sheet_name)
    del raw  # a large file: its bytes and its text are not kept side by side
    text = decoded.text
    if not text or text.isspace():  # « not text.strip() » without copying the text
        raise EmptyFile(path)
    delimiter = sniff_delimiter(text)
    quote_issues: list[Issue] = []
    if '"' not in text:
        # No quote, so no field spans lines and nothing needs repairing: polars splits the text.
        found = _frame_without_quotes(text, delimiter, limits)
        if found is None:
            raise EmptyFile(path)
        frame = found[0]
    else:
        frame = _frame_with_csv(text, delimiter, limits, path, sheet_name, quote_issues)
    sheet = RawSheet(
        name=sheet_name, index=0, visible=True, frame=frame, issues=[*decoded.issues, *quote_issues]
    )
    return RawBook(
        path=str(path), format="csv", sheets=[sheet], encoding=decoded.encoding, delimiter=delimiter
    )


def _frame_with_csv(
    text: str, delimiter: str, limits: Limits, path: Path, sheet_name: str, issues: list[Issue]
) -> pl.DataFrame:
    rows, starts, quote_issues, sentinel = _repair_quotes(text, delimiter, limits, path, sheet_name)
    issues.extend(quote_issues)
    if sentinel is not None:
        rows = [[cell.replace(sentinel, '"') for cell in record] for record in rows]
    counts = [len(record) for record in rows]
    width = max(counts, default=0)
    # Empty lines after the last record are not rows (a spreadsheet program would not show them).
    while rows and not rows[-1]:
        rows.pop()
        starts.pop()
        counts.pop()
    if width == 0:
        raise EmptyFile(path)
    frame = _frame_from_records(rows, width)
    return frame.with_columns(
        pl.Series(ROW, range(1, len(starts) + 1), dtype=pl.Int64),
        pl.Series(LINE, starts, dtype=pl.Int64),
        pl.Series(FIELDS, counts, dtype=pl.Int64),
    )
