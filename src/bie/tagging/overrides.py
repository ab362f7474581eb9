"""Manual decisions (« décisions manuelles »): a person's category wins over the rules.

A decisions file is YAML (a list, or ``{overrides: [...]}``) or CSV (``;`` or ``,``, UTF-8 with or without
BOM). Keys / columns (French aliases accepted):

* ``action_id`` (``identifiant``) **or** ``row`` (``ligne``, the source row the user sees), optionally
  with ``sheet`` (``feuille``); when ``action_id`` is given it is the key;
* ``category`` (``categorie``): ``specific``/``spécifique``, ``transversal``/``transversale``,
  ``not_integrated``/``non intégrée``, ``to_review``/``à revoir``;
* ``justification`` (required), ``author`` (``auteur``), ``date`` (ISO ``AAAA-MM-JJ``).

Decisions are keyed by identifier or row, never by position, so they survive re-runs on a re-sorted or
re-exported table. A decision that matches no action (or several, for a row without sheet in a
multi-sheet file) is reported as an issue and not applied; an invalid file raises
:class:`bie.errors.OverridesError` with the file and the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from bie.errors import OverridesError, Text
from bie.issues import Issue
from bie.resources import bounded_compose, key_problem, load_yaml_text, read_config_text

__all__ = ["OverrideEntry", "Overrides", "load_overrides", "match_overrides"]

P = "__bie_"

_KEY_ALIASES: dict[str, str] = {
    "action_id": "action_id",
    "id": "action_id",
    "identifiant": "action_id",
    "id_action": "action_id",
    "row": "row",
    "ligne": "row",
    "_row": "row",
    "sheet": "sheet",
    "feuille": "sheet",
    "onglet": "sheet",
    "_sheet": "sheet",
    "category": "category",
    "categorie": "category",
    "justification": "justification",
    "motif": "justification",
    "author": "author",
    "auteur": "author",
    "autrice": "author",
    "date": "date",
}

_CATEGORY_ALIASES: dict[str, str] = {
    "specific": "specific",
    "specifique": "specific",
    "g2": "specific",
    "2": "specific",
    "transversal": "transversal",
    "transversale": "transversal",
    "integree": "transversal",
    "g1": "transversal",
    "1": "transversal",
    "not integrated": "not_integrated",
    "non integree": "not_integrated",
    "non integre": "not_integrated",
    "g0": "not_integrated",
    "0": "not_integrated",
    "to review": "to_review",
    "a revoir": "to_review",
    # The labels the reports show (src/bie/data/labels.yaml).
    "action specifique": "specific",
    "egalite integree": "transversal",
    "egalite non prise en compte": "not_integrated",
    "non prise en compte": "not_integrated",
    "a examiner": "to_review",
    "specific action": "specific",
    "equality mainstreamed": "transversal",
    "mainstreamed": "transversal",
    "equality not taken into account": "not_integrated",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[\s_\-']+", " ", ascii_text).strip()


@dataclass(frozen=True)
class OverrideEntry:
    """One manual decision, with the line of the file it comes from."""

    line: int
    category: str
    justification: str
    action_id: str | None = None
    row: int | None = None
    sheet: str | None = None
    author: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Overrides:
    """A validated set of manual decisions."""

    entries: tuple[OverrideEntry, ...] = ()
    source: str = ""

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], source: str = "<données>") -> Overrides:
        """Build from mappings (keys as in a file); line numbers are the record's position (1-based)."""
        entries = [_parse_entry(dict(rec), i, source) for i, rec in enumerate(records, start=1)]
        _check_duplicates(entries, source)
        return cls(entries=tuple(entries), source=source)


def _err(path: str | Path, line: int | None, detail: Text) -> OverridesError:
    if line is None:
        return OverridesError(path, detail=detail)
    return OverridesError(path, detail=Text(f"ligne {line} : {detail.fr}", f"line {line}: {detail.en}"))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


#: Highest row number a decision may name (far beyond any spreadsheet or CSV bie reads; keeps it an Int64).
MAX_ROW = 2**31 - 1


def _parse_entry(raw: dict[Any, Any], line: int, source: str | Path) -> OverrideEntry:
    data: dict[str, Any] = {}
    for key, value in raw.items():
        canon = _KEY_ALIASES.get(_fold(str(key)).replace(" ", "_"))
        if canon is None:
            raise _err(
                source,
                line,
                Text(
                    f"colonne ou clé inconnue « {key} » ; attendu action_id ou row (et sheet), category, "
                    "justification, author, date",
                    f"unknown column or key “{key}”; expected action_id or row (and sheet), category, "
                    "justification, author, date",
                ),
            )
        if canon in data:
            raise _err(source, line, Text(f"« {canon} » donné deux fois", f"“{canon}” given twice"))
        data[canon] = _clean(value)
    action_id = data.get("action_id")
    row = data.get("row")
    if action_id is None and row is None:
        raise _err(
            source,
            line,
            Text(
                "il faut « action_id » ou « row » pour désigner l'action",
                "“action_id” or “row” is needed to name the action",
            ),
        )
    if action_id is not None:
        action_id = str(action_id).strip()
    if row is not None:
        if isinstance(row, bool):
            raise _err(
                source,
                line,
                Text(
                    f"« row » doit être un numéro de ligne (trouvé {row!r})",
                    f"“row” must be a row number (found {row!r})",
                ),
            )
        if isinstance(row, float) and row.is_integer():
            row = int(row)
        if isinstance(row, str) and row.isdigit():
            row = int(row)
        if isinstance(row, int) and row > MAX_ROW:
            raise _err(
                source,
                line,
                Text(
                    f"« row » : numéro de ligne {row} trop grand (au plus {MAX_ROW})",
                    f"“row”: row number {row} too large (at most {MAX_ROW})",
                ),
            )
        if not isinstance(row, int) or row < 1:
            raise _err(
                source,
                line,
                Text(
                    f"« row » doit être un numéro de ligne positif (trouvé {row!r})",
                    f"“row” must be a positive row number (found {row!r})",
                ),
            )
    cat_raw = data.get("category")
    if cat_raw is None:
        raise _err(source, line, Text("« category » manquante", "“category” missing"))
    category = _CATEGORY_ALIASES.get(_fold(str(cat_raw)))
    if category is None:
        raise _err(
            source,
            line,
            Text(
                f"catégorie inconnue « {cat_raw} » ; valeurs : specific, transversal, not_integrated, "
                "to_review (ou spécifique, transversale, non intégrée, à revoir)",
                f"unknown category “{cat_raw}”; values: specific, transversal, not_integrated, to_review",
            ),
        )
    justification = data.get("justification")
    if justification is None or not str(justification).strip():
        raise _err(
            source,
            line,
            Text(
                "« justification » obligatoire : dites pourquoi la décision change le marquage",
                "“justification” required: say why the decision changes the tagging",
            ),
        )
    date_raw = data.get("date")
    date: dt.date | None = None
    if isinstance(date_raw, dt.datetime):
        date = date_raw.date()
    elif isinstance(date_raw, dt.date):
        date = date_raw
    elif date_raw is not None:
        try:
            date = dt.date.fromisoformat(str(date_raw))
        except ValueError as exc:
            raise _err(
                source,
                line,
                Text(
                    f"date « {date_raw} » illisible : écrire AAAA-MM-JJ",
                    f"unreadable date “{date_raw}”: write YYYY-MM-DD",
                ),
            ) from exc
    sheet = data.get("sheet")
    author = data.get("author")
    return OverrideEntry(
        line=line,
        category=category,
        justification=str(justification).strip(),
        action_id=action_id,
        row=row,
        sheet=str(sheet) if sheet is not None else None,
        author=str(author) if author is not None else None,
        date=date,
    )


def _check_duplicates(entries: Iterable[OverrideEntry], source: str | Path) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for e in entries:
        key = ("id", e.action_id, "") if e.action_id is not None else ("row", e.sheet or "", str(e.row))
        if key in seen:
            what = (
                (f"l'action « {e.action_id} »", f"action “{e.action_id}”")
                if e.action_id is not None
                else (f"la ligne {e.row}", f"row {e.row}")
            )
            raise _err(
                source,
                e.line,
                Text(
                    f"{what[0]} a déjà une décision (ligne {seen[key]})",
                    f"{what[1]} already has a decision (line {seen[key]})",
                ),
            )
        seen[key] = e.line


def _yaml_lines(text: str) -> list[int]:
    """1-based line of each item of the decisions list (for error messages)."""
    node = bounded_compose(text)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) in ("overrides", "decisions"):
                node = value
                break
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _load_yaml(path: Path, text: str) -> Overrides:
    data = load_yaml_text(text, str(path), OverridesError)
    if data is None:
        return Overrides(source=str(path))
    if isinstance(data, dict):
        problem = key_problem(data, frozenset(), {"overrides", "decisions", "version", "description"})
        if problem is not None:
            raise _err(path, None, problem)
        data = data.get("overrides", data.get("decisions")) or []
    if not isinstance(data, list):
        raise _err(
            path,
            None,
            Text("le fichier doit contenir une liste de décisions", "the file must hold a list of decisions"),
        )
    lines = _yaml_lines(text)
    entries = []
    for i, item in enumerate(data):
        line = lines[i] if i < len(lines) else i + 1
        if not isinstance(item, dict):
            raise _err(
                path,
                line,
                Text(
                    "chaque décision est un objet (action_id ou row, category, justification…)",
                    "each decision is an object (action_id or row, category, justification…)",
                ),
            )
        entries.append(_parse_entry(item, line, path))
    _check_duplicates(entries, path)
    return Overrides(entries=tuple(entries), source=str(path))


def _load_csv(path: Path, text: str) -> Overrides:
    lines = text.splitlines()
    header = next((ln for ln in lines if ln.strip()), "")
    delimiter = ";" if header.count(";") >= header.count(",") and ";" in header else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    entries: list[OverrideEntry] = []
    columns: list[str] | None = None
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                columns = [c.strip() for c in record]
                for c in columns:
                    if _KEY_ALIASES.get(_fold(c).replace(" ", "_")) is None:
                        raise _err(
                            path,
                            reader.line_num,
                            Text(
                                f"colonne inconnue « {c} » ; attendu action_id ou row (et sheet), category, "
                                "justification, author, date",
                                f"unknown column “{c}”; expected action_id or row (and sheet), category, "
                                "justification, author, date",
                            ),
                        )
                continue
            if len(record) > len(columns):
                raise _err(
                    path,
                    reader.line_num,
                    Text(
                        f"{len(record)} champs pour {len(columns)} colonnes",
                        f"{len(record)} fields for {len(columns)} columns",
                    ),
                )
            raw = {c: (record[i] if i < len(record) else "") for i, c in enumerate(columns)}
            entries.append(_parse_entry(raw, reader.line_num, path))
    except csv.Error as exc:
        raise _err(path, reader.line_num, Text(f"CSV illisible ({exc})", f"unreadable CSV ({exc})")) from exc
    _check_duplicates(entries, path)
    return Overrides(entries=tuple(entries), source=str(path))


def load_overrides(path: str | Path) -> Overrides:
    """Load and validate a decisions file (``.yaml``/``.yml`` or ``.csv``/``.txt``)."""
    p = Path(path)
    text = read_config_text(p, OverridesError)
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _load_yaml(p, text)
    if suffix in (".csv", ".txt", ".tsv"):
        return _load_csv(p, text)
    raise OverridesError(
        p, detail=Text("extension inconnue : utilisez .yaml ou .csv", "unknown extension: use .yaml or .csv")
    )


def match_overrides(frame: pl.DataFrame, overrides: Overrides) -> tuple[pl.DataFrame, list[Issue]]:
    """Match decisions to actions (vectorised joins); return ``(idx, category, justification)`` and issues."""
    entries = overrides.entries
    ov = pl.DataFrame(
        {
            "line": [e.line for e in entries],
            "ov_id": [e.action_id for e in entries],
            "ov_sheet": [e.sheet for e in entries],
            "ov_row": [e.row for e in entries],
            "ov_cat": [e.category for e in entries],
            "ov_just": [e.justification for e in entries],
        },
        schema={
            "line": pl.Int64,
            "ov_id": pl.String,
            "ov_sheet": pl.String,
            "ov_row": pl.Int64,
            "ov_cat": pl.String,
            "ov_just": pl.String,
        },
    )
    acts = frame.select(
        pl.col(f"{P}idx"),
        pl.col(f"{P}action_id").str.strip_chars().alias("a_id"),
        pl.col(f"{P}sheet").alias("a_sheet"),
        pl.col(f"{P}row").alias("a_row"),
    )
    by_id = acts.join(ov.filter(pl.col("ov_id").is_not_null()), left_on="a_id", right_on="ov_id", how="inner")
    by_row = acts.join(
        ov.filter(pl.col("ov_id").is_null() & pl.col("ov_row").is_not_null()),
        left_on="a_row",
        right_on="ov_row",
        how="inner",
    ).filter(pl.col("ov_sheet").is_null() | (pl.col("ov_sheet") == pl.col("a_sheet")))
    cols = [f"{P}idx", "line", "ov_cat", "ov_just"]
    matches = pl.concat(
        [
            by_id.select(cols).with_columns(pl.lit(0).alias("prio")),
            by_row.select(cols).with_columns(pl.lit(1).alias("prio")),
        ]
    )
    counts = matches.group_by("line").agg(pl.len().alias("n"))
    counted = ov.join(counts, on="line", how="left").with_columns(pl.col("n").fill_null(0))
    issues: list[Issue] = []
    for line, ov_id, sheet, row, n in (
        counted.filter(pl.col("n") != 1).select("line", "ov_id", "ov_sheet", "ov_row", "n").iter_rows()
    ):
        code = "override-unmatched" if n == 0 else "override-ambiguous"
        issues.append(
            Issue(
                code,
                sheet=sheet,
                row=row,
                params={"file": overrides.source, "line": line, "action_id": ov_id, "count": n},
            )
        )
    valid_lines = counted.filter(pl.col("n") == 1).get_column("line")
    applied = (
        matches.filter(pl.col("line").is_in(valid_lines.implode()))
        .sort([f"{P}idx", "prio", "line"], descending=[False, False, True])
        .unique(subset=[f"{P}idx"], keep="first", maintain_order=True)
        .select(
            pl.col(f"{P}idx"),
            pl.col("ov_cat").alias(f"{P}ov_category"),
            pl.col("ov_just").alias(f"{P}ov_justification"),
        )
    )
    return applied, issues
