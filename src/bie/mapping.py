"""Map the columns of a table to bie's canonical fields, with a confidence, and read mapping files.

A mapping file (YAML) overrides or completes the guess::

    # mapping.yaml
    sheet: Programmation 2024          # optional
    header_rows: [5, 6]                # optional: rows as numbered in Excel / LibreOffice
    columns:
      "Intitulé de l'action": title
      "Financements sollicités / Ville": {funding: Ville, stage: requested}
      "Observations": ignore

Column names are those ``bie inspect`` prints (two-row headers flattened to « parent / child »).

Names come first. Then, when no column is named like a description or objectives (or a title), the columns
still unmapped are read by their content (:func:`profile_columns`): free text is told from identifiers,
amounts, dates, code lists and carrier names, and the best text column becomes the description (or the
title when it is short and distinct per row), with an info issue that says which column and why. A mapping
file always wins: its columns are never re-read by content.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import MappingError, Text
from bie.issues import Issue
from bie.layout import Header
from bie.resources import key_problem, load_data, load_yaml_file
from bie.vocabulary import Vocabulary, field_text, fold

FUNDING_PREFIX = "funding:"
STAGE_NAMES = ("requested", "proposed", "granted")
_BARE_SIRET = re.compile(r"^(n|no|numero|code|num)?\s*(siret|siren|siret siren|siren siret)( 1)?$")
_TOTAL_WORD = re.compile(r"^(total|totaux|ensemble|sous total|total general|somme)\b")
_AMOUNT_STRIP = re.compile(
    r"\b(montants?|mt|financements?|subventions?|part|participations?|contributions?|apports?|"
    r"sollicit\w*|demand\w*|accord\w*|attribu\w*|propos\w*|vot\w*|allou\w*|octroy\w*|"
    r"en euros?|euros?|eur)\b|€|\(\s*\)",
    re.I,
)


@dataclass
class FundingColumn:
    column: str  # frame column (c0…)
    header: str  # source header
    funder: str  # funder name as written
    funder_id: str | None
    stage: str | None


@dataclass
class ColumnMapping:
    """Result of mapping: canonical field -> frame column, with confidences and what was left unmapped."""

    fields: dict[str, str] = field(default_factory=dict)  # field -> frame column
    headers: dict[str, str] = field(default_factory=dict)  # frame column -> source header
    confidence: dict[str, float] = field(default_factory=dict)  # field (or funding:…) -> confidence
    funding: list[FundingColumn] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # frame columns
    ignored: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        """Source header of a canonical field or funding column name."""
        if name.startswith(FUNDING_PREFIX):
            for f in self.funding:
                if f"{FUNDING_PREFIX}{f.funder}" == name:
                    return f.header
        return self.headers[self.fields[name]]


@dataclass
class MappingFile:
    path: str
    sheet: str | None = None
    header_rows: list[int] | None = None
    columns: dict[str, Any] = field(default_factory=dict)


def load_mapping(path: str | Path, vocab: Vocabulary) -> MappingFile:
    data = load_yaml_file(path, MappingError)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MappingError(
            path,
            detail=Text(
                "le fichier doit être un dictionnaire YAML (clés sheet, header_rows, columns)",
                "the file must be a YAML mapping (keys sheet, header_rows, columns)",
            ),
        )
    problem = key_problem(data, frozenset(), {"sheet", "header_rows", "columns", "version", "description"})
    if problem is not None:
        raise MappingError(path, detail=problem)
    rows = data.get("header_rows")
    if rows is not None:
        if isinstance(rows, int):
            rows = [rows]
        if not (isinstance(rows, list) and rows and all(isinstance(r, int) and r >= 1 for r in rows)):
            raise MappingError(
                path,
                detail=Text(
                    "header_rows doit être un numéro de ligne ou une liste de numéros (≥ 1)",
                    "header_rows must be a row number or a list of row numbers (≥ 1)",
                ),
            )
        if len(rows) > 2:
            raise MappingError(
                path,
                detail=Text(
                    "header_rows : deux lignes d'en-tête au plus", "header_rows: two header rows at most"
                ),
            )
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise MappingError(
            path,
            detail=Text(
                "columns doit associer des intitulés de colonnes à des champs",
                "columns must map column headings to fields",
            ),
        )
    for header, target in columns.items():
        if target == "ignore" or (isinstance(target, str) and target in vocab.fields):
            continue
        if (
            isinstance(target, dict)
            and set(target) <= {"funding", "stage"}
            and isinstance(target.get("funding"), str)
        ):
            if target.get("stage") not in (None, *STAGE_NAMES):
                stage = target.get("stage")
                raise MappingError(
                    path,
                    detail=Text(
                        f"étape inconnue « {stage} » pour « {header} »",
                        f"unknown stage “{stage}” for “{header}”",
                    ),
                )
            continue
        known = ", ".join(sorted(vocab.fields))
        raise MappingError(
            path,
            detail=Text(
                f"« {header} » : champ inconnu « {target} » "
                f"(champs possibles : {known}, ignore, ou {{funding: NOM}})",
                f"“{header}”: unknown field “{target}” "
                f"(possible fields: {known}, ignore, or {{funding: NAME}})",
            ),
        )
    sheet = data.get("sheet")
    return MappingFile(
        path=str(path), sheet=None if sheet is None else str(sheet), header_rows=rows, columns=columns
    )


def _funder_name(vocab: Vocabulary, parent: str, child: str, header: str) -> str:
    stripped = _AMOUNT_STRIP.sub(" ", header)
    stripped = re.sub(r"\s+", " ", stripped).strip(" -:/")
    if stripped.startswith("(") and stripped.endswith(")") and stripped.count("(") == 1:
        stripped = stripped[1:-1].strip()
    return stripped or header


def map_columns(
    header: Header,
    vocab: Vocabulary,
    mapping_file: MappingFile | None = None,
    sheet: str | None = None,
    data: pl.DataFrame | None = None,
) -> ColumnMapping:
    """Guess the canonical field of every column, then apply the mapping file; with ``data`` (the rows
    below the header, text cells in columns ``c0``…), text roles still missing are found by content."""
    result = ColumnMapping()
    candidates: list[tuple[float, int, str, str]] = []  # (confidence, index, field, column)
    forced: dict[str, Any] = {}
    if mapping_file is not None:
        present = {n for n in header.names if n}
        for wanted, target in mapping_file.columns.items():
            if wanted in present:
                forced[wanted] = target
            else:
                result.issues.append(Issue("mapping-unknown-column", sheet=sheet, params={"name": wanted}))
    funding_parents = _funding_parents(header, vocab)
    for j, name in enumerate(header.names):
        if name is None:
            continue
        column = f"c{j}"
        result.headers[column] = name
        parent, child = header.parents[j], header.children[j]
        if name in forced:
            target = forced[name]
            if target == "ignore":
                result.ignored.append(column)
            elif isinstance(target, dict):
                funder = str(target["funding"])
                found = vocab.funder(funder)
                result.funding.append(
                    FundingColumn(column, name, funder, found.id if found else None, target.get("stage"))
                )
                result.confidence[f"{FUNDING_PREFIX}{funder}"] = 1.0
            else:
                candidates.append((2.0, j, str(target), column))
            continue
        guess = _guess(vocab, name, parent, child, parent in funding_parents)
        if guess is None:
            result.unmapped.append(column)
        elif guess[0] == "funding":
            _, funder, funder_id, stage, confidence = guess
            result.funding.append(FundingColumn(column, name, funder, funder_id, stage))
            result.confidence[f"{FUNDING_PREFIX}{funder}"] = confidence
        else:
            _, fld, confidence = guess[:3]
            candidates.append((confidence, j, fld, column))
    _disambiguate_siret(candidates, header, vocab)
    taken: set[str] = set()
    winners: dict[str, tuple[float, int, str]] = {}
    for confidence, j, fld, column in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if fld in winners:
            other = winners[fld]
            result.unmapped.append(column)
            result.issues.append(
                Issue(
                    "column-conflict",
                    sheet=sheet,
                    column=result.headers[column],
                    params={
                        "name": result.headers[column],
                        "other": result.headers[other[2]],
                        "field": field_text(fld),
                    },
                )
            )
            continue
        winners[fld] = (confidence, j, column)
        taken.add(column)
        result.fields[fld] = column
        result.confidence[fld] = min(1.0, confidence)
    # Funders named twice (e.g. requested and granted stages) get the stage in their name.
    names = [f.funder for f in result.funding]
    for f in result.funding:
        if names.count(f.funder) > 1 and f.stage:
            old = f"{FUNDING_PREFIX}{f.funder}"
            f.funder = f"{f.funder} ({f.stage})"
            result.confidence[f"{FUNDING_PREFIX}{f.funder}"] = result.confidence.pop(old, 1.0)
    if data is not None and result.unmapped:
        _map_by_content(result, data, sheet)
    result.unmapped.sort(key=lambda c: int(c[1:]))
    for column in result.unmapped:
        result.issues.append(
            Issue(
                "column-unmapped",
                sheet=sheet,
                column=result.headers[column],
                params={"name": result.headers[column]},
            )
        )
    return result


def _funding_parents(header: Header, vocab: Vocabulary) -> set[str]:
    """Parent labels that head one column per co-funder: a funding word, and at least two funder names below
    (« Informations relatives à la subvention » over « Objet », « Montant »… is not one)."""
    children: dict[str, list[str]] = {}
    for parent, child in zip(header.parents, header.children, strict=True):
        if parent and child:
            children.setdefault(parent, []).append(child)
    out = set()
    for parent, kids in children.items():
        funders = sum(1 for k in kids if vocab.funder(k) is not None)
        enough = funders >= 2 or (funders == 1 and len(kids) == 1)
        if vocab.is_funding_group(parent) and enough and funders * 2 >= len(kids):
            out.add(parent)
    return out


def _guess(
    vocab: Vocabulary, name: str, parent: str, child: str, funding_group: bool
) -> tuple[Any, ...] | None:
    folded_child = fold(child) if child else ""
    if parent and funding_group and child:
        stage = vocab.stage_of(parent) or vocab.stage_of(child)
        if _TOTAL_WORD.match(folded_child):
            return ("field", f"amount_{stage or 'requested'}", 0.9)
        funder = vocab.funder(child)
        direct = vocab.match(child)
        if (
            funder is not None
            or direct is None
            or direct[0] not in ("total_cost", "women", "men", "beneficiaries_total")
        ):
            return ("funding", child, funder.id if funder else None, stage, 0.95 if funder else 0.75)
    if parent and vocab.is_beneficiary_group(parent) and child:
        if re.match(r"^(femmes?|filles?|f|dont femmes|feminin)$", folded_child):
            return ("field", "women", 0.95)
        if re.match(r"^(hommes?|garcons?|h|dont hommes|masculin)$", folded_child):
            return ("field", "men", 0.95)
        if _TOTAL_WORD.match(folded_child) or folded_child in ("nombre", "nb", "effectif"):
            return ("field", "beneficiaries_total", 0.95)
    if child and parent:
        # The child label says what the column is; the parent only groups it (« Informations relatives
        # à la subvention / Objet de la subvention »).
        part = vocab.match(child)
        if part is not None and part[1] >= 0.8:
            return ("field", part[0], part[1] * 0.95)
    full = vocab.match(name)
    funder = vocab.funder(child or name)
    if funder is not None and vocab.has_amount_word(child or name) and not (full and full[1] >= 1.0):
        stage = vocab.stage_of(name)
        return ("funding", _funder_name(vocab, parent, child, child or name), funder.id, stage, 0.85)
    if child and parent:
        part = vocab.match(child)
        if part is not None:
            return ("field", part[0], part[1] * 0.95)
    if full is not None:
        return ("field", full[0], full[1] * (0.9 if parent and child else 1.0))
    if child and parent:
        part = vocab.match(parent)
        if part is not None and vocab.fields[part[0]].kind in ("text", "id"):
            return ("field", part[0], part[1] * 0.8)
    return None


def _disambiguate_siret(
    candidates: list[tuple[float, int, str, str]], header: Header, vocab: Vocabulary
) -> None:
    """A bare « SIRET » column belongs to the name column nearest on its left (grantor or carrier)."""
    by_index = {j: fld for _, j, fld, _ in candidates}
    for k, (confidence, j, fld, column) in enumerate(candidates):
        name = header.names[j] or ""
        if fld not in ("carrier_id", "grantor_id") or not _BARE_SIRET.match(fold(name)):
            continue
        owner = None
        for left in range(j - 1, -1, -1):
            if by_index.get(left) in ("carrier", "grantor"):
                owner = by_index[left]
                break
        if owner is None:
            continue
        target = "grantor_id" if owner == "grantor" else "carrier_id"
        candidates[k] = (confidence, j, target, column)
        by_index[j] = target


# --- Text roles by content ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentRules:
    """Thresholds and regexes of ``content_roles`` in ``bie/data/columns.yaml``."""

    min_filled: float
    min_distinct: float
    min_distinct_values: int
    min_letters: float
    max_shaped: float
    description_min_words: float
    title_min_words: float
    title_max_words: float
    title_min_distinct: float
    carrier_max_words: float
    carrier_min_share: float
    carrier_min_caps: float
    carrier_max_action: float
    max_payment: float
    rows_read: int
    max_cells: int
    signal_cells: int
    chars_read: int
    max_columns: int
    shapes: tuple[str, ...]
    organisation: str
    action: str
    payment: str


@functools.cache
def content_rules() -> ContentRules:
    """The shipped thresholds for reading text roles by content."""
    spec = dict(load_data("columns.yaml")["content_roles"])
    for name in ("shapes", "organisation", "action", "payment"):
        patterns = spec[name].values() if isinstance(spec[name], dict) else [spec[name]]
        for pattern in patterns:
            re.compile(pattern)  # fail early on a bad regex in the data file
    spec["shapes"] = tuple(spec["shapes"].values())
    return ContentRules(**spec)


@dataclass(frozen=True)
class ContentProfile:
    """What the cells of one column look like (shares are of the filled cells unless said otherwise)."""

    column: str
    filled: float  # share of the data rows (rows with at least one cell) that have a value here
    words: float  # mean words per filled cell
    chars: float  # mean characters per filled cell
    distinct: float  # distinct values / filled cells
    distinct_values: int
    letters: float = 0.0  # characters other than digits / characters other than spaces
    shaped: float = 0.0  # cells shaped like a number, amount, date, identifier or code
    organisation: float = 0.0  # cells that look like an organisation's name
    caps: float = 0.0  # cells all in upper case
    action: float = 0.0  # cells with a word saying what is funded or done
    payment: float = 0.0  # cells about payment terms
    examined: bool = True  # False: the regex signals were not computed

    def verdict(self, rules: ContentRules) -> str:
        """``text`` for free text; otherwise why not: sparse, code, short, shaped, payment, carrier (or
        unexamined: could be text, signals not computed)."""
        if self.filled < rules.min_filled:
            return "sparse"
        if self.distinct_values < rules.min_distinct_values or self.distinct < rules.min_distinct:
            return "code"
        if self.words < rules.title_min_words:
            return "short"
        if not self.examined:
            return "unexamined"
        if self.letters < rules.min_letters or self.shaped > rules.max_shaped:
            return "shaped"
        if self.payment > rules.max_payment:
            return "payment"
        if (
            self.words <= rules.carrier_max_words
            and (self.organisation >= rules.carrier_min_share or self.caps >= rules.carrier_min_caps)
            and self.action <= rules.carrier_max_action
        ):
            return "carrier"
        return "text"

    def score(self) -> float:
        """Longer, more varied and fuller text ranks first."""
        return self.filled * self.distinct * math.log1p(self.words)


def profile_columns(
    data: pl.DataFrame, columns: list[str], rules: ContentRules | None = None
) -> list[ContentProfile]:
    """Content profiles of ``columns`` (text cells) over the first rows of ``data`` that have at least one
    cell (``max_cells`` cells at most). Two vectorised passes over the cells stacked in one column: cheap
    figures (fill, words, distinct values) for every column, then the regex signals only for the columns
    that could still be text (``max_columns`` at most)."""
    rules = rules or content_rules()
    known = set(data.columns)
    columns = [c for c in dict.fromkeys(columns) if c in known]
    if not columns or data.height == 0:
        return []
    text_cols = [c for c in data.columns if c.startswith("c") and c[1:].isdigit()] or columns
    rows = max(50, min(rules.rows_read, rules.max_cells // len(columns)))
    present = data.head(rows * 4).filter(pl.any_horizontal(pl.col(text_cols).is_not_null())).head(rows)
    if present.height == 0:
        return []
    cells = (
        present.select(pl.col(columns).cast(pl.String))
        .unpivot(on=columns, variable_name="column", value_name="v")
        # Long cells are read by their start only; their length is kept to scale the count of words.
        .with_columns(pl.col("v").str.len_chars().alias("length"), pl.col("v").str.slice(0, rules.chars_read))
        .with_columns(pl.col("v").str.strip_chars())
        .filter(pl.col("v") != "")
    )
    first = cells.group_by("column").agg(
        pl.len().alias("n"),
        pl.col("v").n_unique().alias("n_unique"),
        # Words counted on the start of the cell, scaled to its length (long cells cost no more).
        (
            pl.col("v").str.count_matches(r"\s+\S")
            * pl.max_horizontal(pl.col("length") / pl.col("v").str.len_chars(), pl.lit(1.0))
            + 1
        )
        .mean()
        .alias("words"),
        pl.col("length").mean().alias("chars"),
    )
    profiles: dict[str, ContentProfile] = {}
    for row in first.iter_rows(named=True):
        n = int(row["n"])
        profiles[row["column"]] = ContentProfile(
            column=row["column"],
            filled=n / present.height,
            words=float(row["words"] or 0.0),
            chars=float(row["chars"] or 0.0),
            distinct=int(row["n_unique"]) / n,
            distinct_values=int(row["n_unique"]),
            examined=False,
        )
    # The regex signals, on the start of each cell (a name, an amount or a date shows at the start).
    survivors = [c for c in columns if c in profiles and profiles[c].verdict(rules) == "unexamined"]
    survivors = survivors[: rules.max_columns]
    if survivors:
        shaped = "|".join(f"(?:{p})" for p in rules.shapes)
        head = cells.filter(
            pl.col("column").is_in(survivors) & (pl.int_range(pl.len()).over("column") < rules.signal_cells)
        )
        folded = (
            pl.col("v").str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase()
        ).str.replace_all("[’ʼ]", "'")
        v = pl.col("v")
        second = (
            head.with_columns(folded.alias("folded"))
            .group_by("column")
            .agg(
                (
                    1
                    - (v.str.len_chars() - v.str.replace_all(r"\d+", "").str.len_chars()).sum()
                    / pl.max_horizontal(
                        (v.str.len_chars() - v.str.count_matches(" ", literal=True)).sum(), pl.lit(1)
                    )
                ).alias("letters"),
                pl.col("folded").str.contains(shaped).mean().alias("shaped"),
                pl.col("folded").str.contains(rules.organisation).mean().alias("organisation"),
                ((v == v.str.to_uppercase()) & v.str.contains(r"\p{L}")).mean().alias("caps"),
                pl.col("folded").str.contains(rules.action).mean().alias("action"),
                pl.col("folded").str.contains(rules.payment).mean().alias("payment"),
            )
        )
        for row in second.iter_rows(named=True):
            c = row["column"]
            profiles[c] = replace(
                profiles[c],
                examined=True,
                letters=float(row["letters"] or 0.0),
                shaped=float(row["shaped"] or 0.0),
                organisation=float(row["organisation"] or 0.0),
                caps=float(row["caps"] or 0.0),
                action=float(row["action"] or 0.0),
                payment=float(row["payment"] or 0.0),
            )
    return [profiles[c] for c in columns if c in profiles]


_ROLE_LABELS = {
    "description": Text("description", "description"),
    "title": Text("intitulé de l'action", "action title"),
}


def _map_by_content(result: ColumnMapping, data: pl.DataFrame, sheet: str | None) -> None:
    """Give the description (and the title) to the best free-text columns left unmapped, when no column
    has them by name or by the mapping file."""
    need_description = "description" not in result.fields and "objectives" not in result.fields
    need_title = "title" not in result.fields
    if not (need_description or need_title):
        return
    rules = content_rules()
    texts = [p for p in profile_columns(data, result.unmapped, rules) if p.verdict(rules) == "text"]
    order = {c: i for i, c in enumerate(result.unmapped)}
    texts.sort(key=lambda p: (-p.score(), order[p.column]))

    def titleable(p: ContentProfile) -> bool:
        return (
            rules.title_min_words <= p.words <= rules.title_max_words
            and p.distinct >= rules.title_min_distinct
        )

    def describable(p: ContentProfile) -> bool:
        return p.words >= rules.description_min_words

    chosen: dict[str, ContentProfile] = {}
    if need_description and need_title and len(texts) == 1:
        only = texts[0]
        if titleable(only):
            chosen["title"] = only
        elif describable(only):
            chosen["description"] = only
    else:
        if need_description:
            best = next((p for p in texts if describable(p)), None)
            if best is not None:
                chosen["description"] = best
        if need_title:
            taken = chosen.get("description")
            short = next((p for p in texts if p is not taken and titleable(p)), None)
            if short is not None:
                chosen["title"] = short
    for fld, p in chosen.items():
        result.fields[fld] = p.column
        result.confidence[fld] = 0.5
        result.unmapped.remove(p.column)
        result.issues.append(
            Issue(
                "column-content-mapped",
                sheet=sheet,
                column=result.headers[p.column],
                params={
                    "name": result.headers[p.column],
                    "field": _ROLE_LABELS[fld],
                    "filled": round(100 * p.filled),
                    "words": round(p.words),
                    "distinct": round(100 * p.distinct),
                },
            )
        )
