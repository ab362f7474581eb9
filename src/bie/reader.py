"""``bie.read``: from a file to typed actions and a ledger of every source row.

read → locate header/sections/totals → map columns → parse values. Nothing is modified on disk; every
cell is read as text first; a value that cannot be parsed is kept raw (in :attr:`ReadResult.original`) and
flagged with its cell.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import polars as pl

from bie import parse
from bie.errors import BieError, NoHeaderFound, SheetNotFound, Text
from bie.i18n import Money
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.io.raw import ROW, RawBook, RawSheet
from bie.io.sniff import extension_issue, sniff
from bie.io.text import FIELDS, LINE
from bie.issues import Issue
from bie.layout import Header, _flatten, find_header, row_score
from bie.mapping import FUNDING_PREFIX, ColumnMapping, MappingFile, load_mapping, map_columns
from bie.model import ReadResult, SheetInfo
from bie.rows import PARENT, PILLAR_SECTION, REASON, THEME_SECTION, RowRoles, classify
from bie.vocabulary import Vocabulary, key, vocabulary

#: Issues kept per code (the count of all is in ``ReadResult.issue_counts``).
ISSUE_CAP = 1000
STRONG = ("action_id", "title", "carrier", "carrier_id")
WEAK = ("description", "objectives")
_KIND_WORDS = {
    "amount": Text("montant", "an amount"),
    "count": Text("nombre", "a number"),
    "date": Text("date", "a date"),
    "year": Text("année", "a year"),
    "percent": Text("pourcentage", "a percentage"),
    "siret": Text("SIRET", "a SIRET"),
    "id": Text("identifiant", "an identifier"),
}


def _text(expr: pl.Expr) -> parse.Plan:
    """Text fields: surrounding spaces removed, blank cells null, never a status."""
    clean = pl.field("clean")
    return parse.Plan(
        pl.struct(expr.str.strip_chars().alias("clean")),
        [],
        pl.when(clean == "").then(None).otherwise(clean),
        pl.lit(None, pl.String),
    )


_PLANS: dict[str, Callable[[pl.Expr], parse.Plan]] = {
    "text": _text,
    "amount": parse.amount_plan,
    "count": parse.count_plan,
    "date": parse.date_plan,
    "year": parse.year_plan,
    "percent": parse.percent_plan,
    "siret": parse.siret_plan,
    "id": parse.identifier_plan,
}


def _load(path: Path, fmt: str, limits: Limits, only: str | int | None) -> RawBook:
    if fmt in ("xlsx", "xlsm"):
        from bie.io.xlsx import read_xlsx

        return read_xlsx(path, fmt, limits, only)
    if fmt == "ods":
        from bie.io.ods import read_ods

        return read_ods(path, limits, only)
    if fmt in ("xls", "xlsb"):
        from bie.io.sandbox import read_sandboxed

        return read_sandboxed(path, fmt, limits, only)
    from bie.io.text import read_text

    return read_text(path, limits)


def _resolve_sheet(book: RawBook, sheet: str | int | None, path: Path) -> str | int | None:
    if sheet is None or book.format == "csv":
        return None
    names = [s.name for s in book.sheets]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, str) and sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]  # a position as the user counts, from 1
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return names[sheet]
    raise SheetNotFound(path, sheet=sheet, available=", ".join(f"« {n} »" for n in names) or "aucune")


def _header_from_rows(sheet: RawSheet, rows: list[int], vocab: Vocabulary) -> Header:
    frame = sheet.frame
    assert frame is not None
    all_rows = frame.get_column(ROW).to_list()
    positions = [all_rows.index(r) for r in rows if r in all_rows]
    if len(positions) != len(rows):
        raise NoHeaderFound(sheet.name, sheets=f"lignes d'en-tête {rows} absentes de « {sheet.name} »")
    cols = [c for c in frame.columns if c.startswith("c")]
    grid = [
        ["" if v is None else " ".join(str(v).split()) for v in r] for r in frame.select(cols).iter_rows()
    ]
    sheet_row = {i: all_rows[i] - 1 for i in range(len(all_rows))}
    merges = [
        m.__class__(m.row0, m.col0 - sheet.first_col, m.row1, m.col1 - sheet.first_col) for m in sheet.merges
    ]
    below = frame.slice(positions[-1] + 1)
    has_data = [below.get_column(c).null_count() < below.height for c in cols]
    score = row_score(vocab, grid[positions[0]])[0]
    return _flatten(sheet, grid, positions, merges, sheet_row, cols, score, all_rows, has_data)


def _choose(
    book: RawBook, vocab: Vocabulary, wanted: str | int | None, mapping_file: MappingFile | None, path: Path
) -> tuple[RawSheet, Header, list[SheetInfo], list[Issue]]:
    infos: list[SheetInfo] = []
    issues: list[Issue] = []
    found: list[tuple[RawSheet, Header]] = []
    # Column names given in a mapping file count as recognised when looking for the header.
    extra = frozenset(key(str(k)) for k in mapping_file.columns) if mapping_file else frozenset()
    for sheet in book.sheets:
        if wanted is not None and sheet.name != wanted:
            continue
        if sheet.error:
            infos.append(SheetInfo(sheet.name, "unreadable"))
            issues.append(Issue("sheet-unreadable", sheet=sheet.name, params={"detail": sheet.error}))
            continue
        if not sheet.visible and wanted is None:
            infos.append(SheetInfo(sheet.name, "hidden"))
            issues.append(Issue("sheet-hidden", sheet=sheet.name))
            continue
        if sheet.empty:
            infos.append(SheetInfo(sheet.name, "empty"))
            issues.append(Issue("sheet-empty", sheet=sheet.name))
            continue
        header = (
            _header_from_rows(sheet, mapping_file.header_rows, vocab)
            if mapping_file is not None and mapping_file.header_rows
            else find_header(sheet, vocab, extra)
        )
        if header is None:
            infos.append(SheetInfo(sheet.name, "no_header"))
            continue
        found.append((sheet, header))
        infos.append(SheetInfo(sheet.name, "candidate", header.score))
    if not found:
        described = ", ".join(f"« {i.name} » ({_STATUS_FR[i.status]})" for i in infos) or "aucune feuille"
        raise NoHeaderFound(path, sheets=described)
    sheet, header = max(found, key=lambda sh: (sh[1].score, -sh[0].index))
    for info in infos:
        if info.status == "candidate":
            if info.name == sheet.name:
                info.status = "read"
            else:
                info.status = "not_chosen"
                issues.append(
                    Issue(
                        "sheet-not-chosen", sheet=info.name, params={"sheet": info.name, "chosen": sheet.name}
                    )
                )
    for info, s in (
        (i, s) for i in infos for s in book.sheets if s.name == i.name and i.status == "no_header"
    ):
        if s.name != sheet.name:
            info.status = "not_chosen"
            issues.append(
                Issue("sheet-not-chosen", sheet=info.name, params={"sheet": info.name, "chosen": sheet.name})
            )
    for s in book.sheets:
        if wanted is not None and s.name != wanted and all(i.name != s.name for i in infos):
            infos.append(SheetInfo(s.name, "not_chosen"))
    infos.sort(key=lambda i: next(s.index for s in book.sheets if s.name == i.name))
    return sheet, header, infos, issues


_STATUS_FR = {
    "unreadable": "illisible",
    "hidden": "masquée",
    "empty": "vide",
    "no_header": "sans en-tête reconnu",
    "candidate": "candidate",
    "read": "lue",
    "not_chosen": "non retenue",
}


def _preview(cols: list[str]) -> pl.Expr:
    """The first 120 characters of a row's cells, joined by « | » (cells are cut first: cheap on long
    text)."""
    joined = (
        pl.concat_str(
            [pl.col(c).str.slice(0, 121).str.strip_chars() for c in cols], separator=" | ", ignore_nulls=True
        )
        .str.slice(0, 240)
        .str.replace_all(r"\s+", " ")
    )
    return pl.when(joined.str.len_chars() > 120).then(joined.str.slice(0, 117) + "…").otherwise(joined)


@functools.lru_cache(maxsize=512)
def _plan(kind: str, column: str, french: bool = True, limit: float | None = None) -> parse.Plan:
    """The parser of ``kind`` for ``column`` (cached: building a parser costs a few milliseconds, as much
    as running it on a small table)."""
    if kind == "amount":
        return parse.amount_plan(pl.col(column), french=french, limit=limit)
    if kind == "count":
        return parse.count_plan(pl.col(column), french=french)
    return _PLANS[kind](pl.col(column))


def _typed(mapping: ColumnMapping, vocab: Vocabulary) -> dict[str, tuple[str, str]]:
    """Output column -> (frame column, kind) for every mapped field and funding column."""
    out: dict[str, tuple[str, str]] = {}
    for fld, column in mapping.fields.items():
        out[fld] = (column, vocab.fields[fld].kind)
    for f in mapping.funding:
        out[f"{FUNDING_PREFIX}{f.funder}"] = (f.column, "amount")
    return out


def read(
    path: str | Path,
    sheet: str | int | None = None,
    mapping: str | Path | MappingFile | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ReadResult:
    """Read a contrat de ville funding table or a subsidy file.

    ``sheet`` chooses a sheet by name, by 0-based index (``int``) or by its position counted from 1 as
    a string of digits (« 2 », when no sheet is named so); by default, the sheet whose header best matches
    the column vocabulary is read; ``mapping`` is a YAML mapping file (see :mod:`bie.mapping`) or an
    already loaded :class:`MappingFile`. Raises a :class:`bie.errors.InputError` subclass when the file
    cannot be read.
    """
    ahead = _AHEAD.get()
    if ahead is not None:
        done = ahead.take(path, sheet, mapping, limits)
        if done is not None:
            return done
    return _read(path, sheet, mapping, limits)


class _ReadAhead:
    """Reads of the files to come, in worker threads (see :func:`reading_ahead`)."""

    def __init__(
        self,
        paths: Sequence[str | Path],
        sheet: str | int | None,
        mapping: str | Path | MappingFile | None,
        limits: Limits,
        workers: int,
    ) -> None:
        self.args = (sheet, mapping, limits)
        self.paths = [str(p) for p in paths]
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bie-read")
        self.futures: dict[int, Future[ReadResult | None]] = {}
        self.window = workers + 1
        self.next = 0
        for i in range(min(self.window, len(self.paths))):
            self._submit(i)

    def _submit(self, i: int) -> None:
        if i < len(self.paths) and i not in self.futures:
            self.futures[i] = self.pool.submit(_read_in_worker, self.paths[i], *self.args)

    def take(
        self, path: str | Path, sheet: str | int | None, mapping: object, limits: Limits
    ) -> ReadResult | None:
        """The result read ahead for ``path`` (raising its error), or None: read it here."""
        i = self.next
        if i >= len(self.paths) or self.paths[i] != str(path) or (sheet, mapping, limits) != self.args:
            return None
        self.next = i + 1
        self._submit(i + self.window)
        future = self.futures.pop(i, None)
        return None if future is None else future.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _read_in_worker(
    path: str, sheet: str | int | None, mapping: str | Path | MappingFile | None, limits: Limits
) -> ReadResult | None:
    # Legacy formats are read by a child process (see bie.io.sandbox): it is started from the caller's
    # thread, never from a worker (a fork from a threaded process is only safe without preexec code).
    try:
        if sniff(Path(path), limits).format in ("xls", "xlsb"):
            return None
    except BieError:
        pass  # raised again by _read below, and by future.result() in the caller's thread
    return _read(path, sheet, mapping, limits)


_AHEAD: ContextVar[_ReadAhead | None] = ContextVar("bie_read_ahead", default=None)


@contextmanager
def reading_ahead(
    paths: Sequence[str | Path],
    sheet: str | int | None = None,
    mapping: str | Path | MappingFile | None = None,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | None = None,
) -> Iterator[None]:
    """Within this block, :func:`read` of ``paths`` in this order (with these options) returns results
    read ahead by worker threads (two by default, at most the number of CPUs): files are parsed while the
    caller works on the previous ones. A call that does not match reads as usual; results and errors are
    those of :func:`read`."""
    n = workers if workers is not None else min(2, os.cpu_count() or 1)
    if n < 2 or len(paths) < 2:
        yield
        return
    ahead = _ReadAhead(paths, sheet, mapping, limits, n)
    token = _AHEAD.set(ahead)
    try:
        yield
    finally:
        _AHEAD.reset(token)
        ahead.close()


def _read(
    path: str | Path,
    sheet: str | int | None = None,
    mapping: str | Path | MappingFile | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ReadResult:
    p = Path(path)
    vocab = vocabulary()
    sniffed = sniff(p, limits)
    mapping_file = load_mapping(mapping, vocab) if isinstance(mapping, str | Path) else mapping
    requested: str | int | None = (
        sheet if sheet is not None else (mapping_file.sheet if mapping_file else None)
    )
    only = None if isinstance(requested, str) and requested.strip().isdigit() else requested
    book = _load(p, sniffed.format, limits, only)
    wanted = _resolve_sheet(book, requested, p)
    chosen, header, infos, issues = _choose(book, vocab, wanted, mapping_file, p)
    issues = [*book.issues, *chosen.issues, *issues, *header.issues]
    if sniffed.extension_mismatch:  # the content decides; the user is told
        issues.insert(0, extension_issue(p, sniffed.format))
    frame = chosen.frame
    assert frame is not None
    # Rows below the header, for the text roles found by content when names say nothing.
    col_map = map_columns(header, vocab, mapping_file, chosen.name, frame.slice(header.positions[-1] + 1))
    issues.extend(col_map.issues)
    result = _build(p, sniffed.format, chosen, header, col_map, vocab, issues, limits)
    result.sheets = infos
    result.encoding, result.delimiter = book.encoding, book.delimiter
    result.sha256 = hashlib.sha256(p.read_bytes()).hexdigest()
    return result


def _build(
    p: Path,
    fmt: str,
    sheet: RawSheet,
    header: Header,
    col_map: ColumnMapping,
    vocab: Vocabulary,
    issues: list[Issue],
    limits: Limits = DEFAULT_LIMITS,
) -> ReadResult:
    frame = sheet.frame
    assert frame is not None
    named = [f"c{j}" for j, n in enumerate(header.names) if n is not None]
    last_header = header.positions[-1]
    top = frame.slice(0, last_header + 1)
    data = frame.slice(last_header + 1)
    # Rows of the header block: the header rows themselves and the title/notes above them.
    top_ledger = top.select(
        pl.lit(sheet.name).alias("sheet"),
        pl.col(ROW).alias("row"),
        pl.lit("excluded").alias("status"),
        pl.when(pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in named]) == 0)
        .then(pl.lit("blank"))
        .otherwise(pl.lit("header"))
        .alias("reason"),
        pl.lit(None, pl.Int64).alias("action_row"),
        _preview(named).alias("text"),
    )
    typed = _typed(col_map, vocab)
    # Parse every typed column once (all rows: totals are checked against actions). Numeric columns whose
    # cells are all plain numbers (what a spreadsheet engine prints) skip the French-format parser.
    numeric = [column for column, kind in typed.values() if kind in ("amount", "count")]
    french_needed = (
        data.select(
            [
                (~parse.plain_number(c) & pl.col(c).is_not_null()).any().alias(c)
                for c in dict.fromkeys(numeric)
            ]
        ).row(0, named=True)
        if numeric
        else {}
    )
    parsed = parse.parse_frame(
        data,
        {
            f"_p:{out}": _plan(kind, column, bool(french_needed.get(column, True)), limits.max_amount_euros)
            for out, (column, kind) in typed.items()
        },
    )
    amount_outputs = [out for out, (_, kind) in typed.items() if kind == "amount"]
    # Integer cents for the arithmetic of totals. Parsed amounts are capped (parse.AMOUNT_LIMIT, 10^15
    # cents at most), so the cast cannot overflow; sums of cents are done in Int128 (see rows._totals).
    parsed = parsed.with_columns(
        [
            (pl.col(f"_p:{out}").struct.field("value") * 100).round(0).cast(pl.Int64).alias(f"_c:{out}")
            for out in amount_outputs
        ]
        + [
            (pl.col(f"_p:{out}").struct.field("status") == "implausible").fill_null(False).alias(f"_x:{out}")
            for out in amount_outputs
        ]
    )
    # Raw header cells, to recognise a header repeated further down (page breaks, concatenated exports).
    header_cells: dict[str, list[str]] = {}
    for position in header.positions:
        for c in named:
            value = frame.get_column(c)[position]
            if value is not None and str(value).strip():
                header_cells.setdefault(c, []).append(str(value))
    key_col = col_map.fields.get("carrier_id") or col_map.fields.get("carrier")
    roles = RowRoles(
        strong=[col_map.fields[f] for f in STRONG if f in col_map.fields],
        weak=[col_map.fields[f] for f in WEAK if f in col_map.fields],
        cents=[f"_c:{out}" for out in amount_outputs],
        cents_labels={f"_c:{out}": col_map.headers[typed[out][0]] for out in amount_outputs},
        text=named,
        first=named,
        carrier_key=key_col,
        id_col=col_map.fields.get("action_id"),
        title_col=col_map.fields.get("title"),
        carrier_col=col_map.fields.get("carrier"),
        names={c: col_map.headers.get(c, c) for c in named},
        flagged=[f"_x:{out}" for out in amount_outputs],
    )
    classified, row_issues = classify(parsed, roles, header_cells, vocab.total_words.pattern, sheet.name)
    issues.extend(row_issues)
    cap = parse.amount_limit() if limits.max_amount_euros is None else limits.max_amount_euros
    issues.extend(_implausible_issues(classified, typed, col_map, sheet.name, min(cap, parse.AMOUNT_LIMIT)))
    # The ledger keeps a preview of the cells of excluded rows (actions are in ``actions`` and ``original``).
    excluded_ledger = classified.filter(pl.col(REASON).is_not_null()).select(
        pl.lit(sheet.name).alias("sheet"),
        pl.col(ROW).alias("row"),
        pl.lit("excluded").alias("status"),
        pl.col(REASON).alias("reason"),
        pl.col(PARENT).alias("action_row"),
        _preview(named).alias("text"),
    )
    action_ledger = classified.filter(pl.col(REASON).is_null()).select(
        pl.lit(sheet.name).alias("sheet"),
        pl.col(ROW).alias("row"),
        pl.lit("action").alias("status"),
        pl.lit(None, pl.String).alias("reason"),
        pl.col(ROW).alias("action_row"),
        pl.lit(None, pl.String).alias("text"),
    )
    ledger = pl.concat([top_ledger, excluded_ledger, action_ledger], how="vertical_relaxed")
    issues.extend(_shape_issues(frame, classified, header, named, sheet.name))
    for r in classified.filter(pl.col(REASON) == "continuation").select(ROW, PARENT).iter_rows():
        issues.append(Issue("continuation-folded", sheet=sheet.name, row=r[0], params={"parent": r[1]}))
    # Actions: action rows, with their continuation rows folded in (text joined line by line).
    members = classified.filter(pl.col(REASON).is_null() | (pl.col(REASON) == "continuation")).with_columns(
        pl.when(pl.col(REASON).is_null()).then(pl.col(ROW)).otherwise(pl.col(PARENT)).alias("_action")
    )
    has_cont = members.filter(pl.col(REASON) == "continuation").height > 0
    actions_raw = members.filter(pl.col(REASON).is_null())
    if has_cont:
        folded_text = (
            members.group_by("_action", maintain_order=True)
            .agg([pl.col(c).drop_nulls().str.join("\n").alias(c) for c in named])
            .with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in named])
        )
        actions_raw = actions_raw.drop(named).join(
            folded_text, on="_action", how="left", maintain_order="left"
        )
        # Re-parse the typed columns whose text gained continuation lines.
        actions_raw = parse.parse_frame(
            actions_raw,
            {
                f"_p:{out}": _plan(kind, column)
                for out, (column, kind) in typed.items()
                if kind not in ("amount",)
            },
        )
    # Amounts of every data row (actions and excluded rows), for the reconciliation of the audit.
    row_amounts = classified.select(
        pl.col(ROW), *[pl.col(f"_p:{out}").struct.field("value").alias(out) for out in amount_outputs]
    )
    sink = IssueSink()
    sink.extend(issues)
    actions = _actions_frame(actions_raw, typed, col_map, sheet.name, vocab, sink)
    original = actions_raw.select(
        pl.col(ROW), *[pl.col(f"c{j}").alias(n) for j, n in enumerate(header.names) if n is not None]
    )
    kept, counts = sink.issues, dict(sorted(sink.counts.items()))
    return ReadResult(
        path=str(p),
        format=fmt,
        sheet=sheet.name,
        sheets=[],
        header_rows=header.rows,
        mapping=col_map,
        actions=actions,
        original=original,
        ledger=ledger.sort("row"),
        issues=kept,
        issue_counts=counts,
        row_amounts=row_amounts,
    )


def _shape_issues(
    frame: pl.DataFrame, data: pl.DataFrame, header: Header, named: list[str], sheet: str
) -> list[Issue]:
    """Rows with more fields than the header (CSV), and cells beyond Excel's 32,767 characters."""
    issues: list[Issue] = []
    if FIELDS in frame.columns:
        expected = max(frame.get_column(FIELDS)[p] for p in header.positions)
        ragged = data.filter(pl.col(FIELDS) > expected).select(ROW, FIELDS)
        for row, found in ragged.iter_rows():
            issues.append(
                Issue("ragged-row", sheet=sheet, row=row, params={"found": found, "expected": expected})
            )
    too_long = [pl.col(c).str.len_chars().fill_null(0) for c in named]
    if too_long:
        lengths = data.select(pl.col(ROW), pl.max_horizontal(too_long).alias("_len")).filter(
            pl.col("_len") > 32_767
        )
        for row, length in lengths.iter_rows():
            issues.append(
                Issue(
                    "cell-too-long", sheet=sheet, row=row, params={"length": f"{length:,}".replace(",", " ")}
                )
            )
    return issues


class IssueSink:
    """Collects issues, keeping the first ISSUE_CAP of each code and counting all of them."""

    def __init__(self, cap: int = ISSUE_CAP) -> None:
        self.cap = cap
        self.issues: list[Issue] = []
        self.counts: dict[str, int] = {}

    def add(self, issue: Issue) -> None:
        n = self.counts.get(issue.code, 0)
        self.counts[issue.code] = n + 1
        if n < self.cap:
            self.issues.append(issue)

    def extend(self, issues: list[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    def room(self, code: str) -> int:
        return max(0, self.cap - self.counts.get(code, 0))

    def skip(self, code: str, n: int) -> None:
        if n > 0:
            self.counts[code] = self.counts.get(code, 0) + n

    def rows(self, code: str, frame: pl.DataFrame, sheet: str) -> None:
        """One issue per row of ``frame`` (its ``_row``), without parameters."""
        room = self.room(code)
        for (row,) in frame.select(ROW).head(room).iter_rows():
            self.add(Issue(code, sheet=sheet, row=row))
        self.skip(code, frame.height - min(room, frame.height))


def _actions_frame(
    raw: pl.DataFrame,
    typed: dict[str, tuple[str, str]],
    col_map: ColumnMapping,
    sheet: str,
    vocab: Vocabulary,
    sink: IssueSink,
) -> pl.DataFrame:
    cols: list[pl.Expr] = [pl.lit(sheet).alias("_sheet"), pl.col(ROW)]
    if LINE in raw.columns:  # CSV: the physical line each record starts on, beside its row
        cols.append(pl.col(LINE))
    for out in typed:
        cols.append(pl.col(f"_p:{out}").struct.field("value").alias(out))
    actions = raw.select(cols)
    # Sections fill pillar and theme where the table has no such column (or leaves it empty).
    for fld, section in (("pillar", PILLAR_SECTION), ("theme", THEME_SECTION)):
        filler = raw.get_column(section)
        if filler.null_count() == filler.len():
            continue
        if fld in actions.columns:
            actions = actions.with_columns(pl.coalesce(pl.col(fld), filler).alias(fld))
        else:
            actions = actions.with_columns(filler.alias(fld))
    # Year from the decision date when there is no year column.
    if "year" not in actions.columns and "decision_date" in actions.columns:
        actions = actions.with_columns(pl.col("decision_date").dt.year().cast(pl.Int32).alias("year"))
        if actions.get_column("year").null_count() < actions.height:
            sink.add(Issue("year-derived", sheet=sheet))
    # Value problems, each with its cell (row as the user sees it, column header). Only the first
    # ISSUE_CAP of each code become Issue objects; the others are counted (a 100,000-row file can have as
    # many).
    # One pass tells which columns have a value problem at all (most have none).
    problem = {
        out: (pl.col(f"_p:{out}").struct.field("status").fill_null("empty") != "empty").any().alias(out)
        for out in typed
    }
    with_problem = raw.select(list(problem.values())).row(0, named=True) if problem else {}
    for out, (column, kind) in typed.items():
        if not with_problem.get(out):
            continue
        status = raw.select(
            pl.col(ROW),
            pl.col(column).alias("raw"),
            pl.col(f"_p:{out}").struct.field("status").alias("status"),
            pl.col(f"_p:{out}").struct.field("value").alias("value"),
        )
        flagged = status.filter(pl.col("status").is_not_null() & (pl.col("status") != "empty"))
        if out == "grantor_id":
            flagged = flagged.filter(pl.col("status") != "siren")  # a grantor's SIREN is not a problem
        header = col_map.headers[column]
        for (code,), group in flagged.group_by("status", maintain_order=True):
            sample = _value_issue(str(code), kind, None, None)
            if sample is None:
                continue
            room = sink.room(sample[0])
            for row, raw_value, status_code, value in group.head(room).iter_rows():
                issue = _value_issue(status_code, kind, raw_value, value)
                if issue is not None:
                    sink.add(Issue(issue[0], sheet=sheet, row=row, column=header, params=issue[1]))
            sink.skip(sample[0], group.height - min(room, group.height))
    # Beneficiaries: women + men must equal the total when all three are given (never derive one).
    if {"women", "men", "beneficiaries_total"} <= set(actions.columns):
        bad = actions.filter(
            pl.col("women").is_not_null()
            & pl.col("men").is_not_null()
            & pl.col("beneficiaries_total").is_not_null()
            & (pl.col("women") + pl.col("men") != pl.col("beneficiaries_total"))
        )
        code = "beneficiaries-inconsistent"
        room = sink.room(code)
        counts = bad.select(ROW, "women", "men", "beneficiaries_total").head(room)
        for row, w, m, t in counts.iter_rows():
            sink.add(
                Issue(code, sheet=sheet, row=row, params={"women": w, "men": m, "sum": w + m, "total": t})
            )
        sink.skip(code, bad.height - min(room, bad.height))
    amount_cols = [o for o, (_, k) in typed.items() if k == "amount"]
    if amount_cols:
        none = actions.filter(pl.all_horizontal([pl.col(c).is_null() for c in amount_cols]))
        sink.rows("action-no-amount", none, sheet)
    text_cols = [c for c in ("title", "description", "objectives") if c in actions.columns]
    empty = (
        actions.filter(pl.all_horizontal([pl.col(c).is_null() for c in text_cols]))
        if text_cols
        else actions.clear()
    )
    sink.rows("action-no-text", empty, sheet)
    return actions


def _implausible_issues(
    data: pl.DataFrame,
    typed: dict[str, tuple[str, str]],
    col_map: ColumnMapping,
    sheet: str,
    limit: float,
) -> list[Issue]:
    """One issue per amount cell above the plausibility limit, on every data row (actions, totals…): its
    value is left out of every sum, so the cell and its raw text must be named."""
    issues: list[Issue] = []
    amounts = [out for out, (_, kind) in typed.items() if kind == "amount"]
    implausible = (
        data.select(
            [
                (pl.col(f"_p:{out}").struct.field("status") == "implausible").any().alias(out)
                for out in amounts
            ]
        ).row(0, named=True)
        if amounts
        else {}
    )
    for out, (column, kind) in typed.items():
        if kind != "amount" or not implausible.get(out):
            continue
        flagged = data.filter(pl.col(f"_p:{out}").struct.field("status") == "implausible").select(
            ROW, pl.col(column)
        )
        for row, raw in flagged.head(ISSUE_CAP).iter_rows():
            shown = (raw or "").replace("\n", " ⏎ ").strip()
            shown = shown[:77] + "…" if len(shown) > 80 else shown
            issues.append(
                Issue(
                    "amount-implausible",
                    sheet=sheet,
                    row=row,
                    column=col_map.headers[column],
                    params={
                        "value": shown,
                        "column": col_map.headers[column],
                        "limit": Money.euros(limit),
                    },
                )
            )
    return issues


def _money(value: float | None) -> Money | str:
    return "?" if value is None else Money.euros(value)


def _value_issue(
    code: str, kind: str, raw: str | None, value: object
) -> tuple[str, dict[str, object]] | None:
    shown = (raw or "").replace("\n", " ⏎ ")
    if len(shown) > 80:
        shown = shown[:77] + "…"
    if code == "placeholder":
        return "value-placeholder", {"value": shown}
    if code == "dash_zero":
        return "value-dash-zero", {"value": shown}
    if code == "ambiguous":
        return "value-ambiguous", {
            "value": shown,
            "parsed": _money(value if isinstance(value, float) else None),
        }
    if code in ("multiple", "range"):
        return "value-multiple", {"value": shown, "parsed": value}
    if code == "negative" and kind == "amount":
        return "amount-negative", {"value": shown}
    if code == "float_damaged":
        return "id-float-damaged", {"value": shown}
    if code == "padded":
        return "siret-padded", {"value": shown, "fixed": value}
    if code in ("invalid_checksum", "wrong_length", "siren"):
        detail = {
            "invalid_checksum": Text("clé de contrôle fausse", "wrong check digit"),
            "wrong_length": Text("nombre de chiffres incorrect", "wrong number of digits"),
            "siren": Text("SIREN à 9 chiffres, pas un SIRET", "a 9-digit SIREN, not a SIRET"),
        }[code]
        return "siret-invalid", {"value": shown, "detail": detail}
    if code in ("serial", "assumed_percent", "implausible"):
        return None  # implausible amounts are reported for every row by _implausible_issues
    return "value-unparsed", {"value": shown, "kind": _KIND_WORDS.get(kind, Text(kind, kind))}
